use rmcp_core::{prompt, prompt_router};

struct Writer;

#[prompt_router]
impl Writer {
    /// Write a poem.
    #[prompt]
    fn poem(&self, topic: String, rhyming: Option<bool>) -> String {
        let form = if rhyming.unwrap_or(false) { "rhyming" } else { "free" };
        format!("Write a {form} poem about {topic}")
    }
}

fn main() {
    let _ = Writer::prompt_router();
}
