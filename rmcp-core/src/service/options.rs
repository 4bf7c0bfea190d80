//! Per-request options: timeout and progress, and the connection's defaults for them.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::model::ProgressNotificationParams;

/// A callback invoked for each progress notification of a request.
pub type ProgressCallback = Arc<dyn Fn(ProgressNotificationParams) + Send + Sync>;

/// Without [`RequestOptions::max_total_timeout`], a call ends by this many times its timeout.
pub(crate) const DEFAULT_TOTAL_TIMEOUT_FACTOR: u32 = 10;

/// Options for one outgoing request.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Give up (and cancel the request at the peer) after this long. `None`: the connection's
    /// default, [`ServeOptions::request_timeout`](super::ServeOptions::request_timeout) for a
    /// client's requests and
    /// [`ServeOptions::client_request_timeout`](super::ServeOptions::client_request_timeout) for a
    /// server's; without one the request waits as long as the connection lives.
    pub timeout: Option<Duration>,
    /// Restart the timeout whenever a progress notification arrives (the request then asks the
    /// peer for progress, with or without a progress callback). Progress never extends the
    /// call past [`max_total_timeout`](Self::max_total_timeout).
    pub reset_timeout_on_progress: bool,
    /// Give up after this long in all, however often progress restarted the timeout: a peer
    /// that reports progress forever cannot keep the call alive forever. Default: `None`, which
    /// means the connection's [`ServeOptions::max_total_timeout`](super::ServeOptions::max_total_timeout),
    /// else 10 times the timeout (no bound without a timeout).
    pub max_total_timeout: Option<Duration>,
    /// Ask the peer for progress and deliver it here.
    pub progress: Option<ProgressCallback>,
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("reset_timeout_on_progress", &self.reset_timeout_on_progress)
            .field("max_total_timeout", &self.max_total_timeout)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// A connection's defaults for the requests it sends, from its
/// [`ServeOptions`](super::ServeOptions): they fill in what a call's [`RequestOptions`] leave unset.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RequestDefaults {
    /// The timeout of a call that sets none.
    pub timeout: Option<Duration>,
    /// The bound on a whole call that sets none.
    pub max_total_timeout: Option<Duration>,
}

impl RequestDefaults {
    /// Fill the unset fields of `options`; what the call set wins.
    pub(crate) fn apply(&self, options: &mut RequestOptions) {
        options.timeout = options.timeout.or(self.timeout);
        options.max_total_timeout = options.max_total_timeout.or(self.max_total_timeout);
    }
}

impl RequestOptions {
    /// No timeout, no progress.
    pub fn new() -> Self {
        Self::default()
    }
    /// Set the timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// Restart the timeout on every progress notification.
    pub fn reset_timeout_on_progress(mut self) -> Self {
        self.reset_timeout_on_progress = true;
        self
    }
    /// Bound the whole call, progress or not.
    pub fn with_max_total_timeout(mut self, max: Duration) -> Self {
        self.max_total_timeout = Some(max);
        self
    }
    /// The bound on the whole call: [`max_total_timeout`](Self::max_total_timeout), else
    /// `DEFAULT_TOTAL_TIMEOUT_FACTOR` times the timeout.
    pub(crate) fn total_timeout(&self) -> Option<Duration> {
        self.max_total_timeout.or_else(|| self.timeout.and_then(|t| t.checked_mul(DEFAULT_TOTAL_TIMEOUT_FACTOR)))
    }
    /// When a call started at `start` times out: `timeout` from `start` (or from the last
    /// progress, when it restarts the timeout), but never after the total bound. The error
    /// names whichever of the two elapses first. A duration too large to add is no bound.
    pub(crate) fn deadline(&self, start: Instant, from: Instant) -> Option<(Instant, Duration)> {
        let rolling = self.timeout.and_then(|t| Some((from.checked_add(t)?, t)));
        let total = self.total_timeout().and_then(|t| Some((start.checked_add(t)?, t)));
        match (rolling, total) {
            (Some(r), Some(t)) => Some(if t.0 < r.0 { t } else { r }),
            (r, t) => r.or(t),
        }
    }
    /// Deliver progress to a callback.
    pub fn on_progress(mut self, f: impl Fn(ProgressNotificationParams) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }
    /// Deliver progress to a stream; returns the options and the receiving end.
    pub fn with_progress_stream(self) -> (Self, mpsc::UnboundedReceiver<ProgressNotificationParams>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (
            self.on_progress(move |p| {
                let _ = tx.send(p);
            }),
            rx,
        )
    }
}
