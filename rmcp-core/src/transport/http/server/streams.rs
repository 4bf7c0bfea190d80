//! The router of one 2025-era session: it takes the session engine's outgoing messages and puts
//! each on the SSE stream it belongs to, numbering (and storing) events so that streams resume.
//!
//! One task per session owns all stream state, so a resume (replay, then attach the new
//! connection) can never interleave with a message being routed: no lock, no lost event.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::StatusCode;
use tokio::sync::{mpsc, oneshot};

use super::event_store::EventStore;
use super::sse::{Item, deliver};
use crate::model::{JsonRpcMessage, RequestId};
use crate::transport::Outbound;

/// What the HTTP side asks of a session's router.
#[derive(Debug)]
pub(crate) enum Command {
    /// The POST carrying request `request` reads its messages from `tx` on stream `stream`.
    /// With `json`, only the response goes there; the rest goes to the standalone stream.
    Post { request: RequestId, stream: u64, tx: mpsc::Sender<Item>, json: bool },
    /// A GET opens the standalone stream; the reply is its id and last sequence number, or
    /// `None` when one is already open.
    Standalone { tx: mpsc::Sender<Item>, reply: oneshot::Sender<Option<(u64, u64)>> },
    /// A GET with `Last-Event-ID` resumes `stream` after `after`; the reply holds the events
    /// missed, and `tx` then receives what follows (nothing if the stream is over).
    Resume { stream: u64, after: u64, tx: mpsc::Sender<Item>, reply: oneshot::Sender<Vec<(u64, Bytes)>> },
    /// Close the connection of the stream serving `request` without ending the stream.
    Disconnect { request: RequestId },
    /// The client cancelled `request`: no answer will come, so its stream ends now.
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
    /// Answered as JSON: only the response goes here.
    json: bool,
    standalone: bool,
}

pub(crate) struct Router {
    session: Arc<str>,
    store: Option<Arc<dyn EventStore>>,
    next_stream: Arc<AtomicU64>,
    streams: HashMap<u64, Stream>,
    by_request: HashMap<RequestId, u64>,
    standalone: Option<u64>,
}

impl Router {
    pub fn new(session: Arc<str>, store: Option<Arc<dyn EventStore>>, next_stream: Arc<AtomicU64>) -> Self {
        Self { session, store, next_stream, streams: HashMap::new(), by_request: HashMap::new(), standalone: None }
    }

    /// Route until the engine stops writing.
    pub async fn run(mut self, mut outbound: mpsc::Receiver<Outbound>, mut commands: mpsc::Receiver<Command>) {
        loop {
            tokio::select! {
                // Commands first: a POST registers its stream before its request reaches the
                // engine, so the registration is always seen before the answer.
                biased;
                Some(command) = commands.recv() => self.command(command).await,
                out = outbound.recv() => match out {
                    Some(out) => self.route(out).await,
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
            Command::Post { request, stream, tx, json } => {
                self.streams.insert(stream, Stream { tx: Some(tx), seq: 0, json, standalone: false });
                self.by_request.insert(request, stream);
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
                        self.streams.insert(id, Stream { tx: Some(tx), seq: 0, json: false, standalone: true });
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
                }
            }
            Command::Cancelled { request } => {
                if let Some(stream) = self.by_request.remove(&request) {
                    self.streams.remove(&stream);
                }
            }
        }
    }

    async fn route(&mut self, out: Outbound) {
        let Outbound { message, related_request: related, .. } = out;
        let last = match (&message, &related) {
            (JsonRpcMessage::Response(r), Some(id)) => r.id == *id,
            (JsonRpcMessage::Error(e), Some(id)) => e.id.as_ref() == Some(id),
            _ => false,
        };
        let own = related.as_ref().and_then(|id| self.by_request.get(id).copied());
        let target = match own {
            Some(id) if last || self.streams.get(&id).is_some_and(|s| !s.json) => Some(id),
            // The answer to a request whose stream is gone (cancelled): a response never goes
            // to the standalone stream.
            None if last => return,
            // Unrelated messages, and those of requests answered as plain JSON, go to the
            // standalone stream (2025: "server-initiated messages on the GET stream").
            _ => self.standalone,
        };
        if last && let Some(id) = &related {
            self.by_request.remove(id);
        }
        let Some(stream_id) = target else {
            tracing::debug!("no open stream for a message of this session; dropped");
            return;
        };
        let Some(stream) = self.streams.get_mut(&stream_id) else { return };
        stream.seq += 1;
        let seq = stream.seq;
        let ends_stream = last && !stream.standalone;
        let data = Bytes::from(message.to_json());
        let event_id = match &self.store {
            Some(store) => {
                store.store(&self.session, stream_id, seq, data.clone()).await;
                Some(format!("{stream_id}-{seq}"))
            }
            None => None,
        };
        let Some(stream) = self.streams.get_mut(&stream_id) else { return };
        if let Some(tx) = &stream.tx {
            let item = Item { event_id, data, last: ends_stream, status: StatusCode::OK };
            let alive = match tx.try_send(item) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Closed(_)) => false,
                // The client reads too slowly: with a store, drop the connection and let it
                // resume from the store; without one, hand over what must not be lost.
                Err(mpsc::error::TrySendError::Full(_)) if self.store.is_some() => false,
                Err(mpsc::error::TrySendError::Full(item)) => deliver(tx, item),
            };
            if !alive {
                stream.tx = None;
            }
        }
        if ends_stream {
            self.streams.remove(&stream_id);
        }
    }
}
