//! The crate reached under another path, as with a renamed dependency or a re-export from a
//! framework crate: `crate = path` on the router, each route and each handler, as a path or a
//! string holding one. No `::rmcp_core` path may appear in the generated code.

mod framework {
    pub mod mcp {
        pub use rmcp_core::*;
    }
}

use framework::mcp;
use framework::mcp::handler::ServerHandler;
use framework::mcp::router::{PromptRouter, ToolRouter};

#[derive(serde::Serialize, schemars::JsonSchema)]
struct Farewell {
    text: String,
}

struct Server {
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
}

#[mcp::tool_router(crate = crate::framework::mcp)]
impl Server {
    /// Says hi.
    #[mcp::tool(annotations(read_only_hint), meta = {"tag": "greeting"}, icons = ["https://example.com/hi.png"])]
    fn hi(&self, who: String) -> String {
        format!("hi {who}")
    }

    /// A route may name the path itself.
    #[mcp::tool(crate = "crate::framework::mcp")]
    async fn bye(&self) -> mcp::router::Json<Farewell> {
        mcp::router::Json(Farewell { text: "bye".to_owned() })
    }
}

#[mcp::prompt_router(crate = "crate::framework::mcp")]
impl Server {
    /// Greets.
    #[mcp::prompt]
    fn greet(&self, name: String) -> String {
        format!("Greet {name}")
    }

    #[mcp::completion(prompt = "greet", argument = "name")]
    fn names(&self, typed: String) -> Vec<String> {
        vec![typed]
    }
}

#[mcp::tool_handler(crate = crate::framework::mcp)]
#[mcp::prompt_handler(crate = crate::framework::mcp)]
impl ServerHandler for Server {}

fn main() {
    let server = Server { tool_router: Server::tool_router(), prompt_router: Server::prompt_router() };
    let tools = server.tool_router.list();
    assert_eq!(tools.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["hi", "bye"]);
    assert_eq!(server.prompt_router.list_prompts().prompts[0].name, "greet");
    assert!(server.prompt_router.has_completions());
    assert!(server.tool_capability().is_some() && server.prompt_capability().is_some());
}
