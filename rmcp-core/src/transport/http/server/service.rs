//! The tower `Service`: security checks first, then each request to its era.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;

use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use http::request::Parts;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tokio_util::sync::CancellationToken;

use super::body::{HttpResponse, Rejection, ResponseBody};
use super::config::StreamableHttpConfig;
use super::headers::header_str;
use super::security;
use super::session::SESSION_VERSIONS;
use super::state::ServiceState;
use super::stateful::{self, PostBody};
use super::stateless;
use super::stats::StreamableHttpStats;
use crate::handler::ServerHandler;
use crate::model::{ErrorData, JsonRpcMessage};
use crate::service::EngineStats;
use crate::service::dispatch::out_of_line;
use crate::service::lifecycle;
use crate::transport::http::wire;

/// A Streamable HTTP endpoint serving both protocol eras, as a tower `Service`.
///
/// Each 2025-era session gets its own handler from the factory; all 2026-07-28 (stateless)
/// requests share one handler made on first use. Mount it on an HTTP router (axum's, for one), or run it with
/// [`serve_on`](Self::serve_on) / [`serve_listener`](Self::serve_listener).
///
/// ```no_run
/// use rmcp_core::handler::ServerHandler;
/// use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
///
/// #[derive(Clone)]
/// struct Hello;
/// impl ServerHandler for Hello {}
///
/// # async fn run() -> std::io::Result<()> {
/// let service = StreamableHttpService::new(|| Hello, StreamableHttpConfig::default());
/// service.serve_on("127.0.0.1:8000").await // serves http://127.0.0.1:8000/ (any path)
/// # }
/// ```
pub struct StreamableHttpService<S> {
    state: Arc<ServiceState<S>>,
}

impl<S> Clone for StreamableHttpService<S> {
    fn clone(&self) -> Self {
        Self { state: self.state.clone() }
    }
}

impl<S> fmt::Debug for StreamableHttpService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamableHttpService")
            .field("config", &self.state.config)
            .field("sessions", &self.state.sessions)
            .finish()
    }
}

impl<S: ServerHandler> StreamableHttpService<S> {
    /// A service making a handler with `factory` for each session (and one for all stateless
    /// requests).
    pub fn new(factory: impl Fn() -> S + Send + Sync + 'static, config: StreamableHttpConfig) -> Self {
        Self { state: Arc::new(ServiceState::new(factory, config)) }
    }

    /// The configuration.
    pub fn config(&self) -> &StreamableHttpConfig {
        &self.state.config
    }

    /// How many 2025-era sessions are open.
    pub fn session_count(&self) -> usize {
        self.state.sessions.len()
    }

    /// The sizes of the service's tables now: sessions, requests in flight, streams, quota
    /// entries (see [`StreamableHttpStats`]). Read from the state the service keeps anyway, so it
    /// costs the requests nothing; each count takes its table's lock for a moment.
    ///
    /// ```
    /// use rmcp_core::handler::ServerHandler;
    /// use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
    ///
    /// #[derive(Clone)]
    /// struct Hello;
    /// impl ServerHandler for Hello {}
    ///
    /// let service = StreamableHttpService::new(|| Hello, StreamableHttpConfig::default());
    /// let stats = service.stats();
    /// assert_eq!(stats.sessions, 0);
    /// assert_eq!(stats.session_requests_in_flight + stats.stateless_requests_in_flight, 0);
    /// ```
    pub fn stats(&self) -> StreamableHttpStats {
        self.state.stats()
    }

    /// The [`EngineStats`] of every session's engine and of the engine of the stateless
    /// requests, added up: asked of each engine on its own task, so this waits for them.
    pub async fn engine_stats(&self) -> EngineStats {
        self.state.engine_stats().await
    }

    /// Tell the clients subscribed to the resource at `uri` that it changed: 2025 sessions that
    /// asked with `resources/subscribe` (each told once, by the instance holding its GET
    /// stream) and 2026 `subscriptions/listen` streams watching it. With a
    /// [`message_bus`](StreamableHttpConfig::message_bus) every instance does so for its own
    /// clients, so call it on any one instance. Without one it is what the handler's
    /// [`ResourceSubscriptions::notify_updated`](crate::handler::ResourceSubscriptions::notify_updated)
    /// does for the sessions of this process; use one or the other.
    pub async fn notify_resource_updated(&self, uri: &str) {
        self.state.sessions.resource_updated(uri, true).await;
    }

    /// Stop at once: refuse new work with 503, answer every request still waiting for its
    /// handler with a 503 JSON-RPC error, cancel every handler and end every session, the
    /// stateless engine and every open stream. See
    /// [`shutdown_gracefully`](Self::shutdown_gracefully) to let the requests in flight finish.
    pub fn shutdown(&self) {
        self.state.shutdown();
    }

    /// Shut down gracefully, then [stop](Self::shutdown): from the start, new work (a POST
    /// carrying a request, of either era; `initialize`; a GET opening a stream) is refused with
    /// 503 and `Retry-After`, and long-lived streams (GET, `subscriptions/listen`) are closed;
    /// the requests in flight get
    /// [`shutdown_drain`](StreamableHttpConfig::shutdown_drain) to finish (what they need from
    /// their clients, such as answers to sampling requests, still goes through); the ones still
    /// running then are answered with a JSON-RPC error. Returns once every request is answered
    /// and the handlers are cancelled: at once when none was in flight.
    ///
    /// [`serve_listener`](Self::serve_listener) does this when its token is cancelled.
    ///
    /// ```no_run
    /// # use rmcp_core::handler::ServerHandler;
    /// # use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
    /// # #[derive(Clone)] struct Hello;
    /// # impl ServerHandler for Hello {}
    /// # async fn run(service: StreamableHttpService<Hello>) {
    /// // Mounted on a router of its own: stop taking work, finish what runs, then stop.
    /// service.shutdown_gracefully().await;
    /// # }
    /// ```
    pub async fn shutdown_gracefully(&self) {
        self.state.shutdown_gracefully().await;
    }

    /// A token cancelled when the service shuts down.
    pub fn cancellation_token(&self) -> CancellationToken {
        self.state.cancellation_token().clone()
    }

    /// Answer one HTTP request.
    ///
    /// The future owns what it needs (it may outlive `self`). The host and origin checks, and
    /// answers that need no waiting (rejections), happen in this call.
    pub fn handle<B>(&self, request: Request<B>) -> BoxFuture<'static, Response<ResponseBody>>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        self.respond(request, std::convert::identity)
    }

    /// [`handle`](Self::handle), its response passed through `wrap` (for tower's `Result`) in
    /// the same box. Each kind of request gets a future of its own size: a POST does not pay
    /// for the largest of them, nor a rejection for any.
    fn respond<B, T>(&self, request: Request<B>, wrap: fn(HttpResponse) -> T) -> BoxFuture<'static, T>
    where
        B: http_body::Body + Send + 'static,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        T: Send + 'static,
    {
        let (parts, body) = request.into_parts();
        let config = &self.state.config;
        let ready = |response: HttpResponse| std::future::ready(wrap(response)).boxed();
        if let Err(r) = security::check_request(&parts, &config.allowed_hosts, &config.allowed_origins) {
            return ready(r.into_response());
        }
        match parts.method {
            Method::POST => post(self.state.clone(), parts, body).map(wrap).boxed(),
            Method::GET | Method::DELETE => {
                let Some(session) = header_str(&parts, &wire::SESSION_ID).map(str::to_owned) else {
                    return ready(session_less(&parts));
                };
                if parts.method == Method::DELETE {
                    let state = self.state.clone();
                    return Box::pin(async move { wrap(stateful::delete(&state, &parts, &session).await) });
                }
                if !Accept::from_request(&parts).sse {
                    return ready(not_acceptable("a GET must accept text/event-stream"));
                }
                let state = self.state.clone();
                Box::pin(async move { wrap(stateful::get(&state, parts, &session).await) })
            }
            _ => ready(
                Rejection::new(StatusCode::METHOD_NOT_ALLOWED, ErrorData::invalid_request("method not allowed"))
                    .with_header(header::ALLOW, "GET, POST, DELETE")
                    .into_response(),
            ),
        }
    }
}

/// A POST: either era, told apart by its message.
#[allow(clippy::manual_async_fn)] // see "Future sizes" in `service::dispatch`
fn post<S, B>(state: Arc<ServiceState<S>>, parts: Parts, body: B) -> impl Future<Output = HttpResponse> + Send
where
    S: ServerHandler,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    async move {
        let json_type = header_str(&parts, &header::CONTENT_TYPE)
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
        if !json_type {
            let e = ErrorData::invalid_request("the body must be `Content-Type: application/json`");
            return Rejection::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, e).into_response();
        }
        let accept = Accept::from_request(&parts);
        if !accept.json {
            return not_acceptable("a POST must accept application/json and text/event-stream");
        }
        let accepts_sse = accept.sse;
        let limit = state.config.max_body_bytes;
        let declared = header_str(&parts, &header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return too_large(limit);
        }
        // The slot is taken before the body is read: bodies in memory are bounded by the limit.
        let permit = match state.post_slot(&parts) {
            Ok(p) => p,
            Err(r) => return r.into_response(),
        };
        let bytes = match read_body(body, limit, state.config.body_read_timeout).await {
            Ok(bytes) => bytes,
            Err(response) => return response,
        };
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return match parse_batch(&parts, &bytes, state.config.max_batch_len) {
                // Out of line: rare (2025-03-26 only).
                Ok(messages) => {
                    if let Err(r) = refuse_new_work(&state, &messages) {
                        return r.into_response();
                    }
                    let batch = PostBody::Batch(messages);
                    out_of_line(stateful::post(&state, parts, batch, accepts_sse, permit)).await
                }
                Err(r) => r.into_response(),
            };
        }
        let message = match JsonRpcMessage::from_slice(&bytes) {
            Ok(m) => m,
            Err(e) => return Rejection::new(StatusCode::BAD_REQUEST, e.error).with_id(e.id).into_response(),
        };
        // The message owns its data: the body's buffer goes back now, not after the answer.
        drop(bytes);
        if let Err(r) = refuse_new_work(&state, std::slice::from_ref(&message)) {
            return r.into_response();
        }
        if !is_stateless(&parts, &message) {
            return stateful::post(&state, parts, PostBody::One(message), accepts_sse, permit).await;
        }
        // Out of line: larger than the session path's.
        out_of_line(stateless::post(&state, parts, message, accepts_sse, permit)).await
    }
}

/// Read a request body of at most `limit` bytes within `timeout`.
async fn read_body<B>(body: B, limit: usize, timeout: Option<Duration>) -> Result<Bytes, HttpResponse>
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut read = std::pin::pin!(Limited::new(body, limit).collect());
    // A body that came with its headers (nearly every one) is read at once, without arming a timer.
    let collected = match std::future::poll_fn(|cx| Poll::Ready(read.as_mut().poll(cx))).await {
        Poll::Ready(collected) => collected,
        Poll::Pending => match timeout {
            Some(t) => tokio::time::timeout(t, read).await.map_err(|_| {
                let e = ErrorData::invalid_request(format!("the request body did not arrive within {t:?}"));
                Rejection::new(StatusCode::REQUEST_TIMEOUT, e).with_header(header::CONNECTION, "close").into_response()
            })?,
            None => read.await,
        },
    };
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large(limit)),
        Err(e) => {
            let e = ErrorData::parse_error(format!("could not read the body: {e}"));
            Err(Rejection::new(StatusCode::BAD_REQUEST, e).into_response())
        }
    }
}

/// While the service shuts down, a POST carrying a request is new work: refused with 503 and
/// `Retry-After` (never with a 404 for a session that is still there). Responses and
/// notifications go through: they finish the work in flight (an answer to a sampling request,
/// a cancellation).
#[inline]
fn refuse_new_work<S>(state: &ServiceState<S>, messages: &[JsonRpcMessage]) -> Result<(), Rejection> {
    if !state.is_draining() {
        return Ok(());
    }
    let mut requests = messages.iter().filter_map(|m| match m {
        JsonRpcMessage::Request(r) => Some(&r.id),
        _ => None,
    });
    match requests.next() {
        None => Ok(()),
        // A lone request's refusal names it.
        Some(id) => Err(Rejection::shutting_down().with_id((messages.len() == 1).then(|| id.clone()))),
    }
}

/// A JSON-RPC batch (an array) of at most `max_len` messages (413 beyond). Batches exist on
/// 2025-03-26 sessions only; everything else refuses them with 400 (-32600).
pub(crate) fn parse_batch(parts: &Parts, bytes: &[u8], max_len: usize) -> Result<Vec<JsonRpcMessage>, Rejection> {
    let bad = |e: ErrorData| Rejection::new(StatusCode::BAD_REQUEST, e);
    let over = std::cell::Cell::new(false);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let batch = BoundedBatch { max_len, over: &over };
    let items = serde::de::DeserializeSeed::deserialize(batch, &mut deserializer).and_then(|items| {
        deserializer.end()?;
        Ok(items)
    });
    let items = match items {
        Ok(items) => items,
        Err(_) if over.get() => {
            let e = ErrorData::invalid_request(format!("a JSON-RPC batch may hold at most {max_len} messages"));
            return Err(Rejection::new(StatusCode::PAYLOAD_TOO_LARGE, e));
        }
        Err(e) => return Err(bad(ErrorData::parse_error(format!("Parse error: {e}")))),
    };
    if items.is_empty() {
        return Err(bad(ErrorData::invalid_request("an empty JSON-RPC batch")));
    }
    let messages = items
        .iter()
        .map(|raw| JsonRpcMessage::from_slice(raw.get().as_bytes()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(e.error).with_id(e.id))?;
    if !parts.headers.contains_key(&wire::SESSION_ID) || messages.iter().any(|m| is_stateless(parts, m)) {
        return Err(bad(ErrorData::invalid_request(
            "JSON-RPC batches are only accepted on 2025-03-26 sessions; send one message per request",
        )));
    }
    Ok(messages)
}

/// Reads a batch's messages as raw JSON, failing (and setting `over`) at the first one beyond
/// `max_len`: a body of many thousand tiny messages is refused without reading them all.
struct BoundedBatch<'a> {
    max_len: usize,
    over: &'a std::cell::Cell<bool>,
}

impl<'de> serde::de::DeserializeSeed<'de> for BoundedBatch<'_> {
    type Value = Vec<&'de serde_json::value::RawValue>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for BoundedBatch<'_> {
    type Value = Vec<&'de serde_json::value::RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-RPC batch")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            if items.len() == self.max_len {
                self.over.set(true);
                return Err(serde::de::Error::custom("too many messages"));
            }
            items.push(item);
        }
        Ok(items)
    }
}

/// The era rule of the dual-era endpoint, per POST: the engine's
/// ([`lifecycle::is_stateless_raw_request`]: 2026-07-28 request metadata in `_meta`, or
/// `server/discover`; a session header is then ignored), and, for a message without a session,
/// an `MCP-Protocol-Version` header naming no session version. Everything else belongs to a
/// session.
fn is_stateless(parts: &Parts, message: &JsonRpcMessage) -> bool {
    let (method, params) = match message {
        JsonRpcMessage::Request(r) => (r.method.as_ref(), r.params.as_deref()),
        JsonRpcMessage::Notification(n) => (n.method.as_ref(), n.params.as_deref()),
        _ => ("", None),
    };
    if lifecycle::is_stateless_raw_request(method, params) {
        return true;
    }
    !parts.headers.contains_key(&wire::SESSION_ID)
        && header_str(parts, &wire::PROTOCOL_VERSION).is_some_and(|v| !SESSION_VERSIONS.contains(&v))
}

/// GET or DELETE without a session: a stateless (or unknown-era) client gets 405, as the
/// 2026-07-28 rules ask; a session-era client forgot its session id (400).
fn session_less(parts: &Parts) -> HttpResponse {
    let session_era = header_str(parts, &wire::PROTOCOL_VERSION).is_some_and(|v| SESSION_VERSIONS.contains(&v));
    if session_era {
        let e = ErrorData::invalid_request("missing Mcp-Session-Id header");
        return Rejection::new(StatusCode::BAD_REQUEST, e).into_response();
    }
    let e = ErrorData::invalid_request("this endpoint takes POST only without a session");
    Rejection::new(StatusCode::METHOD_NOT_ALLOWED, e).with_header(header::ALLOW, "POST").into_response()
}

/// What the `Accept` header admits of the two media types the endpoint speaks; both without an
/// `Accept` header. Read in one pass, as every POST needs both answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Accept {
    pub(crate) json: bool,
    pub(crate) sse: bool,
}

impl Accept {
    pub(crate) fn from_request(parts: &Parts) -> Self {
        const BOTH: Accept = Accept { json: true, sse: true };
        let values = parts.headers.get_all(header::ACCEPT);
        let mut iter = values.iter();
        match (iter.next(), iter.next()) {
            (None, _) => return BOTH,
            // What the specification has clients send, so nearly every request: no parsing.
            (Some(v), None) if v.as_bytes() == b"application/json, text/event-stream" => return BOTH,
            _ => {}
        }
        let mut accept = Self { json: false, sse: false };
        let ranges = values.iter().flat_map(|v| v.as_bytes().split(|&b| b == b','));
        for range in ranges {
            let range = range.split(|&b| b == b';').next().unwrap_or_default().trim_ascii();
            let Some(slash) = range.iter().position(|&b| b == b'/') else { continue };
            let (kind, sub) = (&range[..slash], &range[slash + 1..]);
            let any = sub == b"*";
            if kind == b"*" && any {
                return BOTH;
            } else if kind.eq_ignore_ascii_case(b"application") {
                accept.json |= any || sub.eq_ignore_ascii_case(b"json");
            } else if kind.eq_ignore_ascii_case(b"text") {
                accept.sse |= any || sub.eq_ignore_ascii_case(b"event-stream");
            }
        }
        accept
    }
}

fn not_acceptable(message: &'static str) -> HttpResponse {
    Rejection::new(StatusCode::NOT_ACCEPTABLE, ErrorData::invalid_request(message)).into_response()
}

fn too_large(limit: usize) -> HttpResponse {
    let e = ErrorData::invalid_request(format!("the body exceeds the limit of {limit} bytes"));
    Rejection::new(StatusCode::PAYLOAD_TOO_LARGE, e).into_response()
}

impl<S, B> tower_service::Service<Request<B>> for StreamableHttpService<S>
where
    S: ServerHandler,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        self.respond(request, Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::Accept;

    fn accept(values: &[&str]) -> (bool, bool) {
        let mut request = http::Request::builder();
        for v in values {
            request = request.header(http::header::ACCEPT, *v);
        }
        let (parts, ()) = request.body(()).unwrap().into_parts();
        let a = Accept::from_request(&parts);
        (a.json, a.sse)
    }

    #[test]
    fn accept_reads_both_media_types_in_one_pass() {
        assert_eq!(accept(&[]), (true, true), "no Accept admits everything");
        assert_eq!(accept(&["application/json, text/event-stream"]), (true, true));
        assert_eq!(accept(&["Application/JSON;q=0.9"]), (true, false));
        assert_eq!(accept(&["text/html", "TEXT/Event-Stream"]), (false, true), "over several headers");
        assert_eq!(accept(&["*/*"]), (true, true));
        assert_eq!(accept(&["application/*, text/*"]), (true, true));
        assert_eq!(accept(&["text/html, image/png, bogus"]), (false, false));
        assert_eq!(accept(&["application/jsonx , text/event"]), (false, false), "no prefix matches");
    }
}
