//! The tools whose arguments a 2026-07-28 request must mirror in `Mcp-Param-*` headers, read
//! from the handler's own `tools/list`.
//!
//! The table fails closed: when it cannot be read (the handler fails, the engine is saturated,
//! the read takes too long) a `tools/call` is refused with 503 rather than let through
//! unchecked. One read runs at a time, and callers waiting for it take its outcome. A table is
//! read again after every tool list change, and at the latest [`TTL`] after it was read, so tools
//! a handler adds without announcing them are checked soon too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::StatusCode;
use serde_json::json;
use tokio::time::Instant;

use super::body::Rejection;
use super::sse;
use super::stateless_requests::StatelessRequests;
use super::sync::lock_ignoring_poison;
use crate::model::{ErrorCode, ErrorData, JsonRpcMessage, ListToolsResult, RequestId, meta_keys, methods};
use crate::transport::http::wire::{self, HeaderParam};

/// At most this many pages of `tools/list` are read.
const MAX_TOOL_PAGES: usize = 100;
/// How long a table read serves before it is read again.
pub(crate) const TTL: Duration = Duration::from_secs(1);
/// How long a read may take.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Tool name to its `x-mcp-header` parameters (tools without any are left out).
pub(crate) type ToolHeaders = HashMap<String, Vec<HeaderParam>>;

/// The `x-mcp-header` parameters of the shared engine's tools, read when needed (see the module
/// docs).
pub(crate) struct ToolTable {
    requests: Arc<StatelessRequests>,
    state: Mutex<TableState>,
    /// Held by the one read in progress.
    reading: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct TableState {
    cached: Option<Cached>,
    /// Reads done so far; a caller that waited for a read sees this change.
    reads: u64,
    /// Why the last read failed, if it did.
    failed: Option<String>,
}

struct Cached {
    /// The tool-list generation (bumped by `notifications/tools/list_changed`) it was read at.
    generation: u64,
    at: Instant,
    tools: Arc<ToolHeaders>,
}

fn unavailable(reason: &str) -> Rejection {
    let e = ErrorData::internal_error(format!(
        "the tool list could not be read to check the Mcp-Param headers ({reason}); retry later"
    ));
    Rejection::new(StatusCode::SERVICE_UNAVAILABLE, e).with_header(http::header::RETRY_AFTER, "1")
}

impl ToolTable {
    /// A table not read yet, to be read through the engine serving `requests`.
    pub(crate) fn new(requests: Arc<StatelessRequests>) -> Self {
        Self { requests, state: Mutex::new(TableState::default()), reading: tokio::sync::Mutex::new(()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TableState> {
        lock_ignoring_poison(&self.state)
    }

    fn generation(&self) -> u64 {
        self.requests.tools_generation.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The table if it is current; and the number of reads done so far.
    fn current(&self, ignore_age: bool) -> (Option<Arc<ToolHeaders>>, u64) {
        let generation = self.generation();
        let state = self.lock();
        let fresh = state
            .cached
            .as_ref()
            .filter(|c| c.generation == generation && (ignore_age || c.at.elapsed() < TTL))
            .map(|c| c.tools.clone());
        (fresh, state.reads)
    }

    /// The table, read again if it is stale; 503 when it cannot be read.
    pub(crate) async fn get(&self) -> Result<Arc<ToolHeaders>, Rejection> {
        let (fresh, reads) = self.current(false);
        if let Some(tools) = fresh {
            return Ok(tools);
        }
        let _reading = self.reading.lock().await;
        if self.lock().reads != reads {
            // A read finished while we waited: its outcome is ours.
            if let (Some(tools), _) = self.current(true) {
                return Ok(tools);
            }
            if let Some(reason) = &self.lock().failed {
                return Err(unavailable(reason));
            }
        }
        let generation = self.generation();
        let outcome = match tokio::time::timeout(READ_TIMEOUT, self.read()).await {
            Ok(outcome) => outcome,
            Err(_) => Err(format!("no answer within {READ_TIMEOUT:?}")),
        };
        let mut state = self.lock();
        state.reads += 1;
        match outcome {
            Ok(tools) => {
                let tools = Arc::new(tools);
                state.cached = Some(Cached { generation, at: Instant::now(), tools: tools.clone() });
                state.failed = None;
                Ok(tools)
            }
            Err(reason) => {
                tracing::warn!(%reason, "the tool list could not be read for the Mcp-Param header checks");
                let rejection = unavailable(&reason);
                state.failed = Some(reason);
                Err(rejection)
            }
        }
    }

    async fn read(&self) -> Result<ToolHeaders, String> {
        let mut found = ToolHeaders::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_TOOL_PAGES {
            let mut params = json!({"_meta": {
                meta_keys::PROTOCOL_VERSION: "2026-07-28",
                meta_keys::CLIENT_CAPABILITIES: {},
            }});
            if let Some(c) = &cursor {
                params["cursor"] = json!(c);
            }
            let page = match self.internal_request(methods::TOOLS_LIST, &params).await {
                Some(JsonRpcMessage::Response(r)) => serde_json::from_str::<ListToolsResult>(r.result.get())
                    .map_err(|e| format!("an invalid tools/list result: {e}"))?,
                // No tools at all: nothing to check.
                Some(JsonRpcMessage::Error(e)) if e.error.code == ErrorCode::METHOD_NOT_FOUND => return Ok(found),
                Some(JsonRpcMessage::Error(e)) => return Err(format!("tools/list failed: {}", e.error.message)),
                _ => return Err("the server is shutting down".to_owned()),
            };
            for tool in page.tools {
                match wire::header_params(&tool.input_schema) {
                    Ok(params) if !params.is_empty() => {
                        found.insert(tool.name, params);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(tool = %tool.name, error = %e, "invalid x-mcp-header annotation"),
                }
            }
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        Ok(found)
    }

    /// Ask the shared engine something on our own behalf. Tools are read without any HTTP
    /// request's extensions: a handler whose tool list depends on the caller should not annotate
    /// parameters with headers.
    async fn internal_request(&self, method: &'static str, params: &serde_json::Value) -> Option<JsonRpcMessage> {
        let (tx, mut rx) = sse::items();
        let guard = self.requests.register_internal(RequestId::Number(0), tx);
        let request = JsonRpcMessage::request(guard.internal_id(), method, params).ok()?;
        if !self.requests.send_to_engine(request, crate::transport::Extensions::new()).await {
            return None;
        }
        loop {
            let item = rx.recv().await?;
            if item.last {
                return JsonRpcMessage::from_slice(&item.data).ok();
            }
        }
    }
}
