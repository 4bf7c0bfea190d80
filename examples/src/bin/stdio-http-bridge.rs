//! A bridge that lets a stdio-only host use a server on Streamable HTTP.
//!
//! Demonstrates a host setup: many desktop hosts start servers as child processes and speak
//! stdio only. This binary is such a server to the host, and a client of a remote server at
//! `--url`: it forwards `tools/list` and `tools/call` (and answers with the remote server's
//! name and instructions). One connection each way; the engine pipelines, so concurrent calls
//! from the host stay concurrent on the HTTP side. When either side goes, the bridge ends.
//!
//! Run it with `cargo run -p examples --bin stdio-http-bridge -- --url http://127.0.0.1:8000/mcp`,
//! or configure it as a host's stdio server command.

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, Implementation, ListToolsResult, PaginatedRequestParams, ServerCapabilities,
};
use rmcp_core::service::{McpError, RequestContext, ServiceExt};
use rmcp_core::transport::http::StreamableHttpClientTransport;
use rmcp_core::{Peer, RoleClient, RoleServer, ServiceError};

/// The stdio side: every request goes on to the remote server.
#[derive(Clone)]
struct Bridge {
    remote: Peer<RoleClient>,
    info: ServerInfo,
}

/// The remote server's answer, or its error passed on as ours.
fn forwarded<T>(result: Result<T, ServiceError>) -> Result<T, McpError> {
    result.map_err(|e| match e {
        ServiceError::ErrorResponse(error) => McpError::Rpc(error),
        other => McpError::internal_error(format!("the remote server: {other}")),
    })
}

impl ServerHandler for Bridge {
    fn get_info(&self) -> ServerInfo {
        self.info.clone()
    }

    async fn list_tools(
        &self,
        params: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        // Pages pass through: the host follows the remote server's cursors.
        forwarded(self.remote.list_tools(Some(params)).await)
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        forwarded(self.remote.call_tool(params).await)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::init_logging();
    let url = examples::flag("--url")?.ok_or_else(|| anyhow::anyhow!("usage: stdio-http-bridge --url URL"))?;
    let remote = ().serve(StreamableHttpClientTransport::new(url.as_str())).await?;
    let server_info = remote.server_info().ok_or_else(|| anyhow::anyhow!("{url} did not describe itself"))?;
    let name = format!("{} (via stdio-http-bridge)", server_info.server_info.name);
    let mut info = ServerInfo::new(
        Implementation::new(name, env!("CARGO_PKG_VERSION")),
        ServerCapabilities::builder().enable_tools().build(),
    );
    if let Some(instructions) = &server_info.instructions {
        info = info.with_instructions(instructions.clone());
    }
    let bridge = Bridge { remote: remote.peer().clone(), info };
    let local = bridge.serve(rmcp_core::transport::stdio()).await?;
    // Whichever side closes first ends the bridge.
    tokio::select! {
        reason = local.waiting() => tracing::info!(?reason, "the host went"),
        () = remote.closed() => tracing::info!("the remote server went"),
    }
    Ok(())
}
