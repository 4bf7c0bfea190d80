//! The 2026-07-28 side of the endpoint: no session. A POST's request is checked, handed to the
//! engine all stateless requests share under an internal id, and answered as JSON or as an SSE
//! stream.

use http::StatusCode;
use http::request::Parts;

use super::body::{self, HttpResponse, Rejection};
use super::quota::Pool;
use super::sse::{self, EventStream, Timing};
use super::state::{ServiceState, Slot};
use super::stateless_requests::ClientRequestId;
use crate::handler::ServerHandler;
use crate::model::{ErrorData, JsonRpcMessage, JsonRpcRequest, methods};

/// A POST on the stateless path, served by the shared engine (started on first use).
pub(crate) async fn post<S: ServerHandler>(
    state: &ServiceState<S>,
    parts: Parts,
    message: JsonRpcMessage,
    accepts_sse: bool,
    mut permit: Slot,
) -> HttpResponse {
    let request = match message {
        JsonRpcMessage::Request(r) => r,
        // No client notification is defined over HTTP in 2026-07-28 (closing a response
        // stream is the cancellation); accept and ignore them.
        JsonRpcMessage::Notification(_) => return body::accepted(),
        JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_) => {
            let e = ErrorData::invalid_request("a 2026-07-28 client sends no responses: there are no server requests");
            return Rejection::new(StatusCode::BAD_REQUEST, e).into_response();
        }
    };
    let id = request.id.clone();
    let reject = |status: StatusCode, e: ErrorData| Rejection::new(status, e).with_id(Some(id.clone())).into_response();
    let engine = match state.stateless_engine().await {
        Ok(engine) => engine,
        Err(e) => return reject(StatusCode::INTERNAL_SERVER_ERROR, ErrorData::internal_error(e.to_string())),
    };
    if let Err(r) = engine.validate(&parts, &request).await {
        return r.with_id(Some(id)).into_response();
    }
    if request.method == methods::SUBSCRIPTIONS_LISTEN {
        // A long-lived stream: it takes a slot of that budget instead.
        drop(permit);
        return match state.long_stream_slot(&parts) {
            Ok(permit) => {
                let stream = engine.listen(&state.config, parts, request, permit).await;
                // Looked at once the stream is registered: a shutdown that began meanwhile has
                // closed the listen streams, or is refused here (dropping the stream unregisters it).
                if state.is_draining() {
                    return Rejection::shutting_down().with_id(Some(id)).into_response();
                }
                stream
            }
            Err(r) => r.with_id(Some(id)).into_response(),
        };
    }

    if let Err(r) = permit.also_count(Pool::Stateless) {
        return r.with_id(Some(id)).into_response();
    }
    let (tx, mut rx) = sse::items();
    let Some(guard) = engine.requests.register(request.id.clone(), tx) else {
        let e = ErrorData::internal_error("the server is serving too many requests; retry later");
        return Rejection::new(StatusCode::SERVICE_UNAVAILABLE, e)
            .with_id(Some(id))
            .with_header(http::header::RETRY_AFTER, "1")
            .into_response();
    };
    let mut extensions = crate::transport::Extensions::new();
    extensions.insert(ClientRequestId(request.id.clone()));
    extensions.insert(parts);
    let request = JsonRpcRequest { id: guard.internal_id(), ..request };
    if !engine.requests.send_to_engine(JsonRpcMessage::Request(request), extensions).await {
        return Rejection::shutting_down().with_id(Some(id)).into_response();
    }
    let json = state.config.json_response || !accepts_sse;
    // If this future is dropped (the client went away), `guard` cancels the request.
    loop {
        match rx.recv().await {
            Some(item) if item.last => {
                let mut response = body::json(item.status, item.data);
                if item.status == StatusCode::SERVICE_UNAVAILABLE {
                    response.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from_static("1"));
                }
                return response;
            }
            // JSON-only: notifications have nowhere to go without a stream.
            Some(_) if json => continue,
            Some(item) => {
                let head = [sse::event(None, &item.data)];
                let timing = Timing::from_config(&state.config);
                return body::sse(EventStream::new(head, Some(rx), timing, (permit, guard)));
            }
            None => return Rejection::shutting_down().with_id(Some(id)).into_response(),
        }
    }
}
