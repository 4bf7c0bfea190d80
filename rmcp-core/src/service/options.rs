//! Per-request options: timeout and progress.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::model::ProgressNotificationParams;

/// A callback invoked for each progress notification of a request.
pub type ProgressCallback = Arc<dyn Fn(ProgressNotificationParams) + Send + Sync>;

/// Options for one outgoing request.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Give up (and cancel the request at the peer) after this long.
    pub timeout: Option<Duration>,
    /// Restart the timeout whenever a progress notification arrives (the request then asks the
    /// peer for progress, with or without a progress callback).
    pub reset_timeout_on_progress: bool,
    /// Ask the peer for progress and deliver it here.
    pub progress: Option<ProgressCallback>,
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("reset_timeout_on_progress", &self.reset_timeout_on_progress)
            .field("progress", &self.progress.is_some())
            .finish()
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
