//! The user-agent step of the flow: the application opens the authorization URL somewhere and
//! hands back the redirect. Two ready ones: a listener on the loopback interface (RFC 8252 §7.3)
//! for applications on the user's machine, and one that fetches the URL itself and reads the
//! redirect (authorization servers that redirect at once, as test servers do).

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

use super::{AuthError, http_client};

/// Drives the user agent through one authorization: given the authorization URL, return the URL
/// the authorization server redirected to (with `code`, `state` and maybe `iss`).
pub trait AuthorizationHandler: Send + Sync + 'static {
    /// The redirect URI to register and to send with authorization requests.
    fn redirect_uri(&self) -> String;
    /// Have the user authorize at `url`; return the redirect.
    fn authorize<'a>(&'a self, url: &'a Url) -> BoxFuture<'a, Result<Url, AuthError>>;
}

/// GETs the authorization URL without following redirects and returns the `Location` it
/// answers with: for authorization servers that approve at once (automated and test setups).
#[derive(Debug, Clone)]
pub struct FetchRedirect {
    redirect_uri: String,
    http: reqwest::Client,
}

impl FetchRedirect {
    /// A handler announcing `redirect_uri` (nothing needs to listen there).
    pub fn new(redirect_uri: impl Into<String>) -> Self {
        Self { redirect_uri: redirect_uri.into(), http: http_client() }
    }
}

impl AuthorizationHandler for FetchRedirect {
    fn redirect_uri(&self) -> String {
        self.redirect_uri.clone()
    }

    fn authorize<'a>(&'a self, url: &'a Url) -> BoxFuture<'a, Result<Url, AuthError>> {
        Box::pin(async move {
            let response =
                self.http.get(url.as_str()).send().await.map_err(|e| AuthError::Redirect(format!("GET {url}: {e}")))?;
            let status = response.status();
            let location = response.headers().get(http::header::LOCATION).and_then(|v| v.to_str().ok());
            match location {
                Some(location) if status.is_redirection() => url
                    .join(location)
                    .map_err(|e| AuthError::Redirect(format!("the redirect {location} is not a URL: {e}"))),
                _ => {
                    Err(AuthError::Redirect(format!("the authorization endpoint answered {status} without a redirect")))
                }
            }
        })
    }
}

/// Receives the redirect on `http://127.0.0.1:<port><path>`: the application shows or opens
/// the authorization URL (the `open` callback), the user approves in a browser, and the
/// browser's redirect lands here. Only loopback addresses are accepted.
pub struct LoopbackHandler {
    listener: tokio::sync::Mutex<TcpListener>,
    redirect_uri: String,
    path: String,
    open: Box<dyn Fn(&Url) + Send + Sync>,
    timeout: Duration,
}

impl std::fmt::Debug for LoopbackHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopbackHandler")
            .field("redirect_uri", &self.redirect_uri)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// How long a browser may take to send the request line and headers of the redirect.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest redirect request head read.
const MAX_HEAD_BYTES: usize = 16 * 1024;

impl LoopbackHandler {
    /// Listen on `127.0.0.1:<port>` (0: any free port) at `/callback`.
    pub async fn bind(port: u16, open: impl Fn(&Url) + Send + Sync + 'static) -> io::Result<Self> {
        Self::bind_to(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port), "/callback", open).await
    }

    /// Listen on `addr`, which must be a loopback address, at `path`.
    pub async fn bind_to(
        addr: SocketAddr,
        path: &str,
        open: impl Fn(&Url) + Send + Sync + 'static,
    ) -> io::Result<Self> {
        if !addr.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the redirect listener must be on a loopback address",
            ));
        }
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let host = match local.ip() {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
        Ok(Self {
            listener: tokio::sync::Mutex::new(listener),
            redirect_uri: format!("http://{host}:{}{path}", local.port()),
            path,
            open: Box::new(open),
            timeout: Duration::from_secs(300),
        })
    }

    /// Wait at most `timeout` for the redirect (default: 5 minutes).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Accept connections until one brings the redirect to our path.
    async fn receive(&self) -> Result<Url, AuthError> {
        let listener = self.listener.lock().await;
        loop {
            let (mut stream, _) = listener.accept().await.map_err(|e| AuthError::Redirect(e.to_string()))?;
            let Ok(Ok(target)) = tokio::time::timeout(REQUEST_TIMEOUT, read_target(&mut stream)).await else {
                continue;
            };
            let ours = target.split('?').next() == Some(self.path.as_str());
            let (status, body) = if ours {
                ("200 OK", "Authorization finished; you can close this window.")
            } else {
                ("404 Not Found", "Not found.")
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
            let _ = stream.shutdown().await;
            if ours {
                let base = Url::parse(&self.redirect_uri).map_err(|e| AuthError::Redirect(e.to_string()))?;
                return base.join(&target).map_err(|e| AuthError::Redirect(e.to_string()));
            }
        }
    }
}

impl AuthorizationHandler for LoopbackHandler {
    fn redirect_uri(&self) -> String {
        self.redirect_uri.clone()
    }

    fn authorize<'a>(&'a self, url: &'a Url) -> BoxFuture<'a, Result<Url, AuthError>> {
        Box::pin(async move {
            // The code must come back here and nowhere else: a request naming another redirect
            // (a non-loopback one above all) would hand the code to someone else.
            let target = url.query_pairs().find(|(k, _)| k == "redirect_uri").map(|(_, v)| v.into_owned());
            match target.as_deref().map(Url::parse) {
                Some(Ok(t)) if is_loopback(&t) && target.as_deref() == Some(self.redirect_uri.as_str()) => {}
                _ => {
                    return Err(AuthError::Redirect(format!(
                        "the authorization request redirects to {}, not to this loopback listener",
                        target.as_deref().unwrap_or("nowhere")
                    )));
                }
            }
            (self.open)(url);
            tokio::time::timeout(self.timeout, self.receive())
                .await
                .map_err(|_| AuthError::Redirect(format!("no redirect arrived within {:?}", self.timeout)))?
        })
    }
}

/// Whether a URL points at this machine's loopback interface.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The request target of an HTTP/1 `GET` (the head is read up to its end, within a bound).
async fn read_target(stream: &mut tokio::net::TcpStream) -> io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() + n > MAX_HEAD_BYTES {
            return Err(io::ErrorKind::InvalidData.into());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let line = std::str::from_utf8(line).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
    let mut parts = line.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Ok(target.to_owned()),
        _ => Err(io::ErrorKind::InvalidData.into()),
    }
}
