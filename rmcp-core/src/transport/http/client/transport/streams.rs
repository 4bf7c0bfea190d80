//! The SSE streams of a session: a request's answer stream, resumed with `Last-Event-ID` when
//! the connection ends before the answer, and the standalone GET stream, reopened whenever it
//! ends (in a new session when the server lost the old one).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::StreamExt;
use http::{HeaderValue, StatusCode};
use reqwest::Response;

use super::super::answer::{answered_id, answers, is_sse, session_gone};
use super::super::headers::Outgoing;
use super::super::reconnect;
use super::super::sse::{EventTooLarge, SseParser};
use super::{Worker, lock};
use crate::model::{ErrorData, JsonRpcMessage, RequestId};
use crate::transport::Frame;

impl Worker {
    /// Read the SSE answer to a request sent in `session`; on a session, resume it with
    /// `Last-Event-ID` when the connection ends before the response.
    pub(super) async fn read_answer_stream(
        self: &Arc<Self>,
        response: Response,
        out: &Outgoing,
        id: RequestId,
        session: Option<HeaderValue>,
    ) {
        let mut parser = SseParser::new(self.config.max_message_bytes);
        match self.read_stream(response, &mut parser, Some(&id)).await {
            Read::Answered => return,
            Read::TooLarge(e) => return self.too_large(id, e).await,
            Read::Gap => return self.lost(id).await,
            Read::Ended => {}
        }
        if out.stateless_version.is_some() || parser.last_event_id.is_none() {
            let reason = "the response stream ended before the response, and cannot be resumed (no event id)";
            return self.answer_lost(id, reason.to_owned()).await;
        }
        let mut attempts = 0;
        while attempts < self.config.max_reconnects {
            attempts += 1;
            tokio::time::sleep(self.reconnect_delay(&parser, attempts)).await;
            if *lock(&self.session) != session {
                // Another message found the session gone and started a new one: the stream,
                // and the answer, stayed with the old.
                let reason = "the session ended before the answer came; the request may have run";
                return self.answer_lost(id, reason.to_owned()).await;
            }
            match self.get(parser.last_event_id.as_deref()).await {
                Ok(r) if r.status().is_success() && is_sse(r.headers()) && !self.answered_elsewhere(&r) => {
                    let before = parser.last_event_id.clone();
                    match self.read_stream(r, &mut parser, Some(&id)).await {
                        Read::Answered => return,
                        Read::TooLarge(e) => return self.too_large(id, e).await,
                        Read::Gap => return self.lost(id).await,
                        Read::Ended => {}
                    }
                    if parser.last_event_id != before {
                        attempts = 0;
                    }
                }
                Ok(r) if r.status() == StatusCode::NOT_FOUND && !self.answered_elsewhere(&r) => {
                    // The session went with the stream, and the answer with both: the request
                    // may have run, so it is not sent again. The connection goes on in a new
                    // session if one can be started.
                    let reason = "the session ended (HTTP 404) before the answer came; the request may have run";
                    self.answer_lost(id, reason.to_owned()).await;
                    if !self.reinitialize_if_current(session.as_ref()).await {
                        self.fail(session_gone()).await;
                    }
                    return;
                }
                // A balancer between instances, one of which just died: another try may reach
                // a live one.
                Ok(r) if is_transient(r.status()) => {
                    tracing::debug!(status = %r.status(), "resuming a stream failed for now; retrying");
                }
                Ok(r) => {
                    tracing::debug!(status = %r.status(), "the server refused to resume a stream");
                    break;
                }
                Err(e) => tracing::debug!(error = %e, "resuming a stream failed"),
            }
        }
        let reason = "the response stream was interrupted and could not be resumed; the request may have run";
        self.answer_lost(id, reason.to_owned()).await;
    }

    /// The request's answer cannot come any more: it fails with
    /// [`ServiceError::AnswerLost`](crate::service::ServiceError::AnswerLost), naming why.
    pub(super) async fn answer_lost(&self, id: RequestId, reason: String) {
        tracing::debug!(%id, %reason, "the answer to a request is lost");
        let _ = self.frames.send(Ok(Frame::AnswerLost { id, reason })).await;
    }

    /// The wait before resuming a stream after `failures` attempts in a row brought nothing.
    fn reconnect_delay(&self, parser: &SseParser, failures: usize) -> Duration {
        reconnect::delay(parser.retry_ms, self.config.default_retry, self.config.max_retry_delay, failures)
    }

    /// A request whose answer holds a message larger than the limit fails.
    async fn too_large(&self, id: RequestId, e: EventTooLarge) {
        let e = ErrorData::internal_error(format!("the answer could not be read: {e}"));
        self.incoming(JsonRpcMessage::error(Some(id), e)).await;
    }

    /// The request's stream was resumed, the server's replay reported lost events (a `gap`
    /// event), and the stream ended without the answer: it will not come, on this stream or
    /// another (a resumption would replay the same).
    async fn lost(&self, id: RequestId) {
        tracing::warn!(%id, "the server lost events of this request's stream, its answer among them");
        let reason = "the server's replay of the request's stream reported lost events and ended without the answer";
        self.answer_lost(id, reason.to_owned()).await;
    }

    /// Hand every message of an SSE response to the engine, until the answer to `wanted`.
    async fn read_stream(&self, response: Response, parser: &mut SseParser, wanted: Option<&RequestId>) -> Read {
        parser.new_stream();
        let mut chunks = response.bytes_stream();
        // The server's replay reported missing events (`event: gap`, from our server or one
        // like it): if the stream ends without the answer now, the answer was among them.
        let mut gap = false;
        while let Some(chunk) = chunks.next().await {
            let Ok(chunk) = chunk else { break };
            let events = match parser.push(&chunk) {
                Ok(events) => events,
                Err(e) => return Read::TooLarge(e),
            };
            for event in events {
                if event.event.as_deref() == Some("gap") {
                    tracing::warn!(data = %event.data, "the server lost events of a stream it replays");
                    gap = true;
                    continue;
                }
                if event.event.as_deref().is_some_and(|e| e != "message") {
                    continue;
                }
                match JsonRpcMessage::from_json(&event.data) {
                    Ok(message) => {
                        let done = wanted.is_some_and(|id| answers(&message, id));
                        let other = if done { None } else { answered_id(&message) };
                        self.incoming(message).await;
                        if done {
                            return Read::Answered;
                        }
                        // Another request's answer (a server may answer on the standalone or
                        // a resumed stream): stop reading that request's own stream, which a
                        // server could otherwise hold open, with its connection and task, for
                        // as long as it likes. Only once the answer is handed on.
                        if let Some(id) = other
                            && let Some(flight) = lock(&self.in_flight).remove(&id)
                        {
                            flight.ct.cancel();
                        }
                    }
                    Err(e) => tracing::debug!(error = %e.error, "an SSE event that is no JSON-RPC message"),
                }
            }
        }
        if gap { Read::Gap } else { Read::Ended }
    }

    /// Open the standalone GET stream of a session, once.
    pub(super) fn open_standalone(self: &Arc<Self>) {
        if !self.config.standalone_stream
            || lock(&self.session).is_none()
            || self.standalone_open.swap(true, Ordering::Relaxed)
        {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = this.ct.cancelled() => {}
                () = this.standalone() => {}
            }
        });
    }

    /// The standalone GET stream: read, and reconnect when it ends (backing off while attempts
    /// bring nothing), until the transport stops. A stream of a lost session is reopened in a
    /// new one, so the server's messages keep coming after it restarts.
    async fn standalone(self: &Arc<Self>) {
        let mut parser = SseParser::new(self.config.max_message_bytes);
        let mut failures = 0;
        let mut session = lock(&self.session).clone();
        loop {
            let current = lock(&self.session).clone();
            if current != session {
                // A new session: its event ids start anew, the old ones mean nothing there.
                (parser, failures, session) = (SseParser::new(self.config.max_message_bytes), 0, current);
            }
            match self.get(parser.last_event_id.as_deref()).await {
                Ok(r) if r.status().is_success() && is_sse(r.headers()) && !self.answered_elsewhere(&r) => {
                    let before = parser.last_event_id.clone();
                    if let Read::TooLarge(e) = self.read_stream(r, &mut parser, None).await {
                        // Resuming would replay the same event: give the stream up.
                        tracing::warn!(error = %e, "the standalone stream is given up");
                        return;
                    }
                    failures = if parser.last_event_id != before { 0 } else { failures + 1 };
                }
                Ok(r) if r.status() == StatusCode::NOT_FOUND && !self.answered_elsewhere(&r) => {
                    if self.reinitialize_if_current(session.as_ref()).await {
                        continue;
                    }
                    // Not recovered: the next request notices too.
                    break;
                }
                // No standalone stream here (405), or another one is open (409): for good.
                Ok(r) if matches!(r.status().as_u16(), 405 | 409) => return,
                Ok(_) | Err(_) => failures += 1,
            }
            if failures > self.config.max_reconnects {
                break;
            }
            tokio::time::sleep(self.reconnect_delay(&parser, failures)).await;
        }
        // Given up for now: a new session opens it again.
        self.standalone_open.store(false, Ordering::Relaxed);
    }
}

/// How reading an SSE answer ended.
enum Read {
    /// The answer came.
    Answered,
    /// The stream ended first.
    Ended,
    /// The stream ended first, after the server reported lost events (`event: gap`).
    Gap,
    /// An event exceeded the size limit.
    TooLarge(EventTooLarge),
}

/// A status a gateway answers while what is behind it is briefly unavailable (an instance
/// restarting, a balancer failing over): worth another try.
fn is_transient(status: StatusCode) -> bool {
    matches!(status, StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT)
}
