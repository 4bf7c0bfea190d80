//! [`OAuthClient`]: the [`AuthProvider`] that answers an MCP server's 401 (and 403
//! `insufficient_scope`) with discovery, registration and the authorization-code flow, and keeps
//! the tokens fresh.

use std::fmt;
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use url::Url;

use super::dpop::{DPOP, Dpop};
use super::flow::{AuthorizationRequest, client_auth};
use super::handler::AuthorizationHandler;
use super::metadata::{self, AuthorizationServerMetadata};
use super::registration::{self, ApplicationType, ClientRegistration, PreRegisteredClient, RegisteredClient};
use super::store::{CredentialStore, InMemoryCredentialStore, StoredCredentials};
use super::token::{self, TokenSet};
use super::{AuthError, host_scope, http_client};
use crate::transport::http::BearerChallenge;
use crate::transport::http::{AuthChallenge, AuthProvider};

/// The scope that asks for a refresh token (OpenID Connect Core §11).
const OFFLINE_ACCESS: &str = "offline_access";

/// How an [`OAuthClient`] registers and what it asks for.
#[derive(Clone)]
#[non_exhaustive]
pub struct OAuthConfig {
    /// How a client identity is obtained for each authorization server.
    pub registration: ClientRegistration,
    /// Add `offline_access` to the requested scopes when the authorization server lists it
    /// (never otherwise), to get a refresh token. Default: on.
    pub request_offline_access: bool,
    /// Where registrations and tokens are kept. Default: in memory.
    pub store: Arc<dyn CredentialStore>,
    /// The HTTP client for authorization endpoints; it must not follow redirects.
    pub http: reqwest::Client,
    /// Ask for DPoP-bound tokens (RFC 9449) where the authorization server offers them with
    /// ES256. Default: off: MCP resource servers take `Authorization: Bearer` tokens (this
    /// crate's [`OAuthResourceLayer`](super::OAuthResourceLayer) among them, which refuses
    /// DPoP-bound ones); turn it on only for servers known to verify DPoP proofs.
    pub dpop: bool,
    /// Send the protected resource metadata's `resource` as the RFC 8707 `resource`, also when
    /// it names a parent of the MCP endpoint (its origin, or a path prefix on the same origin;
    /// anything else is refused before any request). Default: on: RFC 9728 makes that value the
    /// server's own identifier for itself, and it is what authorization servers and the MCP
    /// conformance suite expect. Off: the endpoint's canonical URL is always sent, so a token is
    /// never requested for more than this one endpoint, at the cost of servers that only accept
    /// their published identifier.
    pub send_published_resource: bool,
}

impl fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("registration", &self.registration)
            .field("request_offline_access", &self.request_offline_access)
            .field("dpop", &self.dpop)
            .field("send_published_resource", &self.send_published_resource)
            .finish_non_exhaustive()
    }
}

impl OAuthConfig {
    /// Dynamic registration as `client_name`, tokens kept in memory.
    pub fn new(client_name: impl Into<String>) -> Self {
        Self {
            registration: ClientRegistration::new(client_name),
            request_offline_access: true,
            store: Arc::new(InMemoryCredentialStore::new()),
            http: http_client(),
            dpop: false,
            send_published_resource: true,
        }
    }
    /// Use these credentials with their issuer (and only with it).
    pub fn with_pre_registered(mut self, client: PreRegisteredClient) -> Self {
        self.registration.pre_registered.push(client);
        self
    }
    /// Use this client ID metadata document URL as `client_id` where it is accepted.
    pub fn with_client_metadata_url(mut self, url: impl Into<String>) -> Self {
        self.registration.client_metadata_url = Some(url.into());
        self
    }
    /// Register as this application type (default: derived from the redirect URI).
    pub fn with_application_type(mut self, application_type: ApplicationType) -> Self {
        self.registration.application_type = Some(application_type);
        self
    }
    /// Ask (or not) for `offline_access` where the server lists it.
    pub fn with_offline_access(mut self, request: bool) -> Self {
        self.request_offline_access = request;
        self
    }
    /// Ask (or not) for DPoP-bound tokens where they are offered.
    pub fn with_dpop(mut self, dpop: bool) -> Self {
        self.dpop = dpop;
        self
    }
    /// Send (or not) the metadata's `resource` verbatim; see
    /// [`send_published_resource`](Self::send_published_resource) for the trade-off.
    pub fn with_published_resource(mut self, send: bool) -> Self {
        self.send_published_resource = send;
        self
    }
    /// Keep credentials in `store`.
    pub fn with_store(mut self, store: Arc<dyn CredentialStore>) -> Self {
        self.store = store;
        self
    }
}

/// An OAuth 2.1 client for one MCP server: an [`AuthProvider`] for
/// [`StreamableHttpClientConfig::with_auth`](crate::transport::http::StreamableHttpClientConfig::with_auth).
///
/// On a 401 it fetches the server's protected resource metadata and its authorization server's
/// metadata, obtains a client identity for that issuer, runs the authorization-code flow through
/// the [`AuthorizationHandler`] and stores the tokens under the issuer. A 401 on an expired token
/// first tries the refresh token; a 403 `insufficient_scope` re-authorizes with the union of the
/// scopes asked so far and the challenged ones. Cloning shares the session.
///
/// ```no_run
/// use rmcp_core::auth::{LoopbackHandler, OAuthClient, OAuthConfig};
/// use rmcp_core::service::ServiceExt;
/// use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let url = "https://mcp.example.com/mcp";
/// let handler = LoopbackHandler::bind(0, |url| eprintln!("sign in at {url}")).await?;
/// let oauth = OAuthClient::new(url, handler, OAuthConfig::new("my-app"))?;
/// // Sign in before connecting rather than on the first 401; the clone shares the tokens.
/// oauth.authorize().await?;
/// let config = StreamableHttpClientConfig::new(url).with_auth(oauth.clone());
/// let client = ().serve(StreamableHttpClientTransport::with_config(config)).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct OAuthClient {
    inner: Arc<Inner>,
}

struct Inner {
    server_url: Url,
    handler: Box<dyn AuthorizationHandler>,
    config: OAuthConfig,
    /// The tokens in use, readable without waiting for a flow in progress.
    current: Mutex<Option<TokenSet>>,
    /// One flow (or refresh) at a time.
    session: tokio::sync::Mutex<Session>,
    /// The key DPoP-bound tokens are bound to, for the life of this client.
    dpop: Dpop,
}

/// What the last flow established.
#[derive(Default)]
struct Session {
    metadata: Option<AuthorizationServerMetadata>,
    client: Option<RegisteredClient>,
    /// The scopes requested last, with their issuer: step-up adds to them.
    requested: Vec<String>,
    requested_from: Option<String>,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("server_url", &self.inner.server_url.as_str())
            .field("redirect_uri", &self.inner.handler.redirect_uri())
            .field("tokens", &*lock(&self.inner.current))
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a challenge asks for.
struct Demand<'a> {
    bearer: Option<BearerChallenge>,
    insufficient_scope: bool,
    rejected: Option<&'a [u8]>,
}

impl OAuthClient {
    /// A client for the MCP endpoint `server_url` that sends the user agent through `handler`.
    pub fn new(server_url: &str, handler: impl AuthorizationHandler, config: OAuthConfig) -> Result<Self, AuthError> {
        let server_url =
            Url::parse(server_url).map_err(|e| AuthError::Discovery(format!("{server_url} is not a URL: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                server_url,
                handler: Box::new(handler),
                config,
                current: Mutex::new(None),
                session: tokio::sync::Mutex::new(Session::default()),
                dpop: Dpop::new(),
            }),
        })
    }

    /// The tokens in use, if any.
    pub fn tokens(&self) -> Option<TokenSet> {
        lock(&self.inner.current).clone()
    }

    /// Authorize now rather than on the first 401 (discovery from the well-known locations).
    pub async fn authorize(&self) -> Result<(), AuthError> {
        let demand = Demand { bearer: None, insufficient_scope: false, rejected: None };
        let mut session = self.inner.session.lock().await;
        self.run(&demand, &mut session).await
    }

    /// Answer a challenge: `Ok` once new credentials are in place.
    async fn answer(&self, challenge: &AuthChallenge) -> Result<(), AuthError> {
        let mut session = self.inner.session.lock().await;
        let bearer = BearerChallenge::find(challenge.www_authenticate(), "Bearer")
            .or_else(|| BearerChallenge::find(challenge.www_authenticate(), "DPoP"));
        if bearer.as_ref().is_some_and(|b| b.error() == Some("use_dpop_nonce"))
            && Dpop::learn(&self.inner.dpop.rs_nonce, &challenge.headers)
        {
            // The resource server wants its nonce in the proof: same token, new proof.
            return Ok(());
        }
        let rejected = challenge.rejected.as_ref().map(|v| v.as_bytes());
        if let Some(tokens) = self.tokens()
            && Some(tokens.authorization().as_bytes()) != rejected
            && !tokens.is_expired()
        {
            // Another request's flow replaced the rejected credentials meanwhile: use them.
            return Ok(());
        }
        let insufficient_scope = challenge.status == StatusCode::FORBIDDEN
            || bearer.as_ref().is_some_and(|b| b.error() == Some("insufficient_scope"));
        self.run(&Demand { bearer, insufficient_scope, rejected }, &mut session).await
    }

    /// Discovery, then stored or refreshed tokens where they do, else a full authorization.
    async fn run(&self, demand: &Demand<'_>, session: &mut Session) -> Result<(), AuthError> {
        let inner = &self.inner;
        let http = &inner.config.http;
        let hint = demand.bearer.as_ref().and_then(|b| b.resource_metadata());
        let prm = metadata::discover_resource(http, &inner.server_url, hint).await?;
        // The metadata's `resource` was only checked to cover this endpoint: it may name a
        // parent, and a token for that would be good at every server under it.
        let canonical = metadata::canonical_resource(&inner.server_url);
        let (issuer, resource, prm_scopes) = match prm {
            Some(prm) => {
                let issuer = prm.authorization_servers.first().cloned().ok_or_else(|| {
                    AuthError::Discovery("the protected resource metadata names no authorization server".into())
                })?;
                let resource = if inner.config.send_published_resource { prm.resource } else { canonical };
                (issuer, resource, prm.scopes_supported)
            }
            // A server without resource metadata (2025-03-26): its origin is the issuer.
            None => (inner.server_url.origin().ascii_serialization(), canonical, None),
        };
        // The server chose the issuer: not one on a more private network than itself.
        host_scope::check_resolved("authorization server", &issuer, &inner.server_url).await?;
        let metadata = metadata::discover_authorization_server(http, &issuer).await?;
        let stored = inner.config.store.load(&issuer).await.unwrap_or_default();

        // Stored tokens (or their refresh) only do when they cover what the challenge asks.
        let challenged = demand.bearer.as_ref().and_then(BearerChallenge::scopes).unwrap_or_default();
        let covers = |t: &TokenSet| challenged.iter().all(|s| t.scopes.contains(s));
        if !demand.insufficient_scope
            && let Some(tokens) =
                stored.tokens.clone().filter(|t| t.resource == resource && t.issuer == issuer && covers(t))
        {
            let was_rejected = Some(tokens.authorization().as_bytes()) == demand.rejected;
            if !was_rejected && !tokens.is_expired() {
                self.adopt(session, metadata, stored.client, tokens);
                return Ok(());
            }
            if let Some(client) = stored.client.clone().filter(|_| tokens.refresh_token.is_some()) {
                let dpop = self.dpop_for(&metadata);
                match token::refresh(http, metadata.token_endpoint()?, &tokens, &client_auth(&client, &metadata), dpop)
                    .await
                {
                    Ok(fresh) => {
                        tracing::debug!(issuer = %issuer, "refreshed the access token");
                        inner
                            .config
                            .store
                            .save(&issuer, StoredCredentials::new(Some(client.clone()), Some(fresh.clone())))
                            .await;
                        self.adopt(session, metadata, Some(client), fresh);
                        return Ok(());
                    }
                    Err(e) => tracing::debug!(error = %e, "refreshing failed; authorizing again"),
                }
            }
        }

        let mut scopes = match (demand.bearer.as_ref().and_then(BearerChallenge::scopes), prm_scopes) {
            (Some(challenged), _) if !challenged.is_empty() => challenged,
            (_, Some(supported)) => supported,
            _ => Vec::new(),
        };
        if demand.insufficient_scope && session.requested_from.as_deref() == Some(issuer.as_str()) {
            // Step-up keeps what was granted before: ask for the union.
            for scope in session.requested.iter().rev() {
                if !scopes.contains(scope) {
                    scopes.insert(0, scope.clone());
                }
            }
        }
        if inner.config.request_offline_access
            && !scopes.is_empty()
            && metadata.lists_scope(OFFLINE_ACCESS)
            && !scopes.iter().any(|s| s == OFFLINE_ACCESS)
        {
            scopes.push(OFFLINE_ACCESS.to_owned());
        }
        if !metadata.lists_scope(OFFLINE_ACCESS) {
            // Never ask for a refresh scope the server does not list.
            scopes.retain(|s| s != OFFLINE_ACCESS);
        }

        let redirect_uri = inner.handler.redirect_uri();
        let client = match stored.client.filter(|c| c.fits(&redirect_uri)) {
            Some(client) => client,
            None => registration::obtain(http, &inner.config.registration, &metadata, &redirect_uri).await?,
        };
        let request =
            AuthorizationRequest::new(&client.client_id, &redirect_uri, &resource).with_scopes(scopes.clone());
        let pending = request.start(&metadata)?;
        tracing::info!(issuer = %issuer, scopes = %scopes.join(" "), "authorizing");
        let redirect = inner.handler.authorize(pending.url()).await?;
        let code = pending.code_from(&redirect)?;
        let tokens = pending.exchange(http, code, &client, &metadata, self.dpop_for(&metadata)).await?;
        tracing::info!(issuer = %issuer, granted = %tokens.scopes.join(" "), "authorized");
        inner.config.store.save(&issuer, StoredCredentials::new(Some(client.clone()), Some(tokens.clone()))).await;
        session.requested = scopes;
        session.requested_from = Some(issuer);
        self.adopt(session, metadata, Some(client), tokens);
        Ok(())
    }

    /// The DPoP key, where `metadata`'s server binds tokens to one and DPoP is wanted.
    fn dpop_for(&self, metadata: &AuthorizationServerMetadata) -> Option<&Dpop> {
        (self.inner.config.dpop && metadata.supports_dpop_es256()).then_some(&self.inner.dpop)
    }

    fn adopt(
        &self,
        session: &mut Session,
        metadata: AuthorizationServerMetadata,
        client: Option<RegisteredClient>,
        tokens: TokenSet,
    ) {
        session.metadata = Some(metadata);
        session.client = client;
        *lock(&self.inner.current) = Some(tokens);
    }

    /// The current access token, refreshed first when it has expired and can be.
    async fn fresh_token(&self) -> Option<String> {
        let tokens = self.tokens()?;
        if !tokens.is_expired() || tokens.refresh_token.is_none() {
            return Some(tokens.access_token);
        }
        let session = self.inner.session.lock().await;
        let tokens = self.tokens()?;
        if !tokens.is_expired() {
            return Some(tokens.access_token);
        }
        let (Some(metadata), Some(client)) = (&session.metadata, &session.client) else {
            return Some(tokens.access_token);
        };
        let endpoint = metadata.token_endpoint().ok()?;
        let dpop = self.dpop_for(metadata);
        match token::refresh(&self.inner.config.http, endpoint, &tokens, &client_auth(client, metadata), dpop).await {
            Ok(fresh) => {
                let stored = StoredCredentials::new(Some(client.clone()), Some(fresh.clone()));
                self.inner.config.store.save(&metadata.issuer, stored).await;
                *lock(&self.inner.current) = Some(fresh.clone());
                Some(fresh.access_token)
            }
            // The server will answer 401 and the challenge runs the flow.
            Err(e) => {
                tracing::debug!(error = %e, "refreshing failed");
                Some(tokens.access_token)
            }
        }
    }
}

impl AuthProvider for OAuthClient {
    fn token(&self) -> BoxFuture<'_, Option<String>> {
        Box::pin(self.fresh_token())
    }

    fn authorize<'a>(&'a self, method: &'a Method, url: &'a str) -> BoxFuture<'a, HeaderMap> {
        Box::pin(async move {
            let mut headers = HeaderMap::new();
            let Some(access_token) = self.fresh_token().await else { return headers };
            let Some(tokens) = self.tokens().filter(|t| t.access_token == access_token) else { return headers };
            let Ok(mut value) = HeaderValue::from_str(&tokens.authorization()) else { return headers };
            value.set_sensitive(true);
            headers.insert(header::AUTHORIZATION, value);
            if tokens.is_dpop() {
                // A fresh proof per request, bound to this method, URL and token.
                match self.inner.dpop.resource_proof(method.as_str(), url, &tokens.access_token) {
                    Ok(proof) => {
                        if let Ok(v) = HeaderValue::from_str(&proof) {
                            headers.insert(DPOP, v);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "no DPoP proof"),
                }
            }
            headers
        })
    }

    fn challenge<'a>(&'a self, challenge: &'a AuthChallenge) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            match self.answer(challenge).await {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "authorization failed");
                    false
                }
            }
        })
    }
}
