//! A one-call HTTP server for a [`StreamableHttpService`]: HTTP/1.1 and HTTP/2 (prior knowledge)
//! on a TCP listener, with `TCP_NODELAY` so every SSE event leaves at once, a connection limit,
//! a deadline for request headers and one for writes a client does not take.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::Semaphore;
use tokio::time::Sleep;
use tokio_util::sync::CancellationToken;

use super::config::StreamableHttpConfig;
use super::service::StreamableHttpService;
use crate::handler::ServerHandler;

/// How long open connections may take to finish once the server stops.
const DRAIN: Duration = Duration::from_secs(5);

impl<S: ServerHandler> StreamableHttpService<S> {
    /// Bind `addr` and serve until the process ends. Every path answers as the MCP endpoint;
    /// mount the service on an HTTP router to serve it at one path only.
    pub async fn serve_on(self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let listener = TcpListener::bind(addr).await?;
        self.serve_listener(listener, CancellationToken::new()).await
    }

    /// Serve connections accepted from `listener` until `ct` is cancelled; then stop accepting,
    /// shut the service down (ending its streams) and give open connections a moment to finish.
    ///
    /// At most [`max_connections`](super::StreamableHttpConfig::max_connections) connections are
    /// served at once (more wait in the backlog); request headers must arrive within
    /// [`header_read_timeout`](super::StreamableHttpConfig::header_read_timeout); a connection
    /// whose client takes no data for
    /// [`sse_write_timeout`](super::StreamableHttpConfig::sse_write_timeout) is closed.
    pub async fn serve_listener(self, listener: TcpListener, ct: CancellationToken) -> io::Result<()> {
        let config = self.config().clone();
        let stopped = self.cancellation_token();
        let this = self.clone();
        serve_service(self, &config, listener, ct, stopped, move || this.shutdown()).await
    }
}

/// Serve `service` on connections from `listener` with the limits of `config`, until `ct` or
/// `stopped` is cancelled; then stop accepting, call `on_stop` and give open connections a
/// moment to finish. The one-call server of [`StreamableHttpService`] and of the services that
/// wrap it (such as the OAuth resource layer).
pub(crate) async fn serve_service<T, B>(
    service: T,
    config: &StreamableHttpConfig,
    listener: TcpListener,
    ct: CancellationToken,
    stopped: CancellationToken,
    on_stop: impl FnOnce(),
) -> io::Result<()>
where
    T: tower_service::Service<Request<Incoming>, Response = Response<B>, Error = Infallible> + Clone + Send + 'static,
    T::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(config.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let connections = Arc::new(Semaphore::new(config.max_connections.clamp(1, Semaphore::MAX_PERMITS)));
    let graceful = GracefulShutdown::new();
    loop {
        let slot = tokio::select! {
            () = ct.cancelled() => break,
            () = stopped.cancelled() => break,
            slot = connections.clone().acquire_owned() => slot,
        };
        let Ok(slot) = slot else { break };
        let accepted = tokio::select! {
            () = ct.cancelled() => break,
            () = stopped.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // SSE events are small writes that must not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let service = service.clone();
        let hyper_service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let mut service = service.clone();
            async move {
                futures::future::poll_fn(|cx| service.poll_ready(cx)).await?;
                service.call(request).await
            }
        });
        let io = TokioIo::new(WriteDeadline::new(stream, config.sse_write_timeout));
        let connection = builder.serve_connection(io, hyper_service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    on_stop();
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => tracing::debug!("connections still open after the drain period"),
    }
    Ok(())
}

/// A connection whose writes fail once the peer has taken nothing for `timeout`: a client that
/// stopped reading cannot hold its connection (and the streams on it) forever.
struct WriteDeadline<T> {
    inner: T,
    timeout: Option<Duration>,
    /// Running while a write waits for the peer.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> WriteDeadline<T> {
    fn new(inner: T, timeout: Option<Duration>) -> Self {
        Self { inner, timeout: timeout.filter(|t| !t.is_zero()), stalled: None }
    }

    /// Follow a write's outcome: progress resets the deadline, waiting runs it.
    fn watch<R>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<R>>) -> Poll<io::Result<R>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let Some(timeout) = self.timeout else { return Poll::Pending };
        let stalled = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.stalled = None;
                Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client has stopped reading")))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WriteDeadline<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    #[tokio::test]
    async fn writes_the_peer_does_not_take_fail_after_the_deadline() {
        let (near, _far) = tokio::io::duplex(16);
        let mut io = WriteDeadline::new(near, Some(Duration::from_millis(100)));
        let started = tokio::time::Instant::now();
        let error = io.write_all(&[0; 64]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(100));
    }

    #[tokio::test]
    async fn writes_the_peer_takes_slowly_go_through() {
        use tokio::io::AsyncReadExt;
        let (near, mut far) = tokio::io::duplex(16);
        let mut io = WriteDeadline::new(near, Some(Duration::from_millis(100)));
        let reader = tokio::spawn(async move {
            let mut buf = [0; 8];
            let mut total = 0;
            while total < 64 {
                tokio::time::sleep(Duration::from_millis(30)).await;
                total += far.read(&mut buf).await.unwrap();
            }
            total
        });
        io.write_all(&[0; 64]).await.unwrap();
        assert_eq!(reader.await.unwrap(), 64);
    }
}
