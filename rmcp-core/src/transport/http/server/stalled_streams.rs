//! HTTP/2 responses whose client grants them no flow-control window: found, and reset.
//!
//! On HTTP/1 a client that stops reading fills the socket, and the connection's write deadline
//! (`WriteDeadline` in `listener.rs`) closes it. On HTTP/2 the socket stays writable: hyper holds
//! the stream's next chunk until the client opens the stream's window, and asks the body for
//! nothing meanwhile. Neither the write deadline nor the SSE body's watchdog can end such a stream
//! (the watchdog frees the stream's slot, but the stream, its buffers and its connection stay),
//! and keep-alive pings catch only a dead peer, not a live one that never opens its window.
//!
//! So each HTTP/2 stream runs on a task of its own ([`StreamExecutor`]) beside a [`Stall`]
//! timer, and its response body ([`TrackedBody`]) tells the task each time it hands a frame over
//! and each time it is asked for the next. A frame handed over and no next ask within the timeout
//! means the client takes nothing: the task ends, dropping the stream, and h2 resets it
//! (`RST_STREAM` with `CANCEL`). A body that is waiting for data of its own runs no timer.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use super::connection_deadlines::OpenStream;

/// What the response body of the stream a task serves did last.
#[derive(Debug, Default)]
struct BodyProgress {
    /// How many times it was asked for a frame.
    asked: Cell<u64>,
    /// Its last answer was a frame (not "nothing yet"): the next ask waits for the client.
    handed_over: Cell<bool>,
}

tokio::task_local! {
    static BODY: BodyProgress;
}

/// The executor hyper gives each HTTP/2 stream to: a task of its own, ended when its response
/// waits for the client's window longer than `stall_timeout`.
#[derive(Debug, Clone, Copy)]
pub(super) struct StreamExecutor {
    stall_timeout: Option<Duration>,
}

impl StreamExecutor {
    /// Reset streams stalled for `stall_timeout` (`None` or zero: never).
    pub(super) fn new(stall_timeout: Option<Duration>) -> Self {
        Self { stall_timeout: stall_timeout.filter(|t| !t.is_zero()) }
    }
}

impl<F> hyper::rt::Executor<F> for StreamExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, stream: F) {
        let Some(timeout) = self.stall_timeout else {
            tokio::spawn(stream);
            return;
        };
        tokio::spawn(BODY.scope(BodyProgress::default(), async move {
            tokio::select! {
                biased;
                _ = stream => {}
                () = Stall::new(timeout) => {
                    tracing::debug!("an HTTP/2 client took no data for {timeout:?}: its stream is reset");
                }
            }
        }));
    }
}

/// Completes when the task's body handed a frame over and has not been asked for the next one
/// for `timeout`. Polled after the stream, so it sees what the body did in that poll.
struct Stall {
    timeout: Duration,
    /// The ask count when the timer was armed.
    armed_at: Option<u64>,
    timer: Option<Pin<Box<Sleep>>>,
}

impl Stall {
    fn new(timeout: Duration) -> Self {
        Self { timeout, armed_at: None, timer: None }
    }
}

impl Future for Stall {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let (asked, handed_over) = BODY.with(|body| (body.asked.get(), body.handed_over.get()));
        if !handed_over {
            // Waiting for data of its own (or not started): the body wakes the task itself.
            return Poll::Pending;
        }
        if this.armed_at != Some(asked) {
            this.armed_at = Some(asked);
            let deadline = Instant::now() + this.timeout;
            match &mut this.timer {
                Some(timer) => timer.as_mut().reset(deadline),
                None => this.timer = Some(Box::pin(tokio::time::sleep_until(deadline))),
            }
        }
        this.timer.as_mut().expect("armed above").as_mut().poll(cx)
    }
}

/// The body of a response as `serve_listener` sends it: on HTTP/2, it holds its stream open (for
/// the connection's idle timeout) and reports to its task when it is asked for frames.
pub(super) struct TrackedBody<B> {
    inner: B,
    /// Set on HTTP/2 only.
    stream: Option<OpenStream>,
}

impl<B> fmt::Debug for TrackedBody<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrackedBody").field("http2", &self.stream.is_some()).finish_non_exhaustive()
    }
}

impl<B> TrackedBody<B> {
    /// `inner`, answering the request of `stream` (`None` on HTTP/1).
    pub(super) fn new(inner: B, stream: Option<OpenStream>) -> Self {
        Self { inner, stream }
    }
}

impl<B: Body + Unpin> Body for TrackedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_frame(cx);
        if this.stream.is_some() {
            let handed_over = matches!(poll, Poll::Ready(Some(_)));
            // Not set when stalls are not watched (no timeout).
            let _ = BODY.try_with(|body| {
                body.asked.set(body.asked.get().wrapping_add(1));
                body.handed_over.set(handed_over);
            });
        }
        poll
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use bytes::Bytes;
    use http::Version;
    use hyper::rt::Executor;

    use super::super::connection_deadlines::Activity;
    use super::*;

    /// A body with one frame ready, then nothing for ever (an open SSE stream).
    struct OneFrame(Option<Bytes>);

    impl Body for OneFrame {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            match self.0.take() {
                Some(bytes) => Poll::Ready(Some(Ok(Frame::data(bytes)))),
                None => Poll::Pending,
            }
        }
    }

    /// Sets its flag when dropped: the stream's task has ended.
    struct Ended(Arc<AtomicBool>);
    impl Drop for Ended {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    /// Run, as a stream task, a "stream" that polls `body` once, then `more` times more at
    /// 100 ms intervals, then waits for ever (as hyper does for a window that never opens).
    fn run(body: OneFrame, more: usize) -> Arc<AtomicBool> {
        let ended = Arc::new(AtomicBool::new(false));
        let guard = Ended(ended.clone());
        let activity = Activity::new();
        let mut body = TrackedBody::new(body, activity.begin(Version::HTTP_2));
        StreamExecutor::new(Some(Duration::from_millis(300))).execute(async move {
            let _guard = guard;
            let _ = std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut body).poll_frame(cx).is_ready())).await;
            for _ in 0..more {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let _ = std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut body).poll_frame(cx).is_ready())).await;
            }
            std::future::pending::<()>().await;
        });
        ended
    }

    #[tokio::test(start_paused = true)]
    async fn a_frame_the_client_never_takes_ends_the_stream() {
        let ended = run(OneFrame(Some(Bytes::from_static(b"data"))), 0);
        tokio::time::sleep(Duration::from_millis(290)).await;
        assert!(!ended.load(Ordering::SeqCst), "not before the timeout");
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(ended.load(Ordering::SeqCst), "the stream's task ended");
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_waiting_for_its_own_data_runs_no_timer() {
        // Asked again after its frame, it has nothing: from then on it is idle, not stalled.
        let ended = run(OneFrame(Some(Bytes::from_static(b"data"))), 1);
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(!ended.load(Ordering::SeqCst));
    }
}
