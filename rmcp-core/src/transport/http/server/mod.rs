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
//! | `config` | the configuration |
//! | `stateful` / `answer` | 2025 sessions over HTTP: POST (single or batch), GET, DELETE; the shape of a POST's answer |
//! | `session` / `streams` | 2025 sessions: lifecycle and expiry; SSE routing |
//! | `stateless` / `routes` / `headers` / `tool_table` | 2026: validation, the shared engine and its id mapping, header checks and the tool table they read |
//! | `sse` / `event_store` | SSE encoding and response streams; resumable event storage |
//! | `security` / `body` / `listener` | Host/Origin allow-lists; responses; the one-call server |

mod answer;
mod body;
mod config;
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
mod tool_table;

pub use body::ResponseBody;
pub use config::StreamableHttpConfig;
pub use event_store::{EventStore, InMemoryEventStore};
pub use routes::ClientRequestId;
pub use security::AllowList;
pub use service::StreamableHttpService;
pub use streams::StreamControl;

pub(crate) use listener::serve_service;
