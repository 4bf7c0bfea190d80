//! [`RequestLogLayer`]: one `tracing` event per request, with who asked, what, and how it ended.

use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::future::BoxFuture;
use tower_layer::Layer;
use tower_service::Service;

use super::{BoxError, McpRequest, into_mcp_error};
use crate::model::ServerResult;
use crate::service::McpError;

/// Logs every request when it ends: an `INFO` event of target `rmcp_core::request_log` with the
/// method, the tool, prompt or URI it names, the request id, the caller's subject, how long it
/// took and its outcome (`ok`, or the JSON-RPC error code). An audit trail for any transport,
/// read by whatever `tracing` subscriber the program installs.
///
/// ```
/// use rmcp_core::handler::ServerHandler;
/// use rmcp_core::handler::middleware::RequestLogLayer;
///
/// struct Quiet;
/// impl ServerHandler for Quiet {}
///
/// let logged = Quiet.layer(RequestLogLayer::new());
/// # let _ = logged;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestLogLayer {
    _private: (),
}

impl RequestLogLayer {
    /// The layer.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<S> Layer<S> for RequestLogLayer {
    type Service = RequestLogService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestLogService { inner }
    }
}

/// The service of a [`RequestLogLayer`].
#[derive(Debug, Clone)]
pub struct RequestLogService<S> {
    inner: S,
}

impl<S> Service<McpRequest> for RequestLogService<S>
where
    S: Service<McpRequest, Response = ServerResult> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = ServerResult;
    type Error = McpError;
    type Future = BoxFuture<'static, Result<ServerResult, McpError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), McpError>> {
        self.inner.poll_ready(cx).map_err(into_mcp_error)
    }

    fn call(&mut self, request: McpRequest) -> Self::Future {
        // Nothing to copy out of the request when no subscriber wants these events.
        if !tracing::enabled!(target: "rmcp_core::request_log", tracing::Level::INFO) {
            let answer = self.inner.call(request);
            return Box::pin(async move { answer.await.map_err(into_mcp_error) });
        }
        let method = request.method();
        let target = request.target().map(str::to_owned);
        let subject = request.principal().and_then(|p| p.subject.clone());
        let id = request.ctx.id.to_string();
        let started = Instant::now();
        let answer = self.inner.call(request);
        Box::pin(async move {
            let answer = answer.await.map_err(into_mcp_error);
            let outcome = match &answer {
                Ok(_) => "ok".to_owned(),
                Err(McpError::Rpc(e)) => e.code.0.to_string(),
                Err(McpError::InvalidArguments(_)) => "invalid arguments".to_owned(),
                Err(McpError::InputRequired(_)) => "input required".to_owned(),
                Err(McpError::TaskCreated(_)) => "task created".to_owned(),
            };
            tracing::info!(
                target: "rmcp_core::request_log",
                method,
                target = target.as_deref(),
                id,
                subject = subject.as_deref(),
                elapsed_us = started.elapsed().as_micros() as u64,
                outcome,
                "request",
            );
            answer
        })
    }
}
