//! The deadlines of a connection that no request holds: a connection must bring its first request
//! in time, and an HTTP/2 connection with no open stream for a while is closed.
//!
//! hyper-util reads a connection's first bytes (to tell HTTP/1 from HTTP/2) with no timeout, and
//! HTTP/2 has no idle timeout of its own: without these, a peer that connects and sends nothing,
//! part of the HTTP/2 preface, or a preface and no request, holds a connection slot forever.
//! Between the requests of an HTTP/1 connection, hyper's own `header_read_timeout` runs (it is
//! started again for each request's headers), so a kept-alive HTTP/1 connection needs nothing
//! more.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::task::AtomicWaker;
use http::Version;
use tokio::time::{Instant, Sleep};

/// The limits a [`Watchdog`] enforces.
#[derive(Debug, Clone, Copy)]
pub(super) struct Deadlines {
    /// From the connection's opening to its first request.
    pub(super) first_request: Option<Duration>,
    /// How long an HTTP/2 connection may have no open stream.
    pub(super) http2_idle: Option<Duration>,
}

/// What a connection's requests tell its [`Watchdog`]. Requests begin on the connection's task;
/// HTTP/2 streams end on their own tasks.
#[derive(Default)]
pub(super) struct Activity {
    /// Requests begun (on HTTP/1, only whether there was one): it also tells the watchdog that a
    /// stream began and ended between two of its looks.
    begun: AtomicU64,
    /// The connection speaks HTTP/2.
    http2: AtomicBool,
    /// HTTP/2 streams open.
    open_streams: AtomicUsize,
    /// The watchdog, woken when the last open stream ends.
    watchdog: AtomicWaker,
}

impl fmt::Debug for Activity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Activity")
            .field("begun", &self.begun.load(Ordering::Relaxed))
            .field("open_streams", &self.open_streams.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Activity {
    /// A new connection's.
    pub(super) fn new() -> Arc<Self> {
        Arc::default()
    }

    /// A request arrived; on HTTP/2, its stream is open until the returned guard is dropped.
    pub(super) fn begin(self: &Arc<Self>, version: Version) -> Option<OpenStream> {
        if version != Version::HTTP_2 {
            // Only the first request matters: then hyper times the wait for each next one.
            if self.begun.load(Ordering::Relaxed) == 0 {
                self.begun.store(1, Ordering::Relaxed);
            }
            return None;
        }
        self.http2.store(true, Ordering::Relaxed);
        self.open_streams.fetch_add(1, Ordering::AcqRel);
        self.begun.fetch_add(1, Ordering::Relaxed);
        Some(OpenStream(self.clone()))
    }

    /// Whether an HTTP/2 stream is open; if so, the watchdog of `cx` is woken when none is.
    fn busy(&self, cx: &Context<'_>) -> bool {
        if self.open_streams.load(Ordering::Acquire) == 0 {
            return false;
        }
        self.watchdog.register(cx.waker());
        // The last stream may have ended before the registration.
        self.open_streams.load(Ordering::Acquire) > 0
    }

    /// The watchdog enforcing `deadlines` on this connection.
    pub(super) fn watchdog(self: &Arc<Self>, deadlines: Deadlines) -> Watchdog {
        Watchdog { activity: self.clone(), deadlines, timer: None, armed_at: None }
    }
}

/// An open HTTP/2 stream, counted while it lives.
pub(super) struct OpenStream(Arc<Activity>);

impl fmt::Debug for OpenStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OpenStream")
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        if self.0.open_streams.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.watchdog.wake();
        }
    }
}

/// Completes, with the reason, when its connection has overrun a deadline; the connection's task
/// then drops the connection. Polled on the connection's task, after the connection.
pub(super) struct Watchdog {
    activity: Arc<Activity>,
    deadlines: Deadlines,
    timer: Option<Pin<Box<Sleep>>>,
    /// The count of begun requests when the timer was armed: a change means the connection was
    /// used since, and the timer starts again.
    armed_at: Option<u64>,
}

impl fmt::Debug for Watchdog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watchdog").field("deadlines", &self.deadlines).field("armed", &self.armed_at).finish()
    }
}

impl Future for Watchdog {
    type Output = &'static str;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<&'static str> {
        let this = &mut *self;
        let begun = this.activity.begun.load(Ordering::Relaxed);
        let (limit, reason) = if begun == 0 {
            (this.deadlines.first_request, "no request came in time")
        } else if !this.activity.http2.load(Ordering::Relaxed) {
            // HTTP/1: hyper's `header_read_timeout` runs before each next request. The timer
            // goes, so that it does not wake the connection for nothing.
            this.timer = None;
            return Poll::Pending;
        } else if this.activity.busy(cx) {
            this.armed_at = None;
            return Poll::Pending;
        } else {
            (this.deadlines.http2_idle, "the HTTP/2 connection was idle too long")
        };
        let Some(limit) = limit else { return Poll::Pending };
        if this.armed_at != Some(begun) {
            this.armed_at = Some(begun);
            let deadline = Instant::now() + limit;
            match &mut this.timer {
                Some(timer) => timer.as_mut().reset(deadline),
                None => this.timer = Some(Box::pin(tokio::time::sleep_until(deadline))),
            }
        }
        let timer = this.timer.as_mut().expect("armed above");
        timer.as_mut().poll(cx).map(|()| reason)
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    const LIMITS: Deadlines =
        Deadlines { first_request: Some(Duration::from_millis(100)), http2_idle: Some(Duration::from_millis(200)) };

    #[tokio::test(start_paused = true)]
    async fn a_connection_without_a_request_is_given_up() {
        let activity = Activity::new();
        let started = Instant::now();
        assert_eq!(activity.watchdog(LIMITS).await, "no request came in time");
        assert_eq!(started.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn an_http1_connection_is_left_to_hyper_after_its_first_request() {
        let activity = Activity::new();
        let mut watchdog = activity.watchdog(LIMITS);
        assert!((&mut watchdog).now_or_never().is_none());
        assert!(activity.begin(Version::HTTP_11).is_none());
        let waited = tokio::time::timeout(Duration::from_secs(60), watchdog).await;
        assert!(waited.is_err(), "no deadline of ours after the first request");
    }

    #[tokio::test(start_paused = true)]
    async fn an_http2_connection_is_idle_from_its_last_stream_on() {
        let activity = Activity::new();
        let mut watchdog = activity.watchdog(LIMITS);
        let stream = activity.begin(Version::HTTP_2).expect("a stream");
        let busy = tokio::time::timeout(Duration::from_secs(60), &mut watchdog).await;
        assert!(busy.is_err(), "an open stream keeps the connection");
        let ended = Instant::now();
        drop(stream);
        assert_eq!(watchdog.await, "the HTTP/2 connection was idle too long");
        assert_eq!(ended.elapsed(), Duration::from_millis(200));
    }

    #[tokio::test(start_paused = true)]
    async fn a_stream_begun_and_ended_between_looks_starts_the_idle_time_again() {
        let activity = Activity::new();
        let mut watchdog = activity.watchdog(LIMITS);
        drop(activity.begin(Version::HTTP_2));
        assert!((&mut watchdog).now_or_never().is_none());
        tokio::time::sleep(Duration::from_millis(150)).await;
        drop(activity.begin(Version::HTTP_2));
        let used = Instant::now();
        assert_eq!(watchdog.await, "the HTTP/2 connection was idle too long");
        assert_eq!(used.elapsed(), Duration::from_millis(200));
    }
}
