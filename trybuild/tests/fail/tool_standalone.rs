use rmcp_core::tool;

struct Calculator;

impl Calculator {
    /// Add two integers.
    #[tool]
    fn add(&self, a: i64, b: i64) -> String {
        (a + b).to_string()
    }
}

fn main() {
    let _ = Calculator.add(1, 2);
}
