//! The 2025-era side of the endpoint: `initialize` opens a session, later POSTs feed it, GET
//! opens (or resumes) an SSE stream, DELETE ends the session. A session opened with an access
//! token serves only requests with a token of the same subject and client; to any other it is
//! 404, as if it did not exist.
//!
//! A POST finds its session ([`find_session`], or opens one), registers its requests on the
//! session's streams before any of them runs, then serves a lone request directly
//! ([`serve_lone_request`]) or hands its messages to the session's engine ([`hand_to_engine`]),
//! and responds ([`PostResponse`]).

use std::sync::Arc;

use http::request::Parts;
use http::{HeaderValue, StatusCode};
use tokio_util::sync::CancellationToken;

use super::body::{self, HttpResponse, Rejection};
use super::cluster::{RecordChange, cancelled_request};
use super::headers::header_str;
use super::message_bus::InstanceId;
use super::post_response::PostResponse;
use super::session::{SESSION_VERSIONS, Session, Sessions, session_gone};
use super::session_streams::{PostRefused, Registered, StandaloneRefused, StreamControl};
use super::sse::{self, EventId, EventStream, Timing};
use super::state::{ServiceState, Slot};
use crate::handler::ServerHandler;
use crate::model::{ErrorData, JsonRpcMessage, ProtocolVersion, RequestId, methods};
use crate::service::dispatch::out_of_line;
use crate::transport::Extensions;
use crate::transport::http::wire;

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

/// The body of a POST on the session path.
#[derive(Debug)]
pub(crate) enum PostBody {
    /// One message.
    One(JsonRpcMessage),
    /// A JSON-RPC batch (2025-03-26 only).
    Batch(Vec<JsonRpcMessage>),
}

impl PostBody {
    /// The id of a lone request, to echo in a refusal.
    #[inline]
    fn request_id(&self) -> Option<RequestId> {
        match self {
            PostBody::One(JsonRpcMessage::Request(r)) => Some(r.id.clone()),
            _ => None,
        }
    }

    /// Whether the POST opens a session: its message is `initialize`. A batch must hold none.
    #[inline]
    fn opens_session(&self) -> Result<bool, Rejection> {
        let initialize =
            |m: &JsonRpcMessage| matches!(m, JsonRpcMessage::Request(r) if r.method == methods::INITIALIZE);
        match self {
            PostBody::One(m) => Ok(initialize(m)),
            PostBody::Batch(ms) if ms.iter().any(initialize) => {
                let e = ErrorData::invalid_request("`initialize` must not be part of a JSON-RPC batch");
                Err(Rejection::new(StatusCode::BAD_REQUEST, e))
            }
            PostBody::Batch(_) => Ok(false),
        }
    }

    #[inline]
    fn into_messages(self) -> Vec<JsonRpcMessage> {
        match self {
            PostBody::One(m) => vec![m],
            PostBody::Batch(ms) => ms,
        }
    }
}

/// The versions whose sessions accept JSON-RPC batches (removed in 2025-06-18).
fn takes_batches(version: Option<ProtocolVersion>) -> bool {
    matches!(version, Some(ProtocolVersion::V2024_11_05 | ProtocolVersion::V2025_03_26))
}

/// A POST on the session path: find (or open) its session, register its requests on the
/// session's streams, hand its messages on, and respond.
#[allow(clippy::manual_async_fn)] // see "Future sizes" in `service::dispatch`
pub(crate) fn post<S: ServerHandler>(
    state: &ServiceState<S>,
    parts: Parts,
    body: PostBody,
    accepts_sse: bool,
    permit: Slot,
) -> impl Future<Output = HttpResponse> + Send + '_ {
    // The steps are plain functions, and the waits all here: a step that waited would be a
    // future within this one, which costs a move of what it holds and a drop on every POST.
    async move {
        let request_id = body.request_id();
        let reject = |rejection: Rejection| rejection.with_id(request_id.clone()).into_response();
        if let Err(e) = check_version(&parts) {
            return reject(Rejection::new(StatusCode::BAD_REQUEST, e));
        }
        let initialize = match body.opens_session() {
            Ok(initialize) => initialize,
            Err(r) => return reject(r),
        };
        let batch = matches!(body, PostBody::Batch(_));

        let (session, created) = match find_session(state, &parts, initialize) {
            Ok(Found::Session(session)) => (session, false),
            // Out of line: once per session.
            Ok(Found::New) => match out_of_line(state.sessions.create((state.factory)(), &parts)).await {
                // Opened as a shutdown began: it would only be closed again.
                Ok(session) if state.is_draining() => {
                    state.sessions.remove(&session.id);
                    return reject(Rejection::shutting_down());
                }
                Ok(session) => (session, true),
                Err(r) => return reject(r),
            },
            // Out of line: once per session and instance.
            Ok(Found::Elsewhere(id)) => match out_of_line(restore(state, &id, &parts)).await {
                Ok(session) => (session, false),
                Err(r) => return reject(r),
            },
            Err(r) => return reject(r),
        };
        if batch && !takes_batches(session.protocol_version()) {
            let e = ErrorData::invalid_request(
                "JSON-RPC batches are only accepted on 2025-03-26 sessions; send one message per request",
            );
            return reject(Rejection::new(StatusCode::BAD_REQUEST, e));
        }
        if !created {
            session.establish();
            state.sessions.keep_alive(&session);
        }
        let activity = session.activity();
        let mut messages = body.into_messages();
        if state.sessions.bus.is_some() {
            // Out of line: only with many instances.
            messages = match out_of_line(state.sessions.relay(&session, messages)).await {
                Ok(messages) => messages,
                Err(r) => return reject(r),
            };
        }
        let change = RecordChange::of(&messages, &session);
        let requests = match request_ids(&messages, batch) {
            Ok(requests) => requests,
            Err(r) => return reject(r),
        };

        // The requests get a stream for their messages before any of them runs.
        let stream = session.next_stream();
        let json = state.config.json_response || !accepts_sse;
        let direct = direct_token(&session, created, batch, &requests);
        let (mut rx, mut registered) = (None, None);
        if !requests.is_empty() {
            let (tx, items) = sse::items();
            match session.streams.register_post(requests, stream, tx, json, accepts_sse, direct.clone()) {
                Ok(r) => (rx, registered) = (Some(items), Some(r)),
                Err(PostRefused::Closed) => return reject(session_gone_or_stopping(state)),
                Err(refused) => return reject(post_refusal(refused)),
            }
        }

        match direct {
            Some(ct) => {
                serve_lone_request(&session, messages, parts, ct);
                if let Some(registered) = registered.take() {
                    registered.all_handed_on();
                }
            }
            None => {
                // A POST dropped on the way (its client gone) leaves none of its requests
                // registered that was not handed on.
                if hand_to_engine(&session, messages, parts, registered.as_mut()).await.is_err() {
                    return reject(session_gone_or_stopping(state));
                }
            }
        }
        // Notifications and responses (to our requests) alone: handed over, acknowledged.
        let Some(rx) = rx else { return body::accepted() };

        let shape = PostResponse { config: &state.config, session: &session, stream, json, sse_ok: accepts_sse, batch };
        let (mut response, refused) = shape.build(rx, (permit, activity)).await;
        // The session ended before the answer (a 404): if the service stopped it, the client's
        // session is not lost for a reason of its own, and it may retry.
        if response.status() == StatusCode::NOT_FOUND && state.is_draining() {
            return reject(Rejection::shutting_down());
        }
        if created {
            settle_new_session(&state.sessions, &session, refused, &mut response);
            if !refused && let Err(r) = out_of_line(state.sessions.save(&session)).await {
                // Another instance could not continue it: better no session than half of one.
                state.sessions.remove(&session.id);
                return reject(r);
            }
        }
        if let Some(change) = change {
            out_of_line(state.sessions.record_changed(&session, change, refused)).await;
        }
        response
    }
}

/// Where a POST's session is.
enum Found {
    /// Here.
    Session(Arc<Session>),
    /// Nowhere yet: the POST's `initialize` opens it.
    New,
    /// Not here: in the session store, perhaps.
    Elsewhere(String),
}

/// Restore session `id` from the session store for the request `parts`; 404 when it is not
/// there either.
async fn restore<S: ServerHandler>(
    state: &ServiceState<S>,
    id: &str,
    parts: &Parts,
) -> Result<Arc<Session>, Rejection> {
    if state.is_draining() {
        return Err(Rejection::shutting_down());
    }
    match state.sessions.restore(|| (state.factory)(), id, parts).await? {
        Some(session) => Ok(session),
        None => Err(session_gone_or_stopping(state)),
    }
}

/// The session a POST belongs to.
#[inline]
fn find_session<S>(state: &ServiceState<S>, parts: &Parts, initialize: bool) -> Result<Found, Rejection> {
    let bad_request = |e: ErrorData| Err(Rejection::new(StatusCode::BAD_REQUEST, e));
    match header_str(parts, &wire::SESSION_ID) {
        Some(id) => match state.sessions.get_for(id, parts) {
            Some(_) if initialize => bad_request(ErrorData::invalid_request(
                "this session is already initialized; send `initialize` without Mcp-Session-Id to start another",
            )),
            Some(session) => Ok(Found::Session(session)),
            None if state.sessions.session_store.is_some() && !initialize => Ok(Found::Elsewhere(id.to_owned())),
            None => Err(session_gone_or_stopping(state)),
        },
        None if initialize => Ok(Found::New),
        None => {
            bad_request(ErrorData::invalid_request("missing Mcp-Session-Id header: start a session with `initialize`"))
        }
    }
}

/// The ids of the requests among `messages`; two the same in a batch are refused.
#[inline]
fn request_ids(messages: &[JsonRpcMessage], batch: bool) -> Result<Vec<RequestId>, Rejection> {
    let requests: Vec<RequestId> = messages
        .iter()
        .filter_map(|m| match m {
            JsonRpcMessage::Request(r) => Some(r.id.clone()),
            _ => None,
        })
        .collect();
    if batch && has_duplicate(&requests) {
        let e = ErrorData::invalid_request("two requests of the batch have the same id");
        return Err(Rejection::new(StatusCode::BAD_REQUEST, e));
    }
    Ok(requests)
}

/// The token under which the POST's request is served directly, if it is: a lone request on an
/// established session (the hot path of a session; see `service::dispatch` for what it saves).
#[inline]
fn direct_token(session: &Session, created: bool, batch: bool, requests: &[RequestId]) -> Option<CancellationToken> {
    let lone = !created && !batch && requests.len() == 1 && session.protocol_version().is_some();
    if lone { session.direct_request_token() } else { None }
}

/// A session not found (any more): 404, unless the service is shutting down, which is what ended
/// it (or will): then 503, so that the client retries rather than thinking its session expired.
fn session_gone_or_stopping<S>(state: &ServiceState<S>) -> Rejection {
    if state.is_draining() { Rejection::shutting_down() } else { Rejection::new(StatusCode::NOT_FOUND, session_gone()) }
}

/// Why the session's streams did not take a POST's requests, as a response.
fn post_refusal(refused: PostRefused) -> Rejection {
    match refused {
        PostRefused::Closed => Rejection::new(StatusCode::NOT_FOUND, session_gone()),
        PostRefused::InFlight(id) => {
            let e = ErrorData::invalid_request(format!("request id {id} is already in use by a request in flight"));
            Rejection::new(StatusCode::BAD_REQUEST, e)
        }
        PostRefused::TooMany(limit) => Rejection::too_many(format!(
            "this session has {limit} requests in flight, its limit; retry once some are answered"
        )),
    }
}

/// Serve a POST's lone request directly, under `ct` ([`Session::serve_direct`]); `messages`
/// holds that request only.
#[inline]
fn serve_lone_request(session: &Session, messages: Vec<JsonRpcMessage>, parts: Parts, ct: CancellationToken) {
    let Some(JsonRpcMessage::Request(request)) = messages.into_iter().next() else { return };
    let mut extensions = Extensions::new();
    extensions.insert(StreamControl::new(request.id.clone(), session.streams.clone()));
    extensions.insert(parts);
    session.serve_direct(request, extensions, ct);
}

/// Hand each message of a POST to the session's engine, counting the requests handed on in
/// `registered`. A `notifications/cancelled` also reaches the session's streams, which cancel a
/// request served directly.
#[allow(clippy::manual_async_fn)] // see "Future sizes" in `service::dispatch`
fn hand_to_engine<'a>(
    session: &'a Session,
    messages: Vec<JsonRpcMessage>,
    parts: Parts,
    mut registered: Option<&'a mut Registered<'_>>,
) -> impl Future<Output = Result<(), Rejection>> + Send + 'a {
    async move {
        // Each message carries the request's parts; the last one takes them rather than a copy.
        let mut parts = Some(parts);
        let count = messages.len();
        for (i, message) in messages.into_iter().enumerate() {
            let mut extensions = Extensions::new();
            let is_request = matches!(message, JsonRpcMessage::Request(_));
            match &message {
                JsonRpcMessage::Request(r) => {
                    extensions.insert(StreamControl::new(r.id.clone(), session.streams.clone()));
                }
                other => {
                    if let Some(request) = cancelled_request(other) {
                        session.streams.cancelled(&request);
                    }
                }
            }
            let parts = if i + 1 == count { parts.take() } else { parts.clone() };
            extensions.insert(parts.expect("taken only by the last message"));
            // Out of line: not on the path of a lone request.
            if !out_of_line(session.send_to_engine(message, extensions)).await {
                return Err(Rejection::new(StatusCode::NOT_FOUND, session_gone()));
            }
            if is_request && let Some(registered) = registered.as_deref_mut() {
                registered.handed_on();
            }
        }
        Ok(())
    }
}

/// The response to the POST that opened a session names it; if its `initialize` was refused, the
/// session goes again.
fn settle_new_session(sessions: &Sessions, session: &Session, refused: bool, response: &mut HttpResponse) {
    if refused {
        sessions.remove(&session.id);
    } else if let Ok(value) = HeaderValue::from_str(&session.id) {
        response.headers_mut().insert(wire::SESSION_ID, value);
    }
}

/// Whether two of `ids` are the same.
fn has_duplicate(ids: &[RequestId]) -> bool {
    let mut seen = foldhash::HashSet::default();
    !ids.iter().all(|id| seen.insert(id))
}

/// `<stream>-<seq>`, as this server writes event ids.
fn parse_event_id(id: &str) -> Option<(u64, u64)> {
    let (stream, seq) = id.trim().split_once('-')?;
    Some((stream.parse().ok()?, seq.parse().ok()?))
}

/// A GET with a session id: the standalone stream, or the resumption of any stream.
pub(crate) async fn get<S: ServerHandler>(state: &ServiceState<S>, parts: Parts, session_id: &str) -> HttpResponse {
    if let Err(e) = check_version(&parts) {
        return Rejection::new(StatusCode::BAD_REQUEST, e).into_response();
    }
    let resumed = header_str(&parts, &wire::LAST_EVENT_ID).and_then(parse_event_id);
    // While the service shuts down a new stream is new work; a resumed one brings the answers
    // of requests in flight.
    if resumed.is_none() && state.is_draining() {
        return Rejection::shutting_down().into_response();
    }
    let session = match state.sessions.get_for(session_id, &parts) {
        Some(session) => session,
        None if state.sessions.session_store.is_some() => match restore(state, session_id, &parts).await {
            Ok(session) => session,
            Err(r) => return r.into_response(),
        },
        None => return session_gone_or_stopping(state).into_response(),
    };
    state.sessions.keep_alive(&session);
    let activity = session.activity();
    let permit = match state.long_stream_slot(&parts) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let (tx, rx) = sse::items();
    let head = match resumed {
        Some((stream, after)) => match elsewhere(state, stream) {
            // Out of line: only with many instances.
            Some(owner) => out_of_line(state.sessions.resume_elsewhere(&session, owner, stream, after, tx)).await,
            None => match session.streams.resume(stream, after, tx).await {
                Some(head) => head,
                None => return session_gone_or_stopping(state).into_response(),
            },
        },
        None => {
            let opened = session.streams.open_standalone(tx);
            // Looked at after the opening, as the shutdown sets the flag before it closes the
            // standalone streams: a stream opened as it began is either closed by it or here.
            if opened.is_ok() && state.is_draining() {
                session.streams.close_standalone();
                return Rejection::shutting_down().into_response();
            }
            match opened {
                Ok((stream, seq)) if state.config.event_store.is_some() => {
                    vec![sse::priming(EventId { stream, seq }, state.config.sse_retry)]
                }
                Ok(_) => Vec::new(),
                Err(StandaloneRefused::AlreadyOpen) => {
                    let e = ErrorData::invalid_request("this session already has a standalone SSE stream open");
                    return Rejection::new(StatusCode::CONFLICT, e).into_response();
                }
                Err(StandaloneRefused::Closed) => return session_gone_or_stopping(state).into_response(),
            }
        }
    };
    let stream = EventStream::new(head, Some(rx), Timing::from_config(&state.config), (permit, activity));
    body::sse(stream.with_receipts(session.streams.receipts()))
}

/// The instance that opened `stream`, when another one (with a bus).
fn elsewhere<S>(state: &ServiceState<S>, stream: u64) -> Option<InstanceId> {
    let here = state.sessions.bus.as_ref()?.instance();
    InstanceId::of_stream(stream).filter(|&owner| owner != here)
}

/// A DELETE with a session id ends the session (on every instance, with a session store).
pub(crate) async fn delete<S>(state: &ServiceState<S>, parts: &Parts, session_id: &str) -> HttpResponse {
    if let Err(e) = check_version(parts) {
        return Rejection::new(StatusCode::BAD_REQUEST, e).into_response();
    }
    // Another user's session is left alone, and looks as absent as a closed one.
    match state.sessions.end(session_id, parts).await {
        Ok(true) => {
            let mut response = http::Response::new(body::ResponseBody::empty());
            *response.status_mut() = StatusCode::OK;
            response
        }
        Ok(false) => Rejection::new(StatusCode::NOT_FOUND, session_gone()).into_response(),
        Err(r) => r.into_response(),
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
