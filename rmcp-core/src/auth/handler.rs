//! The user-agent step of the flow: the application opens the authorization URL somewhere and
//! hands back the redirect. Two ready ones: a listener on the loopback interface (RFC 8252 §7.3)
//! for applications on the user's machine, and one that fetches the URL itself and reads the
//! redirect (authorization servers that redirect at once, as test servers do).

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

use super::{AuthError, http_client, is_loopback};

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
/// browser's redirect lands here. Only loopback addresses are accepted, and only the request
/// carrying the pending authorization's `state` ends the wait (others get 400).
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

    /// Accept connections until one brings the redirect of this authorization: our path, with
    /// exactly our `state`. Any local process can connect to the listener, so a request without
    /// our state is answered 400 and the wait goes on: it must not end (or decide) the flow.
    async fn receive(&self, state: &str) -> Result<Url, AuthError> {
        let listener = self.listener.lock().await;
        let base = Url::parse(&self.redirect_uri).map_err(|e| AuthError::Redirect(e.to_string()))?;
        loop {
            let (mut stream, _) = listener.accept().await.map_err(|e| AuthError::Redirect(e.to_string()))?;
            let Ok(Ok(target)) = tokio::time::timeout(REQUEST_TIMEOUT, read_target(&mut stream)).await else {
                continue;
            };
            let ours = target.split('?').next() == Some(self.path.as_str());
            let redirect = base.join(&target).ok().filter(|_| ours);
            let matches = redirect.as_ref().is_some_and(|r| {
                let states: Vec<_> = r.query_pairs().filter(|(k, _)| k == "state").map(|(_, v)| v).collect();
                states.len() == 1 && states[0] == state
            });
            let (status, body) = match (ours, matches) {
                (true, true) => ("200 OK", "Authorization finished; you can close this window."),
                (true, false) => ("400 Bad Request", "This is not the redirect of the pending authorization."),
                (false, _) => ("404 Not Found", "Not found."),
            };
            let reply = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
            let _ = stream.shutdown().await;
            if let Some(redirect) = redirect.filter(|_| matches) {
                return Ok(redirect);
            }
            if ours {
                tracing::debug!("a request to the redirect path without the pending state; ignored");
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
            let state = match url.query_pairs().filter(|(k, _)| k == "state").collect::<Vec<_>>().as_slice() {
                [(_, state)] if !state.is_empty() => state.to_string(),
                _ => return Err(AuthError::Redirect("the authorization request carries no single state".into())),
            };
            (self.open)(url);
            tokio::time::timeout(self.timeout, self.receive(&state))
                .await
                .map_err(|_| AuthError::Redirect(format!("no redirect arrived within {:?}", self.timeout)))?
        })
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
