use rmcp_core::{tool, tool_router};

struct Files;

#[tool_router]
impl Files {
    /// Delete a file.
    #[tool(destructive_hint = true)]
    fn delete(&self, path: String) -> String {
        format!("deleted {path}")
    }
}

fn main() {
    let _ = Files::tool_router();
}
