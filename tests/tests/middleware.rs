//! Middleware around a server's requests, and the `Principal` extractor, over real transports:
//! an in-process duplex pair, and Streamable HTTP on 127.0.0.1 in both eras with callers
//! authenticated by an axum layer in front (as an OAuth resource layer would).

mod middleware_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http::{HeaderName, HeaderValue};
use middleware_support::{Client, Office, call};
use rmcp_core::handler::middleware::{
    McpRequest, Next, RATE_LIMITED, RateLimitLayer, RequestLogLayer, ToolVisibilityLayer, from_fn,
};
use rmcp_core::handler::{ProtocolPreference, ServerHandler};
use rmcp_core::model::{CacheScope, ServerResult};
use rmcp_core::service::{McpError, RoleClient, RunningService, ServiceError, ServiceExt};
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport, StreamableHttpService};
use rmcp_core::transport::{Principal, duplex};
use rmcp_core::{CancellationToken, ProtocolVersion};
use serde_json::json;
use tokio::net::TcpListener;

fn text(result: &rmcp_core::model::CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect::<Vec<_>>().join("")
}

fn rpc_code(error: &ServiceError) -> i32 {
    match error {
        ServiceError::ErrorResponse(e) => e.code.0,
        other => panic!("expected an error response, got {other}"),
    }
}

fn tool_names(list: &rmcp_core::model::ListToolsResult) -> Vec<String> {
    let mut names: Vec<String> = list.tools.iter().map(|t| t.name.to_string()).collect();
    names.sort();
    names
}

/// A `from_fn` middleware sees every request first, can answer one itself, and can rewrite
/// answers; over a duplex pair, with no principal, `Principal` fails and `Option` is `None`.
#[tokio::test]
async fn a_function_middleware_sees_refuses_and_rewrites_requests() {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let middleware = from_fn(move |request: McpRequest, next: Next| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            if request.target() == Some("delete_user") {
                return Err(McpError::invalid_request("not today"));
            }
            let mut answer = next.run(request).await?;
            if let ServerResult::CallTool(result) = &mut answer {
                result.content.push(rmcp_core::model::ContentBlock::text(" (checked)"));
            }
            Ok(answer)
        }
    });
    let (server_end, client_end) = duplex(64 * 1024);
    tokio::spawn(async move {
        let server = Office::new().layer(middleware).serve(server_end).await.unwrap();
        server.waiting().await;
    });
    let client = Client(ProtocolPreference::Auto).serve(client_end).await.unwrap();

    let greeted = client.call_tool(call("greet", json!({}))).await.unwrap();
    assert_eq!(text(&greeted), "hello stranger (checked)");
    let refused = client.call_tool(call("delete_user", json!({"name": "bob"}))).await.unwrap_err();
    assert_eq!(rpc_code(&refused), -32600);
    let anonymous = client.call_tool(call("whoami", json!({}))).await.unwrap_err();
    assert_eq!(rpc_code(&anonymous), -32600, "{anonymous}");
    assert!(anonymous.to_string().contains("authenticated caller"), "{anonymous}");
    // initialize, three calls: every request passed through the middleware.
    assert_eq!(seen.load(Ordering::SeqCst), 4);
    client.cancel().await;
}

/// Serve `handler` behind an axum layer that makes the `x-user` header (`name:scope,scope`) the
/// request's `Principal`, as an authentication layer would.
async fn serve_http<H: ServerHandler + Clone>(handler: H) -> (String, CancellationToken) {
    async fn authenticate(
        mut request: axum::extract::Request,
        next: axum::middleware::Next,
    ) -> axum::response::Response {
        let user = request.headers().get("x-user").and_then(|v| v.to_str().ok()).map(str::to_owned);
        if let Some(user) = user {
            let (name, scopes) = user.split_once(':').unwrap_or((&user, ""));
            let scopes: Vec<&str> = scopes.split(',').filter(|s| !s.is_empty()).collect();
            request.extensions_mut().insert(Principal::new(name).with_scopes(scopes));
        }
        next.run(request).await
    }
    let mcp = StreamableHttpService::new(move || handler.clone(), Default::default());
    let app = axum::Router::new().route_service("/mcp", mcp).layer(axum::middleware::from_fn(authenticate));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    tokio::spawn(async move {
        axum::serve(listener, app).with_graceful_shutdown(stopped.cancelled_owned()).await.unwrap();
    });
    (url, stop)
}

async fn connect(url: &str, user: &str, era: ProtocolPreference) -> RunningService<RoleClient, Client> {
    let config = StreamableHttpClientConfig::new(url)
        .with_header(HeaderName::from_static("x-user"), HeaderValue::from_str(user).unwrap());
    Client(era).serve(StreamableHttpClientTransport::with_config(config)).await.unwrap()
}

fn eras() -> [ProtocolPreference; 2] {
    [ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25), ProtocolPreference::Stateless]
}

/// Each caller sees and may call only the tools its scopes allow; a hidden tool is answered as an
/// unknown one; a filtered 2026 list is private to its caller. The extractor names the caller.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_see_and_call_only_their_tools_over_http_in_both_eras() {
    let visibility = ToolVisibilityLayer::require_scopes([("delete_user", "admin")]);
    let (url, stop) = serve_http(Office::new().layer(visibility).layer(RequestLogLayer::new())).await;
    for era in eras() {
        let stateless = matches!(era, ProtocolPreference::Stateless);
        let admin = connect(&url, "ada:admin", era.clone()).await;
        let user = connect(&url, "bob:", era).await;

        let admins = admin.list_tools(None).await.unwrap();
        assert_eq!(tool_names(&admins), ["delete_user", "greet", "whoami"]);
        let users = user.list_tools(None).await.unwrap();
        assert_eq!(tool_names(&users), ["greet", "whoami"]);
        if stateless {
            assert_eq!(users.cache_scope, Some(CacheScope::Private));
        }

        let deleted = admin.call_tool(call("delete_user", json!({"name": "eve"}))).await.unwrap();
        assert_eq!(text(&deleted), "deleted eve");
        let hidden = user.call_tool(call("delete_user", json!({"name": "eve"}))).await.unwrap_err();
        let unknown = user.call_tool(call("no_such_tool", json!({}))).await.unwrap_err();
        assert_eq!(rpc_code(&hidden), -32602);
        assert_eq!(hidden.to_string().replace("delete_user", "X"), unknown.to_string().replace("no_such_tool", "X"));

        assert_eq!(text(&admin.call_tool(call("whoami", json!({}))).await.unwrap()), "ada");
        assert_eq!(text(&user.call_tool(call("greet", json!({}))).await.unwrap()), "hello bob");
        admin.cancel().await;
        user.cancel().await;
    }
    stop.cancel();
}

/// One principal over its rate is refused with the rate-limit code and a retry hint; another
/// principal is still served; methods not counted pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_holds_per_principal_over_http() {
    let limit = RateLimitLayer::per_principal(3, Duration::from_secs(60)).only(["tools/call"]);
    let (url, stop) = serve_http(Office::new().layer(limit)).await;
    for era in eras() {
        // A fresh pair of names per era: the allowance spans sessions and eras.
        let (a, b) = if matches!(era, ProtocolPreference::Stateless) { ("a2", "b2") } else { ("a1", "b1") };
        let first = connect(&url, a, era.clone()).await;
        let second = connect(&url, b, era).await;
        for _ in 0..3 {
            first.call_tool(call("greet", json!({}))).await.unwrap();
        }
        let refused = first.call_tool(call("greet", json!({}))).await.unwrap_err();
        assert_eq!(rpc_code(&refused), RATE_LIMITED.0);
        let ServiceError::ErrorResponse(data) = &refused else { unreachable!() };
        let retry_ms = data.data.as_ref().and_then(|d| d["retryAfterMs"].as_u64()).unwrap();
        assert!(retry_ms > 0 && retry_ms <= 20_000, "{retry_ms}");
        first.list_tools(None).await.expect("tools/list is not counted");
        second.call_tool(call("greet", json!({}))).await.expect("another principal has its own allowance");
        first.cancel().await;
        second.cancel().await;
    }
    stop.cancel();
}

/// A `ServerHandler` in an `Arc` serves as the handler itself does: one instance shared by
/// every HTTP session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_handler_serves_every_session() {
    let shared = Arc::new(Office::new());
    let (url, stop) = serve_http(shared.clone()).await;
    let client = connect(&url, "cy:", ProtocolPreference::Auto).await;
    assert_eq!(text(&client.call_tool(call("whoami", json!({}))).await.unwrap()), "cy");
    client.cancel().await;
    stop.cancel();
}
