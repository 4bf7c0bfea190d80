use rmcp_core::{tool, tool_router};

struct Greeter;

#[tool_router]
impl Greeter {
    /// Greet someone.
    #[tool]
    fn greet(&self, name: &str) -> String {
        format!("hello {name}")
    }
}

fn main() {
    let _ = Greeter::tool_router();
}
