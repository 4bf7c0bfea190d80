//! A one-call HTTP server for a [`StreamableHttpService`]: HTTP/1.1 and HTTP/2 (prior knowledge)
//! on a TCP listener, with `TCP_NODELAY` so every SSE event leaves at once.
//!
//! It holds out against peers that would keep its connections from others:
//! - a connection limit, and a per-address cap on top ([`PeerLimit`]): a connection over the
//!   cap is accepted and closed at once, so it cannot fill the listen backlog either;
//! - a deadline for the first request (first bytes, the HTTP/2 preface, the first headers or
//!   stream) and an idle timeout for HTTP/2 connections with no open stream
//!   ([`connection_deadlines`](super::connection_deadlines)); hyper's `header_read_timeout`
//!   times each later request of an HTTP/1 connection;
//! - HTTP/2 keep-alive pings, which close a connection whose peer is gone, and a bound on the
//!   streams of one connection;
//! - a deadline for writes the client does not take ([`WriteDeadline`]), and on HTTP/2, for
//!   responses whose window the client never opens
//!   ([`stalled_streams`](super::stalled_streams)).

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
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::Semaphore;
use tokio::time::Sleep;
use tokio_util::sync::CancellationToken;

use super::config::StreamableHttpConfig;
use super::connection_deadlines::{Activity, Deadlines};
use super::peer_limit::PeerLimit;
use super::quota::RemoteAddr;
use super::service::StreamableHttpService;
use super::stalled_streams::{StreamExecutor, TrackedBody};
use crate::handler::ServerHandler;

/// How long open connections may take to finish once the service has stopped (every request
/// answered): the last bytes of their responses.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

impl<S: ServerHandler> StreamableHttpService<S> {
    /// Bind `addr` and serve until the process ends. Every path answers as the MCP endpoint;
    /// mount the service on an HTTP router to serve it at one path only.
    pub async fn serve_on(self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let listener = TcpListener::bind(addr).await?;
        self.serve_listener(listener, CancellationToken::new()).await
    }

    /// Serve connections accepted from `listener` until `ct` is cancelled; then shut the service
    /// down [gracefully](Self::shutdown_gracefully) (still accepting connections meanwhile, so
    /// new work is answered 503 and clients can still answer what the requests in flight ask
    /// them), stop accepting, and give open connections a moment to finish.
    ///
    /// At most [`max_connections`](super::StreamableHttpConfig::max_connections) connections are
    /// served at once (more wait in the backlog), at most
    /// [`max_connections_per_ip`](super::StreamableHttpConfig::max_connections_per_ip) from one
    /// address (more are closed at once). A connection must bring its first request, and each
    /// request its headers, within
    /// [`header_read_timeout`](super::StreamableHttpConfig::header_read_timeout); an HTTP/2
    /// connection with no open stream for
    /// [`http2_idle_timeout`](super::StreamableHttpConfig::http2_idle_timeout), or whose peer
    /// does not answer keep-alive pings, is closed. A connection whose client takes no data for
    /// [`sse_write_timeout`](super::StreamableHttpConfig::sse_write_timeout) is closed, and an
    /// HTTP/2 stream whose client grants it no window for as long is reset.
    pub async fn serve_listener(self, listener: TcpListener, ct: CancellationToken) -> io::Result<()> {
        let config = self.config().clone();
        let stopped = self.cancellation_token();
        let this = self.clone();
        serve_service(self, &config, listener, ct, stopped, async move { this.shutdown_gracefully().await }).await
    }
}

/// Serve `service` on connections from `listener` with the limits of `config`, until `ct` or
/// `stopped` is cancelled; then run `stop` (the service's graceful shutdown) while still
/// accepting connections, stop accepting once it is done, and give open connections a moment
/// to finish. The one-call server of [`StreamableHttpService`] and of the services that wrap it
/// (such as the OAuth resource layer).
pub(crate) async fn serve_service<T, B>(
    service: T,
    config: &StreamableHttpConfig,
    listener: TcpListener,
    ct: CancellationToken,
    stopped: CancellationToken,
    stop: impl Future<Output = ()>,
) -> io::Result<()>
where
    T: tower_service::Service<Request<Incoming>, Response = Response<B>, Error = Infallible> + Clone + Send + 'static,
    T::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut builder = auto::Builder::new(StreamExecutor::new(config.sse_write_timeout));
    builder.http1().timer(TokioTimer::new()).header_read_timeout(config.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(config.http2_keep_alive_interval.filter(|i| !i.is_zero()))
        .keep_alive_timeout(config.http2_keep_alive_timeout)
        .max_concurrent_streams(config.http2_max_concurrent_streams.max(1));
    let max_connections = config.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let connections = Arc::new(Semaphore::new(max_connections));
    let per_address = PeerLimit::new(config.max_connections_per_ip, max_connections);
    let deadlines = Deadlines {
        first_request: config.header_read_timeout.filter(|t| !t.is_zero()),
        http2_idle: config.http2_idle_timeout.filter(|t| !t.is_zero()),
    };
    let graceful = GracefulShutdown::new();
    // Polled beside the accepting: once `ct` or `stopped` is cancelled, the service drains while
    // new connections are still served, and the loop ends when it is done.
    let mut stopping = std::pin::pin!(stop_when_cancelled(ct, stopped, stop));
    loop {
        let slot = tokio::select! {
            () = &mut stopping => break,
            slot = connections.clone().acquire_owned() => slot,
        };
        let Ok(slot) = slot else { break };
        let accepted = tokio::select! {
            () = &mut stopping => break,
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
        let Some(peer_slot) = per_address.admit(peer.ip()) else {
            // Closed at once (dropped here) rather than left waiting in the backlog.
            tracing::debug!(%peer, "too many connections from this address: closed");
            continue;
        };
        // SSE events are small writes that must not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let activity = Activity::new();
        let watchdog = activity.watchdog(deadlines);
        let service = service.clone();
        let hyper_service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            // Requests without a principal count against their address's share (`quota`).
            request.extensions_mut().insert(RemoteAddr(peer));
            let stream = activity.begin(request.version());
            let mut service = service.clone();
            async move {
                std::future::poll_fn(|cx| service.poll_ready(cx)).await?;
                let response = service.call(request).await?;
                Ok::<_, Infallible>(response.map(|body| TrackedBody::new(body, stream)))
            }
        });
        let io = TokioIo::new(WriteDeadline::new(stream, config.sse_write_timeout));
        let connection = builder.serve_connection(io, hyper_service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            tokio::select! {
                biased;
                ended = connection => {
                    if let Err(e) = ended {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                }
                reason = watchdog => tracing::debug!(%peer, "connection closed: {reason}"),
            }
            drop((slot, peer_slot));
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(CLOSE_GRACE) => tracing::debug!("connections still open after the grace period"),
    }
    Ok(())
}

/// Wait for `ct` or `stopped`, then run `stop`.
async fn stop_when_cancelled(ct: CancellationToken, stopped: CancellationToken, stop: impl Future<Output = ()>) {
    tokio::select! {
        () = ct.cancelled() => {}
        () = stopped.cancelled() => {}
    }
    stop.await;
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
