use rmcp_core::{prompt, prompt_router, tool};

struct Assistant;

// One impl block, but only the prompt router is on it: the `#[tool]` is not collected.
#[prompt_router]
impl Assistant {
    /// Write a poem.
    #[prompt]
    fn poem(&self, topic: String) -> String {
        format!("Write a poem about {topic}")
    }

    /// Add two integers.
    #[tool]
    fn add(&self, a: i64, b: i64) -> String {
        (a + b).to_string()
    }
}

fn main() {
    let _ = Assistant::prompt_router();
    let _ = Assistant.add(1, 2);
}
