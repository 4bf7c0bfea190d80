//! The engine's sink for a 2025-era session: its writer forwards each message into the
//! session's streams ([`SessionStreams`](super::session_streams::SessionStreams)) itself, with no task or queue of its own; a message whose
//! event the store is slow to keep finishes on a task of its own, so the writer never waits.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::future::BoxFuture;
use futures_util::{FutureExt, Sink};

use super::session_streams::SharedSessionStreams;
use crate::transport::Outbound;

/// The engine's sink for a session: each message is forwarded to its stream by the engine's
/// writer task itself.
pub(crate) struct SessionStreamsSink {
    streams: SharedSessionStreams,
    /// Forgetting the session's events, once the engine closed the session.
    closing: Option<BoxFuture<'static, ()>>,
    closed: bool,
}

impl SessionStreamsSink {
    /// The sink forwarding to `streams`.
    pub(crate) fn new(streams: SharedSessionStreams) -> Self {
        Self { streams, closing: None, closed: false }
    }
}

impl Sink<Outbound> for SessionStreamsSink {
    type Error = io::Error;

    fn poll_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, out: Outbound) -> io::Result<()> {
        if self.closed {
            return Err(io::Error::from(io::ErrorKind::BrokenPipe));
        }
        self.streams.forward_from_engine(out);
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !std::mem::replace(&mut this.closed, true) && this.streams.close() {
            let streams = this.streams.clone();
            this.closing = Some(Box::pin(async move { streams.forget_events().await }));
        }
        if let Some(closing) = &mut this.closing {
            ready!(closing.poll_unpin(cx));
            this.closing = None;
        }
        Poll::Ready(Ok(()))
    }
}

impl Drop for SessionStreamsSink {
    /// A writer that was abandoned (not closed) still ends the session's streams: they hold
    /// the session alive, and their clients wait for the end.
    fn drop(&mut self) {
        let mut closing = self.closing.take();
        if !self.closed && self.streams.close() {
            let streams = self.streams.clone();
            closing = Some(Box::pin(async move { streams.forget_events().await }));
        }
        if let (Some(closing), Ok(runtime)) = (closing, tokio::runtime::Handle::try_current()) {
            runtime.spawn(closing);
        }
    }
}
