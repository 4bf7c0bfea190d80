use std::future::Future;

use rmcp_core::{tool, tool_router};

struct Clock;

#[tool_router]
impl Clock {
    /// A sync tool.
    #[tool]
    fn now(&self) -> String {
        "12:00".to_owned()
    }

    /// An async tool.
    #[tool]
    async fn later(&self, minutes: u32) -> String {
        format!("12:{minutes:02}")
    }

    /// A sync fn returning a future is awaited like an async one.
    #[tool]
    fn eventually(&self) -> impl Future<Output = String> + Send + '_ {
        async move { self.now() }
    }
}

fn main() {
    let router = Clock::tool_router();
    let names: Vec<String> = router.list().tools.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["now", "later", "eventually"]);
}
