//! Starting a 2025-era session again when the server no longer knows it (HTTP 404 to a message
//! naming it: the server restarted, or expired the session). The transport runs the handshake
//! itself, with the client's own `initialize` params, and takes the new session id; the engine
//! and the user's `Peer` above never notice, except through [`SessionRecovery`].

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use http::{HeaderValue, Method};
use reqwest::Response;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::sync::watch;

use super::super::answer::{answers, is_sse, read_capped};
use super::super::headers;
use super::super::sse::SseParser;
use super::{Worker, lock};
use crate::model::{JsonRpcMessage, RequestId, methods};
use crate::transport::http::wire;

/// The longest a new session's handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Tells when a [`StreamableHttpClientTransport`](super::StreamableHttpClientTransport) started
/// a new session because the server no longer knew its own (it answered HTTP 404, after a
/// restart or an expiry). From
/// [`session_recovery`](super::StreamableHttpClientTransport::session_recovery).
///
/// The client goes on in the new session by itself: the request that found the session gone
/// is sent again once there (a 404 means the server refused it before running it); a request
/// whose answer was lost with the old session fails with
/// [`ServiceError::AnswerLost`](crate::service::ServiceError::AnswerLost). What the old session
/// held on the server (`logging/setLevel`, resource subscriptions) is not restored: set it
/// again when [`changed`](Self::changed) returns.
///
/// ```no_run
/// use rmcp_core::service::ServiceExt;
/// use rmcp_core::transport::http::StreamableHttpClientTransport;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let transport = StreamableHttpClientTransport::new("http://127.0.0.1:8000/mcp");
/// let mut recovery = transport.session_recovery();
/// let client = ().serve(transport).await?;
/// tokio::spawn(async move {
///     while let Some(count) = recovery.changed().await {
///         tracing::info!(count, "the server lost our session; a new one was started");
///     }
/// });
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SessionRecovery(watch::Receiver<u64>);

impl SessionRecovery {
    pub(super) fn new(count: watch::Receiver<u64>) -> Self {
        Self(count)
    }

    /// How many new sessions the transport has started so far.
    pub fn count(&self) -> u64 {
        *self.0.borrow()
    }

    /// Wait for the next new session; its [`count`](Self::count). `None` once the transport
    /// has stopped.
    pub async fn changed(&mut self) -> Option<u64> {
        self.0.changed().await.ok()?;
        Some(*self.0.borrow_and_update())
    }
}

impl Worker {
    /// The session `lost` is gone: start a new one (unless another task already did, or
    /// recovery is off). Whether the transport now has a session to go on in.
    pub(super) async fn reinitialize(self: &Arc<Self>, lost: &HeaderValue) -> bool {
        if !self.config.reinitialize_session {
            return false;
        }
        let _turn = self.reinitializing.lock().await;
        match lock(&self.session).as_ref() {
            Some(current) if current == lost => {}
            // Started again while this task waited its turn.
            Some(_) => return true,
            None => return false,
        }
        let Some(params) = lock(&self.handshake).clone() else { return false };
        if self.ct.is_cancelled() {
            return false;
        }
        // Bounded: the requests that wait for the new session must not wait for ever on a
        // server that takes the handshake and never answers it.
        let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, self.handshake(&params));
        match handshake.await.unwrap_or_else(|_| Err(format!("no answer within {HANDSHAKE_TIMEOUT:?}"))) {
            Ok(()) => {
                self.recovery.send_modify(|n| *n += 1);
                tracing::info!("the server no longer knew the session; a new one was started");
                self.open_standalone();
                true
            }
            Err(reason) => {
                tracing::warn!(%reason, "the session is gone and a new one could not be started");
                false
            }
        }
    }

    /// [`reinitialize`](Self::reinitialize) for a message that named `session` (read before it
    /// was sent): none, when the session had not started yet.
    pub(super) async fn reinitialize_if_current(self: &Arc<Self>, session: Option<&HeaderValue>) -> bool {
        match session {
            Some(lost) => self.reinitialize(lost).await,
            None => false,
        }
    }

    /// `initialize` with the client's params, then `notifications/initialized`, outside the
    /// engine: their ids and answers are the transport's own.
    async fn handshake(&self, params: &RawValue) -> Result<(), String> {
        let id = RequestId::String(format!("rmcp-reinitialize-{}", *self.recovery.borrow() + 1).into());
        let message = JsonRpcMessage::request(id.clone(), methods::INITIALIZE, &params).map_err(|e| e.to_string())?;
        let out = headers::prepare(&message, &self.tools);
        // Without the lost session's id and version: this starts a session.
        let (builder, _) = self.with_common(self.client.post(&self.config.url), &Method::POST, false).await;
        let response = builder.headers(out.headers).body(out.body).send().await.map_err(|e| e.to_string())?;
        if self.answered_elsewhere(&response) {
            return Err("the answer came from another origin after a redirect".to_owned());
        }
        let status = response.status();
        if !status.is_success() {
            return Err(format!("`initialize` was answered with HTTP {status}"));
        }
        let session = response.headers().get(&wire::SESSION_ID).cloned();
        let result = match self.handshake_answer(response, &id).await? {
            JsonRpcMessage::Response(r) => serde_json::from_str::<Value>(r.result.get()).map_err(|e| e.to_string())?,
            JsonRpcMessage::Error(e) => return Err(format!("`initialize` failed: {}", e.error.message)),
            _ => return Err("`initialize` got no answer".to_owned()),
        };
        // The engine negotiated a version with the first server; one that now speaks another
        // would be misread, so that is no recovery.
        let version = result.get("protocolVersion").and_then(Value::as_str).unwrap_or_default();
        let before = lock(&self.version).clone();
        if before.as_ref().is_some_and(|v| v.as_bytes() != version.as_bytes()) {
            return Err(format!("the server now speaks protocol version {version}"));
        }
        let Some(session) = session else { return Err("the server gave no session id".to_owned()) };
        *lock(&self.session) = Some(session);
        let initialized = JsonRpcMessage::notification(methods::NOTIFICATION_INITIALIZED, &serde_json::Map::new())
            .map_err(|e| e.to_string())?;
        let out = headers::prepare(&initialized, &self.tools);
        let (builder, _) = self.with_common(self.client.post(&self.config.url), &Method::POST, true).await;
        let response = builder.headers(out.headers).body(out.body).send().await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("`notifications/initialized` was answered with HTTP {}", response.status()));
        }
        Ok(())
    }

    /// The answer to the handshake's `initialize` `id`, from a JSON body or an SSE stream.
    /// Anything else on that stream is dropped: the engine has no request of that id.
    async fn handshake_answer(&self, response: Response, id: &RequestId) -> Result<JsonRpcMessage, String> {
        if !is_sse(response.headers()) {
            let body = read_capped(response, self.config.max_message_bytes).await?;
            return JsonRpcMessage::from_slice(&body).map_err(|e| e.error.message.to_string());
        }
        let mut parser = SseParser::new(self.config.max_message_bytes);
        let mut chunks = response.bytes_stream();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|e| e.to_string())?;
            for event in parser.push(&chunk).map_err(|e| e.to_string())? {
                if let Ok(message) = JsonRpcMessage::from_json(&event.data)
                    && answers(&message, id)
                {
                    return Ok(message);
                }
            }
        }
        Err("the stream ended before the answer to `initialize`".to_owned())
    }
}
