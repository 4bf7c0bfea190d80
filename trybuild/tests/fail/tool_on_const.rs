use rmcp_core::{tool, tool_router};

struct Info;

#[tool_router]
impl Info {
    #[tool]
    const VERSION: &'static str = "1.0.0";

    /// The server's version.
    #[tool]
    fn version(&self) -> &'static str {
        Self::VERSION
    }
}

fn main() {
    let _ = Info::tool_router();
}
