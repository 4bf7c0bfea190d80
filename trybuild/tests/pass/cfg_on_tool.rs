//! `#[cfg]` on a route: a configured-out method and everything generated for it disappear
//! (including the hidden argument struct and the registration); a configured-in one stays.

use rmcp_core::{prompt, prompt_router, tool, tool_router};

struct Server;

#[tool_router]
impl Server {
    /// Always there.
    #[tool]
    fn always(&self) -> &'static str {
        "here"
    }

    /// Never compiled: its argument type does not even exist.
    #[cfg(any())]
    #[tool]
    fn never(&self, value: DoesNotExist) -> String {
        value.to_string()
    }

    /// Compiled, with `cfg` after the attribute.
    #[tool]
    #[cfg(all())]
    fn present(&self, n: u8) -> String {
        n.to_string()
    }

    /// Only in debug builds, as trybuild builds them.
    #[cfg(debug_assertions)]
    #[tool]
    async fn debug_only(&self) -> &'static str {
        "debug"
    }
}

#[prompt_router]
impl Server {
    #[cfg(any())]
    #[prompt]
    fn hidden(&self, topic: String) -> String {
        topic
    }

    #[prompt]
    fn shown(&self) -> String {
        String::new()
    }
}

fn main() {
    let tools = Server::tool_router().list();
    let names: Vec<&str> = tools.tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["always", "present", "debug_only"]);
    let prompts = Server::prompt_router().list_prompts().prompts;
    assert_eq!(prompts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["shown"]);
}
