use rmcp_core::{prompt, prompt_router};
use serde::Deserialize;

#[derive(Deserialize)]
enum Tone {
    Formal,
    Casual,
}

struct Writer;

#[prompt_router]
impl Writer {
    /// Write a letter.
    #[prompt]
    fn letter(&self, to: String, tone: Tone) -> String {
        let tone = match tone {
            Tone::Formal => "formal",
            Tone::Casual => "casual",
        };
        format!("Write a {tone} letter to {to}")
    }
}

fn main() {
    let _ = Writer::prompt_router();
}
