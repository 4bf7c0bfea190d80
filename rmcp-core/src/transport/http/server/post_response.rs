//! The HTTP response to a 2025-era POST carrying requests: plain JSON (one answer, or an array
//! for a batch), an SSE stream, `202` when every request was cancelled, or `404` when the session
//! ended meanwhile.

use std::any::Any;

use bytes::{BufMut, Bytes, BytesMut};
use http::StatusCode;

use super::body::{self, HttpResponse, Rejection};
use super::config::StreamableHttpConfig;
use super::session::{Session, session_gone};
use super::sse::{self, EventId, EventStream, ItemKind, ItemRx, Timing};
use crate::model::{ErrorData, JsonRpcMessage, RequestId};

/// How the response to one POST is shaped.
pub(crate) struct PostResponse<'a> {
    pub(crate) config: &'a StreamableHttpConfig,
    pub(crate) session: &'a Session,
    /// The POST's stream id.
    pub(crate) stream: u64,
    /// Respond with JSON rather than SSE, unless a request to the client makes SSE necessary.
    pub(crate) json: bool,
    /// The client accepts an SSE response.
    pub(crate) sse_ok: bool,
    /// The POST was a batch: a JSON response is an array.
    pub(crate) batch: bool,
}

impl PostResponse<'_> {
    /// Wait for what decides the shape, and build the response. Returns it, and whether it is
    /// a single JSON-RPC error (a refused `initialize` must leave no session behind).
    ///
    /// Answers are gathered while they come alone; the first other message (progress, a request
    /// to the client) turns the response into an SSE stream. On an SSE-mode POST, an answer that
    /// does not end the POST (a batch) does too, so that nothing waits. A batch's answers
    /// gathered past [`max_batch_response_bytes`](StreamableHttpConfig::max_batch_response_bytes)
    /// go out as SSE too if the client takes it; if not, each answer that does not fit is
    /// replaced by an error.
    pub(crate) async fn build(&self, mut rx: ItemRx, guard: impl Any + Send) -> (HttpResponse, bool) {
        let mut answers: Vec<Bytes> = Vec::new();
        let limit = self.config.max_batch_response_bytes;
        let mut gathered = 0;
        loop {
            let Some(item) = rx.recv().await else {
                return (self.ended_early(&answers), false);
            };
            if item.is_end() {
                // Every request was cancelled: no answer comes, but the session goes on.
                if answers.is_empty() {
                    return (body::accepted(), false);
                }
                return (self.json_response(&answers), false);
            }
            if item.kind.is_answer() && (self.json || item.last) {
                let refused = !self.batch && answers.is_empty() && item.kind == ItemKind::Error;
                if item.last && answers.is_empty() && !self.batch {
                    // A lone answer (nearly every POST): its body as it is.
                    return (body::json(StatusCode::OK, item.data), refused);
                }
                let fits = gathered + item.data.len() <= limit;
                if fits || !self.sse_ok {
                    let answer = if fits { item.data } else { answer_over_limit(&item.data, limit) };
                    gathered += answer.len();
                    answers.push(answer);
                    if item.last {
                        return (self.json_response(&answers), refused);
                    }
                    continue;
                }
                // Past the bound, and the client takes SSE: the answers are streamed instead.
            }
            let config = self.config;
            let mut head = Vec::with_capacity(answers.len() + 2);
            if config.event_store.is_some() {
                head.push(sse::priming(EventId { stream: self.stream, seq: 0 }, config.sse_retry));
            }
            head.extend(answers.iter().map(|r| sse::event(None, r)));
            let last = item.last;
            // The store keeps a response until it is written (here, or by the body).
            let receipts = self.session.streams.receipts();
            if let (Some(receipts), Some(id)) = (&receipts, item.event_id)
                && item.kind.is_answer()
            {
                receipts.delivered(id);
            }
            head.push(sse::event(item.event_id, &item.data));
            let rx = (!last).then_some(rx);
            let body = EventStream::new(head, rx, Timing::from_config(config), guard).with_receipts(receipts);
            return (body::sse(body), false);
        }
    }

    /// The session's streams let go of the POST before its answer: the session ended (404), or
    /// the connection was closed on purpose for SSE polling (the client resumes with GET).
    fn ended_early(&self, answers: &[Bytes]) -> HttpResponse {
        if self.session.is_closed() {
            return Rejection::new(StatusCode::NOT_FOUND, session_gone()).into_response();
        }
        if !answers.is_empty() {
            return self.json_response(answers);
        }
        if self.json {
            return body::accepted();
        }
        let config = self.config;
        let head = config
            .event_store
            .as_ref()
            .map(|_| sse::priming(EventId { stream: self.stream, seq: 0 }, config.sse_retry));
        body::sse(EventStream::new(head, None, Timing::from_config(config), ()))
    }

    /// The answers as one JSON body: the lone answer, or an array for a batch.
    fn json_response(&self, answers: &[Bytes]) -> HttpResponse {
        if !self.batch && answers.len() == 1 {
            return body::json(StatusCode::OK, answers[0].clone());
        }
        let mut out = BytesMut::with_capacity(answers.iter().map(|r| r.len() + 1).sum::<usize>() + 2);
        out.put_u8(b'[');
        for (i, r) in answers.iter().enumerate() {
            if i > 0 {
                out.put_u8(b',');
            }
            out.put_slice(r);
        }
        out.put_u8(b']');
        body::json(StatusCode::OK, out.freeze())
    }
}

/// What answers a batch's request whose answer would take the batch's JSON answer past `limit`
/// bytes: an error with the request's id, naming the limit (the answer itself is dropped).
fn answer_over_limit(answer: &[u8], limit: usize) -> Bytes {
    #[derive(serde::Deserialize)]
    struct Answer {
        id: Option<RequestId>,
    }
    let id = serde_json::from_slice::<Answer>(answer).ok().and_then(|a| a.id);
    let error = ErrorData::internal_error(format!(
        "this answer does not fit in the batch's JSON answer (at most {limit} bytes): send the \
         request alone, or accept text/event-stream"
    ));
    Bytes::from(JsonRpcMessage::error(id, error).to_json())
}
