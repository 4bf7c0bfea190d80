use rmcp_core::router::Parameters;
use rmcp_core::{tool, tool_router};
use serde::Deserialize;

#[derive(Deserialize)]
struct AddArgs {
    a: i64,
    b: i64,
}

struct Calculator;

#[tool_router]
impl Calculator {
    /// Add two integers.
    #[tool]
    fn add(&self, Parameters(AddArgs { a, b }): Parameters<AddArgs>) -> String {
        (a + b).to_string()
    }
}

fn main() {
    let _ = Calculator::tool_router();
}
