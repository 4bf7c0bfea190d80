//! An event store that is slow or fails, as its seed says.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use futures::future::BoxFuture;
use rmcp_core::transport::http::{EventStore, EventStoreError, InMemoryEventStore, StoredEvent};

use super::Rng;

/// The in-memory store behind a seeded misbehaviour: some stores take a while, some fail.
#[derive(Debug)]
pub struct FlakyStore {
    inner: InMemoryEventStore,
    rng: Mutex<Rng>,
    /// Chance, in percent, that a store or replay takes up to `max_delay`.
    slow_pct: u32,
    max_delay: Duration,
    /// Chance that a store or replay fails.
    fail_pct: u32,
}

impl FlakyStore {
    pub fn new(rng: &mut Rng) -> Arc<Self> {
        Arc::new(Self {
            inner: InMemoryEventStore::new(64, 64 * 1024),
            slow_pct: rng.below(60) as u32,
            max_delay: Duration::from_millis(1 + rng.below(40)),
            fail_pct: rng.below(30) as u32,
            rng: Mutex::new(rng.fork()),
        })
    }

    /// How long this call takes, and whether it fails.
    fn draw(&self) -> (Option<Duration>, bool) {
        let mut rng = self.rng.lock().unwrap();
        let delay =
            rng.chance(self.slow_pct).then(|| Duration::from_millis(rng.below(self.max_delay.as_millis() as u64)));
        (delay, rng.chance(self.fail_pct))
    }
}

impl EventStore for FlakyStore {
    fn store<'a>(&'a self, session: &'a str, event: StoredEvent) -> BoxFuture<'a, Result<(), EventStoreError>> {
        let (delay, fail) = self.draw();
        if delay.is_none() {
            return if fail {
                Box::pin(async { Err(EventStoreError::Failed("injected store failure".into())) })
            } else {
                self.inner.store(session, event)
            };
        }
        Box::pin(async move {
            tokio::time::sleep(delay.unwrap_or_default()).await;
            if fail {
                Err(EventStoreError::Failed("injected store failure".into()))
            } else {
                self.inner.store(session, event).await
            }
        })
    }

    fn delivered(&self, session: &str, stream: u64, seq: u64) {
        self.inner.delivered(session, stream, seq);
    }

    fn replay<'a>(
        &'a self,
        session: &'a str,
        stream: u64,
        after: u64,
    ) -> BoxFuture<'a, Result<Vec<StoredEvent>, EventStoreError>> {
        let (delay, fail) = self.draw();
        Box::pin(async move {
            if let Some(delay) = delay {
                tokio::time::sleep(delay).await;
            }
            if fail {
                Err(EventStoreError::Failed("injected store failure".into()))
            } else {
                self.inner.replay(session, stream, after).await
            }
        })
    }

    fn remove_session<'a>(&'a self, session: &'a str) -> BoxFuture<'a, ()> {
        self.inner.remove_session(session)
    }

    fn events_held(&self) -> Option<usize> {
        self.inner.events_held()
    }
}
