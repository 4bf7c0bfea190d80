//! # rmcp-core
//!
//! A Rust SDK for the [Model Context Protocol](https://modelcontextprotocol.io): one engine for
//! servers and clients, speaking both protocol eras — the stateful 2025-11-25 protocol
//! (initialize handshake, sessions) and the stateless 2026-07-28 protocol (per-request `_meta`,
//! `server/discover`, `input_required` results).
//!
//! The crate reads like the architecture, from the wire inwards; each layer imports only from the
//! layers before it:
//!
//! - [`model`]: wire types only, every message of both revisions.
//! - [`transport`]: the [`Transport`](transport::Transport) trait and the frames the engine
//!   reads, with the byte-stream transports: stdio, any `AsyncRead`/`AsyncWrite`, child
//!   processes, in-process pairs.
//! - `schema`: JSON Schemas from Rust types, for tool inputs and elicitation forms, and their
//!   validation (features `server`, `schema-validation`).
//! - [`service`]: the role-generic engine: [`Peer`], [`serve`](service::ServiceExt::serve),
//!   [`RunningService`], request ids, cancellation, timeouts, progress,
//!   and how each side describes itself.
//! - [`handler`]: what users implement: `ServerHandler` and `ClientHandler`.
//! - `router`: what the macros generate into: tool, prompt and resource dispatch tables
//!   (feature `server`).
//! - `client`: helpers for applications driving tools: pipelined calls and client groups
//!   (feature `client`).
//! - `transport::http`: Streamable HTTP, server and client, both eras (features `http-server`,
//!   `http-client`); the server serves a `ServerHandler`.
//! - `auth`: OAuth 2.1 for HTTP: the client flow (an `AuthProvider` for the HTTP client) and a
//!   tower layer that protects an HTTP server (features `auth`, `auth-server`).
//!
//! New here? The `guide` module (built with the default features) teaches every feature, one
//! chapter per topic, with examples that are compiled and run as tests.
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
//!
//! # Features
//!
//! `cargo add rmcp-core` gives servers and clients over stdio, child processes and Streamable
//! HTTP; OAuth is opt-in. A stdio tool server needs only `server`, `macros` and `stdio`, and then
//! builds without any HTTP, TLS or OAuth crate:
//!
//! ```toml
//! rmcp-core = { version = "0.1", default-features = false, features = ["server", "macros", "stdio"] }
//! ```
//!
//! | feature | default | what it enables | what it pulls in |
//! |---|---|---|---|
//! | `server` | yes | `ServerHandler`, the tool/prompt/resource routers, schemas, tasks, sealed MRTR `requestState` | schemars, arc-swap, hmac-sha256, getrandom, humantime, percent-encoding |
//! | `client` | yes | `ClientHandler`, the client handshake, typed calls, pipelined calls, `ClientGroup`; with `stdio`, `ChildProcess` (a server's stdin/stdout) | tokio's `process`; rustix on Unix (the child's process group) |
//! | `macros` | yes | `#[tool]`, `#[prompt]`, `#[resource]` and their routers and handlers (implies `server`) | rmcp-macros (syn, quote) |
//! | `stdio` | yes | stdio, any `AsyncRead`/`AsyncWrite`, in-process `duplex` pairs; with `client`, `ChildProcess` | tokio's `io-std`, `net` (non-blocking pipes) |
//! | `http-server` | yes | `StreamableHttpService` (a tower `Service`) and its hyper listener (implies `server`) | http, hyper, hyper-util, http-body, tower-service, uuid |
//! | `http-client` | yes | `StreamableHttpClientTransport` (implies `client`) | reqwest with rustls, url |
//! | `schema-validation` | yes | JSON Schema validation of tool arguments and structured output (without it, serde checks arguments as it deserializes them) | jsonschema |
//! | `auth` | no | the OAuth 2.1 client: `OAuthClient`, client credentials, DPoP (implies `http-client`) | p256 |
//! | `auth-server` | no | `OAuthResourceLayer`, the resource-server layer in front of the HTTP server (implies `http-server`) | tower-layer, url |

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, unreachable_pub)]

#[cfg(any(feature = "auth", feature = "auth-server"))]
pub mod auth;
#[cfg(feature = "client")]
pub mod client;
// The guide's examples use servers, clients and both transports, so it is built with them
// (the default features); its OAuth chapter needs `auth` and `auth-server` as well.
#[cfg(all(
    feature = "macros",
    feature = "client",
    feature = "stdio",
    feature = "http-server",
    feature = "http-client"
))]
pub mod guide;
pub mod handler;
pub mod model;
#[cfg(feature = "server")]
pub mod router;
#[cfg(feature = "server")]
pub mod schema;
pub mod service;
pub mod transport;

/// The wire parsers' entry points for the fuzz targets and property tests: not an API. Only in
/// fuzz builds (cargo-fuzz sets `cfg(fuzzing)`) and this crate's tests: compiled always, it
/// would add half again to the crate's code for every user.
#[cfg(any(fuzzing, test))]
#[doc(hidden)]
#[path = "fuzz_entry.rs"]
pub mod __fuzz;
// The property tests reach parsers of every layer, so they run with all of them: in the
// workspace's test run, where the `tests` package turns the features on.
#[cfg(all(test, feature = "auth", feature = "http-server"))]
mod proptests;

/// Crates the macros' generated code names, so users need not depend on them directly.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "server")]
    pub use schemars;
    pub use serde;
    pub use serde_json;

    // Runtime items only generated code calls: the extractor traits the call functions go
    // through, and the compile-time checks and prompt arguments of plain inputs. Users never
    // name them, so they stay out of `router`.
    #[cfg(feature = "server")]
    pub use crate::router::extract::{
        FromPromptCallContext, FromToolCallContext, PromptArgumentType, ToolArgument, assert_prompt_argument,
        assert_tool_argument, optional_principal, require_principal,
    };
    #[cfg(feature = "server")]
    pub use crate::router::prompt::prompt_arguments_of;
}

#[cfg(feature = "client")]
pub use handler::ClientHandler;
#[cfg(feature = "server")]
pub use handler::ServerHandler;
pub use model::{ErrorData, ProtocolVersion};
#[cfg(feature = "macros")]
pub use rmcp_macros::{
    completion, prompt, prompt_handler, prompt_router, resource, resource_handler, resource_router, resource_template,
    tool, tool_handler, tool_router,
};
#[cfg(feature = "client")]
pub use service::RoleClient;
#[cfg(feature = "server")]
pub use service::RoleServer;
pub use service::{McpError, Peer, RunningService, ServiceError, ServiceExt};
pub use tokio_util::sync::CancellationToken;
