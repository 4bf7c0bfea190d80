//! What every step of the OAuth client shares: its error type, and HTTP exchanges with the
//! authorization server's endpoints (a client that follows no redirect, size-capped JSON
//! documents, OAuth error bodies, the rule for which URLs may carry OAuth traffic).

use std::time::Duration;

use url::Url;

/// Why an OAuth step failed. Messages never contain tokens or client secrets.
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
    /// The MCP server named an authorization server (or that server's metadata an endpoint) on
    /// a more private network than itself: this machine or a private or link-local network
    /// (169.254.169.254 among them) while it is not there. Nothing was sent there. A server on
    /// a loopback address may name anything: that is local development.
    ///
    /// Host names count by what they resolve to as well (the system's resolver, through tokio;
    /// the most private address wins), for the named URL and for the server naming it. DNS
    /// rebinding is not fully covered: the name is resolved again when the request connects, and
    /// one whose answers change in between can pass the check with a public address and then
    /// reach a private one. Where that matters, give
    /// [`OAuthConfig::http`](super::OAuthConfig::http) a client whose resolver refuses private
    /// addresses, or enforce an egress policy.
    #[error("{what} {url} is on a more private network than {relative_to}; refused")]
    PrivateAddress {
        /// What the URL is (`issuer`, `token_endpoint`, ...).
        what: String,
        /// The refused URL.
        url: String,
        /// The MCP server or issuer that named it.
        relative_to: String,
    },
    /// The server's `WWW-Authenticate` challenge named protected resource metadata on another
    /// origin, which is never fetched (it could be any host, internal ones included), and the
    /// server's own well-known locations had none.
    #[error("the resource metadata URL {url} is not on the MCP server's origin ({server}); refused")]
    ForeignResourceMetadata {
        /// The `resource_metadata` URL of the challenge.
        url: String,
        /// The MCP server.
        server: String,
    },
}

/// How long one HTTP exchange with an authorization endpoint may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest metadata, registration or token document accepted.
const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// The HTTP client for authorization endpoints: redirects are never followed, so an
/// authorization response (a redirect carrying the code) is read rather than chased, and a
/// metadata or token request cannot be bounced elsewhere. Every exchange times out after 30 s.
///
/// # Panics
/// If the TLS backend cannot be initialized, as `reqwest::Client::new` does. There is no
/// fallback: a default client would follow redirects and never time out.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HTTP_TIMEOUT)
        .build()
        .expect("the HTTP client's TLS backend could not be initialized")
}

/// Whether `url` may carry OAuth traffic (codes, client secrets, assertions, tokens): `https`,
/// or `http` to a loopback host only (`localhost`, 127.0.0.0/8, `[::1]`: development servers and
/// test mocks), where the traffic never crosses a network in clear text.
fn is_secure_url(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => is_loopback(url),
        _ => false,
    }
}

/// Whether a URL points at this machine's loopback interface.
pub(super) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `url` (an authorization server's `what`: issuer, endpoint) parsed, when it is secure
/// ([`is_secure_url`]); a discovery error otherwise.
pub(super) fn require_secure(what: &str, url: &str) -> Result<Url, AuthError> {
    let parsed = Url::parse(url).map_err(|e| AuthError::Discovery(format!("{what} {url} is not a URL: {e}")))?;
    if !is_secure_url(&parsed) {
        return Err(AuthError::Discovery(format!(
            "{what} {url} must use https (http is accepted for loopback hosts only)"
        )));
    }
    Ok(parsed)
}

pub(super) fn http_error(url: &str, e: impl std::fmt::Display) -> AuthError {
    AuthError::Http { url: url.to_owned(), message: e.to_string() }
}

/// Read a JSON document of at most [`MAX_DOCUMENT_BYTES`].
pub(super) async fn read_json<T: serde::de::DeserializeOwned>(
    url: &str,
    response: reqwest::Response,
) -> Result<T, AuthError> {
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
pub(super) async fn oauth_error(url: &str, response: reqwest::Response) -> AuthError {
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

#[cfg(test)]
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
