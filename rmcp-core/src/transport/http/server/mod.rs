//! The Streamable HTTP server: one endpoint serving both protocol eras.
//!
//! Each POST goes to its era, by the engine's rule
//! ([`is_stateless_request`](crate::service::lifecycle::is_stateless_request)): a message whose
//! `_meta` holds 2026-07-28 request metadata (or a session-less one naming a newer protocol in
//! `MCP-Protocol-Version`) goes to the stateless 2026-07-28 path, validated and served by one
//! engine shared by all such requests; everything else belongs to a 2025-era session
//! (`initialize` opens one, `Mcp-Session-Id` names it afterwards), each with its own engine.
//!
//! Each module imports only modules of the rows below its own:
//!
//! | module | job |
//! |---|---|
//! | `listener` | the one-call server |
//! | `stalled_streams` | its HTTP/2 streams whose client opens no window: found, and reset |
//! | `peer_limit` / `connection_deadlines` | its per-address cap; its first-request and HTTP/2 idle deadlines |
//! | `service` | the tower `Service`: security, body, era dispatch |
//! | `stateful` | 2025 sessions over HTTP: POST (single or batch), GET, DELETE |
//! | `post_response` | the response to a 2025 POST: JSON or SSE |
//! | `stateless` | 2026: a POST, checked and served by the shared engine |
//! | `state` | what every request of a service shares |
//! | `shutdown` | draining, then stopping: every request answered or refused with 503 |
//! | `quota` | each principal's share of the pools (sessions, POSTs, streams) |
//! | `session` | 2025 sessions: lifecycle, expiry, lone requests served directly |
//! | `session_sink` | the engine's sink for a session: its messages into the session's streams |
//! | `session_streams` | the SSE streams of one session, and which message goes to which |
//! | `stream_delivery` | one stream of a session: its events in order, and its replay (gaps) |
//! | `stateless_engine` | 2026: the shared engine, the checks of a request, listen streams |
//! | `tool_table` | 2026: the tools whose arguments the `Mcp-Param-*` headers mirror |
//! | `stateless_requests` | 2026: the requests in flight (the id mapping) and where messages go |
//! | `listen_streams` | 2026: the open listen streams, indexed by the resource URIs they watch |
//! | `stats` | the sizes of the service's tables, read from the state it keeps |
//! | `sse` | SSE encoding, the queue of each response, SSE bodies |
//! | `config` | the configuration |
//! | `event_store` | resumable event storage |
//! | `security` / `headers` | Host/Origin allow-lists; reading and checking headers |
//! | `body` / `sync` | responses; locks and queues |

mod body;
mod cluster;
mod config;
mod connection_deadlines;
mod event_store;
pub(crate) mod headers;
mod listen_streams;
mod listener;
mod message_bus;
mod peer_limit;
mod post_response;
mod quota;
pub(crate) mod security;
pub(crate) mod service;
mod session;
mod session_sink;
mod session_store;
mod session_streams;
mod shutdown;
mod sse;
mod stalled_streams;
mod state;
mod stateful;
mod stateless;
mod stateless_engine;
mod stateless_requests;
mod stats;
mod stream_delivery;
mod sync;
mod tool_table;

pub use body::ResponseBody;
pub use config::StreamableHttpConfig;
pub use event_store::{EventKind, EventStore, EventStoreError, InMemoryEventStore, SessionPrincipal, StoredEvent};
pub use message_bus::{BusError, BusMessage, BusMessageKind, BusTarget, InstanceId, MessageBus};
pub use quota::RemoteAddr;
pub use security::AllowList;
pub use service::StreamableHttpService;
pub use session_store::{SessionRecord, SessionStore, SessionStoreError};
pub use session_streams::StreamControl;
pub use stateless_requests::ClientRequestId;
pub use stats::StreamableHttpStats;

#[cfg(feature = "auth-server")]
pub(crate) use listener::serve_service;
