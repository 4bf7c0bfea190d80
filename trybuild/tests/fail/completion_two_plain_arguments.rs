use rmcp_core::{completion, prompt, prompt_router};

struct Writer;

#[prompt_router]
impl Writer {
    /// Write a poem.
    #[prompt]
    fn poem(&self, language: String, style: String) -> String {
        format!("Write a {style} poem in {language}")
    }

    #[completion(prompt = "poem", argument = "style")]
    fn styles(&self, typed: String, language: String) -> Vec<String> {
        let styles: &[&str] = if language == "ja" { &["haiku", "tanka"] } else { &["sonnet", "limerick"] };
        styles.iter().filter(|s| s.starts_with(&typed)).map(|s| (*s).to_owned()).collect()
    }
}

fn main() {
    let _ = Writer::prompt_router();
}
