//! How the server's HTTP answers are read and judged: bodies within the size limit, which
//! statuses end a session, and the JSON-RPC errors a request gets when the answer is no answer
//! (an HTTP error, a redirect not followed, a body naming another request).

use std::io;

use futures_util::StreamExt;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use reqwest::Response;
use serde_json::Value;

use crate::model::{ErrorCode, ErrorData, JsonRpcMessage, RequestId};

/// A body of at most `max` bytes.
pub(super) async fn read_capped(response: Response, max: usize) -> Result<bytes::Bytes, String> {
    let too_large = || format!("the answer exceeds the limit of {max} bytes");
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let mut body = bytes::BytesMut::new();
    let mut chunks = response.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|e| format!("the answer could not be read: {e}"))?;
        if body.len() + chunk.len() > max {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Whether a 404 means the session is gone: it does unless its body is a JSON-RPC "method not
/// found", which is about the request alone.
pub(super) fn is_session_gone(status: StatusCode, body: &[u8]) -> bool {
    status == StatusCode::NOT_FOUND
        && !matches!(JsonRpcMessage::from_slice(body), Ok(JsonRpcMessage::Error(e)) if e.error.code == ErrorCode::METHOD_NOT_FOUND)
}

pub(super) fn is_sse(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/event-stream"))
}

/// Whether `message` is the answer to request `id`.
pub(super) fn answers(message: &JsonRpcMessage, id: &RequestId) -> bool {
    match message {
        JsonRpcMessage::Response(r) => r.id == *id,
        JsonRpcMessage::Error(e) => e.id.as_ref() == Some(id),
        _ => false,
    }
}

/// The request `message` answers, if it is an answer.
pub(super) fn answered_id(message: &JsonRpcMessage) -> Option<RequestId> {
    match message {
        JsonRpcMessage::Response(r) => Some(r.id.clone()),
        JsonRpcMessage::Error(e) => e.id.clone(),
        _ => None,
    }
}

/// A 2026 `UnsupportedProtocolVersion` error that lists the version the request used.
pub(super) fn may_retry_version(error: &ErrorData, sent: Option<&str>) -> bool {
    let Some(sent) = sent else { return false };
    error.code == ErrorCode::UNSUPPORTED_PROTOCOL_VERSION
        && error
            .data
            .as_ref()
            .and_then(|d| d.get("supported"))
            .and_then(Value::as_array)
            .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(sent)))
}

/// The error a request gets when the server answered with an HTTP error and no JSON-RPC error.
/// A redirect not followed (to another origin) carries its `Location` in `data.location`.
pub(super) fn http_error(
    id: RequestId,
    status: StatusCode,
    www_authenticate: Option<HeaderValue>,
    location: Option<HeaderValue>,
) -> JsonRpcMessage {
    let mut data = serde_json::json!({ "httpStatus": status.as_u16() });
    if let Some(v) = www_authenticate.as_ref().and_then(|v| v.to_str().ok()) {
        data["wwwAuthenticate"] = Value::String(v.to_owned());
    }
    let mut message = format!("the server answered HTTP {status}");
    if let Some(v) = location.as_ref().and_then(|v| v.to_str().ok()) {
        data["location"] = Value::String(v.to_owned());
        message.push_str(&format!(", a redirect to {v}, not followed"));
    }
    let error = ErrorData::new(ErrorCode::INTERNAL_ERROR, message, Some(data));
    JsonRpcMessage::error(Some(id), error)
}

/// The error of a request whose JSON answer named another request's id.
pub(super) fn answered_another(id: RequestId, other: &RequestId) -> JsonRpcMessage {
    tracing::warn!(%id, %other, "the answer to a POST names another request; ignored");
    let e = ErrorData::internal_error(format!("the server's answer to this request names another id ({other})"));
    JsonRpcMessage::error(Some(id), e)
}

pub(super) fn session_gone() -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, "the server no longer knows this session (HTTP 404); start a new one")
}
