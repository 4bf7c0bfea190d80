//! Scripted hostile servers for the client tests: real HTTP/1.1 on 127.0.0.1 written by hand (so
//! a script can lie about lengths, stop mid-body or stream for ever), and a newline-JSON peer
//! over an in-process pipe (`stdio`). A script sees each request and says what to answer.
#![allow(dead_code)]

pub mod stdio;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference};
use rmcp_core::{ProtocolVersion, RoleClient, RunningService};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long any one hostile exchange may hold a test before it counts as endless.
pub const BOUND: Duration = Duration::from_secs(10);

/// Run `f` within [`BOUND`]: a call that does not return in time is one that never would.
pub async fn bounded<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(BOUND, f).await.unwrap_or_else(|_| panic!("{what} did not return within {BOUND:?}"))
}

/// Poll `check` for up to [`BOUND`].
pub async fn eventually(mut check: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + BOUND;
    while tokio::time::Instant::now() < deadline {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    check()
}

/// One HTTP request as the script sees it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    /// The JSON-RPC message of a POST (`Null` when there is none).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
    /// The JSON-RPC method and id of a POST.
    pub fn rpc(&self) -> (Option<String>, Option<Value>) {
        let m = self.json();
        (m["method"].as_str().map(str::to_owned), m.get("id").cloned())
    }
}

/// What comes after the head of a streamed answer.
pub type Generator = Box<dyn FnMut(u64) -> Option<Vec<u8>> + Send>;

/// The body of an answer.
pub enum Body {
    /// These bytes, with a `content-length` unless the script set one (to lie with).
    Bytes(Vec<u8>),
    /// Parts written one by one until the generator says `None` (or the client stops reading),
    /// `pause` apart; then the connection closes. No length: the body ends with the connection.
    Stream { next: Generator, pause: Duration },
}

/// One answer.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Reply { status, headers: Vec::new(), body: Body::Bytes(Vec::new()) }
    }
    pub fn json(value: &Value) -> Self {
        Self::status(200).header("content-type", "application/json").bytes(value.to_string())
    }
    /// An SSE answer holding these events, then the end of the stream.
    pub fn sse(events: Vec<String>) -> Self {
        let mut events = events.into_iter();
        Self::sse_stream(Duration::ZERO, move |_| events.next().map(String::into_bytes))
    }
    /// An SSE answer written part by part, `pause` apart.
    pub fn sse_stream(pause: Duration, next: impl FnMut(u64) -> Option<Vec<u8>> + Send + 'static) -> Self {
        let mut reply = Self::status(200).header("content-type", "text/event-stream");
        reply.body = Body::Stream { next: Box::new(next), pause };
        reply
    }
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
    pub fn bytes(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Body::Bytes(body.into());
        self
    }
}

/// One SSE event: `id` (if any), then the data.
pub fn event(id: Option<&str>, data: &Value) -> String {
    match id {
        Some(id) => format!("id: {id}\ndata: {data}\n\n"),
        None => format!("data: {data}\n\n"),
    }
}

/// A JSON-RPC result for `id`.
pub fn result(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// A tool result holding `text`.
pub fn tool_result(id: &Value, text: &str) -> Value {
    result(id, json!({"content": [{"type": "text", "text": text}]}))
}

/// What a script answers a request.
pub type Script = dyn Fn(&Request) -> Reply + Send + Sync;

/// A scripted server, listening until dropped.
pub struct HostileServer {
    /// `http://127.0.0.1:<port>`.
    pub origin: String,
    /// Requests received.
    pub hits: Arc<AtomicUsize>,
    /// Connections whose answer is still being written.
    pub open: Arc<AtomicUsize>,
    /// Every request received, in order.
    pub log: Arc<Mutex<Vec<Request>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HostileServer {
    /// Serve every connection with `script`: one request per connection, then close.
    pub async fn start(script: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let open = Arc::new(AtomicUsize::new(0));
        let log: Arc<Mutex<Vec<Request>>> = Arc::default();
        let script: Arc<Script> = Arc::new(script);
        let (counted, opened, logged) = (hits.clone(), open.clone(), log.clone());
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (script, hits, open, log) = (script.clone(), counted.clone(), opened.clone(), logged.clone());
                tokio::spawn(async move {
                    let Some(request) = read_request(&socket).await else { return };
                    hits.fetch_add(1, Ordering::SeqCst);
                    lock(&log).push(request.clone());
                    open.fetch_add(1, Ordering::SeqCst);
                    write_reply(socket, script(&request)).await;
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        HostileServer { origin, hits, open, log, task }
    }

    /// The MCP endpoint.
    pub fn url(&self) -> String {
        format!("{}/mcp", self.origin)
    }

    pub fn requests(&self) -> Vec<Request> {
        lock(&self.log).clone()
    }

    /// How many requests had this HTTP method.
    pub fn count(&self, method: &str) -> usize {
        lock(&self.log).iter().filter(|r| r.method == method).count()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A 2025-era MCP server around `tools`: it answers `initialize` (with a session), every
/// notification with 202, GET with 405 (no standalone stream) and DELETE with 200, and leaves
/// every other request to `tools` (with its method and id).
pub fn mcp(
    tools: impl Fn(&Request, &str, &Value) -> Reply + Send + Sync + 'static,
) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    move |request| match (request.method.as_str(), request.rpc()) {
        ("POST", (Some(m), Some(id))) if m == "initialize" => Reply::json(&result(
            &id,
            json!({
                "protocolVersion": "2025-11-25",
                "capabilities": {"tools": {}, "prompts": {}, "resources": {}},
                "serverInfo": {"name": "hostile", "version": "0"}
            }),
        ))
        .header("mcp-session-id", "s-1"),
        ("POST", (Some(m), Some(id))) => tools(request, &m, &id),
        ("POST", _) => Reply::status(202),
        ("DELETE", _) => Reply::status(200),
        _ => Reply::status(405),
    }
}

async fn read_request(socket: &TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        socket.readable().await.ok()?;
        match socket.try_read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return None,
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        socket.readable().await.ok()?;
        match socket.try_read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return None,
        }
    }
    Some(Request { method, path, headers, body })
}

async fn write_reply(mut socket: TcpStream, reply: Reply) {
    let mut head = format!("HTTP/1.1 {} X\r\nconnection: close\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let has_length = reply.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    match reply.body {
        Body::Bytes(bytes) => {
            if !has_length {
                head.push_str(&format!("content-length: {}\r\n", bytes.len()));
            }
            head.push_str("\r\n");
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&bytes).await;
        }
        Body::Stream { mut next, pause } => {
            head.push_str("\r\n");
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let mut n = 0;
            while let Some(part) = next(n) {
                n += 1;
                // A client that stops reading ends the stream: the write fails, or stalls.
                let write = tokio::time::timeout(BOUND, socket.write_all(&part));
                if !matches!(write.await, Ok(Ok(()))) {
                    return;
                }
                if !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }
    let _ = socket.flush().await;
    let _ = socket.shutdown().await;
    // Let the client read to the end before the socket goes (a reset could cut the tail).
    let mut sink = [0u8; 1024];
    let _ = tokio::time::timeout(Duration::from_secs(1), socket.read(&mut sink)).await;
}

/// A 2025-era client, with list limits.
pub struct Stateful(pub Option<(usize, usize)>);

impl ClientHandler for Stateful {
    fn get_info(&self) -> ClientInfo {
        let info = ClientInfo::default().with_protocol(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25));
        match self.0 {
            Some((pages, items)) => info.with_list_limits(pages, items),
            None => info,
        }
    }
}

/// A client connected over HTTP to `url`.
pub type HttpClient = RunningService<RoleClient, Stateful>;
