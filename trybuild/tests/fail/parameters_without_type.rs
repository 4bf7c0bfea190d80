use rmcp_core::router::Parameters;
use rmcp_core::{tool, tool_router};

struct Calculator;

#[tool_router]
impl Calculator {
    /// Add two integers.
    #[tool]
    fn add(&self, params: Parameters) -> String {
        let _ = params;
        String::new()
    }
}

fn main() {
    let _ = Calculator::tool_router();
}
