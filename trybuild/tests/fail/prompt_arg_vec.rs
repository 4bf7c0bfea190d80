use rmcp_core::{prompt, prompt_router};

struct Reviewer;

#[prompt_router]
impl Reviewer {
    /// Review several files.
    #[prompt]
    fn review(&self, files: Vec<String>) -> String {
        format!("Review {}", files.join(", "))
    }
}

fn main() {
    let _ = Reviewer::prompt_router();
}
