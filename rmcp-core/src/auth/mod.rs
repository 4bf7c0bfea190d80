//! OAuth 2.1 authorization for MCP over HTTP: the client side (discovery, registration, the
//! authorization-code flow with PKCE, refresh, step-up, client credentials) and the resource
//! server side (a tower layer that checks bearer tokens).
//!
//! Both follow `basic/authorization` of the 2025-11-25 and 2026-07-28 revisions.
//!
//! # Client
//!
//! [`OAuthClient`] is an [`AuthProvider`](crate::transport::http::AuthProvider): give it to the
//! HTTP client transport and the first 401 runs the whole flow, then the request is sent again.
//!
//! ```no_run
//! use rmcp_core::auth::{LoopbackHandler, OAuthClient, OAuthConfig};
//! use rmcp_core::service::ServiceExt;
//! use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let url = "http://127.0.0.1:8000/mcp";
//! // Print the URL the user must open; the listener on 127.0.0.1 receives the redirect.
//! let handler = LoopbackHandler::bind(0, |url| eprintln!("open {url}")).await?;
//! let oauth = OAuthClient::new(url, handler, OAuthConfig::new("my-app"))?;
//! let config = StreamableHttpClientConfig::new(url).with_auth(oauth);
//! let client = ().serve(StreamableHttpClientTransport::with_config(config)).await?;
//! # Ok(())
//! # }
//! ```
//!
//! | file | job |
//! |---|---|
//! | `challenge` | `WWW-Authenticate` parsing |
//! | `metadata` | protected resource metadata (RFC 9728), authorization server metadata (RFC 8414, OpenID) |
//! | `registration` | pre-registered clients, client ID metadata documents, dynamic registration (RFC 7591) |
//! | `pkce` | code verifier, challenge and `state` |
//! | `token` | the token endpoint: requests, client authentication, the token set |
//! | `flow` | one authorization-code round: the URL, the redirect's checks (state, RFC 9207 `iss`) |
//! | `handler` | how the user agent is driven: a loopback listener, or fetching the redirect |
//! | `store` | where client registrations and tokens are kept, keyed by issuer |
//! | `provider` | [`OAuthClient`]: the provider the HTTP transport asks |
//! | `client_credentials` | machine-to-machine grants: client credentials, JWT bearer |
//! | `jwt` | ES256 signing for `private_key_jwt` and DPoP |
//! | `dpop` | DPoP proofs (RFC 9449) and server nonces |
//! | `resource_server` | the tower layer of a protected MCP server |

#[cfg(feature = "auth")]
mod client_credentials;
#[cfg(feature = "auth")]
mod dpop;
#[cfg(feature = "auth")]
mod flow;
#[cfg(feature = "auth")]
mod handler;
#[cfg(feature = "auth")]
mod jwt;
#[cfg(feature = "auth")]
mod metadata;
#[cfg(feature = "auth")]
mod pkce;
#[cfg(feature = "auth")]
mod provider;
#[cfg(feature = "auth")]
mod registration;
mod resource_metadata;
#[cfg(feature = "auth-server")]
mod resource_server;
#[cfg(feature = "auth")]
mod store;
#[cfg(feature = "auth")]
mod token;

#[cfg(feature = "auth")]
pub use self::{
    client_credentials::{AssertionSource, ClientCredentialsProvider, Grant, IdJagExchange},
    flow::{AuthorizationRequest, PendingAuthorization},
    handler::{AuthorizationHandler, FetchRedirect, LoopbackHandler},
    jwt::Es256Key,
    metadata::{AuthorizationServerMetadata, resource_matches},
    pkce::Pkce,
    provider::{OAuthClient, OAuthConfig},
    registration::{ApplicationType, ClientRegistration, PreRegisteredClient, RegisteredClient},
    store::{CredentialStore, InMemoryCredentialStore, StoredCredentials},
    token::{TokenEndpointAuth, TokenSet},
};
#[cfg(feature = "auth")]
pub use crate::transport::http::{BearerChallenge, is_insufficient_scope};
#[cfg(feature = "auth")]
use std::time::Duration;
#[cfg(feature = "auth")]
use url::Url;

pub use resource_metadata::ProtectedResourceMetadata;
#[cfg(feature = "auth-server")]
pub use resource_server::{
    OAuthResourceLayer, OAuthResourceService, ResourceServerConfig, TokenClaims, TokenVerifier, VerifyError,
};

/// Why an OAuth step failed. Messages never contain tokens or client secrets.
#[cfg(feature = "auth")]
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// An HTTP exchange with a metadata, registration, authorization or token endpoint failed.
    #[error("HTTP request to {url} failed: {message}")]
    Http {
        /// The endpoint.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// No usable protected resource or authorization server metadata was found.
    #[error("discovery failed: {0}")]
    Discovery(String),
    /// The protected resource metadata names another resource than the server being accessed.
    #[error("the protected resource metadata names resource {found}, not this server ({expected})")]
    ResourceMismatch {
        /// The MCP server URL.
        expected: String,
        /// The `resource` the metadata names.
        found: String,
    },
    /// The authorization server metadata names another issuer than the one it was fetched for
    /// (RFC 8414 §3.3).
    #[error("the authorization server metadata names issuer {found}, expected {expected}")]
    IssuerMismatch {
        /// The issuer the metadata URL was built from.
        expected: String,
        /// The `issuer` in the document.
        found: String,
    },
    /// The authorization server does not offer PKCE with S256, so the flow cannot be protected.
    #[error("the authorization server does not support PKCE with S256")]
    PkceUnsupported,
    /// No client identity could be had for this authorization server.
    #[error("client registration failed: {0}")]
    Registration(String),
    /// The authorization response was refused (state, `iss`, redirect target) or carried an error.
    #[error("the authorization response was refused: {0}")]
    AuthorizationResponse(String),
    /// The user agent step (opening the URL, receiving the redirect) failed.
    #[error("the authorization step failed: {0}")]
    Redirect(String),
    /// An endpoint answered with an OAuth error (`error`, `error_description`).
    #[error("the authorization server refused: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    OAuth {
        /// The `error` code.
        error: String,
        /// The `error_description`.
        description: Option<String>,
    },
    /// A key or assertion could not be used.
    #[error("invalid key: {0}")]
    Key(String),
}

/// How long one HTTP exchange with an authorization endpoint may take.
#[cfg(feature = "auth")]
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest metadata, registration or token document accepted.
#[cfg(feature = "auth")]
const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// The HTTP client for authorization endpoints: redirects are never followed, so an
/// authorization response (a redirect carrying the code) is read rather than chased, and a
/// metadata or token request cannot be bounced elsewhere.
#[cfg(feature = "auth")]
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HTTP_TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// Whether `url` may carry OAuth traffic (codes, client secrets, assertions, tokens): `https`,
/// or `http` to a loopback host only (`localhost`, 127.0.0.0/8, `[::1]`: development servers and
/// test mocks), where the traffic never crosses a network in clear text.
#[cfg(feature = "auth")]
pub(crate) fn is_secure_url(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => is_loopback(url),
        _ => false,
    }
}

/// Whether a URL points at this machine's loopback interface.
#[cfg(feature = "auth")]
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `url` (an authorization server's `what`: issuer, endpoint) parsed, when it is secure
/// ([`is_secure_url`]); a discovery error otherwise.
#[cfg(feature = "auth")]
pub(crate) fn require_secure(what: &str, url: &str) -> Result<Url, AuthError> {
    let parsed = Url::parse(url).map_err(|e| AuthError::Discovery(format!("{what} {url} is not a URL: {e}")))?;
    if !is_secure_url(&parsed) {
        return Err(AuthError::Discovery(format!(
            "{what} {url} must use https (http is accepted for loopback hosts only)"
        )));
    }
    Ok(parsed)
}

#[cfg(feature = "auth")]
fn http_error(url: &str, e: impl std::fmt::Display) -> AuthError {
    AuthError::Http { url: url.to_owned(), message: e.to_string() }
}

/// Read a JSON document of at most [`MAX_DOCUMENT_BYTES`].
#[cfg(feature = "auth")]
async fn read_json<T: serde::de::DeserializeOwned>(url: &str, response: reqwest::Response) -> Result<T, AuthError> {
    if response.content_length().is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64) {
        return Err(http_error(url, "the document is too large"));
    }
    let mut body = Vec::new();
    let mut response = response;
    while let Some(chunk) = response.chunk().await.map_err(|e| http_error(url, e))? {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(http_error(url, "the document is too large"));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| http_error(url, format!("not the expected JSON: {e}")))
}

/// An OAuth error body (`{"error": ..., "error_description": ...}`), or the status alone.
#[cfg(feature = "auth")]
async fn oauth_error(url: &str, response: reqwest::Response) -> AuthError {
    #[derive(serde::Deserialize)]
    struct Body {
        error: String,
        error_description: Option<String>,
    }
    let status = response.status();
    match read_json::<Body>(url, response).await {
        Ok(b) => AuthError::OAuth { error: b.error, description: b.error_description },
        Err(_) => http_error(url, format!("HTTP {status}")),
    }
}

#[cfg(all(test, feature = "auth"))]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_is_secure() {
        for ok in [
            "https://as.example/token",
            "http://localhost:3000/t",
            "http://127.0.0.1/t",
            "http://127.8.9.1:1/t",
            "http://[::1]:80/",
        ] {
            assert!(require_secure("token_endpoint", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://as.example/token",
            "http://localhost.evil.example/t",
            "http://127.0.0.1.evil.example/t",
            "http://10.0.0.1/t",
            "ftp://localhost/t",
            "not a url",
        ] {
            assert!(matches!(require_secure("token_endpoint", bad), Err(AuthError::Discovery(_))), "{bad}");
        }
    }
}
