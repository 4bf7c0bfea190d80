use rmcp_core::{tool, tool_router};

struct Calculator;

#[tool_router]
impl Calculator {
    /// Add two integers.
    #[tool(name = "add")]
    fn add_i64(&self, a: i64, b: i64) -> String {
        (a + b).to_string()
    }

    /// Add two floats.
    #[tool(name = "add")]
    fn add_f64(&self, a: f64, b: f64) -> String {
        (a + b).to_string()
    }
}

fn main() {
    let _ = Calculator::tool_router();
}
