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
//! | `exchange` | the error type, and HTTP exchanges with authorization endpoints |
//! | `metadata` | protected resource metadata (RFC 9728), authorization server metadata (RFC 8414, OpenID) |
//! | `host_scope` | loopback, private or public: no server sends the client somewhere more private than itself |
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
//! | `resource_metadata` | the protected resource metadata document (both sides) |
//! | `resource_server` | the tower layer of a protected MCP server |

#[cfg(feature = "auth")]
mod client_credentials;
#[cfg(feature = "auth")]
mod dpop;
#[cfg(feature = "auth")]
mod exchange;
#[cfg(feature = "auth")]
mod flow;
#[cfg(feature = "auth")]
mod handler;
#[cfg(feature = "auth")]
mod host_scope;
#[cfg(feature = "auth")]
mod jwt;
#[cfg(feature = "auth")]
pub(crate) mod metadata;
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
pub(crate) mod token;

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
pub use exchange::{AuthError, http_client};
// The steps of the flow (the modules above) share these through `super::`.
#[cfg(feature = "auth")]
use exchange::{http_error, is_loopback, oauth_error, read_json, require_secure};

pub use resource_metadata::ProtectedResourceMetadata;
#[cfg(feature = "auth-server")]
pub use resource_server::{
    OAuthResourceLayer, OAuthResourceService, ResourceServerConfig, TokenClaims, TokenVerifier, VerifyError,
};
