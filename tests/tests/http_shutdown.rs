//! The Streamable HTTP server going away and holding back: a graceful shutdown under load (every
//! request in flight answered, new work refused with 503, long-lived streams closed), the batch
//! caps, and the one era rule (a 2025 message with a reserved `_meta` key stays in its session).

mod http_support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use http_support::raw::{ACCEPT, expect_error, initialize, json_of, post, post_accepting, ready_session, stateless};
use http_support::{meta, sse_events, start};
use reqwest::StatusCode;
use rmcp_core::transport::http::StreamableHttpConfig;
use serde_json::{Value, json};

/// Longer than any answer may take in these tests: a request still unanswered then hangs.
const HANG: Duration = Duration::from_secs(6);

fn get(url: &str, session: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new().get(url).header("accept", "text/event-stream").header("Mcp-Session-Id", session)
}

fn slow_call(id: Value, ms: u64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "slow", "arguments": {"ms": ms}}})
}

fn stateless_slow_call(id: i64, ms: u64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "slow", "arguments": {"ms": ms}, "_meta": meta()}})
}

/// The status of a response and the JSON-RPC answer it carries (as JSON, or as the last answer of
/// its SSE stream); `None` when it did not come within [`HANG`].
async fn answer_of(request: reqwest::RequestBuilder) -> Option<(StatusCode, Value)> {
    let read = async {
        let mut response = request.send().await.ok()?;
        let status = response.status();
        let sse = response.headers().get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"text/event"));
        if !sse {
            return Some((status, json_of(response).await));
        }
        let events = sse_events(&mut response, &mut String::new(), usize::MAX).await;
        let answer = events.into_iter().rev().find(|e| e.get("result").is_some() || e.get("error").is_some())?;
        Some((status, answer))
    };
    tokio::time::timeout(HANG, read).await.ok().flatten()
}

/// Whether `response`'s body ends within `within`.
async fn ends_within(response: &mut reqwest::Response, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Ok(Ok(Some(_))) => continue,
            Ok(Ok(None) | Err(_)) => return true,
            Err(_) => return false,
        }
    }
}

/// A refusal while the server drains: 503, `Retry-After`, and a JSON-RPC error saying why.
async fn expect_shutting_down(response: reqwest::Response, id: Value) {
    assert_eq!(response.headers().get("retry-after").map(|v| v.to_str().unwrap()), Some("1"));
    let body = expect_error(response, StatusCode::SERVICE_UNAVAILABLE, -32603, id).await;
    assert!(body["error"]["message"].as_str().unwrap().contains("shutting down"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_under_load_answers_every_request_and_refuses_new_work() {
    let drain = Duration::from_millis(1500);
    let server = start(StreamableHttpConfig::default().with_shutdown_drain(drain)).await;
    let url = server.url.clone();
    let sessions = [
        ready_session(&url, "2025-11-25").await,
        ready_session(&url, "2025-11-25").await,
        ready_session(&url, "2025-03-26").await,
    ];
    // Long-lived streams: a session's GET stream and a 2026 listen stream.
    let mut get_stream = get(&url, &sessions[0]).send().await.unwrap();
    assert_eq!(get_stream.status(), StatusCode::OK);
    let listen = json!({"jsonrpc": "2.0", "id": "listen", "method": "subscriptions/listen",
        "params": {"notifications": {"toolsListChanged": true}, "_meta": meta()}});
    let mut listen_stream = stateless(&url, &listen).send().await.unwrap();
    assert_eq!(listen_stream.status(), StatusCode::OK);
    assert_eq!(sse_events(&mut listen_stream, &mut String::new(), 1).await.len(), 1, "the acknowledgement");

    // Requests in flight on both eras: short ones finish within the drain, long ones outlast it.
    let mut in_flight = Vec::new();
    for (i, session) in sessions.iter().enumerate() {
        for (n, ms) in [(0, 300), (1, 20_000)] {
            let id = json!(format!("s{i}-{n}"));
            let request = post(&url, &slow_call(id.clone(), ms)).header("Mcp-Session-Id", session.as_str());
            in_flight.push((id, ms, tokio::spawn(answer_of(request))));
        }
    }
    for i in 0..4 {
        for (n, ms) in [(0, 300), (1, 20_000)] {
            let id = 100 + 10 * i + n;
            let request = stateless(&url, &stateless_slow_call(id, ms));
            in_flight.push((json!(id), ms, tokio::spawn(answer_of(request))));
        }
    }
    tokio::time::sleep(Duration::from_millis(150)).await;

    let stopped = Instant::now();
    server.stop.cancel();
    tokio::time::sleep(Duration::from_millis(100)).await;

    // Long-lived streams close promptly: they would never finish by themselves.
    assert!(ends_within(&mut get_stream, Duration::from_millis(1000)).await, "the GET stream was closed");
    assert!(ends_within(&mut listen_stream, Duration::from_millis(1000)).await, "the listen stream was closed");

    // New work during the drain: 503 on every route, never 404 for a live session.
    let send = |request: reqwest::RequestBuilder| async move {
        tokio::time::timeout(HANG, request.send()).await.expect("new work is answered, not left hanging").unwrap()
    };
    let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "echo", "arguments": {}}});
    expect_shutting_down(send(post(&url, &call).header("Mcp-Session-Id", &sessions[1])).await, json!(7)).await;
    expect_shutting_down(send(post(&url, &initialize(8))).await, json!(8)).await;
    expect_shutting_down(send(stateless(&url, &stateless_slow_call(9, 1))).await, json!(9)).await;
    expect_shutting_down(send(get(&url, &sessions[1])).await, Value::Null).await;
    assert!(stopped.elapsed() < drain, "all of the above happened during the drain");

    // Every request in flight gets an answer: the short ones their result, the long ones an error
    // once the drain period is over (or a 503); none hangs, none is told its session is gone.
    for (id, ms, task) in in_flight {
        let (status, answer) = task.await.unwrap().unwrap_or_else(|| panic!("request {id} hung"));
        assert_ne!(status, StatusCode::NOT_FOUND, "request {id}: {answer}");
        assert_eq!(answer["id"], id, "{answer}");
        if ms < 1000 {
            assert_eq!(status, StatusCode::OK, "{answer}");
            assert_eq!(answer["result"]["content"][0]["text"], "slept", "request {id} finished: {answer}");
        } else {
            assert!(status == StatusCode::OK || status == StatusCode::SERVICE_UNAVAILABLE, "{status}: {answer}");
            assert_eq!(answer["error"]["code"], -32603, "request {id} is told the server stops: {answer}");
        }
    }
    let waited = stopped.elapsed();
    assert!(waited >= drain - Duration::from_millis(100), "the requests had the drain period: {waited:?}");
    assert!(waited < drain + Duration::from_secs(2), "and no more: {waited:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_shutdown_with_nothing_in_flight_is_quick() {
    let server = start(StreamableHttpConfig::default().with_shutdown_drain(Duration::from_secs(5))).await;
    let session = ready_session(&server.url, "2025-11-25").await;
    let started = Instant::now();
    server.service.shutdown_gracefully().await;
    assert!(started.elapsed() < Duration::from_secs(1), "no request to wait for: {:?}", started.elapsed());
    // `serve_listener` has stopped with it; a service mounted on a router of its own goes on
    // answering: 503 for every request, not 404 for the session that was there.
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"});
    let request = http::Request::post("/mcp")
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .header("accept", ACCEPT)
        .header("mcp-session-id", &session)
        .body(axum::body::Body::from(call.to_string()))
        .unwrap();
    let response = server.service.handle(request).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_immediate_shutdown_answers_every_request_in_flight() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = server.url.clone();
    let session = ready_session(&url, "2025-11-25").await;
    let stateful = post(&url, &slow_call(json!(1), 20_000)).header("Mcp-Session-Id", &session);
    let stateful = tokio::spawn(answer_of(stateful));
    let stateless = tokio::spawn(answer_of(stateless(&url, &stateless_slow_call(2, 20_000))));
    tokio::time::sleep(Duration::from_millis(150)).await;
    server.service.shutdown();
    for (task, id) in [(stateful, 1), (stateless, 2)] {
        let (status, answer) = task.await.unwrap().unwrap_or_else(|| panic!("request {id} hung"));
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "request {id}, not a lost session: {answer}");
        assert_eq!(answer["error"]["code"], -32603, "{answer}");
    }
}

fn echo_batch(n: usize) -> Value {
    let call = |i: usize| {
        json!({"jsonrpc": "2.0", "id": i, "method": "tools/call",
            "params": {"name": "echo", "arguments": {"text": format!("{i}")}}})
    };
    Value::Array((0..n).map(call).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_beyond_the_message_cap_are_refused() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let session = ready_session(url, "2025-03-26").await;
    let cap = StreamableHttpConfig::default().max_batch_len;
    let r = post_accepting(url, &echo_batch(cap), "application/json").header("Mcp-Session-Id", &session);
    let answers = json_of(r.send().await.unwrap()).await;
    assert_eq!(answers.as_array().map(Vec::len), Some(cap), "a batch at the cap is served");
    let r = post(url, &echo_batch(cap + 1)).header("Mcp-Session-Id", &session).send().await.unwrap();
    let body = expect_error(r, StatusCode::PAYLOAD_TOO_LARGE, -32600, Value::Null).await;
    assert!(body["error"]["message"].as_str().unwrap().contains(&cap.to_string()), "{body}");
    // However many messages the body holds.
    let r = post(url, &echo_batch(20_000)).header("Mcp-Session-Id", &session).send().await.unwrap();
    expect_error(r, StatusCode::PAYLOAD_TOO_LARGE, -32600, Value::Null).await;
}

fn big_batch(n: usize, bytes: usize) -> Value {
    let call = |i: usize| {
        json!({"jsonrpc": "2.0", "id": i, "method": "tools/call",
            "params": {"name": "big", "arguments": {"bytes": bytes}}})
    };
    Value::Array((0..n).map(call).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aggregated_json_answer_is_bounded() {
    let limit = 4096;
    let config = StreamableHttpConfig::default().with_json_response(true).with_max_batch_response_bytes(limit);
    let server = start(config).await;
    let url = &server.url;
    let session = ready_session(url, "2025-03-26").await;
    let batch = big_batch(6, 1500);

    // JSON only: the answers past the limit are replaced by errors, every request still answered.
    let r = post_accepting(url, &batch, "application/json").header("Mcp-Session-Id", &session);
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    assert!(text.len() < limit + 1024, "the answer is bounded: {} bytes", text.len());
    let answers: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut ids: Vec<u64> = answers.iter().map(|a| a["id"].as_u64().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, (0..6).collect::<Vec<_>>(), "every request is answered once");
    let full = answers.iter().filter(|a| a["result"]["content"][0]["text"].as_str().is_some_and(|t| t.len() == 1500));
    assert!(full.count() >= 1, "answers within the limit are given whole: {text}");
    let refused: Vec<&Value> = answers.iter().filter(|a| a.get("error").is_some()).collect();
    assert!(!refused.is_empty(), "answers past the limit are refused");
    assert!(refused[0]["error"]["message"].as_str().unwrap().contains("4096"), "{}", refused[0]);

    // A client that takes SSE gets every answer whole, streamed.
    let mut r = post(url, &batch).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let events = sse_events(&mut r, &mut String::new(), usize::MAX).await;
    let answers: Vec<&Value> = events.iter().filter(|e| e.get("id").is_some()).collect();
    assert_eq!(answers.len(), 6);
    assert!(answers.iter().all(|a| a["result"]["content"][0]["text"].as_str().is_some_and(|t| t.len() == 1500)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_message_with_a_related_task_key_stays_in_its_session() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let session = ready_session(url, "2025-11-25").await;
    let related = json!({"io.modelcontextprotocol/related-task": {"taskId": "t-1"}});
    let versioned =
        |r: reqwest::RequestBuilder| r.header("Mcp-Session-Id", &session).header("MCP-Protocol-Version", "2025-11-25");

    // A request: served by the session.
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": "in the session"}, "_meta": related}});
    let r = versioned(post(url, &call)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json_of(r).await["result"]["content"][0]["text"], "in the session");

    // A notification: delivered to the session (it cancels a request in flight there).
    let slow = tokio::spawn(versioned(post(url, &slow_call(json!(2), 20_000))).header("accept", ACCEPT).send());
    tokio::time::sleep(Duration::from_millis(150)).await;
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 2, "_meta": related}});
    assert_eq!(versioned(post(url, &cancel)).send().await.unwrap().status(), StatusCode::ACCEPTED);
    let slow = tokio::time::timeout(Duration::from_secs(3), slow).await;
    let slow = slow.expect("the cancellation reached the request").unwrap().unwrap();
    assert_eq!(slow.status(), StatusCode::ACCEPTED, "a cancelled request's POST ends without an answer");
    let cancelled = &server.server.counters.cancelled;
    for _ in 0..100 {
        if cancelled.load(Ordering::SeqCst) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(cancelled.load(Ordering::SeqCst), 1, "the handler saw the cancellation");
}
