use rmcp_core::{tool, tool_router};

struct Files;

#[tool_router]
impl Files {
    #[tool(description = 123)]
    fn list(&self, path: String) -> String {
        format!("contents of {path}")
    }
}

fn main() {
    let _ = Files::tool_router();
}
