//! The 2025-era side of the endpoint: `initialize` opens a session, later POSTs feed it, GET
//! opens (or resumes) an SSE stream, DELETE ends the session. A session opened with an access
//! token serves only requests with a token of the same subject and client; to any other it is
//! 404, as if it did not exist.

use http::request::Parts;
use http::{HeaderValue, StatusCode};
use tokio::sync::OwnedSemaphorePermit;

use super::answer::Answer;
use super::body::{self, HttpResponse, Rejection};
use super::service::Shared;
use super::session::Owner;
use super::sse::{self, EventStream, Timing};
use super::streams::{PostRefused, StreamControl};
use crate::handler::ServerHandler;
use crate::model::{ErrorData, JsonRpcMessage, ProtocolVersion, RequestId, methods};
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

pub(crate) fn session_gone() -> ErrorData {
    ErrorData::invalid_request("Session not found: it expired or was closed; start a new one with `initialize`")
}

/// The body of a POST on the session path: one message, or a batch (2025-03-26 only).
#[derive(Debug)]
pub(crate) enum Posted {
    One(JsonRpcMessage),
    Batch(Vec<JsonRpcMessage>),
}

/// The versions whose sessions accept JSON-RPC batches (removed in 2025-06-18).
fn takes_batches(version: Option<ProtocolVersion>) -> bool {
    matches!(version, Some(ProtocolVersion::V2024_11_05 | ProtocolVersion::V2025_03_26))
}

/// A POST on the session path.
#[allow(clippy::manual_async_fn)] // an `async fn` would hold its arguments twice
pub(crate) fn post<S: ServerHandler>(
    shared: &Shared<S>,
    parts: Parts,
    posted: Posted,
    accepts_sse: bool,
    permit: OwnedSemaphorePermit,
) -> impl Future<Output = HttpResponse> + Send + '_ {
    async move {
        let request_id = match &posted {
            Posted::One(JsonRpcMessage::Request(r)) => Some(r.id.clone()),
            _ => None,
        };
        let reject = |status: StatusCode, error: ErrorData| Rejection::new(status, error).with_id(request_id.clone());
        if let Err(e) = check_version(&parts) {
            return reject(StatusCode::BAD_REQUEST, e).into_response();
        }
        let initialize =
            |m: &JsonRpcMessage| matches!(m, JsonRpcMessage::Request(r) if r.method == methods::INITIALIZE);
        let (is_initialize, batch) = match &posted {
            Posted::One(m) => (initialize(m), false),
            Posted::Batch(ms) if ms.iter().any(initialize) => {
                let e = ErrorData::invalid_request("`initialize` must not be part of a JSON-RPC batch");
                return reject(StatusCode::BAD_REQUEST, e).into_response();
            }
            Posted::Batch(_) => (false, true),
        };
        let (session, created) = match header(&parts, &wire::SESSION_ID) {
            Some(id) => match shared.sessions.get_for(id, &parts) {
                Some(_) if is_initialize => {
                    let e = ErrorData::invalid_request(
                        "this session is already initialized; send `initialize` without Mcp-Session-Id to start another",
                    );
                    return reject(StatusCode::BAD_REQUEST, e).into_response();
                }
                Some(s) => (s, false),
                None => return reject(StatusCode::NOT_FOUND, session_gone()).into_response(),
            },
            // Boxed: once per session, it would otherwise widen the future of every request.
            None if is_initialize => {
                match Box::pin(shared.sessions.create((shared.factory)(), Owner::of(&parts))).await {
                    Ok(s) => (s, true),
                    Err(r) => return r.with_id(request_id).into_response(),
                }
            }
            None => {
                let e = ErrorData::invalid_request("missing Mcp-Session-Id header: start a session with `initialize`");
                return reject(StatusCode::BAD_REQUEST, e).into_response();
            }
        };
        if batch && !takes_batches(session.protocol_version()) {
            let e = ErrorData::invalid_request(
                "JSON-RPC batches are only accepted on 2025-03-26 sessions; send one message per request",
            );
            return reject(StatusCode::BAD_REQUEST, e).into_response();
        }
        if !created {
            session.establish();
        }
        let activity = session.activity();
        let messages = match posted {
            Posted::One(m) => vec![m],
            Posted::Batch(ms) => ms,
        };
        let requests: Vec<RequestId> = messages
            .iter()
            .filter_map(|m| match m {
                JsonRpcMessage::Request(r) => Some(r.id.clone()),
                _ => None,
            })
            .collect();
        if batch && has_duplicate(&requests) {
            let e = ErrorData::invalid_request("two requests of the batch have the same id");
            return reject(StatusCode::BAD_REQUEST, e).into_response();
        }

        // Requests get a stream for their answers, registered before they reach the engine.
        let mut rx = None;
        let stream = session.next_stream();
        let json = shared.config.json_response || !accepts_sse;
        // A lone request on an established session is served from here, not through the engine:
        // the hot path of a session, two task switches shorter.
        let lone = !created && !batch && requests.len() == 1 && session.protocol_version().is_some();
        let inline = if lone { session.inline_token() } else { None };
        if !requests.is_empty() {
            let (tx, items) = sse::items();
            // Uncontended but for the engine's writer, the lock is nearly always free at once:
            // taking it without building the lock future keeps that future out of every POST's.
            let mut router = match session.router.try_lock() {
                Ok(router) => router,
                Err(_) => session.router.lock().await,
            };
            let posted = router.post(requests, stream, tx, json, accepts_sse, inline.clone());
            drop(router);
            match posted {
                Ok(()) => rx = Some(items),
                Err(PostRefused::Closed) => return reject(StatusCode::NOT_FOUND, session_gone()).into_response(),
                Err(PostRefused::InFlight(id)) => {
                    let e =
                        ErrorData::invalid_request(format!("request id {id} is already in use by a request in flight"));
                    return reject(StatusCode::BAD_REQUEST, e).into_response();
                }
            }
        }
        // Each message carries the request's parts; the last one takes them rather than a copy.
        let mut parts = Some(parts);
        let count = messages.len();
        for (i, message) in messages.into_iter().enumerate() {
            let mut extensions = http::Extensions::new();
            match &message {
                JsonRpcMessage::Request(r) => {
                    extensions.insert(StreamControl::new(r.id.clone(), session.router.clone()));
                }
                other => {
                    if let Some(request) = cancelled_request(other) {
                        session.router.lock().await.cancelled(&request);
                    }
                }
            }
            let parts = if i + 1 == count { parts.take() } else { parts.clone() };
            extensions.insert(parts.expect("taken only by the last message"));
            match (message, &inline) {
                (JsonRpcMessage::Request(request), Some(ct)) => session.serve_inline(request, extensions, ct.clone()),
                (message, _) => {
                    // Boxed: not on the path of a lone request, it would widen every POST's future.
                    if !Box::pin(session.send(message, extensions)).await {
                        return reject(StatusCode::NOT_FOUND, session_gone()).into_response();
                    }
                }
            }
        }
        // Notifications and responses (to our requests) alone: handed over, acknowledged.
        let Some(rx) = rx else { return body::accepted() };

        let answer = Answer { shared, session: &session, stream, json, batch };
        let (mut response, refused) = answer.give(rx, (permit, activity)).await;
        if created && refused {
            // A refused `initialize` leaves no session behind (and names none).
            shared.sessions.remove(&session.id);
        } else if created && let Ok(value) = HeaderValue::from_str(&session.id) {
            response.headers_mut().insert(wire::SESSION_ID, value);
        }
        response
    }
}

/// Whether two of `ids` are the same.
fn has_duplicate(ids: &[RequestId]) -> bool {
    let mut seen = ahash::HashSet::default();
    !ids.iter().all(|id| seen.insert(id))
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
    let Some(session) = shared.sessions.get_for(session_id, &parts) else {
        return Rejection::new(StatusCode::NOT_FOUND, session_gone()).into_response();
    };
    let activity = session.activity();
    let permit = match shared.long_stream_permit() {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let (tx, rx) = sse::items();
    let head = match header(&parts, &wire::LAST_EVENT_ID).and_then(parse_event_id) {
        Some((stream, after)) => {
            let Some(missed) = session.router.lock().await.resume(stream, after, tx).await else {
                return Rejection::new(StatusCode::NOT_FOUND, session_gone()).into_response();
            };
            missed.into_iter().map(|(seq, data)| sse::event(Some(&format!("{stream}-{seq}")), &data)).collect()
        }
        None => {
            let opened = session.router.lock().await.standalone(tx);
            match opened {
                Some(Some((stream, seq))) if shared.config.event_store.is_some() => {
                    vec![sse::priming(&format!("{stream}-{seq}"), shared.config.sse_retry)]
                }
                Some(Some(_)) => Vec::new(),
                Some(None) => {
                    let e = ErrorData::invalid_request("this session already has a standalone SSE stream open");
                    return Rejection::new(StatusCode::CONFLICT, e).into_response();
                }
                None => return Rejection::new(StatusCode::NOT_FOUND, session_gone()).into_response(),
            }
        }
    };
    body::sse(EventStream::new(head, Some(rx), Timing::of(&shared.config), (permit, activity)))
}

/// A DELETE with a session id ends the session.
pub(crate) fn delete<S>(shared: &Shared<S>, parts: &Parts, session_id: &str) -> HttpResponse {
    if let Err(e) = check_version(parts) {
        return Rejection::new(StatusCode::BAD_REQUEST, e).into_response();
    }
    // Another user's session is left alone, and looks as absent as a closed one.
    if shared.sessions.get_for(session_id, parts).is_some_and(|s| shared.sessions.remove(&s.id)) {
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
