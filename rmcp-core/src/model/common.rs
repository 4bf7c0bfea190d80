//! Small types shared by many messages: JSON objects, `_meta`, result kinds, cursors, roles.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A JSON object.
pub type JsonObject = serde_json::Map<String, Value>;

/// A `_meta` object: free-form metadata attached to params, results and notifications.
///
/// The 2026-07-28 protocol reserves keys under `io.modelcontextprotocol/`; see [`meta_keys`].
pub type Meta = JsonObject;

/// The reserved `_meta` keys of the 2026-07-28 protocol.
pub mod meta_keys {
    /// The protocol version of a stateless request.
    pub const PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
    /// The client's `Implementation` on a stateless request.
    pub const CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
    /// The client's capabilities for this one request.
    pub const CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
    /// The minimum level of `notifications/message` the client wants for this request.
    pub const LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
    /// The server's `Implementation` on a result.
    pub const SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
    /// The id of the `subscriptions/listen` request a notification belongs to.
    pub const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
    /// The progress token of a request (not namespaced: it predates the reserved prefix).
    pub const PROGRESS_TOKEN: &str = "progressToken";
    /// W3C trace context propagation.
    pub const TRACEPARENT: &str = "traceparent";
    /// W3C trace context vendor state.
    pub const TRACESTATE: &str = "tracestate";
    /// The prefix every reserved key starts with.
    pub const RESERVED_PREFIX: &str = "io.modelcontextprotocol/";

    /// The keys of a 2026-07-28 request's own metadata (the schema's `RequestMetaObject`),
    /// which no 2025-era message carries. Other reserved keys do not tell the era: 2025-11-25
    /// messages carry `io.modelcontextprotocol/related-task`, and extensions name keys of their
    /// own under the prefix.
    pub const STATELESS_REQUEST_KEYS: [&str; 4] = [PROTOCOL_VERSION, CLIENT_CAPABILITIES, CLIENT_INFO, LOG_LEVEL];

    /// Whether a `_meta` key marks its message as 2026-07-28: it is one of
    /// [`STATELESS_REQUEST_KEYS`]. See `service::lifecycle::is_stateless_request` for the era
    /// rule built on it.
    pub fn marks_stateless(key: &str) -> bool {
        // Every one of them starts with the prefix: one comparison rules out nearly every other key.
        key.starts_with(RESERVED_PREFIX) && STATELESS_REQUEST_KEYS.contains(&key)
    }
}

/// How a client must read a result (2026-07-28). Absent means [`ResultType::Complete`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResultType {
    /// The request completed; the result holds the final content.
    Complete,
    /// The server needs more input; the result is an `InputRequiredResult`.
    InputRequired,
    /// The server runs the request as a task; the result is the task handle of the tasks extension
    /// `io.modelcontextprotocol/tasks` ([`tasks_ext::CreateTaskResult`](crate::model::tasks_ext::CreateTaskResult)).
    Task,
}

/// Who may cache a cacheable result (2026-07-28), like HTTP `Cache-Control`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheScope {
    /// Holds no user-specific data; shared caches may serve it to anyone.
    Public,
    /// May be cached only within the same authorization context.
    Private,
}

/// A token that ties progress notifications to the request that asked for them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ProgressToken {
    /// A numeric token.
    Number(i64),
    /// A string token.
    String(Arc<str>),
}

/// An opaque pagination cursor.
pub type Cursor = String;

/// The sender or recipient of messages in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The user.
    User,
    /// The assistant (the model).
    Assistant,
}

/// A result with no content beyond the common fields (`ping`, `logging/setLevel`, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EmptyResult {
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}

/// Params that carry nothing but `_meta` (requests and notifications without arguments).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmptyParams {
    /// Request or notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl EmptyParams {
    /// Params with the given `_meta`.
    pub fn with_meta(meta: Meta) -> Self {
        Self { meta: Some(meta) }
    }
}
