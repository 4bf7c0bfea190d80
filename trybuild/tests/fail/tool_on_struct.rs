use rmcp_core::tool;

#[tool]
struct Calculator;

fn main() {
    let _ = Calculator;
}
