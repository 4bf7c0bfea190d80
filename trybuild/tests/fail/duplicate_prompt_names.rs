use rmcp_core::{prompt, prompt_router};

struct Reviewer;

#[prompt_router]
impl Reviewer {
    /// Review some code.
    #[prompt]
    fn review(&self, code: String) -> String {
        format!("Review this code:\n{code}")
    }

    /// Review a diff.
    #[prompt(name = "review")]
    fn review_diff(&self, diff: String) -> String {
        format!("Review this diff:\n{diff}")
    }
}

fn main() {
    let _ = Reviewer::prompt_router();
}
