//! Where the events of resumable (2025-era) SSE streams are kept, so a client that lost its
//! connection gets what it missed after reconnecting with `Last-Event-ID`.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::future::BoxFuture;

use super::sync::lock_ignoring_poison;

/// Storage for SSE events, keyed by session, stream and sequence number.
///
/// Event ids on the wire are `<stream>-<seq>`; the transport parses them, so a store only deals
/// in numbers. Implement this to keep events outside the process (for example to resume on
/// another replica); [`InMemoryEventStore`] is the bounded default.
pub trait EventStore: Send + Sync + fmt::Debug + 'static {
    /// Remember event `seq` (counting from 1) of stream `stream` in session `session`.
    fn store<'a>(&'a self, session: &'a str, stream: u64, seq: u64, data: Bytes) -> BoxFuture<'a, ()>;

    /// The events of `stream` after `after`, oldest first. Events the store has already evicted
    /// are missing from the answer.
    fn replay<'a>(&'a self, session: &'a str, stream: u64, after: u64) -> BoxFuture<'a, Vec<(u64, Bytes)>>;

    /// Forget everything of `session` (it was closed or expired).
    fn remove_session<'a>(&'a self, session: &'a str) -> BoxFuture<'a, ()>;
}

/// An [`EventStore`] in memory, bounded per session and in total: past the limits the oldest
/// events go (the oldest of the session, or the oldest of all sessions).
#[derive(Debug)]
pub struct InMemoryEventStore {
    max_events: usize,
    max_bytes: usize,
    max_total_bytes: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    sessions: HashMap<Arc<str>, SessionEvents>,
    /// Every stored event in the order stored, by session and number: where the global budget
    /// evicts from. Entries of events already evicted by their session's limits are skipped
    /// (and compacted away).
    order: VecDeque<(Arc<str>, u64)>,
    /// Events stored now, and their bytes.
    live: usize,
    bytes: usize,
    next: u64,
}

#[derive(Default)]
struct SessionEvents {
    /// (number, stream, seq, data), oldest first.
    events: VecDeque<(u64, u64, u64, Bytes)>,
    bytes: usize,
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
        Self { max_events: max_events.max(1), max_bytes, max_total_bytes: usize::MAX, inner: Mutex::default() }
    }

    /// Keep at most `max` bytes of events across all sessions.
    pub fn with_max_total_bytes(mut self, max: usize) -> Self {
        self.max_total_bytes = max;
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        lock_ignoring_poison(&self.inner)
    }
}

impl Inner {
    fn pop_oldest_of(&mut self, session: &str) {
        let Some(events) = self.sessions.get_mut(session) else { return };
        if let Some((_, _, _, old)) = events.events.pop_front() {
            events.bytes -= old.len();
            self.bytes -= old.len();
            self.live -= 1;
        }
    }

    /// Whether event `number` of `session` is still stored (a session's events are numbered in
    /// order, and only ever evicted from the front).
    fn is_live(&self, session: &str, number: u64) -> bool {
        self.sessions.get(session).and_then(|e| e.events.front()).is_some_and(|(first, ..)| *first <= number)
    }
}

impl EventStore for InMemoryEventStore {
    fn store<'a>(&'a self, session: &'a str, stream: u64, seq: u64, data: Bytes) -> BoxFuture<'a, ()> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let number = inner.next;
        inner.next += 1;
        let key = match inner.sessions.get_key_value(session) {
            Some((k, _)) => k.clone(),
            None => Arc::from(session),
        };
        let events = inner.sessions.entry(key.clone()).or_default();
        events.bytes += data.len();
        inner.bytes += data.len();
        inner.live += 1;
        events.events.push_back((number, stream, seq, data));
        inner.order.push_back((key.clone(), number));
        loop {
            let events = &inner.sessions[&key];
            let over =
                events.events.len() > self.max_events || (events.bytes > self.max_bytes && events.events.len() > 1);
            if !over {
                break;
            }
            inner.pop_oldest_of(&key);
        }
        // Past the global budget the oldest event of all goes, keeping at least the newest.
        while inner.bytes > self.max_total_bytes && inner.live > 1 {
            let Some((owner, number)) = inner.order.pop_front() else { break };
            if inner.is_live(&owner, number) {
                inner.pop_oldest_of(&owner);
            }
        }
        if inner.order.len() > 2 * inner.live + 1024 {
            let order = std::mem::take(&mut inner.order);
            inner.order = order.into_iter().filter(|(s, n)| inner.is_live(s, *n)).collect();
        }
        Box::pin(std::future::ready(()))
    }

    fn replay<'a>(&'a self, session: &'a str, stream: u64, after: u64) -> BoxFuture<'a, Vec<(u64, Bytes)>> {
        let found = self
            .lock()
            .sessions
            .get(session)
            .map(|e| {
                e.events
                    .iter()
                    .filter(|(_, s, seq, _)| *s == stream && *seq > after)
                    .map(|(_, _, seq, data)| (*seq, data.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Box::pin(std::future::ready(found))
    }

    fn remove_session<'a>(&'a self, session: &'a str) -> BoxFuture<'a, ()> {
        let mut inner = self.lock();
        if let Some(events) = inner.sessions.remove(session) {
            inner.bytes -= events.bytes;
            inner.live -= events.events.len();
        }
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn replays_one_stream_after_an_id_and_evicts_the_oldest() {
        let store = InMemoryEventStore::new(3, usize::MAX);
        for (stream, seq) in [(1, 1), (2, 1), (1, 2), (1, 3)] {
            store.store("s", stream, seq, Bytes::from(format!("{stream}-{seq}"))).await;
        }
        let replay = store.replay("s", 1, 1).await;
        assert_eq!(replay.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [2, 3]);
        // (1, 1) was evicted by the fourth event.
        assert_eq!(store.replay("s", 1, 0).await.len(), 2);
        store.remove_session("s").await;
        assert!(store.replay("s", 1, 0).await.is_empty());
    }

    #[tokio::test]
    async fn the_global_budget_evicts_the_oldest_events_of_all_sessions() {
        let store = InMemoryEventStore::new(100, usize::MAX).with_max_total_bytes(30);
        for (session, seq) in [("a", 1), ("b", 1), ("a", 2), ("b", 2)] {
            store.store(session, 1, seq, Bytes::from(vec![b'x'; 10])).await;
        }
        // 40 bytes stored, 30 allowed: the first event of all ("a", 1) went.
        assert_eq!(store.replay("a", 1, 0).await.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [2]);
        assert_eq!(store.replay("b", 1, 0).await.len(), 2);
        store.remove_session("b").await;
        for seq in 3..200 {
            store.store("a", 1, seq, Bytes::from(vec![b'x'; 10])).await;
        }
        let inner = store.lock();
        assert_eq!((inner.live, inner.bytes), (3, 30));
        assert!(inner.order.len() <= 2 * inner.live + 1024, "the eviction order stays bounded");
    }
}
