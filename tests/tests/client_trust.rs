//! The client against hostile servers: what a server chooses (cursors, progress, SSE `retry`,
//! OAuth discovery URLs) must not keep the client busy forever or send it where it should not
//! go. Engine-level cases run over an in-process duplex pair, HTTP ones over real sockets on
//! 127.0.0.1; each is bounded in time.

mod http_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_support::Client;
use rmcp_core::auth::{AuthError, FetchRedirect, OAuthClient, OAuthConfig};
use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, Implementation, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ProgressNotificationParams, Prompt, Resource,
    ResourceTemplate, ServerCapabilities, Tool,
};
use rmcp_core::service::{McpError, RequestContext, RequestOptions, RoleServer, ServiceError, ServiceExt};
use rmcp_core::transport::duplex;
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};
use rmcp_core::{ProtocolVersion, RoleClient, RunningService};
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// How long any one hostile exchange may hold a test before it counts as endless.
const BOUND: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------
// Cursors and progress, over a duplex pair.

/// How the hostile server hands out cursors.
#[derive(Clone, Copy)]
enum Cursors {
    /// A fresh one on every page, forever.
    Endless,
    /// `a`, `b`, then `a` again.
    Loop,
}

/// A server whose lists never end and whose one tool reports progress and never finishes.
#[derive(Clone)]
struct Hostile {
    cursors: Cursors,
}

impl Hostile {
    fn next(&self, params: &PaginatedRequestParams) -> String {
        let cursor = params.cursor.as_deref().unwrap_or("");
        match self.cursors {
            Cursors::Endless => format!("page-{}", cursor.strip_prefix("page-").map_or(0, |n| n.parse().unwrap()) + 1),
            Cursors::Loop => if cursor == "a" { "b" } else { "a" }.to_owned(),
        }
    }
}

impl ServerHandler for Hostile {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(
            Implementation::new("hostile", "0"),
            ServerCapabilities::builder().enable_tools().enable_prompts().enable_resources().build(),
        )
    }

    async fn list_tools(
        &self,
        params: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let tool = Tool::new("t", "t", Arc::new(json!({"type": "object"}).as_object().unwrap().clone()));
        Ok(ListToolsResult::new(vec![tool]).with_next_cursor(self.next(&params)))
    }

    async fn list_prompts(
        &self,
        params: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(ListPromptsResult::new(vec![Prompt::new("p")]).with_next_cursor(self.next(&params)))
    }

    async fn list_resources(
        &self,
        params: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Ok(ListResourcesResult::new(vec![Resource::new("mem://r", "r")]).with_next_cursor(self.next(&params)))
    }

    async fn list_resource_templates(
        &self,
        params: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        let template = ResourceTemplate::new("mem://{x}", "x");
        Ok(ListResourceTemplatesResult::new(vec![template]).with_next_cursor(self.next(&params)))
    }

    /// Progress every `pause_ms` (none: as fast as it can), until the client gives up.
    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let pause = params.arguments.as_ref().and_then(|a| a.get("pause_ms")).and_then(Value::as_u64).unwrap_or(0);
        let token = ctx.progress_token().ok_or_else(|| McpError::invalid_params("no progress token"))?;
        for step in 0u64.. {
            if ctx.ct.is_cancelled() {
                break;
            }
            let _ = ctx.peer.notify_progress(ProgressNotificationParams::new(token.clone(), step as f64)).await;
            match pause {
                0 => tokio::task::yield_now().await,
                ms => tokio::time::sleep(Duration::from_millis(ms)).await,
            }
        }
        Err(McpError::internal_error("cancelled"))
    }
}

/// A 2025 client with these list limits (or the defaults).
struct Limited(Option<(usize, usize)>);

impl ClientHandler for Limited {
    fn get_info(&self) -> ClientInfo {
        let info = ClientInfo::default().with_protocol(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25));
        match self.0 {
            Some((pages, items)) => info.with_list_limits(pages, items),
            None => info,
        }
    }
}

async fn hostile_pair(
    cursors: Cursors,
    limits: Option<(usize, usize)>,
) -> (RunningService<RoleClient, Limited>, RunningService<RoleServer, Hostile>) {
    let (a, b) = duplex(64 * 1024);
    let server = Hostile { cursors }.serve(a).await.expect("server starts");
    let client = Limited(limits).serve(b).await.expect("client handshake");
    (client, server)
}

/// Run `f` within [`BOUND`]: a call that does not return in time is one that never would.
async fn bounded<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(BOUND, f).await.unwrap_or_else(|_| panic!("{what} did not return within {BOUND:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_cursors_stop_at_the_page_limit() {
    let (client, _server) = hostile_pair(Cursors::Endless, None).await;
    // The default: 1000 pages.
    let err = bounded("list_all_tools", client.list_all_tools()).await.unwrap_err();
    assert!(matches!(err, ServiceError::ListTooLong { method: "tools/list", pages: 1000, .. }), "{err:?}");

    let (client, _server) = hostile_pair(Cursors::Endless, Some((20, 1000))).await;
    let err = bounded("list_all_prompts", client.list_all_prompts()).await.unwrap_err();
    assert!(matches!(err, ServiceError::ListTooLong { pages: 20, items: 20, .. }), "{err:?}");
    let err = bounded("list_all_resources", client.list_all_resources()).await.unwrap_err();
    assert!(matches!(err, ServiceError::ListTooLong { method: "resources/list", pages: 20, .. }), "{err:?}");
    let err = bounded("list_all_resource_templates", client.list_all_resource_templates()).await.unwrap_err();
    assert!(matches!(err, ServiceError::ListTooLong { pages: 20, .. }), "{err:?}");
    // The item limit stops it too.
    let (client, _server) = hostile_pair(Cursors::Endless, Some((1000, 7))).await;
    let err = bounded("list_all_tools", client.list_all_tools()).await.unwrap_err();
    assert!(matches!(err, ServiceError::ListTooLong { pages: 7, items: 7, .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_cursor_is_an_error() {
    let (client, _server) = hostile_pair(Cursors::Loop, None).await;
    // Pages: first -> a, a -> b, b -> a (seen).
    let err = bounded("list_all_tools", client.list_all_tools()).await.unwrap_err();
    assert!(matches!(err, ServiceError::RepeatedCursor { method: "tools/list", pages: 3 }), "{err:?}");
    let err = bounded("list_all_resource_templates", client.list_all_resource_templates()).await.unwrap_err();
    assert!(matches!(err, ServiceError::RepeatedCursor { method: "resources/templates/list", .. }), "{err:?}");
}

fn endless(pause_ms: u64) -> CallToolRequestParams {
    CallToolRequestParams::new("endless").with_arguments(json!({"pause_ms": pause_ms}).as_object().unwrap().clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_progress_cannot_keep_a_call_alive_forever() {
    let (client, _server) = hostile_pair(Cursors::Endless, None).await;
    // Progress every 20 ms restarts a 100 ms timeout; by default the call ends at 10 x 100 ms.
    let options = RequestOptions::new().with_timeout(Duration::from_millis(100)).reset_timeout_on_progress();
    let started = Instant::now();
    let err = bounded("a call with endless progress", client.call_tool_with(endless(20), options)).await.unwrap_err();
    assert!(matches!(err, ServiceError::Timeout { timeout } if timeout == Duration::from_secs(1)), "{err:?}");
    assert!(started.elapsed() >= Duration::from_secs(1), "progress did restart the timeout meanwhile");

    // An explicit bound, with progress as fast as the server can send it.
    let options = RequestOptions::new()
        .with_timeout(Duration::from_millis(100))
        .reset_timeout_on_progress()
        .with_max_total_timeout(Duration::from_millis(400))
        .on_progress(|_| {});
    let started = Instant::now();
    let err = bounded("a call flooded with progress", client.call_tool_with(endless(0), options)).await.unwrap_err();
    assert!(matches!(err, ServiceError::Timeout { timeout } if timeout == Duration::from_millis(400)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

// ---------------------------------------------------------------------------------------------
// SSE `retry`, over HTTP.

/// A Streamable HTTP server that answers `initialize`, then answers every request and every
/// GET with an SSE stream holding one priming event (a new id, and `retry: <retry_ms>`) and
/// nothing else, so the client keeps resuming it. It counts the GETs.
#[derive(Clone)]
struct Resumer {
    retry_ms: u64,
    gets: Arc<AtomicUsize>,
    events: Arc<AtomicUsize>,
}

impl Resumer {
    fn priming(&self) -> Response {
        let id = self.events.fetch_add(1, Ordering::SeqCst);
        let body = format!("id: e{id}\nretry: {}\ndata:\n\n", self.retry_ms);
        ([(header::CONTENT_TYPE, "text/event-stream")], body).into_response()
    }
}

async fn resumer(State(s): State<Resumer>, method: Method, body: Bytes) -> Response {
    match method {
        Method::GET => {
            s.gets.fetch_add(1, Ordering::SeqCst);
            s.priming()
        }
        Method::POST => {
            let message: Value = serde_json::from_slice(&body).unwrap_or_default();
            match (message.get("id"), message["method"].as_str()) {
                (Some(id), Some("initialize")) => {
                    let answer = json!({"jsonrpc": "2.0", "id": id, "result": {
                        "protocolVersion": "2025-11-25",
                        "capabilities": {"tools": {}},
                        "serverInfo": {"name": "resumer", "version": "0"}
                    }});
                    let session = header::HeaderName::from_static("mcp-session-id");
                    ([(header::CONTENT_TYPE, "application/json"), (session, "s-1")], answer.to_string()).into_response()
                }
                (Some(_), _) => s.priming(),
                (None, _) => StatusCode::ACCEPTED.into_response(),
            }
        }
        _ => StatusCode::OK.into_response(),
    }
}

/// Start a [`Resumer`] and connect a 2025 client to it.
async fn resumed(
    retry_ms: u64,
    config: impl FnOnce(StreamableHttpClientConfig) -> StreamableHttpClientConfig,
) -> (RunningService<RoleClient, Client>, Arc<AtomicUsize>) {
    let gets = Arc::new(AtomicUsize::new(0));
    let state = Resumer { retry_ms, gets: gets.clone(), events: Arc::new(AtomicUsize::new(0)) };
    let url = serve(Router::new().route("/mcp", axum::routing::any(resumer)).with_state(state)).await + "/mcp";
    let transport = StreamableHttpClientTransport::with_config(config(StreamableHttpClientConfig::new(url)));
    let client = bounded("connecting", Client::stateful().serve(transport)).await.expect("initialized");
    (client, gets)
}

async fn serve(app: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    origin
}

/// Call a tool whose answer stream the server keeps closing, for `window`.
async fn call_for(client: &RunningService<RoleClient, Client>, window: Duration) {
    let options = RequestOptions::new().with_timeout(window);
    let err = client.call_tool_with(CallToolRequestParams::new("x"), options).await.unwrap_err();
    assert!(matches!(err, ServiceError::Timeout { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_sse_retry_does_not_make_a_busy_loop() {
    let window = Duration::from_millis(1200);
    // The answer stream of a request (no standalone stream to count besides).
    let (client, gets) = resumed(0, |c| c.with_standalone_stream(false)).await;
    call_for(&client, window).await;
    let resumptions = gets.load(Ordering::SeqCst);
    // 100 ms at least between attempts: about 12 in the window, not thousands.
    assert!((3..=16).contains(&resumptions), "{resumptions} resumptions in {window:?}");
    client.cancel().await;

    // The standalone stream.
    let (client, gets) = resumed(0, |c| c).await;
    tokio::time::sleep(window).await;
    let reconnections = gets.load(Ordering::SeqCst);
    assert!((3..=16).contains(&reconnections), "{reconnections} reconnections in {window:?}");
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sse_retry_of_hours_is_capped() {
    let hour = 3_600_000;
    let window = Duration::from_millis(1200);
    let cap = |c: StreamableHttpClientConfig| c.with_max_retry_delay(Duration::from_millis(200));
    let (client, gets) = resumed(hour, |c| cap(c).with_standalone_stream(false)).await;
    call_for(&client, window).await;
    let resumptions = gets.load(Ordering::SeqCst);
    assert!(resumptions >= 3, "{resumptions} resumptions in {window:?}: the server's hour was waited");
    client.cancel().await;

    let (client, gets) = resumed(hour, cap).await;
    tokio::time::sleep(window).await;
    let reconnections = gets.load(Ordering::SeqCst);
    assert!(reconnections >= 3, "{reconnections} reconnections in {window:?}: the server's hour was waited");
    client.cancel().await;
}

// ---------------------------------------------------------------------------------------------
// OAuth discovery, over HTTP.

/// A server that counts every request it gets and answers 404: where the client must not go.
async fn bystander() -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = Router::new().fallback(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { StatusCode::NOT_FOUND }
    });
    (serve(app).await, hits)
}

const REDIRECT: &str = "http://127.0.0.1:9/callback";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resource_metadata_on_another_origin_is_never_fetched() {
    let (elsewhere, hits) = bystander().await;
    // Every POST is refused with a challenge naming metadata on the bystander's origin.
    let challenge = format!(r#"Bearer resource_metadata="{elsewhere}/.well-known/oauth-protected-resource""#);
    let app = Router::new().route(
        "/mcp",
        axum::routing::post(move || {
            let challenge = challenge.clone();
            async move { (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, challenge)]).into_response() }
        }),
    );
    let url = serve(app).await + "/mcp";
    let oauth = OAuthClient::new(&url, FetchRedirect::new(REDIRECT), OAuthConfig::new("client-trust")).unwrap();
    let config = StreamableHttpClientConfig::new(&url).with_auth(oauth);
    let connected = bounded("connecting", Client::stateful().serve(StreamableHttpClientTransport::with_config(config)));
    assert!(connected.await.is_err(), "no metadata, no authorization");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the other origin was asked for the metadata");
}

/// An MCP server on a "remote" host name (resolved to 127.0.0.1 by the client alone) whose
/// resource metadata names `issuer` as its authorization server.
async fn remote_server_naming(issuer: String) -> (String, reqwest::Client) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://mcp.remote.example:{}/mcp", addr.port());
    let prm = json!({"resource": url, "authorization_servers": [issuer]}).to_string();
    let app = Router::new().route(
        "/.well-known/oauth-protected-resource/mcp",
        axum::routing::get(move || {
            let prm = prm.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], prm) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(3))
        .resolve("mcp.remote.example", addr)
        .build()
        .unwrap();
    (url, http)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_server_cannot_name_a_loopback_or_link_local_issuer() {
    let (local_as, hits) = bystander().await;
    for issuer in [local_as, "http://169.254.169.254".to_owned(), "https://10.0.0.1".to_owned()] {
        let (url, http) = remote_server_naming(issuer.clone()).await;
        let mut config = OAuthConfig::new("client-trust");
        config.http = http;
        let oauth = OAuthClient::new(&url, FetchRedirect::new(REDIRECT), config).unwrap();
        let refused = bounded("authorizing", oauth.authorize()).await;
        assert!(
            matches!(refused, Err(AuthError::PrivateAddress { ref url, .. }) if *url == issuer),
            "{issuer}: {refused:?}"
        );
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the loopback authorization server was asked for its metadata");
}
