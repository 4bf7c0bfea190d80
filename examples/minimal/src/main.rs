//! The smallest useful MCP server: one tool over stdio, built with only the `server`, `macros`
//! and `stdio` features of rmcp-core (no HTTP, TLS, OAuth or JSON Schema validator in the build).
//!
//! `cargo run -p minimal-server`, then speak newline-delimited JSON-RPC on stdin, e.g.
//! `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}`.

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::{Parameters, ToolRouter};
use rmcp_core::service::ServiceExt;
use rmcp_core::{tool, tool_handler, tool_router};

/// The arguments of `add`.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct AddArgs {
    /// The left operand.
    a: i64,
    /// The right operand.
    b: i64,
}

/// A server with one tool.
struct Adder {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Adder {
    /// Add two integers.
    #[tool(annotations(read_only_hint = true))]
    fn add(&self, Parameters(AddArgs { a, b }): Parameters<AddArgs>) -> String {
        (a + b).to_string()
    }
}

#[tool_handler]
impl ServerHandler for Adder {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("minimal-server", "0.1.0"), ServerCapabilities::default())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = Adder { tool_router: Adder::tool_router() };
    server.serve(rmcp_core::transport::stdio()).await?.waiting().await;
    Ok(())
}
