//! The streams of one 2025-era session: each of the session engine's outgoing messages goes on
//! the SSE stream it belongs to (a POST's, or the standalone GET stream), its events numbered
//! (and stored) so that streams resume.
//!
//! [`SessionStreams`] is the engine's sink: the engine's writer forwards each message as it
//! writes it, and the HTTP side registers and resumes streams under the same lock. So a resume
//! (replay, then attach the new connection) never interleaves with a message being forwarded,
//! nothing is lost, and a session costs no task and no queue of its own. Requests the session
//! serves directly (without its engine) send their messages here too, from their own tasks
//! ([`DirectOutput`]).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};

use ahash::HashMap;
use bytes::Bytes;
use futures::future::BoxFuture;
use futures::{FutureExt, Sink};
use tokio::sync::{Mutex, mpsc};
use tokio_util::sync::CancellationToken;

use super::event_store::EventStore;
use super::sse::{Item, ItemTx, enqueue};
use crate::model::{ErrorData, JsonRpcMessage, RequestId};
use crate::service::dispatch::DirectOutput;
use crate::transport::{Frame, Outbound};

/// Why a POST's requests were not taken.
#[derive(Debug)]
pub(crate) enum PostRefused {
    /// The session has ended.
    Closed,
    /// A request of the POST has the id of one still in flight.
    InFlight(RequestId),
}

/// Why a GET could not open the standalone stream.
#[derive(Debug)]
pub(crate) enum StandaloneRefused {
    /// The session has ended.
    Closed,
    /// The session's standalone stream is open on another connection.
    AlreadyOpen,
}

/// A session's streams, shared by its engine's writer and the HTTP requests of the session.
pub(crate) type SharedSessionStreams = Arc<Mutex<SessionStreams>>;

/// A handle a handler finds in the extensions of a 2025-era request
/// ([`RequestContext::extensions`](crate::service::RequestContext)) to control the SSE stream
/// of its response.
#[derive(Clone)]
pub struct StreamControl {
    request: RequestId,
    streams: SharedSessionStreams,
}

impl std::fmt::Debug for StreamControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamControl").field("request", &self.request).finish()
    }
}

impl StreamControl {
    pub(crate) fn new(request: RequestId, streams: SharedSessionStreams) -> Self {
        Self { request, streams }
    }

    /// Close the HTTP connection of this request's SSE stream without ending the stream (SSE
    /// polling): the response is then answered as SSE with a priming event, the client
    /// reconnects with `GET` and `Last-Event-ID` after the `retry` delay, and receives what
    /// followed, including the result. Without an event store this does nothing, as nothing
    /// could be resumed.
    pub async fn close_connection(&self) {
        self.streams.lock().await.disconnect(&self.request);
    }
}

/// One SSE stream of the session: a POST's, or the standalone one a GET opens.
struct StreamState {
    /// The live connection, if any.
    tx: Option<ItemTx>,
    /// The last event's sequence number.
    seq: u64,
    /// Answered as JSON: only responses go here (unless upgraded to SSE).
    json: bool,
    /// The client accepts an SSE answer: a JSON answer not yet given may become one.
    sse_ok: bool,
    /// Requests of the POST not answered yet; the stream ends with the last answer.
    pending: usize,
    /// The client was given an event id of this stream (its connection was closed for SSE
    /// polling), so it may resume it.
    primed: bool,
    /// The session's standalone stream (opened by a GET); it never ends with an answer.
    standalone: bool,
}

/// The SSE streams of one 2025-era session, and which request's messages go to which.
pub(crate) struct SessionStreams {
    session: Arc<str>,
    store: Option<Arc<dyn EventStore>>,
    next_stream: Arc<AtomicU64>,
    /// The engine's input, to fail the requests to the client that can reach it nowhere.
    input: mpsc::WeakSender<Box<io::Result<Frame>>>,
    streams: HashMap<u64, StreamState>,
    /// The stream of each request in flight.
    by_request: HashMap<RequestId, u64>,
    /// The tokens of requests served directly, which the engine cannot cancel.
    direct: HashMap<RequestId, CancellationToken>,
    standalone: Option<u64>,
    /// The engine stopped: every stream has ended and no new one opens.
    closed: bool,
}

impl SessionStreams {
    /// The streams of session `session`, storing events in `store` and failing through `input`
    /// the requests to the client that can reach it nowhere.
    pub(crate) fn new(
        session: Arc<str>,
        store: Option<Arc<dyn EventStore>>,
        next_stream: Arc<AtomicU64>,
        input: mpsc::WeakSender<Box<io::Result<Frame>>>,
    ) -> Self {
        Self {
            session,
            store,
            next_stream,
            input,
            streams: HashMap::default(),
            by_request: HashMap::default(),
            direct: HashMap::default(),
            standalone: None,
            closed: false,
        }
    }

    /// A POST carrying `requests` (one, or a 2025-03-26 batch) reads its messages from `tx` on
    /// stream `stream`. With `json`, only the responses go there and the rest goes to the
    /// standalone stream, except requests to the client, which make it an SSE answer when
    /// `sse_ok`. A request served directly brings its token (`direct`), for
    /// `notifications/cancelled` to reach it.
    pub(crate) fn register_post(
        &mut self,
        requests: Vec<RequestId>,
        stream: u64,
        tx: ItemTx,
        json: bool,
        sse_ok: bool,
        direct: Option<CancellationToken>,
    ) -> Result<(), PostRefused> {
        if self.closed {
            return Err(PostRefused::Closed);
        }
        if let Some(id) = requests.iter().find(|id| self.by_request.contains_key(id)) {
            return Err(PostRefused::InFlight(id.clone()));
        }
        if let (Some(ct), [id]) = (direct, requests.as_slice()) {
            self.direct.insert(id.clone(), ct);
        }
        let pending = requests.len();
        let s = StreamState { tx: Some(tx), seq: 0, json, sse_ok, pending, primed: false, standalone: false };
        self.streams.insert(stream, s);
        for request in requests {
            self.by_request.insert(request, stream);
        }
        Ok(())
    }

    /// A GET opens the standalone stream (or takes it over from a connection that went away):
    /// its id and last sequence number.
    pub(crate) fn open_standalone(&mut self, tx: ItemTx) -> Result<(u64, u64), StandaloneRefused> {
        if self.closed {
            return Err(StandaloneRefused::Closed);
        }
        let open = self.standalone.and_then(|id| self.streams.get_mut(&id).map(|s| (id, s)));
        match open {
            Some((_, s)) if s.tx.as_ref().is_some_and(|t| !t.is_closed()) => Err(StandaloneRefused::AlreadyOpen),
            Some((id, s)) => {
                s.tx = Some(tx);
                Ok((id, s.seq))
            }
            None => {
                let id = self.next_stream.fetch_add(1, Ordering::Relaxed);
                let stream = StreamState {
                    tx: Some(tx),
                    seq: 0,
                    json: false,
                    sse_ok: true,
                    pending: 0,
                    primed: true,
                    standalone: true,
                };
                self.streams.insert(id, stream);
                self.standalone = Some(id);
                Ok((id, 0))
            }
        }
    }

    /// A GET with `Last-Event-ID` resumes `stream` after `after`: the events missed, after
    /// which `tx` receives what follows (nothing if the stream is over). `None` when the
    /// session has ended.
    pub(crate) async fn resume(&mut self, stream: u64, after: u64, tx: ItemTx) -> Option<Vec<(u64, Bytes)>> {
        if self.closed {
            return None;
        }
        let missed = match &self.store {
            Some(store) => store.replay(&self.session, stream, after).await,
            None => Vec::new(),
        };
        // A stream still going continues on the new connection; one that is over ends with the
        // replay (dropping `tx` closes the response).
        if let Some(s) = self.streams.get_mut(&stream) {
            s.tx = Some(tx);
        }
        Some(missed)
    }

    /// Close the connection of the stream serving `request` without ending the stream.
    pub(crate) fn disconnect(&mut self, request: &RequestId) {
        if self.store.is_some()
            && let Some(s) = self.by_request.get(request).and_then(|id| self.streams.get_mut(id))
            && !s.json
        {
            s.tx = None;
            s.primed = true;
        }
    }

    /// The client cancelled `request`: no answer will come, so its stream ends now (once every
    /// request of its POST is answered or cancelled).
    pub(crate) fn cancelled(&mut self, request: &RequestId) {
        if let Some(ct) = self.direct.remove(request) {
            ct.cancel();
        }
        let Some(id) = self.by_request.remove(request) else { return };
        let Some(stream) = self.streams.get_mut(&id) else { return };
        stream.pending = stream.pending.saturating_sub(1);
        if stream.pending == 0 {
            // No answer will come: the response ends now, without one.
            if let Some(tx) = &stream.tx {
                enqueue(tx, Item::end());
            }
            self.streams.remove(&id);
        }
    }

    /// The engine stopped: end every stream and forget the session's events.
    async fn close(&mut self) {
        if std::mem::replace(&mut self.closed, true) {
            return;
        }
        self.streams.clear();
        self.by_request.clear();
        self.direct.clear();
        self.standalone = None;
        if let Some(store) = &self.store {
            store.remove_session(&self.session).await;
        }
    }

    /// Put one of the session's outgoing messages on the stream it belongs to.
    async fn forward(&mut self, out: Outbound) {
        let Outbound { message, related_request: related, .. } = out;
        let is_answer = match (&message, &related) {
            (JsonRpcMessage::Response(r), Some(id)) => r.id == *id,
            (JsonRpcMessage::Error(e), Some(id)) => e.id.as_ref() == Some(id),
            _ => false,
        };
        let is_request = matches!(message, JsonRpcMessage::Request(_));
        let own = related.as_ref().and_then(|id| self.by_request.get(id).copied());
        let target = match own {
            Some(id) if is_answer => Some(id),
            Some(id) => match self.streams.get_mut(&id) {
                Some(s) if !s.json => Some(id),
                // A request to the client while the POST is answered as JSON: answer it with SSE
                // instead if the client takes that (the JSON answer is not given yet, as it is
                // the response itself).
                Some(s) if is_request && s.sse_ok => {
                    s.json = false;
                    Some(id)
                }
                _ => self.standalone,
            },
            // The answer to a request whose stream is gone (cancelled): a response never goes
            // to the standalone stream.
            None if is_answer => return,
            // Unrelated messages, and those of requests answered as plain JSON, go to the
            // standalone stream (2025: "server-initiated messages on the GET stream").
            None => self.standalone,
        };
        if is_answer && let Some(id) = &related {
            self.by_request.remove(id);
            self.direct.remove(id);
        }
        let reached = match target {
            Some(stream_id) => self.put(stream_id, &message, is_answer).await,
            None => false,
        };
        if !reached && let JsonRpcMessage::Request(r) = &message {
            self.refuse_request(r.id.clone());
        }
        if !reached && !is_request {
            tracing::debug!("no open stream for a message of this session; dropped");
        }
    }

    /// Put a message on a stream; `false` when it reached no one (no connection, and nothing
    /// stored for a later one).
    async fn put(&mut self, stream_id: u64, message: &JsonRpcMessage, is_answer: bool) -> bool {
        let Some(stream) = self.streams.get_mut(&stream_id) else { return false };
        if is_answer {
            stream.pending = stream.pending.saturating_sub(1);
        }
        let ends_stream = is_answer && !stream.standalone && stream.pending == 0;
        stream.seq += 1;
        let seq = stream.seq;
        let data = Bytes::from(message.to_json());
        // A JSON answer cannot be resumed: its events are not kept. Neither is a response that is
        // the first and last message of an unprimed POST: it is answered as JSON too.
        let json_answer = stream.json || (ends_stream && seq == 1 && !stream.primed);
        let store = self.store.as_ref().filter(|_| !json_answer);
        let event_id = match store {
            Some(store) => {
                store.store(&self.session, stream_id, seq, data.clone()).await;
                Some(format!("{stream_id}-{seq}"))
            }
            None => None,
        };
        let stored = event_id.is_some();
        let Some(stream) = self.streams.get_mut(&stream_id) else { return stored };
        let mut reached = stored;
        if let Some(tx) = &stream.tx {
            let item = Item::new(event_id, data, message, ends_stream);
            let alive = match tx.try_send(item) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Closed(_)) => false,
                // The client reads too slowly: with a store, drop the connection and let it
                // resume from the store; without one, hand over what must not be lost.
                Err(mpsc::error::TrySendError::Full(_)) if stored => false,
                Err(mpsc::error::TrySendError::Full(item)) => enqueue(tx, item),
            };
            reached |= alive;
            if !alive {
                stream.tx = None;
            }
        }
        if ends_stream {
            self.streams.remove(&stream_id);
        }
        reached
    }

    /// A request to the client that can reach it nowhere: fail it at once, so the handler
    /// waiting for the answer does not wait forever.
    fn refuse_request(&self, id: RequestId) {
        let error = ErrorData::internal_error(
            "the client has no open stream to receive this request (no standalone GET stream, and \
             the POST it belongs to is answered as JSON)",
        );
        let Some(input) = self.input.upgrade() else { return };
        let frame = Box::new(Ok(Frame::Message(JsonRpcMessage::error(Some(id), error), http::Extensions::new())));
        if let Err(mpsc::error::TrySendError::Full(frame)) = input.try_send(frame) {
            tokio::spawn(async move {
                let _ = input.send(frame).await;
            });
        }
    }
}

/// The engine's sink for a session: each message is forwarded to its stream by the engine's
/// writer task itself.
pub(crate) struct SessionStreamsSink {
    streams: SharedSessionStreams,
    /// The message being forwarded (or, at the end, the closing), while it waits for the lock or
    /// the event store.
    busy: Option<BoxFuture<'static, ()>>,
    closed: bool,
}

impl SessionStreamsSink {
    /// The sink forwarding to `streams`.
    pub(crate) fn new(streams: SharedSessionStreams) -> Self {
        Self { streams, busy: None, closed: false }
    }

    fn poll_busy(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(busy) = &mut self.busy {
            ready!(busy.poll_unpin(cx));
            self.busy = None;
        }
        Poll::Ready(())
    }
}

impl Sink<Outbound> for SessionStreamsSink {
    type Error = io::Error;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_busy(cx).map(Ok)
    }

    fn start_send(self: Pin<&mut Self>, out: Outbound) -> io::Result<()> {
        let this = self.get_mut();
        if this.closed {
            return Err(io::Error::from(io::ErrorKind::BrokenPipe));
        }
        let streams = this.streams.clone();
        this.busy = Some(Box::pin(async move { streams.lock().await.forward(out).await }));
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_busy(cx).map(Ok)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_busy(cx));
        if !this.closed {
            this.closed = true;
            let streams = this.streams.clone();
            this.busy = Some(Box::pin(async move { streams.lock().await.close().await }));
            ready!(this.poll_busy(cx));
        }
        Poll::Ready(Ok(()))
    }
}

impl Drop for SessionStreamsSink {
    /// A writer that was abandoned (not closed) still ends the session's streams: they hold
    /// the session alive, and their clients wait for the end.
    fn drop(&mut self) {
        if self.closed && self.busy.is_none() {
            return;
        }
        let streams = self.streams.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { streams.lock().await.close().await });
        }
    }
}

/// Requests served directly put their messages on their streams themselves, on their own task.
impl DirectOutput for Mutex<SessionStreams> {
    fn send(&self, out: Outbound) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            let mut streams = self.lock().await;
            if streams.closed {
                return false;
            }
            streams.forward(out).await;
            true
        })
    }
}
