//! An HTTP server whose long call survives a dropped connection.
//!
//! Demonstrates resumable SSE streams: every event of a response gets an id and is kept in the
//! event store; a client whose stream breaks reconnects with `GET` and `Last-Event-ID` and gets
//! what it missed, then the rest live. Here the break is on purpose (SSE polling): `report`
//! closes its own connection after the first section (`StreamControl::close_connection`, on
//! 2025-era sessions), so a long call holds no connection while it works, and the client comes
//! back after the server's `retry` hint (100 ms). An axum middleware logs each resumption on
//! stderr, so the test can see it happen.
//!
//! Run it with `cargo run -p examples --bin resumable-server -- --http 127.0.0.1:8000`.

use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::{ProgressReporter, ToolRouter};
use rmcp_core::service::{McpError, RequestContext};
use rmcp_core::transport::http::{StreamControl, StreamableHttpConfig, StreamableHttpService};
use rmcp_core::{RoleServer, tool, tool_handler, tool_router};

/// How long one section of the report takes.
const SECTION: Duration = Duration::from_millis(150);

#[derive(Clone)]
struct Reports {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Reports {
    /// Write a report of `sections` sections (150 ms each, at most 100), with progress.
    #[tool]
    async fn report(&self, sections: u32, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        if sections > 100 {
            return Err(McpError::InvalidArguments(format!("{sections} sections: at most 100")));
        }
        let progress = ProgressReporter::new(&ctx);
        for done in 1..=sections {
            tokio::time::sleep(SECTION).await;
            progress.report(f64::from(done), Some(f64::from(sections)), Some(format!("section {done}"))).await?;
            if done == 1
                && let Some(stream) = ctx.extensions.get::<StreamControl>()
            {
                // Hang up; the events that follow wait in the store for the client's return.
                eprintln!("report: closing the connection after section 1");
                stream.close_connection().await;
            }
        }
        Ok(format!("report of {sections} sections written"))
    }
}

#[tool_handler]
impl ServerHandler for Reports {
    fn get_info(&self) -> ServerInfo {
        let identity = Implementation::new("resumable-server", env!("CARGO_PKG_VERSION"));
        ServerInfo::new(identity, ServerCapabilities::default())
    }
}

/// Log the GETs that resume a stream.
async fn log_resumptions(request: Request, next: Next) -> Response {
    if let Some(last) = request.headers().get("last-event-id").and_then(|v| v.to_str().ok()) {
        eprintln!("resumed: {} with Last-Event-ID {last}", request.method());
    }
    next.run(request).await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::init_logging();
    let addr = examples::flag("--http")?.unwrap_or_else(|| "127.0.0.1:8000".to_owned());
    // The default in-memory event store keeps what the client misses; a short retry hint
    // brings it back quickly.
    let config = StreamableHttpConfig::default().with_sse_retry(Some(Duration::from_millis(100)));
    let mcp = StreamableHttpService::new(|| Reports { tool_router: Reports::tool_router() }, config);
    let app = axum::Router::new().route_service("/mcp", mcp).layer(axum::middleware::from_fn(log_resumptions));
    let listener = tokio::net::TcpListener::bind(addr.as_str()).await?;
    eprintln!("serving Streamable HTTP at http://{}/mcp", listener.local_addr()?);
    let stop = examples::ctrl_c_token();
    axum::serve(listener, app).with_graceful_shutdown(async move { stop.cancelled().await }).await?;
    Ok(())
}
