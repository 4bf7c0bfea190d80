//! Fairness of the Streamable HTTP server under one hostile client: each principal (an
//! authenticated subject, else a peer address) has its share of the sessions and of the open
//! POSTs, each session a bound on its requests in flight, and a request the server sends to its
//! client times out, so a client that never answers cannot park handlers and slots forever.
//!
//! Two addresses: Linux routes all of 127/8 to the loopback interface, so a client bound to
//! 127.0.0.2 is another peer of a server on 127.0.0.1.

mod http_support;

use std::sync::Arc;
use std::time::Duration;

use http_support::raw::{ACCEPT, client_from, initialize, json_of, tool_call};
use http_support::{HttpServer, sse_events, start};
use reqwest::StatusCode;
use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, CreateMessageRequestParams, CreateMessageResult, Implementation,
    ProtocolVersion, SamplingMessage, ServerCapabilities,
};
use rmcp_core::service::{McpError, RequestContext, RoleClient, RoleServer, ServeOptions, ServiceExt};
use rmcp_core::transport::Principal;
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// A JSON-RPC POST from `client`, on `session` when given.
fn post(client: &reqwest::Client, url: &str, body: &Value, session: Option<&str>) -> reqwest::RequestBuilder {
    let builder =
        client.post(url).header("content-type", "application/json").header("accept", ACCEPT).body(body.to_string());
    match session {
        Some(id) => builder.header("Mcp-Session-Id", id),
        None => builder,
    }
}

/// Open a session from `client` and send `notifications/initialized`; its id.
async fn ready_session(client: &reqwest::Client, url: &str) -> String {
    let r = post(client, url, &initialize(1), None).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    json_of(r).await;
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let r = post(client, url, &initialized, Some(&id)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    id
}

/// `echo` on `session` from `client` answers.
async fn echo_works(client: &reqwest::Client, url: &str, session: &str) {
    let r = post(client, url, &tool_call(json!("e"), "echo", json!({"text": "hi"})), Some(session));
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json_of(r).await["result"]["content"][0]["text"], "hi");
}

/// A 429 with `Retry-After` and a JSON-RPC error explaining it.
async fn expect_429(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "1");
    let body = json_of(response).await;
    assert_eq!(body["error"]["code"], -32603, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("limit"), "{body}");
}

/// POST a `sample` call (the server asks the client's model) and wait for the server's
/// request on the SSE answer: the call is now parked on the client. `None` when refused (429).
async fn park(client: &reqwest::Client, url: &str, session: &str, id: i64) -> Option<(reqwest::Response, String)> {
    let r = post(client, url, &tool_call(json!(id), "sample", json!({})), Some(session)).send().await.unwrap();
    if r.status() == StatusCode::TOO_MANY_REQUESTS {
        expect_429(r).await;
        return None;
    }
    assert_eq!(r.status(), StatusCode::OK);
    let mut r = r;
    let mut buf = String::new();
    let events = sse_events(&mut r, &mut buf, 1).await;
    assert_eq!(events[0]["method"], "sampling/createMessage", "{events:?}");
    Some((r, buf))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_flooding_initialize_takes_only_its_share_of_the_sessions() {
    let config = StreamableHttpConfig::default().with_max_sessions(8).with_max_sessions_per_principal(4);
    let server = start(config).await;
    let url = &server.url;
    let attacker = client_from(1);
    let mut opened = Vec::new();
    for id in 0..8 {
        let r = post(&attacker, url, &initialize(id), None).send().await.unwrap();
        if r.status() == StatusCode::OK {
            opened.push(r.headers()["mcp-session-id"].to_str().unwrap().to_owned());
        } else {
            expect_429(r).await;
        }
    }
    assert_eq!(opened.len(), 4, "one address opens its share of the sessions, no more");
    assert_eq!(server.service.session_count(), 4);

    // Another address still opens sessions, and is served.
    let legit = client_from(2);
    let session = ready_session(&legit, url).await;
    echo_works(&legit, url, &session).await;

    // A session closed gives its share back.
    let r = attacker.delete(url).header("Mcp-Session-Id", &opened[0]).send().await.unwrap();
    assert!(r.status().is_success());
    let mut reopened = false;
    for _ in 0..50 {
        if post(&attacker, url, &initialize(9), None).send().await.unwrap().status() == StatusCode::OK {
            reopened = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(reopened, "a closed session's share comes back");
}

/// Serve [`HttpServer`] behind an "authentication layer" that makes the `x-user` header the
/// request's principal; no peer address is put in the requests.
async fn start_with_principals(config: StreamableHttpConfig) -> String {
    let service = StreamableHttpService::new(HttpServer::default, config);
    let authenticate = axum::middleware::map_request(|mut request: axum::extract::Request| async move {
        let user = request.headers().get("x-user").and_then(|v| v.to_str().ok()).map(str::to_owned);
        if let Some(user) = user {
            request.extensions_mut().insert(Principal::new(user));
        }
        request
    });
    let app = axum::Router::new().route_service("/mcp", service).layer(authenticate);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authenticated_subject_has_its_own_share_whatever_its_address() {
    let config = StreamableHttpConfig::default().with_max_sessions(6).with_max_sessions_per_principal(2);
    let url = &start_with_principals(config).await;
    let client = reqwest::Client::new();
    let open = |user: &'static str| {
        let builder = post(&client, url, &initialize(1), None);
        async move { builder.header("x-user", user).send().await.unwrap() }
    };
    for _ in 0..2 {
        assert_eq!(open("mallory").await.status(), StatusCode::OK);
    }
    expect_429(open("mallory").await).await;
    assert_eq!(open("alice").await.status(), StatusCode::OK, "the same address, another subject");
    // Without a principal or an address (a server mounted without `RemoteAddr`), only the
    // global limit applies.
    for _ in 0..3 {
        assert_eq!(post(&client, url, &initialize(1), None).send().await.unwrap().status(), StatusCode::OK);
    }
    assert_eq!(
        post(&client, url, &initialize(1), None).send().await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_parked_on_a_client_that_never_answers_hold_only_their_share_and_time_out() {
    let timeout = Duration::from_millis(1500);
    let config = StreamableHttpConfig::default()
        .with_max_concurrent_streams(8)
        .with_max_concurrent_streams_per_principal(4)
        .with_client_request_timeout(Some(timeout));
    let server = start(config).await;
    let url = &server.url;
    // Sessions first: each POST takes a slot.
    let attacker = client_from(1);
    let attacker_session = ready_session(&attacker, url).await;
    let legit = client_from(2);
    let legit_session = ready_session(&legit, url).await;

    let parked_at = tokio::time::Instant::now();
    let mut parked = Vec::new();
    for id in 0..8 {
        parked.extend(park(&attacker, url, &attacker_session, id).await.map(|p| (id, p)));
    }
    assert_eq!(parked.len(), 4, "one address parks its share of the POSTs, no more");

    // The other address is served meanwhile.
    echo_works(&legit, url, &legit_session).await;

    // The parked calls end once the server stops waiting for the client's answer.
    for (id, (mut response, mut buf)) in parked {
        let rest = tokio::time::timeout(Duration::from_secs(5), sse_events(&mut response, &mut buf, 8)).await;
        let rest = rest.expect("the parked call ends");
        let answer = rest.iter().find(|e| e["id"] == id).expect("the call is answered");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("timed out"), "{answer}");
    }
    assert!(parked_at.elapsed() >= timeout);
    // Their slots came back.
    echo_works(&attacker, url, &attacker_session).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_takes_a_bounded_number_of_requests_even_from_a_client_that_disconnects() {
    let timeout = Duration::from_millis(800);
    let config =
        StreamableHttpConfig::default().with_max_requests_per_session(2).with_client_request_timeout(Some(timeout));
    let server = start(config).await;
    let url = &server.url;
    let client = client_from(1);
    let session = ready_session(&client, url).await;
    // Two calls parked on the client, whose connections then go: a 2025 disconnect does not
    // cancel a request, so both are still in flight.
    for id in 0..2 {
        let parked = park(&client, url, &session, id).await.expect("within the session's limit");
        drop(parked);
    }
    let r = post(&client, url, &tool_call(json!(5), "echo", json!({"text": "x"})), Some(&session)).send().await;
    let r = r.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json_of(r).await["id"], 5, "the refusal echoes the request's id");
    // The limit is the session's: another session of the same client is served.
    let other = ready_session(&client, url).await;
    echo_works(&client, url, &other).await;
    // Once the parked calls time out, the session takes requests again.
    let mut served = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let r = post(&client, url, &tool_call(json!(6), "echo", json!({"text": "x"})), Some(&session)).send().await;
        if r.unwrap().status() == StatusCode::OK {
            served = true;
            break;
        }
    }
    assert!(served, "the session is served again after the client-request timeout");
}

/// A server whose one tool asks the client's model.
#[derive(Clone)]
struct Asking;

impl ServerHandler for Asking {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("asking", "0"), ServerCapabilities::builder().enable_tools().build())
    }

    async fn call_tool(
        &self,
        _params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let request = CreateMessageRequestParams::new(vec![SamplingMessage::user_text("hi")], 16);
        match ctx.peer.create_message(request).await {
            Ok(_) => Err(McpError::internal_error("answered")),
            Err(e) => Err(McpError::internal_error(e.to_string())),
        }
    }
}

/// A client that never answers sampling; it notices when the server cancels the request.
struct Silent(Arc<Notify>);

impl ClientHandler for Silent {
    fn get_info(&self) -> ClientInfo {
        // The 2025 era, where asking the client is a request to it.
        ClientInfo::default().with_protocol(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
    }

    async fn create_message(
        &self,
        _params: CreateMessageRequestParams,
        ctx: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, McpError> {
        ctx.ct.cancelled().await;
        self.0.notify_one();
        Err(McpError::internal_error("cancelled"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_to_a_client_that_never_answers_times_out_and_is_cancelled() {
    let (a, b) = rmcp_core::transport::duplex(1 << 16);
    let options = ServeOptions::new().with_client_request_timeout(Some(Duration::from_millis(300)));
    let _server = tokio::spawn(Asking.serve_with_options(a, options));
    let cancelled = Arc::new(Notify::new());
    let client = Silent(cancelled.clone()).serve(b).await.unwrap();
    let call = client.call_tool(CallToolRequestParams::new("ask"));
    let error = tokio::time::timeout(Duration::from_secs(5), call).await.expect("answered").unwrap_err();
    assert!(error.to_string().contains("timed out after 300ms"), "{error}");
    // The server forgot the request and told the client so.
    tokio::time::timeout(Duration::from_secs(5), cancelled.notified()).await.expect("the client saw the cancellation");
}
