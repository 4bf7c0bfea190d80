//! Discovery: the protected resource metadata of an MCP server (RFC 9728) and the metadata of
//! its authorization server (RFC 8414 and OpenID Connect Discovery, with their path variants).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::resource_metadata::ProtectedResourceMetadata;
use super::{AuthError, host_scope, http_error, read_json, require_secure};

/// RFC 8414 authorization server metadata (OpenID Connect discovery documents parse too).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuthorizationServerMetadata {
    /// The issuer identifier; must equal the one the document was fetched for.
    pub issuer: String,
    /// Where the user agent is sent to authorize.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// Where codes, refresh tokens and grants are exchanged for tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// Dynamic client registration (RFC 7591).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// The scopes the server knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// The grant types it accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    /// How clients may authenticate at the token endpoint (default: `client_secret_basic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// PKCE methods; without `S256` the flow is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// Client ID metadata documents (a URL as `client_id`) are accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id_metadata_document_supported: Option<bool>,
    /// RFC 9207: authorization responses carry `iss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_response_iss_parameter_supported: Option<bool>,
    /// RFC 9449: the JWS algorithms accepted in DPoP proofs (tokens can be DPoP-bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// Every other member, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AuthorizationServerMetadata {
    /// Whether PKCE with S256 is offered.
    pub fn supports_s256(&self) -> bool {
        self.code_challenge_methods_supported.as_ref().is_some_and(|m| m.iter().any(|m| m == "S256"))
    }

    /// Whether DPoP proofs signed with ES256 are accepted.
    pub fn supports_dpop_es256(&self) -> bool {
        self.dpop_signing_alg_values_supported.as_ref().is_some_and(|a| a.iter().any(|a| a == "ES256"))
    }

    /// Whether `scope` is among `scopes_supported`.
    pub fn lists_scope(&self, scope: &str) -> bool {
        self.scopes_supported.as_ref().is_some_and(|s| s.iter().any(|s| s == scope))
    }

    /// Whether the token endpoint accepts this client authentication method (RFC 8414: when
    /// the list is absent, only `client_secret_basic`).
    pub fn accepts_auth_method(&self, method: &str) -> bool {
        match &self.token_endpoint_auth_methods_supported {
            Some(methods) => methods.iter().any(|m| m == method),
            None => method == "client_secret_basic",
        }
    }

    /// The token endpoint, or a discovery error: none, or neither `https` nor `http` on a
    /// loopback host (client secrets, codes and tokens go there).
    pub fn token_endpoint(&self) -> Result<&str, AuthError> {
        let endpoint = self
            .token_endpoint
            .as_deref()
            .ok_or_else(|| AuthError::Discovery("the metadata has no token_endpoint".into()))?;
        require_secure("token_endpoint", endpoint)?;
        Ok(endpoint)
    }

    /// Refuse metadata whose issuer or endpoints are neither `https` nor `http` on a loopback
    /// host (codes, secrets and tokens would cross the network in clear text), or whose
    /// endpoints are on a more private network than the issuer
    /// ([`AuthError::PrivateAddress`]: an authorization server on the internet has no business
    /// sending the client to 127.0.0.1 or 169.254.169.254). Hosts are judged as written here;
    /// discovery also resolves their names before it accepts the metadata.
    pub fn check_endpoints(&self) -> Result<(), AuthError> {
        let issuer = require_secure("issuer", &self.issuer)?;
        let endpoints = [
            ("authorization_endpoint", &self.authorization_endpoint),
            ("token_endpoint", &self.token_endpoint),
            ("registration_endpoint", &self.registration_endpoint),
        ];
        for (what, url) in endpoints {
            if let Some(url) = url {
                require_secure(what, url)?;
                host_scope::check(what, url, &issuer)?;
            }
        }
        Ok(())
    }
}

/// Whether the resource identifier `resource` covers the MCP endpoint `server_url`: same
/// scheme, host and port, and the endpoint's path is the resource's path or below it. A
/// resource published for another server (or with a fragment) does not match.
pub fn resource_matches(resource: &str, server_url: &str) -> bool {
    let (Ok(r), Ok(s)) = (Url::parse(resource), Url::parse(server_url)) else { return false };
    if r.fragment().is_some()
        || r.scheme() != s.scheme()
        || r.host_str().map(str::to_ascii_lowercase) != s.host_str().map(str::to_ascii_lowercase)
        || r.port_or_known_default() != s.port_or_known_default()
    {
        return false;
    }
    let rp = r.path().trim_end_matches('/');
    let sp = s.path().trim_end_matches('/');
    rp.is_empty() || sp == rp || sp.strip_prefix(rp).is_some_and(|rest| rest.starts_with('/'))
}

/// The canonical URI of an MCP server (its URL without fragment; no trailing `/` for a bare
/// origin), the `resource` used when no metadata names one.
pub(crate) fn canonical_resource(server_url: &Url) -> String {
    let mut url = server_url.clone();
    url.set_fragment(None);
    let text = url.to_string();
    if url.path() == "/" && url.query().is_none() { text.trim_end_matches('/').to_owned() } else { text }
}

/// The challenge's `resource_metadata`, resolved against the server's URL: `Ok` on the
/// server's own origin, `Err` elsewhere; `None` when it is no `http(s)` URL.
fn resolve_hint(server_url: &Url, hint: &str) -> Option<Result<Url, Url>> {
    let url = server_url.join(hint).ok().filter(|u| matches!(u.scheme(), "http" | "https"))?;
    Some(if url.origin() == server_url.origin() { Ok(url) } else { Err(url) })
}

/// Where the protected resource metadata may be: the challenge's `resource_metadata` (on the
/// server's origin only), then the path-based well-known URL, then the root one.
fn prm_candidates(server_url: &Url, hint: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Some(Ok(url))) = hint.map(|h| resolve_hint(server_url, h)) {
        out.push(url.to_string());
    }
    let origin = server_url.origin().ascii_serialization();
    let path = server_url.path().trim_end_matches('/');
    if !path.is_empty() {
        out.push(format!("{origin}/.well-known/oauth-protected-resource{path}"));
    }
    out.push(format!("{origin}/.well-known/oauth-protected-resource"));
    out.dedup();
    out
}

/// Fetch the protected resource metadata of `server_url` (trying each candidate location) and
/// check that it is about that server.
///
/// A `resource_metadata` on another origin is never fetched: the server could point the client
/// at any host that way (169.254.169.254, an admin page on the user's network), and the document
/// must describe this server, which publishes it at its well-known locations too. Those are
/// tried instead; when they have none, [`AuthError::ForeignResourceMetadata`].
pub(crate) async fn discover_resource(
    http: &reqwest::Client,
    server_url: &Url,
    hint: Option<&str>,
) -> Result<Option<ProtectedResourceMetadata>, AuthError> {
    let foreign = match hint.and_then(|h| resolve_hint(server_url, h)) {
        Some(Err(url)) => {
            tracing::warn!(%url, server = %server_url, "resource_metadata on another origin; not fetched");
            Some(url)
        }
        _ => None,
    };
    for candidate in prm_candidates(server_url, hint) {
        let Some(prm) = get_document::<ProtectedResourceMetadata>(http, &candidate).await? else { continue };
        if !resource_matches(&prm.resource, server_url.as_str()) {
            return Err(AuthError::ResourceMismatch { expected: server_url.to_string(), found: prm.resource });
        }
        tracing::debug!(url = %candidate, resource = %prm.resource, "protected resource metadata");
        return Ok(Some(prm));
    }
    match foreign {
        Some(url) => Err(AuthError::ForeignResourceMetadata { url: url.to_string(), server: server_url.to_string() }),
        None => Ok(None),
    }
}

/// The well-known URLs of issuer `issuer`'s metadata, in the order the MCP specification
/// gives: RFC 8414 path insertion, OpenID path insertion, OpenID path appending.
pub(crate) fn metadata_candidates(issuer: &Url) -> Vec<String> {
    let origin = issuer.origin().ascii_serialization();
    let path = issuer.path().trim_end_matches('/');
    if path.is_empty() {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server"),
            format!("{origin}/.well-known/openid-configuration"),
        ]
    } else {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server{path}"),
            format!("{origin}/.well-known/openid-configuration{path}"),
            format!("{origin}{path}/.well-known/openid-configuration"),
        ]
    }
}

/// Fetch issuer `issuer`'s metadata. A document naming another issuer is never used (RFC 8414
/// §3.3: the comparison is exact, no URL normalization), nor one whose issuer or endpoints are
/// insecure (neither `https` nor `http` on a loopback host).
pub(crate) async fn discover_authorization_server(
    http: &reqwest::Client,
    issuer: &str,
) -> Result<AuthorizationServerMetadata, AuthError> {
    let url = require_secure("issuer", issuer)?;
    let mut mismatch = None;
    for candidate in metadata_candidates(&url) {
        let Some(metadata) = get_document::<AuthorizationServerMetadata>(http, &candidate).await? else { continue };
        if metadata.issuer != issuer {
            tracing::warn!(url = %candidate, expected = issuer, found = %metadata.issuer, "metadata issuer mismatch; ignored");
            mismatch = Some(AuthError::IssuerMismatch { expected: issuer.to_owned(), found: metadata.issuer });
            continue;
        }
        metadata.check_endpoints()?;
        // As written first (no request), then resolved: a public-looking endpoint name may
        // resolve to this machine or a private network.
        let endpoints = [&metadata.authorization_endpoint, &metadata.token_endpoint, &metadata.registration_endpoint];
        for endpoint in endpoints.into_iter().flatten() {
            host_scope::check_resolved("endpoint", endpoint, &url).await?;
        }
        tracing::debug!(url = %candidate, issuer, "authorization server metadata");
        return Ok(metadata);
    }
    Err(mismatch.unwrap_or_else(|| AuthError::Discovery(format!("no authorization server metadata for {issuer}"))))
}

/// GET a JSON document; `None` when it is not there (any non-success status, or not JSON of
/// the expected shape): discovery then tries the next location.
async fn get_document<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
) -> Result<Option<T>, AuthError> {
    let response = match http.get(url).header(http::header::ACCEPT, "application/json").send().await {
        Ok(r) => r,
        Err(e) if e.is_connect() || e.is_timeout() => return Err(http_error(url, e)),
        Err(e) => {
            tracing::debug!(url, error = %e, "metadata request failed");
            return Ok(None);
        }
    };
    if !response.status().is_success() {
        tracing::debug!(url, status = %response.status(), "no metadata here");
        return Ok(None);
    }
    match read_json(url, response).await {
        Ok(doc) => Ok(Some(doc)),
        Err(e) => {
            tracing::debug!(url, error = %e, "unusable metadata document");
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_match_by_origin_and_path_prefix() {
        assert!(resource_matches("http://localhost:3000/mcp", "http://localhost:3000/mcp"));
        assert!(resource_matches("http://localhost:3000", "http://localhost:3000/mcp"));
        assert!(resource_matches("HTTP://LOCALHOST:3000/mcp/", "http://localhost:3000/mcp"));
        assert!(!resource_matches("https://evil.example.com/mcp", "http://localhost:3000/mcp"));
        assert!(!resource_matches("http://localhost:3000/mcpx", "http://localhost:3000/mcp"));
        assert!(!resource_matches("http://localhost:3001/mcp", "http://localhost:3000/mcp"));
        assert!(!resource_matches("http://localhost:3000/mcp#f", "http://localhost:3000/mcp"));
    }

    #[test]
    fn well_known_urls_follow_the_specification_order() {
        let with_path = metadata_candidates(&Url::parse("https://as.example/tenant1").unwrap());
        assert_eq!(
            with_path,
            [
                "https://as.example/.well-known/oauth-authorization-server/tenant1",
                "https://as.example/.well-known/openid-configuration/tenant1",
                "https://as.example/tenant1/.well-known/openid-configuration",
            ]
        );
        let bare = metadata_candidates(&Url::parse("https://as.example").unwrap());
        assert_eq!(bare.len(), 2);
        let prm = prm_candidates(&Url::parse("http://h:1/mcp").unwrap(), Some("/custom/x.json"));
        assert_eq!(
            prm,
            [
                "http://h:1/custom/x.json",
                "http://h:1/.well-known/oauth-protected-resource/mcp",
                "http://h:1/.well-known/oauth-protected-resource",
            ]
        );
    }

    #[tokio::test]
    async fn insecure_issuers_and_endpoints_are_refused_before_any_request() {
        // Nothing listens at as.example: the refusal comes before any request.
        let http = reqwest::Client::new();
        let refused = discover_authorization_server(&http, "http://as.example").await;
        assert!(matches!(refused, Err(AuthError::Discovery(ref m)) if m.contains("https")), "{refused:?}");
        let mut metadata = AuthorizationServerMetadata {
            issuer: "https://as.example".into(),
            token_endpoint: Some("http://as.example/token".into()),
            ..Default::default()
        };
        assert!(metadata.check_endpoints().is_err() && metadata.token_endpoint().is_err());
        metadata.token_endpoint = Some("https://as.example/token".into());
        metadata.registration_endpoint = Some("http://as.example/register".into());
        assert!(metadata.check_endpoints().is_err());
        // Plain http on a loopback host is fine (for a local issuer: see `host_scope`).
        metadata.issuer = "http://127.0.0.1:9".into();
        metadata.registration_endpoint = Some("http://127.0.0.1:9/register".into());
        assert!(metadata.check_endpoints().is_ok() && metadata.token_endpoint().is_ok());
    }

    #[test]
    fn resource_metadata_on_another_origin_is_never_a_candidate() {
        let server = Url::parse("http://127.0.0.1:8000/mcp").unwrap();
        for foreign in [
            "http://169.254.169.254/latest/meta-data/",
            "http://127.0.0.1:8001/.well-known/oauth-protected-resource",
            "https://127.0.0.1:8000/prm",
            "//evil.example/prm",
        ] {
            let candidates = prm_candidates(&server, Some(foreign));
            assert_eq!(
                candidates,
                [
                    "http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp",
                    "http://127.0.0.1:8000/.well-known/oauth-protected-resource",
                ],
                "{foreign}"
            );
            assert!(matches!(resolve_hint(&server, foreign), Some(Err(_))), "{foreign}");
        }
        assert_eq!(prm_candidates(&server, Some("/prm"))[0], "http://127.0.0.1:8000/prm");
    }

    #[test]
    fn endpoints_more_private_than_their_issuer_are_refused() {
        let mut metadata = AuthorizationServerMetadata {
            issuer: "https://as.example".into(),
            token_endpoint: Some("http://127.0.0.1:9/token".into()),
            ..Default::default()
        };
        assert!(matches!(metadata.check_endpoints(), Err(AuthError::PrivateAddress { .. })));
        metadata.token_endpoint = Some("https://169.254.169.254/token".into());
        assert!(matches!(metadata.check_endpoints(), Err(AuthError::PrivateAddress { .. })));
        // A local authorization server may have local endpoints.
        metadata.issuer = "http://127.0.0.1:9".into();
        metadata.token_endpoint = Some("http://127.0.0.1:9/token".into());
        assert!(metadata.check_endpoints().is_ok());
    }

    #[test]
    fn canonical_resources_drop_fragments_and_bare_slashes() {
        assert_eq!(canonical_resource(&Url::parse("http://Host:80/").unwrap()), "http://host");
        assert_eq!(canonical_resource(&Url::parse("http://h:1/mcp#x").unwrap()), "http://h:1/mcp");
    }
}
