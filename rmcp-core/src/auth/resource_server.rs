//! The resource server side: a tower layer in front of an MCP endpoint that serves the
//! protected resource metadata (RFC 9728), demands `Authorization: Bearer` tokens, checks them
//! with a pluggable [`TokenVerifier`] (audience = this server, expiry, scopes) and answers
//! 401/403 with the `WWW-Authenticate` challenge MCP clients follow.
//!
//! DPoP (RFC 9449) is not implemented: the layer verifies no DPoP proof, so it takes only
//! `Authorization: Bearer` and refuses (401 `invalid_token`) a token whose claims carry a
//! confirmation key ([`TokenClaims::confirmation_jkt`], `cnf.jkt`): such a token is bound to a
//! key, and accepting it without the proof would make it a plain bearer token again. Verifiers
//! should report `cnf.jkt` so those tokens are recognized.
//!
//! The claims of an accepted token go into the request's extensions, as [`TokenClaims`] and as
//! the transport-level [`Principal`](crate::transport::Principal) they establish; the Streamable
//! HTTP service binds a session to the principal that opened it.
//!
//! ```no_run
//! use rmcp_core::auth::{OAuthResourceLayer, ResourceServerConfig, TokenClaims, TokenVerifier, VerifyError};
//! use rmcp_core::handler::ServerHandler;
//! use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
//!
//! struct Introspect;
//! impl TokenVerifier for Introspect {
//!     fn verify<'a>(&'a self, token: &'a str) -> futures::future::BoxFuture<'a, Result<TokenClaims, VerifyError>> {
//!         Box::pin(async move { Err(VerifyError::Invalid("unknown token".into())) })
//!     }
//! }
//! #[derive(Clone)]
//! struct Hello;
//! impl ServerHandler for Hello {}
//!
//! # async fn run() -> std::io::Result<()> {
//! let config = ResourceServerConfig::new("http://127.0.0.1:8000/mcp", vec!["https://auth.example".into()]);
//! let mcp = StreamableHttpService::new(|| Hello, StreamableHttpConfig::default());
//! OAuthResourceLayer::new(config, Introspect).wrap(mcp).serve_on("127.0.0.1:8000").await
//! # }
//! ```

use std::fmt;
use std::io;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use serde_json::json;
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::resource_metadata::ProtectedResourceMetadata;
use crate::handler::ServerHandler;
use crate::transport::http::StreamableHttpService;
use crate::transport::http::server::serve_service;

/// What a verified access token says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenClaims {
    /// Whom the token was issued to act for (`sub`).
    pub subject: Option<String>,
    /// The client it was issued to.
    pub client_id: Option<String>,
    /// The scopes it grants.
    pub scopes: Vec<String>,
    /// The resources it is for (`aud`, or the RFC 8707 `resource` it was requested for).
    pub audience: Vec<String>,
    /// When it expires.
    pub expires_at: Option<SystemTime>,
    /// The JWK SHA-256 thumbprint of the key the token is bound to (`cnf.jkt`, RFC 9449 §6), for
    /// a DPoP-bound token; such tokens are refused by [`OAuthResourceLayer`], which verifies no
    /// DPoP proofs.
    pub confirmation_jkt: Option<String>,
}

impl TokenClaims {
    /// The caller these claims establish, as transports and handlers know it.
    pub fn principal(&self) -> crate::transport::Principal {
        crate::transport::Principal {
            subject: self.subject.clone(),
            client_id: self.client_id.clone(),
            scopes: self.scopes.clone(),
        }
    }
    /// Claims of a token for `audience` granting `scopes`.
    pub fn new(audience: impl Into<String>, scopes: Vec<String>) -> Self {
        Self { audience: vec![audience.into()], scopes, ..Self::default() }
    }
    /// With a subject.
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }
    /// With an expiry.
    pub fn with_expiry(mut self, at: SystemTime) -> Self {
        self.expires_at = Some(at);
        self
    }
    /// With the client it was issued to.
    pub fn with_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }
    /// Bound to the DPoP key with this JWK thumbprint (`cnf.jkt`).
    pub fn with_confirmation_jkt(mut self, jkt: impl Into<String>) -> Self {
        self.confirmation_jkt = Some(jkt.into());
        self
    }
}

/// Why a token was not accepted.
///
/// The text is for the operator: it is logged with `tracing`, and the caller gets a fixed
/// description, so it may name hosts, tables or upstream errors.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Unknown, malformed, revoked or badly signed: 401 `invalid_token`.
    #[error("invalid token: {0}")]
    Invalid(String),
    /// The verifier could not decide (introspection endpoint down): 503.
    #[error("token verification unavailable: {0}")]
    Unavailable(String),
}

/// Checks access tokens: JWT validation, introspection (RFC 7662), a lookup table…
pub trait TokenVerifier: Send + Sync + 'static {
    /// The claims of `token`, or why it is not accepted.
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<TokenClaims, VerifyError>>;
}

/// How the protected server describes itself and what it demands.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResourceServerConfig {
    /// The protected resource metadata served (its `resource` is this server's canonical URL).
    pub metadata: ProtectedResourceMetadata,
    /// Scopes every request's token must grant.
    pub required_scopes: Vec<String>,
}

impl ResourceServerConfig {
    /// A server at `resource` (the MCP endpoint's canonical URL) whose tokens the
    /// `authorization_servers` issue.
    pub fn new(resource: impl Into<String>, authorization_servers: Vec<String>) -> Self {
        Self { metadata: ProtectedResourceMetadata::new(resource, authorization_servers), required_scopes: Vec::new() }
    }
    /// List these scopes in the metadata.
    pub fn with_scopes_supported(mut self, scopes: Vec<String>) -> Self {
        self.metadata.scopes_supported = Some(scopes);
        self
    }
    /// Demand these scopes on every request.
    pub fn with_required_scopes(mut self, scopes: Vec<String>) -> Self {
        self.required_scopes = scopes;
        self
    }

    /// The path the metadata is served at: `/.well-known/oauth-protected-resource` followed
    /// by the resource's path (RFC 9728 §3.1).
    pub fn metadata_path(&self) -> String {
        let path =
            Url::parse(&self.metadata.resource).map(|u| u.path().trim_end_matches('/').to_owned()).unwrap_or_default();
        format!("/.well-known/oauth-protected-resource{path}")
    }

    /// The metadata's absolute URL, as challenges name it.
    pub fn metadata_url(&self) -> String {
        let origin = Url::parse(&self.metadata.resource).map(|u| u.origin().ascii_serialization()).unwrap_or_default();
        format!("{origin}{}", self.metadata_path())
    }
}

struct Shared {
    config: ResourceServerConfig,
    verifier: Box<dyn TokenVerifier>,
    metadata_path: String,
    metadata_json: Bytes,
    metadata_url: String,
}

/// The tower layer: wraps an MCP endpoint service in an [`OAuthResourceService`].
#[derive(Clone)]
pub struct OAuthResourceLayer {
    shared: Arc<Shared>,
}

impl fmt::Debug for OAuthResourceLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthResourceLayer").field("config", &self.shared.config).finish_non_exhaustive()
    }
}

impl OAuthResourceLayer {
    /// A layer serving `config`'s metadata and checking tokens with `verifier`.
    pub fn new(config: ResourceServerConfig, verifier: impl TokenVerifier) -> Self {
        let metadata_json = Bytes::from(serde_json::to_vec(&config.metadata).unwrap_or_default());
        Self {
            shared: Arc::new(Shared {
                metadata_path: config.metadata_path(),
                metadata_url: config.metadata_url(),
                metadata_json,
                config,
                verifier: Box::new(verifier),
            }),
        }
    }
}

impl OAuthResourceLayer {
    /// Wrap `inner` (what [`Layer::layer`](tower_layer::Layer::layer) does, without importing
    /// the trait).
    pub fn wrap<S>(&self, inner: S) -> OAuthResourceService<S> {
        OAuthResourceService { inner, shared: self.shared.clone() }
    }
}

impl<S> tower_layer::Layer<S> for OAuthResourceLayer {
    type Service = OAuthResourceService<S>;
    fn layer(&self, inner: S) -> OAuthResourceService<S> {
        OAuthResourceService { inner, shared: self.shared.clone() }
    }
}

/// An MCP endpoint behind bearer-token checks; see [`OAuthResourceLayer`].
#[derive(Clone)]
pub struct OAuthResourceService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S: fmt::Debug> fmt::Debug for OAuthResourceService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthResourceService").field("inner", &self.inner).finish_non_exhaustive()
    }
}

/// A request refused before it reached the endpoint.
struct Refusal {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl Shared {
    /// The claims of the request's token, or the refusal.
    async fn check(&self, authorization: Option<&HeaderValue>) -> Result<TokenClaims, Refusal> {
        let invalid = |description: &str| Refusal {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_token",
            description: description.to_owned(),
        };
        let Some(value) = authorization.and_then(|v| v.to_str().ok()) else {
            return Err(Refusal { status: StatusCode::UNAUTHORIZED, error: "", description: String::new() });
        };
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => token.trim(),
            _ => return Err(invalid("expected Authorization: Bearer <token>")),
        };
        let claims = match self.verifier.verify(token).await {
            Ok(claims) => claims,
            // The verifier's own words (hosts, tables, upstream errors) are for the operator's
            // log; an unauthenticated caller gets a fixed description.
            Err(VerifyError::Invalid(why)) => {
                tracing::debug!(reason = %why, "access token refused by the verifier");
                return Err(invalid("the access token is not valid"));
            }
            Err(VerifyError::Unavailable(why)) => {
                tracing::warn!(reason = %why, "access token verification unavailable");
                return Err(Refusal {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    error: "temporarily_unavailable",
                    description: "token verification is unavailable; try again later".to_owned(),
                });
            }
        };
        if claims.confirmation_jkt.is_some() {
            // Presented as Bearer (the only scheme taken here), a key-bound token would be
            // usable by whoever holds it, without the key: exactly what the binding prevents.
            return Err(invalid(
                "the token is DPoP-bound (cnf.jkt) and cannot be presented as a Bearer token; this server does not verify DPoP proofs",
            ));
        }
        if claims.expires_at.is_some_and(|at| at <= SystemTime::now()) {
            return Err(invalid("the token has expired"));
        }
        // A token issued for another resource must not be accepted here (RFC 8707, MCP
        // "token audience binding"): that would let one server replay its tokens at another.
        let resource = self.config.metadata.resource.trim_end_matches('/');
        if !claims.audience.iter().any(|a| a.trim_end_matches('/') == resource) {
            return Err(invalid("the token was not issued for this resource"));
        }
        let missing: Vec<&String> = self.config.required_scopes.iter().filter(|s| !claims.scopes.contains(s)).collect();
        if !missing.is_empty() {
            return Err(Refusal {
                status: StatusCode::FORBIDDEN,
                error: "insufficient_scope",
                description: format!(
                    "the token lacks {}",
                    missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
                ),
            });
        }
        Ok(claims)
    }

    /// The challenge answering a refusal.
    fn refusal<B: From<Bytes>>(&self, refusal: Refusal) -> Response<B> {
        // A quoted-string of RFC 9110: backslash and quote escaped, control characters (a CR/LF
        // would make the whole header invalid and drop the challenge) left out.
        let quote = |s: &str| {
            s.chars().filter(|c| !c.is_control()).collect::<String>().replace('\\', "\\\\").replace('"', "\\\"")
        };
        let mut challenge = format!(r#"Bearer resource_metadata="{}""#, quote(&self.metadata_url));
        if !self.config.required_scopes.is_empty() {
            challenge.push_str(&format!(r#", scope="{}""#, quote(&self.config.required_scopes.join(" "))));
        }
        if !refusal.error.is_empty() {
            challenge.push_str(&format!(
                r#", error="{}", error_description="{}""#,
                refusal.error,
                quote(&refusal.description)
            ));
        }
        let body = if refusal.error.is_empty() {
            json!({ "error": "invalid_token", "error_description": "authorization required" })
        } else {
            json!({ "error": refusal.error, "error_description": refusal.description })
        };
        let mut response = Response::new(B::from(Bytes::from(body.to_string())));
        *response.status_mut() = refusal.status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            headers.insert(header::WWW_AUTHENTICATE, v);
        }
        response
    }

    fn metadata<B: From<Bytes>>(&self) -> Response<B> {
        let mut response = Response::new(B::from(self.metadata_json.clone()));
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        // Public metadata: browser-based clients may read it from any origin.
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        response
    }
}

impl<S, B, ResBody> tower_service::Service<Request<B>> for OAuthResourceService<S>
where
    S: tower_service::Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Send + 'static,
    ResBody: From<Bytes> + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response<ResBody>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let shared = self.shared.clone();
        // The ready clone serves this request; the fresh one waits for the next poll_ready.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            if request.uri().path() == shared.metadata_path && matches!(*request.method(), Method::GET | Method::HEAD) {
                return Ok(shared.metadata());
            }
            match shared.check(request.headers().get(header::AUTHORIZATION)).await {
                Ok(claims) => {
                    request.extensions_mut().insert(claims.principal());
                    request.extensions_mut().insert(claims);
                    inner.call(request).await
                }
                Err(refusal) => Ok(shared.refusal(refusal)),
            }
        })
    }
}

impl<H: ServerHandler> OAuthResourceService<StreamableHttpService<H>> {
    /// Bind `addr` and serve until the process ends (the metadata at its well-known path, the
    /// MCP endpoint behind the token checks).
    pub async fn serve_on(self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let listener = TcpListener::bind(addr).await?;
        self.serve_listener(listener, CancellationToken::new()).await
    }

    /// Serve connections from `listener` until `ct` is cancelled, with the limits and the
    /// shutdown of [`StreamableHttpService::serve_listener`].
    pub async fn serve_listener(self, listener: TcpListener, ct: CancellationToken) -> io::Result<()> {
        let mcp = self.inner.clone();
        let config = mcp.config().clone();
        let stopped = mcp.cancellation_token();
        serve_service(self, &config, listener, ct, stopped, async move { mcp.shutdown_gracefully().await }).await
    }
}
