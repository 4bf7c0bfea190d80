//! Handlers that misbehave on request: panic (at once, or after a wait), hang until cancelled,
//! block their thread, ask the client something, or send progress.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, CreateMessageRequestParams, CreateMessageResult,
    Implementation, JsonObject, ProgressNotificationParams, Role, SamplingMessage, SamplingMessageContentBlock,
    ServerCapabilities, TextContent,
};
use rmcp_core::service::{McpError, RequestContext, RoleClient, RoleServer};
use rmcp_core::transport::http::StreamControl;
use serde_json::{Value, json};

use super::Rng;

/// What the misbehaving handlers did.
#[derive(Debug, Default)]
pub struct Tally {
    /// Handlers that started.
    pub started: AtomicUsize,
    /// Handlers that ended, one way or another (a panic counts when it unwinds).
    pub ended: AtomicUsize,
}

impl Tally {
    /// Wait until every handler that started has ended (at most `limit`).
    pub async fn all_ended(&self, limit: Duration) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let (started, ended) = (self.started.load(Ordering::SeqCst), self.ended.load(Ordering::SeqCst));
            if started == ended {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(format!("{} of {started} handlers never ended", started - ended));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// Counts a handler as ended when dropped: after a return, a panic, or a cancellation.
struct Ending(Arc<Tally>);

impl Drop for Ending {
    fn drop(&mut self) {
        self.0.ended.fetch_add(1, Ordering::SeqCst);
    }
}

/// The server: every tool misbehaves in its own way.
#[derive(Clone, Default)]
pub struct Misbehaving {
    pub tally: Arc<Tally>,
    /// How long `hang` waits for its cancellation at most (a lost `notifications/cancelled`
    /// cannot leave it running for ever).
    pub hang_cap: Duration,
}

impl ServerHandler for Misbehaving {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(
            Implementation::new("misbehaving", "0.0.1"),
            ServerCapabilities::builder().enable_tools().build(),
        )
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.tally.started.fetch_add(1, Ordering::SeqCst);
        let _ending = Ending(self.tally.clone());
        let args = params.arguments.clone().unwrap_or_default();
        let ms = Duration::from_millis(args.get("ms").and_then(Value::as_u64).unwrap_or(1));
        let done = || Ok(CallToolResult::success(vec![ContentBlock::text(params.name.to_string())]));
        match params.name.as_ref() {
            "echo" => done(),
            "sleep" => {
                tokio::time::sleep(ms).await;
                done()
            }
            "panic" => panic!("injected handler panic"),
            "late_panic" => {
                tokio::time::sleep(ms).await;
                panic!("injected handler panic after a wait")
            }
            "hang" => {
                tokio::select! {
                    () = ctx.ct.cancelled() => Err(McpError::internal_error("cancelled")),
                    () = tokio::time::sleep(self.hang_cap) => done(),
                }
            }
            "block" => {
                std::thread::sleep(ms);
                done()
            }
            "progress" => {
                if let Some(token) = ctx.progress_token() {
                    for i in 1..=3 {
                        let p = ProgressNotificationParams::new(token.clone(), f64::from(i)).with_total(3.0);
                        let _ = ctx.peer.notify_progress(p).await;
                        tokio::time::sleep(ms).await;
                    }
                }
                done()
            }
            "sample" => {
                // The client's handler misbehaves by the number of tokens asked for.
                let tokens = args.get("tokens").and_then(Value::as_u64).unwrap_or(8);
                let request = CreateMessageRequestParams::new(vec![SamplingMessage::user_text("hi")], tokens);
                match ctx.peer.create_message(request).await {
                    Ok(_) => done(),
                    Err(e) => Err(McpError::internal_error(format!("sampling failed: {e}"))),
                }
            }
            // SSE polling: the answer's connection closes, the client resumes with
            // `Last-Event-ID` (from an event store that may be slow or failing) and gets the rest.
            "poll" => {
                if let Some(control) = ctx.extensions.get::<StreamControl>() {
                    control.close_connection().await;
                }
                tokio::time::sleep(ms * 10).await;
                done()
            }
            "fail" => Err(McpError::internal_error("injected tool error")),
            other => Err(McpError::invalid_params(format!("unknown tool {other}"))),
        }
    }
}

/// The client: answers sampling, slowly now and then, and panics now and then.
#[derive(Clone)]
pub struct SamplingClient {
    pub protocol: ProtocolPreference,
}

impl ClientHandler for SamplingClient {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.protocol.clone())
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, McpError> {
        match params.max_tokens % 3 {
            0 => tokio::time::sleep(Duration::from_millis(3)).await,
            1 if params.max_tokens > 100 => panic!("injected client handler panic"),
            _ => {}
        }
        Ok(CreateMessageResult::new(
            Role::Assistant,
            SamplingMessageContentBlock::Text(TextContent::new("ok")),
            "stand-in",
        ))
    }
}

/// The tools a run may call, with how often.
const TOOLS: &[(&str, u64)] = &[
    ("echo", 6),
    ("sleep", 4),
    ("panic", 1),
    ("late_panic", 1),
    ("hang", 2),
    ("block", 1),
    ("progress", 2),
    ("sample", 2),
    ("poll", 2),
    ("fail", 1),
];

/// A random tool call.
pub fn random_call(rng: &mut Rng) -> CallToolRequestParams {
    let total: u64 = TOOLS.iter().map(|(_, w)| w).sum();
    let mut pick = rng.below(total);
    let name = TOOLS
        .iter()
        .find(|(_, w)| {
            if pick < *w {
                true
            } else {
                pick -= w;
                false
            }
        })
        .map_or("echo", |(n, _)| n);
    let args: JsonObject =
        json!({"ms": rng.below(6), "tokens": rng.below(200)}).as_object().cloned().unwrap_or_default();
    CallToolRequestParams::new(name).with_arguments(args)
}
