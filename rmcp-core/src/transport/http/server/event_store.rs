//! Where the events of resumable (2025-era) SSE streams are kept, so a client that lost its
//! connection gets what it missed after reconnecting with `Last-Event-ID`.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;

use bytes::Bytes;
use futures::future::BoxFuture;

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

/// An [`EventStore`] in memory, bounded per session: past the limits the oldest events go.
#[derive(Debug)]
pub struct InMemoryEventStore {
    max_events: usize,
    max_bytes: usize,
    sessions: Mutex<HashMap<String, SessionEvents>>,
}

#[derive(Default)]
struct SessionEvents {
    events: VecDeque<(u64, u64, Bytes)>,
    bytes: usize,
}

impl fmt::Debug for SessionEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionEvents").field("events", &self.events.len()).field("bytes", &self.bytes).finish()
    }
}

impl Default for InMemoryEventStore {
    /// At most 256 events and 1 MiB per session.
    fn default() -> Self {
        Self::new(256, 1024 * 1024)
    }
}

impl InMemoryEventStore {
    /// A store keeping at most `max_events` events and `max_bytes` bytes of events per session.
    pub fn new(max_events: usize, max_bytes: usize) -> Self {
        Self { max_events: max_events.max(1), max_bytes, sessions: Mutex::new(HashMap::new()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SessionEvents>> {
        // A panic while holding the lock leaves consistent data (every update is one push/pop).
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl EventStore for InMemoryEventStore {
    fn store<'a>(&'a self, session: &'a str, stream: u64, seq: u64, data: Bytes) -> BoxFuture<'a, ()> {
        let mut sessions = self.lock();
        let events = match sessions.get_mut(session) {
            Some(e) => e,
            None => sessions.entry(session.to_owned()).or_default(),
        };
        events.bytes += data.len();
        events.events.push_back((stream, seq, data));
        while events.events.len() > self.max_events || (events.bytes > self.max_bytes && events.events.len() > 1) {
            if let Some((_, _, old)) = events.events.pop_front() {
                events.bytes -= old.len();
            }
        }
        Box::pin(std::future::ready(()))
    }

    fn replay<'a>(&'a self, session: &'a str, stream: u64, after: u64) -> BoxFuture<'a, Vec<(u64, Bytes)>> {
        let found = self
            .lock()
            .get(session)
            .map(|e| {
                e.events
                    .iter()
                    .filter(|(s, seq, _)| *s == stream && *seq > after)
                    .map(|(_, seq, data)| (*seq, data.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Box::pin(std::future::ready(found))
    }

    fn remove_session<'a>(&'a self, session: &'a str) -> BoxFuture<'a, ()> {
        self.lock().remove(session);
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
}
