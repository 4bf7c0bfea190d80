//! Where the events of resumable (2025-era) SSE streams are kept, so a client that lost its
//! connection gets what it missed after reconnecting with `Last-Event-ID`.
//!
//! What the store may drop, and what the client then sees:
//! - A [response](EventKind::Response) is kept until it was written to a connection
//!   ([`EventStore::delivered`]): the client may have no other way to get it. Only then may it be
//!   evicted like any other event.
//! - Notifications and requests to the client may be evicted under pressure, or not stored at all
//!   when the store is full or fails. Event numbers are consecutive, so the transport sees each
//!   missing one, and a resumed stream whose replay misses events starts with a `gap` event (see
//!   [`StreamableHttpConfig::event_store`](super::StreamableHttpConfig::event_store)).
//!
//! Budgets are per session, per principal (all the sessions one client opened, told to the store
//! by [`EventStore::open_session`]) and in total, so that neither one session nor one client
//! opening many can take the whole store.

use std::collections::VecDeque;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use foldhash::HashMap;
use futures_util::future::BoxFuture;

use super::sync::lock_ignoring_poison;
use crate::model::RequestId;
use crate::transport::principal_key::PrincipalKey;

/// Who opened a session, for a store's per-principal budget: the same for every session of one
/// principal (its authenticated subject, else its peer's address), by the rule the service's fair
/// shares follow. Opaque, and meaningful within this process only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionPrincipal(PrincipalKey);

impl SessionPrincipal {
    /// The principal of the request whose extensions are `extensions`, if it has one.
    pub(crate) fn of(extensions: &http::Extensions) -> Option<Self> {
        PrincipalKey::of(extensions).map(Self)
    }
}

/// What an event carries, which decides how long a store must keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The response (or error) answering a request of the client. A store keeps it until it
    /// is [delivered](EventStore::delivered): a client whose connection was closed has no
    /// other way to get it.
    Response,
    /// A notification, or a request to the client: a store may evict it under pressure (a
    /// client resuming is then told of the gap).
    Message,
}

/// One event of a stream: message `seq` (counting from 1) of stream `stream`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The stream, unique within its session.
    pub stream: u64,
    /// The event's number in its stream: 1, 2, 3, ... with no number skipped.
    pub seq: u64,
    /// What the event carries.
    pub kind: EventKind,
    /// The JSON-RPC message, serialized.
    pub data: Bytes,
}

/// Why an [`EventStore`] did not keep an event, or could not replay a stream. The transport
/// treats both alike: the event is delivered live only, and a replay missing it reports a gap.
#[derive(Debug)]
#[non_exhaustive]
pub enum EventStoreError {
    /// The store's budget is spent, and nothing of the session could be evicted to make room.
    Full,
    /// The store failed (for example, a networked store that could not be reached).
    Failed(Box<dyn std::error::Error + Send + Sync>),
}

impl fmt::Display for EventStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full => f.write_str("the event store is full"),
            Self::Failed(e) => write!(f, "the event store failed: {e}"),
        }
    }
}

impl std::error::Error for EventStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Full => None,
            Self::Failed(e) => Some(&**e),
        }
    }
}

/// Storage for SSE events, keyed by session, stream and sequence number.
///
/// Event ids on the wire are `<stream>-<seq>`; the transport parses them, so a store only deals
/// in numbers. Implement this to keep events outside the process (for example to resume on
/// another replica); [`InMemoryEventStore`] is the bounded default.
///
/// The transport never holds a lock of its own while it waits for a store, so a slow store
/// holds up only the stream whose event it is storing (for at most
/// [`event_store_timeout`](super::StreamableHttpConfig::event_store_timeout), after which the
/// event counts as not stored). A store reports a gap by omission: numbers are consecutive, so
/// an event missing from a replay (evicted, or never stored) is seen, and reported to the client.
///
/// # Example
///
/// A store that keeps nothing, so that no stream can be resumed (each resumption is told of
/// its gap):
///
/// ```
/// use futures::future::BoxFuture;
/// use rmcp_core::transport::http::{EventStore, EventStoreError, StoredEvent};
///
/// #[derive(Debug)]
/// struct Nowhere;
///
/// impl EventStore for Nowhere {
///     fn store<'a>(&'a self, _: &'a str, _: StoredEvent) -> BoxFuture<'a, Result<(), EventStoreError>> {
///         Box::pin(async { Err(EventStoreError::Full) })
///     }
///     fn replay<'a>(&'a self, _: &'a str, _: u64, _: u64) -> BoxFuture<'a, Result<Vec<StoredEvent>, EventStoreError>> {
///         Box::pin(async { Ok(Vec::new()) })
///     }
///     fn remove_session<'a>(&'a self, _: &'a str) -> BoxFuture<'a, ()> {
///         Box::pin(async {})
///     }
/// }
/// ```
pub trait EventStore: Send + Sync + fmt::Debug + 'static {
    /// Session `session` was opened by `principal`, whose sessions together may keep at most
    /// `max_bytes` bytes of events
    /// ([`max_event_bytes_per_principal`](super::StreamableHttpConfig::max_event_bytes_per_principal)).
    /// Called once, before the session's first event, and not for a session without a principal
    /// (only the store's own budgets apply to it). Past the budget, a store makes room from the
    /// session's own events or refuses the event, and keeps a response not yet delivered all
    /// the same. It must not block. The default does nothing: a store without per-principal
    /// budgets.
    fn open_session(&self, session: &str, principal: SessionPrincipal, max_bytes: usize) {
        let _ = (session, principal, max_bytes);
    }

    /// Keep `event` of session `session`. The events of one stream are handed over in the order
    /// of their numbers, though their stores may overlap (the transport does not wait for one
    /// before handing over the next). A [response](EventKind::Response) must be kept until it is
    /// [`delivered`](Self::delivered); anything else may be evicted, or refused with an error.
    fn store<'a>(&'a self, session: &'a str, event: StoredEvent) -> BoxFuture<'a, Result<(), EventStoreError>>;

    /// Response `seq` of `stream` was written to its client's connection: the store need no
    /// longer keep it, and may evict it like any other event. A hint, from the response's writer:
    /// it must not block (a networked store sends it in the background). The default does
    /// nothing, for a store that never evicts a response, or only ever by age.
    fn delivered(&self, session: &str, stream: u64, seq: u64) {
        let _ = (session, stream, seq);
    }

    /// The events of `stream` numbered after `after`, in any order. An event the store no longer
    /// has is simply missing (the transport reports the gap).
    fn replay<'a>(
        &'a self,
        session: &'a str,
        stream: u64,
        after: u64,
    ) -> BoxFuture<'a, Result<Vec<StoredEvent>, EventStoreError>>;

    /// Stream `stream` of `session` answers `requests`: told when its first event is stored, by
    /// servers whose instances share the store (with a
    /// [`message_bus`](super::StreamableHttpConfig::message_bus)), so that if the instance running
    /// them dies, the one its client resumes the stream on can answer them with an error. Must
    /// not block, and must reach the store before the stream's events do. The default does
    /// nothing, for a store one process uses.
    fn record_stream_requests(&self, session: &str, stream: u64, requests: &[RequestId]) {
        let _ = (session, stream, requests);
    }

    /// What [`record_stream_requests`](Self::record_stream_requests) recorded for `stream`;
    /// empty if nothing.
    fn stream_requests<'a>(
        &'a self,
        session: &'a str,
        stream: u64,
    ) -> BoxFuture<'a, Result<Vec<RequestId>, EventStoreError>> {
        let _ = (session, stream);
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Forget everything of `session` (it was closed or expired).
    fn remove_session<'a>(&'a self, session: &'a str) -> BoxFuture<'a, ()>;

    /// How many events the store holds, across sessions, if it can say at once (for
    /// [`StreamableHttpStats::events_held`](super::StreamableHttpStats::events_held)). The default
    /// says nothing.
    fn events_held(&self) -> Option<usize> {
        None
    }
}

/// How many shards the sessions are split into, so that sessions rarely wait for each other's
/// lock.
const SHARDS: usize = 16;

/// An [`EventStore`] in memory, bounded per session, per principal and in total.
///
/// Past a session's limits its oldest notifications and requests go; past its principal's budget
/// (which the service gives, see [`EventStore::open_session`]) or the total budget the session
/// storing makes room from its own events only, so one session's flood never evicts another's
/// events, and one client's many sessions take at most its budget. A response is never evicted
/// before it was delivered: it counts towards the limits (other events go first to make room) but
/// may exceed them, bounded as it is by the requests a session may have in flight. An event that
/// finds no room is refused ([`EventStoreError::Full`]).
///
/// ```
/// use std::sync::Arc;
/// use rmcp_core::transport::http::{InMemoryEventStore, StreamableHttpConfig};
///
/// // 64 events and 256 kB per session, 16 MiB in all.
/// let store = InMemoryEventStore::new(64, 256 * 1024).with_max_total_bytes(16 * 1024 * 1024);
/// let config = StreamableHttpConfig::default().with_event_store(Some(Arc::new(store)));
/// # let _ = config;
/// ```
#[derive(Debug)]
pub struct InMemoryEventStore {
    max_events: usize,
    max_bytes: usize,
    max_total_bytes: usize,
    /// The bytes of every session's events.
    total_bytes: AtomicUsize,
    shards: [Mutex<HashMap<Box<str>, SessionEvents>>; SHARDS],
    hasher: foldhash::fast::RandomState,
    /// The bytes of each principal's sessions, shared with its sessions' entries: an entry goes
    /// with its principal's last session.
    principals: Mutex<HashMap<SessionPrincipal, Arc<AtomicUsize>>>,
}

/// The events of one session, oldest first.
#[derive(Default)]
struct SessionEvents {
    events: VecDeque<Kept>,
    bytes: usize,
    /// The principal that opened the session, when it had one.
    principal: Option<PrincipalShare>,
}

/// A session's part in its principal's budget.
struct PrincipalShare {
    principal: SessionPrincipal,
    /// The bytes of all the principal's sessions.
    bytes: Arc<AtomicUsize>,
    max_bytes: usize,
}

impl SessionEvents {
    /// Count `len` more bytes towards the session, its principal and `total`.
    fn grow(&mut self, total: &AtomicUsize, len: usize) {
        self.bytes += len;
        total.fetch_add(len, Ordering::Relaxed);
        if let Some(share) = &self.principal {
            share.bytes.fetch_add(len, Ordering::Relaxed);
        }
    }

    /// Count `len` fewer bytes towards the session, its principal and `total`.
    fn shrink(&mut self, total: &AtomicUsize, len: usize) {
        self.bytes -= len;
        total.fetch_sub(len, Ordering::Relaxed);
        if let Some(share) = &self.principal {
            share.bytes.fetch_sub(len, Ordering::Relaxed);
        }
    }

    /// Whether the session's principal holds more than its budget.
    fn over_principal_budget(&self) -> bool {
        self.principal.as_ref().is_some_and(|share| share.bytes.load(Ordering::Relaxed) > share.max_bytes)
    }
}

struct Kept {
    event: StoredEvent,
    /// A response not yet delivered: never evicted.
    pinned: bool,
}

impl fmt::Debug for SessionEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionEvents").field("events", &self.events.len()).field("bytes", &self.bytes).finish()
    }
}

impl Default for InMemoryEventStore {
    /// At most 256 events and 1 MiB per session, and 64 MiB in all.
    fn default() -> Self {
        Self::new(256, 1024 * 1024).with_max_total_bytes(64 * 1024 * 1024)
    }
}

impl InMemoryEventStore {
    /// A store keeping at most `max_events` events and `max_bytes` bytes of events per session,
    /// and no limit across sessions (see [`with_max_total_bytes`](Self::with_max_total_bytes)).
    pub fn new(max_events: usize, max_bytes: usize) -> Self {
        Self {
            max_events: max_events.max(1),
            max_bytes,
            max_total_bytes: usize::MAX,
            total_bytes: AtomicUsize::new(0),
            shards: std::array::from_fn(|_| Mutex::default()),
            hasher: foldhash::fast::RandomState::default(),
            principals: Mutex::default(),
        }
    }

    /// Keep at most `max` bytes of events across all sessions.
    pub fn with_max_total_bytes(mut self, max: usize) -> Self {
        self.max_total_bytes = max;
        self
    }

    fn shard(&self, session: &str) -> std::sync::MutexGuard<'_, HashMap<Box<str>, SessionEvents>> {
        lock_ignoring_poison(&self.shards[self.hasher.hash_one(session) as usize % SHARDS])
    }

    fn over_budget(&self, events: &SessionEvents) -> bool {
        events.events.len() > self.max_events
            || events.bytes > self.max_bytes
            || events.over_principal_budget()
            || self.total_bytes.load(Ordering::Relaxed) > self.max_total_bytes
    }

    /// Evict the session's events, oldest first, among its first `among`, until it is within
    /// its budgets or only responses not yet delivered are left.
    fn make_room(&self, events: &mut SessionEvents, among: usize) {
        let mut among = among.min(events.events.len());
        let mut from = 0;
        while self.over_budget(events) {
            let Some(i) = events.events.range(from..among).position(|k| !k.pinned).map(|i| i + from) else {
                return;
            };
            let gone = events.events.remove(i).expect("within range");
            events.shrink(&self.total_bytes, gone.event.data.len());
            (from, among) = (i, among - 1);
        }
    }

    /// Keep `event` in `events`, making room from the session's own older events.
    fn keep(&self, events: &mut SessionEvents, event: StoredEvent) -> Result<(), EventStoreError> {
        let len = event.data.len();
        let pinned = event.kind == EventKind::Response;
        events.grow(&self.total_bytes, len);
        events.events.push_back(Kept { event, pinned });
        self.make_room(events, events.events.len() - 1);
        if self.over_budget(events) && !pinned {
            // No room even so: refused, rather than evicting a response or another session's
            // events.
            events.events.pop_back();
            events.shrink(&self.total_bytes, len);
            return Err(EventStoreError::Full);
        }
        Ok(())
    }
}

impl EventStore for InMemoryEventStore {
    fn open_session(&self, session: &str, principal: SessionPrincipal, max_bytes: usize) {
        let bytes = lock_ignoring_poison(&self.principals).entry(principal).or_default().clone();
        let mut shard = self.shard(session);
        let events = shard.entry(Box::from(session)).or_default();
        if events.principal.is_none() {
            bytes.fetch_add(events.bytes, Ordering::Relaxed);
            events.principal = Some(PrincipalShare { principal, bytes, max_bytes });
        }
    }

    fn store<'a>(&'a self, session: &'a str, event: StoredEvent) -> BoxFuture<'a, Result<(), EventStoreError>> {
        let mut shard = self.shard(session);
        let kept = match shard.get_mut(session) {
            Some(events) => self.keep(events, event),
            None => self.keep(shard.entry(Box::from(session)).or_default(), event),
        };
        Box::pin(std::future::ready(kept))
    }

    fn delivered(&self, session: &str, stream: u64, seq: u64) {
        let mut shard = self.shard(session);
        let Some(events) = shard.get_mut(session) else { return };
        // A response is nearly always among the newest events.
        if let Some(kept) = events.events.iter_mut().rev().find(|k| k.event.stream == stream && k.event.seq == seq) {
            kept.pinned = false;
        }
        let all = events.events.len();
        self.make_room(events, all);
    }

    fn replay<'a>(
        &'a self,
        session: &'a str,
        stream: u64,
        after: u64,
    ) -> BoxFuture<'a, Result<Vec<StoredEvent>, EventStoreError>> {
        let found = self
            .shard(session)
            .get(session)
            .map(|e| {
                e.events
                    .iter()
                    .filter(|k| k.event.stream == stream && k.event.seq > after)
                    .map(|k| k.event.clone())
                    .collect()
            })
            .unwrap_or_default();
        Box::pin(std::future::ready(Ok(found)))
    }

    fn events_held(&self) -> Option<usize> {
        Some(self.shards.iter().map(|s| lock_ignoring_poison(s).values().map(|e| e.events.len()).sum::<usize>()).sum())
    }

    fn remove_session<'a>(&'a self, session: &'a str) -> BoxFuture<'a, ()> {
        let removed = self.shard(session).remove(session);
        if let Some(mut events) = removed {
            let all = events.bytes;
            events.shrink(&self.total_bytes, all);
            if let Some(PrincipalShare { principal, bytes, .. }) = events.principal {
                // Under the map's lock, so that a session of the principal opening meanwhile
                // either finds the entry or makes a new one.
                let mut principals = lock_ignoring_poison(&self.principals);
                drop(bytes);
                if principals.get(&principal).is_some_and(|b| Arc::strong_count(b) == 1) {
                    principals.remove(&principal);
                }
            }
        }
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(stream: u64, seq: u64, kind: EventKind, bytes: usize) -> StoredEvent {
        StoredEvent { stream, seq, kind, data: Bytes::from(vec![b'x'; bytes]) }
    }

    fn message(stream: u64, seq: u64) -> StoredEvent {
        event(stream, seq, EventKind::Message, 10)
    }

    async fn seqs(store: &InMemoryEventStore, session: &str, stream: u64, after: u64) -> Vec<u64> {
        store.replay(session, stream, after).await.unwrap().iter().map(|e| e.seq).collect()
    }

    #[tokio::test]
    async fn replays_one_stream_after_an_id_and_evicts_the_oldest() {
        let store = InMemoryEventStore::new(3, usize::MAX);
        for (stream, seq) in [(1, 1), (2, 1), (1, 2), (1, 3)] {
            store.store("s", message(stream, seq)).await.unwrap();
        }
        assert_eq!(seqs(&store, "s", 1, 1).await, [2, 3]);
        // (1, 1) was evicted by the fourth event.
        assert_eq!(seqs(&store, "s", 1, 0).await, [2, 3]);
        store.remove_session("s").await;
        assert!(seqs(&store, "s", 1, 0).await.is_empty());
        assert_eq!(store.total_bytes.load(Ordering::Relaxed), 0);
    }

    #[tokio::test]
    async fn a_response_is_kept_until_it_is_delivered() {
        let store = InMemoryEventStore::new(2, usize::MAX);
        store.store("s", event(1, 1, EventKind::Response, 10)).await.unwrap();
        for seq in 1..=5 {
            store.store("s", message(2, seq)).await.unwrap();
        }
        assert_eq!(seqs(&store, "s", 1, 0).await, [1], "never evicted before it is delivered");
        assert_eq!(seqs(&store, "s", 2, 0).await, [5], "the other events made room");
        // Even a session full of undelivered responses takes one more.
        store.store("s", event(3, 1, EventKind::Response, 10)).await.unwrap();
        store.store("s", event(4, 1, EventKind::Response, 10)).await.unwrap();
        assert!(matches!(store.store("s", message(2, 6)).await, Err(EventStoreError::Full)));
        store.delivered("s", 1, 1);
        store.delivered("s", 3, 1);
        assert!(seqs(&store, "s", 1, 0).await.is_empty(), "delivered, it may go");
        store.store("s", message(2, 6)).await.unwrap();
        assert_eq!(seqs(&store, "s", 4, 0).await, [1]);
    }

    #[tokio::test]
    async fn past_the_total_budget_a_session_makes_room_from_its_own_events_only() {
        let store = InMemoryEventStore::new(100, usize::MAX).with_max_total_bytes(30);
        store.store("a", event(1, 1, EventKind::Response, 10)).await.unwrap();
        store.store("a", message(2, 1)).await.unwrap();
        for seq in 1..=5 {
            store.store("b", message(1, seq)).await.unwrap();
        }
        // "b" evicted its own events to fit, never "a"'s.
        assert_eq!(seqs(&store, "a", 1, 0).await, [1]);
        assert_eq!(seqs(&store, "a", 2, 0).await, [1]);
        assert_eq!(seqs(&store, "b", 1, 0).await, [5]);
        // A session with nothing to give is refused.
        store.store("b", event(2, 1, EventKind::Response, 10)).await.unwrap();
        assert!(matches!(store.store("c", message(1, 1)).await, Err(EventStoreError::Full)));
        assert!(seqs(&store, "c", 1, 0).await.is_empty());
        store.remove_session("a").await;
        store.store("c", message(1, 1)).await.unwrap();
        assert_eq!(store.total_bytes.load(Ordering::Relaxed), 20);
    }

    fn principal(last: u8) -> SessionPrincipal {
        SessionPrincipal(PrincipalKey::Address(std::net::IpAddr::from([192, 0, 2, last])))
    }

    #[tokio::test]
    async fn the_sessions_of_one_principal_share_its_budget_and_give_it_back() {
        let store = InMemoryEventStore::new(100, usize::MAX);
        for session in ["a1", "a2"] {
            store.open_session(session, principal(1), 30);
        }
        store.open_session("b", principal(2), 30);
        for seq in 1..=3 {
            store.store("a1", message(1, seq)).await.unwrap();
        }
        // "a2" cannot evict "a1"'s events: its own are refused, but a response is kept.
        assert!(matches!(store.store("a2", message(1, 1)).await, Err(EventStoreError::Full)));
        store.store("a2", event(2, 1, EventKind::Response, 10)).await.unwrap();
        // Another principal has its own budget.
        for seq in 1..=3 {
            store.store("b", message(1, seq)).await.unwrap();
        }
        // "a1" makes room from its own events.
        store.store("a1", message(1, 4)).await.unwrap();
        assert_eq!(seqs(&store, "a1", 1, 0).await, [3, 4]);
        store.remove_session("a1").await;
        store.store("a2", message(1, 1)).await.unwrap();
        store.remove_session("a2").await;
        assert_eq!(lock_ignoring_poison(&store.principals).len(), 1, "a principal goes with its last session");
    }
}
