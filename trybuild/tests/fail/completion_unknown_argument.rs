use rmcp_core::{completion, prompt, prompt_router};

struct Writer;

#[prompt_router]
impl Writer {
    /// Write a poem.
    #[prompt]
    fn poem(&self, style: String) -> String {
        format!("Write a {style} poem")
    }

    #[completion(prompt = "poem", argument = "stlye")]
    fn styles(&self, typed: String) -> Vec<String> {
        ["haiku", "sonnet"].iter().filter(|s| s.starts_with(&typed)).map(|s| (*s).to_owned()).collect()
    }
}

fn main() {
    let _ = Writer::prompt_router();
}
