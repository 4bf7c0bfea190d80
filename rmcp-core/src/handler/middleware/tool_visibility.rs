//! [`ToolVisibilityLayer`]: each caller sees, and may call, only the tools it is allowed.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use tower_layer::Layer;
use tower_service::Service;

use super::{BoxError, McpRequest, into_mcp_error};
use crate::model::{CacheScope, ClientRequest, ServerResult};
use crate::service::McpError;
use crate::transport::Principal;

type Rule = dyn Fn(Option<&Principal>, &str) -> bool + Send + Sync;

/// Filters `tools/list` down to the tools a rule allows the caller, and answers a `tools/call`
/// of any other tool exactly as one of an unknown tool, so a caller cannot tell a hidden tool
/// from a missing one. On 2026-07-28 a filtered list is marked `cacheScope: private`: it is
/// one caller's view.
///
/// The rule sees the caller's [`Principal`] (`None` when the transport knows none) and the
/// tool's name; [`require_scopes`](Self::require_scopes) builds the common rule from OAuth
/// scopes.
///
/// ```
/// use rmcp_core::handler::ServerHandler;
/// use rmcp_core::handler::middleware::ToolVisibilityLayer;
///
/// struct Admin;
/// impl ServerHandler for Admin {}
///
/// // `delete_user` needs the `admin` scope; the other tools are for everyone.
/// let server = Admin.layer(ToolVisibilityLayer::require_scopes([("delete_user", "admin")]));
/// # let _ = server;
///
/// // Or any rule: anonymous callers see only tools whose names start with `public_`.
/// let rule = ToolVisibilityLayer::new(|caller, tool| caller.is_some() || tool.starts_with("public_"));
/// # let _ = rule;
/// ```
#[derive(Clone)]
pub struct ToolVisibilityLayer {
    rule: Arc<Rule>,
}

impl ToolVisibilityLayer {
    /// Allow a tool to a caller when `rule(caller, tool_name)` says so.
    pub fn new(rule: impl Fn(Option<&Principal>, &str) -> bool + Send + Sync + 'static) -> Self {
        Self { rule: Arc::new(rule) }
    }

    /// Each listed tool needs its scope; tools not listed are allowed to every caller.
    pub fn require_scopes<I, T, S>(scopes: I) -> Self
    where
        I: IntoIterator<Item = (T, S)>,
        T: Into<String>,
        S: Into<String>,
    {
        let needed: HashMap<String, String> = scopes.into_iter().map(|(t, s)| (t.into(), s.into())).collect();
        Self::new(move |caller, tool| match needed.get(tool) {
            None => true,
            Some(scope) => caller.is_some_and(|p| p.has_scope(scope)),
        })
    }
}

impl fmt::Debug for ToolVisibilityLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolVisibilityLayer").finish_non_exhaustive()
    }
}

impl<S> Layer<S> for ToolVisibilityLayer {
    type Service = ToolVisibilityService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ToolVisibilityService { rule: Arc::clone(&self.rule), inner }
    }
}

/// The service of a [`ToolVisibilityLayer`].
#[derive(Clone)]
pub struct ToolVisibilityService<S> {
    rule: Arc<Rule>,
    inner: S,
}

impl<S: fmt::Debug> fmt::Debug for ToolVisibilityService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolVisibilityService").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl<S> Service<McpRequest> for ToolVisibilityService<S>
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
        match &request.request {
            ClientRequest::CallTool(p) if !(self.rule)(request.principal(), &p.name) => {
                // The words of the tool router's own answer for a name it does not know.
                let unknown = McpError::invalid_params(format!("Unknown tool: {}", p.name));
                return Box::pin(std::future::ready(Err(unknown)));
            }
            ClientRequest::ListTools(_) => {}
            _ => {
                let answer = self.inner.call(request);
                return Box::pin(async move { answer.await.map_err(into_mcp_error) });
            }
        }
        // Only a listing keeps the caller past the call, to filter the answer.
        let caller = request.principal().cloned();
        let stateless = request.ctx.is_stateless();
        let rule = Arc::clone(&self.rule);
        let answer = self.inner.call(request);
        Box::pin(async move {
            let mut result = answer.await.map_err(into_mcp_error)?;
            if let ServerResult::ListTools(list) = &mut result {
                list.tools = list.tools.iter().filter(|t| rule(caller.as_ref(), &t.name)).cloned().collect();
                if stateless {
                    list.cache_scope = Some(CacheScope::Private);
                }
            }
            Ok(result)
        })
    }
}
