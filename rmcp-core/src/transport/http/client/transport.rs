//! The client transport: a worker task POSTs outgoing messages (one task per request, so a long
//! call never blocks another) and feeds what the server answers back to the engine.

use std::io;
use std::pin::Pin;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use foldhash::{HashMap, HashSet};
use futures_util::{Sink, Stream};
use http::{HeaderValue, Method, StatusCode, header};
use reqwest::Response;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::{CancellationToken, PollSendError, PollSender};

use super::answer::{
    answered_another, http_error, is_session_gone, is_sse, may_retry_version, read_capped, session_gone,
};
use super::headers::{self, Outgoing, ToolHeaders};
use super::reconnect;
use super::redirect::same_origin_client;
use super::{AuthChallenge, StreamableHttpClientConfig};
use crate::model::{CancelledNotificationParams, ErrorData, JsonRpcError, JsonRpcMessage, RequestId, methods};
use crate::transport::http::wire;
use crate::transport::{Extensions, Frame, Outbound, Transport};
pub use session::SessionRecovery;

mod session;
mod streams;

/// How long closing may wait for the session's DELETE.
const DELETE_TIMEOUT: Duration = Duration::from_secs(5);

/// A Streamable HTTP client transport; see the [module docs](super).
///
/// [`new`](Self::new) is enough for most servers; a [`StreamableHttpClientConfig`] adds headers,
/// authorization and limits, and [`with_client`](Self::with_client) brings a `reqwest::Client`
/// of your own (TLS roots, proxy, timeouts).
///
/// ```no_run
/// use std::time::Duration;
///
/// use http::{HeaderName, HeaderValue};
/// use rmcp_core::service::ServiceExt;
/// use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = StreamableHttpClientConfig::new("https://mcp.example.com/mcp")
///     .with_header(HeaderName::from_static("x-api-key"), HeaderValue::from_static("secret"));
/// let http = reqwest::Client::builder().connect_timeout(Duration::from_secs(5)).build()?;
/// let client = ().serve(StreamableHttpClientTransport::with_client(http, config)).await?;
/// let tools = client.list_all_tools().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct StreamableHttpClientTransport {
    config: StreamableHttpClientConfig,
    client: reqwest::Client,
    /// Counts the sessions started again (`session_recovery`).
    recovery: watch::Sender<u64>,
}

impl StreamableHttpClientTransport {
    /// A transport to the MCP endpoint `url` with the default configuration.
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_config(StreamableHttpClientConfig::new(url))
    }
    /// A transport with this configuration, on an HTTP client that follows redirects within
    /// the endpoint's origin only (at most [`MAX_REDIRECTS`](super::MAX_REDIRECTS) of them).
    ///
    /// # Panics
    /// If the TLS backend cannot be initialized, as `reqwest::Client::new` does. There is no
    /// fallback: reqwest's default client would follow redirects anywhere.
    pub fn with_config(config: StreamableHttpClientConfig) -> Self {
        Self::with_client(same_origin_client(), config)
    }
    /// A transport using this HTTP client (for its TLS, proxy or timeout settings).
    ///
    /// Give it a redirect policy that stays on the endpoint's origin (or
    /// `reqwest::redirect::Policy::none()`): a message that a redirect took to another origin
    /// has been sent there already. Its answer is refused all the same, as the default
    /// client's would be.
    pub fn with_client(client: reqwest::Client, config: StreamableHttpClientConfig) -> Self {
        Self { config, client, recovery: watch::Sender::new(0) }
    }

    /// A handle that tells when the transport started a new session because the server no
    /// longer knew its own (see [`SessionRecovery`]); take it before the transport goes to
    /// `serve`.
    pub fn session_recovery(&self) -> SessionRecovery {
        SessionRecovery::new(self.recovery.subscribe())
    }
}

/// The sending half of a [`StreamableHttpClientTransport`].
#[derive(Debug)]
pub struct HttpSink(PollSender<Outbound>);

/// The receiving half of a [`StreamableHttpClientTransport`].
#[derive(Debug)]
pub struct HttpStream(mpsc::Receiver<io::Result<Frame>>);

fn closed(_: PollSendError<Outbound>) -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the HTTP transport has stopped")
}

impl Sink<Outbound> for HttpSink {
    type Error = io::Error;
    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_ready(cx).map_err(closed)
    }
    fn start_send(mut self: Pin<&mut Self>, item: Outbound) -> io::Result<()> {
        Pin::new(&mut self.0).start_send(item).map_err(closed)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx).map_err(closed)
    }
    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_close(cx).map_err(closed)
    }
}

impl Stream for HttpStream {
    type Item = io::Result<Frame>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

impl Transport for StreamableHttpClientTransport {
    type Sink = HttpSink;
    type Stream = HttpStream;

    fn split(self) -> (HttpSink, HttpStream) {
        let (out_tx, out_rx) = mpsc::channel(64);
        let (frames, frames_rx) = mpsc::channel(256);
        let worker = Arc::new(Worker::new(self.client, self.config, frames, self.recovery));
        tokio::spawn(worker.run(out_rx));
        (HttpSink(PollSender::new(out_tx)), HttpStream(frames_rx))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A request being answered: its cancellation, and whether it is stateless.
struct InFlight {
    ct: CancellationToken,
    stateless: bool,
}

struct Worker {
    client: reqwest::Client,
    config: StreamableHttpClientConfig,
    frames: mpsc::Sender<io::Result<Frame>>,
    /// The 2025-era session id, once `initialize` answered with one.
    session: Mutex<Option<HeaderValue>>,
    /// The negotiated 2025-era protocol version.
    version: Mutex<Option<HeaderValue>>,
    /// The id of the `initialize` request, to read the negotiated version from its answer.
    initialize: Mutex<Option<RequestId>>,
    /// The params of the client's `initialize`: a lost session is started again with them.
    handshake: Mutex<Option<Box<RawValue>>>,
    /// Held while a new session is started, so that requests that find the session gone at
    /// the same time start one, not one each.
    reinitializing: tokio::sync::Mutex<()>,
    /// The sessions started again so far, for [`SessionRecovery`].
    recovery: watch::Sender<u64>,
    /// `tools/list` requests in flight: their answers carry the tool schemas.
    tool_lists: Mutex<HashSet<RequestId>>,
    tools: ToolHeaders,
    in_flight: Mutex<HashMap<RequestId, InFlight>>,
    /// The endpoint's origin, read once: every response is checked against it.
    origin: OnceLock<Option<url::Origin>>,
    standalone_open: AtomicBool,
    /// Cancelled when the transport stops (closed, or failed for good).
    ct: CancellationToken,
}

impl Worker {
    fn new(
        client: reqwest::Client,
        config: StreamableHttpClientConfig,
        frames: mpsc::Sender<io::Result<Frame>>,
        recovery: watch::Sender<u64>,
    ) -> Self {
        Self {
            client,
            config,
            frames,
            session: Mutex::new(None),
            version: Mutex::new(None),
            initialize: Mutex::new(None),
            handshake: Mutex::new(None),
            reinitializing: tokio::sync::Mutex::new(()),
            recovery,
            tool_lists: Mutex::new(HashSet::default()),
            tools: ToolHeaders::default(),
            in_flight: Mutex::new(HashMap::default()),
            origin: OnceLock::new(),
            standalone_open: AtomicBool::new(false),
            ct: CancellationToken::new(),
        }
    }

    async fn run(self: Arc<Self>, mut outbound: mpsc::Receiver<Outbound>) {
        loop {
            let out = tokio::select! {
                () = self.ct.cancelled() => break,
                out = outbound.recv() => out,
            };
            let Some(out) = out else { break };
            self.dispatch(out.message);
        }
        self.ct.cancel();
        let session = lock(&self.session).clone();
        if self.config.delete_session_on_close
            && let Some(session) = session
        {
            let (request, _) = self.with_common(self.client.delete(&self.config.url), &Method::DELETE, true).await;
            let _ = tokio::time::timeout(DELETE_TIMEOUT, request.header(wire::SESSION_ID, session).send()).await;
        }
    }

    fn dispatch(self: &Arc<Self>, message: JsonRpcMessage) {
        if let JsonRpcMessage::Notification(n) = &message
            && n.method == methods::NOTIFICATION_CANCELLED
            && let Some(Ok(p)) =
                n.params.as_deref().map(|p| serde_json::from_str::<CancelledNotificationParams>(p.get()))
            && let Some(id) = p.request_id
            && let Some(flight) = lock(&self.in_flight).remove(&id)
        {
            // Nobody waits for the answer any more: stop reading it. On 2026-07-28 closing the
            // stream is the cancellation itself; on a session the server is also told.
            flight.ct.cancel();
            if flight.stateless {
                return;
            }
        }
        if let JsonRpcMessage::Request(r) = &message
            && r.method == methods::INITIALIZE
        {
            *lock(&self.handshake) = r.params.clone();
        }
        let out = headers::prepare(&message, &self.tools);
        let this = self.clone();
        match out.request_id.clone() {
            Some(id) => {
                match out.method.as_deref() {
                    Some(methods::INITIALIZE) => *lock(&self.initialize) = Some(id.clone()),
                    Some(methods::TOOLS_LIST) => {
                        lock(&self.tool_lists).insert(id.clone());
                    }
                    _ => {}
                }
                let ct = self.ct.child_token();
                let stateless = out.stateless_version.is_some();
                lock(&self.in_flight).insert(id.clone(), InFlight { ct: ct.clone(), stateless });
                tokio::spawn(async move {
                    tokio::select! {
                        () = ct.cancelled() => {}
                        () = this.clone().request(out, id.clone()) => {}
                    }
                    lock(&this.in_flight).remove(&id);
                    // A `tools/list` that failed, was cancelled or got an error has no answer
                    // to read the schemas from: forget it here, not only when an answer comes.
                    lock(&this.tool_lists).remove(&id);
                });
            }
            None => {
                let ct = self.ct.clone();
                tokio::spawn(async move {
                    tokio::select! {
                        () = ct.cancelled() => {}
                        () = this.notify(out) => {}
                    }
                });
            }
        }
    }

    /// Headers every request carries: the configured ones, the session's and the credentials
    /// (also returned: the `Authorization` sent, which a challenge names as rejected).
    async fn with_common(
        &self,
        builder: reqwest::RequestBuilder,
        method: &Method,
        session_bound: bool,
    ) -> (reqwest::RequestBuilder, Option<HeaderValue>) {
        let mut builder = builder.headers(self.config.headers.clone());
        if session_bound {
            if let Some(s) = lock(&self.session).clone() {
                builder = builder.header(wire::SESSION_ID, s);
            }
            if let Some(v) = lock(&self.version).clone() {
                builder = builder.header(wire::PROTOCOL_VERSION, v);
            }
        }
        let mut sent = None;
        if let Some(auth) = &self.config.auth {
            let headers = auth.authorize(method, &self.config.url).await;
            sent = headers.get(header::AUTHORIZATION).cloned();
            builder = builder.headers(headers);
        }
        (builder, sent)
    }

    /// POST one message; also returns the session it named, and the `Authorization` sent.
    async fn post(&self, out: &Outgoing) -> Posted {
        let session_bound = out.stateless_version.is_none();
        let session = if session_bound { lock(&self.session).clone() } else { None };
        let (builder, authorization) =
            self.with_common(self.client.post(&self.config.url), &Method::POST, session_bound).await;
        let result = builder.headers(out.headers.clone()).body(out.body.clone()).send().await;
        // The server assigns the session in its answer to `initialize`; a session id on any
        // other answer (a proxy's, a confused server's) must not move the client elsewhere.
        if let Ok(response) = &result
            && let Some(id) = response.headers().get(&wire::SESSION_ID)
            && session_bound
            && out.method.as_deref() == Some(methods::INITIALIZE)
        {
            *lock(&self.session) = Some(id.clone());
        }
        Posted { result, session, authorization }
    }

    /// Whether `response` is an authorization challenge the provider answered with new
    /// credentials, so the request should go again (at most `max_auth_attempts` times).
    async fn renewed_credentials(&self, response: &Response, sent: Option<HeaderValue>, attempts: &mut usize) -> bool {
        let Some(auth) = &self.config.auth else { return false };
        let status = response.status();
        let challenged = status == StatusCode::UNAUTHORIZED
            || (status == StatusCode::FORBIDDEN
                && response
                    .headers()
                    .get_all(header::WWW_AUTHENTICATE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .any(super::is_insufficient_scope));
        if !challenged || *attempts >= self.config.max_auth_attempts {
            return false;
        }
        *attempts += 1;
        let challenge = AuthChallenge::new(self.config.url.clone(), status, response.headers().clone(), sent);
        tracing::debug!(%status, attempt = *attempts, "the server asks for authorization");
        auth.challenge(&challenge).await
    }

    async fn get(&self, last_event_id: Option<&str>) -> Result<Response, reqwest::Error> {
        let (builder, _) = self.with_common(self.client.get(&self.config.url), &Method::GET, true).await;
        let mut builder = builder.header(header::ACCEPT, "text/event-stream");
        if let Some(id) = last_event_id {
            builder = builder.header(wire::LAST_EVENT_ID, id);
        }
        builder.send().await
    }

    /// Whether `response` comes from another origin than the endpoint's: a redirect followed
    /// by a client given to [`with_client`](StreamableHttpClientTransport::with_client).
    fn answered_elsewhere(&self, response: &Response) -> bool {
        let endpoint = self.origin.get_or_init(|| reqwest::Url::parse(&self.config.url).ok().map(|u| u.origin()));
        endpoint.as_ref().is_some_and(|origin| response.url().origin() != *origin)
    }

    /// Whether a message that could not be sent because of `error` should be sent again, after
    /// the wait this returns after: when the connection could not even be made (the server is
    /// down, or restarting), nothing was sent, so sending again is safe. For a while
    /// (`max_reconnects` attempts, backing off); then the server is gone.
    async fn wait_to_reconnect(&self, error: &reqwest::Error, attempts: &mut usize) -> bool {
        if !error.is_connect() || *attempts >= self.config.max_reconnects {
            return false;
        }
        *attempts += 1;
        tracing::debug!(%error, attempt = *attempts, "the server is unreachable; trying again");
        let config = &self.config;
        tokio::time::sleep(reconnect::delay(None, config.default_retry, config.max_retry_delay, *attempts)).await;
        true
    }

    /// The transport cannot go on: tell the engine (which fails every pending call) and stop.
    async fn fail(&self, error: io::Error) {
        if !self.ct.is_cancelled() {
            let _ = self.frames.try_send(Err(error));
        }
        self.ct.cancel();
    }

    async fn notify(self: Arc<Self>, out: Outgoing) {
        let mut auth_attempts = 0;
        let mut unreachable = 0;
        let (result, session) = loop {
            let posted = self.post(&out).await;
            if let Err(e) = &posted.result
                && self.wait_to_reconnect(e, &mut unreachable).await
            {
                continue;
            }
            if let Ok(r) = &posted.result
                && self.answered_elsewhere(r)
            {
                let origin = r.url().origin().ascii_serialization();
                return tracing::warn!(%origin, "a notification was redirected to another origin; its answer is ignored");
            }
            if let Ok(r) = &posted.result
                && self.renewed_credentials(r, posted.authorization, &mut auth_attempts).await
            {
                continue;
            }
            break (posted.result, posted.session);
        };
        match result {
            Err(e) if e.is_connect() => self.fail(io::Error::other(e)).await,
            // Sent, perhaps received: a notification has no answer to fail, and the session
            // may live on (if not, the next message finds out).
            Err(e) => tracing::warn!(method = ?out.method, error = %chain(&e), "a notification may not have arrived"),
            Ok(r) if !r.status().is_success() => {
                let status = r.status();
                let body = read_capped(r, self.config.max_message_bytes).await.unwrap_or_default();
                if let Some(lost) = session
                    && is_session_gone(status, &body)
                {
                    // A notification is not sent again: what it said (progress, a cancellation,
                    // an answer to the server's request) was about the lost session.
                    tracing::debug!(method = ?out.method, "a notification found the session gone");
                    if !self.reinitialize(&lost).await {
                        self.fail(session_gone()).await;
                    }
                    return;
                }
                tracing::warn!(%status, method = ?out.method, "the server refused a notification or response");
            }
            Ok(_) => {
                if out.method.as_deref() == Some(methods::NOTIFICATION_INITIALIZED) {
                    self.open_standalone();
                }
            }
        }
    }

    async fn request(self: Arc<Self>, out: Outgoing, id: RequestId) {
        let mut version_retried = false;
        let mut reinitialized = false;
        let mut auth_attempts = 0;
        let mut unreachable = 0;
        loop {
            let Posted { result, session, authorization } = self.post(&out).await;
            let response = match result {
                Ok(r) => r,
                // Not the first `initialize`: a wrong address should fail `serve` at once.
                Err(e)
                    if out.method.as_deref() != Some(methods::INITIALIZE)
                        && self.wait_to_reconnect(&e, &mut unreachable).await =>
                {
                    continue;
                }
                Err(e) if e.is_connect() => return self.fail(io::Error::other(e)).await,
                // The request went out and the connection broke: it may have run, so it is not
                // sent again, and the session (if any) may well live on.
                Err(e) => {
                    let reason =
                        format!("the connection broke before the answer came; the request may have run: {}", chain(&e));
                    return self.answer_lost(id, reason).await;
                }
            };
            // Before anything in the answer is acted on: another origin's 401 must not start a
            // challenge, nor its 404 end the session.
            if self.answered_elsewhere(&response) {
                let e = ErrorData::internal_error(format!(
                    "the answer came from {} after a redirect to another origin; refused",
                    response.url().origin().ascii_serialization()
                ));
                return self.incoming(JsonRpcMessage::error(Some(id), e)).await;
            }
            if self.renewed_credentials(&response, authorization, &mut auth_attempts).await {
                continue;
            }
            let status = response.status();
            if status.is_success() && session.is_some() && out.method.as_deref() != Some(methods::INITIALIZE) {
                // The server is back (if the standalone stream gave up while it was away).
                self.open_standalone();
            }
            if status.is_success() && is_sse(response.headers()) {
                return self.read_answer_stream(response, &out, id, session).await;
            }
            let location = status.is_redirection().then(|| response.headers().get(header::LOCATION).cloned()).flatten();
            let www_authenticate = response.headers().get(header::WWW_AUTHENTICATE).cloned();
            let body = match read_capped(response, self.config.max_message_bytes).await {
                Ok(body) => body,
                Err(e) => return self.incoming(JsonRpcMessage::error(Some(id), ErrorData::internal_error(e))).await,
            };
            if let Some(lost) = &session
                && is_session_gone(status, &body)
            {
                // Unless the request was given up meanwhile (its answer no longer matters).
                if !lock(&self.in_flight).contains_key(&id) {
                    return;
                }
                // Sent again in a new session, once: a 404 for the session means the server
                // did not know the session when the request came, so it refused the request
                // before running any of it. (A request whose answer was lost after it was
                // accepted, on a broken or unresumable stream, is never sent again.)
                if !reinitialized && out.method.as_deref() != Some(methods::INITIALIZE) && self.reinitialize(lost).await
                {
                    reinitialized = true;
                    continue;
                }
                return self.fail(session_gone()).await;
            }
            let message = match JsonRpcMessage::from_slice(&body) {
                // The body of a POST answers that POST's request: one naming another id would
                // reach no one (or the wrong caller), and this request would wait for ever.
                Ok(JsonRpcMessage::Response(r)) if r.id != id => answered_another(id, &r.id),
                Ok(JsonRpcMessage::Error(JsonRpcError { id: Some(other), .. })) if other != id => {
                    answered_another(id, &other)
                }
                Ok(JsonRpcMessage::Error(mut e)) => {
                    e.id.get_or_insert_with(|| id.clone());
                    if !version_retried && may_retry_version(&e.error, out.stateless_version.as_deref()) {
                        // The server speaks the version we sent after all (the 2026 negotiation:
                        // pick one from `supported` and retry the same request).
                        version_retried = true;
                        continue;
                    }
                    JsonRpcMessage::Error(e)
                }
                Ok(m @ JsonRpcMessage::Response(_)) if status.is_success() => m,
                _ => http_error(id, status, www_authenticate, location),
            };
            return self.incoming(message).await;
        }
    }

    /// A message from the server, on its way to the engine. Answers to `initialize` and
    /// `tools/list` are read on the way: the negotiated version and the tool schemas.
    async fn incoming(&self, mut message: JsonRpcMessage) {
        if let JsonRpcMessage::Response(r) = &mut message {
            if lock(&self.initialize).as_ref() == Some(&r.id)
                && let Ok(Value::Object(result)) = serde_json::from_str::<Value>(r.result.get())
                && let Some(Ok(v)) = result.get("protocolVersion").and_then(Value::as_str).map(HeaderValue::from_str)
            {
                *lock(&self.version) = Some(v);
            }
            if lock(&self.tool_lists).remove(&r.id)
                && let Some(filtered) = self.tools.read_list(&r.result)
            {
                r.result = filtered;
            }
        }
        let _ = self.frames.send(Ok(Frame::Message(message, Extensions::new()))).await;
    }
}

/// What POSTing one message gave.
struct Posted {
    result: Result<Response, reqwest::Error>,
    /// The session the message named.
    session: Option<HeaderValue>,
    /// The `Authorization` header the request carried.
    authorization: Option<HeaderValue>,
}

/// An error and its causes, `: `-separated: reqwest's own message names no cause.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_tools_list_answered_with_an_error_is_forgotten() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        // A server that answers every POST with 500 and an empty body.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = vec![0; 64 * 1024];
                    while let Ok(n) = socket.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        let answer = b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n";
                        if socket.write_all(answer).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        let (frames, mut frames_rx) = mpsc::channel(16);
        let worker = Arc::new(Worker::new(
            reqwest::Client::new(),
            StreamableHttpClientConfig::new(url),
            frames,
            watch::Sender::new(0),
        ));
        for id in 1..=3 {
            let list = JsonRpcMessage::request(RequestId::Number(id), methods::TOOLS_LIST, &serde_json::json!({}));
            worker.dispatch(list.unwrap());
        }
        for _ in 1..=3 {
            let frame = tokio::time::timeout(Duration::from_secs(10), frames_rx.recv()).await.expect("an answer");
            assert!(matches!(frame, Some(Ok(Frame::Message(JsonRpcMessage::Error(_), _)))), "{frame:?}");
        }
        for _ in 0..200 {
            if lock(&worker.in_flight).is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(lock(&worker.in_flight).is_empty());
        assert!(lock(&worker.tool_lists).is_empty(), "{:?}", lock(&worker.tool_lists));
    }
}
