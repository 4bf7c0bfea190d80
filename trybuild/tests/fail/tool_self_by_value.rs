use rmcp_core::{tool, tool_router};

struct Session {
    log: Vec<String>,
}

#[tool_router]
impl Session {
    /// End the session and return its log.
    #[tool]
    fn finish(self) -> String {
        self.log.join("\n")
    }
}

fn main() {
    let _ = Session::tool_router();
}
