//! The configuration of a [`StreamableHttpService`](super::StreamableHttpService).

use std::sync::Arc;
use std::time::Duration;

use super::event_store::{EventStore, InMemoryEventStore};
use super::message_bus::MessageBus;
use super::security::AllowList;
use super::session_store::SessionStore;

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
    /// At most this many messages in one JSON-RPC batch (2025-03-26 sessions only); a larger
    /// batch is refused with 413. Each message of a batch is a request the session serves at once
    /// and an answer the POST holds, so one POST slot could otherwise make thousands of each.
    /// Clients batched a few messages at most (a notification with a request or two), and
    /// batching was removed in 2025-06-18. Default: 64.
    pub max_batch_len: usize,
    /// At most this many bytes of answers gathered into the one JSON array answering a batch.
    /// Past it, the answer goes out as an SSE stream if the client accepts one; if not, each
    /// answer that does not fit is replaced by a JSON-RPC error naming the limit (every request
    /// is still answered, and the server holds at most this much per POST). A lone request's
    /// answer is not gathered, and not bounded by this. Default: 8 MiB.
    pub max_batch_response_bytes: usize,
    /// How long a graceful shutdown
    /// ([`shutdown_gracefully`](super::StreamableHttpService::shutdown_gracefully), and
    /// [`serve_listener`](super::StreamableHttpService::serve_listener) once its token is
    /// cancelled) lets the requests in flight finish. New work is refused with 503 from the start
    /// and long-lived streams close at once; the requests still running at the end are answered
    /// with a JSON-RPC error, then the handlers are cancelled. Default: 10 s (with the few seconds
    /// connections get to finish writing, within the 30 s most process managers wait).
    pub shutdown_drain: Duration,
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
    /// At most this many distinct resource URIs watched by one 2026-07-28 `subscriptions/listen`
    /// stream (`resourceSubscriptions`); a listen request asking for more is refused with 400
    /// and -32602. (2025-era `resources/subscribe` has its own limit, on the handler's
    /// [`ResourceSubscriptions`](crate::handler::ResourceSubscriptions).) Default: 1000.
    pub max_listen_uris: usize,
    /// At most this many sessions open at once for one principal: the subject of the request's
    /// [`Principal`](crate::transport::Principal) (put there by an authentication layer), else
    /// its peer's address ([`RemoteAddr`](super::RemoteAddr), put there by `serve_listener`;
    /// IPv6 by /64). `initialize` beyond is refused with 429 and `Retry-After`. A request with
    /// neither counts against no one: only the global limits apply to it.
    ///
    /// Each `*_per_principal` default is a quarter of its global default: one client cannot take
    /// a pool from everyone (it would take four), while one address may still hold thousands,
    /// as many clients behind one NAT, a test suite or a benchmark on loopback do. Lower it with
    /// the global limit. Default: 2 500.
    pub max_sessions_per_principal: usize,
    /// At most this many POSTs open at once for one principal (see
    /// [`max_sessions_per_principal`](Self::max_sessions_per_principal)); beyond, 429.
    /// Default: 2 500.
    pub max_concurrent_streams_per_principal: usize,
    /// At most this many long-lived streams (GET, `subscriptions/listen`) open at once for one
    /// principal; beyond, 429. Default: 2 500.
    pub max_long_lived_streams_per_principal: usize,
    /// At most this many stateless requests of one principal served at once by the shared
    /// 2026-07-28 engine; beyond, 429. Default: 2 048.
    pub max_stateless_in_flight_per_principal: usize,
    /// At most this many requests of one 2025-era session in flight at once: sent and not yet
    /// answered or cancelled, whether or not their POST is still open (a 2025 client that
    /// disconnects does not cancel its request). A POST beyond is refused with 429 and
    /// `Retry-After`. Clients rarely have more than a few requests in flight; the bound keeps one
    /// session from parking handlers without end. Default: 1 000.
    pub max_requests_per_session: usize,
    /// How long a request the server sends to its client (sampling, elicitation, roots, ping)
    /// waits for the answer when the handler set no timeout of its own; then it fails with
    /// [`ServiceError::Timeout`](crate::service::ServiceError) and the request is cancelled at
    /// the client. Without it, a client that never answers would hold its POST, its handler and
    /// their slots forever. Long enough for a person to answer an elicitation or approve a
    /// sampling request. See
    /// [`ServeOptions::client_request_timeout`](crate::service::ServeOptions::client_request_timeout).
    /// Default: 5 minutes; `None`: wait forever.
    pub client_request_timeout: Option<Duration>,
    /// The reconnection delay announced in the priming event of resumable streams.
    /// Default: 1 s.
    pub sse_retry: Option<Duration>,
    /// Send an SSE comment on an idle stream this often, so proxies keep it open and a client
    /// that went away is noticed. Default: 15 s; `None` or zero: never.
    pub sse_keep_alive: Option<Duration>,
    /// End an SSE stream whose client has not taken any data for this long while data waited
    /// (a client that never reads), releasing its slot. With
    /// [`serve_listener`](super::StreamableHttpService::serve_listener), also close a connection
    /// whose writes wait this long, and reset an HTTP/2 stream whose client grants it no
    /// flow-control window for this long (the socket stays writable then, so only the stream
    /// shows the stall). Default: 30 s; `None`: never.
    pub sse_write_timeout: Option<Duration>,
    /// Where events of 2025-era streams are kept so they can be resumed with `Last-Event-ID`;
    /// `None` makes streams non-resumable. Default: [`InMemoryEventStore`] (256 events and 1 MiB
    /// per session, 64 MiB in all), with
    /// [`max_event_bytes_per_principal`](Self::max_event_bytes_per_principal) for each
    /// principal's sessions together.
    ///
    /// A response is kept until it was written to a connection; notifications and requests to
    /// the client may be evicted. A resumed stream whose replay misses events (evicted, or never
    /// stored) starts with an SSE event of type `gap`, whose data is
    /// `{"lastEventId":"<the Last-Event-ID sent>"}`: the client learns that notifications or
    /// requests of the stream were lost after that id (its progress may be stale, a list may
    /// have changed unannounced). Clients that do not know the event type ignore it.
    pub event_store: Option<Arc<dyn EventStore>>,
    /// How long the event store may take to keep an event or to replay a stream. An event not
    /// kept in time is delivered live only (a resumption reports the gap), and a replay not done
    /// in time is reported as a gap. A slow store holds up only the stream whose event it
    /// stores, never the session's other streams. Default: 5 s; `None`: wait for ever.
    pub event_store_timeout: Option<Duration>,
    /// At most this many bytes of events kept in the event store for all the sessions of one
    /// principal together (the principal of
    /// [`max_sessions_per_principal`](Self::max_sessions_per_principal): the authenticated
    /// subject, else the peer's address), so that one client opening many sessions cannot take
    /// the store's whole budget. Past it, a session makes room from its own older notifications,
    /// or its new ones are kept for live delivery only (a resumption reports the gap); a response
    /// not yet delivered is kept all the same. A session with no principal counts against the
    /// store's own budgets only. The store enforces it ([`EventStore::open_session`];
    /// [`InMemoryEventStore`] does). Default: 16 MiB, a quarter of the default store's 64 MiB in
    /// all, like the other `*_per_principal` shares: lower it with the store's budget.
    pub max_event_bytes_per_principal: usize,
    /// Where 2025-era sessions are kept so that other instances of the server continue them
    /// (`rmcp-redis` has a Redis store). An instance that gets a request for a session it does
    /// not hold restores it from here: a fresh handler from the factory, already initialized
    /// with what the session negotiated. Records live for
    /// [`session_idle_timeout`](Self::session_idle_timeout) (a day without one) after their
    /// session's last use; an instance drops its own copy of a session idle that long, without
    /// ending it for the others. When the store cannot be reached, requests that need it are
    /// answered with 503. Default: `None`, sessions live in the process that opened them. Use it
    /// with [`message_bus`](Self::message_bus) and an [`event_store`](Self::event_store) that
    /// the instances share.
    pub session_store: Option<Arc<dyn SessionStore>>,
    /// How the instances sharing a [`session_store`](Self::session_store) reach each other: a
    /// client's answer to a request goes to the instance that sent the request, notifications
    /// for a session's GET stream to the instance holding it, and a deleted session is dropped
    /// everywhere. Default: `None`.
    pub message_bus: Option<Arc<dyn MessageBus>>,
    /// For [`serve_listener`](super::StreamableHttpService::serve_listener): at most this many
    /// connections at once; more wait in the listen backlog. Default: 20 000.
    pub max_connections: usize,
    /// For [`serve_listener`](super::StreamableHttpService::serve_listener): at most this many
    /// connections at once from one address (IPv6: one /64); a connection beyond is accepted and
    /// closed at once, so that one host cannot take every connection slot. A quarter of the
    /// default `max_connections`, like the `*_per_principal` shares: many clients behind one NAT
    /// still fit. Behind a reverse proxy every connection comes from the proxy: raise it to
    /// `max_connections` there (a cap at or above `max_connections` counts nothing).
    /// Default: 5 000.
    pub max_connections_per_ip: usize,
    /// For [`serve_listener`](super::StreamableHttpService::serve_listener): how long a client may
    /// take to send a request's headers, counted on a new connection from its opening (so it
    /// covers the first bytes, the HTTP/2 preface and SETTINGS, and the first request or HTTP/2
    /// stream: a peer that connects and sends nothing cannot hold a connection), and on a
    /// kept-alive HTTP/1 connection from the end of the previous request. Default: 30 s.
    pub header_read_timeout: Option<Duration>,
    /// For [`serve_listener`](super::StreamableHttpService::serve_listener): close an HTTP/2
    /// connection that has had no open stream for this long (an idle HTTP/1 connection is closed
    /// by [`header_read_timeout`](Self::header_read_timeout)). Clients open a new connection when
    /// they need one. Default: 60 s; `None` or zero: never.
    pub http2_idle_timeout: Option<Duration>,
    /// For [`serve_listener`](super::StreamableHttpService::serve_listener): send an HTTP/2 ping
    /// this often, and close the connection if it is not answered within
    /// [`http2_keep_alive_timeout`](Self::http2_keep_alive_timeout), so that a peer that went
    /// away (without closing its socket) does not hold its connection and streams.
    /// Default: 20 s; `None` or zero: no pings.
    pub http2_keep_alive_interval: Option<Duration>,
    /// How long an HTTP/2 keep-alive ping may go unanswered. Default: 20 s.
    pub http2_keep_alive_timeout: Duration,
    /// For [`serve_listener`](super::StreamableHttpService::serve_listener): at most this many
    /// streams (requests) open at once on one HTTP/2 connection, announced to the client in
    /// SETTINGS. Default: 100 (the least RFC 9113 recommends).
    pub http2_max_concurrent_streams: u32,
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
            max_batch_len: 64,
            max_batch_response_bytes: 8 * 1024 * 1024,
            shutdown_drain: Duration::from_secs(10),
            max_concurrent_streams: 10_000,
            max_long_lived_streams: 10_000,
            max_stateless_in_flight: 8192,
            max_listen_uris: 1000,
            max_sessions_per_principal: 2_500,
            max_concurrent_streams_per_principal: 2_500,
            max_long_lived_streams_per_principal: 2_500,
            max_stateless_in_flight_per_principal: 2_048,
            max_requests_per_session: 1_000,
            client_request_timeout: Some(crate::service::DEFAULT_CLIENT_REQUEST_TIMEOUT),
            sse_retry: Some(Duration::from_secs(1)),
            sse_keep_alive: Some(Duration::from_secs(15)),
            sse_write_timeout: Some(Duration::from_secs(30)),
            event_store: Some(Arc::new(InMemoryEventStore::default())),
            event_store_timeout: Some(Duration::from_secs(5)),
            max_event_bytes_per_principal: 16 * 1024 * 1024,
            session_store: None,
            message_bus: None,
            max_connections: 20_000,
            max_connections_per_ip: 5_000,
            header_read_timeout: Some(Duration::from_secs(30)),
            http2_idle_timeout: Some(Duration::from_secs(60)),
            http2_keep_alive_interval: Some(Duration::from_secs(20)),
            http2_keep_alive_timeout: Duration::from_secs(20),
            http2_max_concurrent_streams: 100,
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
    /// Set the largest number of messages in one JSON-RPC batch.
    pub fn with_max_batch_len(mut self, max: usize) -> Self {
        self.max_batch_len = max;
        self
    }
    /// Set how many bytes of answers a batch's JSON answer may gather.
    pub fn with_max_batch_response_bytes(mut self, max: usize) -> Self {
        self.max_batch_response_bytes = max;
        self
    }
    /// Set how long a graceful shutdown lets the requests in flight finish.
    pub fn with_shutdown_drain(mut self, drain: Duration) -> Self {
        self.shutdown_drain = drain;
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
    /// Set how many resource URIs one `subscriptions/listen` stream may watch.
    pub fn with_max_listen_uris(mut self, max: usize) -> Self {
        self.max_listen_uris = max;
        self
    }
    /// Set how many sessions one principal may hold at once.
    pub fn with_max_sessions_per_principal(mut self, max: usize) -> Self {
        self.max_sessions_per_principal = max;
        self
    }
    /// Set how many POSTs one principal may have open at once.
    pub fn with_max_concurrent_streams_per_principal(mut self, max: usize) -> Self {
        self.max_concurrent_streams_per_principal = max;
        self
    }
    /// Set how many long-lived streams one principal may have open at once.
    pub fn with_max_long_lived_streams_per_principal(mut self, max: usize) -> Self {
        self.max_long_lived_streams_per_principal = max;
        self
    }
    /// Set how many stateless requests of one principal are served at once.
    pub fn with_max_stateless_in_flight_per_principal(mut self, max: usize) -> Self {
        self.max_stateless_in_flight_per_principal = max;
        self
    }
    /// Set how many requests of one session may be in flight at once.
    pub fn with_max_requests_per_session(mut self, max: usize) -> Self {
        self.max_requests_per_session = max;
        self
    }
    /// Set how long a request to the client waits for its answer by default (`None`: forever).
    pub fn with_client_request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.client_request_timeout = timeout;
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
    /// Set [`session_store`](Self::session_store).
    pub fn with_session_store(mut self, store: Option<Arc<dyn SessionStore>>) -> Self {
        self.session_store = store;
        self
    }

    /// Set [`message_bus`](Self::message_bus).
    pub fn with_message_bus(mut self, bus: Option<Arc<dyn MessageBus>>) -> Self {
        self.message_bus = bus;
        self
    }
    /// Set how long the event store may take to keep an event or replay a stream (`None`:
    /// for ever).
    pub fn with_event_store_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.event_store_timeout = timeout;
        self
    }
    /// Set how many bytes of events the sessions of one principal may keep in the event store.
    pub fn with_max_event_bytes_per_principal(mut self, max: usize) -> Self {
        self.max_event_bytes_per_principal = max;
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
    /// Set how many connections `serve_listener` serves at once from one address.
    pub fn with_max_connections_per_ip(mut self, max: usize) -> Self {
        self.max_connections_per_ip = max;
        self
    }
    /// Set how long an HTTP/2 connection may have no open stream (`None`: forever).
    pub fn with_http2_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.http2_idle_timeout = timeout;
        self
    }
    /// Set the HTTP/2 keep-alive ping period (`None`: no pings) and how long a ping may go
    /// unanswered.
    pub fn with_http2_keep_alive(mut self, interval: Option<Duration>, timeout: Duration) -> Self {
        self.http2_keep_alive_interval = interval;
        self.http2_keep_alive_timeout = timeout;
        self
    }
    /// Set how many streams one HTTP/2 connection may have open at once.
    pub fn with_http2_max_concurrent_streams(mut self, max: u32) -> Self {
        self.http2_max_concurrent_streams = max;
        self
    }
}
