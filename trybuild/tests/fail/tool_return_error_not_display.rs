use rmcp_core::{tool, tool_router};

#[derive(Debug)]
enum DivideError {
    ByZero,
}

struct Calculator;

#[tool_router]
impl Calculator {
    /// Divide two numbers.
    #[tool]
    fn divide(&self, a: f64, b: f64) -> Result<String, DivideError> {
        if b == 0.0 { Err(DivideError::ByZero) } else { Ok((a / b).to_string()) }
    }
}

fn main() {
    let _ = Calculator::tool_router();
}
