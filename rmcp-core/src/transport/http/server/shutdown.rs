//! Shutting a service down: gracefully (drain first, then stop) or at once.
//!
//! A graceful shutdown ([`ServiceState::shutdown_gracefully`]) goes in four steps:
//! 1. the service starts draining: new work (a POST carrying a request, of either era, so
//!    `initialize` too; a GET opening a standalone stream) is refused with 503 and `Retry-After`,
//!    never with a 404 that would tell a client its live session expired. What finishes the
//!    work in flight still goes through: the client's answers to the server's requests, its
//!    notifications (a cancellation), a GET resuming a stream with `Last-Event-ID`;
//! 2. the long-lived streams (standalone GET streams, `subscriptions/listen`) close: they would
//!    never end by themselves;
//! 3. the requests in flight get `shutdown_drain` to finish;
//! 4. those still running are answered with a JSON-RPC error (on their SSE stream, or as their
//!    HTTP response), then the service stops ([`ServiceState::shutdown`]): every engine is
//!    cancelled and every session closed.
//!
//! So every request gets an answer or a 503, and none waits for an engine that has stopped.

use std::time::Duration;

use tokio::time::Instant;

use super::body::shutting_down_error;
use super::state::ServiceState;

/// How often the drain looks whether the requests in flight are done.
const DRAIN_POLL: Duration = Duration::from_millis(10);

impl<S> ServiceState<S> {
    /// Drain, then stop (see the module docs).
    pub(crate) async fn shutdown_gracefully(&self) {
        self.start_draining();
        self.close_long_lived_streams();
        let deadline = Instant::now() + self.config.shutdown_drain;
        // Polled rather than signalled: a counter every request would update, for a wait that
        // happens once.
        while self.has_work_in_flight() && Instant::now() < deadline {
            tokio::time::sleep(DRAIN_POLL).await;
        }
        self.fail_work_in_flight().await;
        self.shutdown();
    }

    /// Stop at once: refuse new work, answer the stateless requests still waiting with a 503
    /// error, cancel every engine and close every session (whose POSTs waiting for an answer
    /// then get a 503 too, as do their clients' next requests).
    pub(crate) fn shutdown(&self) {
        self.start_draining();
        if let Some(engine) = self.started_stateless_engine() {
            engine.requests.fail_all();
        }
        self.cancellation_token().cancel();
        self.sessions.clear();
    }

    /// End the standalone streams of the sessions and the stateless listen streams.
    fn close_long_lived_streams(&self) {
        if let Some(engine) = self.started_stateless_engine() {
            engine.requests.close_listeners();
        }
        for session in self.sessions.all() {
            session.streams.close_standalone();
        }
    }

    /// Whether a request is still waiting for its answer: a POST is open (either era), or a
    /// session has a request in flight (its client may have disconnected, to resume later).
    fn has_work_in_flight(&self) -> bool {
        if self.has_open_posts() {
            return true;
        }
        for session in self.sessions.all() {
            if session.streams.has_requests_in_flight() {
                return true;
            }
        }
        false
    }

    /// Answer every request still in flight with an error.
    async fn fail_work_in_flight(&self) {
        let error = shutting_down_error();
        for session in self.sessions.all() {
            session.streams.fail_requests_in_flight(&error).await;
        }
        if let Some(engine) = self.started_stateless_engine() {
            engine.requests.fail_all();
        }
    }
}
