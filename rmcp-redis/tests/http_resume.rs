//! Our Streamable HTTP server on 127.0.0.1 with a `RedisEventStore`: a client drops its SSE
//! stream in the middle of a call and resumes with `Last-Event-ID`, getting every event it
//! missed and the answer, replayed from Redis; on another instance (sharing sessions and a bus
//! in the same Redis) too, following the call live, or getting an error for it when the
//! instance running it died.

mod support;

use std::sync::Arc;
use std::time::Duration;

use rmcp_core::CancellationToken;
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, Implementation, ProgressNotificationParams, ServerCapabilities,
};
use rmcp_core::service::{McpError, RequestContext, RoleServer};
use rmcp_core::transport::http::{EventKind, EventStore, StoredEvent, StreamableHttpConfig, StreamableHttpService};
use rmcp_redis::{RedisEventStore, RedisEventStoreOptions, RedisMessageBus, RedisSessionStore};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// A server whose `burst` tool reports progress twice, waits at the gate, reports progress three
/// more times and answers.
#[derive(Clone)]
struct Bursty(Arc<Semaphore>);

impl ServerHandler for Bursty {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(
            Implementation::new("redis-resume-test", "0"),
            ServerCapabilities::builder().enable_tools().build(),
        )
    }

    async fn call_tool(
        &self,
        _params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let token = ctx.progress_token().expect("the test sends a progress token");
        let notify = async |i: u64| {
            let _ = ctx.peer.notify_progress(ProgressNotificationParams::new(token.clone(), i as f64)).await;
        };
        for i in 1..=2 {
            notify(i).await;
        }
        self.0.acquire().await.expect("the gate stays open").forget();
        for i in 3..=5 {
            notify(i).await;
        }
        Ok(CallToolResult::success(vec![ContentBlock::text("done")]))
    }
}

/// One server instance, stopped on drop.
struct Instance {
    url: String,
    store: Arc<RedisEventStore>,
    bus: Arc<RedisMessageBus>,
    gate: Arc<Semaphore>,
    stop: CancellationToken,
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// An instance with its own `RedisEventStore` on `redis`.
async fn instance(redis: &support::RedisServer) -> Instance {
    instance_with(redis, RedisEventStoreOptions::default(), true).await
}

/// With `share_sessions`, sessions and the bus are in the same Redis too, so that any instance
/// resumes any stream; without, the instance needs Redis for its events only.
async fn instance_with(
    redis: &support::RedisServer,
    options: RedisEventStoreOptions,
    share_sessions: bool,
) -> Instance {
    let store = Arc::new(RedisEventStore::connect(&redis.url(), options).expect("a valid URL"));
    let shared: Arc<dyn EventStore> = store.clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/mcp", listener.local_addr().expect("address"));
    let gate = Arc::new(Semaphore::new(0));
    let server = Bursty(gate.clone());
    let bus = Arc::new(RedisMessageBus::connect(&redis.url()).await.expect("Redis answers"));
    let mut config = StreamableHttpConfig::default().with_event_store(Some(shared));
    if share_sessions {
        let sessions = RedisSessionStore::connect(&redis.url()).expect("a valid URL");
        config = config.with_session_store(Some(Arc::new(sessions))).with_message_bus(Some(bus.clone()));
    }
    let service = StreamableHttpService::new(move || server.clone(), config);
    let stop = CancellationToken::new();
    tokio::spawn(service.serve_listener(listener, stop.clone()));
    Instance { url, store, bus, gate, stop }
}

fn post(url: &str, session: Option<&str>, body: &Value) -> reqwest::RequestBuilder {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .body(body.to_string());
    if let Some(session) = session {
        request = request.header("Mcp-Session-Id", session);
    }
    request
}

/// Open a 2025-11-25 session; returns its id.
async fn ready_session(url: &str) -> String {
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}});
    let response = post(url, None, &init).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let session = response.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(post(url, Some(&session), &initialized).send().await.unwrap().status(), 202);
    session
}

/// One SSE event: its id and data.
#[derive(Debug)]
struct Event {
    id: Option<String>,
    data: String,
}

impl Event {
    fn is_answer(&self) -> bool {
        serde_json::from_str::<Value>(&self.data).is_ok_and(|m| m["id"] == 1 && m["result"].is_object())
    }
    fn is_progress(&self) -> bool {
        self.data.contains("notifications/progress")
    }
}

/// Read SSE events until `enough` holds of those read, the stream ends, or 5 s pass.
async fn read_events(response: &mut reqwest::Response, enough: impl Fn(&[Event]) -> bool) -> Vec<Event> {
    let (mut out, mut buf) = (Vec::new(), String::new());
    let read = async {
        loop {
            while let Some(end) = buf.find("\n\n") {
                let raw: String = buf.drain(..end + 2).collect();
                let mut event = Event { id: None, data: String::new() };
                for line in raw.lines() {
                    match line.split_once(':') {
                        Some(("id", v)) => event.id = Some(v.trim_start().to_owned()),
                        Some(("data", v)) => event.data.push_str(v.trim_start()),
                        _ => {}
                    }
                }
                if event.id.is_some() || !event.data.is_empty() {
                    out.push(event);
                }
                if enough(&out) {
                    return;
                }
            }
            match response.chunk().await {
                Ok(Some(chunk)) => buf.push_str(std::str::from_utf8(&chunk).expect("utf-8")),
                _ => return,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), read).await;
    out
}

async fn xlen(conn: &mut redis::aio::MultiplexedConnection, key: &str) -> u64 {
    redis::cmd("XLEN").arg(key).query_async(conn).await.unwrap()
}

/// Call `burst` on `first`, drop the SSE stream after two notifications, let the tool finish
/// while the client is away, and resume on `second` (which may be `first`): every event after the
/// last one seen, in order, ending with the answer.
async fn drop_mid_call_and_resume(redis: &support::RedisServer, first: &Instance, second: &Instance) -> String {
    let session = ready_session(&first.url).await;
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "burst", "arguments": {}, "_meta": {"progressToken": "p"}}});
    let mut response = post(&first.url, Some(&session), &call).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let seen = read_events(&mut response, |e| e.iter().filter(|e| e.is_progress()).count() == 2).await;
    let last_seen = seen.last().and_then(|e| e.id.clone()).expect("the notifications have ids");
    let (stream, seq) = last_seen.split_once('-').expect("ids are <stream>-<seq>");
    let seq: u64 = seq.parse().unwrap();
    drop(response);

    // The tool finishes while its client is away: the rest of its stream goes to Redis only.
    first.gate.add_permits(1);
    let mut conn = redis.inspect().await;
    let key = format!("rmcp:events:{{{session}}}:s:{stream}");
    for _ in 0..500 {
        if xlen(&mut conn, &key).await >= seq + 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(xlen(&mut conn, &key).await >= seq + 4, "the three notifications and the answer are stored");

    let resume = reqwest::Client::new()
        .get(&second.url)
        .header("accept", "text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .header("Mcp-Session-Id", &session)
        .header("Last-Event-ID", &last_seen);
    let mut response = resume.send().await.unwrap();
    assert_eq!(response.status(), 200, "the resumption is accepted");
    let events = read_events(&mut response, |e| e.last().is_some_and(Event::is_answer)).await;
    let ids: Vec<&str> = events.iter().filter_map(|e| e.id.as_deref()).collect();
    let expected: Vec<String> = (seq + 1..=seq + 4).map(|n| format!("{stream}-{n}")).collect();
    assert_eq!(ids, expected, "every event after the last one seen, in order: {events:?}");
    assert_eq!(events.iter().filter(|e| e.is_progress()).count(), 3);
    assert!(events.last().is_some_and(Event::is_answer), "ending with the answer: {events:?}");
    last_seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_resumes_on_the_same_instance_from_redis() {
    let redis = redis_or_skip!();
    let server = instance(&redis).await;
    let last_seen = drop_mid_call_and_resume(&redis, &server, &server).await;
    // What another instance's store replays from the same Redis: the same events.
    let (stream, seq) = last_seen.split_once('-').unwrap();
    let (stream, seq): (u64, u64) = (stream.parse().unwrap(), seq.parse().unwrap());
    let elsewhere = RedisEventStore::connect(&redis.url(), RedisEventStoreOptions::default()).unwrap();
    let mut conn = redis.inspect().await;
    let sessions: Vec<String> = redis::cmd("KEYS").arg("rmcp:events:*:i").query_async(&mut conn).await.unwrap();
    let session = sessions[0].split_once('{').and_then(|(_, s)| s.split_once('}')).unwrap().0;
    let replayed = elsewhere.replay(session, stream, seq).await.unwrap();
    let seqs: Vec<u64> = replayed.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (seq + 1..=seq + 4).collect::<Vec<_>>());
}

/// Instance B restores the session A created, and replays the stream from Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_resumes_on_another_instance_sharing_the_redis() {
    let redis = redis_or_skip!();
    let (a, b) = (instance(&redis).await, instance(&redis).await);
    drop_mid_call_and_resume(&redis, &a, &b).await;
}

/// Call `burst` on `a` and drop the stream after two notifications; resume on `b` while the
/// tool still runs on `a`. Returns the resumed response and the id of the last event seen.
async fn resume_elsewhere_mid_call(a: &Instance, b: &Instance) -> (reqwest::Response, String) {
    let session = ready_session(&a.url).await;
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "burst", "arguments": {}, "_meta": {"progressToken": "p"}}});
    let mut response = post(&a.url, Some(&session), &call).send().await.unwrap();
    let seen = read_events(&mut response, |e| e.iter().filter(|e| e.is_progress()).count() == 2).await;
    let last_seen = seen.last().and_then(|e| e.id.clone()).expect("the notifications have ids");
    drop(response);
    let resume = reqwest::Client::new()
        .get(&b.url)
        .header("accept", "text/event-stream")
        .header("MCP-Protocol-Version", "2025-11-25")
        .header("Mcp-Session-Id", &session)
        .header("Last-Event-ID", &last_seen);
    let response = resume.send().await.unwrap();
    assert_eq!(response.status(), 200, "the resumption is accepted");
    (response, last_seen)
}

/// The tool goes on running on A after its client resumed on B: B follows the stream live
/// (A relays it over the bus), every event in order, then the answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_resumed_on_another_instance_follows_the_call_live() {
    let redis = redis_or_skip!();
    let (a, b) = (instance(&redis).await, instance(&redis).await);
    let (mut response, last_seen) = resume_elsewhere_mid_call(&a, &b).await;
    // Give B a moment to ask A, then let the tool finish.
    tokio::time::sleep(Duration::from_millis(200)).await;
    a.gate.add_permits(1);
    let events = read_events(&mut response, |e| e.last().is_some_and(Event::is_answer)).await;
    let (stream, seq) = last_seen.split_once('-').unwrap();
    let seq: u64 = seq.parse().unwrap();
    let ids: Vec<&str> = events.iter().filter_map(|e| e.id.as_deref()).collect();
    let expected: Vec<String> = (seq + 1..=seq + 4).map(|n| format!("{stream}-{n}")).collect();
    assert_eq!(ids, expected, "every later event once, in order: {events:?}");
    assert!(events.last().is_some_and(Event::is_answer), "ending with the answer: {events:?}");
}

/// A dies (stops renewing its liveness and listening) while its tool waits: B, following the
/// stream, answers the request with an error once A's liveness has expired, never leaving the
/// client hanging.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_instance_dies_is_answered_with_an_error_by_another() {
    let redis = redis_or_skip!();
    let (a, b) = (instance(&redis).await, instance(&redis).await);
    a.bus.stop();
    let (mut response, _) = resume_elsewhere_mid_call(&a, &b).await;
    let is_error =
        |e: &Event| serde_json::from_str::<Value>(&e.data).is_ok_and(|m| m["id"] == 1 && m["error"].is_object());
    let events = tokio::time::timeout(Duration::from_secs(10), async {
        let mut all = Vec::new();
        while !all.last().is_some_and(is_error) {
            let more = read_events(&mut response, |e| e.last().is_some_and(is_error)).await;
            if more.is_empty() {
                break;
            }
            all.extend(more);
        }
        all
    })
    .await
    .expect("answered within the liveness timeout");
    let error = events.last().expect("an answer");
    assert!(is_error(error), "an error answers the request: {events:?}");
    assert!(error.data.contains("stopped before answering"), "{}", error.data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_down_calls_are_answered_live_and_resumption_comes_back_with_it() {
    let mut redis = redis_or_skip!();
    let options = RedisEventStoreOptions::default().with_command_timeout(Duration::from_millis(200));
    let server = instance_with(&redis, options, false).await;
    redis.kill();
    let session = ready_session(&server.url).await;
    server.gate.add_permits(1);
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "burst", "arguments": {}, "_meta": {"progressToken": "p"}}});
    let mut response = post(&server.url, Some(&session), &call).send().await.unwrap();
    let events = read_events(&mut response, |e| e.last().is_some_and(Event::is_answer)).await;
    assert_eq!(events.iter().filter(|e| e.is_progress()).count(), 5, "live, unstored: {events:?}");
    assert!(events.last().is_some_and(Event::is_answer), "answered: {events:?}");

    redis.restart();
    let probe = async {
        for seq in 1.. {
            let event = StoredEvent { stream: 1, seq, kind: EventKind::Message, data: "{}".into() };
            if server.store.store("probe", event).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), probe).await.expect("the store reconnects");
    drop_mid_call_and_resume(&redis, &server, &server).await;
}
