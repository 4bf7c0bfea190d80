//! One authorization-code round (OAuth 2.1 §4.1): the authorization URL with PKCE, `state` and
//! `resource`; the checks of the redirect that comes back (state, RFC 9207 `iss`, errors); and
//! the code's exchange for tokens.

use std::fmt;

use url::Url;

use super::dpop::Dpop;
use super::metadata::AuthorizationServerMetadata;
use super::pkce::{Pkce, random_token};
use super::registration::RegisteredClient;
use super::token::{self, ClientAuth, TokenSet};
use super::{AuthError, require_secure};

/// What to ask an authorization server for.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthorizationRequest {
    /// The client id.
    pub client_id: String,
    /// Where the authorization server sends the user agent back.
    pub redirect_uri: String,
    /// The scopes to request; none omits `scope`.
    pub scopes: Vec<String>,
    /// The resource the token is for (RFC 8707), sent in both the authorization and the token
    /// request.
    pub resource: String,
}

impl AuthorizationRequest {
    /// A request for `resource` by `client_id`, redirected to `redirect_uri`.
    pub fn new(client_id: impl Into<String>, redirect_uri: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            scopes: Vec::new(),
            resource: resource.into(),
        }
    }

    /// With these scopes.
    pub fn with_scopes(mut self, scopes: Vec<String>) -> Self {
        self.scopes = scopes;
        self
    }

    /// Build the authorization URL for the server `metadata` describes, with a fresh PKCE pair
    /// and `state`. Refused when the server does not offer PKCE with S256, or when its
    /// authorization endpoint is neither `https` nor `http` on a loopback host.
    pub fn start(&self, metadata: &AuthorizationServerMetadata) -> Result<PendingAuthorization, AuthError> {
        if !metadata.supports_s256() {
            return Err(AuthError::PkceUnsupported);
        }
        let endpoint = metadata
            .authorization_endpoint
            .as_deref()
            .ok_or_else(|| AuthError::Discovery("the metadata has no authorization_endpoint".into()))?;
        // Checked again here (discovery did too): `metadata` may not come from discovery, and
        // this URL goes to the user agent.
        let mut url = require_secure("authorization_endpoint", endpoint)?;
        let pkce = Pkce::new();
        let state = random_token();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", &self.redirect_uri)
                .append_pair("code_challenge", pkce.challenge())
                .append_pair("code_challenge_method", "S256")
                .append_pair("state", &state)
                .append_pair("resource", &self.resource);
            if !self.scopes.is_empty() {
                query.append_pair("scope", &self.scopes.join(" "));
            }
        }
        Ok(PendingAuthorization {
            url,
            state,
            pkce,
            request: self.clone(),
            issuer: metadata.issuer.clone(),
            iss_advertised: metadata.authorization_response_iss_parameter_supported == Some(true),
        })
    }
}

/// An authorization waiting for its redirect: the URL to open, and what the redirect is
/// checked against.
pub struct PendingAuthorization {
    url: Url,
    state: String,
    pkce: Pkce,
    request: AuthorizationRequest,
    issuer: String,
    iss_advertised: bool,
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("issuer", &self.issuer)
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

impl PendingAuthorization {
    /// The URL to open in the user agent.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The PKCE pair (its verifier goes with the token request).
    pub fn pkce(&self) -> &Pkce {
        &self.pkce
    }

    /// The code in the redirect, once every check passed: the redirect goes to our
    /// `redirect_uri`; `state` is ours; `iss`, when present, is exactly the issuer (no
    /// normalization), and is present when the server advertised it (RFC 9207); only then is an
    /// `error` it carries reported, as [`AuthError::OAuth`].
    pub fn code_from(&self, redirect: &Url) -> Result<String, AuthError> {
        let refuse = |why: String| Err(AuthError::AuthorizationResponse(why));
        if let Ok(expected) = Url::parse(&self.request.redirect_uri)
            && (redirect.scheme() != expected.scheme()
                || redirect.host_str() != expected.host_str()
                || redirect.port_or_known_default() != expected.port_or_known_default()
                || redirect.path() != expected.path())
        {
            return refuse("the redirect does not go to the redirect URI".into());
        }
        let values = |name: &str| {
            redirect.query_pairs().filter(|(k, _)| k == name).map(|(_, v)| v.into_owned()).collect::<Vec<_>>()
        };
        // State and iss first: until they pass, the redirect may come from anyone (a forged
        // `error` must not end the flow nor reach the logs as if the server had said it).
        if values("state") != [self.state.as_str()] {
            return refuse("state does not match the authorization request".into());
        }
        match values("iss").as_slice() {
            [] if self.iss_advertised => return refuse("iss is missing though the server advertises it".into()),
            [] => {}
            [iss] if *iss == self.issuer => {}
            [iss] => return refuse(format!("iss {iss} is not the issuer {}", self.issuer)),
            _ => return refuse("iss appears more than once".into()),
        }
        if let Some(error) = values("error").into_iter().next() {
            return Err(AuthError::OAuth { error, description: values("error_description").into_iter().next() });
        }
        match values("code").as_slice() {
            [code] if !code.is_empty() => Ok(code.clone()),
            _ => refuse("the redirect carries no single code".into()),
        }
    }

    /// Exchange `code` for tokens at the token endpoint, with the PKCE verifier and the same
    /// `resource`.
    pub(crate) async fn exchange(
        &self,
        http: &reqwest::Client,
        code: String,
        client: &RegisteredClient,
        metadata: &AuthorizationServerMetadata,
        dpop: Option<&Dpop>,
    ) -> Result<TokenSet, AuthError> {
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code),
            ("redirect_uri", self.request.redirect_uri.clone()),
            ("code_verifier", self.pkce.verifier().to_owned()),
            ("resource", self.request.resource.clone()),
        ];
        let auth = client_auth(client, metadata);
        let target =
            token::Target { issuer: &self.issuer, resource: &self.request.resource, scopes: &self.request.scopes };
        token::request(http, metadata.token_endpoint()?, form, &auth, &target, dpop).await
    }
}

/// How `client` authenticates at `metadata`'s token endpoint.
pub(crate) fn client_auth<'a>(
    client: &'a RegisteredClient,
    metadata: &'a AuthorizationServerMetadata,
) -> ClientAuth<'a> {
    ClientAuth {
        client_id: &client.client_id,
        secret: client.client_secret.as_deref(),
        method: client.auth_method,
        key: None,
        audience: &metadata.issuer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(iss: Option<bool>) -> AuthorizationServerMetadata {
        AuthorizationServerMetadata {
            issuer: "https://as.example".into(),
            authorization_endpoint: Some("https://as.example/authorize".into()),
            code_challenge_methods_supported: Some(vec!["S256".into()]),
            authorization_response_iss_parameter_supported: iss,
            ..Default::default()
        }
    }

    fn redirect(pending: &PendingAuthorization, extra: &str) -> Url {
        let state = pending.url().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
        Url::parse(&format!("http://127.0.0.1:9/cb?code=c&state={state}{extra}")).unwrap()
    }

    #[test]
    fn redirects_are_checked_for_state_and_iss() {
        let request = AuthorizationRequest::new("client", "http://127.0.0.1:9/cb", "https://mcp.example/mcp");
        let pending = request.start(&metadata(Some(true))).unwrap();
        assert!(pending.url().as_str().contains("code_challenge_method=S256"));
        assert!(!pending.url().as_str().contains("scope="));
        assert_eq!(pending.code_from(&redirect(&pending, "&iss=https%3A%2F%2Fas.example")).unwrap(), "c");
        assert!(pending.code_from(&redirect(&pending, "")).is_err(), "iss advertised but missing");
        assert!(pending.code_from(&redirect(&pending, "&iss=https%3A%2F%2Fas.example%2F")).is_err(), "normalized iss");
        let wrong_state = Url::parse("http://127.0.0.1:9/cb?code=c&state=nope&iss=https%3A%2F%2Fas.example").unwrap();
        assert!(pending.code_from(&wrong_state).is_err());

        let unadvertised = request.start(&metadata(None)).unwrap();
        assert_eq!(unadvertised.code_from(&redirect(&unadvertised, "")).unwrap(), "c");
        assert!(unadvertised.code_from(&redirect(&unadvertised, "&iss=https%3A%2F%2Fevil.example")).is_err());
    }

    #[test]
    fn errors_are_reported_only_after_state_and_iss_pass() {
        let request = AuthorizationRequest::new("client", "http://127.0.0.1:9/cb", "https://mcp.example/mcp");
        let pending = request.start(&metadata(Some(true))).unwrap();
        let forged =
            Url::parse("http://127.0.0.1:9/cb?error=access_denied&error_description=forged&state=nope").unwrap();
        match pending.code_from(&forged) {
            Err(AuthError::AuthorizationResponse(why)) => assert!(why.contains("state"), "{why}"),
            other => panic!("a forged-state error is a state mismatch, not reported: {other:?}"),
        }
        let state = pending.url().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
        let no_iss = Url::parse(&format!("http://127.0.0.1:9/cb?error=access_denied&state={state}")).unwrap();
        assert!(matches!(pending.code_from(&no_iss), Err(AuthError::AuthorizationResponse(_))), "iss is missing");
        let genuine = Url::parse(&format!(
            "http://127.0.0.1:9/cb?error=access_denied&state={state}&iss=https%3A%2F%2Fas.example"
        ))
        .unwrap();
        assert!(matches!(pending.code_from(&genuine), Err(AuthError::OAuth { error, .. }) if error == "access_denied"));
    }

    #[test]
    fn authorization_endpoints_must_be_https_or_loopback() {
        let request = AuthorizationRequest::new("client", "http://127.0.0.1:9/cb", "https://mcp.example/mcp");
        let mut m = metadata(None);
        m.authorization_endpoint = Some("http://as.example/authorize".into());
        assert!(matches!(request.start(&m), Err(AuthError::Discovery(_))));
        m.authorization_endpoint = Some("http://localhost:8080/authorize".into());
        assert!(request.start(&m).is_ok());
    }

    #[test]
    fn servers_without_s256_are_refused() {
        let mut m = metadata(None);
        m.code_challenge_methods_supported = Some(vec!["plain".into()]);
        let request = AuthorizationRequest::new("client", "http://127.0.0.1:9/cb", "https://mcp.example/mcp");
        assert!(matches!(request.start(&m), Err(AuthError::PkceUnsupported)));
    }
}
