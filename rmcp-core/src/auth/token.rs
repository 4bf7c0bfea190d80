//! The token endpoint: one request with the client's authentication, and the tokens it gives.

use std::fmt;
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::dpop::{DPOP, Dpop};
use super::jwt::Es256Key;
use super::{AuthError, http_error, oauth_error, read_json};

/// Tokens are renewed this long before they expire, so a request does not race the expiry.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);
/// The longest `expires_in` believed: a larger one (up to `u64::MAX` seconds, which would
/// overflow `SystemTime`) is clamped to this.
const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 60 * 60);

/// When a token issued `now` with `expires_in` seconds to live expires; `None` (no known expiry)
/// only where even the clamped lifetime does not fit in `SystemTime`.
fn expiry(now: SystemTime, expires_in: u64) -> Option<SystemTime> {
    now.checked_add(Duration::from_secs(expires_in).min(MAX_LIFETIME))
}

/// How a client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TokenEndpointAuth {
    /// A public client: `client_id` in the body, no secret.
    None,
    /// HTTP Basic with the client id and secret.
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the body.
    ClientSecretPost,
    /// A signed JWT assertion (RFC 7523 §2.2).
    PrivateKeyJwt,
}

impl TokenEndpointAuth {
    /// The registered name (`none`, `client_secret_basic`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
        }
    }

    /// The method of a registered name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::None, Self::ClientSecretBasic, Self::ClientSecretPost, Self::PrivateKeyJwt]
            .into_iter()
            .find(|m| m.as_str() == name)
    }
}

/// Tokens for one resource from one authorization server.
#[derive(Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenSet {
    /// The access token.
    pub access_token: String,
    /// `Bearer` (or `DPoP`).
    pub token_type: String,
    /// The refresh token, when one was issued.
    pub refresh_token: Option<String>,
    /// When the access token expires, when the server said.
    pub expires_at: Option<SystemTime>,
    /// The scopes granted (as the server said, else as requested).
    pub scopes: Vec<String>,
    /// The resource the tokens are for (RFC 8707).
    pub resource: String,
    /// The issuer that issued them: tokens are never presented to another one.
    pub issuer: String,
}

impl TokenSet {
    /// The `Authorization` header value presenting the access token: `Bearer <token>`, or
    /// `DPoP <token>` for a DPoP-bound one.
    pub fn authorization(&self) -> String {
        let scheme = if self.is_dpop() { "DPoP" } else { "Bearer" };
        format!("{scheme} {}", self.access_token)
    }

    /// Whether the token is DPoP-bound.
    pub fn is_dpop(&self) -> bool {
        self.token_type.eq_ignore_ascii_case("dpop")
    }

    /// Whether the access token has expired (or is about to).
    pub fn is_expired(&self) -> bool {
        self.expires_at.is_some_and(|at| SystemTime::now().checked_add(EXPIRY_MARGIN).is_none_or(|soon| soon >= at))
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Tokens are bearer credentials: whoever reads a log must not be able to use them.
        f.debug_struct("TokenSet")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "<redacted>"))
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .field("resource", &self.resource)
            .field("issuer", &self.issuer)
            .finish()
    }
}

/// Who is asking, and how it proves it.
pub(crate) struct ClientAuth<'a> {
    pub client_id: &'a str,
    pub secret: Option<&'a str>,
    pub method: TokenEndpointAuth,
    /// The key of `private_key_jwt`.
    pub key: Option<&'a Es256Key>,
    /// The audience of a client assertion: the authorization server's issuer.
    pub audience: &'a str,
}

/// What a token request is for: the resource, the issuer, and the scopes asked for (the
/// granted ones when the response names none).
pub(crate) struct Target<'a> {
    pub issuer: &'a str,
    pub resource: &'a str,
    pub scopes: &'a [String],
}

#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

/// POST `form` (with the client's authentication added) to the token endpoint; with DPoP, with
/// a proof, sent again once when the server asks for a nonce.
pub(crate) async fn request(
    http: &reqwest::Client,
    endpoint: &str,
    mut form: Vec<(&'static str, String)>,
    client: &ClientAuth<'_>,
    target: &Target<'_>,
    dpop: Option<&Dpop>,
) -> Result<TokenSet, AuthError> {
    let mut basic_auth = None;
    match client.method {
        TokenEndpointAuth::None => form.push(("client_id", client.client_id.to_owned())),
        TokenEndpointAuth::ClientSecretPost => {
            form.push(("client_id", client.client_id.to_owned()));
            form.push(("client_secret", client.secret.unwrap_or_default().to_owned()));
        }
        TokenEndpointAuth::ClientSecretBasic => {
            basic_auth = Some(basic(client.client_id, client.secret.unwrap_or_default()))
        }
        TokenEndpointAuth::PrivateKeyJwt => {
            let key = client.key.ok_or_else(|| AuthError::Key("private_key_jwt needs a signing key".into()))?;
            form.push(("client_id", client.client_id.to_owned()));
            form.push(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned()));
            form.push(("client_assertion", key.client_assertion(client.client_id, client.audience)?));
        }
    }
    let mut nonce_retried = false;
    let response = loop {
        let mut builder = http.post(endpoint).header(http::header::ACCEPT, "application/json").form(&form);
        if let Some(value) = &basic_auth {
            builder = builder.header(http::header::AUTHORIZATION, value);
        }
        if let Some(dpop) = dpop {
            builder = builder.header(DPOP, dpop.token_proof(endpoint)?);
        }
        let response = builder.send().await.map_err(|e| http_error(endpoint, e))?;
        let new_nonce = dpop.is_some_and(|d| Dpop::learn(&d.as_nonce, response.headers()));
        if response.status().is_success() {
            break response;
        }
        if new_nonce && !nonce_retried && response.status() == http::StatusCode::BAD_REQUEST {
            nonce_retried = true;
            continue;
        }
        return Err(oauth_error(endpoint, response).await);
    };
    let body: TokenResponse = read_json(endpoint, response).await?;
    Ok(token_set(body, target))
}

/// The tokens a token endpoint's answer gives, for `target`.
pub(crate) fn token_set(body: TokenResponse, target: &Target<'_>) -> TokenSet {
    let scopes = match body.scope {
        Some(s) => s.split_whitespace().map(str::to_owned).collect(),
        None => target.scopes.to_vec(),
    };
    TokenSet {
        access_token: body.access_token,
        token_type: body.token_type.unwrap_or_else(|| "Bearer".into()),
        refresh_token: body.refresh_token,
        expires_at: body.expires_in.and_then(|s| expiry(SystemTime::now(), s)),
        scopes,
        resource: target.resource.to_owned(),
        issuer: target.issuer.to_owned(),
    }
}

/// Use a refresh token; the old refresh token stays when no new one is issued.
pub(crate) async fn refresh(
    http: &reqwest::Client,
    endpoint: &str,
    tokens: &TokenSet,
    client: &ClientAuth<'_>,
    dpop: Option<&Dpop>,
) -> Result<TokenSet, AuthError> {
    let refresh_token = tokens.refresh_token.clone().ok_or_else(|| AuthError::OAuth {
        error: "invalid_grant".into(),
        description: Some("no refresh token".into()),
    })?;
    let form = vec![
        ("grant_type", "refresh_token".to_owned()),
        ("refresh_token", refresh_token.clone()),
        ("resource", tokens.resource.clone()),
    ];
    let target = Target { issuer: &tokens.issuer, resource: &tokens.resource, scopes: &tokens.scopes };
    let mut fresh = request(http, endpoint, form, client, &target, dpop).await?;
    fresh.refresh_token.get_or_insert(refresh_token);
    Ok(fresh)
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1).
fn basic(id: &str, secret: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!("Basic {}", STANDARD.encode(format!("{}:{}", encode(id), encode(secret))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_sets_never_print_tokens() {
        let tokens = TokenSet {
            access_token: "at-secret".into(),
            token_type: "Bearer".into(),
            refresh_token: Some("rt-secret".into()),
            expires_at: None,
            scopes: vec![],
            resource: "r".into(),
            issuer: "i".into(),
        };
        let printed = format!("{tokens:?}");
        assert!(!printed.contains("at-secret") && !printed.contains("rt-secret"), "{printed}");
    }

    #[test]
    fn huge_lifetimes_are_clamped_not_overflowed() {
        let now = SystemTime::now();
        assert_eq!(expiry(now, u64::MAX), Some(now + MAX_LIFETIME));
        assert_eq!(expiry(now, 60), Some(now + Duration::from_secs(60)));
        assert!(now.checked_add(Duration::from_secs(u64::MAX)).is_none(), "what used to panic");
    }

    #[test]
    fn basic_credentials_are_form_encoded() {
        assert_eq!(basic("a b", "c:d"), format!("Basic {}", STANDARD.encode("a+b:c%3Ad")));
        assert_eq!(TokenEndpointAuth::parse("client_secret_post"), Some(TokenEndpointAuth::ClientSecretPost));
    }
}
