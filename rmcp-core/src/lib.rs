//! # rmcp-core
//!
//! A Rust SDK for the [Model Context Protocol](https://modelcontextprotocol.io): one engine for
//! servers and clients, speaking both protocol eras — the stateful 2025-11-25 protocol
//! (initialize handshake, sessions) and the stateless 2026-07-28 protocol (per-request `_meta`,
//! `server/discover`, `input_required` results).
//!
//! The crate reads like the architecture, from the wire inwards:
//!
//! - [`model`]: wire types only, every message of both revisions.
//! - [`service`]: the role-generic engine: [`Peer`](service::Peer), [`serve`](service::ServiceExt::serve),
//!   [`RunningService`](service::RunningService), request ids, cancellation, timeouts, progress.
//! - [`handler`]: what users implement: [`ServerHandler`](handler::ServerHandler) and
//!   [`ClientHandler`](handler::ClientHandler).
//! - [`router`]: what the macros generate into: tool, prompt and resource dispatch tables.
//! - [`client`]: helpers for applications driving tools: pipelined calls and client groups.
//! - [`transport`]: stdio, any `AsyncRead`/`AsyncWrite`, child processes, in-process pairs, and
//!   Streamable HTTP (server and client, both eras: [`transport::http`]).
//! - [`auth`]: OAuth 2.1 for HTTP: the client flow (an `AuthProvider` for the HTTP client) and a
//!   tower layer that protects an HTTP server.
//!
//! ```no_run
//! use rmcp_core::handler::{ServerHandler, ServerInfo};
//! use rmcp_core::model::{Implementation, ServerCapabilities};
//! use rmcp_core::service::ServiceExt;
//!
//! struct Hello;
//! impl ServerHandler for Hello {
//!     fn get_info(&self) -> ServerInfo {
//!         ServerInfo::new(Implementation::new("hello", "1.0.0"), ServerCapabilities::default())
//!     }
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let server = Hello.serve(rmcp_core::transport::stdio()).await?;
//! server.waiting().await;
//! # Ok(())
//! # }
//! ```

pub mod auth;
pub mod client;
pub mod handler;
pub mod model;
pub mod router;
pub mod service;
pub mod transport;

/// Crates the macros' generated code names, so users need not depend on them directly.
#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde;
    pub use serde_json;
}

pub use handler::{ClientHandler, ServerHandler};
pub use model::{ErrorData, ProtocolVersion};
pub use rmcp_macros::{
    completion, prompt, prompt_handler, prompt_router, resource, resource_handler, resource_router, resource_template,
    tool, tool_handler, tool_router,
};
pub use service::{McpError, Peer, RoleClient, RoleServer, RunningService, ServiceError, ServiceExt};
pub use tokio_util::sync::CancellationToken;
