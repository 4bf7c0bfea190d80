//! Our Streamable HTTP client against our Streamable HTTP server, both eras, over real HTTP.

mod http_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_support::{Client, HttpServer, TOOLS, call, start, text_of};
use rmcp_core::ProtocolVersion;
use rmcp_core::handler::ProtocolPreference;
use rmcp_core::service::{RequestOptions, ServiceError, ServiceExt};
use rmcp_core::transport::http::{
    StreamableHttpClientConfig, StreamableHttpClientTransport, StreamableHttpConfig, StreamableHttpService,
};
use serde_json::json;

fn transport(url: &str) -> StreamableHttpClientTransport {
    StreamableHttpClientTransport::new(url)
}

/// Wait until `check` holds, at most two seconds.
async fn eventually(mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    check()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_client_lists_and_calls_tools_then_deletes_its_session() {
    let server = start(StreamableHttpConfig::default()).await;
    let client = Client::stateful().serve(transport(&server.url)).await.expect("initialize");
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::V2025_11_25));
    assert_eq!(server.service.session_count(), 1);
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), TOOLS);
    assert_eq!(tools[0].name, "echo");
    let result = client.call_tool(call("echo", json!({"text": "hello"}))).await.unwrap();
    assert_eq!(text_of(&result), "hello");
    client.cancel().await;
    assert!(eventually(|| server.service.session_count() == 0).await, "closing the client deletes its session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_client_lists_and_calls_tools_without_a_session() {
    let server = start(StreamableHttpConfig::default()).await;
    let client = Client::stateless().serve(transport(&server.url)).await.expect("discover");
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::V2026_07_28));
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), TOOLS);
    let result = client.call_tool(call("echo", json!({"text": "stateless"}))).await.unwrap();
    assert_eq!(text_of(&result), "stateless");
    // `region` is annotated with x-mcp-header: the client mirrors it, the server checks it.
    let result = client.call_tool(call("region", json!({"region": "Zürich west", "query": "q"}))).await.unwrap();
    assert_eq!(text_of(&result), "Zürich west");
    assert_eq!(server.service.session_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auto_client_picks_the_stateless_era() {
    let server = start(StreamableHttpConfig::default()).await;
    let client = Client(ProtocolPreference::Auto).serve(transport(&server.url)).await.unwrap();
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::V2026_07_28));
    let result = client.call_tool(call("echo", json!({"text": "x"}))).await.unwrap();
    assert_eq!(text_of(&result), "x");
}

async fn progress_arrives(client: Client, url: &str) {
    let client = client.serve(transport(url)).await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let options = RequestOptions::new().on_progress(move |p| sink.lock().unwrap().push(p.progress));
    let result = client.call_tool_with(call("progress", json!({"steps": 3})), options).await.unwrap();
    assert_eq!(text_of(&result), "done");
    assert_eq!(*seen.lock().unwrap(), vec![1.0, 2.0, 3.0], "every notification comes before the response");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_notifications_stream_before_the_result_in_both_eras() {
    let server = start(StreamableHttpConfig::default()).await;
    progress_arrives(Client::stateful(), &server.url).await;
    progress_arrives(Client::stateless(), &server.url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_samples_the_client_during_a_call_on_a_session() {
    let server = start(StreamableHttpConfig::default()).await;
    let client = Client::stateful().serve(transport(&server.url)).await.unwrap();
    let result = client.call_tool(call("sample", json!({}))).await.unwrap();
    assert_eq!(text_of(&result), "model=stand-in-16");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stateless_handler_asking_the_client_gets_an_error_not_a_hang() {
    let server = start(StreamableHttpConfig::default()).await;
    let client = Client::stateless().serve(transport(&server.url)).await.unwrap();
    let call_result = tokio::time::timeout(Duration::from_secs(5), client.call_tool(call("sample", json!({}))));
    let error = call_result.await.expect("answered at once").unwrap_err();
    assert!(error.to_string().contains("sampling failed"), "{error}");
}

/// GETs carrying `Last-Event-ID` the server saw (counted by a router middleware).
static RESUMES: AtomicUsize = AtomicUsize::new(0);

async fn count_resumes(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    if request.method() == http::Method::GET && request.headers().contains_key("last-event-id") {
        RESUMES.fetch_add(1, Ordering::SeqCst);
    }
    next.run(request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_sse_connection_is_resumed_with_last_event_id() {
    let config = StreamableHttpConfig::default().with_sse_retry(Some(Duration::from_millis(100)));
    let service = StreamableHttpService::new(HttpServer::default, config);
    let app = axum::Router::new().route_service("/mcp", service).layer(axum::middleware::from_fn(count_resumes));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = Client::stateful().serve(transport(&url)).await.unwrap();
    let started = tokio::time::Instant::now();
    let result = client.call_tool(call("poll", json!({"ms": 300}))).await.unwrap();
    assert_eq!(text_of(&result), "after the reconnection");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(RESUMES.load(Ordering::SeqCst), 1, "the answer came on a resumed stream");
    // The session goes on after the resumption.
    assert_eq!(text_of(&client.call_tool(call("echo", json!({"text": "on"}))).await.unwrap()), "on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sessions_expire_and_their_clients_stop() {
    let config = StreamableHttpConfig::default().with_session_idle_timeout(Some(Duration::from_millis(300)));
    let server = start(config).await;
    // The standalone stream would keep the session busy; without it the session idles.
    let transport = StreamableHttpClientTransport::with_config(
        // Without recovery (on by default: tests/tests/client_resilience.rs).
        StreamableHttpClientConfig::new(&server.url).with_standalone_stream(false).with_reinitialize_session(false),
    );
    let client = Client::stateful().serve(transport).await.unwrap();
    assert_eq!(server.service.session_count(), 1);
    assert!(eventually(|| server.service.session_count() == 0).await, "the idle session expired");
    let error = client.list_all_tools().await.unwrap_err();
    assert!(matches!(error, ServiceError::TransportClosed), "{error:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_standalone_stream_keeps_a_session_alive() {
    let config = StreamableHttpConfig::default().with_session_idle_timeout(Some(Duration::from_millis(300)));
    let server = start(config).await;
    let client = Client::stateful().serve(transport(&server.url)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(server.service.session_count(), 1);
    assert_eq!(text_of(&client.call_tool(call("echo", json!({"text": "alive"}))).await.unwrap()), "alive");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_with_clashing_ids_get_their_own_answers() {
    let server = start(StreamableHttpConfig::default()).await;
    let mut calls = Vec::new();
    for i in 0..6 {
        let url = server.url.clone();
        calls.push(tokio::spawn(async move {
            // Every client numbers its requests from the same start: the ids clash on the wire.
            let client = if i % 2 == 0 { Client::stateless() } else { Client::stateful() };
            let client = client.serve(transport(&url)).await.unwrap();
            let mut answers = Vec::new();
            for j in 0..5 {
                let tag = format!("client-{i}-call-{j}");
                let (a, b) = tokio::join!(
                    client.call_tool(call("echo", json!({"text": tag}))),
                    client.call_tool(call("slow", json!({"ms": 20})))
                );
                answers.push((tag, text_of(&a.unwrap()), text_of(&b.unwrap())));
            }
            answers
        }));
    }
    for c in calls {
        for (tag, echoed, slept) in c.await.unwrap() {
            assert_eq!(tag, echoed);
            assert_eq!(slept, "slept");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stateless_call_given_up_by_its_client_is_cancelled_on_the_server() {
    let server = start(StreamableHttpConfig::default()).await;
    let client = Client::stateless().serve(transport(&server.url)).await.unwrap();
    let options = RequestOptions::new().with_timeout(Duration::from_millis(200));
    let error = client.call_tool_with(call("slow", json!({"ms": 10_000})), options).await.unwrap_err();
    assert!(matches!(error, ServiceError::Timeout { .. }), "{error:?}");
    let counters = server.server.counters.clone();
    assert!(
        eventually(|| counters.cancelled.load(Ordering::SeqCst) == 1).await,
        "closing the response stream cancels the handler"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_call_cancelled_by_its_client_is_cancelled_on_the_server() {
    let server = start(StreamableHttpConfig::default()).await;
    let client = Client::stateful().serve(transport(&server.url)).await.unwrap();
    let options = RequestOptions::new().with_timeout(Duration::from_millis(200));
    let error = client.call_tool_with(call("slow", json!({"ms": 10_000})), options).await.unwrap_err();
    assert!(matches!(error, ServiceError::Timeout { .. }), "{error:?}");
    let counters = server.server.counters.clone();
    assert!(eventually(|| counters.cancelled.load(Ordering::SeqCst) == 1).await, "notifications/cancelled arrives");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auth_provider_supplies_a_bearer_token_per_request() {
    let server = start(StreamableHttpConfig::default()).await;
    for client in [Client::stateful(), Client::stateless()] {
        let config = StreamableHttpClientConfig::new(&server.url).with_auth(|| async { Some("s3cret".to_owned()) });
        let client = client.serve(StreamableHttpClientTransport::with_config(config)).await.unwrap();
        let result = client.call_tool(call("whoami", json!({}))).await.unwrap();
        assert_eq!(text_of(&result), "Bearer s3cret");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_mounts_in_an_axum_router() {
    let service = StreamableHttpService::new(HttpServer::default, StreamableHttpConfig::default());
    let app = axum::Router::new().route_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    for client in [Client::stateful(), Client::stateless()] {
        let client = client.serve(transport(&url)).await.unwrap();
        assert_eq!(client.list_all_tools().await.unwrap().len(), TOOLS);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_only_mode_answers_with_plain_json() {
    let server = start(StreamableHttpConfig::default().with_json_response(true)).await;
    for client in [Client::stateful(), Client::stateless()] {
        let client = client.serve(transport(&server.url)).await.unwrap();
        let result = client.call_tool(call("progress", json!({"steps": 2}))).await.unwrap();
        assert_eq!(text_of(&result), "done");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_fails_the_handshake() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    drop(listener);
    let result = Client::stateful().serve(transport(&url)).await;
    assert!(result.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_beyond_the_clients_limit_fail_that_request_only() {
    let server = start(StreamableHttpConfig::default()).await;
    for client in [Client::stateful(), Client::stateless()] {
        let config = StreamableHttpClientConfig::new(&server.url).with_max_message_bytes(64 * 1024);
        let client = client.serve(StreamableHttpClientTransport::with_config(config)).await.unwrap();
        // A JSON answer too large.
        let error = client.call_tool(call("echo", json!({"text": "x".repeat(100_000)}))).await.unwrap_err();
        assert!(error.to_string().contains("exceeds the limit"), "{error}");
        // An SSE event too large (progress first makes the answer a stream).
        let options = RequestOptions::new().on_progress(|_| {});
        let error = client.call_tool_with(call("big", json!({"bytes": 100_000})), options).await.unwrap_err();
        assert!(error.to_string().contains("exceeds the limit"), "{error}");
        // The connection goes on.
        let options = RequestOptions::new().on_progress(|_| {});
        let result = client.call_tool_with(call("big", json!({"bytes": 1000})), options).await.unwrap();
        assert_eq!(text_of(&result).len(), 1000);
    }
}

/// Answers a `tools/call` of the tool `missing` with 404 and a JSON-RPC "method not found",
/// as a server may for an unknown method; everything else reaches the MCP service.
async fn not_found_for_missing(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let message: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if message["params"]["name"] == "missing" {
        let error =
            json!({"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "no such thing"}});
        return axum::response::Response::builder()
            .status(404)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(error.to_string()))
            .unwrap();
    }
    next.run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_404_about_one_request_fails_that_request_not_the_session() {
    let service = StreamableHttpService::new(HttpServer::default, StreamableHttpConfig::default());
    let app =
        axum::Router::new().route_service("/mcp", service).layer(axum::middleware::from_fn(not_found_for_missing));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::stateful().serve(transport(&url)).await.unwrap();
    let error = client.call_tool(call("missing", json!({}))).await.unwrap_err();
    assert!(error.to_string().contains("no such thing"), "{error:?}");
    let result = client.call_tool(call("echo", json!({"text": "still here"}))).await.unwrap();
    assert_eq!(text_of(&result), "still here");
}

/// Session ids the server saw on requests after the first, and whether to tamper with answers.
static SEEN_SESSIONS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Puts a forged `Mcp-Session-Id` on every answer but the one to `initialize` (a proxy or a
/// confused server); records the session id each request carried.
async fn forge_session_ids(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let carried = request.headers().get("mcp-session-id").map(|v| v.to_str().unwrap().to_owned());
    if let Some(session) = &carried {
        SEEN_SESSIONS.lock().unwrap().push(session.clone());
    }
    let mut response = next.run(request).await;
    if carried.is_some() {
        response.headers_mut().insert("mcp-session-id", http::HeaderValue::from_static("forged"));
    }
    response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_answer_to_initialize_sets_the_session_id() {
    let service = StreamableHttpService::new(HttpServer::default, StreamableHttpConfig::default());
    let app = axum::Router::new().route_service("/mcp", service).layer(axum::middleware::from_fn(forge_session_ids));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = Client::stateful().serve(transport(&url)).await.unwrap();
    assert_eq!(client.list_all_tools().await.unwrap().len(), TOOLS);
    assert_eq!(text_of(&client.call_tool(call("echo", json!({"text": "a"}))).await.unwrap()), "a");
    assert_eq!(text_of(&client.call_tool(call("echo", json!({"text": "b"}))).await.unwrap()), "b");
    let seen = SEEN_SESSIONS.lock().unwrap().clone();
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(seen.iter().all(|s| s != "forged" && *s == seen[0]), "one session throughout: {seen:?}");
}
