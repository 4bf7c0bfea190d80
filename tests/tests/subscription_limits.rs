//! Resource subscriptions under hostile load, over real HTTP on 127.0.0.1 (and one in-process
//! pair for a connection that stops reading): a flood of `resources/subscribe` hits the
//! per-connection cap while other clients keep their subscriptions and updates; subscriptions end
//! with their session; the handler can refuse a URI; `subscriptions/listen` filters are capped;
//! and one slow connection does not hold up tool list changes to the others.

mod http_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::future::join_all;
use http_support::meta;
use http_support::raw::{json_of, stateless};
use reqwest::StatusCode;
use rmcp_core::handler::{
    ClientHandler, ClientInfo, ProtocolPreference, ResourceSubscriptions, ServerHandler, ServerInfo,
};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, ErrorCode, ErrorData, Implementation, ListToolsResult,
    PaginatedRequestParams, ProtocolVersion, ResourceUpdatedNotificationParams, ServerCapabilities,
    SubscribeRequestParams, Tool, ToolsCapability,
};
use rmcp_core::router::{ToolRoute, ToolRouter};
use rmcp_core::schema::empty_object_schema;
use rmcp_core::service::{McpError, NotificationContext, RequestContext, RoleClient, RoleServer, ServiceExt};
use rmcp_core::transport::http::{
    StreamableHttpClientConfig, StreamableHttpClientTransport, StreamableHttpConfig, StreamableHttpService,
};
use rmcp_core::transport::{AsyncRwTransport, duplex};
use rmcp_core::{CancellationToken, RunningService};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// The default number of resource URIs one client may watch.
const CAP: usize = 1000;

/// A server whose resources can be watched: `touch` announces an update of `uri`.
#[derive(Clone, Default)]
struct Watched {
    subscriptions: ResourceSubscriptions,
}

impl ServerHandler for Watched {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(
            Implementation::new("watched", "1"),
            ServerCapabilities::builder().enable_tools().enable_resources().build(),
        )
    }

    fn resource_subscriptions(&self) -> Option<&ResourceSubscriptions> {
        Some(&self.subscriptions)
    }

    /// `secret://` resources are for the admin only.
    async fn check_subscription(&self, uri: &str, ctx: &RequestContext<RoleServer>) -> Result<(), ErrorData> {
        let parts = ctx.extensions.get::<http::request::Parts>().expect("the HTTP request is attached");
        let admin = parts.headers.get("authorization").is_some_and(|v| v == "Bearer admin");
        if uri.starts_with("secret://") && !admin {
            return Err(ErrorData::invalid_params(format!("not allowed to watch {uri}")));
        }
        Ok(())
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let uri = params.arguments.as_ref().and_then(|a| a.get("uri")).and_then(Value::as_str).unwrap_or_default();
        let told = if ctx.is_stateless() {
            // The 2026-07-28 engine hands the update to the listen streams that watch `uri`.
            let _ = ctx.peer.notify_resource_updated(ResourceUpdatedNotificationParams::new(uri)).await;
            0
        } else {
            self.subscriptions.notify_updated(uri).await
        };
        Ok(CallToolResult::success(vec![ContentBlock::text(told.to_string())]))
    }
}

struct Server {
    url: String,
    watched: Watched,
    stop: CancellationToken,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn serve(config: StreamableHttpConfig) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let watched = Watched::default();
    let template = watched.clone();
    let service = StreamableHttpService::new(move || template.clone(), config);
    let stop = CancellationToken::new();
    tokio::spawn(service.serve_listener(listener, stop.clone()));
    Server { url, watched, stop }
}

/// A 2025-11-25 client that reports the resource updates it gets.
struct Watcher(mpsc::UnboundedSender<String>);

impl ClientHandler for Watcher {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
    }
    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        let _ = self.0.send(params.uri);
    }
}

async fn watcher(
    url: &str,
    standalone_stream: bool,
) -> (RunningService<RoleClient, Watcher>, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let config = StreamableHttpClientConfig::new(url).with_standalone_stream(standalone_stream);
    let client = Watcher(tx).serve(StreamableHttpClientTransport::with_config(config)).await.unwrap();
    (client, rx)
}

async fn eventually(mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..300 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    check()
}

/// Announce an update of `uri` until `rx` sees it (the client's standalone stream may still be
/// on its way when the first one goes out).
async fn update_reaches(watched: &Watched, uri: &str, rx: &mut mpsc::UnboundedReceiver<String>) -> bool {
    for _ in 0..20 {
        assert_eq!(watched.subscriptions.notify_updated(uri).await, 1, "one subscriber");
        if let Ok(Some(got)) = tokio::time::timeout(Duration::from_millis(150), rx.recv()).await {
            assert_eq!(got, uri);
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_flood_hits_the_cap_and_other_clients_are_still_served() {
    let server = serve(StreamableHttpConfig::default()).await;
    let (attacker, _) = watcher(&server.url, false).await;
    for chunk in (0..CAP).collect::<Vec<_>>().chunks(100) {
        let subscribing = chunk.iter().map(|i| attacker.subscribe(SubscribeRequestParams::new(format!("flood://{i}"))));
        for answer in join_all(subscribing).await {
            answer.expect("under the cap");
        }
    }
    let refused = attacker.subscribe(SubscribeRequestParams::new("flood://one-too-many")).await.unwrap_err();
    let error = refused.as_error_response().expect("a JSON-RPC error");
    assert_eq!(error.code, ErrorCode::INVALID_PARAMS);
    assert!(error.message.contains("1000"), "the message names the limit: {}", error.message);
    attacker.subscribe(SubscribeRequestParams::new("flood://7")).await.expect("subscribing again adds nothing");
    assert_eq!(server.watched.subscriptions.len(), CAP);

    let (alice, mut alice_rx) = watcher(&server.url, true).await;
    alice.subscribe(SubscribeRequestParams::new("doc://readme")).await.expect("another client is not capped");
    assert!(update_reaches(&server.watched, "doc://readme", &mut alice_rx).await, "alice is told of the update");
    assert_eq!(server.watched.subscriptions.notify_updated("flood://3").await, 1, "the attacker's own still work");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_end_when_the_session_is_deleted() {
    let server = serve(StreamableHttpConfig::default()).await;
    let (client, _rx) = watcher(&server.url, false).await;
    for uri in ["doc://a", "doc://b", "doc://c"] {
        client.subscribe(SubscribeRequestParams::new(uri)).await.unwrap();
    }
    let subscriptions = &server.watched.subscriptions;
    assert_eq!((subscriptions.len(), subscriptions.connections()), (3, 1));
    client.cancel().await; // DELETEs the session
    // Nothing touches these URIs again: the session's end alone forgets them.
    assert!(
        eventually(|| subscriptions.is_empty() && subscriptions.connections() == 0).await,
        "{subscriptions:?} after the session was deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_end_when_the_session_expires() {
    let config = StreamableHttpConfig::default().with_session_idle_timeout(Some(Duration::from_millis(300)));
    let server = serve(config).await;
    let (client, _rx) = watcher(&server.url, false).await;
    client.subscribe(SubscribeRequestParams::new("doc://a")).await.unwrap();
    let subscriptions = &server.watched.subscriptions;
    assert_eq!(subscriptions.len(), 1);
    assert!(eventually(|| subscriptions.is_empty()).await, "{subscriptions:?} after the session expired");
    drop(client);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_handler_refuses_a_subscription_on_both_eras() {
    let server = serve(StreamableHttpConfig::default()).await;
    let (client, _rx) = watcher(&server.url, false).await;
    let refused = client.subscribe(SubscribeRequestParams::new("secret://keys")).await.unwrap_err();
    let error = refused.as_error_response().expect("a JSON-RPC error");
    assert_eq!(error.code, ErrorCode::INVALID_PARAMS);
    assert_eq!(error.message, "not allowed to watch secret://keys");
    assert_eq!(server.watched.subscriptions.len(), 0, "nothing recorded");
    client.subscribe(SubscribeRequestParams::new("doc://a")).await.expect("other URIs are fine");

    // 2026-07-28: a refused URI is left out of what the stream honours.
    let (mut stream, mut buf) = listen(&server.url, "l1", &["secret://keys", "doc://a"], None).await;
    let ack = http_support::sse_events(&mut stream, &mut buf, 1).await.remove(0);
    assert_eq!(ack["params"]["notifications"]["resourceSubscriptions"], json!(["doc://a"]));
    touch(&server.url, "secret://keys").await;
    touch(&server.url, "doc://a").await;
    let got = next_event(&mut stream, &mut buf).await.expect("the update of doc://a");
    assert_eq!(got["params"]["uri"], "doc://a", "no update of the refused URI came first: {got}");

    // The handler sees who asks: the admin may watch secrets.
    let (mut stream, mut buf) = listen(&server.url, "l2", &["secret://keys"], Some("Bearer admin")).await;
    let ack = http_support::sse_events(&mut stream, &mut buf, 1).await.remove(0);
    assert_eq!(ack["params"]["notifications"]["resourceSubscriptions"], json!(["secret://keys"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_stream_filters_are_capped_and_indexed() {
    let server = serve(StreamableHttpConfig::default()).await;
    let too_many: Vec<String> = (0..=CAP).map(|i| format!("flood://{i}")).collect();
    let body = listen_body("big", &too_many.iter().map(String::as_str).collect::<Vec<_>>());
    let r = stateless(&server.url, &body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let answer = json_of(r).await;
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    assert_eq!(answer["id"], "big");

    // At the cap the stream opens; repeated URIs count once.
    let mut at_cap: Vec<&str> = too_many[..CAP].iter().map(String::as_str).collect();
    at_cap.extend(["flood://0", "flood://1"]);
    let (mut full, mut full_buf) = listen(&server.url, "full", &at_cap, None).await;
    let ack = http_support::sse_events(&mut full, &mut full_buf, 1).await.remove(0);
    assert_eq!(ack["params"]["notifications"]["resourceSubscriptions"].as_array().map(Vec::len), Some(CAP));

    // Updates reach exactly the streams that watch the URI.
    let (mut a, mut a_buf) = listen(&server.url, "a", &["doc://a"], None).await;
    http_support::sse_events(&mut a, &mut a_buf, 1).await;
    touch(&server.url, "flood://999").await;
    touch(&server.url, "doc://a").await;
    let got = next_event(&mut full, &mut full_buf).await.expect("the full stream's update");
    assert_eq!(
        (got["params"]["uri"].clone(), got["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"].clone()),
        (json!("flood://999"), json!("full"))
    );
    let got = next_event(&mut a, &mut a_buf).await.expect("stream a's update");
    assert_eq!(got["params"]["uri"], "doc://a", "{got}");
}

fn listen_body(id: &str, uris: &[&str]) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "subscriptions/listen",
        "params": {"notifications": {"resourceSubscriptions": uris}, "_meta": meta()}})
}

/// Open a listen stream watching `uris`.
async fn listen(url: &str, id: &str, uris: &[&str], authorization: Option<&str>) -> (reqwest::Response, String) {
    let mut request = stateless(url, &listen_body(id, uris));
    if let Some(auth) = authorization {
        request = request.header("authorization", auth);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    (response, String::new())
}

/// Announce an update of `uri` through a stateless tool call.
async fn touch(url: &str, uri: &str) {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "touch", "arguments": {"uri": uri}, "_meta": meta()}});
    let r = stateless(url, &body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    json_of(r).await;
}

async fn next_event(stream: &mut reqwest::Response, buf: &mut String) -> Option<Value> {
    let read = http_support::sse_events(stream, buf, 1);
    tokio::time::timeout(Duration::from_secs(2), read).await.ok()?.pop()
}

/// A server with run-time tools, which tells its clients when the list changes.
struct Tools {
    tools: ToolRouter<Tools>,
}

impl ServerHandler for Tools {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("tools", "1"), ServerCapabilities::default())
    }
    fn tool_capability(&self) -> Option<ToolsCapability> {
        Some(ToolsCapability::default().with_list_changed(true))
    }
    async fn list_tools(
        &self,
        _p: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(self.tools.list_tools(&ctx))
    }
}

struct ChangeWatcher(mpsc::UnboundedSender<()>);

impl ClientHandler for ChangeWatcher {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
    }
    async fn on_tool_list_changed(&self, _ctx: NotificationContext<RoleClient>) {
        let _ = self.0.send(());
    }
}

fn route(name: &str) -> ToolRoute<Tools> {
    ToolRoute::new_dyn(Tool::new(name.to_owned(), "A tool", empty_object_schema()), |_s, _cx| {
        Box::pin(async { Ok(CallToolResult::success(vec![])) })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_connection_does_not_delay_list_changes_to_the_others() {
    let tools = ToolRouter::new().with_route(route("first"));

    // The slow client lists the tools first (so it is the first connection the router knows),
    // then stops reading: the server's writes to it block, and its queue fills.
    let (server_end, client_end) = tokio::io::duplex(1024);
    let (read, write) = tokio::io::split(server_end);
    let slow_server = Tools { tools: tools.clone() }.serve(AsyncRwTransport::new(read, write)).await.unwrap();
    let (read, mut write) = tokio::io::split(client_end);
    let mut lines = BufReader::new(read).lines();
    let hello = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25",
        "capabilities": {}, "clientInfo": {"name": "slow", "version": "0"}}});
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    for message in [&hello, &initialized, &list] {
        write.write_all(format!("{message}\n").as_bytes()).await.unwrap();
    }
    while let Some(line) = lines.next_line().await.unwrap() {
        if serde_json::from_str::<Value>(&line).unwrap()["id"] == 2 {
            break;
        }
    }
    let sent = Arc::new(AtomicUsize::new(0));
    let flood = {
        let (peer, sent) = (slow_server.peer().clone(), sent.clone());
        tokio::spawn(async move {
            while peer.notify_tool_list_changed().await.is_ok() {
                sent.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    // Wait until the slow connection's queue is full.
    let mut last = usize::MAX;
    while sent.load(Ordering::Relaxed) != last {
        last = sent.load(Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let (a, b) = duplex(1 << 16);
    let _fast_server = Tools { tools: tools.clone() }.serve(a).await.unwrap();
    let (tx, mut changes) = mpsc::unbounded_channel();
    let fast = ChangeWatcher(tx).serve(b).await.unwrap();
    assert_eq!(fast.list_all_tools().await.unwrap().len(), 1);

    tools.add_route(route("second"));
    let told = tokio::time::timeout(Duration::from_secs(1), changes.recv()).await;
    assert!(told.is_ok(), "the fast client heard of the change while the slow one does not read");
    flood.abort();
}
