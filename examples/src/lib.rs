//! The examples are the binaries in `src/bin/`; this library holds what they share: one way to
//! start a server on stdio or, with `--http ADDR`, on Streamable HTTP, and the small helpers
//! of the clients (finding a sibling server binary, choosing the protocol era, reading text).

use std::path::PathBuf;

use rmcp_core::CancellationToken;
use rmcp_core::ServerHandler;
use rmcp_core::handler::ProtocolPreference;
use rmcp_core::model::{CallToolResult, ProtocolVersion};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};

/// Log to stderr (stdout carries the protocol on stdio), then serve what `server` makes:
/// on stdio by default, or with `--http ADDR` on Streamable HTTP at `http://ADDR/mcp` until
/// Ctrl-C. The bound address is printed to stderr, so `--http 127.0.0.1:0` (any free port) works.
/// With `--redis redis://HOST:PORT/` as well, sessions, events and the messages between
/// instances go through that Redis, so that several instances behind a load balancer serve
/// the same sessions (docs/scaling-out.md).
///
/// `server` runs once for stdio; over HTTP it runs once per 2025-era session and once for all
/// stateless requests, so handing out clones of one value shares its state between clients.
pub async fn run<S: ServerHandler>(name: &str, server: impl Fn() -> S + Send + Sync + 'static) -> anyhow::Result<()> {
    init_logging();
    if let Some(addr) = flag("--http")? {
        // Bind first, so the real address (port 0 = any free port) can be printed. The default
        // Host/Origin allow-lists accept loopback names only: bind to loopback.
        let listener = tokio::net::TcpListener::bind(addr.as_str()).await?;
        eprintln!("serving Streamable HTTP at http://{}/mcp", listener.local_addr()?);
        let mut config = StreamableHttpConfig::default();
        if let Some(url) = flag("--redis")? {
            config = shared_through_redis(config, &url).await?;
        }
        let service = StreamableHttpService::new(server, config);
        service.serve_listener(listener, ctrl_c_token()).await?;
        return Ok(());
    }
    let running = server().serve(rmcp_core::transport::stdio()).await?;
    let reason = running.waiting().await;
    tracing::info!(?reason, "{name} stopped");
    Ok(())
}

/// `config` with its sessions, events and messages between instances in the Redis at `url`.
async fn shared_through_redis(config: StreamableHttpConfig, url: &str) -> anyhow::Result<StreamableHttpConfig> {
    use std::sync::Arc;

    use rmcp_redis::{RedisEventStore, RedisEventStoreOptions, RedisMessageBus, RedisSessionStore};

    let bus = RedisMessageBus::connect(url).await?;
    eprintln!("sharing sessions through {url} as instance {}", rmcp_core::transport::http::MessageBus::instance(&bus));
    Ok(config
        .with_event_store(Some(Arc::new(RedisEventStore::connect(url, RedisEventStoreOptions::default())?)))
        .with_session_store(Some(Arc::new(RedisSessionStore::connect(url)?)))
        .with_message_bus(Some(Arc::new(bus))))
}

/// Log to stderr (stdout carries the protocol on stdio), filtered by `RUST_LOG`.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
}

/// The value given after `name` (such as `--url`) on the command line: `None` when the flag is
/// absent, an error when it has no value.
pub fn flag(name: &str) -> anyhow::Result<Option<String>> {
    let mut args = std::env::args().skip_while(|a| a != name);
    match args.next() {
        None => Ok(None),
        Some(_) => args.next().map(Some).ok_or_else(|| anyhow::anyhow!("{name} needs a value")),
    }
}

/// A token cancelled on Ctrl-C: HTTP servers stop accepting, finish what they serve, and end.
pub fn ctrl_c_token() -> CancellationToken {
    let stop = CancellationToken::new();
    tokio::spawn({
        let stop = stop.clone();
        async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.cancel();
        }
    });
    stop
}

/// The example binary `name` next to the running one. `cargo build -p examples --bins` puts
/// every example in one directory, so a client finds the server it starts there.
pub fn sibling_binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().ok_or_else(|| anyhow::anyhow!("no directory for {exe:?}"))?;
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(path.exists(), "{path:?} does not exist: build it with `cargo build -p examples --bins`");
    Ok(path)
}

/// The protocol era chosen on the command line with `--era 2025` (the stateful 2025-11-25
/// handshake) or `--era 2026` (stateless 2026-07-28, the default).
pub fn era_from_args() -> anyhow::Result<ProtocolPreference> {
    let era = flag("--era")?.unwrap_or_else(|| "2026".to_owned());
    match era.as_str() {
        "2025" => Ok(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)),
        "2026" => Ok(ProtocolPreference::Stateless),
        other => anyhow::bail!("unknown era `{other}`: use 2025 or 2026"),
    }
}

/// The text blocks of a tool result, joined by spaces (images and the like are left out).
pub fn text_of(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect::<Vec<_>>().join(" ")
}

/// Compiles the Rust snippets of the workspace README as doc tests, so they stay true to the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
#[derive(Debug)]
pub struct ReadmeDoctests;
