//! A client that survives a flaky server (issue 18): over real HTTP on 127.0.0.1, a server
//! restarted under a live client (behind a TCP relay that cuts every connection, as a crash
//! would), connection-wide timeouts against a real slow tool, and child processes shut down
//! with their own children.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp_core::CancellationToken;
use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, Implementation, JsonObject, ListToolsResult,
    PaginatedRequestParams, ProgressNotificationParams, ServerCapabilities, Tool,
};
use rmcp_core::service::{
    McpError, NotificationContext, Peer, RequestContext, RequestOptions, RoleClient, RoleServer, ServeOptions,
    ServiceError, ServiceExt,
};
use rmcp_core::transport::http::{
    SessionRecovery, StreamableHttpClientConfig, StreamableHttpClientTransport, StreamableHttpConfig,
    StreamableHttpService,
};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinHandle};

/// What a call may take at most here: far more than it needs, short of a hung test.
const BOUND: Duration = Duration::from_secs(30);

async fn bounded<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(BOUND, future).await.unwrap_or_else(|_| panic!("{what}: no end within {BOUND:?}"))
}

/// Wait until `check` holds, at most ten seconds.
async fn eventually(mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..1000 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    check()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn call(name: &str, args: Value) -> CallToolRequestParams {
    CallToolRequestParams::new(name).with_arguments(args.as_object().expect("an object").clone())
}

fn text_of(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect::<Vec<_>>().join("")
}

// ---------------------------------------------------------------------------------------------
// The server, and what it tells the tests.

#[derive(Default)]
struct Seen {
    /// The sessions' peers, from `notifications/initialized`: messages sent through them go on
    /// the session's standalone GET stream.
    sessions: Mutex<Vec<Peer<RoleServer>>>,
    /// `slow` calls started, and cancelled.
    started: AtomicUsize,
    cancelled: AtomicUsize,
}

#[derive(Clone, Default)]
struct Server(Arc<Seen>);

impl Server {
    /// Tell every session its tools changed; how many were told.
    async fn announce(&self) -> usize {
        let peers = lock(&self.0.sessions).clone();
        let mut told = 0;
        for peer in peers {
            told += usize::from(peer.notify_tool_list_changed().await.is_ok());
        }
        told
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(
            Implementation::new("restartable", "0.0.1"),
            ServerCapabilities::builder().enable_tools().enable_tool_list_changed().build(),
        )
    }

    async fn on_initialized(&self, ctx: NotificationContext<RoleServer>) {
        lock(&self.0.sessions).push(ctx.peer);
    }

    async fn list_tools(
        &self,
        _params: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let schema = Arc::new(JsonObject::from_iter([("type".to_owned(), json!("object"))]));
        Ok(ListToolsResult::new(
            ["echo", "slow", "progress"].map(|name| Tool::new(name, name, schema.clone())).to_vec(),
        ))
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let args = params.arguments.clone().unwrap_or_default();
        let num = |k: &str, d: u64| args.get(k).and_then(Value::as_u64).unwrap_or(d);
        let text = |t: String| Ok(CallToolResult::success(vec![ContentBlock::text(t)]));
        match params.name.as_ref() {
            "echo" => text(args.get("text").and_then(Value::as_str).unwrap_or_default().to_owned()),
            "slow" => {
                self.0.started.fetch_add(1, Ordering::SeqCst);
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(num("ms", 60_000))) => text("slept".to_owned()),
                    () = ctx.ct.cancelled() => {
                        self.0.cancelled.fetch_add(1, Ordering::SeqCst);
                        Err(McpError::internal_error("cancelled"))
                    }
                }
            }
            "progress" => {
                let token = ctx.progress_token().ok_or_else(|| McpError::invalid_params("no progress token"))?;
                for i in 1..=num("steps", 3) {
                    tokio::time::sleep(Duration::from_millis(num("pause_ms", 10))).await;
                    let _ = ctx.peer.notify_progress(ProgressNotificationParams::new(token.clone(), i as f64)).await;
                }
                text("done".to_owned())
            }
            other => Err(McpError::invalid_params(format!("Unknown tool: {other}"))),
        }
    }
}

/// One run of the server on an ephemeral port.
struct Backend {
    addr: SocketAddr,
    service: StreamableHttpService<Server>,
    server: Server,
    stop: CancellationToken,
}

impl Backend {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let server = Server::default();
        let template = server.clone();
        let service = StreamableHttpService::new(move || template.clone(), StreamableHttpConfig::default());
        let stop = CancellationToken::new();
        tokio::spawn(service.clone().serve_listener(listener, stop.clone()));
        Self { addr, service, server, stop }
    }

    /// The process is gone: sessions, handlers and all.
    fn crash(&self) {
        self.service.shutdown();
        self.stop.cancel();
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.crash();
    }
}

/// The server's address as clients see it: a TCP relay to the current backend. Cutting it
/// drops every connection at once and refuses new ones, as a server that crashed would;
/// restoring it (on the same address) points it at a new backend: the server restarted.
struct Relay {
    addr: SocketAddr,
    accepting: Option<JoinHandle<()>>,
    connections: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Relay {
    async fn start(backend: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let mut relay =
            Self { addr: listener.local_addr().expect("address"), accepting: None, connections: Default::default() };
        relay.serve(listener, backend);
        relay
    }

    fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }

    fn serve(&mut self, listener: TcpListener, backend: SocketAddr) {
        let connections = self.connections.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let relayed = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(backend).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                lock(&connections).push(relayed.abort_handle());
            }
        });
        self.accepting = Some(task);
    }

    /// Refuse connections from now on (the listener is closed when this returns: a connection
    /// the kernel took for it meanwhile would be reset, not refused), and drop every one open.
    async fn cut(&mut self) {
        if let Some(task) = self.accepting.take() {
            task.abort();
            let _ = task.await;
        }
        for connection in lock(&self.connections).drain(..) {
            connection.abort();
        }
    }

    async fn restore(&mut self, backend: SocketAddr) {
        for _ in 0..500 {
            if let Ok(listener) = TcpListener::bind(self.addr).await {
                return self.serve(listener, backend);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("could not listen on {} again", self.addr);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(task) = self.accepting.take() {
            task.abort();
        }
        for connection in lock(&self.connections).drain(..) {
            connection.abort();
        }
    }
}

/// A 2025-era client counting the tool list changes the server announces.
#[derive(Clone, Default)]
struct Client {
    changes: Arc<AtomicUsize>,
}

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(ProtocolPreference::Stateful(rmcp_core::ProtocolVersion::V2025_11_25))
    }

    async fn on_tool_list_changed(&self, _ctx: NotificationContext<RoleClient>) {
        self.changes.fetch_add(1, Ordering::SeqCst);
    }
}

/// A transport to `url` that gives up on an unreachable server within seconds, not minutes.
fn transport(url: &str) -> (StreamableHttpClientTransport, SessionRecovery) {
    transport_with(StreamableHttpClientConfig::new(url))
}

fn transport_with(config: StreamableHttpClientConfig) -> (StreamableHttpClientTransport, SessionRecovery) {
    let config = config.with_default_retry(Duration::from_millis(100)).with_max_retry_delay(Duration::from_millis(400));
    // A connection per request. A crash resets the connections kept alive, and a request sent
    // on one before the client has read the reset cannot tell whether the server got it: it
    // fails with `AnswerLost` (as the in-flight tests show). These tests are about sessions.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let transport = StreamableHttpClientTransport::with_client(http, config);
    let recovery = transport.session_recovery();
    (transport, recovery)
}

/// Announce a change until the client has heard `n` of them: the standalone stream may still
/// be opening (an announcement to a session without one is dropped).
async fn heard_on_the_standalone_stream(server: &Server, client: &Client, n: usize) -> bool {
    for _ in 0..200 {
        if server.announce().await == 0 {
            // No session yet: `notifications/initialized` is on its way.
            tokio::time::sleep(Duration::from_millis(10)).await;
        } else if eventually_within(200, || client.changes.load(Ordering::SeqCst) >= n).await {
            return true;
        }
    }
    false
}

async fn eventually_within(ms: u64, mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..ms / 10 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    check()
}

// ---------------------------------------------------------------------------------------------
// A server that restarts.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_gets_a_new_session_and_the_client_goes_on() {
    let first = Backend::start().await;
    let mut relay = Relay::start(first.addr).await;
    let client = Client::default();
    let (transport, mut recovery) = transport(&relay.url());
    let running = client.clone().serve(transport).await.expect("connected");
    let echo = |t: &str| running.call_tool(call("echo", json!({ "text": t })));
    assert_eq!(text_of(&bounded("a call", echo("before")).await.unwrap()), "before");
    assert!(heard_on_the_standalone_stream(&first.server, &client, 1).await, "the first GET stream");
    assert_eq!(recovery.count(), 0);

    // The server crashes and comes back, knowing no session.
    relay.cut().await;
    first.crash();
    let second = Backend::start().await;
    relay.restore(second.addr).await;

    // The GET stream reconnects, finds the session gone, and starts a new one: with no call.
    assert_eq!(bounded("the recovery", recovery.changed()).await, Some(1));
    assert_eq!(second.service.session_count(), 1);
    let result = bounded("a call after the restart", echo("after")).await.expect("answered in the new session");
    assert_eq!(text_of(&result), "after");
    // The GET stream was reopened in the new session: the server's own messages arrive.
    assert!(heard_on_the_standalone_stream(&second.server, &client, 2).await, "the GET stream after the restart");
    assert_eq!(text_of(&bounded("another call", echo("again")).await.unwrap()), "again");
    assert_eq!(recovery.count(), 1);
    assert_eq!(second.service.session_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_stream_given_up_during_an_outage_is_reopened_by_the_next_answer() {
    let backend = Backend::start().await;
    let mut relay = Relay::start(backend.addr).await;
    let client = Client::default();
    let (transport, recovery) = transport_with(StreamableHttpClientConfig::new(relay.url()).with_max_reconnects(1));
    let running = client.clone().serve(transport).await.expect("connected");
    assert!(heard_on_the_standalone_stream(&backend.server, &client, 1).await, "the first GET stream");

    // The network goes away long enough for the GET stream's attempts to run out; the server
    // and its session stay.
    relay.cut().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    relay.restore(backend.addr).await;
    let result = bounded("a call after the outage", running.call_tool(call("echo", json!({ "text": "same" }))));
    assert_eq!(text_of(&result.await.expect("answered in the same session")), "same");
    assert_eq!(recovery.count(), 0);
    assert!(heard_on_the_standalone_stream(&backend.server, &client, 2).await, "the GET stream is back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_that_finds_the_session_gone_is_answered_in_a_new_one() {
    let first = Backend::start().await;
    let mut relay = Relay::start(first.addr).await;
    // No GET stream: the call is the first to find the session gone.
    let (transport, recovery) =
        transport_with(StreamableHttpClientConfig::new(relay.url()).with_standalone_stream(false));
    let running = Client::default().serve(transport).await.expect("connected");
    let slow = |ms: u64| running.call_tool(call("slow", json!({ "ms": ms })));
    assert_eq!(text_of(&bounded("a call", slow(1)).await.unwrap()), "slept");

    relay.cut().await;
    first.crash();
    let second = Backend::start().await;
    relay.restore(second.addr).await;
    let result = bounded("a call after the restart", slow(1)).await.expect("answered in a new session");
    assert_eq!(text_of(&result), "slept");
    assert_eq!(recovery.count(), 1);
    assert_eq!(second.server.0.started.load(Ordering::SeqCst), 1, "sent again once, and run once");
    assert_eq!(second.service.session_count(), 1);
    let result = bounded("the next call", slow(1)).await.expect("answered");
    assert_eq!(text_of(&result), "slept");
    assert_eq!(recovery.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_that_find_the_session_gone_together_start_one_new_session() {
    let first = Backend::start().await;
    let mut relay = Relay::start(first.addr).await;
    let (transport, recovery) =
        transport_with(StreamableHttpClientConfig::new(relay.url()).with_standalone_stream(false));
    let running = Client::default().serve(transport).await.expect("connected");
    relay.cut().await;
    first.crash();
    let second = Backend::start().await;
    relay.restore(second.addr).await;
    let calls = (0..8).map(|i| running.call_tool(call("echo", json!({ "text": i.to_string() }))));
    let results = bounded("eight calls", futures::future::join_all(calls)).await;
    for (i, result) in results.into_iter().enumerate() {
        assert_eq!(text_of(&result.expect("answered in the new session")), i.to_string());
    }
    assert_eq!(recovery.count(), 1);
    assert_eq!(second.service.session_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_made_while_the_server_is_down_goes_through_once_it_is_back() {
    let first = Backend::start().await;
    let mut relay = Relay::start(first.addr).await;
    let (transport, recovery) =
        transport_with(StreamableHttpClientConfig::new(relay.url()).with_standalone_stream(false));
    let running = Client::default().serve(transport).await.expect("connected");
    relay.cut().await;
    first.crash();
    // Refused (nothing sent): tried again with backoff, 5 times by default.
    let peer = running.peer().clone();
    let call = tokio::spawn(async move { peer.call_tool(call("echo", json!({ "text": "patient" }))).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = Backend::start().await;
    relay.restore(second.addr).await;
    let result = bounded("the call", call).await.expect("no panic").expect("answered once the server is back");
    assert_eq!(text_of(&result), "patient");
    assert_eq!(recovery.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_recovery_a_lost_session_ends_the_connection() {
    let first = Backend::start().await;
    let mut relay = Relay::start(first.addr).await;
    let config =
        StreamableHttpClientConfig::new(relay.url()).with_standalone_stream(false).with_reinitialize_session(false);
    let (transport, recovery) = transport_with(config);
    let running = Client::default().serve(transport).await.expect("connected");
    relay.cut().await;
    first.crash();
    let second = Backend::start().await;
    relay.restore(second.addr).await;
    let error = bounded("a call", running.call_tool(call("echo", json!({})))).await.unwrap_err();
    assert!(matches!(error, ServiceError::TransportClosed), "{error:?}");
    assert_eq!((recovery.count(), second.service.session_count()), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_in_flight_when_the_server_dies_fails_with_a_lost_answer() {
    let first = Backend::start().await;
    let mut relay = Relay::start(first.addr).await;
    let (transport, recovery) = transport(&relay.url());
    let running = Client::default().serve(transport).await.expect("connected");
    let peer = running.peer().clone();
    let slow = tokio::spawn(async move { peer.call_tool(call("slow", json!({ "ms": 600_000 }))).await });
    assert!(eventually(|| first.server.0.started.load(Ordering::SeqCst) == 1).await, "the call runs");

    relay.cut().await;
    first.crash();
    // Its stream broke and cannot be resumed (nothing answers): the call fails, saying so,
    // and is not sent again (it may have run).
    let error = bounded("the call in flight", slow).await.expect("no panic").expect_err("no answer can come");
    let ServiceError::AnswerLost { reason } = &error else { panic!("not a lost answer: {error:?}") };
    assert!(reason.contains("may have run"), "{reason}");

    // The server comes back: the connection goes on, in a new session.
    let second = Backend::start().await;
    relay.restore(second.addr).await;
    let result = bounded("a call after the restart", running.call_tool(call("echo", json!({ "text": "back" })))).await;
    assert_eq!(text_of(&result.expect("answered")), "back");
    assert_eq!(recovery.count(), 1);
    assert_eq!(second.server.0.started.load(Ordering::SeqCst), 0, "the lost call was not sent again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_in_flight_when_the_server_restarts_fails_and_the_next_one_succeeds() {
    let first = Backend::start().await;
    let mut relay = Relay::start(first.addr).await;
    let (transport, recovery) = transport(&relay.url());
    let running = Client::default().serve(transport).await.expect("connected");
    let peer = running.peer().clone();
    let slow = tokio::spawn(async move { peer.call_tool(call("slow", json!({ "ms": 600_000 }))).await });
    assert!(eventually(|| first.server.0.started.load(Ordering::SeqCst) == 1).await, "the call runs");

    // Back at once: resuming the call's stream finds the session unknown.
    relay.cut().await;
    first.crash();
    let second = Backend::start().await;
    relay.restore(second.addr).await;
    let error = bounded("the call in flight", slow).await.expect("no panic").expect_err("its answer went");
    assert!(matches!(error, ServiceError::AnswerLost { .. }), "{error:?}");
    let result = bounded("the next call", running.call_tool(call("echo", json!({ "text": "next" })))).await;
    assert_eq!(text_of(&result.expect("answered")), "next");
    assert_eq!(recovery.count(), 1);
    assert_eq!(second.server.0.started.load(Ordering::SeqCst), 0, "the lost call was not sent again");
}

// ---------------------------------------------------------------------------------------------
// Timeouts, against a real slow tool.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_wide_timeout_ends_slow_calls_unless_a_call_sets_its_own() {
    let backend = Backend::start().await;
    let url = format!("http://{}/mcp", backend.addr);
    let options = ServeOptions::new().with_request_timeout(Some(Duration::from_millis(300)));
    let running = Client::default().serve_with_options(transport(&url).0, options).await.expect("connected");

    let error = bounded("a slow call", running.call_tool(call("slow", json!({ "ms": 600_000 })))).await.unwrap_err();
    assert!(matches!(error, ServiceError::Timeout { timeout } if timeout == Duration::from_millis(300)), "{error:?}");
    assert!(eventually(|| backend.server.0.cancelled.load(Ordering::SeqCst) == 1).await, "the server was told");

    // A call's own timeout wins over the connection's.
    let own = RequestOptions::new().with_timeout(Duration::from_secs(20));
    let result =
        bounded("a call with its own timeout", running.call_tool_with(call("slow", json!({ "ms": 600 })), own));
    assert_eq!(text_of(&result.await.expect("within its own timeout")), "slept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overall_maximum_holds_while_progress_keeps_resetting_the_timeout() {
    let backend = Backend::start().await;
    let url = format!("http://{}/mcp", backend.addr);
    let total = Duration::from_millis(1500);
    let options = ServeOptions::new().with_max_total_timeout(Some(total));
    let running = Client::default().serve_with_options(transport(&url).0, options).await.expect("connected");

    // Progress every 20 ms, for minutes: each restarts the call's 5 s timeout.
    let progress = Arc::new(AtomicUsize::new(0));
    let seen = progress.clone();
    let call_options =
        RequestOptions::new().with_timeout(Duration::from_secs(5)).reset_timeout_on_progress().on_progress(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
        });
    let endless = call("progress", json!({ "steps": 100_000, "pause_ms": 20 }));
    let error = bounded("an endless call", running.call_tool_with(endless, call_options)).await.unwrap_err();
    assert!(matches!(error, ServiceError::Timeout { timeout } if timeout == total), "{error:?}");
    assert!(progress.load(Ordering::SeqCst) > 0, "progress came");
}

// ---------------------------------------------------------------------------------------------
// Child processes.

#[cfg(target_os = "linux")]
mod child {
    use std::os::unix::process::ExitStatusExt;
    use std::path::PathBuf;
    use std::time::Duration;

    use rmcp_core::service::ServiceExt;
    use rmcp_core::transport::ChildProcess;
    use tokio::process::Command;

    use super::{Client, bounded, eventually};

    const SERVER: &str = env!("CARGO_BIN_EXE_stdio_test_server");

    /// Whether `pid` runs (a zombie does not: it has exited, and waits for its parent).
    fn runs(pid: u32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Ok(stat) => stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| !matches!(rest.trim_start().chars().next(), Some('Z' | 'X'))),
            Err(_) => false,
        }
    }

    fn shell(script: String) -> Command {
        let mut command = Command::new("sh");
        command.arg("-c").arg(script);
        command
    }

    fn temp_file(name: &str) -> PathBuf {
        let unique = format!("rmcp-client-resilience-{}-{name}", std::process::id());
        std::env::temp_dir().join(unique)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn closing_the_client_ends_the_child_and_what_it_started() {
        let pid_file = temp_file("grandchild.pid");
        let _ = std::fs::remove_file(&pid_file);
        // `sh` starts a grandchild that would outlive it, then becomes the server.
        let script = format!("sleep 1000 & echo $! > '{}'; exec '{SERVER}'", pid_file.display());
        let child = ChildProcess::builder(shell(script)).spawn().expect("spawned");
        let (server, exit) = (child.id().expect("a pid"), child.exit());
        let client = Client::default().serve(child).await.expect("connected");
        bounded("a ping", client.ping()).await.expect("answered");
        let grandchild: u32 = std::fs::read_to_string(&pid_file).expect("the pid file").trim().parse().expect("a pid");
        let _ = std::fs::remove_file(&pid_file);
        assert!(runs(server) && runs(grandchild));

        client.cancel().await;
        let status = bounded("the shutdown", exit.wait()).await.expect("an exit status");
        // Closing its stdin was enough for the server; its group got SIGTERM all the same.
        assert!(status.success(), "{status:?}");
        assert!(!runs(server));
        assert!(eventually(|| !runs(grandchild)).await, "the grandchild {grandchild} outlived the shutdown");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_child_that_stays_after_stdin_closes_gets_sigterm() {
        let child = ChildProcess::builder(shell(format!("exec '{SERVER}' --linger")))
            .shutdown_grace(Duration::from_millis(200))
            .spawn()
            .expect("spawned");
        let exit = child.exit();
        let client = Client::default().serve(child).await.expect("connected");
        client.cancel().await;
        let status = bounded("the shutdown", exit.wait()).await.expect("an exit status");
        assert_eq!(status.signal(), Some(15), "{status:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_child_that_ignores_sigterm_gets_sigkill() {
        // Ignored signals stay ignored across `exec`.
        let child = ChildProcess::builder(shell(format!("trap '' TERM; exec '{SERVER}' --linger")))
            .shutdown_grace(Duration::from_millis(200))
            .kill_after(Duration::from_millis(300))
            .spawn()
            .expect("spawned");
        let (server, exit) = (child.id().expect("a pid"), child.exit());
        let client = Client::default().serve(child).await.expect("connected");
        drop(client);
        let status = bounded("the shutdown", exit.wait()).await.expect("an exit status");
        assert_eq!(status.signal(), Some(9), "{status:?}");
        assert!(!runs(server));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_child_never_served_is_shut_down_when_dropped() {
        let child = ChildProcess::new(Command::new(SERVER)).expect("spawned");
        let (server, exit) = (child.id().expect("a pid"), child.exit());
        drop(child);
        let status = bounded("the shutdown", exit.wait()).await.expect("an exit status");
        assert!(status.success(), "stdin closed: {status:?}");
        assert!(!runs(server));
    }
}
