//! The configuration of a [`StreamableHttpService`](super::StreamableHttpService).

use std::sync::Arc;
use std::time::Duration;

use super::event_store::{EventStore, InMemoryEventStore};
use super::security::AllowList;

/// How a [`StreamableHttpService`](super::StreamableHttpService) behaves. The defaults are safe
/// for a server on the loopback interface; a server reachable from elsewhere must list its public
/// host names in [`allowed_hosts`](Self::allowed_hosts).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StreamableHttpConfig {
    /// Accepted `Host` values (DNS-rebinding protection). Default: loopback names, any port.
    pub allowed_hosts: AllowList,
    /// Accepted `Origin` values, when a request has one. Default: loopback origins.
    pub allowed_origins: AllowList,
    /// Answer requests with one JSON object rather than an SSE stream. Notifications a handler
    /// sends while serving a request then go to the session's standalone stream (2025) or are
    /// dropped (2026). A request the handler sends to the client (sampling, elicitation, ping)
    /// still turns the answer into an SSE stream when the client accepts one; when it can be
    /// delivered nowhere, the handler's request fails at once.
    pub json_response: bool,
    /// Close 2025-era sessions that have had no open request or stream for this long.
    /// Default: 30 minutes; `None` keeps sessions until they are deleted.
    pub session_idle_timeout: Option<Duration>,
    /// Close 2025-era sessions whose client sent nothing after `initialize` (neither
    /// `notifications/initialized` nor any other message) for this long, so a flood of
    /// `initialize` requests cannot hold every session slot. Default: 60 s; `None`: never.
    pub session_init_timeout: Option<Duration>,
    /// At most this many sessions at once; `initialize` beyond is refused with 503.
    /// Default: 10 000.
    pub max_sessions: usize,
    /// The largest accepted request body, in bytes; larger ones get 413. Default: 4 MiB.
    pub max_body_bytes: usize,
    /// How long a request body may take to arrive; slower ones get 408. Default: 30 s.
    pub body_read_timeout: Option<Duration>,
    /// At most this many POSTs (with their answers, JSON or SSE) open at once, all sessions and
    /// stateless requests together; beyond, 503. Default: 10 000.
    pub max_concurrent_streams: usize,
    /// At most this many long-lived streams open at once: 2025-era GET streams (standalone or
    /// resumed) and 2026-07-28 `subscriptions/listen` streams; beyond, 503. They have their own
    /// budget so that they can never starve short requests. Default: 10 000.
    pub max_long_lived_streams: usize,
    /// At most this many stateless requests served at once by the shared 2026-07-28 engine;
    /// beyond, 503 with `Retry-After`. Default: 8192.
    pub max_stateless_in_flight: usize,
    /// The reconnection delay announced in the priming event of resumable streams.
    /// Default: 1 s.
    pub sse_retry: Option<Duration>,
    /// Send an SSE comment on an idle stream this often, so proxies keep it open and a client
    /// that went away is noticed. Default: 15 s; `None` or zero: never.
    pub sse_keep_alive: Option<Duration>,
    /// End an SSE stream whose client has not taken any data for this long while data waited
    /// (a client that never reads), releasing its slot. Default: 30 s; `None`: never.
    pub sse_write_timeout: Option<Duration>,
    /// Where events of 2025-era streams are kept so they can be resumed with `Last-Event-ID`;
    /// `None` makes streams non-resumable. Default: [`InMemoryEventStore`].
    pub event_store: Option<Arc<dyn EventStore>>,
    /// For [`serve_listener`](super::StreamableHttpService::serve_listener): at most this many
    /// connections at once; more wait in the listen backlog. Default: 20 000.
    pub max_connections: usize,
    /// For [`serve_listener`](super::StreamableHttpService::serve_listener): how long a client may
    /// take to send a request's headers. Default: 30 s.
    pub header_read_timeout: Option<Duration>,
    /// Serve requests on the task that received them before giving them a task of their own
    /// (default `true`): a lone request on a session is run by its POST's task, and the engines
    /// poll each request once. See [`ServeOptions::inline_requests`](crate::service::ServeOptions)
    /// for the one rule this asks of handlers.
    pub inline_requests: bool,
}

impl Default for StreamableHttpConfig {
    fn default() -> Self {
        Self {
            allowed_hosts: AllowList::loopback(),
            allowed_origins: AllowList::loopback(),
            json_response: false,
            session_idle_timeout: Some(Duration::from_secs(30 * 60)),
            session_init_timeout: Some(Duration::from_secs(60)),
            max_sessions: 10_000,
            max_body_bytes: 4 * 1024 * 1024,
            body_read_timeout: Some(Duration::from_secs(30)),
            max_concurrent_streams: 10_000,
            max_long_lived_streams: 10_000,
            max_stateless_in_flight: 8192,
            sse_retry: Some(Duration::from_secs(1)),
            sse_keep_alive: Some(Duration::from_secs(15)),
            sse_write_timeout: Some(Duration::from_secs(30)),
            event_store: Some(Arc::new(InMemoryEventStore::default())),
            max_connections: 20_000,
            header_read_timeout: Some(Duration::from_secs(30)),
            inline_requests: true,
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
    /// Answer with plain JSON where possible.
    pub fn with_json_response(mut self, json: bool) -> Self {
        self.json_response = json;
        self
    }
    /// Set the idle time after which a session closes (`None`: never).
    pub fn with_session_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.session_idle_timeout = timeout;
        self
    }
    /// Set how long a session may wait for its client's first message after `initialize`
    /// (`None`: forever).
    pub fn with_session_init_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.session_init_timeout = timeout;
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
    /// Set how long a request body may take to arrive (`None`: forever).
    pub fn with_body_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.body_read_timeout = timeout;
        self
    }
    /// Set the limit of open POSTs.
    pub fn with_max_concurrent_streams(mut self, max: usize) -> Self {
        self.max_concurrent_streams = max;
        self
    }
    /// Set the limit of open long-lived streams (GET and `subscriptions/listen`).
    pub fn with_max_long_lived_streams(mut self, max: usize) -> Self {
        self.max_long_lived_streams = max;
        self
    }
    /// Set the limit of stateless requests served at once.
    pub fn with_max_stateless_in_flight(mut self, max: usize) -> Self {
        self.max_stateless_in_flight = max;
        self
    }
    /// Set the announced SSE reconnection delay.
    pub fn with_sse_retry(mut self, retry: Option<Duration>) -> Self {
        self.sse_retry = retry;
        self
    }
    /// Set the SSE keep-alive period (`None` or zero: no keep-alives).
    pub fn with_sse_keep_alive(mut self, period: Option<Duration>) -> Self {
        self.sse_keep_alive = period;
        self
    }
    /// Set how long an SSE stream may wait for its client to read (`None`: forever).
    pub fn with_sse_write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.sse_write_timeout = timeout;
        self
    }
    /// Set the event store (`None`: streams are not resumable).
    pub fn with_event_store(mut self, store: Option<Arc<dyn EventStore>>) -> Self {
        self.event_store = store;
        self
    }
    /// Set the connection limit of `serve_listener`.
    pub fn with_max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }
    /// Whether requests are served on the task that received them first (see
    /// [`inline_requests`](Self::inline_requests)).
    pub fn with_inline_requests(mut self, inline: bool) -> Self {
        self.inline_requests = inline;
        self
    }
    /// Set how long `serve_listener` waits for a request's headers (`None`: forever).
    pub fn with_header_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.header_read_timeout = timeout;
        self
    }
}
