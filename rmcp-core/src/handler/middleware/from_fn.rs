//! [`from_fn`]: a middleware written as an async function, as axum's `middleware::from_fn`.

use std::fmt;
use std::future::Future;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use tower_layer::Layer;
use tower_service::Service;

use super::{BoxError, McpRequest, into_mcp_error};
use crate::model::ServerResult;
use crate::service::McpError;

/// A layer from an async function `f(request, next)`: it may look at or change the request,
/// answer it itself, or call `next.run(request)` and look at or change the answer.
///
/// ```
/// use rmcp_core::handler::middleware::{McpRequest, Next, from_fn};
/// use rmcp_core::model::ServerResult;
/// use rmcp_core::service::McpError;
///
/// async fn only_authenticated(request: McpRequest, next: Next) -> Result<ServerResult, McpError> {
///     if request.principal().is_none() && request.method() != "initialize" {
///         return Err(McpError::invalid_request("sign in first"));
///     }
///     next.run(request).await
/// }
///
/// let layer = from_fn(only_authenticated);
/// # let _ = layer;
/// ```
pub fn from_fn<F>(f: F) -> FromFnLayer<F> {
    FromFnLayer { f }
}

/// The layer [`from_fn`] makes.
#[derive(Clone)]
pub struct FromFnLayer<F> {
    f: F,
}

impl<F: Clone, S> Layer<S> for FromFnLayer<F> {
    type Service = FromFn<F, S>;

    fn layer(&self, inner: S) -> Self::Service {
        FromFn { f: self.f.clone(), inner }
    }
}

/// The service of a [`FromFnLayer`].
#[derive(Clone)]
pub struct FromFn<F, S> {
    f: F,
    inner: S,
}

/// The rest of the stack, for a [`from_fn`] middleware to call.
pub struct Next {
    run: Box<dyn FnOnce(McpRequest) -> BoxFuture<'static, Result<ServerResult, McpError>> + Send>,
}

impl Next {
    /// Pass the request on to the layers below and the handler, and return their answer.
    pub async fn run(self, request: McpRequest) -> Result<ServerResult, McpError> {
        (self.run)(request).await
    }
}

impl<F> fmt::Debug for FromFnLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FromFnLayer").finish_non_exhaustive()
    }
}

impl<F, S: fmt::Debug> fmt::Debug for FromFn<F, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FromFn").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl fmt::Debug for Next {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next").finish_non_exhaustive()
    }
}

impl<F, Fut, S> Service<McpRequest> for FromFn<F, S>
where
    F: Fn(McpRequest, Next) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<ServerResult, McpError>> + Send + 'static,
    S: Service<McpRequest, Response = ServerResult> + Clone + Send + Sync + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = ServerResult;
    type Error = McpError;
    type Future = BoxFuture<'static, Result<ServerResult, McpError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), McpError>> {
        // The inner stack is made ready when `next` runs: a middleware that answers by itself
        // must not wait for it.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: McpRequest) -> Self::Future {
        let mut inner = self.inner.clone();
        let next = Next {
            run: Box::new(move |request| {
                Box::pin(async move {
                    std::future::poll_fn(|cx| inner.poll_ready(cx)).await.map_err(into_mcp_error)?;
                    inner.call(request).await.map_err(into_mcp_error)
                })
            }),
        };
        Box::pin((self.f)(request, next))
    }
}
