//! The Streamable HTTP client: a [`Transport`](crate::transport::Transport) that POSTs every
//! outgoing message and reads the answers (JSON or SSE) back into the engine.
//!
//! ```no_run
//! use rmcp_core::service::ServiceExt;
//! use rmcp_core::transport::http::StreamableHttpClientTransport;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = ().serve(StreamableHttpClientTransport::new("http://127.0.0.1:8000/mcp")).await?;
//! let tools = client.list_all_tools().await?;
//! # Ok(())
//! # }
//! ```
//!
//! It works for both eras: requests whose `_meta` names a protocol version (2026-07-28) get
//! `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*` headers and are cancelled
//! by closing their stream; on a 2025-era session the `Mcp-Session-Id` from the `initialize`
//! response and the negotiated version go on every later request, a standalone GET stream is
//! opened after initialization, interrupted SSE streams are resumed with `Last-Event-ID`, and
//! the session is deleted when the transport closes.
//!
//! # Recovering from a flaky server
//!
//! - **Reconnecting.** A stream is resumed after the server's `retry` (kept between 100 ms and
//!   [`max_retry_delay`](StreamableHttpClientConfig::max_retry_delay)); attempts in a row that
//!   bring nothing back off exponentially, with full jitter above that `retry`, at most
//!   [`max_reconnects`](StreamableHttpClientConfig::max_reconnects) times. The standalone GET
//!   stream is reopened the same way whenever it ends; once its attempts run out, the next
//!   request the server answers reopens it.
//! - **A lost session.** When the server no longer knows the session (HTTP 404, unless its body
//!   is a JSON-RPC "method not found" about the request: it restarted, or expired the session),
//!   the transport runs the handshake again with the client's own `initialize` params, sends the
//!   request that found the session gone once more in the new session, and reopens the GET
//!   stream; [`SessionRecovery`] tells when. With
//!   [`reinitialize_session`](StreamableHttpClientConfig::reinitialize_session) off (or when the
//!   new handshake fails) a lost session ends the connection.
//! - **Answers that cannot come.** A request whose connection broke after it was sent, or whose
//!   stream could not be resumed, fails with
//!   [`ServiceError::AnswerLost`](crate::service::ServiceError::AnswerLost) (it may have run, so
//!   it is never sent again); the connection goes on.
//! - **An unreachable server.** A message that could not connect (nothing was sent) is sent
//!   again after the same backoff; after `max_reconnects` attempts the connection ends (pending
//!   calls fail with `TransportClosed`). The first `initialize` is not: `serve` fails at once.
//! - **Timeouts** are the engine's: see
//!   [`ServeOptions::request_timeout`](crate::service::ServeOptions::request_timeout).
//!
//! An HTTP error answering one request fails that request only, with the server's JSON-RPC
//! error or a -32603 naming the status; so does an answer larger than
//! [`max_message_bytes`](StreamableHttpClientConfig::max_message_bytes).
//!
//! A server is not trusted with where the messages go: the default HTTP client follows
//! redirects within the endpoint's origin only (at most [`MAX_REDIRECTS`]), and a redirect to
//! another origin fails the request (a -32603 whose `data.location` names it). A JSON answer to
//! a POST that names another request's id fails that POST's request rather than leave it
//! waiting. When a resumed stream's replay starts with a `gap` event (the server lost events)
//! and ends without the answer, the request fails with
//! [`ServiceError::AnswerLost`](crate::service::ServiceError::AnswerLost) at once.

mod answer;
mod challenge;
mod headers;
mod reconnect;
mod redirect;
pub(crate) mod sse;
mod transport;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

pub use challenge::{BearerChallenge, is_insufficient_scope};
pub use transport::{HttpSink, HttpStream, SessionRecovery, StreamableHttpClientTransport};

/// The default of [`StreamableHttpClientConfig::max_message_bytes`]: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// The most redirects the transport's default HTTP client follows for one request, each within
/// the endpoint's origin; a redirect to another origin is never followed.
pub const MAX_REDIRECTS: usize = 5;

/// Supplies the credentials of each request (for example from an OAuth session that refreshes
/// them) and answers the server's authorization challenges. Any
/// `Fn() -> impl Future<Output = Option<String>>` is one that supplies a fixed bearer token.
///
/// `rmcp_core::auth::OAuthClient` (feature `auth`) is the full implementation: a 401 (or a 403 with
/// `error="insufficient_scope"`) runs the OAuth flow and the request is sent again.
pub trait AuthProvider: Send + Sync + 'static {
    /// The token to send as `Authorization: Bearer <token>`, or `None` to send none.
    fn token(&self) -> BoxFuture<'_, Option<String>>;

    /// The headers that authorize one request (`method` to `url`). By default
    /// `Authorization: Bearer <token>`; a provider whose tokens are bound to a key (DPoP) adds a
    /// fresh proof per request here.
    fn authorize<'a>(&'a self, method: &'a Method, url: &'a str) -> BoxFuture<'a, HeaderMap> {
        let _ = (method, url);
        Box::pin(async move {
            let mut headers = HeaderMap::new();
            if let Some(token) = self.token().await
                && let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {token}"))
            {
                value.set_sensitive(true);
                headers.insert(http::header::AUTHORIZATION, value);
            }
            headers
        })
    }

    /// The server refused a request with `challenge` (HTTP 401, or 403 with
    /// `error="insufficient_scope"`). Return `true` once new credentials are in place, to send the
    /// request again; the transport asks at most
    /// [`max_auth_attempts`](StreamableHttpClientConfig::max_auth_attempts) times per request.
    /// By default nothing can be done: `false`.
    fn challenge<'a>(&'a self, challenge: &'a AuthChallenge) -> BoxFuture<'a, bool> {
        let _ = challenge;
        Box::pin(async { false })
    }
}

impl<F, Fut> AuthProvider for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<String>> + Send + 'static,
{
    fn token(&self) -> BoxFuture<'_, Option<String>> {
        Box::pin(self())
    }
}

/// A refusal by the server that credentials may fix: what [`AuthProvider::challenge`] gets.
#[derive(Clone)]
#[non_exhaustive]
pub struct AuthChallenge {
    /// The MCP endpoint that refused.
    pub url: String,
    /// 401 or 403.
    pub status: StatusCode,
    /// The response headers (`WWW-Authenticate`, and `DPoP-Nonce` where a server sends one).
    pub headers: HeaderMap,
    /// The `Authorization` header the refused request carried, if any: a provider compares it
    /// with its current credentials to tell a stale token (retry at once) from a rejected one.
    pub rejected: Option<HeaderValue>,
}

impl AuthChallenge {
    /// A challenge for `url` with this status and these response headers.
    pub fn new(url: impl Into<String>, status: StatusCode, headers: HeaderMap, rejected: Option<HeaderValue>) -> Self {
        Self { url: url.into(), status, headers, rejected }
    }

    /// The `WWW-Authenticate` header values, as text.
    pub fn www_authenticate(&self) -> impl Iterator<Item = &str> {
        self.headers.get_all(http::header::WWW_AUTHENTICATE).iter().filter_map(|v| v.to_str().ok())
    }
}

impl fmt::Debug for AuthChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The rejected header holds a credential: never print it.
        f.debug_struct("AuthChallenge")
            .field("url", &self.url)
            .field("status", &self.status)
            .field("www_authenticate", &self.www_authenticate().collect::<Vec<_>>())
            .field("rejected", &self.rejected.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// How a [`StreamableHttpClientTransport`] behaves.
#[derive(Clone)]
#[non_exhaustive]
pub struct StreamableHttpClientConfig {
    /// The MCP endpoint.
    pub url: String,
    /// Headers sent with every request.
    pub headers: HeaderMap,
    /// Where bearer tokens come from.
    pub auth: Option<Arc<dyn AuthProvider>>,
    /// Open the standalone GET stream of a 2025-era session once it is initialized, to receive
    /// server messages unrelated to any request. Default: on.
    pub standalone_stream: bool,
    /// How many times in a row an interrupted SSE stream is resumed without bringing a new
    /// event before giving up; each of these attempts waits twice as long as the one before.
    /// Default: 5.
    pub max_reconnects: usize,
    /// How long to wait before resuming a stream when the server named no `retry`.
    /// Default: 1 s.
    pub default_retry: Duration,
    /// The longest wait before resuming a stream, whatever the server's `retry` asks (and
    /// however far attempts in a row backed off). The shortest is 100 ms: a `retry` of 0 must
    /// not make a busy loop. Default: 60 s.
    pub max_retry_delay: Duration,
    /// Send `DELETE` for the session when the transport closes. Default: on.
    pub delete_session_on_close: bool,
    /// Start a new 2025-era session when the server no longer knows the client's (HTTP 404:
    /// it restarted, or expired the session), and go on in it; see [`SessionRecovery`]. Off:
    /// a lost session ends the connection. Default: on.
    pub reinitialize_session: bool,
    /// The largest message accepted from the server, in bytes: a JSON answer, or one SSE event.
    /// A larger answer fails its request. Default: [`DEFAULT_MAX_MESSAGE_BYTES`].
    pub max_message_bytes: usize,
    /// How many times one request may be refused with an authorization challenge and sent again
    /// after [`AuthProvider::challenge`] returned `true` (a bound on step-up loops). Default: 3.
    pub max_auth_attempts: usize,
}

impl fmt::Debug for StreamableHttpClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamableHttpClientConfig")
            .field("url", &self.url)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("auth", &self.auth.is_some())
            .field("standalone_stream", &self.standalone_stream)
            .field("max_reconnects", &self.max_reconnects)
            .field("default_retry", &self.default_retry)
            .field("max_retry_delay", &self.max_retry_delay)
            .field("delete_session_on_close", &self.delete_session_on_close)
            .field("reinitialize_session", &self.reinitialize_session)
            .field("max_message_bytes", &self.max_message_bytes)
            .field("max_auth_attempts", &self.max_auth_attempts)
            .finish()
    }
}

impl StreamableHttpClientConfig {
    /// The defaults for the endpoint `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            headers: HeaderMap::new(),
            auth: None,
            standalone_stream: true,
            max_reconnects: 5,
            default_retry: Duration::from_secs(1),
            max_retry_delay: Duration::from_secs(60),
            delete_session_on_close: true,
            reinitialize_session: true,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_auth_attempts: 3,
        }
    }
    /// Send `name: value` with every request.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }
    /// Take bearer tokens from `auth`.
    pub fn with_auth(mut self, auth: impl AuthProvider) -> Self {
        self.auth = Some(Arc::new(auth));
        self
    }
    /// Take bearer tokens from a shared provider (to keep a handle on it, e.g. an
    /// `rmcp_core::auth::OAuthClient`, feature `auth`, whose state the application inspects).
    pub fn with_shared_auth(mut self, auth: Arc<dyn AuthProvider>) -> Self {
        self.auth = Some(auth);
        self
    }
    /// Open (or not) the standalone GET stream of 2025-era sessions.
    pub fn with_standalone_stream(mut self, open: bool) -> Self {
        self.standalone_stream = open;
        self
    }
    /// Resume interrupted streams at most this many times in a row.
    pub fn with_max_reconnects(mut self, max: usize) -> Self {
        self.max_reconnects = max;
        self
    }
    /// Wait this long before resuming a stream when the server named no `retry` (see
    /// [`default_retry`](Self::default_retry)).
    pub fn with_default_retry(mut self, delay: Duration) -> Self {
        self.default_retry = delay;
        self
    }
    /// Wait at most `max` before resuming a stream, whatever the server's `retry` says.
    pub fn with_max_retry_delay(mut self, max: Duration) -> Self {
        self.max_retry_delay = max;
        self
    }
    /// Start a new session (or not) when the server no longer knows the client's (see
    /// [`reinitialize_session`](Self::reinitialize_session)).
    pub fn with_reinitialize_session(mut self, reinitialize: bool) -> Self {
        self.reinitialize_session = reinitialize;
        self
    }
    /// Delete (or not) the session when the transport closes.
    pub fn with_delete_session_on_close(mut self, delete: bool) -> Self {
        self.delete_session_on_close = delete;
        self
    }
    /// Answer at most `max` authorization challenges per request.
    pub fn with_max_auth_attempts(mut self, max: usize) -> Self {
        self.max_auth_attempts = max;
        self
    }
    /// Accept messages of at most `max` bytes.
    pub fn with_max_message_bytes(mut self, max: usize) -> Self {
        self.max_message_bytes = max;
        self
    }
}
