//! A server that logs to its client from inside a tool.
//!
//! Demonstrates `ctx.log`: `notifications/message` sent as part of a request, only at the levels
//! the client asked for. A 2025-11-25 client sets its level for the session with
//! `logging/setLevel` (and gets every level until it does); a 2026-07-28 request asks in its
//! `_meta` (`io.modelcontextprotocol/logLevel`) and gets nothing without it. `ctx.wants_log`
//! skips building a costly message nobody reads. Diagnostics for the server's operator go to
//! `tracing` on stderr instead.
//!
//! Run it with `cargo run -p examples --bin logging` (stdio), or with `--http 127.0.0.1:0`.

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, LoggingLevel, ServerCapabilities};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::{McpError, RequestContext};
use rmcp_core::{RoleServer, tool, tool_handler, tool_router};

#[derive(Clone)]
struct Deployer {
    tool_router: ToolRouter<Self>,
}

/// Turn a failed send (the connection is gone) into the tool's error.
fn sent(result: Result<(), rmcp_core::ServiceError>) -> Result<(), McpError> {
    result.map_err(|e| McpError::internal_error(e.to_string()))
}

#[tool_router]
impl Deployer {
    /// Deploy a service, logging each step to the client.
    #[tool]
    async fn deploy(
        &self,
        /// The service to deploy.
        service: String,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        tracing::info!(%service, "deploy requested"); // the operator's log, on stderr
        if ctx.wants_log(LoggingLevel::Debug) {
            // Only built when someone reads it.
            let plan = serde_json::json!({"service": service, "steps": ["build", "push", "roll out"]});
            sent(ctx.log(LoggingLevel::Debug, plan).await)?;
        }
        for step in ["build", "push", "roll out"] {
            sent(ctx.log(LoggingLevel::Info, format!("{service}: {step}")).await)?;
        }
        sent(ctx.log(LoggingLevel::Warning, format!("{service}: one replica was slow to start")).await)?;
        Ok(format!("{service} deployed"))
    }
}

#[tool_handler]
impl ServerHandler for Deployer {
    fn get_info(&self) -> ServerInfo {
        // Declaring `logging` tells clients they may set a level.
        let capabilities = ServerCapabilities::builder().enable_logging().build();
        ServerInfo::new(Implementation::new("logging", env!("CARGO_PKG_VERSION")), capabilities)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::run("logging", || Deployer { tool_router: Deployer::tool_router() }).await
}
