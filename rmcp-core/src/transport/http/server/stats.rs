//! What a [`StreamableHttpService`](super::StreamableHttpService) holds right now: read from the
//! state it keeps anyway (a length under each lock, a semaphore's permits), so that counting
//! costs the requests nothing.

use super::state::ServiceState;
use crate::service::EngineStats;

/// The sizes of an HTTP service's tables at one moment
/// ([`StreamableHttpService::stats`](super::StreamableHttpService::stats)). Apart from
/// `sessions` and `events_held`, each is zero once the traffic is over and its responses are
/// read: a count that stays above zero is a leak.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamableHttpStats {
    /// 2025-era sessions open.
    pub sessions: usize,
    /// Requests of sessions not answered yet, whether served by a session's engine or directly
    /// (whether or not their POST is still open).
    pub session_requests_in_flight: usize,
    /// Of those, the ones served directly (without the engine) that can be cancelled.
    pub direct_requests_cancellable: usize,
    /// Handlers of requests served directly that still run (they may outlive their answer's
    /// stream by a moment).
    pub direct_handlers_running: usize,
    /// SSE or JSON answer streams of POSTs registered with their sessions.
    pub post_streams: usize,
    /// Sessions' standalone (GET) streams, open or waiting for their client to resume.
    pub standalone_streams: usize,
    /// Events handed to the event store whose store is not done yet.
    pub events_storing: usize,
    /// POSTs open (of either era): their slots in use.
    pub posts_open: usize,
    /// Long-lived streams open (GET, `subscriptions/listen`): their slots in use.
    pub long_lived_streams_open: usize,
    /// 2026-07-28 requests waiting for the shared engine's answer.
    pub stateless_requests_in_flight: usize,
    /// Open `subscriptions/listen` streams.
    pub listen_streams: usize,
    /// Resource URIs in the index of the listen streams.
    pub listen_uris: usize,
    /// Principals holding a share of some pool (the per-principal quota entries).
    pub quota_entries: usize,
    /// Events the event store holds, if it says ([`EventStore::events_held`](super::EventStore::events_held)).
    pub events_held: Option<usize>,
}

impl StreamableHttpStats {
    /// Whether the service holds nothing: no session, nothing in flight, no stream open, no
    /// quota entry, no event stored (or a store that does not say).
    pub fn is_idle(&self) -> bool {
        Self { events_held: None, ..*self } == Self::default() && self.events_held.unwrap_or(0) == 0
    }
}

impl<S> ServiceState<S> {
    pub(crate) fn stats(&self) -> StreamableHttpStats {
        let (posts_open, long_lived_streams_open) = self.slots_in_use();
        let mut stats = StreamableHttpStats {
            posts_open,
            long_lived_streams_open,
            quota_entries: self.quotas().principals(),
            events_held: self.config.event_store.as_ref().and_then(|store| store.events_held()),
            ..StreamableHttpStats::default()
        };
        for session in self.sessions.all() {
            stats.sessions += 1;
            stats.direct_handlers_running += session.direct_running();
            let s = session.streams.counts();
            stats.session_requests_in_flight += s.requests;
            stats.direct_requests_cancellable += s.direct;
            stats.post_streams += s.post_streams;
            stats.standalone_streams += s.standalone;
            stats.events_storing += s.storing;
        }
        if let Some(engine) = self.started_stateless_engine() {
            let (requests, listen_streams, listen_uris) = engine.requests.counts();
            stats.stateless_requests_in_flight = requests;
            stats.listen_streams = listen_streams;
            stats.listen_uris = listen_uris;
        }
        stats
    }

    /// The engine stats of every session's engine and of the stateless engine, added up.
    pub(crate) async fn engine_stats(&self) -> EngineStats {
        // Every engine answers on its own task: ask them all at once. An engine that has
        // stopped holds nothing and answers nothing.
        let sessions = self.sessions.all();
        let peers = sessions.iter().map(|s| s.peer()).chain(self.started_stateless_engine().map(|e| e.peer()));
        let answers = futures_util::future::join_all(peers.map(|peer| peer.stats())).await;
        answers.into_iter().flatten().fold(EngineStats::default(), |mut total, s| {
            total += s;
            total
        })
    }
}

/// What one session's streams hold (`SessionStreams::counts`).
#[derive(Debug, Default)]
pub(crate) struct StreamCounts {
    pub(crate) requests: usize,
    pub(crate) direct: usize,
    pub(crate) post_streams: usize,
    pub(crate) standalone: usize,
    pub(crate) storing: usize,
}
