use rmcp_core::{prompt, prompt_router};

struct Reviewer;

#[prompt_router]
impl Reviewer {
    /// Review a piece of code.
    #[prompt(name = "code review")]
    fn review(&self, code: String) -> String {
        format!("Review this code:\n{code}")
    }
}

fn main() {
    let _ = Reviewer::prompt_router();
}
