//! Grants without a user: `client_credentials` (OAuth 2.1 §4.2, the MCP client-credentials
//! extension) and the JWT-bearer grant (RFC 7523 §2.1) for workload identity federation and
//! enterprise-managed authorization, where the assertion comes from an identity provider's
//! token exchange (RFC 8693).

use std::fmt;
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use url::Url;

use super::jwt::Es256Key;
use super::metadata::{self, AuthorizationServerMetadata};
use super::token::{self, ClientAuth, TokenEndpointAuth, TokenSet};
use super::{AuthError, host_scope, http_client, http_error, oauth_error, read_json, require_secure};
use crate::transport::http::BearerChallenge;
use crate::transport::http::{AuthChallenge, AuthProvider};

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
const ID_JAG_TYPE: &str = "urn:ietf:params:oauth:token-type:id-jag";

/// Supplies the assertion of a JWT-bearer grant, for the authorization server `issuer` and the
/// resource `resource`. A `String` is a fixed assertion (a workload identity token).
pub trait AssertionSource: Send + Sync + 'static {
    /// The assertion (a JWT).
    fn assertion<'a>(&'a self, issuer: &'a str, resource: &'a str) -> BoxFuture<'a, Result<String, AuthError>>;
}

impl AssertionSource for String {
    fn assertion<'a>(&'a self, _: &'a str, _: &'a str) -> BoxFuture<'a, Result<String, AuthError>> {
        Box::pin(async move { Ok(self.clone()) })
    }
}

/// Enterprise-managed authorization: exchanges the user's ID token at the enterprise identity
/// provider (RFC 8693) for an identity assertion authorization grant (ID-JAG) for the
/// authorization server and resource at hand.
///
/// The grant's `audience` is the issuer the [`ClientCredentialsProvider`] asks for, which that
/// provider has checked against the issuer its credentials are bound to;
/// [`with_audience`](Self::with_audience) binds the exchange itself too, for other callers.
pub struct IdJagExchange {
    /// The identity provider's token endpoint (`https`, or `http` on a loopback host).
    pub token_endpoint: String,
    /// The user's ID token from the identity provider.
    pub id_token: String,
    /// This client's id at the identity provider.
    pub client_id: String,
    /// Its secret there, if it has one (sent with HTTP Basic).
    pub client_secret: Option<String>,
    /// The only authorization server (issuer) grants are requested for; any when `None`.
    pub audience: Option<String>,
    http: reqwest::Client,
}

impl IdJagExchange {
    /// An exchange at `token_endpoint` of `id_token`, as `client_id`.
    pub fn new(token_endpoint: impl Into<String>, id_token: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            token_endpoint: token_endpoint.into(),
            id_token: id_token.into(),
            client_id: client_id.into(),
            client_secret: None,
            audience: None,
            http: http_client(),
        }
    }

    /// Request grants for the authorization server `issuer` only: asked for another audience,
    /// the exchange is refused before the ID token leaves this process.
    pub fn with_audience(mut self, issuer: impl Into<String>) -> Self {
        self.audience = Some(issuer.into());
        self
    }
}

impl fmt::Debug for IdJagExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdJagExchange")
            .field("token_endpoint", &self.token_endpoint)
            .field("client_id", &self.client_id)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl AssertionSource for IdJagExchange {
    fn assertion<'a>(&'a self, issuer: &'a str, resource: &'a str) -> BoxFuture<'a, Result<String, AuthError>> {
        Box::pin(async move {
            #[derive(serde::Deserialize)]
            struct Exchanged {
                access_token: String,
            }
            if let Some(audience) = self.audience.as_deref().filter(|a| *a != issuer) {
                return Err(AuthError::Discovery(format!(
                    "an ID-JAG was asked for {issuer}; this exchange is bound to {audience}"
                )));
            }
            require_secure("the identity provider's token_endpoint", &self.token_endpoint)?;
            let mut form = vec![
                ("grant_type", TOKEN_EXCHANGE),
                ("requested_token_type", ID_JAG_TYPE),
                ("subject_token", self.id_token.as_str()),
                ("subject_token_type", ID_TOKEN_TYPE),
                ("audience", issuer),
                ("resource", resource),
            ];
            let mut builder = self.http.post(&self.token_endpoint);
            match &self.client_secret {
                Some(secret) => builder = builder.basic_auth(&self.client_id, Some(secret)),
                None => form.push(("client_id", self.client_id.as_str())),
            }
            let url = &self.token_endpoint;
            let response = builder.form(&form).send().await.map_err(|e| http_error(url, e))?;
            if !response.status().is_success() {
                return Err(oauth_error(url, response).await);
            }
            Ok(read_json::<Exchanged>(url, response).await?.access_token)
        })
    }
}

/// Which grant a [`ClientCredentialsProvider`] uses.
#[derive(Clone)]
#[non_exhaustive]
pub enum Grant {
    /// `grant_type=client_credentials`.
    ClientCredentials,
    /// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with an assertion.
    JwtBearer(Arc<dyn AssertionSource>),
}

impl fmt::Debug for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ClientCredentials => "ClientCredentials",
            Self::JwtBearer(_) => "JwtBearer",
        })
    }
}

/// An [`AuthProvider`] for a client acting on its own behalf: a 401 discovers the authorization
/// server (as [`OAuthClient`](super::OAuthClient) does) and asks its token endpoint directly.
/// An OAuth error from the grant is final: it is not retried.
///
/// The credentials (secret, signing key, assertion) are bound to one issuer, given to
/// [`new`](Self::new): an MCP server whose metadata names another authorization server gets
/// nothing sent to it. The token is requested for the MCP endpoint's canonical URL.
#[derive(Clone)]
pub struct ClientCredentialsProvider {
    inner: Arc<Inner>,
}

struct Inner {
    server_url: Url,
    /// The issuer the credentials belong to; `None` trusts whatever the metadata names.
    issuer: Option<String>,
    client_id: String,
    secret: Option<String>,
    key: Option<Es256Key>,
    method: Option<TokenEndpointAuth>,
    grant: Grant,
    http: reqwest::Client,
    current: Mutex<Option<TokenSet>>,
    /// Set after the authorization server refused the grant.
    refused: Mutex<Option<String>>,
    flow: tokio::sync::Mutex<()>,
}

impl fmt::Debug for ClientCredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentialsProvider")
            .field("server_url", &self.inner.server_url.as_str())
            .field("issuer", &self.inner.issuer)
            .field("client_id", &self.inner.client_id)
            .field("grant", &self.inner.grant)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ClientCredentialsProvider {
    /// `client_credentials` for the MCP endpoint `server_url` as `client_id`, a client of the
    /// authorization server `issuer` (compared exactly with the protected resource metadata's
    /// `authorization_servers`; a server naming none equal to it is refused).
    pub fn new(server_url: &str, issuer: impl Into<String>, client_id: impl Into<String>) -> Result<Self, AuthError> {
        Self::build(server_url, Some(issuer.into()), client_id.into())
    }

    /// Like [`new`](Self::new), but trusting the first authorization server the MCP server's
    /// metadata names, whatever it is.
    ///
    /// **Not for production**: any MCP server (or whoever answers for its URL) can then name an
    /// authorization server of its own and receive the client secret, the `private_key_jwt`
    /// assertion or the JWT-bearer assertion. For test harnesses (the conformance suite) whose
    /// authorization server is only known from the metadata.
    pub fn trust_discovered_issuer(server_url: &str, client_id: impl Into<String>) -> Result<Self, AuthError> {
        Self::build(server_url, None, client_id.into())
    }

    fn build(server_url: &str, issuer: Option<String>, client_id: String) -> Result<Self, AuthError> {
        let server_url =
            Url::parse(server_url).map_err(|e| AuthError::Discovery(format!("{server_url} is not a URL: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                server_url,
                issuer,
                client_id,
                secret: None,
                key: None,
                method: None,
                grant: Grant::ClientCredentials,
                http: http_client(),
                current: Mutex::new(None),
                refused: Mutex::new(None),
                flow: tokio::sync::Mutex::new(()),
            }),
        })
    }

    fn edit(mut self, f: impl FnOnce(&mut Inner)) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            f(inner);
        }
        self
    }

    /// Authenticate with this secret (`client_secret_basic` unless the server only takes
    /// `client_secret_post`).
    pub fn with_secret(self, secret: impl Into<String>) -> Self {
        let secret = secret.into();
        self.edit(|i| i.secret = Some(secret))
    }
    /// Authenticate with `private_key_jwt`, signing with `key`.
    pub fn with_signing_key(self, key: Es256Key) -> Self {
        self.edit(|i| i.key = Some(key))
    }
    /// Authenticate with exactly this method.
    pub fn with_auth_method(self, method: TokenEndpointAuth) -> Self {
        self.edit(|i| i.method = Some(method))
    }
    /// Use this grant (default: client credentials).
    pub fn with_grant(self, grant: Grant) -> Self {
        self.edit(|i| i.grant = grant)
    }

    /// The tokens in use, if any.
    pub fn tokens(&self) -> Option<TokenSet> {
        lock(&self.inner.current).clone()
    }

    fn method_for(&self, metadata: &AuthorizationServerMetadata) -> TokenEndpointAuth {
        let inner = &self.inner;
        if let Some(method) = inner.method {
            return method;
        }
        if inner.key.is_some() {
            TokenEndpointAuth::PrivateKeyJwt
        } else if inner.secret.is_some() {
            if !metadata.accepts_auth_method("client_secret_basic")
                && metadata.accepts_auth_method("client_secret_post")
            {
                TokenEndpointAuth::ClientSecretPost
            } else {
                TokenEndpointAuth::ClientSecretBasic
            }
        } else {
            TokenEndpointAuth::None
        }
    }

    /// Discover the authorization server and ask it for a token.
    async fn obtain(&self, challenge: &AuthChallenge) -> Result<(), AuthError> {
        let _flow = self.inner.flow.lock().await;
        if let Some(reason) = lock(&self.inner.refused).clone() {
            return Err(AuthError::OAuth { error: reason, description: Some("refused before; not retried".into()) });
        }
        let rejected = challenge.rejected.as_ref().map(|v| v.as_bytes());
        if let Some(tokens) = self.tokens()
            && Some(tokens.authorization().as_bytes()) != rejected
        {
            return Ok(());
        }
        let inner = &self.inner;
        let bearer = BearerChallenge::find(challenge.www_authenticate(), "Bearer");
        let hint = bearer.as_ref().and_then(|b| b.resource_metadata());
        let prm = metadata::discover_resource(&inner.http, &inner.server_url, hint)
            .await?
            .ok_or_else(|| AuthError::Discovery("no protected resource metadata".into()))?;
        let issuer = match &inner.issuer {
            Some(expected) => prm.authorization_servers.iter().find(|s| *s == expected).cloned().ok_or_else(|| {
                AuthError::Discovery(format!(
                    "the protected resource metadata names {:?} as authorization servers; these credentials are for {expected} only",
                    prm.authorization_servers
                ))
            })?,
            None => {
                let issuer = prm.authorization_servers.first().cloned().ok_or_else(|| {
                    AuthError::Discovery("the protected resource metadata names no authorization server".into())
                })?;
                // The server chose it (a bound issuer is the application's choice): not one on
                // a more private network than the server itself.
                host_scope::check_resolved("authorization server", &issuer, &inner.server_url).await?;
                issuer
            }
        };
        let metadata = metadata::discover_authorization_server(&inner.http, &issuer).await?;
        // The metadata's `resource` only had to cover this endpoint: the token is for it alone.
        let resource = metadata::canonical_resource(&inner.server_url);
        let scopes = match (bearer.as_ref().and_then(BearerChallenge::scopes), prm.scopes_supported) {
            (Some(s), _) if !s.is_empty() => s,
            (_, Some(s)) => s,
            _ => Vec::new(),
        };
        let mut form = Vec::new();
        match &inner.grant {
            Grant::ClientCredentials => form.push(("grant_type", "client_credentials".to_owned())),
            Grant::JwtBearer(source) => {
                form.push(("grant_type", JWT_BEARER.to_owned()));
                form.push(("assertion", source.assertion(&issuer, &resource).await?));
            }
        }
        form.push(("resource", resource.clone()));
        if !scopes.is_empty() {
            form.push(("scope", scopes.join(" ")));
        }
        let auth = ClientAuth {
            client_id: &inner.client_id,
            secret: inner.secret.as_deref(),
            method: self.method_for(&metadata),
            key: inner.key.as_ref(),
            audience: &metadata.issuer,
        };
        let target = token::Target { issuer: &issuer, resource: &resource, scopes: &scopes };
        match token::request(&inner.http, metadata.token_endpoint()?, form, &auth, &target, None).await {
            Ok(tokens) => {
                tracing::info!(issuer = %issuer, grant = ?inner.grant, "obtained a token");
                *lock(&inner.current) = Some(tokens);
                Ok(())
            }
            Err(e) => {
                if let AuthError::OAuth { error, .. } = &e {
                    *lock(&inner.refused) = Some(error.clone());
                }
                Err(e)
            }
        }
    }
}

impl AuthProvider for ClientCredentialsProvider {
    fn token(&self) -> BoxFuture<'_, Option<String>> {
        Box::pin(async move { self.tokens().map(|t| t.access_token) })
    }

    fn challenge<'a>(&'a self, challenge: &'a AuthChallenge) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            match self.obtain(challenge).await {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "no token for this client");
                    false
                }
            }
        })
    }
}
