//! The engine: one role-generic service layer for servers and clients.
//!
//! [`ServiceExt::serve`] starts a [`Service`] on a transport and returns a [`RunningService`];
//! the [`Peer`] handle sends requests and notifications from any task; incoming requests reach the
//! service with a [`RequestContext`].

// Each role is a feature (`server`, `client`); with neither, nothing instantiates the engine.
#![cfg_attr(not(any(feature = "server", feature = "client")), allow(dead_code))]

#[cfg(feature = "client")]
mod client_peer;
#[cfg(feature = "client")]
pub(crate) mod client_state;
mod context;
pub(crate) mod dispatch;
mod engine;
mod error;
#[cfg(feature = "client")]
mod handshake;
mod ids;
mod info;
#[cfg(feature = "server")]
pub(crate) mod input;
#[cfg(feature = "client")]
mod input_retry;
pub mod lifecycle;
#[cfg(feature = "client")]
pub(crate) mod list_cache;
#[cfg(feature = "server")]
mod log;
mod options;
mod peer;
#[cfg(feature = "server")]
pub(crate) mod request_state;
mod role;
mod running;
#[cfg(feature = "server")]
mod server_peer;
mod stats;
#[cfg(feature = "client")]
mod tasks_client;
#[cfg(feature = "otel")]
pub mod telemetry;

pub use context::{NotificationContext, RequestContext};
pub use engine::QuitReason;
pub use error::{McpError, ServeError, ServiceError};
pub use ids::{AtomicCounter, ProgressTokenProvider, RequestIdProvider};
pub use info::{ClientInfo, DEFAULT_MAX_INPUT_ROUNDS, ProtocolPreference, ServerInfo};
#[cfg(feature = "server")]
pub use input::Elicitation;
#[cfg(feature = "client")]
pub use list_cache::{ListCacheStats, ListCaching, SharedListCache};
pub use options::{ProgressCallback, RequestOptions};
pub use peer::Peer;
#[cfg(feature = "server")]
pub use request_state::RequestStateKey;
#[cfg(feature = "client")]
pub use role::RoleClient;
#[cfg(feature = "server")]
pub use role::RoleServer;
pub use role::ServiceRole;
pub use running::{DEFAULT_CLIENT_REQUEST_TIMEOUT, DynService, RunningService, ServeOptions, Service, ServiceExt};
pub use stats::EngineStats;
