//! The router of one 2025-era session: it takes the session engine's outgoing messages and puts
//! each on the SSE stream it belongs to, numbering (and storing) events so that streams resume.
//!
//! One task per session owns all stream state, so a resume (replay, then attach the new
//! connection) can never interleave with a message being routed: no lock, no lost event.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use super::event_store::EventStore;
use super::sse::{Item, deliver};
use crate::model::{ErrorData, JsonRpcMessage, RequestId};
use crate::transport::{Frame, Outbound};

/// What the HTTP side asks of a session's router.
#[derive(Debug)]
pub(crate) enum Command {
    /// The POST carrying `requests` (one, or a 2025-03-26 batch) reads its messages from `tx`
    /// on stream `stream`. With `json`, only the responses go there and the rest goes to the
    /// standalone stream, except requests to the client, which make it an SSE answer when
    /// `sse_ok`.
    Post { requests: Vec<RequestId>, stream: u64, tx: mpsc::Sender<Item>, json: bool, sse_ok: bool },
    /// A GET opens the standalone stream; the reply is its id and last sequence number, or
    /// `None` when one is already open.
    Standalone { tx: mpsc::Sender<Item>, reply: oneshot::Sender<Option<(u64, u64)>> },
    /// A GET with `Last-Event-ID` resumes `stream` after `after`; the reply holds the events
    /// missed, and `tx` then receives what follows (nothing if the stream is over).
    Resume { stream: u64, after: u64, tx: mpsc::Sender<Item>, reply: oneshot::Sender<Vec<(u64, Bytes)>> },
    /// Close the connection of the stream serving `request` without ending the stream.
    Disconnect { request: RequestId },
    /// The client cancelled `request`: no answer will come, so its stream ends now (once every
    /// request of its POST is answered or cancelled).
    Cancelled { request: RequestId },
}

/// A handle a handler finds in the extensions of a 2025-era request
/// ([`RequestContext::extensions`](crate::service::RequestContext)) to control the SSE stream
/// of its response.
#[derive(Debug, Clone)]
pub struct StreamControl {
    request: RequestId,
    commands: mpsc::Sender<Command>,
}

impl StreamControl {
    pub(crate) fn new(request: RequestId, commands: mpsc::Sender<Command>) -> Self {
        Self { request, commands }
    }

    /// Close the HTTP connection of this request's SSE stream without ending the stream (SSE
    /// polling): the response is then answered as SSE with a priming event, the client
    /// reconnects with `GET` and `Last-Event-ID` after the `retry` delay, and receives what
    /// followed, including the result. Without an event store this does nothing, as nothing
    /// could be resumed.
    pub async fn close_connection(&self) {
        let _ = self.commands.send(Command::Disconnect { request: self.request.clone() }).await;
    }
}

struct Stream {
    /// The live connection, if any.
    tx: Option<mpsc::Sender<Item>>,
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
    standalone: bool,
}

pub(crate) struct Router {
    session: Arc<str>,
    store: Option<Arc<dyn EventStore>>,
    next_stream: Arc<AtomicU64>,
    /// The engine's input, to fail server-to-client requests that cannot be delivered.
    input: mpsc::WeakSender<Box<io::Result<Frame>>>,
    streams: HashMap<u64, Stream>,
    by_request: HashMap<RequestId, u64>,
    standalone: Option<u64>,
}

impl Router {
    pub fn new(
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
            streams: HashMap::new(),
            by_request: HashMap::new(),
            standalone: None,
        }
    }

    /// Route until the engine stops writing.
    pub async fn run(mut self, mut outbound: mpsc::Receiver<Box<Outbound>>, mut commands: mpsc::Receiver<Command>) {
        loop {
            tokio::select! {
                // Commands first: a POST registers its stream before its request reaches the
                // engine, so the registration is always seen before the answer.
                biased;
                Some(command) = commands.recv() => self.command(command).await,
                out = outbound.recv() => match out {
                    Some(out) => self.route(*out).await,
                    None => break,
                },
            }
        }
        if let Some(store) = &self.store {
            store.remove_session(&self.session).await;
        }
    }

    async fn command(&mut self, command: Command) {
        match command {
            Command::Post { requests, stream, tx, json, sse_ok } => {
                let pending = requests.len();
                let s = Stream { tx: Some(tx), seq: 0, json, sse_ok, pending, primed: false, standalone: false };
                self.streams.insert(stream, s);
                for request in requests {
                    self.by_request.insert(request, stream);
                }
            }
            Command::Standalone { tx, reply } => {
                let open = self.standalone.and_then(|id| self.streams.get_mut(&id).map(|s| (id, s)));
                let answer = match open {
                    Some((_, s)) if s.tx.as_ref().is_some_and(|t| !t.is_closed()) => None,
                    Some((id, s)) => {
                        s.tx = Some(tx);
                        Some((id, s.seq))
                    }
                    None => {
                        let id = self.next_stream.fetch_add(1, Ordering::Relaxed);
                        let stream = Stream {
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
                        Some((id, 0))
                    }
                };
                let _ = reply.send(answer);
            }
            Command::Resume { stream, after, tx, reply } => {
                let missed = match &self.store {
                    Some(store) => store.replay(&self.session, stream, after).await,
                    None => Vec::new(),
                };
                // A stream still going continues on the new connection; one that is over ends
                // with the replay (dropping `tx` closes the response).
                if let Some(s) = self.streams.get_mut(&stream) {
                    s.tx = Some(tx);
                }
                let _ = reply.send(missed);
            }
            Command::Disconnect { request } => {
                if self.store.is_some()
                    && let Some(s) = self.by_request.get(&request).and_then(|id| self.streams.get_mut(id))
                    && !s.json
                {
                    s.tx = None;
                    s.primed = true;
                }
            }
            Command::Cancelled { request } => {
                let Some(id) = self.by_request.remove(&request) else { return };
                let Some(stream) = self.streams.get_mut(&id) else { return };
                stream.pending = stream.pending.saturating_sub(1);
                if stream.pending == 0 {
                    // No answer will come: the response ends now, without one.
                    if let Some(tx) = &stream.tx {
                        deliver(tx, Item::end());
                    }
                    self.streams.remove(&id);
                }
            }
        }
    }

    async fn route(&mut self, out: Outbound) {
        let Outbound { message, related_request: related, .. } = out;
        let answers = match (&message, &related) {
            (JsonRpcMessage::Response(r), Some(id)) => r.id == *id,
            (JsonRpcMessage::Error(e), Some(id)) => e.id.as_ref() == Some(id),
            _ => false,
        };
        let is_request = matches!(message, JsonRpcMessage::Request(_));
        let own = related.as_ref().and_then(|id| self.by_request.get(id).copied());
        let target = match own {
            Some(id) if answers => Some(id),
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
            None if answers => return,
            // Unrelated messages, and those of requests answered as plain JSON, go to the
            // standalone stream (2025: "server-initiated messages on the GET stream").
            None => self.standalone,
        };
        if answers && let Some(id) = &related {
            self.by_request.remove(id);
        }
        let delivered = match target {
            Some(stream_id) => self.send(stream_id, &message, answers).await,
            None => false,
        };
        if !delivered && let JsonRpcMessage::Request(r) = &message {
            self.refuse(r.id.clone());
        }
        if !delivered && !is_request {
            tracing::debug!("no open stream for a message of this session; dropped");
        }
    }

    /// Put a message on a stream; `false` when it reached no one (no connection, and nothing
    /// stored for a later one).
    async fn send(&mut self, stream_id: u64, message: &JsonRpcMessage, answers: bool) -> bool {
        let Some(stream) = self.streams.get_mut(&stream_id) else { return false };
        if answers {
            stream.pending = stream.pending.saturating_sub(1);
        }
        let ends_stream = answers && !stream.standalone && stream.pending == 0;
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
        let mut delivered = stored;
        if let Some(tx) = &stream.tx {
            let item = Item::new(event_id, data, message, ends_stream);
            let alive = match tx.try_send(item) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Closed(_)) => false,
                // The client reads too slowly: with a store, drop the connection and let it
                // resume from the store; without one, hand over what must not be lost.
                Err(mpsc::error::TrySendError::Full(_)) if stored => false,
                Err(mpsc::error::TrySendError::Full(item)) => deliver(tx, item),
            };
            delivered |= alive;
            if !alive {
                stream.tx = None;
            }
        }
        if ends_stream {
            self.streams.remove(&stream_id);
        }
        delivered
    }

    /// A request to the client that can reach it nowhere: fail it at once, so the handler
    /// waiting for the answer does not wait forever.
    fn refuse(&self, id: RequestId) {
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
