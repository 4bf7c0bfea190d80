use rmcp_core::{tool, tool_router};

struct Files;

#[tool_router(vis = "crate-only")]
impl Files {
    /// List a directory.
    #[tool]
    fn list(&self, path: String) -> String {
        format!("contents of {path}")
    }
}

fn main() {
    let _ = Files::tool_router();
}
