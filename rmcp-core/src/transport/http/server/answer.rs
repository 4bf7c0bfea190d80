//! The answer to a 2025-era POST carrying requests: plain JSON (one response, or an array for a
//! batch), an SSE stream, `202` when every request was cancelled, or `404` when the session
//! ended meanwhile.

use std::any::Any;

use bytes::{BufMut, Bytes, BytesMut};
use http::StatusCode;

use super::body::{self, HttpResponse, Rejection};
use super::service::Shared;
use super::session::Session;
use super::sse::{self, EventStream, ItemRx, Timing};
use super::stateful::session_gone;

/// How the answer to one POST is shaped.
pub(crate) struct Answer<'a, S> {
    pub shared: &'a Shared<S>,
    pub session: &'a Session,
    /// The POST's stream id.
    pub stream: u64,
    /// Answer with JSON rather than SSE, unless a request to the client makes SSE necessary.
    pub json: bool,
    /// The POST was a batch: a JSON answer is an array.
    pub batch: bool,
}

impl<S> Answer<'_, S> {
    /// Wait for what decides the shape, and answer. Returns the response, and whether it is a
    /// single JSON-RPC error (a refused `initialize` must leave no session behind).
    ///
    /// Responses are gathered while they come alone; the first other message (progress, a
    /// request to the client) turns the answer into an SSE stream. On an SSE-mode POST, a
    /// response that does not end the POST (a batch) does too, so that nothing waits.
    pub async fn give(&self, mut rx: ItemRx, guard: impl Any + Send) -> (HttpResponse, bool) {
        let mut responses: Vec<Bytes> = Vec::new();
        loop {
            let Some(item) = rx.recv().await else {
                return (self.ended(&responses), false);
            };
            if item.is_end() {
                // Every request was cancelled: no answer comes, but the session goes on.
                if responses.is_empty() {
                    return (body::accepted(), false);
                }
                return (self.json_answer(&responses), false);
            }
            if item.response && (self.json || item.last) {
                let refused = !self.batch && responses.is_empty() && item.error;
                if item.last && responses.is_empty() && !self.batch {
                    // A lone answer (nearly every POST): its body as it is.
                    return (body::json(StatusCode::OK, item.data), refused);
                }
                responses.push(item.data);
                if item.last {
                    return (self.json_answer(&responses), refused);
                }
                continue;
            }
            let config = &self.shared.config;
            let mut head = Vec::with_capacity(responses.len() + 2);
            if config.event_store.is_some() {
                head.push(sse::priming(&format!("{}-0", self.stream), config.sse_retry));
            }
            head.extend(responses.iter().map(|r| sse::event(None, r)));
            let last = item.last;
            head.push(sse::event(item.event_id.as_deref(), &item.data));
            let rx = (!last).then_some(rx);
            return (body::sse(EventStream::new(head, rx, Timing::of(config), guard)), false);
        }
    }

    /// The router let go of the POST before the answer: the session ended (404), or the
    /// connection was closed on purpose for SSE polling (the client resumes with GET).
    fn ended(&self, responses: &[Bytes]) -> HttpResponse {
        if self.session.is_closed() {
            return Rejection::new(StatusCode::NOT_FOUND, session_gone()).into_response();
        }
        if !responses.is_empty() {
            return self.json_answer(responses);
        }
        if self.json {
            return body::accepted();
        }
        let config = &self.shared.config;
        let head = config.event_store.as_ref().map(|_| sse::priming(&format!("{}-0", self.stream), config.sse_retry));
        body::sse(EventStream::new(head, None, Timing::of(config), ()))
    }

    fn json_answer(&self, responses: &[Bytes]) -> HttpResponse {
        if !self.batch && responses.len() == 1 {
            return body::json(StatusCode::OK, responses[0].clone());
        }
        let mut out = BytesMut::with_capacity(responses.iter().map(|r| r.len() + 1).sum::<usize>() + 2);
        out.put_u8(b'[');
        for (i, r) in responses.iter().enumerate() {
            if i > 0 {
                out.put_u8(b',');
            }
            out.put_slice(r);
        }
        out.put_u8(b']');
        body::json(StatusCode::OK, out.freeze())
    }
}
