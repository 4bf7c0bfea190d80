//! A client identity for an authorization server, in the order the MCP specification gives:
//! credentials registered beforehand for that issuer, else a client ID metadata document (a
//! URL as `client_id`) when the server accepts them, else dynamic client registration
//! (RFC 7591).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::metadata::AuthorizationServerMetadata;
use super::token::TokenEndpointAuth;
use super::{AuthError, http_error, oauth_error, read_json, require_secure};

/// What kind of application registers (OpenID Connect Dynamic Registration §2): `native` for
/// applications on the user's device (loopback or custom-scheme redirects), `web` otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationType {
    /// An application on the user's device.
    Native,
    /// A web application.
    Web,
}

impl ApplicationType {
    /// `native` for a loopback (or non-HTTP) redirect URI, `web` for any other.
    pub fn for_redirect_uri(redirect_uri: &str) -> Self {
        match url::Url::parse(redirect_uri) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => match u.host_str() {
                Some("localhost" | "127.0.0.1" | "[::1]") => Self::Native,
                _ => Self::Web,
            },
            _ => Self::Native,
        }
    }
}

/// A client registered beforehand with one authorization server.
#[derive(Clone)]
pub struct PreRegisteredClient {
    /// The issuer these credentials belong to; they are used with no other.
    pub issuer: String,
    /// The client id.
    pub client_id: String,
    /// The client secret of a confidential client.
    pub client_secret: Option<String>,
    /// How to authenticate at the token endpoint; by default chosen from what the server
    /// accepts (`client_secret_basic` first when there is a secret, `none` without).
    pub auth_method: Option<TokenEndpointAuth>,
}

impl PreRegisteredClient {
    /// A public client known to `issuer` as `client_id`.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self { issuer: issuer.into(), client_id: client_id.into(), client_secret: None, auth_method: None }
    }
    /// With a client secret.
    pub fn with_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }
    /// With this token endpoint authentication.
    pub fn with_auth_method(mut self, method: TokenEndpointAuth) -> Self {
        self.auth_method = Some(method);
        self
    }
}

impl fmt::Debug for PreRegisteredClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreRegisteredClient")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "<redacted>"))
            .field("auth_method", &self.auth_method)
            .finish()
    }
}

/// How a client identity is obtained.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientRegistration {
    /// `client_name` for dynamic registration.
    pub client_name: String,
    /// Credentials registered beforehand, each for one issuer.
    pub pre_registered: Vec<PreRegisteredClient>,
    /// The HTTPS URL of this client's metadata document, used as `client_id` where the server
    /// accepts client ID metadata documents.
    pub client_metadata_url: Option<String>,
    /// Register dynamically when nothing else applies. Default: on.
    pub dynamic: bool,
    /// The `application_type` to register; by default derived from the redirect URI.
    pub application_type: Option<ApplicationType>,
}

impl ClientRegistration {
    /// Dynamic registration as `client_name`, nothing registered beforehand.
    pub fn new(client_name: impl Into<String>) -> Self {
        Self {
            client_name: client_name.into(),
            pre_registered: Vec::new(),
            client_metadata_url: None,
            dynamic: true,
            application_type: None,
        }
    }
}

/// A client identity one authorization server knows.
#[derive(Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RegisteredClient {
    /// The issuer that knows it.
    pub issuer: String,
    /// The client id (a URL for a client ID metadata document).
    pub client_id: String,
    /// The secret of a confidential client.
    pub client_secret: Option<String>,
    /// How it authenticates at the token endpoint.
    pub auth_method: TokenEndpointAuth,
    /// The redirect URIs it was registered with (empty: not known).
    pub redirect_uris: Vec<String>,
    /// Whether it came from dynamic registration (and may be registered again).
    pub dynamic: bool,
}

impl fmt::Debug for RegisteredClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisteredClient")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "<redacted>"))
            .field("auth_method", &self.auth_method)
            .field("redirect_uris", &self.redirect_uris)
            .finish()
    }
}

impl RegisteredClient {
    /// Whether it can be used with this redirect URI.
    pub(crate) fn fits(&self, redirect_uri: &str) -> bool {
        !self.dynamic || self.redirect_uris.iter().any(|u| u == redirect_uri)
    }
}

/// A client identity for the server `metadata` describes.
pub(crate) async fn obtain(
    http: &reqwest::Client,
    registration: &ClientRegistration,
    metadata: &AuthorizationServerMetadata,
    redirect_uri: &str,
) -> Result<RegisteredClient, AuthError> {
    let issuer = &metadata.issuer;
    if let Some(pre) = registration.pre_registered.iter().find(|p| &p.issuer == issuer) {
        let method = pre.auth_method.unwrap_or_else(|| match &pre.client_secret {
            Some(_) if metadata.accepts_auth_method("client_secret_basic") => TokenEndpointAuth::ClientSecretBasic,
            Some(_) if metadata.accepts_auth_method("client_secret_post") => TokenEndpointAuth::ClientSecretPost,
            Some(_) => TokenEndpointAuth::ClientSecretBasic,
            None => TokenEndpointAuth::None,
        });
        return Ok(RegisteredClient {
            issuer: issuer.clone(),
            client_id: pre.client_id.clone(),
            client_secret: pre.client_secret.clone(),
            auth_method: method,
            redirect_uris: Vec::new(),
            dynamic: false,
        });
    }
    if let Some(url) = &registration.client_metadata_url
        && metadata.client_id_metadata_document_supported == Some(true)
    {
        return Ok(RegisteredClient {
            issuer: issuer.clone(),
            client_id: url.clone(),
            client_secret: None,
            auth_method: TokenEndpointAuth::None,
            redirect_uris: Vec::new(),
            dynamic: false,
        });
    }
    match &metadata.registration_endpoint {
        Some(endpoint) if registration.dynamic => register(http, registration, metadata, endpoint, redirect_uri).await,
        _ => Err(AuthError::Registration(format!(
            "{issuer} offers no dynamic registration and no client is registered for it"
        ))),
    }
}

#[derive(Deserialize)]
struct RegistrationResponse {
    client_id: String,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    token_endpoint_auth_method: Option<String>,
    #[serde(default)]
    redirect_uris: Option<Vec<String>>,
}

/// RFC 7591 dynamic registration.
async fn register(
    http: &reqwest::Client,
    registration: &ClientRegistration,
    metadata: &AuthorizationServerMetadata,
    endpoint: &str,
    redirect_uri: &str,
) -> Result<RegisteredClient, AuthError> {
    // The answer may carry a client secret: never over clear text to another machine.
    require_secure("registration_endpoint", endpoint)?;
    // A public client (PKCE protects the code) where the server allows it; else a secret.
    let requested = ["none", "client_secret_basic", "client_secret_post"]
        .into_iter()
        .find(|m| metadata.accepts_auth_method(m))
        .and_then(TokenEndpointAuth::parse)
        .unwrap_or(TokenEndpointAuth::None);
    let application_type =
        registration.application_type.unwrap_or_else(|| ApplicationType::for_redirect_uri(redirect_uri));
    let body = json!({
        "client_name": registration.client_name,
        "redirect_uris": [redirect_uri],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": requested.as_str(),
        "application_type": application_type,
    });
    let response = http
        .post(endpoint)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| http_error(endpoint, e))?;
    if !response.status().is_success() {
        return Err(AuthError::Registration(oauth_error(endpoint, response).await.to_string()));
    }
    let registered: RegistrationResponse = read_json(endpoint, response).await?;
    let method = match registered.token_endpoint_auth_method.as_deref() {
        Some(name) => TokenEndpointAuth::parse(name)
            .ok_or_else(|| AuthError::Registration(format!("unsupported token_endpoint_auth_method {name}")))?,
        None => requested,
    };
    tracing::info!(issuer = %metadata.issuer, client_id = %registered.client_id, method = method.as_str(), "registered the client");
    Ok(RegisteredClient {
        issuer: metadata.issuer.clone(),
        client_id: registered.client_id,
        client_secret: registered.client_secret,
        auth_method: method,
        redirect_uris: registered.redirect_uris.unwrap_or_else(|| vec![redirect_uri.to_owned()]),
        dynamic: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_make_native_applications() {
        assert_eq!(ApplicationType::for_redirect_uri("http://127.0.0.1:8080/cb"), ApplicationType::Native);
        assert_eq!(ApplicationType::for_redirect_uri("http://localhost:3000/callback"), ApplicationType::Native);
        assert_eq!(ApplicationType::for_redirect_uri("com.example.app:/cb"), ApplicationType::Native);
        assert_eq!(ApplicationType::for_redirect_uri("https://app.example/cb"), ApplicationType::Web);
    }
}
