use rmcp_core::{prompt, prompt_router};

struct Writer;

#[prompt_router]
impl Writer {
    /// Write a poem.
    #[prompt(tilte = "Poem")]
    fn poem(&self, topic: String) -> String {
        format!("Write a poem about {topic}")
    }
}

fn main() {
    let _ = Writer::prompt_router();
}
