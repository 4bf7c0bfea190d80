//! Reading SSE streams as a client sees them, and an event store that counts what it keeps:
//! what the event-store tests assert with.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use rmcp_core::transport::http::{
    EventKind, EventStore, EventStoreError, InMemoryEventStore, SessionPrincipal, StoredEvent,
};
use serde_json::Value;

/// One SSE event as the client sees it.
#[derive(Debug, Default, Clone)]
pub struct Event {
    pub kind: Option<String>,
    pub id: Option<String>,
    pub data: String,
}

impl Event {
    /// Whether this is the answer to request `id`.
    pub fn answers(&self, id: i64) -> bool {
        serde_json::from_str::<Value>(&self.data).is_ok_and(|m| m["id"] == id && m.get("method").is_none())
    }

    pub fn is_progress(&self) -> bool {
        self.data.contains("notifications/progress")
    }
}

/// Read SSE events until one satisfies `last`, the stream ends, or 5 s pass.
pub async fn read_events(response: &mut reqwest::Response, last: impl Fn(&Event) -> bool) -> Vec<Event> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let read = async {
        loop {
            while let Some(end) = buf.find("\n\n") {
                let raw: String = buf.drain(..end + 2).collect();
                let mut event = Event::default();
                for line in raw.lines() {
                    let (field, value) = line.split_once(':').unwrap_or((line, ""));
                    let value = value.strip_prefix(' ').unwrap_or(value);
                    match field {
                        "event" => event.kind = Some(value.to_owned()),
                        "id" => event.id = Some(value.to_owned()),
                        "data" => event.data.push_str(value),
                        _ => {}
                    }
                }
                if event.kind.is_none() && event.id.is_none() && event.data.is_empty() {
                    continue; // a keep-alive comment
                }
                let done = last(&event);
                out.push(event);
                if done {
                    return;
                }
            }
            match response.chunk().await {
                Ok(Some(chunk)) => buf.push_str(std::str::from_utf8(&chunk).expect("utf-8")),
                _ => return,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), read).await;
    out
}

/// Wait until `check` holds, at most five seconds.
pub async fn eventually(mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..500 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    check()
}

/// Wraps the in-memory store, counting the responses it kept.
#[derive(Debug)]
pub struct Watched {
    pub inner: InMemoryEventStore,
    pub responses: AtomicUsize,
}

impl Watched {
    pub fn new(inner: InMemoryEventStore) -> Arc<Self> {
        Arc::new(Self { inner, responses: AtomicUsize::new(0) })
    }

    pub fn responses(&self) -> usize {
        self.responses.load(Ordering::SeqCst)
    }
}

pub type Replayed<'a> = BoxFuture<'a, Result<Vec<StoredEvent>, EventStoreError>>;

impl EventStore for Watched {
    fn open_session(&self, session: &str, principal: SessionPrincipal, max_bytes: usize) {
        self.inner.open_session(session, principal, max_bytes);
    }
    fn store<'a>(&'a self, session: &'a str, event: StoredEvent) -> BoxFuture<'a, Result<(), EventStoreError>> {
        let response = event.kind == EventKind::Response;
        let stored = self.inner.store(session, event);
        Box::pin(async move {
            stored.await?;
            if response {
                self.responses.fetch_add(1, Ordering::SeqCst);
            }
            Ok(())
        })
    }
    fn delivered(&self, session: &str, stream: u64, seq: u64) {
        self.inner.delivered(session, stream, seq);
    }
    fn replay<'a>(&'a self, session: &'a str, stream: u64, after: u64) -> Replayed<'a> {
        self.inner.replay(session, stream, after)
    }
    fn remove_session<'a>(&'a self, session: &'a str) -> BoxFuture<'a, ()> {
        self.inner.remove_session(session)
    }
}
