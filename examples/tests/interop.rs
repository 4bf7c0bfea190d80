//! Interop with the official SDKs, over real processes and sockets:
//!
//! - the official TypeScript clients (`@modelcontextprotocol/sdk` v1 and
//!   `@modelcontextprotocol/client` v2, both eras) and the official Python client (PyPI `mcp`,
//!   both eras) list and call the tools of our Streamable HTTP server, the `calculator` example
//!   run with `--http`; the clients are `interop/ts_client.mjs` and `interop/py_client.py`;
//! - our client lists and calls the tools of the reference server
//!   `@modelcontextprotocol/server-everything`, over stdio and over Streamable HTTP.
//!
//! The other side is installed by `bash interop/setup.sh` into `interop/node_modules` and
//! `interop/.venv` (pinned by `interop/package-lock.json` and `interop/requirements.txt`).
//! Without that install each test prints a `skipped:` line and passes, unless
//! `RMCP_INTEROP_REQUIRED=1` (as `.ci/run` sets it): then a missing install fails the test.
//! Each test writes the other process's output to a log under the target's tmp dir and quotes it
//! when it fails.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use rmcp_core::ClientHandler;
use rmcp_core::handler::{ClientInfo, ProtocolPreference};
use rmcp_core::model::{CallToolRequestParams, CallToolResult, JsonObject, ProtocolVersion};
use rmcp_core::service::{Peer, RoleClient, ServiceExt};
use rmcp_core::transport::ChildProcess;
use rmcp_core::transport::http::StreamableHttpClientTransport;
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use tokio::time::{Instant, sleep, timeout};

const CALCULATOR: &str = env!("CARGO_BIN_EXE_calculator");
/// The longest any one exchange with another SDK may take (their start-up included).
const LIMIT: Duration = Duration::from_secs(60);

const TS_SDK_V1: &str = "node_modules/@modelcontextprotocol/sdk/package.json";
const TS_CLIENT_V2: &str = "node_modules/@modelcontextprotocol/client/package.json";
const EVERYTHING: &str = "node_modules/@modelcontextprotocol/server-everything/dist/index.js";
const PYTHON: &str = ".venv/bin/python";

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root").join("interop")
}

/// `interop/<rel>` if it is installed. If not, the test is skipped: this says so and gives
/// `None`, or fails when `RMCP_INTEROP_REQUIRED=1`.
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

/// A log file for `name`, emptied.
fn log_file(name: &str) -> (PathBuf, std::fs::File) {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("interop-{name}.log"));
    let file = std::fs::File::create(&path).expect("create the log file");
    (path, file)
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// A free loopback port, never the same twice in this process.
fn free_port() -> u16 {
    static GIVEN: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if GIVEN.lock().unwrap().get_or_insert_with(HashSet::new).insert(port) {
            return port;
        }
    }
}

/// A server process listening on `url`; killed when dropped.
struct Server {
    _child: Child,
    url: String,
    log: PathBuf,
}

/// Spawn `command` (told to listen on the port it is given) until it listens on a free port.
async fn start_server(name: &str, command: impl Fn(u16) -> Command) -> Server {
    for _ in 0..3 {
        let port = free_port();
        let (log, file) = log_file(name);
        let mut child = command(port)
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: cannot spawn the server: {e}"));
        let deadline = Instant::now() + LIMIT;
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Server { _child: child, url: format!("http://127.0.0.1:{port}/mcp"), log };
            }
            if let Ok(Some(status)) = child.try_wait() {
                // Most likely the port was taken meanwhile: try another one.
                let _ = writeln!(std::io::stderr(), "{name}: server exited with {status}:\n{}", read_log(&log));
                break;
            }
            if Instant::now() > deadline {
                panic!(
                    "{name}: the server did not listen on port {port} within {LIMIT:?}; its log:\n{}",
                    read_log(&log)
                );
            }
            sleep(Duration::from_millis(50)).await;
        }
    }
    panic!("{name}: the server exited three times without listening")
}

/// Our `calculator` example serving Streamable HTTP.
async fn calculator(test: &str) -> Server {
    start_server(&format!("{test}-calculator"), |port| {
        let mut cmd = Command::new(CALCULATOR);
        cmd.args(["--http", &format!("127.0.0.1:{port}")]).env("RUST_LOG", "info");
        cmd
    })
    .await
}

/// Run an official client script (`program script URL variant`) against `server` and check the
/// JSON line it prints: it saw the four tools, `add(2, 3)` gave 5, and it negotiated `version`.
async fn run_client(test: &str, server: &Server, program: &Path, script: &str, variant: &str, version: &str) {
    let script = interop_dir().join(script);
    let output = timeout(
        LIMIT,
        Command::new(program)
            .arg(&script)
            .args([&server.url, variant])
            .current_dir(interop_dir())
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("{test}: the client took longer than {LIMIT:?}\nserver log:\n{}", read_log(&server.log)))
    .unwrap_or_else(|e| panic!("{test}: cannot run {}: {e}", program.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let context = || {
        format!(
            "{test}: {} {} {} {variant} exited with {}\nstdout:\n{stdout}\nstderr:\n{}\nserver log:\n{}",
            program.display(),
            script.display(),
            server.url,
            output.status,
            String::from_utf8_lossy(&output.stderr),
            read_log(&server.log)
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
    assert_eq!(report["protocolVersion"], version, "{}", context());
}

/// The official TypeScript client `variant` (see `interop/ts_client.mjs`), from `package`,
/// against our server.
async fn typescript_client(test: &str, package: &str, variant: &str, version: &str) {
    if installed(test, package).is_none() {
        return;
    }
    let server = calculator(test).await;
    run_client(test, &server, Path::new("node"), "ts_client.mjs", variant, version).await;
}

/// The official Python client in connect `mode` (see `interop/py_client.py`) against our server.
async fn python_client(test: &str, mode: &str, version: &str) {
    let Some(python) = installed(test, PYTHON) else { return };
    let server = calculator(test).await;
    run_client(test, &server, &python, "py_client.py", mode, version).await;
}

// The official clients against our Streamable HTTP server.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typescript_sdk_v1_client_calls_our_http_server() {
    typescript_client("typescript_sdk_v1_client_calls_our_http_server", TS_SDK_V1, "v1", "2025-11-25").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typescript_client_v2_legacy_handshake_calls_our_http_server() {
    let test = "typescript_client_v2_legacy_handshake_calls_our_http_server";
    typescript_client(test, TS_CLIENT_V2, "v2-legacy", "2025-11-25").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typescript_client_v2_auto_negotiation_calls_our_http_server() {
    let test = "typescript_client_v2_auto_negotiation_calls_our_http_server";
    typescript_client(test, TS_CLIENT_V2, "v2-auto", "2026-07-28").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typescript_client_v2_pinned_2026_calls_our_http_server() {
    let test = "typescript_client_v2_pinned_2026_calls_our_http_server";
    typescript_client(test, TS_CLIENT_V2, "v2-2026", "2026-07-28").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_legacy_handshake_calls_our_http_server() {
    python_client("python_client_legacy_handshake_calls_our_http_server", "legacy", "2025-11-25").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_auto_negotiation_calls_our_http_server() {
    python_client("python_client_auto_negotiation_calls_our_http_server", "auto", "2026-07-28").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_client_pinned_2026_calls_our_http_server() {
    python_client("python_client_pinned_2026_calls_our_http_server", "2026-07-28", "2026-07-28").await;
}

// Our client against the reference server.

struct Client(ProtocolPreference);

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.0.clone())
    }
}

fn text_of(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect::<Vec<_>>().join(" ")
}

fn arguments(value: Value) -> JsonObject {
    value.as_object().expect("an object").clone()
}

/// List the reference server's tools, call `echo` and `get-sum`, and check the negotiated
/// version: the reference server speaks the 2025 handshake only.
async fn exercise_everything(test: &str, client: &Peer<RoleClient>) {
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::V2025_11_25), "{test}");
    let info = client.server_info().expect("the server described itself");
    assert!(info.server_info.name.contains("everything"), "{test}: server {:?}", info.server_info);

    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    for name in ["echo", "get-sum"] {
        assert!(names.contains(&name), "{test}: no `{name}` among {names:?}");
    }
    let echo = tools.iter().find(|t| t.name == "echo").unwrap();
    assert_eq!(echo.input_schema["properties"]["message"]["type"], "string", "{test}: {:?}", echo.input_schema);

    let call = |name: &str, args: Value| CallToolRequestParams::new(name).with_arguments(arguments(args));
    let result = client.call_tool(call("echo", json!({"message": "hello from rmcp-core"}))).await.expect("echo");
    assert!(!result.is_error(), "{test}: {result:?}");
    assert_eq!(text_of(&result), "Echo: hello from rmcp-core", "{test}");
    let result = client.call_tool(call("get-sum", json!({"a": 2, "b": 3}))).await.expect("get-sum");
    assert!(!result.is_error(), "{test}: {result:?}");
    assert!(text_of(&result).contains('5'), "{test}: {result:?}");
}

/// Our client (`preference`) against `node server-everything stdio`, as a child process.
async fn everything_over_stdio(test: &str, preference: ProtocolPreference) {
    let Some(everything) = installed(test, EVERYTHING) else { return };
    let mut command = Command::new("node");
    command.arg(everything).arg("stdio").current_dir(interop_dir());
    let child = ChildProcess::builder(command).discard_stderr().spawn().expect("spawn node");
    let run = async {
        let client = Client(preference).serve(child).await.expect("connect");
        exercise_everything(test, &client).await;
        client.cancel().await;
    };
    timeout(LIMIT, run).await.unwrap_or_else(|_| panic!("{test}: took longer than {LIMIT:?}"));
}

/// Our client (`preference`) against `node server-everything streamableHttp`, over HTTP.
async fn everything_over_http(test: &str, preference: ProtocolPreference) {
    let Some(everything) = installed(test, EVERYTHING) else { return };
    let server = start_server(&format!("{test}-everything"), |port| {
        let mut cmd = Command::new("node");
        cmd.arg(&everything).arg("streamableHttp").env("PORT", port.to_string()).current_dir(interop_dir());
        cmd
    })
    .await;
    let run = async {
        let client = Client(preference).serve(StreamableHttpClientTransport::new(&server.url)).await.expect("connect");
        exercise_everything(test, &client).await;
        client.cancel().await;
    };
    if timeout(LIMIT, run).await.is_err() {
        panic!("{test}: took longer than {LIMIT:?}\nserver log:\n{}", read_log(&server.log));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_calls_server_everything_over_stdio() {
    // The default preference: probe with `server/discover`, fall back to `initialize`.
    everything_over_stdio("our_client_calls_server_everything_over_stdio", ProtocolPreference::Auto).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_2025_client_calls_server_everything_over_stdio() {
    let test = "our_2025_client_calls_server_everything_over_stdio";
    everything_over_stdio(test, ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_calls_server_everything_over_http() {
    everything_over_http("our_client_calls_server_everything_over_http", ProtocolPreference::Auto).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_2025_client_calls_server_everything_over_http() {
    let test = "our_2025_client_calls_server_everything_over_http";
    everything_over_http(test, ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
}
