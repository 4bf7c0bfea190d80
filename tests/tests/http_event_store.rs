//! The event store under pressure, over real HTTP: a final response is never evicted while its
//! client may still need it, a replay that lost events says so, a slow store holds up only the
//! stream it stores for, a failing one loses nothing that a live connection could carry, and a
//! POST dropped before its requests were handed on leaves their ids free.

mod http_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use http_support::raw::{ACCEPT, json_of, post, ready_session, tool_call};
use http_support::sse::{Event, Replayed, Watched, eventually, read_events};
use reqwest::StatusCode;
use rmcp_core::CancellationToken;
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, Implementation, ProgressNotificationParams, ServerCapabilities,
};
use rmcp_core::service::{McpError, RequestContext, RoleServer};
use rmcp_core::transport::http::{
    EventKind, EventStore, EventStoreError, InMemoryEventStore, StoredEvent, StreamControl, StreamableHttpConfig,
    StreamableHttpService,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::Semaphore;

/// What the scripted tools report, and the gate they wait at.
#[derive(Debug)]
struct Script {
    /// `burst` calls wait here (with `"wait": true`) until the test lets them go.
    gate: Semaphore,
    /// `block` calls that have started blocking.
    blocking: AtomicUsize,
}

/// A server whose tools make the streams the tests need.
#[derive(Clone)]
struct Scripted(Arc<Script>);

impl Scripted {
    fn new() -> Self {
        Self(Arc::new(Script { gate: Semaphore::new(0), blocking: AtomicUsize::new(0) }))
    }
}

impl ServerHandler for Scripted {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(
            Implementation::new("event-store-test", "0"),
            ServerCapabilities::builder().enable_tools().build(),
        )
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let args = params.arguments.clone().unwrap_or_default();
        let num = |k: &str| args.get(k).and_then(Value::as_u64).unwrap_or(0);
        let flag = |k: &str| args.get(k).and_then(Value::as_bool).unwrap_or(false);
        match params.name.as_ref() {
            // `before` notifications; the connection closed (SSE polling) if `close`; a wait at the
            // gate if `wait`; `after` notifications of `size` bytes each; then the answer.
            "burst" => {
                let token = ctx.progress_token();
                let notify = |i: u64, size: u64| {
                    let token = token.clone();
                    let peer = ctx.peer.clone();
                    async move {
                        if let Some(token) = token {
                            let p = ProgressNotificationParams::new(token, i as f64)
                                .with_message("x".repeat(size as usize));
                            let _ = peer.notify_progress(p).await;
                        }
                    }
                };
                for i in 1..=num("before") {
                    notify(i, 0).await;
                }
                if flag("close")
                    && let Some(control) = ctx.extensions.get::<StreamControl>()
                {
                    control.close_connection().await;
                }
                if flag("wait") {
                    self.0.gate.acquire().await.expect("the gate stays open").forget();
                }
                for i in 1..=num("after") {
                    notify(1000 + i, num("size")).await;
                }
                Ok(CallToolResult::success(vec![ContentBlock::text("done")]))
            }
            // Blocks its thread: served inline by a session's engine, it keeps the engine from
            // reading its input for `ms` milliseconds.
            "block" => {
                self.0.blocking.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(num("ms")));
                Ok(CallToolResult::success(vec![ContentBlock::text("blocked")]))
            }
            _ => Ok(CallToolResult::success(vec![ContentBlock::text("echo")])),
        }
    }
}

struct Running {
    url: String,
    addr: std::net::SocketAddr,
    script: Arc<Script>,
    stop: CancellationToken,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn start(config: StreamableHttpConfig) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let server = Scripted::new();
    let script = server.0.clone();
    let service = StreamableHttpService::new(move || server.clone(), config);
    let stop = CancellationToken::new();
    tokio::spawn(service.serve_listener(listener, stop.clone()));
    Running { url: format!("http://{addr}/mcp"), addr, script, stop }
}

fn with_store(store: Arc<dyn EventStore>) -> StreamableHttpConfig {
    StreamableHttpConfig::default().with_event_store(Some(store))
}

/// A `burst` call with `args`, reporting progress under `token`.
fn burst(id: i64, args: Value, token: &str) -> Value {
    let mut call = tool_call(json!(id), "burst", args);
    call["params"]["_meta"] = json!({"progressToken": token});
    call
}

fn resume(url: &str, session: &str, last_event_id: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .get(url)
        .header("accept", "text/event-stream")
        .header("Mcp-Session-Id", session)
        .header("Last-Event-ID", last_event_id)
}

/// Start request `call` on a POST whose handler closes the connection (SSE polling): returns the
/// id of the priming event the client would resume from.
async fn post_and_get_polled(url: &str, session: &str, call: &Value) -> String {
    let mut r = post(url, call).header("Mcp-Session-Id", session).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let events = read_events(&mut r, |_| false).await;
    events.first().and_then(|e| e.id.clone()).expect("a priming event")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_of_the_same_session_never_evict_a_response_not_yet_delivered() {
    let store = Watched::new(InMemoryEventStore::new(4, usize::MAX));
    let server = start(with_store(store.clone())).await;
    let (url, session) = (&server.url, ready_session(&server.url, "2025-11-25").await);
    // The handler closes the connection, then answers while its client is away.
    let resume_from = post_and_get_polled(url, &session, &burst(1, json!({"close": true}), "a")).await;
    assert!(eventually(|| store.responses() == 1).await, "the answer was stored");
    // Another request of the session sends many notifications, more than the store keeps.
    let call = burst(2, json!({"after": 20}), "b");
    let mut r = post(url, &call).header("Mcp-Session-Id", &session).send().await.unwrap();
    let events = read_events(&mut r, |e| e.answers(2)).await;
    assert_eq!(events.iter().filter(|e| e.is_progress()).count(), 20);
    // The first request's client comes back: its answer is still there.
    let mut r = resume(url, &session, &resume_from).send().await.unwrap();
    let events = read_events(&mut r, |e| e.answers(1)).await;
    assert!(events.iter().any(|e| e.answers(1)), "the answer survived the eviction pressure: {events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_session_never_evicts_a_response_not_yet_delivered() {
    let store = Watched::new(InMemoryEventStore::new(1000, usize::MAX).with_max_total_bytes(3_000));
    let server = start(with_store(store.clone())).await;
    let url = &server.url;
    let (victim, flooder) = (ready_session(url, "2025-11-25").await, ready_session(url, "2025-11-25").await);
    let resume_from = post_and_get_polled(url, &victim, &burst(1, json!({"close": true}), "a")).await;
    assert!(eventually(|| store.responses() == 1).await, "the answer was stored");
    // Another session's notifications fill the store's whole budget many times over.
    let call = burst(1, json!({"after": 100, "size": 100}), "b");
    let mut r = post(url, &call).header("Mcp-Session-Id", &flooder).send().await.unwrap();
    let events = read_events(&mut r, |e| e.answers(1)).await;
    assert_eq!(events.iter().filter(|e| e.is_progress()).count(), 100, "delivered live all the same");
    let mut r = resume(url, &victim, &resume_from).send().await.unwrap();
    let events = read_events(&mut r, |e| e.answers(1)).await;
    assert!(events.iter().any(|e| e.answers(1)), "the answer survived another session's flood: {events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_that_lost_events_says_so() {
    let store = Watched::new(InMemoryEventStore::new(4, usize::MAX));
    let server = start(with_store(store.clone())).await;
    let (url, session) = (&server.url, ready_session(&server.url, "2025-11-25").await);
    let call = burst(1, json!({"before": 1, "wait": true, "after": 20}), "a");
    let mut r = post(url, &call).header("Mcp-Session-Id", &session).send().await.unwrap();
    let events = read_events(&mut r, Event::is_progress).await;
    let last_seen = events.last().and_then(|e| e.id.clone()).expect("the first notification has an id");
    // The client goes away; meanwhile 20 notifications come, of which the store keeps 3.
    drop(r);
    server.script.gate.add_permits(1);
    assert!(eventually(|| store.responses() == 1).await, "the answer was stored");
    let mut r = resume(url, &session, &last_seen).send().await.unwrap();
    let events = read_events(&mut r, |e| e.answers(1)).await;
    assert_eq!(events.first().and_then(|e| e.kind.as_deref()), Some("gap"), "the replay starts with a gap: {events:?}");
    let gap: Value = serde_json::from_str(&events[0].data).expect("the gap event holds JSON");
    assert_eq!(gap["lastEventId"], last_seen);
    assert!(events.last().is_some_and(|e| e.answers(1)), "and still ends with the answer: {events:?}");
    assert!(events.iter().filter(|e| e.is_progress()).count() < 20, "events were evicted");
}

/// A store whose `store` waits at a gate for the events holding `marker`.
#[derive(Debug)]
struct Gated {
    inner: InMemoryEventStore,
    marker: &'static str,
    gate: Semaphore,
    waiting: AtomicUsize,
}

impl EventStore for Gated {
    fn store<'a>(&'a self, session: &'a str, event: StoredEvent) -> BoxFuture<'a, Result<(), EventStoreError>> {
        Box::pin(async move {
            if String::from_utf8_lossy(&event.data).contains(self.marker) {
                self.waiting.fetch_add(1, Ordering::SeqCst);
                self.gate.acquire().await.expect("open").forget();
            }
            self.inner.store(session, event).await
        })
    }
    fn delivered(&self, session: &str, stream: u64, seq: u64) {
        self.inner.delivered(session, stream, seq);
    }
    fn replay<'a>(&'a self, session: &'a str, stream: u64, after: u64) -> Replayed<'a> {
        self.inner.replay(session, stream, after)
    }
    fn remove_session<'a>(&'a self, session: &'a str) -> BoxFuture<'a, ()> {
        self.inner.remove_session(session)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_store_holds_up_only_the_stream_it_stores_for() {
    let store = Arc::new(Gated {
        inner: InMemoryEventStore::default(),
        marker: "slow-token",
        gate: Semaphore::new(0),
        waiting: AtomicUsize::new(0),
    });
    let server = start(with_store(store.clone())).await;
    let (url, session) = (server.url.clone(), ready_session(&server.url, "2025-11-25").await);
    // A request whose first notification the store takes its time with.
    let slow = {
        let (url, session) = (url.clone(), session.clone());
        tokio::spawn(async move {
            let call = burst(1, json!({"before": 2}), "slow-token");
            let mut r = post(&url, &call).header("Mcp-Session-Id", &session).send().await.unwrap();
            read_events(&mut r, |e| e.answers(1)).await
        })
    };
    assert!(eventually(|| store.waiting.load(Ordering::SeqCst) == 1).await, "the store is busy");
    let within = |f| tokio::time::timeout(Duration::from_secs(5), f);
    // Meanwhile the session serves other requests and streams.
    let echo = tool_call(json!(2), "echo", json!({}));
    let r = within(post(&url, &echo).header("Mcp-Session-Id", &session).send()).await.expect("not held up");
    assert_eq!(json_of(r.unwrap()).await["result"]["content"][0]["text"], "echo");
    let get = reqwest::Client::new().get(&url).header("accept", "text/event-stream").header("Mcp-Session-Id", &session);
    let standalone = within(get.send()).await.expect("not held up").unwrap();
    assert_eq!(standalone.status(), StatusCode::OK);
    let call = burst(3, json!({"before": 2}), "fast-token");
    let mut r =
        within(post(&url, &call).header("Mcp-Session-Id", &session).send()).await.expect("not held up").unwrap();
    let events = read_events(&mut r, |e| e.answers(3)).await;
    assert_eq!(events.iter().filter(|e| e.is_progress()).count(), 2);
    assert!(events.last().is_some_and(|e| e.answers(3)), "another stream of the session: {events:?}");
    // The store catches up: the slow stream gets everything, in order.
    store.gate.add_permits(2);
    let events = slow.await.unwrap();
    let ids: Vec<&str> = events.iter().filter_map(|e| e.id.as_deref()).collect();
    let stream = ids[0].split_once('-').unwrap().0;
    let expected: Vec<String> = (0..=3).map(|seq| format!("{stream}-{seq}")).collect();
    assert_eq!(ids, expected, "the priming event, two notifications and the answer, in order");
    assert!(events.last().is_some_and(|e| e.answers(1)));
}

/// A store that keeps nothing: every `store` and `replay` fails.
#[derive(Debug, Default)]
struct Failing {
    responses: AtomicUsize,
}

fn unreachable_store() -> EventStoreError {
    EventStoreError::Failed("the store is unreachable".into())
}

impl EventStore for Failing {
    fn store<'a>(&'a self, _session: &'a str, event: StoredEvent) -> BoxFuture<'a, Result<(), EventStoreError>> {
        if event.kind == EventKind::Response {
            self.responses.fetch_add(1, Ordering::SeqCst);
        }
        Box::pin(async { Err(unreachable_store()) })
    }
    fn replay<'a>(&'a self, _session: &'a str, _stream: u64, _after: u64) -> Replayed<'a> {
        Box::pin(async { Err(unreachable_store()) })
    }
    fn remove_session<'a>(&'a self, _session: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_store_loses_no_answer() {
    let store = Arc::new(Failing::default());
    let server = start(with_store(store.clone())).await;
    let (url, session) = (&server.url, ready_session(&server.url, "2025-11-25").await);
    // Live streams are served as if there were no store.
    let call = burst(1, json!({"before": 3}), "a");
    let mut r = post(url, &call).header("Mcp-Session-Id", &session).send().await.unwrap();
    let events = read_events(&mut r, |e| e.answers(1)).await;
    assert_eq!(events.iter().filter(|e| e.is_progress()).count(), 3);
    assert!(events.last().is_some_and(|e| e.answers(1)));
    // An answer that finds its client away and the store failing waits for the client to resume.
    let resume_from = post_and_get_polled(url, &session, &burst(2, json!({"close": true}), "b")).await;
    assert!(eventually(|| store.responses.load(Ordering::SeqCst) == 2).await, "answered");
    let mut r = resume(url, &session, &resume_from).send().await.unwrap();
    let events = read_events(&mut r, |e| e.answers(2)).await;
    assert!(events.iter().any(|e| e.answers(2)), "the answer was kept for the client: {events:?}");
    assert_eq!(events[0].kind.as_deref(), Some("gap"), "the replay failed, and says so: {events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_store_does_not_cut_a_slow_reader_from_its_answer() {
    let store = Arc::new(Failing::default());
    let server = start(with_store(store.clone())).await;
    let session = ready_session(&server.url, "2025-11-25").await;
    // A client that reads nothing until the handler is done: its socket and its response's queue
    // fill up with notifications.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut tcp = socket.connect(server.addr).await.unwrap();
    let body = burst(1, json!({"after": 3000, "size": 4000}), "a").to_string();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\n\
         Mcp-Session-Id: {session}\r\nMCP-Protocol-Version: 2025-11-25\r\nConnection: close\r\n\
         Content-Length: {}\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    assert!(eventually(|| store.responses.load(Ordering::SeqCst) == 1).await, "answered");
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "the response ends");
    let got = String::from_utf8_lossy(&got);
    assert!(got.contains(r#""text":"done""#), "the answer reached the slow reader ({} bytes read)", got.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_dropped_before_its_requests_were_handed_on_frees_their_ids() {
    let config = StreamableHttpConfig::default().with_max_batch_len(200);
    let server = start(config).await;
    let url = &server.url;
    let session = ready_session(url, "2025-03-26").await;
    // A batch whose first request keeps the session's engine from reading: the POST hands on
    // what the engine's queue holds, then waits for room.
    let mut batch = vec![tool_call(json!(1), "block", json!({"ms": 800}))];
    batch.extend((2..=100).map(|id| tool_call(json!(id), "echo", json!({}))));
    let body = Value::Array(batch).to_string();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\n\
         Mcp-Session-Id: {session}\r\nMCP-Protocol-Version: 2025-03-26\r\nContent-Length: {}\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(head.as_bytes()).await.unwrap();
    assert!(eventually(|| server.script.blocking.load(Ordering::SeqCst) == 1).await, "the engine is held");
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The client goes away mid-way.
    drop(tcp);
    // The id of a request that was never handed on is free again.
    let echo = tool_call(json!(100), "echo", json!({}));
    let mut status = StatusCode::BAD_REQUEST;
    for _ in 0..30 {
        let r = post(url, &echo).header("Mcp-Session-Id", &session).header("MCP-Protocol-Version", "2025-03-26");
        let r = r.send().await.unwrap();
        status = r.status();
        if status == StatusCode::OK {
            assert_eq!(json_of(r).await["result"]["content"][0]["text"], "echo");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, StatusCode::OK, "the id is free for a new request");
}
