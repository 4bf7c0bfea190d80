//! The HTTP response to a 2025-era POST carrying requests: plain JSON (one answer, or an array
//! for a batch), an SSE stream, `202` when every request was cancelled, or `404` when the session
//! ended meanwhile.

use std::any::Any;

use bytes::{BufMut, Bytes, BytesMut};
use http::StatusCode;

use super::body::{self, HttpResponse, Rejection};
use super::config::StreamableHttpConfig;
use super::session::{Session, session_gone};
use super::sse::{self, EventStream, ItemKind, ItemRx, Timing};

/// How the response to one POST is shaped.
pub(crate) struct PostResponse<'a> {
    pub(crate) config: &'a StreamableHttpConfig,
    pub(crate) session: &'a Session,
    /// The POST's stream id.
    pub(crate) stream: u64,
    /// Respond with JSON rather than SSE, unless a request to the client makes SSE necessary.
    pub(crate) json: bool,
    /// The POST was a batch: a JSON response is an array.
    pub(crate) batch: bool,
}

impl PostResponse<'_> {
    /// Wait for what decides the shape, and build the response. Returns it, and whether it is
    /// a single JSON-RPC error (a refused `initialize` must leave no session behind).
    ///
    /// Answers are gathered while they come alone; the first other message (progress, a request
    /// to the client) turns the response into an SSE stream. On an SSE-mode POST, an answer that
    /// does not end the POST (a batch) does too, so that nothing waits.
    pub(crate) async fn build(&self, mut rx: ItemRx, guard: impl Any + Send) -> (HttpResponse, bool) {
        let mut answers: Vec<Bytes> = Vec::new();
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
                answers.push(item.data);
                if item.last {
                    return (self.json_response(&answers), refused);
                }
                continue;
            }
            let config = self.config;
            let mut head = Vec::with_capacity(answers.len() + 2);
            if config.event_store.is_some() {
                head.push(sse::priming(&format!("{}-0", self.stream), config.sse_retry));
            }
            head.extend(answers.iter().map(|r| sse::event(None, r)));
            let last = item.last;
            head.push(sse::event(item.event_id.as_deref(), &item.data));
            let rx = (!last).then_some(rx);
            return (body::sse(EventStream::new(head, rx, Timing::from_config(config), guard)), false);
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
        let head = config.event_store.as_ref().map(|_| sse::priming(&format!("{}-0", self.stream), config.sse_retry));
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
