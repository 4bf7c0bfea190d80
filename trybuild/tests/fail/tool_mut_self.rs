use rmcp_core::{tool, tool_router};

struct Counter {
    count: u64,
}

#[tool_router]
impl Counter {
    /// Increment the counter.
    #[tool]
    fn increment(&mut self) -> String {
        self.count += 1;
        self.count.to_string()
    }
}

fn main() {
    let _ = Counter::tool_router();
}
