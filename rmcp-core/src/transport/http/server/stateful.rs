//! The 2025-era side of the endpoint: `initialize` opens a session, later POSTs feed it, GET
//! opens (or resumes) an SSE stream, DELETE ends the session.

use http::request::Parts;
use http::{HeaderValue, StatusCode};
use tokio::sync::{mpsc, oneshot};

use super::body::{self, HttpResponse, Rejection};
use super::service::Shared;
use super::sse::{self, EventStream, ITEM_QUEUE};
use super::streams::{Command, StreamControl};
use crate::handler::ServerHandler;
use crate::model::{ErrorData, JsonRpcMessage, methods};
use crate::transport::http::wire;

/// The protocol versions served on sessions.
pub(crate) const SESSION_VERSIONS: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

/// A header as text, if present and readable.
pub(crate) fn header<'a>(parts: &'a Parts, name: &http::HeaderName) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// An unsupported `MCP-Protocol-Version` is refused with 400; no header means 2025-03-26.
fn check_version(parts: &Parts) -> Result<(), ErrorData> {
    match parts.headers.get(&wire::PROTOCOL_VERSION) {
        None => Ok(()),
        Some(v) => match v.to_str().map(str::trim) {
            Ok(v) if SESSION_VERSIONS.contains(&v) => Ok(()),
            _ => Err(ErrorData::invalid_request(format!(
                "Unsupported MCP-Protocol-Version `{}` for a session (supported: {})",
                String::from_utf8_lossy(v.as_bytes()),
                SESSION_VERSIONS.join(", ")
            ))),
        },
    }
}

fn session_gone() -> ErrorData {
    ErrorData::invalid_request("Session not found: it expired or was closed; start a new one with `initialize`")
}

/// A POST on the session path.
pub(crate) async fn post<S: ServerHandler>(
    shared: &Shared<S>,
    parts: Parts,
    message: JsonRpcMessage,
    accepts_sse: bool,
) -> HttpResponse {
    let request_id = match &message {
        JsonRpcMessage::Request(r) => Some(r.id.clone()),
        _ => None,
    };
    let reject = |status: StatusCode, error: ErrorData| Rejection::new(status, error).with_id(request_id.clone());
    if let Err(e) = check_version(&parts) {
        return reject(StatusCode::BAD_REQUEST, e).into_response();
    }
    let is_initialize = matches!(&message, JsonRpcMessage::Request(r) if r.method == methods::INITIALIZE);
    let (session, mut created) = match header(&parts, &wire::SESSION_ID) {
        Some(id) => match shared.sessions.get(id) {
            Some(_) if is_initialize => {
                let e = ErrorData::invalid_request(
                    "this session is already initialized; send `initialize` without Mcp-Session-Id to start another",
                );
                return reject(StatusCode::BAD_REQUEST, e).into_response();
            }
            Some(s) => (s, false),
            None => return reject(StatusCode::NOT_FOUND, session_gone()).into_response(),
        },
        None if is_initialize => match shared.sessions.create((shared.factory)()).await {
            Ok(s) => (s, true),
            Err(r) => return r.with_id(request_id).into_response(),
        },
        None => {
            let e = ErrorData::invalid_request("missing Mcp-Session-Id header: start a session with `initialize`");
            return reject(StatusCode::BAD_REQUEST, e).into_response();
        }
    };
    let activity = session.activity();
    let request = match message {
        JsonRpcMessage::Request(r) => r,
        // Notifications and responses (to our requests): hand them over and acknowledge.
        other => {
            if let Some(request) = cancelled_request(&other) {
                let _ = session.commands.send(Command::Cancelled { request }).await;
            }
            let mut extensions = http::Extensions::new();
            extensions.insert(parts);
            return if session.send(other, extensions).await {
                body::accepted()
            } else {
                reject(StatusCode::NOT_FOUND, session_gone()).into_response()
            };
        }
    };
    let permit = match shared.stream_permit() {
        Ok(p) => p,
        Err(r) => return r.with_id(request_id).into_response(),
    };
    let stream = session.next_stream();
    let (tx, mut rx) = mpsc::channel(ITEM_QUEUE);
    let json = shared.config.json_response || !accepts_sse;
    let id = request.id.clone();
    let registered = session.commands.send(Command::Post { request: id.clone(), stream, tx, json }).await.is_ok();
    let mut extensions = http::Extensions::new();
    extensions.insert(StreamControl::new(id, session.commands.clone()));
    extensions.insert(parts);
    if !registered || !session.send(JsonRpcMessage::Request(request), extensions).await {
        return reject(StatusCode::NOT_FOUND, session_gone()).into_response();
    }

    // The first message decides the shape: the response alone is plain JSON; anything before it
    // (progress, a server request) makes the answer an SSE stream.
    let first = rx.recv().await;
    let mut response = match first {
        Some(item) if item.last || json => {
            if created && matches!(JsonRpcMessage::from_slice(&item.data), Ok(JsonRpcMessage::Error(_))) {
                // A refused `initialize` leaves no session behind (and names none).
                shared.sessions.remove(&session.id);
                created = false;
            }
            body::json(StatusCode::OK, item.data)
        }
        None if json => return reject(StatusCode::NOT_FOUND, session_gone()).into_response(),
        first => {
            let mut head = Vec::with_capacity(2);
            if shared.config.event_store.is_some() {
                head.push(sse::priming(&format!("{stream}-0"), shared.config.sse_retry));
            }
            // `None`: the connection was closed on purpose (SSE polling) or the session ended.
            let rx = first.map(|item| {
                head.push(sse::event(item.event_id.as_deref(), &item.data));
                rx
            });
            body::sse(EventStream::new(head, rx, shared.config.sse_keep_alive, (permit, activity)))
        }
    };
    if created && let Ok(value) = HeaderValue::from_str(&session.id) {
        response.headers_mut().insert(wire::SESSION_ID, value);
    }
    response
}

/// The request a `notifications/cancelled` names.
fn cancelled_request(message: &JsonRpcMessage) -> Option<crate::model::RequestId> {
    let JsonRpcMessage::Notification(n) = message else { return None };
    if n.method != methods::NOTIFICATION_CANCELLED {
        return None;
    }
    serde_json::from_str::<crate::model::CancelledNotificationParams>(n.params.as_deref()?.get()).ok()?.request_id
}

/// `<stream>-<seq>`, as this server writes event ids.
fn parse_event_id(id: &str) -> Option<(u64, u64)> {
    let (stream, seq) = id.trim().split_once('-')?;
    Some((stream.parse().ok()?, seq.parse().ok()?))
}

/// A GET with a session id: the standalone stream, or the resumption of any stream.
pub(crate) async fn get<S: ServerHandler>(shared: &Shared<S>, parts: Parts, session_id: &str) -> HttpResponse {
    if let Err(e) = check_version(&parts) {
        return Rejection::new(StatusCode::BAD_REQUEST, e).into_response();
    }
    let Some(session) = shared.sessions.get(session_id) else {
        return Rejection::new(StatusCode::NOT_FOUND, session_gone()).into_response();
    };
    let activity = session.activity();
    let permit = match shared.stream_permit() {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let (tx, rx) = mpsc::channel(ITEM_QUEUE);
    let head = match header(&parts, &wire::LAST_EVENT_ID).and_then(parse_event_id) {
        Some((stream, after)) => {
            let (reply, missed) = oneshot::channel();
            if session.commands.send(Command::Resume { stream, after, tx, reply }).await.is_err() {
                return Rejection::new(StatusCode::NOT_FOUND, session_gone()).into_response();
            }
            let missed = missed.await.unwrap_or_default();
            missed.into_iter().map(|(seq, data)| sse::event(Some(&format!("{stream}-{seq}")), &data)).collect()
        }
        None => {
            let (reply, opened) = oneshot::channel();
            if session.commands.send(Command::Standalone { tx, reply }).await.is_err() {
                return Rejection::new(StatusCode::NOT_FOUND, session_gone()).into_response();
            }
            match opened.await {
                Ok(Some((stream, seq))) if shared.config.event_store.is_some() => {
                    vec![sse::priming(&format!("{stream}-{seq}"), shared.config.sse_retry)]
                }
                Ok(Some(_)) => Vec::new(),
                Ok(None) => {
                    let e = ErrorData::invalid_request("this session already has a standalone SSE stream open");
                    return Rejection::new(StatusCode::CONFLICT, e).into_response();
                }
                Err(_) => return Rejection::new(StatusCode::NOT_FOUND, session_gone()).into_response(),
            }
        }
    };
    body::sse(EventStream::new(head, Some(rx), shared.config.sse_keep_alive, (permit, activity)))
}

/// A DELETE with a session id ends the session.
pub(crate) fn delete<S>(shared: &Shared<S>, parts: &Parts, session_id: &str) -> HttpResponse {
    if let Err(e) = check_version(parts) {
        return Rejection::new(StatusCode::BAD_REQUEST, e).into_response();
    }
    if shared.sessions.remove(session_id) {
        let mut response = http::Response::new(body::ResponseBody::empty());
        *response.status_mut() = StatusCode::OK;
        response
    } else {
        Rejection::new(StatusCode::NOT_FOUND, session_gone()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::parse_event_id;

    #[test]
    fn event_ids() {
        assert_eq!(parse_event_id("3-14"), Some((3, 14)));
        assert_eq!(parse_event_id("3"), None);
        assert_eq!(parse_event_id("a-1"), None);
    }
}
