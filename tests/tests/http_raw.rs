//! The Streamable HTTP server on the wire: raw HTTP requests for what a well-behaved client never
//! sends, and for the exact statuses, headers and error bodies of both eras.

mod http_support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use http_support::raw::{
    ACCEPT, expect_error, initialize, json_of, open_session, post, post_accepting, ready_session, stateless, tool_call,
};
use http_support::{TOOLS, meta, sse_events, start};
use reqwest::StatusCode;
use rmcp_core::transport::http::StreamableHttpConfig;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosts_and_origins_outside_the_allow_list_are_forbidden() {
    let server = start(StreamableHttpConfig::default()).await;
    let port = server.addr.port();
    let ok = post(&server.url, &initialize(1))
        .header("Host", format!("127.0.0.1:{port}"))
        .header("Origin", format!("http://127.0.0.1:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let localhost = post(&server.url, &initialize(1)).header("Host", format!("localhost:{port}")).send().await;
    assert_eq!(localhost.unwrap().status(), StatusCode::OK);
    for (host, origin) in [("evil.example.com", None), ("127.0.0.1", Some("http://evil.example.com"))] {
        let mut request = post(&server.url, &initialize(1)).header("Host", host);
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        expect_error(request.send().await.unwrap(), StatusCode::FORBIDDEN, -32600, Value::Null).await;
    }
    let stateless_attack = stateless(
        &server.url,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover", "params": {"_meta": meta()}}),
    )
    .header("Host", "evil.example.com");
    assert_eq!(stateless_attack.send().await.unwrap().status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_refused_with_413() {
    let server = start(StreamableHttpConfig::default().with_max_body_bytes(1024)).await;
    let big = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": "x".repeat(4096)}, "_meta": meta()}});
    let response = stateless(&server.url, &big).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_of(response).await["error"]["code"], -32600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_requests_are_validated_in_order() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let list =
        |id: i64, meta: Value| json!({"jsonrpc": "2.0", "id": id, "method": "tools/list", "params": {"_meta": meta}});

    // 1. The version header is missing.
    let r = post(url, &list(1, meta())).header("Mcp-Method", "tools/list").send().await.unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, -32020, json!(1)).await;
    // 2. No `_meta` at all, with a 2026 header: a stateless request with missing metadata.
    let discover = json!({"jsonrpc": "2.0", "id": "d", "method": "server/discover"});
    expect_error(stateless(url, &discover).send().await.unwrap(), StatusCode::BAD_REQUEST, -32602, json!("d")).await;
    let no_caps = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28"});
    expect_error(stateless(url, &list(2, no_caps)).send().await.unwrap(), StatusCode::BAD_REQUEST, -32602, json!(2))
        .await;
    // 3. Header and body disagree.
    let mut v999 = meta();
    v999["io.modelcontextprotocol/protocolVersion"] = json!("v999.0.0");
    let r = stateless(url, &list(3, v999.clone())).send().await.unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, -32020, json!(3)).await;
    // 4. An unsupported version, named by both.
    let r = post(url, &list(4, v999)).header("MCP-Protocol-Version", "v999.0.0").header("Mcp-Method", "tools/list");
    let r = r.send().await.unwrap();
    let body = expect_error(r, StatusCode::BAD_REQUEST, -32022, json!(4)).await;
    assert_eq!(body["error"]["data"]["requested"], "v999.0.0");
    assert!(body["error"]["data"]["supported"].as_array().unwrap().contains(&json!("2026-07-28")));
    // 5. Unknown and removed methods: 404.
    for (id, method) in [(5, "unknown/method"), (6, "ping"), (7, "initialize"), (8, "logging/setLevel")] {
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": {"_meta": meta()}});
        expect_error(stateless(url, &body).send().await.unwrap(), StatusCode::NOT_FOUND, -32601, json!(id)).await;
    }
    // A missing clientInfo is fine.
    let mut no_info = meta();
    no_info.as_object_mut().unwrap().remove("io.modelcontextprotocol/clientInfo");
    let r = stateless(url, &list(9, no_info)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = json_of(r).await;
    assert_eq!(body["id"], 9);
    assert_eq!(body["result"]["resultType"], "complete");
    assert!(body["result"]["ttlMs"].is_u64() && body["result"]["cacheScope"].is_string(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_headers_must_repeat_the_body() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let echo = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "echo", "arguments": {"text": "hi"}, "_meta": meta()}});
    let base = || post(url, &echo).header("mcp-protocol-version", "2026-07-28");
    // Header names are case-insensitive, values trimmed.
    let r = base().header("mcp-method", "tools/call").header("MCP-NAME", "  echo  ").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json_of(r).await["result"]["content"][0]["text"], "hi");
    // Values are case-sensitive; a name is required on tools/call and must match.
    for request in [
        base().header("Mcp-Method", "TOOLS/CALL").header("Mcp-Name", "echo"),
        base().header("Mcp-Name", "echo"),
        base().header("Mcp-Method", "tools/call"),
        base().header("Mcp-Method", "tools/call").header("Mcp-Name", "other"),
    ] {
        expect_error(request.send().await.unwrap(), StatusCode::BAD_REQUEST, -32020, json!(1)).await;
    }
    // A Base64-wrapped name is decoded before the comparison.
    let r = base().header("Mcp-Method", "tools/call").header("Mcp-Name", "=?base64?ZWNobw==?=").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotated_tool_arguments_must_be_mirrored_in_param_headers() {
    let server = start(StreamableHttpConfig::default()).await;
    let call = |region: Value| {
        json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "region", "arguments": {"region": region, "query": "q"}, "_meta": meta()}})
    };
    let body = call(json!("us-west1"));
    let ok = stateless(&server.url, &body).header("Mcp-Param-Region", "us-west1").send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let body = call(json!("Hello, 世界"));
    let ok = stateless(&server.url, &body).header("mcp-param-region", "=?base64?SGVsbG8sIOS4lueVjA==?=");
    assert_eq!(ok.send().await.unwrap().status(), StatusCode::OK);
    for (value, header) in
        [("us-west1", None), ("us-west1", Some("eu-north1")), ("Hello, 世界", Some("=?base64?SGVsbG8sIOS4lueVjA?="))]
    {
        let mut request = stateless(&server.url, &call(json!(value)));
        if let Some(h) = header {
            request = request.header("Mcp-Param-Region", h);
        }
        expect_error(request.send().await.unwrap(), StatusCode::BAD_REQUEST, -32020, json!(7)).await;
    }
    // A null argument neither needs nor checks a header.
    let r = stateless(&server.url, &call(Value::Null)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_and_delete_without_a_session_are_405_on_the_stateless_path() {
    let server = start(StreamableHttpConfig::default()).await;
    let client = reqwest::Client::new();
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let r = client
            .request(method, &server.url)
            .header("accept", "text/event-stream")
            .header("MCP-Protocol-Version", "2026-07-28")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers()["allow"], "POST");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_rules_unknown_missing_and_deleted_sessions() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    // Missing session on a non-initialize request: 400. Unknown session: 404.
    expect_error(post(url, &list).send().await.unwrap(), StatusCode::BAD_REQUEST, -32600, json!(2)).await;
    let r = post(url, &list).header("Mcp-Session-Id", "no-such-session").send().await.unwrap();
    expect_error(r, StatusCode::NOT_FOUND, -32600, json!(2)).await;

    let session = open_session(url).await;
    assert!(session.len() >= 32 && session.bytes().all(|b| (0x21..=0x7e).contains(&b)), "{session}");
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let r = post(url, &initialized).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let r = post(url, &list).header("Mcp-Session-Id", &session).header("MCP-Protocol-Version", "2025-11-25");
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(json_of(r).await["result"]["tools"].as_array().unwrap().len(), TOOLS);
    // An unsupported version header on a session: 400.
    let r = post(url, &list).header("Mcp-Session-Id", &session).header("MCP-Protocol-Version", "1999-01-01");
    assert_eq!(r.send().await.unwrap().status(), StatusCode::BAD_REQUEST);

    let client = reqwest::Client::new();
    let delete = || client.delete(url).header("Mcp-Session-Id", &session);
    assert_eq!(delete().send().await.unwrap().status(), StatusCode::OK);
    let r = post(url, &list).header("Mcp-Session-Id", &session).send().await.unwrap();
    expect_error(r, StatusCode::NOT_FOUND, -32600, json!(2)).await;
    assert_eq!(delete().send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let r = client.delete(url).header("MCP-Protocol-Version", "2025-11-25").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "DELETE without a session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_standalone_stream_per_session_and_it_starts_with_a_priming_event() {
    let server = start(StreamableHttpConfig::default().with_sse_retry(Some(Duration::from_millis(250)))).await;
    let session = open_session(&server.url).await;
    let get = || {
        reqwest::Client::new().get(&server.url).header("accept", "text/event-stream").header("Mcp-Session-Id", &session)
    };
    let mut first = get().send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["content-type"], "text/event-stream");
    let priming = String::from_utf8(first.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    assert!(
        priming.starts_with("id: ") && priming.contains("retry: 250\n") && priming.ends_with("data:\n\n"),
        "{priming:?}"
    );
    let second = get().send().await.unwrap();
    assert_eq!(second.status(), StatusCode::CONFLICT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_keep_alive_period_turns_keep_alives_off() {
    // `Some(Duration::ZERO)` used to reach tokio's `interval`, which panics on a zero period:
    // every long-lived stream died at once.
    let server = start(StreamableHttpConfig::default().with_sse_keep_alive(Some(Duration::ZERO))).await;
    let session = open_session(&server.url).await;
    let mut stream = reqwest::Client::new()
        .get(&server.url)
        .header("accept", "text/event-stream")
        .header("Mcp-Session-Id", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let priming = stream.chunk().await.unwrap().expect("the priming event");
    assert!(priming.starts_with(b"id: "), "{priming:?}");
    // The stream stays open: no keep-alive, and no end.
    let next = tokio::time::timeout(Duration::from_millis(300), stream.chunk()).await;
    assert!(next.is_err(), "the stream ended or sent something: {next:?}");
    let echo = tool_call(json!(1), "echo", json!({"text": "on"}));
    let r = post(&server.url, &echo).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(json_of(r).await["result"]["content"][0]["text"], "on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_closed_by_the_server_resumes_on_get_with_last_event_id() {
    let server = start(StreamableHttpConfig::default().with_sse_retry(Some(Duration::from_millis(100)))).await;
    let url = &server.url;
    let session = open_session(url).await;
    let poll = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "poll", "arguments": {"ms": 100}}});
    let r = post(url, &poll).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    // Only the priming event: then the connection closes without the result.
    let body = r.text().await.unwrap();
    assert!(body.contains("retry: 100\n") && !body.contains("result"), "{body:?}");
    let primed = body.lines().find_map(|l| l.strip_prefix("id: ")).unwrap().to_owned();
    let resume = |last: &str| {
        reqwest::Client::new()
            .get(url)
            .header("accept", "text/event-stream")
            .header("Mcp-Session-Id", &session)
            .header("Last-Event-ID", last)
            .send()
    };
    let mut r = resume(&primed).await.unwrap();
    let mut buf = String::new();
    let events = sse_events(&mut r, &mut buf, 1).await;
    assert_eq!(events[0]["id"], 9);
    assert_eq!(events[0]["result"]["content"][0]["text"], "after the reconnection");
    assert!(r.chunk().await.unwrap().is_none(), "the stream ends with its response");
    // The events stay stored: resuming again from the priming id replays the response.
    let replay = resume(&primed).await.unwrap().text().await.unwrap();
    assert!(replay.contains("after the reconnection"), "{replay:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_streams_acknowledge_at_once_then_carry_tool_list_changes() {
    let server = start(StreamableHttpConfig::default()).await;
    let listen = json!({"jsonrpc": "2.0", "id": "sub-1", "method": "subscriptions/listen", "params": {
        "notifications": {"toolsListChanged": true, "promptsListChanged": true}, "_meta": meta()}});
    let mut stream = tokio::time::timeout(Duration::from_millis(800), stateless(&server.url, &listen).send())
        .await
        .expect("the acknowledgement is flushed at once")
        .unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut buf = String::new();
    let ack = sse_events(&mut stream, &mut buf, 1).await.remove(0);
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "sub-1");
    // The server announces tool list changes only.
    assert_eq!(ack["params"]["notifications"], json!({"toolsListChanged": true}));

    let change = json!({"jsonrpc": "2.0", "id": "sub-1", "method": "tools/call",
        "params": {"name": "change", "arguments": {}, "_meta": meta()}});
    let r = stateless(&server.url, &change).send().await.unwrap();
    assert_eq!(json_of(r).await["result"]["content"][0]["text"], "changed");
    let note = tokio::time::timeout(Duration::from_secs(2), sse_events(&mut stream, &mut buf, 1)).await.unwrap();
    assert_eq!(note[0]["method"], "notifications/tools/list_changed");
    assert_eq!(note[0]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "sub-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_calls_with_notifications_are_answered_as_sse() {
    let server = start(StreamableHttpConfig::default()).await;
    let mut m = meta();
    m["progressToken"] = json!("tok");
    let body = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "progress", "arguments": {"steps": 2}, "_meta": m}});
    let mut r = stateless(&server.url, &body).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let events = sse_events(&mut r, &mut String::new(), 3).await;
    assert_eq!(events[0]["method"], "notifications/progress");
    assert_eq!(events[0]["params"]["progressToken"], "tok");
    assert_eq!(events[2]["id"], 3, "the response carries the client's id");
    assert_eq!(events[2]["result"]["resultType"], "complete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_beyond_the_session_limit_is_503() {
    let server = start(StreamableHttpConfig::default().with_max_sessions(1)).await;
    open_session(&server.url).await;
    let r = post(&server.url, &initialize(5)).send().await.unwrap();
    assert_eq!(r.headers()["retry-after"], "1");
    expect_error(r, StatusCode::SERVICE_UNAVAILABLE, -32603, json!(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_and_content_types_are_refused() {
    let server = start(StreamableHttpConfig::default()).await;
    let client = reqwest::Client::new();
    let r = client.post(&server.url).header("content-type", "application/json").header("accept", ACCEPT).body("{oops");
    expect_error(r.send().await.unwrap(), StatusCode::BAD_REQUEST, -32700, Value::Null).await;
    let r = client.post(&server.url).header("content-type", "text/plain").header("accept", ACCEPT).body("{}");
    assert_eq!(r.send().await.unwrap().status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let r = client.post(&server.url).header("content-type", "application/json").header("accept", "text/html");
    let r = r.body(initialize(1).to_string()).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_cancelled_by_its_client_is_answered_202_and_the_session_lives_on() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let session = ready_session(url, "2025-11-25").await;
    for (id, accept) in [(5, "application/json"), (6, ACCEPT)] {
        let slow = tool_call(json!(id), "slow", json!({"ms": 10_000}));
        let call = tokio::spawn(post_accepting(url, &slow, accept).header("Mcp-Session-Id", &session).send());
        tokio::time::sleep(Duration::from_millis(200)).await;
        let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": id}});
        let r = post(url, &cancel).header("Mcp-Session-Id", &session).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let answer = tokio::time::timeout(Duration::from_secs(5), call).await.expect("answered at once");
        let answer = answer.unwrap().unwrap();
        assert_eq!(answer.status(), StatusCode::ACCEPTED, "cancelled, not `session not found` ({accept})");
    }
    assert_eq!(server.server.counters.cancelled.load(Ordering::SeqCst), 2);
    let echo = tool_call(json!(7), "echo", json!({"text": "on"}));
    let r = post(url, &echo).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(json_of(r).await["result"]["content"][0]["text"], "on", "the session goes on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_is_an_internal_error_and_the_session_lives_on() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let session = ready_session(url, "2025-11-25").await;
    for accept in ["application/json", ACCEPT] {
        let r =
            post_accepting(url, &tool_call(json!(1), "panic", json!({})), accept).header("Mcp-Session-Id", &session);
        let r = tokio::time::timeout(Duration::from_secs(5), r.send()).await.expect("answered").unwrap();
        // A lone response is answered as JSON either way.
        let body = json_of(r).await;
        assert_eq!((body["id"].clone(), body["error"]["code"].clone()), (json!(1), json!(-32603)), "{body}");
    }
    let echo = tool_call(json!(2), "echo", json!({"text": "on"}));
    let r = post(url, &echo).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(json_of(r).await["result"]["content"][0]["text"], "on", "the session goes on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_still_in_flight_on_the_session_is_refused() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let session = ready_session(url, "2025-11-25").await;
    let slow = tool_call(json!(9), "slow", json!({"ms": 300}));
    let first = tokio::spawn(post(url, &slow).header("Mcp-Session-Id", &session).send());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let again = post(url, &tool_call(json!(9), "echo", json!({"text": "x"}))).header("Mcp-Session-Id", &session);
    expect_error(again.send().await.unwrap(), StatusCode::BAD_REQUEST, -32600, json!(9)).await;
    let first = json_of(first.await.unwrap().unwrap()).await;
    assert_eq!(first["result"]["content"][0]["text"], "slept", "the first request is untouched: {first}");
    // Answered, the id is free again.
    let r = post(url, &tool_call(json!(9), "echo", json!({"text": "y"}))).header("Mcp-Session-Id", &session);
    assert_eq!(json_of(r.send().await.unwrap()).await["result"]["content"][0]["text"], "y");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_disconnects_does_not_cancel_its_request() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let session = ready_session(url, "2025-11-25").await;
    let slow = tool_call(json!(3), "slow", json!({"ms": 300}));
    let call = tokio::spawn(post(url, &slow).header("Mcp-Session-Id", &session).send());
    tokio::time::sleep(Duration::from_millis(100)).await;
    call.abort();
    // 2025-11-25, Streamable HTTP: a disconnection is not a cancellation.
    tokio::time::timeout(Duration::from_secs(5), async {
        while server.server.counters.slept.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the handler ran to the end");
    assert_eq!(server.server.counters.cancelled.load(Ordering::SeqCst), 0);
}

/// Answer the sampling request the `sample` tool sends.
fn sampling_answer(request: &Value) -> Value {
    assert_eq!(request["method"], "sampling/createMessage", "{request}");
    json!({"jsonrpc": "2.0", "id": request["id"], "result": {
        "role": "assistant", "content": {"type": "text", "text": "ok"}, "model": "m"}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_to_the_client_turns_a_json_answer_into_sse() {
    // JSON answers, and no standalone stream: the POST's own answer is the only way to the client.
    let server = start(StreamableHttpConfig::default().with_json_response(true)).await;
    let url = &server.url;
    let session = ready_session(url, "2025-11-25").await;
    let sample = tool_call(json!(3), "sample", json!({}));
    let mut r = post(url, &sample).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let mut buf = String::new();
    let request = sse_events(&mut r, &mut buf, 1).await.remove(0);
    let answer = post(url, &sampling_answer(&request)).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::ACCEPTED);
    let result = tokio::time::timeout(Duration::from_secs(5), sse_events(&mut r, &mut buf, 1)).await.unwrap();
    assert_eq!(result[0]["id"], 3);
    assert_eq!(result[0]["result"]["content"][0]["text"], "model=m");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_to_the_client_that_can_reach_no_one_fails_at_once() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let session = ready_session(url, "2025-11-25").await;
    // The client takes JSON only and has no standalone stream open.
    let sample = tool_call(json!(4), "sample", json!({}));
    let call = post_accepting(url, &sample, "application/json").header("Mcp-Session-Id", &session).send();
    let r = tokio::time::timeout(Duration::from_secs(5), call).await.expect("the handler does not hang").unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
    let body = json_of(r).await;
    assert_eq!(body["id"], 4);
    assert!(body["error"]["message"].as_str().unwrap().contains("sampling failed"), "{body}");
}

fn region_call(id: i64, tool: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": tool, "arguments": arguments, "_meta": meta()}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_checks_fail_closed_when_the_tool_list_cannot_be_read() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let counters = server.server.counters.clone();
    counters.fail_list.store(true, Ordering::SeqCst);
    // Even with the right header: what cannot be checked is not served.
    let call = region_call(7, "region", json!({"region": "us"}));
    let r = stateless(url, &call).header("Mcp-Param-Region", "us").send().await.unwrap();
    assert_eq!(r.headers()["retry-after"], "1");
    let body = expect_error(r, StatusCode::SERVICE_UNAVAILABLE, -32603, json!(7)).await;
    assert!(body["error"]["message"].as_str().unwrap().contains("tool list"), "{body}");
    counters.fail_list.store(false, Ordering::SeqCst);
    let r = stateless(url, &call).header("Mcp-Param-Region", "us").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = stateless(url, &call).send().await.unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, -32020, json!(7)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_read_the_tool_list_once() {
    let server = start(StreamableHttpConfig::default()).await;
    let calls = (0..8).map(|i| {
        let url = server.url.clone();
        tokio::spawn(async move {
            let call = region_call(i, "region", json!({"region": "us"}));
            stateless(&url, &call).header("Mcp-Param-Region", "us").send().await.unwrap().status()
        })
    });
    for status in futures::future::join_all(calls).await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    assert_eq!(server.server.counters.lists.load(Ordering::SeqCst), 1, "one read serves every waiting call");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_added_at_run_time_have_their_headers_checked_and_integers_compare_exactly() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    // The table is read; `late` is not in it yet.
    let r = stateless(url, &region_call(1, "region", json!({"region": "us"}))).header("Mcp-Param-Region", "us");
    assert_eq!(r.send().await.unwrap().status(), StatusCode::OK);
    server.server.counters.late_tool.store(true, Ordering::SeqCst);
    // No list change is announced: the table is read again once it is a second old.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let big = json!({"n": 9_007_199_254_740_993_u64});
    let r = stateless(url, &region_call(2, "late", big.clone())).send().await.unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, -32020, json!(2)).await;
    let r = stateless(url, &region_call(3, "late", big.clone())).header("Mcp-Param-N", "9007199254740992");
    expect_error(r.send().await.unwrap(), StatusCode::BAD_REQUEST, -32020, json!(3)).await;
    let r = stateless(url, &region_call(4, "late", big)).header("Mcp-Param-N", "9007199254740993");
    assert_eq!(r.send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saturated_stateless_engine_answers_503_with_retry_after() {
    let server = start(StreamableHttpConfig::default().with_max_stateless_in_flight(1)).await;
    let url = server.url.clone();
    let slow = region_call(1, "slow", json!({"ms": 1000}));
    let busy = tokio::spawn(async move { stateless(&url, &slow).send().await.unwrap().status() });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = stateless(&server.url, &region_call(9, "echo", json!({"text": "x"}))).send().await.unwrap();
    assert_eq!(r.headers()["retry-after"], "1");
    expect_error(r, StatusCode::SERVICE_UNAVAILABLE, -32603, json!(9)).await;
    assert_eq!(busy.await.unwrap(), StatusCode::OK);
    let r = stateless(&server.url, &region_call(10, "echo", json!({"text": "x"}))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "served again once the first is done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_handlers_see_the_id_their_client_gave() {
    let server = start(StreamableHttpConfig::default()).await;
    let r = stateless(&server.url, &region_call(42, "request_id", json!({}))).send().await.unwrap();
    assert_eq!(json_of(r).await["result"]["content"][0]["text"], "42");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_are_served_on_2025_03_26_sessions() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let session = ready_session(url, "2025-03-26").await;
    let note = json!({"jsonrpc": "2.0", "method": "notifications/roots/list_changed"});
    let batch = json!([
        tool_call(json!(1), "echo", json!({"text": "a"})),
        note,
        tool_call(json!("two"), "slow", json!({"ms": 50})),
    ]);
    let texts = |answers: &[Value]| {
        let mut got: Vec<(String, String)> = answers
            .iter()
            .map(|a| (a["id"].to_string(), a["result"]["content"][0]["text"].as_str().unwrap().to_owned()))
            .collect();
        got.sort();
        got
    };
    let expected = vec![("\"two\"".to_owned(), "slept".to_owned()), ("1".to_owned(), "a".to_owned())];
    // JSON only: one array holding every response.
    let r = post_accepting(url, &batch, "application/json").header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(texts(json_of(r).await.as_array().unwrap()), expected);
    // SSE: the responses come as they are ready, then the stream ends.
    let mut r = post(url, &batch).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let events = sse_events(&mut r, &mut String::new(), 2).await;
    assert_eq!(texts(&events), expected);
    assert!(r.chunk().await.unwrap().is_none(), "the stream ends after the last response");
    // Notifications alone: 202.
    let notes = json!([note, note]);
    let r = post(url, &notes).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_are_refused_on_later_sessions_and_without_a_session() {
    let server = start(StreamableHttpConfig::default()).await;
    let url = &server.url;
    let batch = json!([tool_call(json!(1), "echo", json!({"text": "a"}))]);
    let session = ready_session(url, "2025-11-25").await;
    let r = post(url, &batch).header("Mcp-Session-Id", &session).send().await.unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, -32600, Value::Null).await;
    let old = ready_session(url, "2025-06-18").await;
    let r = post(url, &batch).header("Mcp-Session-Id", &old).send().await.unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, -32600, Value::Null).await;
    let r = post(url, &batch).send().await.unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, -32600, Value::Null).await;
    let stateless_batch = json!([region_call(1, "echo", json!({"text": "a"}))]);
    let r = post(url, &stateless_batch).header("MCP-Protocol-Version", "2026-07-28").send().await.unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, -32600, Value::Null).await;
    // A 2025-03-26 session refuses a batch holding `initialize`, and an empty one.
    let session = ready_session(url, "2025-03-26").await;
    let r = post(url, &json!([initialize(2)])).header("Mcp-Session-Id", &session).send().await.unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, -32600, Value::Null).await;
    let r = post(url, &json!([])).header("Mcp-Session-Id", &session).send().await.unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, -32600, Value::Null).await;
}
