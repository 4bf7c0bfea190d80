//! What every request of a [`StreamableHttpService`](super::StreamableHttpService) shares: the
//! handler factory, the configuration, the sessions, the stateless engine and the slots that
//! bound open requests and streams, with each principal's share of them.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use http::request::Parts;
use http::{StatusCode, header};
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use super::body::Rejection;
use super::config::StreamableHttpConfig;
use super::quota::{Pool, QuotaGuard, Quotas};
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
    /// Each principal's share of the slots (and of the sessions).
    quotas: Arc<Quotas>,
    /// A shutdown has begun (`shutdown`): new work is refused. A flag rather than a token, as
    /// every POST reads it and a token's check takes a lock.
    draining: AtomicBool,
    ct: CancellationToken,
}

impl<S: ServerHandler> ServiceState<S> {
    /// The state of a new service, making handlers with `factory`.
    pub(crate) fn new(factory: impl Fn() -> S + Send + Sync + 'static, config: StreamableHttpConfig) -> Self {
        let ct = CancellationToken::new();
        let quotas = Quotas::new(&config);
        let sessions = Arc::new(Sessions::new(&config, quotas.clone(), ct.clone()));
        let slots = |n: usize| Arc::new(Semaphore::new(n.min(Semaphore::MAX_PERMITS)));
        Self {
            factory: Box::new(factory),
            sessions,
            stateless_engine: OnceCell::new(),
            post_slots: slots(config.max_concurrent_streams),
            long_stream_slots: slots(config.max_long_lived_streams),
            quotas,
            config,
            draining: AtomicBool::new(false),
            ct,
        }
    }

    /// The engine of the 2026-07-28 era, which all its requests share, started on first use.
    pub(crate) async fn stateless_engine(&self) -> io::Result<&Arc<StatelessEngine>> {
        let start = async || {
            let engine = StatelessEngine::start((self.factory)(), &self.config, self.ct.child_token()).await?;
            // The other instances' list changes reach its listen streams too.
            self.sessions.set_listeners(&engine.requests);
            Ok::<_, io::Error>(engine)
        };
        self.stateless_engine.get_or_try_init(start).await
    }
}

impl<S> ServiceState<S> {
    /// A slot for one more POST, the request `parts`'; refused with 503 at the limit, and with
    /// 429 when its principal holds its whole share.
    pub(crate) fn post_slot(&self, parts: &Parts) -> Result<Slot, Rejection> {
        let permit = take_slot(&self.post_slots, "too many requests in progress; retry later")?;
        Ok(Slot { _permit: permit, quota: self.quotas.take(parts, Pool::Posts)? })
    }

    /// A slot for one more long-lived stream, the request `parts`'; refused with 503 at the
    /// limit, and with 429 when its principal holds its whole share.
    pub(crate) fn long_stream_slot(&self, parts: &Parts) -> Result<Slot, Rejection> {
        let permit = take_slot(&self.long_stream_slots, "too many open streams; retry later")?;
        Ok(Slot { _permit: permit, quota: self.quotas.take(parts, Pool::LongStreams)? })
    }

    /// The token cancelled when the service shuts down.
    pub(crate) fn cancellation_token(&self) -> &CancellationToken {
        &self.ct
    }

    /// Whether a shutdown has begun: new work is then refused with 503.
    #[inline]
    pub(crate) fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// Begin a shutdown: refuse new work from now on.
    pub(crate) fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// The stateless engine, if a request started it.
    pub(crate) fn started_stateless_engine(&self) -> Option<&Arc<StatelessEngine>> {
        self.stateless_engine.get()
    }

    /// How many POST slots and long-lived stream slots are taken.
    pub(crate) fn slots_in_use(&self) -> (usize, usize) {
        let used = |slots: &Semaphore, n: usize| n.min(Semaphore::MAX_PERMITS) - slots.available_permits();
        (
            used(&self.post_slots, self.config.max_concurrent_streams),
            used(&self.long_stream_slots, self.config.max_long_lived_streams),
        )
    }

    /// Each principal's share of the pools.
    pub(crate) fn quotas(&self) -> &Quotas {
        &self.quotas
    }

    /// Whether a POST is open (its answer not yet complete), of either era.
    pub(crate) fn has_open_posts(&self) -> bool {
        self.slots_in_use().0 > 0
    }
}

/// A slot of one of the service's pools and, when its request has a principal, that principal's
/// share of it: both are given back when it drops. The global pool is taken first, so a full
/// service answers 503 whoever asks.
#[derive(Debug)]
pub(crate) struct Slot {
    _permit: OwnedSemaphorePermit,
    quota: Option<QuotaGuard>,
}

impl Slot {
    /// Count the slot's request against its principal's share of `pool` too (a stateless
    /// request, of the shared engine's), given back with the slot; 429 beyond the share.
    pub(crate) fn also_count(&mut self, pool: Pool) -> Result<(), Rejection> {
        match &mut self.quota {
            Some(quota) => quota.add(pool),
            None => Ok(()),
        }
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
