//! An MCP endpoint mounted in an axum application, beside its other routes.
//!
//! Demonstrates `StreamableHttpService` as a tower service: `/mcp` is the MCP endpoint, `/health`
//! an ordinary route, and everything else 404. Mounted in your own router, the service no
//! longer learns each client's address from its own listener, so the app serves with
//! `ConnectInfo` and a middleware inserts it as `RemoteAddr`: the per-address fair shares (and
//! the `client_address` tool) keep working.
//!
//! Run it with `cargo run -p examples --bin axum-mount -- --http 127.0.0.1:8000`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::RequestContext;
use rmcp_core::transport::http::{RemoteAddr, StreamableHttpConfig, StreamableHttpService};
use rmcp_core::{RoleServer, tool, tool_handler, tool_router};

#[derive(Clone)]
struct App {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl App {
    /// The address the server sees this client at.
    #[tool(annotations(read_only_hint = true))]
    fn client_address(&self, ctx: RequestContext<RoleServer>) -> String {
        // What the middleware put in the HTTP request travels in its parts.
        let parts = ctx.extensions.get::<axum::http::request::Parts>();
        let address = parts.and_then(|p| p.extensions.get::<RemoteAddr>());
        address.map_or_else(|| "unknown".to_owned(), |RemoteAddr(a)| a.ip().to_string())
    }
}

#[tool_handler]
impl ServerHandler for App {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("axum-mount", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
    }
}

/// Put the client's address where the MCP service looks for it.
async fn remote_addr(ConnectInfo(peer): ConnectInfo<SocketAddr>, mut request: Request, next: Next) -> Response {
    request.extensions_mut().insert(RemoteAddr(peer));
    next.run(request).await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::init_logging();
    let addr = examples::flag("--http")?.unwrap_or_else(|| "127.0.0.1:8000".to_owned());
    let mcp = StreamableHttpService::new(|| App { tool_router: App::tool_router() }, StreamableHttpConfig::default());
    let app = axum::Router::new()
        .route("/health", get(|| async { "ok" }))
        .route_service("/mcp", mcp.clone())
        .layer(axum::middleware::from_fn(remote_addr));
    let listener = tokio::net::TcpListener::bind(addr.as_str()).await?;
    eprintln!("serving Streamable HTTP at http://{}/mcp", listener.local_addr()?);
    let stop = examples::ctrl_c_token();
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            stop.cancelled().await;
            // Answer what is in flight before the listener closes.
            mcp.shutdown_gracefully().await;
        })
        .await?;
    Ok(())
}
