//! Errors of the service layer.

use std::time::Duration;

use crate::model::{ErrorCode, ErrorData, InputRequiredResult};

/// Why a request sent to the peer did not produce a result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The peer answered the request with a JSON-RPC error response (its `error` member).
    #[error("the peer answered with an error: {0}")]
    ErrorResponse(ErrorData),
    /// The message could not be written to the transport.
    #[error("failed to send to the transport: {0}")]
    TransportSend(#[source] std::io::Error),
    /// The connection is closed; no answer will come.
    #[error("the transport is closed")]
    TransportClosed,
    /// The peer's answer does not have the expected shape.
    #[error("unexpected response: {0}")]
    UnexpectedResponse(String),
    /// The request was cancelled before an answer came.
    #[error("the request was cancelled{}", .reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    Cancelled {
        /// Why, if known.
        reason: Option<String>,
    },
    /// What was asked is not possible on this connection.
    #[error("not supported: {0}")]
    Unsupported(&'static str),
    /// The server's `input_required` request `key` could not be answered (2026-07-28).
    #[error("could not answer the server's input request `{key}`: {message}")]
    Input {
        /// The key of the input request.
        key: String,
        /// What the client's handler said.
        message: String,
    },
    /// The server kept answering `input_required` (2026-07-28); the client gave up after this
    /// many rounds ([`ClientInfo::max_input_rounds`](crate::handler::ClientInfo::max_input_rounds)).
    #[error("the server still wanted input after {rounds} rounds")]
    TooManyInputRounds {
        /// The rounds answered.
        rounds: usize,
    },
    /// The transport knows the answer can no longer arrive: an HTTP connection that broke after
    /// the request was sent, a response stream that could not be resumed, a session that ended
    /// while the request ran, or a resumed stream whose replay reported lost events and ended
    /// without it. The peer may or may not have carried the request out; waiting longer would
    /// not tell, so the request is not sent again (retry it yourself if it is idempotent). The
    /// connection itself goes on.
    #[error("the answer was lost: {reason}")]
    AnswerLost {
        /// What the transport saw.
        reason: String,
    },
    /// No answer came in time.
    #[error("the request timed out after {timeout:?}")]
    Timeout {
        /// The timeout that elapsed.
        timeout: Duration,
    },
    /// A `list_all_*` call was handed a cursor it had followed already: the server's pages
    /// go round in a loop.
    #[error("`{method}` returned a cursor already followed, after {pages} pages")]
    RepeatedCursor {
        /// The list method.
        method: &'static str,
        /// The pages fetched.
        pages: usize,
    },
    /// A `list_all_*` call went past
    /// [`ClientInfo::max_list_pages`](crate::handler::ClientInfo::max_list_pages) pages or
    /// [`max_list_items`](crate::handler::ClientInfo::max_list_items) items.
    #[error("`{method}` went on past {pages} pages and {items} items; gave up")]
    ListTooLong {
        /// The list method.
        method: &'static str,
        /// The pages fetched.
        pages: usize,
        /// The items collected.
        items: usize,
    },
}

impl ServiceError {
    /// The JSON-RPC error the peer sent, if that is what this is.
    pub fn as_error_response(&self) -> Option<&ErrorData> {
        match self {
            ServiceError::ErrorResponse(e) => Some(e),
            _ => None,
        }
    }
}

/// What a handler returns instead of a result.
///
/// Most handlers only ever return [`McpError::Rpc`] (built with the constructors below or from
/// an [`ErrorData`] with `?`). On the 2026-07-28 protocol a handler may also end early with
/// [`McpError::InputRequired`]: the engine answers with that `input_required` result and the
/// client retries the request with the input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum McpError {
    /// Answer with this JSON-RPC error.
    #[error("{0}")]
    Rpc(ErrorData),
    /// Answer with an `input_required` result (2026-07-28 MRTR).
    #[error("input required")]
    InputRequired(Box<InputRequiredResult>),
    /// Answer with a `CreateTaskResult`: the work goes on as a task (the tasks extension,
    /// 2026-07-28; see [`TaskStore::run`](crate::handler::tasks::TaskStore::run)).
    #[error("task created")]
    TaskCreated(Box<crate::model::tasks_ext::CreateTaskResult>),
    /// A tool's arguments do not fit its input. A tool router answers this with a tool result
    /// marked `isError` (so the model can correct itself); anywhere else it is -32602.
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
}

impl McpError {
    /// -32602: the params do not fit.
    pub fn invalid_params(message: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        Self::Rpc(ErrorData::invalid_params(message))
    }
    /// -32600: the request is not acceptable.
    pub fn invalid_request(message: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        Self::Rpc(ErrorData::invalid_request(message))
    }
    /// -32601 for `method`.
    pub fn method_not_found(method: &str) -> Self {
        Self::Rpc(ErrorData::method_not_found(method))
    }
    /// -32603: something went wrong inside.
    pub fn internal_error(message: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        Self::Rpc(ErrorData::internal_error(message))
    }
    /// A resource that does not exist: -32602 with `data.uri`, the code both eras accept.
    pub fn resource_not_found(uri: &str) -> Self {
        let mut e = ErrorData::resource_not_found(uri);
        e.code = ErrorCode::INVALID_PARAMS;
        Self::Rpc(e)
    }
    /// The JSON-RPC error, if this is one.
    pub fn as_rpc(&self) -> Option<&ErrorData> {
        match self {
            Self::Rpc(e) => Some(e),
            Self::InputRequired(_) | Self::TaskCreated(_) | Self::InvalidArguments(_) => None,
        }
    }
}

impl From<ErrorData> for McpError {
    fn from(e: ErrorData) -> Self {
        Self::Rpc(e)
    }
}

impl From<InputRequiredResult> for McpError {
    fn from(r: InputRequiredResult) -> Self {
        Self::InputRequired(Box::new(r))
    }
}

/// Why `serve` could not start a service.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The handshake with the peer failed.
    #[error("handshake failed: {0}")]
    Handshake(#[source] ServiceError),
    /// The peer speaks no protocol version we do.
    #[error("the peer's protocol version {0} is not supported")]
    UnsupportedProtocolVersion(String),
}
