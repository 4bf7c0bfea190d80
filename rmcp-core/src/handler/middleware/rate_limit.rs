//! [`RateLimitLayer`]: a request rate per principal.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use tower_layer::Layer;
use tower_service::Service;

use super::{BoxError, McpRequest, into_mcp_error};
use crate::model::{ErrorCode, ErrorData, ServerResult};
use crate::service::McpError;
use crate::transport::principal_key::PrincipalKey;

/// The JSON-RPC error code of a refused request: JSON-RPC leaves -32000 to -32099 to servers,
/// and MCP names no code for this.
pub const RATE_LIMITED: ErrorCode = ErrorCode(-32029);

/// Allows each principal `limit` requests per `period`, in bursts of at most `limit`; beyond
/// that, requests are refused with error [`RATE_LIMITED`] and `data.retryAfterMs`, before they
/// reach the handler.
///
/// A principal is the one the HTTP server's fair shares use: the authenticated subject (else its
/// client id), else the peer's address ([`RemoteAddr`](crate::transport::RemoteAddr)). Requests
/// with neither (stdio, an in-process connection) share one allowance. The state is shared by
/// the layer's clones: build the layer once and give every session a clone.
///
/// ```
/// use std::time::Duration;
/// use rmcp_core::handler::ServerHandler;
/// use rmcp_core::handler::middleware::RateLimitLayer;
///
/// struct Search;
/// impl ServerHandler for Search {}
///
/// // Ten tool calls a second per user; other methods are not counted.
/// let limit = RateLimitLayer::per_principal(10, Duration::from_secs(1)).only(["tools/call"]);
/// let server = Search.layer(limit.clone());
/// # let _ = server;
/// ```
#[derive(Debug, Clone)]
pub struct RateLimitLayer {
    state: Arc<Buckets>,
    only: Option<Arc<[&'static str]>>,
}

impl RateLimitLayer {
    /// `limit` requests per `period` for each principal (`limit` at least 1).
    pub fn per_principal(limit: u32, period: Duration) -> Self {
        let limit = limit.max(1);
        let state = Buckets {
            interval: period / limit,
            burst: period.saturating_sub(period / limit),
            next: Mutex::new(HashMap::new()),
        };
        Self { state: Arc::new(state), only: None }
    }

    /// Count only these methods (`"tools/call"`, ...); the others always pass.
    pub fn only<const N: usize>(mut self, methods: [&'static str; N]) -> Self {
        self.only = Some(Arc::from(methods.as_slice()));
        self
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimitService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RateLimitService { layer: self.clone(), inner }
    }
}

/// The service of a [`RateLimitLayer`].
#[derive(Debug, Clone)]
pub struct RateLimitService<S> {
    layer: RateLimitLayer,
    inner: S,
}

/// The generic cell rate algorithm: for each principal, the time its next request is due. A
/// request is allowed when that time is at most `burst` ahead of now, and pushes it `interval`
/// further; an idle principal's entry is in the past and is dropped when the map is swept. One
/// instant per principal, where a token bucket keeps two numbers.
#[derive(Debug)]
struct Buckets {
    interval: Duration,
    burst: Duration,
    next: Mutex<HashMap<Option<PrincipalKey>, Instant>>,
}

/// Entries beyond which a check sweeps out the idle ones (amortized: the map then holds at most
/// the active principals, and a sweep comes at most once per this many new ones).
const SWEEP_AT: usize = 4096;

impl Buckets {
    /// `Err(wait)` when the principal is over its rate.
    fn check(&self, key: Option<PrincipalKey>, now: Instant) -> Result<(), Duration> {
        let mut next = self.next.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if next.len() >= SWEEP_AT && !next.contains_key(&key) {
            next.retain(|_, due| *due > now);
        }
        let due = next.get(&key).copied().unwrap_or(now).max(now);
        let ahead = due - now;
        if ahead > self.burst {
            return Err(ahead - self.burst);
        }
        next.insert(key, due + self.interval);
        Ok(())
    }
}

impl<S> Service<McpRequest> for RateLimitService<S>
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
        let counted = self.layer.only.as_ref().is_none_or(|only| only.contains(&request.method()));
        if counted {
            let key = request.ctx.principal_key();
            if let Err(wait) = self.layer.state.check(key, Instant::now()) {
                let retry_ms = wait.as_millis().max(1) as u64;
                let refused = ErrorData::new(
                    RATE_LIMITED,
                    format!("rate limit exceeded; try again in {retry_ms} ms"),
                    Some(serde_json::json!({ "retryAfterMs": retry_ms })),
                );
                return Box::pin(std::future::ready(Err(McpError::Rpc(refused))));
            }
        }
        let answer = self.inner.call(request);
        Box::pin(async move { answer.await.map_err(into_mcp_error) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_burst_then_the_rate() {
        let layer = RateLimitLayer::per_principal(3, Duration::from_secs(3));
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(layer.state.check(None, start), Ok(()));
        }
        let wait = layer.state.check(None, start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        // A second later one more is allowed, and only one.
        let later = start + Duration::from_secs(1);
        assert_eq!(layer.state.check(None, later), Ok(()));
        assert!(layer.state.check(None, later).is_err());
    }

    #[test]
    fn principals_have_their_own_allowance() {
        let layer = RateLimitLayer::per_principal(1, Duration::from_secs(60));
        let now = Instant::now();
        let alice = Some(PrincipalKey::Address("192.0.2.1".parse().unwrap()));
        let bob = Some(PrincipalKey::Address("192.0.2.2".parse().unwrap()));
        assert_eq!(layer.state.check(alice, now), Ok(()));
        assert!(layer.state.check(alice, now).is_err());
        assert_eq!(layer.state.check(bob, now), Ok(()));
    }

    #[test]
    fn idle_principals_are_swept() {
        let layer = RateLimitLayer::per_principal(1, Duration::from_millis(1));
        let now = Instant::now();
        for i in 0..SWEEP_AT as u32 {
            let key = Some(PrincipalKey::Address(std::net::IpAddr::V4(i.into())));
            layer.state.check(key, now).unwrap();
        }
        let later = now + Duration::from_secs(1);
        layer.state.check(None, later).unwrap();
        assert_eq!(layer.state.next.lock().unwrap().len(), 1);
    }
}
