use rmcp_core::{tool, tool_router};

struct Calculator;

#[tool_router]
impl Calculator {
    /// Add two integers.
    #[tool]
    fn add(a: i64, b: i64) -> String {
        (a + b).to_string()
    }
}

fn main() {
    let _ = Calculator::tool_router();
}
