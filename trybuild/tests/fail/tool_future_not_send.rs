use std::rc::Rc;

use rmcp_core::{tool, tool_router};

struct Counter;

async fn tick() {}

#[tool_router]
impl Counter {
    /// Count, holding a value that is not `Send` across an `.await`.
    #[tool]
    async fn count(&self) -> String {
        let seen = Rc::new(1);
        tick().await;
        seen.to_string()
    }
}

fn main() {
    let _ = Counter::tool_router();
}
