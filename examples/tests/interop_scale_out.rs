//! The official clients against a scaled-out server: three `calculator --http ... --redis ...`
//! processes sharing one Redis, behind a real nginx balancing round-robin (no sticky sessions),
//! and the official Python and TypeScript clients (`interop/py_client.py`,
//! `interop/ts_client.mjs`, with `--calls 6`) through nginx.
//!
//! - 2025 handshake (sessions): the requests of one session land on all three instances in
//!   turn, so the two that did not open it must restore it from Redis (each logs "session
//!   restored from the session store" at debug level, counted here from its stderr), and every
//!   call must be answered right.
//! - 2026-07-28 (stateless, pinned or negotiated): nothing to share, but it must work through
//!   the balancer too, every instance serving part of it, and none restoring a session.
//!
//! Between nginx and each instance sits a relay counting the connections nginx opens to it: the
//! shared nginx config keeps no upstream connection alive, so each is one request, and a count
//! above zero proves the instance served the client.
//!
//! Skips as `interop.rs` does without `bash interop/setup.sh` (failing instead when
//! `RMCP_INTEROP_REQUIRED=1`), and as the Redis tests do without redis-server or nginx (which
//! fail unless `RMCP_REDIS_OPTIONAL=1`). Each instance's stderr goes to a log under the target's
//! tmp dir, quoted when a test fails.

#[path = "../../rmcp-redis/tests/support/mod.rs"]
mod redis_support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use redis_support::RedisServer;
use redis_support::nginx::Nginx;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep, timeout};

const CALCULATOR: &str = env!("CARGO_BIN_EXE_calculator");
/// The longest one client run may take (its start-up included).
const LIMIT: Duration = Duration::from_secs(60);
/// Calls each client makes in its one session: with `tools/list` and the handshake, enough
/// requests for round-robin to reach every instance more than once.
const CALLS: usize = 6;
/// How many instances nginx balances over.
const INSTANCES: usize = 3;

const TS_SDK_V1: &str = "node_modules/@modelcontextprotocol/sdk/package.json";
const TS_CLIENT_V2: &str = "node_modules/@modelcontextprotocol/client/package.json";
const PYTHON: &str = ".venv/bin/python";

/// What an instance logs (at debug level) when it takes up a session another one opened.
const RESTORED: &str = "session restored from the session store";
/// Debug for the module logging restores, info for the rest.
const LOG_FILTER: &str = "info,rmcp_core::transport::http::server::cluster=debug";

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root").join("interop")
}

/// `interop/<rel>` if it is installed. If not, the test is skipped: this says so and gives
/// `None`, or fails when `RMCP_INTEROP_REQUIRED=1` (as in `interop.rs`).
fn installed(test: &str, rel: &str) -> Option<PathBuf> {
    let path = interop_dir().join(rel);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("RMCP_INTEROP_REQUIRED").is_ok_and(|v| v == "1") {
        panic!("{test}: interop/{rel} is missing and RMCP_INTEROP_REQUIRED=1: run `bash interop/setup.sh`");
    }
    // Straight to stderr: the test harness hides what passing tests print with `eprintln!`.
    let _ = writeln!(std::io::stderr(), "skipped: {test}: interop/{rel} is not installed; run `bash interop/setup.sh`");
    None
}

/// A TCP relay on a free port to `target`, counting the connections it is asked for.
struct Relay {
    port: u16,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Relay {
    async fn start(target: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a relay port");
        let port = listener.local_addr().expect("the relay's address").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(async move {
                    // A refused connection closes the inbound one: nginx answers 502 and the
                    // client's check fails, as without the relay.
                    if let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", target)).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Self { port, connections, task }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One `calculator` process sharing sessions through Redis; its stderr goes to `log`, and the
/// restores it logs are counted.
struct Instance {
    _child: Child,
    relay: Relay,
    log: PathBuf,
    restores: Arc<AtomicUsize>,
}

impl Instance {
    async fn start(test: &str, index: usize, redis: &str) -> Self {
        let port = redis_support::free_port();
        let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("interop-scale-out-{test}-{index}.log"));
        let mut file = std::fs::File::create(&log).expect("create the log file");
        let mut child = Command::new(CALCULATOR)
            .args(["--http", &format!("127.0.0.1:{port}"), "--redis", redis])
            .env("RUST_LOG", LOG_FILTER)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{test}: cannot spawn {CALCULATOR}: {e}"));
        let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
        // Ready once connected to Redis (it listens before that: the port was bound first).
        let ready = timeout(Duration::from_secs(10), async {
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = writeln!(file, "{line}");
                if line.starts_with("sharing sessions through ") {
                    return true;
                }
            }
            false
        })
        .await;
        if ready != Ok(true) {
            panic!("{test}: instance {index} did not start sharing sessions within 10 s; its log:\n{}", read_log(&log));
        }
        let restores = Arc::new(AtomicUsize::new(0));
        let counted = restores.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains(RESTORED) {
                    counted.fetch_add(1, Ordering::Relaxed);
                }
                let _ = writeln!(file, "{line}");
            }
        });
        Self { _child: child, relay: Relay::start(port).await, log, restores }
    }
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Redis, the instances and nginx in front of them (through their relays).
struct Cluster {
    instances: Vec<Instance>,
    nginx: Nginx,
    _redis: RedisServer,
}

impl Cluster {
    /// The cluster, or `None` when Redis or nginx is missing and optional (see the module docs).
    async fn start(test: &str) -> Option<Self> {
        let redis = RedisServer::start()?;
        let mut instances = Vec::new();
        for index in 0..INSTANCES {
            instances.push(Instance::start(test, index, &redis.url()).await);
        }
        let relays: Vec<u16> = instances.iter().map(|i| i.relay.port).collect();
        let nginx = Nginx::start(&relays)?;
        Some(Self { instances, nginx, _redis: redis })
    }

    fn restores(&self) -> Vec<usize> {
        self.instances.iter().map(|i| i.restores.load(Ordering::Relaxed)).collect()
    }

    fn requests(&self) -> Vec<usize> {
        self.instances.iter().map(|i| i.relay.connections.load(Ordering::Relaxed)).collect()
    }

    /// Every instance's log, for a failure's message.
    fn logs(&self) -> String {
        let each = self.instances.iter().enumerate();
        each.map(|(n, i)| format!("--- instance {n} ({}):\n{}", i.log.display(), read_log(&i.log))).collect()
    }
}

/// Run an official client script (`program script URL variant --calls CALLS`) through `cluster`'s
/// nginx and check the JSON line it prints: it saw the four tools, every call was answered right
/// (`add(2, 3)` gave 5), and it negotiated `version`.
async fn run_client(test: &str, cluster: &Cluster, program: &Path, script: &str, variant: &str, version: &str) {
    let script = interop_dir().join(script);
    let url = cluster.nginx.url();
    let output = timeout(
        LIMIT,
        Command::new(program)
            .arg(&script)
            .args([&url, variant, "--calls", &CALLS.to_string()])
            .current_dir(interop_dir())
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("{test}: the client took longer than {LIMIT:?}\n{}", cluster.logs()))
    .unwrap_or_else(|e| panic!("{test}: cannot run {}: {e}", program.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let context = || {
        format!(
            "{test}: {} {} {url} {variant} exited with {}\nstdout:\n{stdout}\nstderr:\n{}\n{}",
            program.display(),
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr),
            cluster.logs()
        )
    };
    assert!(output.status.success(), "{}", context());
    let report: Value = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("no JSON report: {}", context()));
    assert_eq!(report["ok"], true, "{}", context());
    let tools: Vec<&str> = report["tools"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    for name in ["add", "sub", "mul", "div"] {
        assert!(tools.contains(&name), "no `{name}` among {tools:?}: {}", context());
    }
    assert_eq!(report["add"].as_str().and_then(|t| t.parse::<f64>().ok()), Some(5.0), "{}", context());
    assert_eq!(report["calls"], CALLS, "{}", context());
    assert_eq!(report["protocolVersion"], version, "{}", context());
}

/// The restores logged once they satisfy `done`, or after a few seconds what they are: the
/// lines are read from the instances' stderr a moment after they are written.
async fn restores_when(cluster: &Cluster, done: impl Fn(&[usize]) -> bool) -> Vec<usize> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let restores = cluster.restores();
        if done(&restores) || Instant::now() > deadline {
            return restores;
        }
        sleep(Duration::from_millis(50)).await;
    }
}

/// The exactly one instance that opened the session restored nothing; the others restored it.
fn restored_by_all_but_the_opener(restores: &[usize]) -> bool {
    restores.iter().filter(|&&n| n == 0).count() == 1
}

/// A client in the 2025 handshake (`variant` of `script`, run by `program`) through nginx: it
/// works, every instance served it, and the two that did not open its session restored it.
async fn with_sessions(test: &str, program: &Path, script: &str, variant: &str) {
    let Some(cluster) = Cluster::start(test).await else { return };
    run_client(test, &cluster, program, script, variant, "2025-11-25").await;
    let requests = cluster.requests();
    let restores = restores_when(&cluster, restored_by_all_but_the_opener).await;
    println!("{test}: requests per instance {requests:?}, restores per instance {restores:?}");
    assert!(requests.iter().all(|&n| n > 0), "{test}: an instance served nothing: {requests:?}\n{}", cluster.logs());
    assert!(
        restored_by_all_but_the_opener(&restores),
        "{test}: restores per instance {restores:?} (requests {requests:?}): the two instances that did not \
         open the session must each restore it\n{}",
        cluster.logs()
    );
}

/// A client in the 2026-07-28 era (`variant`, negotiating `version`) through nginx: it works,
/// every instance served part of it, and there was no session to restore.
async fn stateless(test: &str, program: &Path, script: &str, variant: &str) {
    let Some(cluster) = Cluster::start(test).await else { return };
    run_client(test, &cluster, program, script, variant, "2026-07-28").await;
    let requests = cluster.requests();
    // Give a stray restore line the time to be read before saying there was none.
    sleep(Duration::from_millis(200)).await;
    let restores = cluster.restores();
    println!("{test}: requests per instance {requests:?}, restores per instance {restores:?}");
    assert!(requests.iter().all(|&n| n > 0), "{test}: an instance served nothing: {requests:?}\n{}", cluster.logs());
    assert_eq!(restores, [0; INSTANCES], "{test}: a stateless client restored a session\n{}", cluster.logs());
}

// The 2025 handshake: one session across the three instances.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_legacy_handshake_session_spans_three_instances() {
    let test = "python_client_legacy_handshake_session_spans_three_instances";
    let Some(python) = installed(test, PYTHON) else { return };
    with_sessions(test, &python, "py_client.py", "legacy").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typescript_sdk_v1_client_session_spans_three_instances() {
    let test = "typescript_sdk_v1_client_session_spans_three_instances";
    if installed(test, TS_SDK_V1).is_none() {
        return;
    }
    with_sessions(test, Path::new("node"), "ts_client.mjs", "v1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typescript_client_v2_legacy_handshake_session_spans_three_instances() {
    let test = "typescript_client_v2_legacy_handshake_session_spans_three_instances";
    if installed(test, TS_CLIENT_V2).is_none() {
        return;
    }
    with_sessions(test, Path::new("node"), "ts_client.mjs", "v2-legacy").await;
}

// 2026-07-28: stateless, through the same balancer.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_pinned_2026_through_three_instances() {
    let test = "python_client_pinned_2026_through_three_instances";
    let Some(python) = installed(test, PYTHON) else { return };
    stateless(test, &python, "py_client.py", "2026-07-28").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_auto_negotiation_through_three_instances() {
    let test = "python_client_auto_negotiation_through_three_instances";
    let Some(python) = installed(test, PYTHON) else { return };
    stateless(test, &python, "py_client.py", "auto").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typescript_client_v2_pinned_2026_through_three_instances() {
    let test = "typescript_client_v2_pinned_2026_through_three_instances";
    if installed(test, TS_CLIENT_V2).is_none() {
        return;
    }
    stateless(test, Path::new("node"), "ts_client.mjs", "v2-2026").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typescript_client_v2_auto_negotiation_through_three_instances() {
    let test = "typescript_client_v2_auto_negotiation_through_three_instances";
    if installed(test, TS_CLIENT_V2).is_none() {
        return;
    }
    stateless(test, Path::new("node"), "ts_client.mjs", "v2-auto").await;
}
