//! Middleware: code that runs around every request a server handles.
//!
//! A middleware is a [tower] layer over the MCP requests of one server: its services take an
//! [`McpRequest`] (the parsed request and its [`RequestContext`](crate::service::RequestContext),
//! with the caller's [`Principal`](crate::transport::Principal) and any HTTP request parts) and
//! answer with a [`ServerResult`](crate::model::ServerResult) or an [`McpError`]. So it can look at
//! any request before the handler does, answer it itself (refuse it, serve it from a cache), and
//! rewrite the handler's answer (filter a `tools/list`).
//! [`ServerHandler::layer`](crate::handler::ServerHandler::layer) wraps a handler in one; the
//! result is a handler again, served over any transport and both protocol eras like any other.
//!
//! ```
//! use rmcp_core::handler::ServerHandler;
//! use rmcp_core::handler::middleware::{McpRequest, Next, RequestLogLayer, from_fn};
//! use rmcp_core::model::ServerResult;
//! use rmcp_core::service::McpError;
//! use rmcp_core::router::ToolRouter;
//! use rmcp_core::{tool, tool_handler, tool_router};
//!
//! #[derive(Clone)]
//! struct Calculator {
//!     tool_router: ToolRouter<Self>,
//! }
//!
//! #[tool_router]
//! impl Calculator {
//!     /// Add two numbers.
//!     #[tool]
//!     fn add(&self, a: i64, b: i64) -> String {
//!         (a + b).to_string()
//!     }
//! }
//!
//! #[tool_handler]
//! impl ServerHandler for Calculator {}
//!
//! // Refuse every call on Sundays, say; pass the rest on.
//! async fn closed_on_sundays(request: McpRequest, next: Next) -> Result<ServerResult, McpError> {
//!     let sunday = false;
//!     if sunday && request.method() == "tools/call" {
//!         return Err(McpError::invalid_request("closed on Sundays"));
//!     }
//!     next.run(request).await
//! }
//!
//! let server = Calculator { tool_router: Calculator::tool_router() }.layer(from_fn(closed_on_sundays)).layer(RequestLogLayer::new());
//! # fn is_handler(_: impl ServerHandler) {}
//! # is_handler(server);
//! ```
//!
//! Layers added later run first: above, the request log sees every request, including those the
//! Sunday rule refuses. Layers are cloned for every request, so state they share (a rate limit's
//! buckets) lives behind an `Arc`, as in tower's own layers; the handler given to
//! [`ServerHandler::layer`](crate::handler::ServerHandler::layer) is shared by those clones the
//! same way. Over HTTP, build a layer's shared state once, outside the service's factory, and hand
//! each session a clone.
//!
//! What runs before the middleware: the capability check (a method the server does not declare is
//! refused with -32601), the 2026-07-28 tasks extension's `tasks/*` methods (served by the task
//! store), and the protocol's own bookkeeping. Notifications do not pass through it.
//!
//! Ready-made: [`ToolVisibilityLayer`] (who may see and call which tools), [`RateLimitLayer`]
//! (requests per principal) and [`RequestLogLayer`] (one `tracing` event per request). Any tower
//! layer whose services keep the request and response types fits as well (tower's
//! `ConcurrencyLimitLayer`, say); errors other than [`McpError`] become -32603.
//!
//! [tower]: https://docs.rs/tower

mod from_fn;
mod layered;
mod rate_limit;
mod request;
mod request_log;
mod tool_visibility;

pub use from_fn::{FromFn, FromFnLayer, Next, from_fn};
pub use layered::{HandlerService, Layered};
pub use rate_limit::{RATE_LIMITED, RateLimitLayer, RateLimitService};
pub use request::McpRequest;
pub use request_log::{RequestLogLayer, RequestLogService};
pub use tool_visibility::{ToolVisibilityLayer, ToolVisibilityService};
/// tower's `Layer` and `Service`, which middleware implements.
pub use tower_layer::Layer;
pub use tower_service::Service;

/// A boxed error, as tower's layers return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

use crate::service::McpError;

/// The error a middleware stack answered with, as the handler's: an [`McpError`] as it is,
/// anything else (a tower layer's own error) as -32603 with its message.
pub(crate) fn into_mcp_error(error: impl Into<BoxError>) -> McpError {
    match error.into().downcast::<McpError>() {
        Ok(error) => *error,
        Err(other) => McpError::internal_error(other.to_string()),
    }
}
