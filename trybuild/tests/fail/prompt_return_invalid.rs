use rmcp_core::{prompt, prompt_router};

struct Writer;

#[prompt_router]
impl Writer {
    /// Write a poem.
    #[prompt]
    fn poem(&self, topic: String) -> Vec<String> {
        vec![format!("Write a poem about {topic}")]
    }
}

fn main() {
    let _ = Writer::prompt_router();
}
