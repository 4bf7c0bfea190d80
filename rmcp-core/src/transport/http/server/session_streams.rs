//! The streams of one 2025-era session: each of the session engine's outgoing messages goes on
//! the SSE stream it belongs to (a POST's, or the standalone GET stream), its events numbered
//! (and stored) so that streams resume.
//!
//! [`SessionStreams`] is the engine's sink (through `SessionStreamsSink`, in `session_sink.rs`):
//! the engine's writer forwards each message as it writes it, and the HTTP side registers and resumes streams under the same lock, so a session
//! costs no task and no queue of its own. Requests the session serves directly (without its
//! engine) send their messages here too, from their own tasks ([`DirectOutput`]).
//!
//! # The event store
//!
//! An event is numbered under the lock and handed to the event store right there: a store done
//! at once (the in-memory one) costs no second trip through the lock. A store that is not done
//! is waited for with the lock released, so it holds up only the stream of its event: a stream's
//! events are delivered in the order of their numbers (one stored early waits for the ones
//! before it), and a resumption replays what was delivered before it took the stream over, what
//! follows coming live. An event the store did not take (it failed, was full, or took longer
//! than the store timeout) is delivered live only, and never lost by cutting a slow connection;
//! a response the store did not take, whose client is away, waits here for the client to resume.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use foldhash::HashMap;
use futures_util::future::BoxFuture;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::event_store::{EventKind, EventStore, EventStoreError, StoredEvent};
use super::message_bus::{BusMessage, BusMessageKind, BusTarget, MessageBus, publish_in_background};
use super::sse::{EventId, Item, ItemTx, Receipts, enqueue};
use super::stats::StreamCounts;
use super::stream_delivery::{Placed, StreamState, replay_head};
use super::sync::lock_ignoring_poison;
use crate::model::{ErrorData, JsonRpcMessage, RequestId};
use crate::service::dispatch::{DirectOutput, poll_once};
use crate::transport::{Frame, Outbound};

/// How many events of a session may wait for the event store at once. Beyond, events go
/// unstored (live only), so a store that stalls cannot pile up tasks and events without end.
const MAX_PENDING_STORES: usize = 1024;

/// Why a POST's requests were not taken.
#[derive(Debug)]
pub(crate) enum PostRefused {
    /// The session has ended.
    Closed,
    /// A request of the POST has the id of one still in flight.
    InFlight(RequestId),
    /// The session has this many requests in flight already, its limit.
    TooMany(usize),
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
pub(crate) type SharedSessionStreams = Arc<SessionStreams>;

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
        self.streams.disconnect(&self.request);
    }
}

/// What the lock of [`SessionStreams`] guards.
#[derive(Default)]
struct StreamTable {
    streams: HashMap<u64, StreamState>,
    /// The stream of each request in flight.
    by_request: HashMap<RequestId, u64>,
    /// The tokens of requests served directly, which the engine cannot cancel.
    direct: HashMap<RequestId, CancellationToken>,
    standalone: Option<u64>,
    /// The engine stopped: every stream has ended and no new one opens.
    closed: bool,
    /// Events waiting for the event store.
    storing: usize,
}

impl StreamTable {
    /// Forget `request`: it was cancelled, or never handed on. Its stream ends with its POST's
    /// last request.
    fn forget_request(&mut self, request: &RequestId) {
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
}

/// The SSE streams of one 2025-era session, and which request's messages go to which.
pub(crate) struct SessionStreams {
    session: Arc<str>,
    store: Option<Arc<dyn EventStore>>,
    /// How long the event store may take to keep an event or replay a stream.
    store_timeout: Option<Duration>,
    next_stream: Arc<AtomicU64>,
    /// The engine's input, to fail the requests to the client that can reach it nowhere.
    input: mpsc::WeakSender<Box<io::Result<Frame>>>,
    /// At most this many requests in flight (`max_requests_per_session`).
    max_requests: usize,
    /// The other instances, for the messages of the standalone stream when it is held by one of
    /// them.
    bus: Option<Arc<dyn MessageBus>>,
    /// The session's events stay in the store when its streams close here: the session goes
    /// on on other instances (with a session store), or another request restored it first.
    keep_events: AtomicBool,
    /// Never held across an await: a slow event store holds up no one else.
    table: Mutex<StreamTable>,
}

/// How forwarding a message began.
enum Begun<'a> {
    /// The session has ended.
    Closed,
    /// Delivered, or dropped.
    Done,
    /// Waiting for the event store.
    Storing(Placed, BoxFuture<'a, Result<(), EventStoreError>>),
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
            store_timeout: None,
            next_stream,
            input,
            max_requests: usize::MAX,
            bus: None,
            keep_events: AtomicBool::new(false),
            table: Mutex::default(),
        }
    }

    /// Relay the messages for the standalone stream over `bus` when it is not held here.
    pub(crate) fn with_bus(mut self, bus: Option<Arc<dyn MessageBus>>) -> Self {
        self.bus = bus;
        self
    }

    /// Whether the session's events outlive its streams here (see [`Self::keep_events`]).
    pub(crate) fn with_kept_events(self, keep: bool) -> Self {
        self.keep_events.store(keep, Ordering::Relaxed);
        self
    }

    /// Leave the session's events in the store when the streams close here.
    pub(crate) fn keep_events(&self) {
        self.keep_events.store(true, Ordering::Relaxed);
    }

    /// Forget the session's events when the streams close here: it was deleted.
    pub(crate) fn forget_events_on_close(&self) {
        self.keep_events.store(false, Ordering::Relaxed);
    }

    /// Take at most `max` requests in flight at once.
    pub(crate) fn with_max_requests(mut self, max: usize) -> Self {
        self.max_requests = max;
        self
    }

    /// Give the event store at most `timeout` to keep an event or replay a stream.
    pub(crate) fn with_store_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.store_timeout = timeout;
        self
    }

    fn lock(&self) -> MutexGuard<'_, StreamTable> {
        lock_ignoring_poison(&self.table)
    }

    /// What tells the event store of the responses a body writes (none without a store).
    pub(crate) fn receipts(&self) -> Option<Receipts> {
        self.store.as_ref().map(|store| Receipts::new(store.clone(), self.session.clone()))
    }

    /// A POST carrying `requests` (one, or a 2025-03-26 batch) reads its messages from `tx` on
    /// stream `stream`. With `json`, only the responses go there and the rest goes to the
    /// standalone stream, except requests to the client, which make it an SSE answer when
    /// `sse_ok`. A request served directly brings its token (`direct`), for
    /// `notifications/cancelled` to reach it. The requests stay registered until they are
    /// handed on ([`Registered`]).
    pub(crate) fn register_post(
        &self,
        requests: Vec<RequestId>,
        stream: u64,
        tx: ItemTx,
        json: bool,
        sse_ok: bool,
        direct: Option<CancellationToken>,
    ) -> Result<Registered<'_>, PostRefused> {
        let mut table = self.lock();
        if table.closed {
            return Err(PostRefused::Closed);
        }
        if let Some(id) = requests.iter().find(|id| table.by_request.contains_key(id)) {
            return Err(PostRefused::InFlight(id.clone()));
        }
        if table.by_request.len() + requests.len() > self.max_requests {
            return Err(PostRefused::TooMany(self.max_requests));
        }
        if let (Some(ct), [id]) = (direct, requests.as_slice()) {
            table.direct.insert(id.clone(), ct);
        }
        table.streams.insert(stream, StreamState::new(tx, json, sse_ok, requests.len(), false));
        for request in &requests {
            table.by_request.insert(request.clone(), stream);
        }
        drop(table);
        Ok(Registered { streams: self, stream, ids: requests, handed_on: 0 })
    }

    /// A GET opens the standalone stream (or takes it over from a connection that went away):
    /// its id, and the number of the last event delivered on it.
    pub(crate) fn open_standalone(&self, tx: ItemTx) -> Result<(u64, u64), StandaloneRefused> {
        let mut table = self.lock();
        let table = &mut *table;
        if table.closed {
            return Err(StandaloneRefused::Closed);
        }
        let open = table.standalone.and_then(|id| table.streams.get_mut(&id).map(|s| (id, s)));
        match open {
            Some((_, s)) if s.tx.as_ref().is_some_and(|t| !t.is_closed()) => Err(StandaloneRefused::AlreadyOpen),
            Some((id, s)) => {
                s.tx = Some(tx);
                Ok((id, s.delivered))
            }
            None => {
                let id = self.next_stream.fetch_add(1, Ordering::Relaxed);
                table.streams.insert(id, StreamState::new(tx, false, true, 0, true));
                table.standalone = Some(id);
                Ok((id, 0))
            }
        }
    }

    /// A GET with `Last-Event-ID` resumes `stream` after `after`: the head of its response (the
    /// events missed, after a [gap](super::sse::gap) event if some are lost), after which `tx`
    /// receives what follows (nothing if the stream is over). `None` when the session has ended.
    pub(crate) async fn resume(&self, stream: u64, after: u64, tx: ItemTx) -> Option<Vec<Bytes>> {
        // The new connection takes the stream over first: what is delivered from now on goes to
        // it, and what was delivered before (up to `upto`) is what the store replays. `None` for
        // a stream that is over, whose events are all in the store.
        let upto = {
            let mut table = self.lock();
            if table.closed {
                return None;
            }
            match table.streams.get_mut(&stream) {
                Some(s) => match s.parked.take() {
                    Some(answer) => {
                        // The last event delivered; it comes after the replay.
                        let upto = s.delivered.saturating_sub(1);
                        let _ = tx.try_send(answer);
                        table.streams.remove(&stream);
                        Some(upto)
                    }
                    None => {
                        s.tx = Some(tx);
                        Some(s.delivered)
                    }
                },
                None => None,
            }
        };
        let replayed = match &self.store {
            Some(store) => self.in_time(store.replay(&self.session, stream, after)).await,
            None => Some(Ok(Vec::new())),
        };
        let (events, failed) = match replayed {
            Some(Ok(events)) => (events, false),
            Some(Err(e)) => {
                tracing::debug!(error = %e, "the event store could not replay a stream");
                (Vec::new(), true)
            }
            None => {
                tracing::debug!("the event store took too long to replay a stream");
                (Vec::new(), true)
            }
        };
        Some(replay_head(stream, after, upto, (!failed).then_some(events), self.receipts()))
    }

    /// Close the connection of the stream serving `request` without ending the stream.
    pub(crate) fn disconnect(&self, request: &RequestId) {
        if self.store.is_none() {
            return;
        }
        let mut table = self.lock();
        let table = &mut *table;
        if let Some(s) = table.by_request.get(request).and_then(|id| table.streams.get_mut(id))
            && !s.json
        {
            s.tx = None;
            s.primed = true;
        }
    }

    /// The client cancelled `request`: no answer will come, so its stream ends now (once every
    /// request of its POST is answered or cancelled).
    pub(crate) fn cancelled(&self, request: &RequestId) {
        self.lock().forget_request(request);
    }

    /// The service is shutting down: end the standalone stream, which would never end by itself
    /// (its client, refused a new one with 503, goes elsewhere or comes back later). A stream
    /// resumed with `Last-Event-ID` now replays what was stored and ends.
    pub(crate) fn close_standalone(&self) {
        let mut table = self.lock();
        if let Some(id) = table.standalone.take() {
            table.streams.remove(&id);
        }
    }

    /// Whether this instance holds the session's standalone (GET) stream: the one instance
    /// that tells the client of a resource update. With other instances, only a stream whose
    /// client is connected counts (a client that left may have opened one elsewhere since).
    pub(crate) fn holds_standalone(&self) -> bool {
        let table = self.lock();
        let stream = table.standalone.and_then(|id| table.streams.get(&id));
        stream.is_some_and(|s| self.bus.is_none() || s.tx.as_ref().is_some_and(|tx| !tx.is_closed()))
    }

    /// The sizes of the table ([`StreamableHttpStats`](super::StreamableHttpStats)).
    pub(crate) fn counts(&self) -> StreamCounts {
        let table = self.lock();
        let standalone = usize::from(table.standalone.is_some_and(|id| table.streams.contains_key(&id)));
        StreamCounts {
            requests: table.by_request.len(),
            direct: table.direct.len(),
            post_streams: table.streams.len() - standalone,
            standalone,
            storing: table.storing,
        }
    }

    /// Whether a request of the session is not answered yet (whether or not its POST is open).
    pub(crate) fn has_requests_in_flight(&self) -> bool {
        !self.lock().by_request.is_empty()
    }

    /// The service is shutting down and waits no longer: answer every request in flight with
    /// `error`, on its stream, and stop those served directly (the engine's stop with it).
    pub(crate) async fn fail_requests_in_flight(&self, error: &ErrorData) {
        let ids: Vec<RequestId> = self.lock().by_request.keys().cloned().collect();
        for id in ids {
            let direct = self.lock().direct.remove(&id);
            if let Some(ct) = direct {
                ct.cancel();
            }
            let answer = JsonRpcMessage::error(Some(id.clone()), error.clone());
            // As if the handler had answered: its own answer, if it comes, is then dropped.
            self.forward(Outbound::related(answer, Some(id))).await;
        }
    }

    /// The engine stopped: end every stream. Returns whether the session was still open (its
    /// events are then to be forgotten, with [`forget_events`](Self::forget_events)).
    pub(super) fn close(&self) -> bool {
        let mut table = self.lock();
        if std::mem::replace(&mut table.closed, true) {
            return false;
        }
        table.streams.clear();
        table.by_request.clear();
        table.direct.clear();
        table.standalone = None;
        true
    }

    /// Forget the session's events: it has ended.
    pub(super) async fn forget_events(&self) {
        if self.keep_events.load(Ordering::Relaxed) {
            return;
        }
        if let Some(store) = &self.store {
            store.remove_session(&self.session).await;
        }
    }

    /// Put one of the session's outgoing messages on the stream it belongs to, once the event
    /// store kept it. `false` when the session has ended.
    pub(crate) async fn forward(&self, out: Outbound) -> bool {
        self.forward_with(out, true).await
    }

    /// A message another instance relayed for the standalone stream, which this instance
    /// holds (else it is dropped, never relayed again).
    pub(crate) async fn forward_from_bus(&self, message: JsonRpcMessage) {
        self.forward_with(Outbound::new(message), false).await;
    }

    /// [`forward`](Self::forward); with `relay`, a message for a standalone stream this
    /// instance does not hold goes to the other instances.
    async fn forward_with(&self, out: Outbound, relay: bool) -> bool {
        let (placed, storing) = match self.begin(out, relay) {
            Begun::Closed => return false,
            Begun::Done => return true,
            Begun::Storing(placed, storing) => (placed, storing),
        };
        let mut pending = PendingStore { streams: self, placed: Some(placed) };
        let kept = match self.in_time(storing).await {
            Some(Ok(())) => true,
            Some(Err(e)) => {
                tracing::debug!(error = %e, "an event was not stored: it is delivered live only");
                false
            }
            None => {
                tracing::debug!("the event store took too long: an event is delivered live only");
                false
            }
        };
        if pending.finish(kept) {
            // Kept after the session's events were forgotten: forget them again.
            self.forget_events().await;
        }
        true
    }

    /// Forward a message from the engine's writer, which never waits: a store that is not done
    /// at once finishes on a task of its own.
    pub(super) fn forward_from_engine(self: &Arc<Self>, out: Outbound) {
        if self.store.is_none() {
            // Nothing to wait for.
            let begun = self.begin(out, true);
            debug_assert!(!matches!(begun, Begun::Storing(..)));
            return;
        }
        let this = self.clone();
        let mut forwarding = Box::pin(async move {
            this.forward(out).await;
        });
        if poll_once(forwarding.as_mut()).is_pending() {
            tokio::spawn(forwarding);
        }
    }

    /// Number and place a message under the lock, and hand its event to the store: delivered
    /// at once if the store is done at once (or there is nothing to store).
    fn begin(&self, out: Outbound, relay: bool) -> Begun<'_> {
        let mut table = self.lock();
        if table.closed {
            return Begun::Closed;
        }
        let Some((mut placed, event)) = self.place(&mut table, out, relay) else { return Begun::Done };
        let mut storing = match (&self.store, event) {
            (Some(store), Some(event)) if table.storing < MAX_PENDING_STORES => store.store(&self.session, event),
            _ => {
                self.deliver(&mut table, placed);
                return Begun::Done;
            }
        };
        match poll_once(storing.as_mut()) {
            Poll::Ready(kept) => {
                placed.stored = kept.is_ok();
                self.deliver(&mut table, placed);
                Begun::Done
            }
            Poll::Pending => {
                table.storing += 1;
                Begun::Storing(placed, storing)
            }
        }
    }

    /// Which stream a message goes on, numbered, with the event to store; `None` when it goes
    /// nowhere.
    fn place(&self, table: &mut StreamTable, out: Outbound, relay: bool) -> Option<(Placed, Option<StoredEvent>)> {
        let Outbound { message, related_request: related, .. } = out;
        let is_answer = match (&message, &related) {
            (JsonRpcMessage::Response(r), Some(id)) => r.id == *id,
            (JsonRpcMessage::Error(e), Some(id)) => e.id.as_ref() == Some(id),
            _ => false,
        };
        let request = match &message {
            JsonRpcMessage::Request(r) => Some(r.id.clone()),
            _ => None,
        };
        let own = related.as_ref().and_then(|id| table.by_request.get(id).copied());
        let target = match own {
            Some(id) if is_answer => Some(id),
            Some(id) => match table.streams.get_mut(&id) {
                Some(s) if !s.json => Some(id),
                // A request to the client while the POST is answered as JSON: answer it with SSE
                // instead if the client takes that (the JSON answer is not given yet, as it is
                // the response itself).
                Some(s) if request.is_some() && s.sse_ok => {
                    s.json = false;
                    Some(id)
                }
                _ => table.standalone,
            },
            // The answer to a request whose stream is gone (cancelled): a response never goes
            // to the standalone stream.
            None if is_answer => return None,
            // Unrelated messages, and those of requests answered as plain JSON, go to the
            // standalone stream (2025: "server-initiated messages on the GET stream").
            None => table.standalone,
        };
        if is_answer && let Some(id) = &related {
            table.by_request.remove(id);
            table.direct.remove(id);
        }
        let Some((stream_id, stream)) = target.and_then(|id| table.streams.get_mut(&id).map(|s| (id, s))) else {
            if relay
                && !is_answer
                && let Some(bus) = &self.bus
            {
                // The standalone stream may be held by another instance.
                self.relay(bus, &message);
                return None;
            }
            match request {
                Some(id) => self.refuse_request(id),
                None => tracing::debug!("no open stream for a message of this session; dropped"),
            }
            return None;
        };
        if is_answer {
            stream.pending = stream.pending.saturating_sub(1);
        }
        let ends_stream = is_answer && !stream.standalone && stream.pending == 0;
        // A JSON answer cannot be resumed, so it is neither numbered nor stored: on a POST
        // answered as JSON, and the one message of an unprimed POST, answered as JSON too.
        let json_answer = stream.json || (ends_stream && stream.seq == 0 && !stream.primed);
        let seq = if json_answer || self.store.is_none() {
            0
        } else {
            stream.seq += 1;
            stream.seq
        };
        let standalone = stream.standalone;
        if seq == 1 && !standalone && self.bus.is_some() {
            self.record_requests(table, stream_id, is_answer.then_some(related.as_ref()).flatten());
        }
        let data = Bytes::from(message.to_json());
        let event = (seq != 0).then(|| {
            let kind = if is_answer { EventKind::Response } else { EventKind::Message };
            StoredEvent { stream: stream_id, seq, kind, data: data.clone() }
        });
        let event_id = (seq != 0).then_some(EventId { stream: stream_id, seq });
        let item = Item::new(event_id, data, &message, ends_stream);
        Some((Placed { stream: stream_id, seq, item, request, stored: false }, event))
    }

    /// Tell the store which requests stream `stream` answers (the requests in flight on it, and
    /// `answered`, whose answer is its first event), so that another instance can answer them
    /// should this one die.
    fn record_requests(&self, table: &StreamTable, stream: u64, answered: Option<&RequestId>) {
        let Some(store) = &self.store else { return };
        let on_stream = table.by_request.iter().filter(|(_, s)| **s == stream).map(|(id, _)| id);
        let requests: Vec<RequestId> = on_stream.chain(answered).cloned().collect();
        store.record_stream_requests(&self.session, stream, &requests);
    }

    /// Another instance resumed `stream` for its client: what the stream delivers from now on
    /// goes to `relay`. `None` when the stream is not here (any more); else the last event
    /// delivered before (those are in the store), and a response the store did not take,
    /// which ended the stream while its client was away.
    pub(crate) fn follow(&self, stream: u64, relay: ItemTx) -> Option<(u64, Option<Box<Item>>)> {
        let mut table = self.lock();
        if table.closed {
            return None;
        }
        let s = table.streams.get_mut(&stream)?;
        match s.parked.take() {
            Some(answer) => {
                let upto = s.delivered.saturating_sub(1);
                table.streams.remove(&stream);
                Some((upto, Some(answer)))
            }
            None => {
                s.tx = Some(relay);
                Some((s.delivered, None))
            }
        }
    }

    /// The instance following `stream` went away: drop its relay (if it still holds the
    /// stream), so that the stream waits for its client to resume again.
    pub(crate) fn unfollow(&self, stream: u64, relay: &ItemTx) {
        let mut table = self.lock();
        if let Some(s) = table.streams.get_mut(&stream)
            && s.tx.as_ref().is_some_and(|tx| tx.same_channel(relay))
        {
            s.tx = None;
        }
    }

    /// Send a message for the standalone stream to every other instance; the one holding it
    /// delivers it. Sent from a task of its own: this runs under the lock.
    fn relay(&self, bus: &Arc<dyn MessageBus>, message: &JsonRpcMessage) {
        let relayed = BusMessage::new(bus.as_ref(), &self.session, BusMessageKind::ToClient, message.to_json());
        publish_in_background(bus, BusTarget::All, relayed, "a message for a standalone stream");
    }

    /// Deliver a placed event whose store is done, and the events of its stream that waited
    /// for it; one that comes before an earlier event is done waits in turn.
    fn deliver(&self, table: &mut StreamTable, placed: Placed) {
        let stream_id = placed.stream;
        let Some(stream) = table.streams.get_mut(&stream_id) else {
            // Its stream is gone (every request of its POST was cancelled).
            if let (false, Some(id)) = (placed.stored, placed.request) {
                self.refuse_request(id);
            }
            return;
        };
        if placed.seq > stream.delivered + 1 {
            stream.waiting.push(placed);
            return;
        }
        let mut next = Some(placed);
        let mut ended = false;
        while let Some(placed) = next.take() {
            if placed.seq != 0 {
                stream.delivered = placed.seq;
            }
            let request = placed.request.clone();
            let (reached, over) = stream.hand_over(placed);
            if let (false, Some(id)) = (reached, request) {
                self.refuse_request(id);
            }
            if over {
                ended = true;
                break;
            }
            let due = stream.delivered + 1;
            next = stream.waiting.iter().position(|p| p.seq == due).map(|i| stream.waiting.swap_remove(i));
        }
        if ended {
            table.streams.remove(&stream_id);
        }
    }

    /// `future`, given the store timeout; `None` when it ran out.
    async fn in_time<T>(&self, future: impl Future<Output = T>) -> Option<T> {
        match self.store_timeout {
            Some(limit) => tokio::time::timeout(limit, future).await.ok(),
            None => Some(future.await),
        }
    }

    /// A request to the client that can reach it nowhere: fail it at once, so the handler
    /// waiting for the answer does not wait forever.
    fn refuse_request(&self, id: RequestId) {
        let error = ErrorData::internal_error(
            "the client has no open stream to receive this request (no standalone GET stream, and \
             the POST it belongs to is answered as JSON)",
        );
        let Some(input) = self.input.upgrade() else { return };
        let frame =
            Box::new(Ok(Frame::Message(JsonRpcMessage::error(Some(id), error), crate::transport::Extensions::new())));
        if let Err(mpsc::error::TrySendError::Full(frame)) = input.try_send(frame) {
            tokio::spawn(async move {
                let _ = input.send(frame).await;
            });
        }
    }
}

/// An event waiting for the event store: delivered once the store is done, or (as not stored)
/// when the wait is dropped, so that its stream never waits for it in vain.
struct PendingStore<'a> {
    streams: &'a SessionStreams,
    placed: Option<Placed>,
}

impl PendingStore<'_> {
    /// The store is done, and kept the event or not: deliver it. Returns whether the session has
    /// ended meanwhile.
    fn finish(&mut self, kept: bool) -> bool {
        let mut table = self.streams.lock();
        if let Some(placed) = self.placed.take() {
            table.storing -= 1;
            self.streams.deliver(&mut table, Placed { stored: kept, ..placed });
        }
        table.closed
    }
}

impl Drop for PendingStore<'_> {
    fn drop(&mut self) {
        if self.placed.is_some() {
            self.finish(false);
        }
    }
}

/// The requests of a POST, registered on the session's streams until they are handed on to be
/// served. Dropped before (its POST was dropped: the client went away while the POST waited for
/// room in the engine's queue), it forgets those not handed on, so that their ids do not stay
/// "in flight" for ever.
pub(crate) struct Registered<'a> {
    streams: &'a SessionStreams,
    stream: u64,
    /// The requests' ids, in the order of the POST's messages.
    ids: Vec<RequestId>,
    /// How many of them were handed on.
    handed_on: usize,
}

impl Registered<'_> {
    /// The next of the POST's requests was handed on.
    pub(crate) fn handed_on(&mut self) {
        self.handed_on += 1;
    }

    /// Every request of the POST was handed on.
    pub(crate) fn all_handed_on(mut self) {
        self.handed_on = self.ids.len();
    }
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        let Some(left) = self.ids.get(self.handed_on..).filter(|left| !left.is_empty()) else { return };
        let mut table = self.streams.lock();
        for id in left {
            if table.by_request.get(id) == Some(&self.stream) {
                table.forget_request(id);
            }
        }
    }
}

/// Requests served directly put their messages on their streams themselves, on their own task.
impl DirectOutput for SessionStreams {
    fn send(&self, out: Outbound) -> BoxFuture<'_, bool> {
        Box::pin(self.forward(out))
    }
}
