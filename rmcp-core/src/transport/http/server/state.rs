//! What every request of a [`StreamableHttpService`](super::StreamableHttpService) shares: the
//! handler factory, the configuration, the sessions, the stateless engine and the slots that
//! bound open requests and streams.

use std::io;
use std::sync::Arc;

use http::{StatusCode, header};
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use super::body::Rejection;
use super::config::StreamableHttpConfig;
use super::session::Sessions;
use super::stateless_engine::StatelessEngine;
use crate::handler::ServerHandler;
use crate::model::ErrorData;

/// The state a service's handles share (each handle is an `Arc` of it).
pub(crate) struct ServiceState<S> {
    /// Makes the handler of each session, and the one of the stateless engine.
    pub(crate) factory: Box<dyn Fn() -> S + Send + Sync>,
    pub(crate) config: StreamableHttpConfig,
    pub(crate) sessions: Arc<Sessions>,
    stateless_engine: OnceCell<Arc<StatelessEngine>>,
    /// Slots of POSTs and their answers.
    post_slots: Arc<Semaphore>,
    /// Slots of long-lived streams: GET and `subscriptions/listen`.
    long_stream_slots: Arc<Semaphore>,
    ct: CancellationToken,
}

impl<S: ServerHandler> ServiceState<S> {
    /// The state of a new service, making handlers with `factory`.
    pub(crate) fn new(factory: impl Fn() -> S + Send + Sync + 'static, config: StreamableHttpConfig) -> Self {
        let ct = CancellationToken::new();
        let sessions = Arc::new(Sessions::new(
            config.max_sessions,
            config.session_idle_timeout,
            config.session_init_timeout,
            config.event_store.clone(),
            config.inline_requests,
            ct.clone(),
        ));
        let slots = |n: usize| Arc::new(Semaphore::new(n.min(Semaphore::MAX_PERMITS)));
        Self {
            factory: Box::new(factory),
            sessions,
            stateless_engine: OnceCell::new(),
            post_slots: slots(config.max_concurrent_streams),
            long_stream_slots: slots(config.max_long_lived_streams),
            config,
            ct,
        }
    }

    /// The engine of the 2026-07-28 era, which all its requests share, started on first use.
    pub(crate) async fn stateless_engine(&self) -> io::Result<&Arc<StatelessEngine>> {
        let start = || StatelessEngine::start((self.factory)(), &self.config, self.ct.child_token());
        self.stateless_engine.get_or_try_init(start).await
    }
}

impl<S> ServiceState<S> {
    /// A slot for one more POST; refused with 503 at the limit.
    pub(crate) fn post_slot(&self) -> Result<OwnedSemaphorePermit, Rejection> {
        take_slot(&self.post_slots, "too many requests in progress; retry later")
    }

    /// A slot for one more long-lived stream; refused with 503 at the limit.
    pub(crate) fn long_stream_slot(&self) -> Result<OwnedSemaphorePermit, Rejection> {
        take_slot(&self.long_stream_slots, "too many open streams; retry later")
    }

    /// The token cancelled when the service shuts down.
    pub(crate) fn cancellation_token(&self) -> &CancellationToken {
        &self.ct
    }

    /// Stop: end every session, the stateless engine and every open stream.
    pub(crate) fn shutdown(&self) {
        self.ct.cancel();
        self.sessions.clear();
    }
}

fn take_slot(slots: &Arc<Semaphore>, message: &'static str) -> Result<OwnedSemaphorePermit, Rejection> {
    slots.clone().try_acquire_owned().map_err(|_| {
        Rejection::new(StatusCode::SERVICE_UNAVAILABLE, ErrorData::internal_error(message))
            .with_header(header::RETRY_AFTER, "1")
    })
}

impl<S> Drop for ServiceState<S> {
    fn drop(&mut self) {
        // The last handle is gone: stop the session reaper, the engines and their streams.
        self.ct.cancel();
    }
}
