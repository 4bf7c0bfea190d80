//! The benchmark server of issue #7: what `../shared/bench` drives to compare this SDK with the
//! anchors (rmcp, the TypeScript and Python SDKs, the hand-written floor).
//!
//! One tool, `add(a: i64, b: i64)`, answering the sum as text (`"42"`), written with the macros
//! like the anchors are; with `BENCH_EXTRA_TOOLS=N` also `N` trivial tools `tool_0`..`tool_{N-1}`
//! added at run time with [`ToolRoute::new_dyn`] (for the `tools/list` figure).
//!
//! ```text
//! bench-server stdio        # newline-delimited JSON-RPC on stdin/stdout
//! bench-server http PORT    # Streamable HTTP at http://127.0.0.1:PORT/mcp
//! bench-server http PORT --redis redis://127.0.0.1:6379/   # sessions shared through Redis
//! ```
//!
//! Nothing is logged (stdout is the transport on stdio). HTTP uses the fastest settings the SDK
//! offers while keeping 2025-11-25 sessions (`initialize` + `Mcp-Session-Id`, which the driver
//! uses): JSON answers instead of SSE streams, and no event store (streams are not resumable, so
//! no event is kept). `serve_listener` sets `TCP_NODELAY` on every connection.

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, Tool};
use rmcp_core::router::{ToolRoute, ToolRouter};
use rmcp_core::schema::empty_object_schema;
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use rmcp_core::{tool, tool_handler, tool_router};

/// The server; clones share the tool router.
#[derive(Clone)]
struct Bench {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Bench {
    /// Add two integers: a + b
    #[tool]
    fn add(
        &self,
        /// The left operand.
        a: i64,
        /// The right operand.
        b: i64,
    ) -> String {
        a.wrapping_add(b).to_string()
    }
}

impl Bench {
    /// `add`, plus `extra` trivial tools registered through the run-time builder API.
    fn new(extra: usize) -> Self {
        let mut router = Self::tool_router();
        for i in 0..extra {
            let tool = Tool::new(format!("tool_{i}"), format!("Trivial tool number {i}"), empty_object_schema());
            router = router.with_route(ToolRoute::new_dyn(tool, |_server: &Bench, _cx| {
                Box::pin(async { Ok(CallToolResult::success(vec![ContentBlock::text("ok")])) })
            }));
        }
        Self { tool_router: router }
    }
}

#[tool_handler]
impl ServerHandler for Bench {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("bench-server", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
    }
}

fn usage() -> anyhow::Error {
    anyhow::anyhow!("usage: bench-server stdio | bench-server http PORT [--redis URL]   (env BENCH_EXTRA_TOOLS=N)")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let extra = match std::env::var("BENCH_EXTRA_TOOLS") {
        Ok(n) => n.parse().map_err(|e| anyhow::anyhow!("BENCH_EXTRA_TOOLS={n:?}: {e}"))?,
        Err(_) => 0,
    };
    let server = Bench::new(extra);
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["stdio"] => {
            let running = server.serve(rmcp_core::transport::stdio()).await?;
            running.waiting().await;
            Ok(())
        }
        ["http", port, rest @ ..] => {
            let port: u16 = port.parse().map_err(|_| usage())?;
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
            let mut config = StreamableHttpConfig::default().with_json_response(true).with_event_store(None);
            match rest {
                [] => {}
                ["--redis", url] => config = examples::shared_through_redis(config, url).await?,
                _ => return Err(usage()),
            }
            let service = StreamableHttpService::new(move || server.clone(), config);
            service.serve_listener(listener, examples::ctrl_c_token()).await?;
            Ok(())
        }
        _ => Err(usage()),
    }
}
