use rmcp_core::{prompt, prompt_router};

struct Writer;

#[prompt_router]
impl Writer {
    /// Write a poem.
    #[prompt]
    fn poem(&self, topic: String, lines: i64) -> String {
        format!("Write a {lines}-line poem about {topic}")
    }
}

fn main() {
    let _ = Writer::prompt_router();
}
