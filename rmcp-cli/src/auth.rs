//! OAuth for HTTP servers: logins kept in the user's config directory (owner-only permissions),
//! and an `OAuthClient` on every `--url` connection that uses them, refreshing tokens as needed.
//!
//! A server that wants a login the CLI does not have gets one interactively on a terminal (the
//! browser opens, the redirect comes back to a loopback listener); elsewhere the command fails
//! and says to run `rmcp auth login URL`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use futures::future::BoxFuture;
use rmcp_core::auth::{
    AuthError, AuthorizationHandler, CredentialStore, LoopbackHandler, OAuthClient, OAuthConfig, RegisteredClient,
    StoredCredentials, TokenSet,
};
use serde::{Deserialize, Serialize};
use url::Url;

/// How long the loopback listener waits for the browser's redirect.
const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// The file's contents: what each authorization server issued, and which one each MCP server
/// uses (for `status` and `logout`, which do no discovery).
#[derive(Default, Serialize, Deserialize)]
struct Logins {
    #[serde(default)]
    issuers: BTreeMap<String, Entry>,
    #[serde(default)]
    servers: BTreeMap<String, String>,
}

#[derive(Clone, Default, Serialize, Deserialize)]
struct Entry {
    client: Option<RegisteredClient>,
    tokens: Option<TokenSet>,
}

/// Logins in `<config dir>/rmcp/logins.json` (or `$RMCP_CONFIG_DIR/logins.json`), readable and
/// writable by the owner only.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
    /// One read-modify-write at a time within this process.
    lock: Arc<Mutex<()>>,
}

impl FileStore {
    /// The store in the user's config directory.
    pub fn open() -> anyhow::Result<Self> {
        let dir = match std::env::var_os("RMCP_CONFIG_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => dirs::config_dir().context("no config directory for this user (set RMCP_CONFIG_DIR)")?.join("rmcp"),
        };
        Ok(Self { path: dir.join("logins.json"), lock: Arc::default() })
    }

    /// Where the logins are kept.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    fn read(&self) -> Logins {
        std::fs::read(&self.path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
    }

    fn update(&self, change: impl FnOnce(&mut Logins)) -> std::io::Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut logins = self.read();
        change(&mut logins);
        write_private(&self.path, &serde_json::to_vec_pretty(&logins).map_err(std::io::Error::other)?)
    }

    /// Remember that `server` logs in at `issuer`.
    pub fn remember_server(&self, server: &str, issuer: &str) -> std::io::Result<()> {
        self.update(|l| {
            l.servers.insert(server.to_owned(), issuer.to_owned());
        })
    }

    /// The tokens kept for `server`, if it was logged in to.
    pub fn tokens_for(&self, server: &str) -> Option<TokenSet> {
        let logins = self.read();
        let issuer = logins.servers.get(server)?;
        logins.issuers.get(issuer)?.tokens.clone()
    }

    /// Forget `server`'s login (and its issuer's tokens): whether there was one.
    pub fn forget(&self, server: &str) -> std::io::Result<bool> {
        let mut found = false;
        self.update(|l| {
            if let Some(issuer) = l.servers.remove(server) {
                found = true;
                // Other servers may log in at the same issuer: they lose their tokens too,
                // since the tokens are the issuer's, but keep the client registration.
                if let Some(entry) = l.issuers.get_mut(&issuer) {
                    entry.tokens = None;
                }
            }
        })?;
        Ok(found)
    }
}

/// Write `bytes` to `path` so that only the owner can read it: a fresh 0600 file renamed over
/// the old one, in a 0700 directory.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let tmp = dir.join(format!(".logins-{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

impl CredentialStore for FileStore {
    fn load<'a>(&'a self, issuer: &'a str) -> BoxFuture<'a, Option<StoredCredentials>> {
        let entry = self.read().issuers.get(issuer).cloned();
        Box::pin(async move { entry.map(|e| StoredCredentials::new(e.client, e.tokens)) })
    }

    fn save<'a>(&'a self, issuer: &'a str, credentials: StoredCredentials) -> BoxFuture<'a, ()> {
        let result = self.update(|l| {
            l.issuers.insert(issuer.to_owned(), Entry { client: credentials.client, tokens: credentials.tokens });
        });
        if let Err(e) = result {
            eprintln!("rmcp: could not save the login in {}: {e}", self.path.display());
        }
        Box::pin(async {})
    }

    fn remove<'a>(&'a self, issuer: &'a str) -> BoxFuture<'a, ()> {
        let _ = self.update(|l| {
            l.issuers.remove(issuer);
        });
        Box::pin(async {})
    }
}

/// The user-agent step: a loopback listener, and the browser (or `--open-with CMD`) sent to the
/// authorization URL. Refused outright when nobody could answer (no terminal and no command).
struct Browser {
    loopback: LoopbackHandler,
    allowed: bool,
}

impl AuthorizationHandler for Browser {
    fn redirect_uri(&self) -> String {
        self.loopback.redirect_uri()
    }

    fn authorize<'a>(&'a self, url: &'a Url) -> BoxFuture<'a, Result<Url, AuthError>> {
        if !self.allowed {
            return Box::pin(async {
                Err(AuthError::Redirect("this server needs a login: run `rmcp auth login URL` in a terminal".into()))
            });
        }
        self.loopback.authorize(url)
    }
}

/// An OAuth client for the MCP endpoint `server`, its logins kept in `store`. With `open_with`
/// the authorization URL is given to that command; else, on a terminal, to the system's browser.
pub async fn oauth_client(server: &str, store: FileStore, open_with: Option<String>) -> anyhow::Result<OAuthClient> {
    let interactive = crate::connect::interactive();
    let allowed = interactive || open_with.is_some();
    let loopback = LoopbackHandler::bind(0, move |url| open(url, open_with.as_deref(), interactive))
        .await
        .context("cannot listen on 127.0.0.1 for the login's redirect")?
        .with_timeout(LOGIN_TIMEOUT);
    // No DPoP: its key lives in this process only, so a kept DPoP-bound token would be
    // useless to the next command.
    let config = OAuthConfig::new("rmcp").with_store(Arc::new(store)).with_dpop(false);
    Ok(OAuthClient::new(server, Browser { loopback, allowed }, config)?)
}

fn open(url: &Url, open_with: Option<&str>, interactive: bool) {
    eprintln!("rmcp: to log in, open {url}");
    let command = match open_with {
        Some(cmd) => Some(cmd.to_owned()),
        None if interactive && cfg!(target_os = "macos") => Some("open".to_owned()),
        None if interactive => Some("xdg-open".to_owned()),
        None => None,
    };
    if let Some(cmd) = command {
        // The URL is an argument of the shell, never part of its script.
        let spawned = std::process::Command::new("sh")
            .args(["-c", &format!("{cmd} \"$1\""), "sh", url.as_str()])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn();
        if let Err(e) = spawned {
            eprintln!("rmcp: could not run `{cmd}`: {e}");
        }
    }
}
