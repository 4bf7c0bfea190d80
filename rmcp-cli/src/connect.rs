//! From the command line to a connected client: which server (a command, a URL or a config
//! entry), which transport, which era.

use std::io::IsTerminal;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use http::{HeaderName, HeaderValue};
use rmcp_core::handler::ProtocolPreference;
use rmcp_core::model::ProtocolVersion;
use rmcp_core::service::{RunningService, ServeError, ServiceError, ServiceExt};
use rmcp_core::transport::AsyncRwTransport;
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};
use rmcp_core::{ClientHandler, RoleClient};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::cli::{ConnectArgs, Era};
use crate::config::{self, ServerEntry};

/// The server to reach.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A command started as a child process, spoken to over its stdin and stdout.
    Command {
        /// The program.
        program: String,
        /// Its arguments.
        args: Vec<String>,
        /// Variables added to its environment.
        env: Vec<(String, String)>,
    },
    /// A Streamable HTTP endpoint.
    Url {
        /// The endpoint.
        url: String,
        /// Headers for every request (from the config entry and `--header`).
        headers: Vec<(String, String)>,
    },
}

impl Target {
    /// A short name for messages.
    pub fn describe(&self) -> String {
        match self {
            Target::Command { program, .. } => format!("`{program}`"),
            Target::Url { url, .. } => url.clone(),
        }
    }
}

/// Which server the flags name: exactly one of a command after `--`, `--url`, or `--config`.
pub fn resolve(conn: &ConnectArgs) -> anyhow::Result<Target> {
    let extra_headers = conn.headers.iter().map(|h| parse_header(h)).collect::<anyhow::Result<Vec<_>>>()?;
    let given = [!conn.command.is_empty(), conn.url.is_some(), conn.config.is_some()];
    match given.iter().filter(|g| **g).count() {
        0 => bail!(
            "no server given: put its command after `--` (rmcp tools list -- ./server), or use --url URL, \
             or --config FILE --server NAME"
        ),
        1 => {}
        _ => bail!("give one server only: a command after `--`, --url, or --config"),
    }
    if conn.server.is_some() && conn.config.is_none() {
        bail!("--server NAME picks an entry of a config file: add --config FILE");
    }
    if let Some(url) = &conn.url {
        return Ok(Target::Url { url: url.clone(), headers: extra_headers });
    }
    if let Some((program, args)) = conn.command.split_first() {
        if !extra_headers.is_empty() {
            bail!("--header is for HTTP servers (--url); a command gets its settings from its arguments");
        }
        return Ok(Target::Command { program: program.clone(), args: args.to_vec(), env: Vec::new() });
    }
    let path = conn.config.as_ref().ok_or_else(|| anyhow!("no server given"))?;
    Ok(match config::load(path, conn.server.as_deref())? {
        ServerEntry::Command { command, args, env } => {
            Target::Command { program: command, args, env: env.into_iter().collect() }
        }
        ServerEntry::Url { url, headers } => {
            let mut headers: Vec<_> = headers.into_iter().collect();
            headers.extend(extra_headers);
            Target::Url { url, headers }
        }
    })
}

/// `Name: value` (or `Name=value`) from `--header`.
fn parse_header(text: &str) -> anyhow::Result<(String, String)> {
    let (name, value) = text
        .split_once(':')
        .or_else(|| text.split_once('='))
        .ok_or_else(|| anyhow!("--header `{text}` should be `Name: value`"))?;
    Ok((name.trim().to_owned(), value.trim().to_owned()))
}

/// The client's protocol preference for `--era`.
pub fn protocol(era: Era) -> ProtocolPreference {
    match era {
        Era::Auto => ProtocolPreference::Auto,
        Era::V2025 => ProtocolPreference::Stateful(ProtocolVersion::LATEST_STATEFUL),
        Era::V2026 => ProtocolPreference::Stateless,
    }
}

/// The HTTP client transport for `url`, with the headers given, and a bearer token: `--bearer`
/// if given, else an OAuth login (kept by `rmcp auth login`, or made when the server asks, on
/// a terminal) unless the headers already carry `Authorization`.
pub async fn http_transport(
    url: &str,
    headers: &[(String, String)],
    bearer: Option<&str>,
) -> anyhow::Result<StreamableHttpClientTransport> {
    let has_authorization = headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("authorization"));
    let mut config = StreamableHttpClientConfig::new(url);
    for (name, value) in headers {
        let name = HeaderName::try_from(name.as_str()).with_context(|| format!("`{name}` is not a header name"))?;
        let value = HeaderValue::try_from(value.as_str()).with_context(|| format!("bad value for header `{name}`"))?;
        config = config.with_header(name, value);
    }
    if let Some(token) = bearer {
        let token = token.to_owned();
        config = config.with_auth(move || std::future::ready(Some(token.clone())));
    } else if !has_authorization && let Ok(store) = crate::auth::FileStore::open() {
        // Without a config directory or a loopback listener there is no login to use: the
        // server's 401, if it sends one, then says to pass a token.
        if let Ok(oauth) = crate::auth::oauth_client(url, store, None).await {
            config = config.with_auth(oauth);
        }
    }
    Ok(StreamableHttpClientTransport::with_config(config))
}

/// The transport to a server started as a child process, and the process itself: closing the
/// transport ends the server's input, and [`stop_child`] then gives it time to exit by itself
/// (finishing a cancelled call, flushing its state) before it is killed. Its stderr goes to
/// ours, so its complaints show.
pub type ChildTransport = AsyncRwTransport<ChildStdout, ChildStdin>;

/// Start a server command.
pub fn spawn_child(
    program: &str,
    args: &[String],
    env: &[(String, String)],
) -> anyhow::Result<(ChildTransport, Child)> {
    let mut command = Command::new(program);
    command
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    // A process group of its own: Ctrl-C in the terminal reaches us only, and we cancel the
    // call in the protocol (`notifications/cancelled`) rather than the server dying mid-call.
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            anyhow!("cannot start `{program}`: no such program (check the command after `--`, or give a path)")
        }
        _ => anyhow!("cannot start `{program}`: {e}"),
    })?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        bail!("cannot talk to `{program}`: its stdin or stdout is missing");
    };
    Ok((AsyncRwTransport::new(stdout, stdin), child))
}

/// Wait for a server whose input has ended to exit, and kill it if it takes longer than `grace`.
pub async fn stop_child(mut child: Child, grace: Duration) {
    if tokio::time::timeout(grace, child.wait()).await.is_err() {
        let _ = child.kill().await;
    }
}

/// Connect `handler` to the server the flags name, and do the handshake. A server started as
/// a child process comes back too, for [`stop_child`].
pub async fn connect<H: ClientHandler>(
    conn: &ConnectArgs,
    handler: H,
) -> anyhow::Result<(RunningService<RoleClient, H>, Option<Child>)> {
    let target = resolve(conn)?;
    let (served, child) = match &target {
        Target::Command { program, args, env } => {
            let (transport, child) = spawn_child(program, args, env)?;
            (handler.serve(transport).await, Some(child))
        }
        Target::Url { url, headers } => {
            (handler.serve(http_transport(url, headers, conn.bearer.as_deref()).await?).await, None)
        }
    };
    let client = served.map_err(|e| explain_connect(&target, conn.era, e))?;
    Ok((client, child))
}

/// A failed handshake, in words that say what to try next.
fn explain_connect(target: &Target, era: Era, error: ServeError) -> anyhow::Error {
    let what = target.describe();
    match error {
        ServeError::Handshake(ServiceError::TransportClosed) => match target {
            Target::Command { .. } => anyhow!(
                "the server {what} closed its output before answering: is it an MCP server speaking stdio? \
                 (its own messages, if any, are above)"
            ),
            Target::Url { .. } => anyhow!(
                "could not reach {what}: check that the server runs and that the URL is its MCP endpoint \
                 (often ending in /mcp)"
            ),
        },
        ServeError::Handshake(ServiceError::Timeout { timeout }) => {
            anyhow!("{what} did not answer the handshake within {timeout:?}; is it an MCP server?")
        }
        ServeError::Handshake(ServiceError::ErrorResponse(e))
            if e.data.as_ref().and_then(|d| d.get("httpStatus")).and_then(|s| s.as_u64()) == Some(401) =>
        {
            anyhow!("{what} needs a login: run `rmcp auth login {what}` (or pass --bearer TOKEN)")
        }
        ServeError::Handshake(ServiceError::ErrorResponse(e)) if era == Era::V2026 => {
            anyhow!("{what} refused the 2026-07-28 protocol ({}); try --era 2025 or --era auto", e.message)
        }
        other => anyhow!("could not connect to {what}: {other}"),
    }
}

/// Whether people are at both ends: prompts need stdin and stderr to be terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(command: &[&str], url: Option<&str>) -> ConnectArgs {
        ConnectArgs {
            command: command.iter().map(|s| s.to_string()).collect(),
            url: url.map(str::to_owned),
            ..ConnectArgs::default()
        }
    }

    #[test]
    fn exactly_one_server_is_named() {
        assert!(resolve(&args(&[], None)).unwrap_err().to_string().contains("no server given"));
        assert!(resolve(&args(&["x"], Some("http://h"))).unwrap_err().to_string().contains("one server only"));
        assert_eq!(
            resolve(&args(&["calc", "-v"], None)).unwrap(),
            Target::Command { program: "calc".into(), args: vec!["-v".into()], env: vec![] }
        );
    }

    #[test]
    fn headers_take_a_colon_or_an_equals_sign() {
        let mut a = args(&[], Some("http://h/mcp"));
        a.headers = vec!["X-A: 1".into(), "X-B=two".into()];
        let Target::Url { headers, .. } = resolve(&a).unwrap() else { panic!("not a URL target") };
        assert_eq!(headers, vec![("X-A".to_owned(), "1".to_owned()), ("X-B".to_owned(), "two".to_owned())]);
        a.headers = vec!["nothing".into()];
        assert!(resolve(&a).unwrap_err().to_string().contains("Name: value"));
    }
}
