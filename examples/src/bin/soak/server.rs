//! The server the soak drives, run as a child process (`soak serve stdio|http`), so that its
//! RSS is its own. Every [`REPORT_EVERY`] it writes one line `SOAK-STATS {json}` to stderr:
//! its RSS and the sizes of its maps; the HTTP server first writes `SOAK-ADDR host:port`.

use std::time::Duration;

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ProgressNotificationParams, ServerCapabilities};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::{McpError, RequestContext, ServiceExt};
use rmcp_core::transport::http::{StreamControl, StreamableHttpConfig, StreamableHttpService};
use rmcp_core::{RoleServer, tool, tool_handler, tool_router};
use serde_json::json;

use crate::stats::{engine_json, http_json, rss_kb};

/// How often the child reports; the parent samples less often and takes the latest report.
const REPORT_EVERY: Duration = Duration::from_millis(200);

/// The prefix of a stats line on the child's stderr.
pub const STATS_PREFIX: &str = "SOAK-STATS ";
/// The prefix of the line that gives the HTTP server's address.
pub const ADDR_PREFIX: &str = "SOAK-ADDR ";

/// The soak server: clones share the tool router.
#[derive(Clone)]
pub struct Soak {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Soak {
    /// Add two integers: a + b (answered without waiting: the common, fast path).
    #[tool]
    fn add(
        &self,
        /// The left operand.
        a: i64,
        /// The right operand.
        b: i64,
    ) -> String {
        let leak = leak_per_call();
        if leak > 0 {
            // Touched, so it is resident: the leak the soak's own test must catch.
            Box::leak(vec![1u8; leak].into_boxed_slice());
        }
        a.wrapping_add(b).to_string()
    }

    /// Wait `ms` milliseconds, or until the request is cancelled (what cancellations hit).
    /// With a progress token, report progress 0 first: on HTTP that opens the POST's SSE
    /// stream (with its priming event) before the answer, so a client can drop and resume it.
    #[tool]
    async fn wait(
        &self,
        /// How long to wait.
        ms: u64,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        if let Some(token) = ctx.progress_token() {
            let _ = ctx.peer.notify_progress(ProgressNotificationParams::new(token, 0.0)).await;
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(ms)) => Ok("waited".to_owned()),
            () = ctx.ct.cancelled() => Err(McpError::internal_error("cancelled")),
        }
    }

    /// Close this request's SSE connection (2025-era HTTP), then answer after `ms`: the client
    /// has to resume the stream with `Last-Event-ID` to get the answer.
    #[tool]
    async fn poll(
        &self,
        /// How long to wait after closing the connection.
        ms: u64,
        ctx: RequestContext<RoleServer>,
    ) -> String {
        if let Some(control) = ctx.extensions.get::<StreamControl>() {
            control.close_connection().await;
        }
        tokio::time::sleep(Duration::from_millis(ms)).await;
        "polled".to_owned()
    }
}

impl Soak {
    pub fn new() -> Self {
        Self { tool_router: Self::tool_router() }
    }
}

#[tool_handler]
impl ServerHandler for Soak {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("soak-server", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
    }
}

/// `SOAK_LEAK_BYTES`: bytes `add` leaks on every call (0 by default). It exists to show that a
/// leaking server fails the soak (`examples/tests/soak_smoke.rs`).
fn leak_per_call() -> usize {
    static LEAK: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LEAK.get_or_init(|| std::env::var("SOAK_LEAK_BYTES").ok().and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// The HTTP settings of the soak: the defaults (SSE answers, in-memory event store, so streams
/// resume), with a short `retry` so resumptions do not idle the run, and room for the session
/// phase's rate of new sessions.
pub fn http_config() -> StreamableHttpConfig {
    StreamableHttpConfig::default().with_sse_retry(Some(Duration::from_millis(100)))
}

/// `soak serve stdio`: serve one connection on stdin/stdout, reporting until it ends.
pub async fn serve_stdio() -> anyhow::Result<()> {
    let running = Soak::new().serve(rmcp_core::transport::stdio()).await?;
    let peer = running.peer().clone();
    let reporter = tokio::spawn(async move {
        loop {
            let Some(stats) = peer.stats().await else { break };
            report(json!({"rss_kb": rss_kb("self"), "idle": stats.is_idle(), "engine": engine_json(&stats)}));
            tokio::time::sleep(REPORT_EVERY).await;
        }
    });
    running.waiting().await;
    reporter.abort();
    // Abort takes effect at the reporter's next await: waiting for it keeps the process from
    // exiting in the middle of a line.
    let _ = reporter.await;
    Ok(())
}

/// `soak serve http`: Streamable HTTP on a free loopback port until stdin closes (the parent
/// went away) .
pub async fn serve_http() -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    eprintln!("{ADDR_PREFIX}{}", listener.local_addr()?);
    let service = StreamableHttpService::new(Soak::new, http_config());
    let stop = rmcp_core::CancellationToken::new();
    tokio::spawn({
        let service = service.clone();
        async move {
            loop {
                let http = service.stats();
                let engines = service.engine_stats().await;
                report(json!({
                    "rss_kb": rss_kb("self"),
                    "idle": http.is_idle() && engines.is_idle(),
                    "http": http_json(&http),
                    "engine": engine_json(&engines),
                }));
                tokio::time::sleep(REPORT_EVERY).await;
            }
        }
    });
    tokio::spawn({
        let stop = stop.clone();
        async move {
            // The parent holds our stdin: its end (or death) ends the server.
            let mut sink = Vec::new();
            let _ = tokio::io::AsyncReadExt::read_to_end(&mut tokio::io::stdin(), &mut sink).await;
            stop.cancel();
        }
    });
    service.serve_listener(listener, stop).await?;
    Ok(())
}

fn report(line: serde_json::Value) {
    eprintln!("{STATS_PREFIX}{line}");
}
