//! Streamable HTTP, the MCP transport over HTTP, for both protocol eras.
//!
//! - [`StreamableHttpService`] is the server: a tower `Service` answering one endpoint, with
//!   2025-era sessions (resumable SSE streams, a standalone GET stream, DELETE) and stateless
//!   2026-07-28 requests (validated headers, per-request streams, `subscriptions/listen`).
//! - [`StreamableHttpClientTransport`] is the client: a [`Transport`](super::Transport) that POSTs
//!   each message and reads JSON or SSE answers, so `().serve(transport)` works for either era.
//!
//! Both follow the 2025-11-25 and 2026-07-28 revisions of the transport (`basic/transports`).

#[cfg(feature = "http-client")]
pub mod client;
#[cfg(feature = "http-server")]
pub mod server;
pub(crate) mod wire;

#[cfg(feature = "http-client")]
pub use client::{
    AuthChallenge, AuthProvider, BearerChallenge, SessionRecovery, StreamableHttpClientConfig,
    StreamableHttpClientTransport, is_insufficient_scope,
};
#[cfg(feature = "http-server")]
pub use server::{
    AllowList, BusError, BusMessage, BusMessageKind, BusTarget, ClientRequestId, EventKind, EventStore,
    EventStoreError, InMemoryEventStore, InstanceId, MessageBus, RemoteAddr, ResponseBody, SessionPrincipal,
    SessionRecord, SessionStore, SessionStoreError, StoredEvent, StreamControl, StreamableHttpConfig,
    StreamableHttpService, StreamableHttpStats,
};
pub use wire::{
    LAST_EVENT_ID, MCP_METHOD, MCP_NAME, PARAM_PREFIX, PROTOCOL_VERSION, SESSION_ID, decode_header_value,
    encode_header_value,
};
