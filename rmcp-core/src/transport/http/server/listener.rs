//! A one-call HTTP server for a [`StreamableHttpService`]: HTTP/1.1 and HTTP/2 (prior knowledge)
//! on a TCP listener, with `TCP_NODELAY` so every SSE event leaves at once.

use std::convert::Infallible;
use std::io;
use std::time::Duration;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio_util::sync::CancellationToken;

use super::StreamableHttpService;
use crate::handler::ServerHandler;

/// How long open connections may take to finish once the server stops.
const DRAIN: Duration = Duration::from_secs(5);

impl<S: ServerHandler> StreamableHttpService<S> {
    /// Bind `addr` and serve until the process ends. Every path answers as the MCP endpoint;
    /// mount the service on a router to serve it at one path only.
    pub async fn serve_on(self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let listener = TcpListener::bind(addr).await?;
        self.serve_listener(listener, CancellationToken::new()).await
    }

    /// Serve connections accepted from `listener` until `ct` is cancelled; then stop accepting,
    /// shut the service down (ending its streams) and give open connections a moment to finish.
    pub async fn serve_listener(self, listener: TcpListener, ct: CancellationToken) -> io::Result<()> {
        let builder = auto::Builder::new(TokioExecutor::new());
        let graceful = GracefulShutdown::new();
        let stopped = self.cancellation_token();
        loop {
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
            let service = self.clone();
            let hyper_service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let service = service.clone();
                async move { Ok::<_, Infallible>(service.handle(request).await) }
            });
            let connection = builder.serve_connection(TokioIo::new(stream), hyper_service).into_owned();
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
            });
        }
        self.shutdown();
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(DRAIN) => tracing::debug!("connections still open after the drain period"),
        }
        Ok(())
    }
}
