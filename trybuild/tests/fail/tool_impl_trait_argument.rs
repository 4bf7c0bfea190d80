use rmcp_core::{tool, tool_router};

struct Echo;

#[tool_router]
impl Echo {
    /// Echo a value.
    #[tool]
    fn echo(&self, value: impl std::fmt::Display) -> String {
        value.to_string()
    }
}

fn main() {
    let _ = Echo::tool_router();
}
