//! The Streamable HTTP server: one endpoint serving both protocol eras.
//!
//! Each POST is routed to its era: a request whose `_meta` holds `io.modelcontextprotocol/`
//! keys (or a session-less request naming a newer protocol in `MCP-Protocol-Version`) goes to the
//! stateless 2026-07-28 path, validated and served by one engine shared by all such requests;
//! everything else belongs to a 2025-era session (`initialize` opens one, `Mcp-Session-Id` names
//! it afterwards), each with its own engine.
//!
//! | file | job |
//! |---|---|
//! | `service` | the tower `Service`: security, body, era dispatch |
//! | `stateful` / `session` / `streams` | 2025 sessions: HTTP handling, lifecycle and expiry, SSE routing |
//! | `stateless` / `routes` / `headers` | 2026: validation, the shared engine and its id mapping, header checks |
//! | `sse` / `event_store` | SSE encoding and response streams; resumable event storage |
//! | `security` / `body` / `listener` | Host/Origin allow-lists; responses; the one-call server |

mod body;
mod event_store;
mod headers;
mod listener;
mod routes;
mod security;
mod service;
mod session;
mod sse;
mod stateful;
mod stateless;
mod streams;

use std::sync::Arc;
use std::time::Duration;

pub use body::ResponseBody;
pub use event_store::{EventStore, InMemoryEventStore};
pub use security::AllowList;
pub use service::StreamableHttpService;
pub use streams::StreamControl;

/// How a [`StreamableHttpService`] behaves. The defaults are safe for a server on the loopback
/// interface; a server reachable from elsewhere must list its public host names in
/// [`allowed_hosts`](Self::allowed_hosts).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StreamableHttpConfig {
    /// Accepted `Host` values (DNS-rebinding protection). Default: loopback names, any port.
    pub allowed_hosts: AllowList,
    /// Accepted `Origin` values, when a request has one. Default: loopback origins.
    pub allowed_origins: AllowList,
    /// Answer every request with one JSON object, never an SSE stream. Messages a handler sends
    /// while serving a request then go to the session's standalone stream (2025) or are dropped
    /// (2026).
    pub json_response: bool,
    /// Close 2025-era sessions that have had no open request or stream for this long.
    /// Default: 30 minutes; `None` keeps sessions until they are deleted.
    pub session_idle_timeout: Option<Duration>,
    /// At most this many sessions at once; `initialize` beyond is refused with 503.
    /// Default: 10 000.
    pub max_sessions: usize,
    /// The largest accepted request body, in bytes; larger ones get 413. Default: 4 MiB.
    pub max_body_bytes: usize,
    /// At most this many requests and streams open at once (all sessions and stateless
    /// requests together); beyond, 503. Default: 10 000.
    pub max_concurrent_streams: usize,
    /// The reconnection delay announced in the priming event of resumable streams.
    /// Default: 1 s.
    pub sse_retry: Option<Duration>,
    /// Send an SSE comment on an idle stream this often, so proxies keep it open and a client
    /// that went away is noticed. Default: 15 s.
    pub sse_keep_alive: Option<Duration>,
    /// Where events of 2025-era streams are kept so they can be resumed with `Last-Event-ID`;
    /// `None` makes streams non-resumable. Default: [`InMemoryEventStore`].
    pub event_store: Option<Arc<dyn EventStore>>,
}

impl Default for StreamableHttpConfig {
    fn default() -> Self {
        Self {
            allowed_hosts: AllowList::loopback(),
            allowed_origins: AllowList::loopback(),
            json_response: false,
            session_idle_timeout: Some(Duration::from_secs(30 * 60)),
            max_sessions: 10_000,
            max_body_bytes: 4 * 1024 * 1024,
            max_concurrent_streams: 10_000,
            sse_retry: Some(Duration::from_secs(1)),
            sse_keep_alive: Some(Duration::from_secs(15)),
            event_store: Some(Arc::new(InMemoryEventStore::default())),
        }
    }
}

impl StreamableHttpConfig {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Set the accepted `Host` values.
    pub fn with_allowed_hosts(mut self, hosts: AllowList) -> Self {
        self.allowed_hosts = hosts;
        self
    }
    /// Set the accepted `Origin` values.
    pub fn with_allowed_origins(mut self, origins: AllowList) -> Self {
        self.allowed_origins = origins;
        self
    }
    /// Answer with plain JSON only.
    pub fn with_json_response(mut self, json: bool) -> Self {
        self.json_response = json;
        self
    }
    /// Set the idle time after which a session closes (`None`: never).
    pub fn with_session_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.session_idle_timeout = timeout;
        self
    }
    /// Set the session limit.
    pub fn with_max_sessions(mut self, max: usize) -> Self {
        self.max_sessions = max;
        self
    }
    /// Set the body size limit in bytes.
    pub fn with_max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }
    /// Set the limit of open requests and streams.
    pub fn with_max_concurrent_streams(mut self, max: usize) -> Self {
        self.max_concurrent_streams = max;
        self
    }
    /// Set the announced SSE reconnection delay.
    pub fn with_sse_retry(mut self, retry: Option<Duration>) -> Self {
        self.sse_retry = retry;
        self
    }
    /// Set the SSE keep-alive period.
    pub fn with_sse_keep_alive(mut self, period: Option<Duration>) -> Self {
        self.sse_keep_alive = period;
        self
    }
    /// Set the event store (`None`: streams are not resumable).
    pub fn with_event_store(mut self, store: Option<Arc<dyn EventStore>>) -> Self {
        self.event_store = store;
        self
    }
}
