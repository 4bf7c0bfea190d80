use rmcp_core::prompt;

struct Writer;

impl Writer {
    /// Write a poem.
    #[prompt]
    fn poem(&self, topic: String) -> String {
        format!("Write a poem about {topic}")
    }
}

fn main() {
    let _ = Writer.poem("the sea".to_owned());
}
