//! Our client against scripted hostile servers (`hostile_support`): real HTTP on 127.0.0.1 and
//! newline JSON over an in-process pipe. Whatever the server does (lists without end, progress
//! without end, oversize messages, redirects, answers to ids never sent, duplicates, garbage,
//! connections cut mid-answer, replays that lost the answer), every call ends, with its answer
//! or an explicit error, within a bound, and the client keeps no more than its limits.
//! `client_trust.rs` has the duplex-level cursor and progress cases and SSE `retry` clamping;
//! `hostile_oauth.rs` has the OAuth client's.

mod hostile_support;
mod http_support;

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use hostile_support::stdio::{self, Act, line};
use hostile_support::{
    HostileServer, HttpClient, Reply, Request, Stateful, bounded, event, eventually, mcp, result, tool_result,
};
use rmcp_core::model::{CallToolRequestParams, CallToolResult, ContentBlock};
use rmcp_core::service::{RequestOptions, ServiceError, ServiceExt};
use rmcp_core::transport::http::{
    EventStore, EventStoreError, InMemoryEventStore, StoredEvent, StreamableHttpClientConfig,
    StreamableHttpClientTransport, StreamableHttpConfig,
};
use serde_json::{Value, json};

async fn connect(
    server: &HostileServer,
    client: Stateful,
    config: impl FnOnce(StreamableHttpClientConfig) -> StreamableHttpClientConfig,
) -> HttpClient {
    let transport = StreamableHttpClientTransport::with_config(config(StreamableHttpClientConfig::new(server.url())));
    bounded("connecting", client.serve(transport)).await.expect("initialized")
}

fn call(name: &str) -> CallToolRequestParams {
    CallToolRequestParams::new(name.to_owned())
}

/// The tool called in `request`.
fn tool(request: &Request) -> String {
    request.json()["params"]["name"].as_str().unwrap_or_default().to_owned()
}

fn text(result: &CallToolResult) -> String {
    match result.content.first() {
        Some(ContentBlock::Text(t)) => t.text.clone(),
        other => panic!("not text: {other:?}"),
    }
}

/// The JSON-RPC error a call failed with.
fn rpc_error(err: &ServiceError) -> (String, Value) {
    let e = err.as_error_response().unwrap_or_else(|| panic!("not an error response: {err:?}"));
    (e.message.to_string(), e.data.clone().unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// Lists and progress.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_and_repeated_cursors_over_http_end_the_listing() {
    let page = |id: &Value, next: String| {
        Reply::json(&result(
            id,
            json!({"tools": [{"name": "t", "inputSchema": {"type": "object"}}], "nextCursor": next}),
        ))
    };
    // A fresh cursor on every page, never the same twice.
    let endless = HostileServer::start(mcp(move |r, _, id| {
        let n = r.json()["params"]["cursor"].as_str().and_then(|c| c.parse::<u64>().ok()).unwrap_or(0);
        page(id, (n + 1).to_string())
    }))
    .await;
    let client = connect(&endless, Stateful(Some((20, 1000))), |c| c).await;
    let err = bounded("list_all_tools", client.list_all_tools()).await.unwrap_err();
    assert!(matches!(err, ServiceError::ListTooLong { pages: 20, items: 20, .. }), "{err:?}");
    assert_eq!(endless.count("POST"), 2 + 20, "initialize, initialized, then 20 pages and no more");

    // a -> b -> a.
    let looping = HostileServer::start(mcp(move |r, _, id| {
        let next = if r.json()["params"]["cursor"] == "a" { "b" } else { "a" };
        page(id, next.to_owned())
    }))
    .await;
    let client = connect(&looping, Stateful(None), |c| c).await;
    let err = bounded("list_all_tools", client.list_all_tools()).await.unwrap_err();
    assert!(matches!(err, ServiceError::RepeatedCursor { method: "tools/list", pages: 3 }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_progress_on_an_sse_answer_ends_at_the_total_timeout() {
    let server = HostileServer::start(mcp(|r, _, _| {
        let token = r.json()["params"]["_meta"]["progressToken"].clone();
        Reply::sse_stream(Duration::from_millis(5), move |n| {
            let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress",
                "params": {"progressToken": token, "progress": n}});
            Some(event(None, &progress).into_bytes())
        })
    }))
    .await;
    let client = connect(&server, Stateful(None), |c| c).await;
    let options = RequestOptions::new()
        .with_timeout(Duration::from_millis(100))
        .reset_timeout_on_progress()
        .with_max_total_timeout(Duration::from_millis(500))
        .on_progress(|_| {});
    let err =
        bounded("a call with endless progress", client.call_tool_with(call("endless"), options)).await.unwrap_err();
    assert!(matches!(err, ServiceError::Timeout { timeout } if timeout == Duration::from_millis(500)), "{err:?}");
    // The client stopped reading the stream: the server's endless answer ends.
    assert!(eventually(|| server.open.load(Ordering::SeqCst) == 0).await, "the progress stream is still read");
}

// ---------------------------------------------------------------------------------------------
// Sizes.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_events_and_bodies_fail_their_request_only() {
    const LIMIT: usize = 64 * 1024;
    let chunk = || vec![b'x'; 16 * 1024];
    let server = HostileServer::start(mcp(move |r, _, id| match tool(r).as_str() {
        // One SSE event that never ends.
        "sse" => Reply::sse_stream(Duration::ZERO, move |n| Some(if n == 0 { b"data: ".to_vec() } else { chunk() })),
        // A JSON body announcing its size, then one without a length that never ends.
        "declared" => Reply::json(&tool_result(id, &"x".repeat(4 * LIMIT))),
        "endless" => {
            let mut reply = Reply::sse_stream(Duration::ZERO, move |_| Some(chunk()));
            reply.headers = vec![("content-type".into(), "application/json".into())];
            reply
        }
        _ => Reply::json(&tool_result(id, "fine")),
    }))
    .await;
    let client = connect(&server, Stateful(None), |c| c.with_max_message_bytes(LIMIT)).await;
    for name in ["sse", "declared", "endless"] {
        let err = bounded(name, client.call_tool(call(name))).await.unwrap_err();
        let (message, _) = rpc_error(&err);
        assert!(message.contains(&format!("limit of {LIMIT} bytes")), "{name}: {message}");
    }
    assert!(eventually(|| server.open.load(Ordering::SeqCst) == 0).await, "an endless answer is still read");
    // Each failed alone: the connection serves on.
    let fine = bounded("a call after them", client.call_tool(call("fine"))).await.expect("answered");
    assert_eq!(text(&fine), "fine");
}

// ---------------------------------------------------------------------------------------------
// Redirects.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_another_origin_is_not_followed() {
    // Where a followed redirect would land: it answers every call, so following would succeed.
    let elsewhere = HostileServer::start(mcp(|_, _, id| Reply::json(&tool_result(id, "elsewhere")))).await;
    let target = elsewhere.url();
    let server = HostileServer::start(mcp(move |r, _, id| match (tool(r).as_str(), r.path.as_str()) {
        ("away", _) => Reply::status(307).header("location", target.clone()),
        ("here", "/mcp") => Reply::status(308).header("location", "/mcp/moved"),
        ("here", _) => Reply::json(&tool_result(id, "moved")),
        ("loop", path) => Reply::status(307).header("location", format!("{path}x")),
        _ => Reply::status(500),
    }))
    .await;
    let client = connect(&server, Stateful(None), |c| c).await;
    let err = bounded("a redirected call", client.call_tool(call("away"))).await.unwrap_err();
    let (message, data) = rpc_error(&err);
    assert_eq!(
        (data["httpStatus"].as_u64(), data["location"].as_str()),
        (Some(307), Some(&*elsewhere.url())),
        "{message}"
    );
    assert_eq!(elsewhere.hits.load(Ordering::SeqCst), 0, "the message was sent to the other origin");

    // Within the origin, a redirect is followed; a loop of them is not, for long.
    let moved = bounded("a call moved on its origin", client.call_tool(call("here"))).await.expect("followed");
    assert_eq!(text(&moved), "moved");
    let before = server.count("POST");
    let err = bounded("a redirect loop", client.call_tool(call("loop"))).await.unwrap_err();
    assert_eq!(rpc_error(&err).1["httpStatus"], 307);
    let followed = server.count("POST") - before;
    assert_eq!(followed, 1 + rmcp_core::transport::http::client::MAX_REDIRECTS, "{followed} POSTs for one call");

    // A client of the application's own that follows anywhere: the answer is refused all the same.
    let config = StreamableHttpClientConfig::new(server.url());
    let transport = StreamableHttpClientTransport::with_client(reqwest::Client::new(), config);
    let client = bounded("connecting", Stateful(None).serve(transport)).await.expect("initialized");
    let err = bounded("a call redirected by a lax client", client.call_tool(call("away"))).await.unwrap_err();
    let (message, _) = rpc_error(&err);
    assert!(message.contains("another origin"), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Answers the client did not ask for, and garbage.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stray_duplicate_and_malformed_answers_do_not_derail_the_real_one() {
    let server = HostileServer::start(mcp(|r, _, id| match tool(r).as_str() {
        "sse" => Reply::sse(vec![
            event(None, &tool_result(&json!(987_654), "a stranger")),
            event(None, &json!({"jsonrpc": "2.0", "id": "ghost", "error": {"code": -32603, "message": "boo"}})),
            event(None, &json!({"jsonrpc": "2.0", "method": "notifications/unheard-of"})),
            "data: {not json\n\n".to_owned(),
            "data: [1, 2\n\n".to_owned(),
            "data: {\"jsonrpc\": \"2.0\"}\n\n".to_owned(),
            "event: surprise\ndata: whatever\n\n".to_owned(),
            event(None, &tool_result(id, "the real one")),
            event(None, &tool_result(id, "a duplicate")),
        ]),
        // A JSON body answering a request that was never sent, and nothing for this one.
        "json" => Reply::json(&tool_result(&json!(987_654), "a stranger")),
        "json-error" => Reply::json(&json!({"jsonrpc": "2.0", "id": 987_654, "error": {"code": 1, "message": "x"}})),
        _ => Reply::json(&tool_result(id, "fine")),
    }))
    .await;
    let client = connect(&server, Stateful(None), |c| c).await;
    let answer = bounded("a call among strays", client.call_tool(call("sse"))).await.expect("answered");
    assert_eq!(text(&answer), "the real one");
    for name in ["json", "json-error"] {
        let err = bounded(name, client.call_tool(call(name))).await.unwrap_err();
        let (message, _) = rpc_error(&err);
        assert!(message.contains("names another id (987654)"), "{name}: {message}");
    }
    let fine = bounded("the next call", client.call_tool(call("fine"))).await.expect("answered");
    assert_eq!(text(&fine), "fine");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdio_strays_duplicates_garbage_and_oversize_lines_are_survived() {
    const LIMIT: usize = 64 * 1024;
    let (client, seen) = stdio::connect(LIMIT, |method, id| {
        if method != "tools/call" {
            return vec![line(&json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "no"}}))];
        }
        vec![
            line(&tool_result(&json!(987_654), "a stranger")),
            line(&json!({"jsonrpc": "2.0", "id": "ghost", "error": {"code": -32603, "message": "boo"}})),
            Act::Write(b"{not json\n[1, 2\n\n   \n{\"jsonrpc\": \"2.0\"}\n".to_vec()),
            // An answer to this very call, too long to be read: dropped, never buffered whole.
            line(&tool_result(id, &"x".repeat(4 * LIMIT))),
            line(&tool_result(id, "the real one")),
            line(&tool_result(id, "a duplicate")),
        ]
    })
    .await;
    for _ in 0..2 {
        let answer = bounded("a call among strays", client.call_tool(call("t"))).await.expect("answered");
        assert_eq!(text(&answer), "the real one");
    }
    // The client told the server of the lines it could not read (-32700 / -32600, no id).
    let complaints = |seen: &[Value]| seen.iter().filter(|m| m.get("error").is_some() && m["id"].is_null()).count();
    assert!(eventually(|| complaints(&seen.lock().unwrap()) >= 2 * 4).await, "{:?}", seen.lock().unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_on_another_stream_ends_the_requests_own() {
    // The call's own stream only ever says it is waiting; the answer comes on the standalone one.
    let call_id = Arc::new(Mutex::new(None::<Value>));
    let seen = call_id.clone();
    let session = mcp(move |_, _, id| {
        *seen.lock().unwrap() = Some(id.clone());
        Reply::sse_stream(Duration::from_millis(20), |_| Some(b": waiting\n\n".to_vec()))
    });
    let server = HostileServer::start(move |r| {
        if r.method != "GET" {
            return session(r);
        }
        let call_id = call_id.clone();
        let mut sent = false;
        Reply::sse_stream(Duration::from_millis(20), move |_| match call_id.lock().unwrap().as_ref() {
            Some(id) if !std::mem::replace(&mut sent, true) => {
                Some(event(None, &tool_result(id, "on the standalone stream")).into_bytes())
            }
            _ => Some(b": nothing\n\n".to_vec()),
        })
    })
    .await;
    let client = connect(&server, Stateful(None), |c| c).await;
    let answer = bounded("a call answered elsewhere", client.call_tool(call("t"))).await.expect("answered");
    assert_eq!(text(&answer), "on the standalone stream");
    // Only the standalone stream is still open: the call's own was let go.
    assert!(
        eventually(|| server.open.load(Ordering::SeqCst) == 1).await,
        "{} streams open",
        server.open.load(Ordering::SeqCst)
    );
}

// ---------------------------------------------------------------------------------------------
// Connections cut mid-answer.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_closing_mid_response_fails_the_request() {
    let server = HostileServer::start(mcp(|r, _, id| {
        let answer = tool_result(id, "never whole").to_string();
        match tool(r).as_str() {
            // Announces more than it sends.
            "json" => {
                Reply::json(&json!(null)).header("content-length", "10000").bytes(answer[..answer.len() / 2].to_owned())
            }
            // Half an event, no id to resume from.
            "sse" => Reply::sse(vec![format!("data: {}", &answer[..answer.len() / 2])]),
            // An event id, but the server refuses the resumption (405).
            "resumable" => {
                Reply::sse(vec!["id: 1\nretry: 10\ndata:\n\n".to_owned(), format!("data: {}", &answer[..9])])
            }
            _ => Reply::json(&tool_result(id, "fine")),
        }
    }))
    .await;
    let client = connect(&server, Stateful(None), |c| c.with_standalone_stream(false)).await;
    for (name, expected) in
        [("json", "could not be read"), ("sse", "ended before the response"), ("resumable", "could not be resumed")]
    {
        let err = bounded(name, client.call_tool(call(name))).await.unwrap_err();
        // A broken stream is a lost answer (the request may have run), not the server's error.
        let message = match &err {
            ServiceError::AnswerLost { reason } if name != "json" => reason.clone(),
            _ => rpc_error(&err).0,
        };
        assert!(message.contains(expected), "{name}: {message}");
    }
    assert_eq!(server.count("GET"), 1, "one refused resumption, not a loop");
    assert_eq!(text(&bounded("the next call", client.call_tool(call("fine"))).await.unwrap()), "fine");

    // Over a pipe: half a line, then the end.
    let (client, _) = stdio::connect(1 << 20, |_, id| {
        let half = tool_result(id, "never whole").to_string();
        vec![Act::Write(half.as_bytes()[..half.len() / 2].to_vec()), Act::Close]
    })
    .await;
    let err = bounded("a call over a closed pipe", client.call_tool(call("t"))).await.unwrap_err();
    assert!(matches!(err, ServiceError::TransportClosed), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Replays that lost the answer (issue 15: the server's `gap` event).

/// A server whose answer streams break after their priming event (id `s-0`), and whose replay
/// (a GET with `Last-Event-ID`) starts with a gap, then holds `then(id of the last call)`.
fn gapped(then: fn(&Value) -> Vec<String>) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    let call_id = Arc::new(Mutex::new(Value::Null));
    let seen = call_id.clone();
    let session = mcp(move |_, _, id| {
        *seen.lock().unwrap() = id.clone();
        Reply::sse(vec!["id: s-0\nretry: 10\ndata:\n\n".to_owned()])
    });
    move |r| {
        if r.method != "GET" || r.header("last-event-id").is_none() {
            return session(r);
        }
        let mut events = vec!["event: gap\ndata: {\"lastEventId\":\"s-0\"}\n\n".to_owned()];
        events.extend(then(&call_id.lock().unwrap()));
        Reply::sse(events)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_with_a_gap_and_no_answer_fails_the_request_at_once() {
    let server = HostileServer::start(gapped(|_| Vec::new())).await;
    let client = connect(&server, Stateful(None), |c| c.with_standalone_stream(false)).await;
    let err = bounded("a call whose answer was lost", client.call_tool(call("t"))).await.unwrap_err();
    assert!(matches!(err, ServiceError::AnswerLost { .. }), "{err:?}");
    assert_eq!(server.count("GET"), 1, "resumed once, not again and again");

    // A gap that does not take the answer with it: the answer still counts.
    let server = HostileServer::start(gapped(|id| vec![event(Some("s-9"), &tool_result(id, "survived"))])).await;
    let client = connect(&server, Stateful(None), |c| c.with_standalone_stream(false)).await;
    let answer = bounded("a call after a gap", client.call_tool(call("t"))).await.expect("answered");
    assert_eq!(text(&answer), "survived");
}

/// Our server, with a store that keeps events but cannot replay them.
#[derive(Debug)]
struct NoReplay(InMemoryEventStore);

impl EventStore for NoReplay {
    fn store<'a>(&'a self, session: &'a str, event: StoredEvent) -> BoxFuture<'a, Result<(), EventStoreError>> {
        self.0.store(session, event)
    }
    fn replay<'a>(
        &'a self,
        _session: &'a str,
        _stream: u64,
        _after: u64,
    ) -> BoxFuture<'a, Result<Vec<StoredEvent>, EventStoreError>> {
        Box::pin(async { Err(EventStoreError::Failed("the replay is gone".into())) })
    }
    fn remove_session<'a>(&'a self, session: &'a str) -> BoxFuture<'a, ()> {
        self.0.remove_session(session)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_server_losing_a_replay_fails_the_request_with_answer_lost() {
    let store = Arc::new(NoReplay(InMemoryEventStore::default()));
    let mut config = StreamableHttpConfig::default().with_sse_retry(Some(Duration::from_millis(300)));
    config.event_store = Some(store);
    let server = http_support::start(config).await;
    let transport = StreamableHttpClientTransport::with_config(
        StreamableHttpClientConfig::new(&server.url).with_standalone_stream(false),
    );
    let client = bounded("connecting", Stateful(None).serve(transport)).await.expect("initialized");
    // `poll` closes its stream, then answers 1 ms later: the answer is stored, and the replay
    // that should bring it fails.
    let err = bounded("a call whose replay failed", client.call_tool(http_support::call("poll", json!({"ms": 1}))))
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::AnswerLost { .. }), "{err:?}");
}
