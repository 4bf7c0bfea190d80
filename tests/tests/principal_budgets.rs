//! Per-principal shares beyond the HTTP server's pools: the task store's tasks and the event
//! store's bytes. One principal spending its share is refused, another is still served, and the
//! share comes back when the work is done (a finished task makes room for its principal's next;
//! a task expires; a session closes).
//!
//! Two addresses: Linux routes all of 127/8 to the loopback interface, so a client bound to
//! 127.0.0.2 is another peer of a server on 127.0.0.1.

mod http_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http_support::raw::{ACCEPT, client_from, initialize};
use http_support::sse::{Event, Watched, eventually, read_events};
use reqwest::StatusCode;
use rmcp_core::handler::tasks::{TaskStore, TaskSupport};
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{CallToolResult, ContentBlock, Implementation, ProgressNotificationParams, ServerCapabilities};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::{McpError, RequestContext, RoleServer};
use rmcp_core::transport::Principal;
use rmcp_core::transport::http::{InMemoryEventStore, StreamControl, StreamableHttpConfig, StreamableHttpService};
use rmcp_core::{CancellationToken, tool, tool_handler, tool_router};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Serve `service` on an ephemeral loopback port until the token is dropped; its URL.
async fn serve<S: ServerHandler + Clone>(handler: S, config: StreamableHttpConfig) -> (String, StopOnDrop) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let service = StreamableHttpService::new(move || handler.clone(), config);
    let stop = CancellationToken::new();
    tokio::spawn(service.serve_listener(listener, stop.clone()));
    (url, StopOnDrop(stop))
}

struct StopOnDrop(CancellationToken);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// The body of an answer, JSON or the SSE event carrying it.
async fn answer_of(response: reqwest::Response) -> Value {
    let text = tokio::time::timeout(Duration::from_secs(5), response.text()).await.expect("answered").unwrap();
    if let Ok(v) = serde_json::from_str(&text) {
        return v;
    }
    text.lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .filter_map(|d| serde_json::from_str::<Value>(d.trim_start()).ok())
        .find(|m| m.get("id").is_some() && m.get("method").is_none())
        .unwrap_or_else(|| panic!("no answer in {text}"))
}

// ---- Tasks ----------------------------------------------------------------------------------

/// A server whose one tool is a task that runs until the test opens its gate.
#[derive(Clone)]
struct TaskServer {
    tool_router: ToolRouter<Self>,
    tasks: TaskStore,
    gate: Arc<Semaphore>,
}

#[tool_router]
impl TaskServer {
    /// Waits at the gate, as a task.
    #[tool]
    async fn hold(&self, ctx: RequestContext<RoleServer>) -> Result<CallToolResult, McpError> {
        let gate = self.gate.clone();
        self.tasks
            .run(&ctx, TaskSupport::Required, |task| async move {
                let ct = task.cancellation_token();
                tokio::select! {
                    permit = gate.acquire() => permit.expect("the gate stays open").forget(),
                    () = ct.cancelled() => {}
                }
                Ok(CallToolResult::success(vec![ContentBlock::text("held")]))
            })
            .await
    }
}

#[tool_handler]
impl ServerHandler for TaskServer {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("tasks", "0"), ServerCapabilities::default())
    }
    fn task_store(&self) -> Option<&TaskStore> {
        Some(&self.tasks)
    }
}

fn task_server(tasks: TaskStore) -> TaskServer {
    TaskServer { tool_router: TaskServer::tool_router(), tasks, gate: Arc::new(Semaphore::new(0)) }
}

/// A 2026-07-28 request that opted into tasks, from `client`, as `user` when given.
async fn send(client: &reqwest::Client, url: &str, user: Option<&str>, method: &str, params: Value) -> Value {
    let mut params = params;
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"extensions": {"io.modelcontextprotocol/tasks": {}}},
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}
    });
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT)
        .header("MCP-Protocol-Version", "2026-07-28")
        .header("Mcp-Method", method)
        .body(body.to_string());
    if let Some(name) = body["params"]["name"].as_str() {
        request = request.header("Mcp-Name", name);
    }
    if let Some(user) = user {
        request = request.header("x-user", user);
    }
    answer_of(request.send().await.unwrap()).await
}

/// Call `hold`: the new task's id, or the JSON-RPC error refusing it.
async fn create(client: &reqwest::Client, url: &str, user: Option<&str>) -> Result<String, Value> {
    let answer = send(client, url, user, "tools/call", json!({"name": "hold"})).await;
    match answer["result"]["taskId"].as_str() {
        Some(id) => Ok(id.to_owned()),
        None => Err(answer["error"].clone()),
    }
}

/// The refusal of a principal over its share: -32603, naming the limit.
fn assert_over_share(refused: Result<String, Value>, limit: usize) {
    let error = refused.expect_err("over its share");
    assert_eq!(error["code"], -32603, "{error}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains(&format!("too many tasks in progress (limit {limit})")), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_a_quarter_of_the_tasks_and_gets_them_back_as_they_end() {
    // Room for 8 tasks: each principal a quarter, 2, by default.
    let server = task_server(TaskStore::with_limits(Duration::from_secs(60), Duration::from_millis(10), 8));
    let gate = server.gate.clone();
    let (url, _stop) = serve(server, StreamableHttpConfig::default()).await;
    let url = &url;
    let (attacker, other) = (client_from(1), client_from(2));
    let first = create(&attacker, url, None).await.expect("within its share");
    let _second = create(&attacker, url, None).await.expect("within its share");
    assert_over_share(create(&attacker, url, None).await, 2);
    // Another address is still served.
    let _theirs = create(&other, url, None).await.expect("another principal has its own share");

    // A cancelled task gives its share back at once.
    let cancelled = send(&attacker, url, None, "tasks/cancel", json!({"taskId": first})).await;
    assert!(cancelled.get("error").is_none(), "{cancelled}");
    let _third = create(&attacker, url, None).await.expect("the cancelled task's share came back");
    assert_over_share(create(&attacker, url, None).await, 2);

    // Tasks that finish make room: the principal's oldest finished task goes for a new one.
    gate.add_permits(3);
    let mut served = 0;
    for _ in 0..250 {
        if create(&attacker, url, None).await.is_ok() {
            served += 1;
            if served == 2 {
                break;
            }
        } else {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert_eq!(served, 2, "both finished tasks' shares came back");
    assert_over_share(create(&attacker, url, None).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_tasks_kept_for_their_ttl_cannot_fill_the_store() {
    // Room for 8 tasks kept for a minute; tasks that finish at once, 40 of them from one address.
    let server = task_server(TaskStore::with_limits(Duration::from_secs(60), Duration::from_millis(10), 8));
    server.gate.add_permits(1_000);
    let (url, _stop) = serve(server, StreamableHttpConfig::default()).await;
    let url = &url;
    let (attacker, other) = (client_from(1), client_from(2));
    let mut created = Vec::new();
    for _ in 0..40 {
        // Each finishes at once; retry while the previous ones are still finishing.
        let mut id = None;
        for _ in 0..100 {
            if let Ok(task) = create(&attacker, url, None).await {
                id = Some(task);
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        created.push(id.expect("the principal's own finished tasks make room"));
    }
    // Its oldest results made room; its newest is still there.
    let oldest = send(&attacker, url, None, "tasks/get", json!({"taskId": created[0]})).await;
    assert!(oldest.get("error").is_some(), "{oldest}");
    let newest = send(&attacker, url, None, "tasks/get", json!({"taskId": created[39]})).await;
    assert!(newest.get("error").is_none(), "{newest}");
    // The store is not full of its results: another address is served.
    for _ in 0..2 {
        create(&other, url, None).await.expect("another principal still finds room");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authenticated_subject_has_its_own_share_of_the_tasks_until_they_expire() {
    let ttl = Duration::from_millis(300);
    let tasks = TaskStore::with_limits(ttl, Duration::from_millis(10), 100).with_max_tasks_per_principal(1);
    let server = task_server(tasks);
    // An "authentication layer" making the `x-user` header the request's principal; no address
    // is put in the requests, so only subjects count.
    let service = StreamableHttpService::new(move || server.clone(), StreamableHttpConfig::default());
    let authenticate = axum::middleware::map_request(|mut request: axum::extract::Request| async move {
        let user = request.headers().get("x-user").and_then(|v| v.to_str().ok()).map(str::to_owned);
        if let Some(user) = user {
            request.extensions_mut().insert(Principal::new(user));
        }
        request
    });
    let app = axum::Router::new().route_service("/mcp", service).layer(authenticate);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = &format!("http://{}/mcp", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let client = reqwest::Client::new();
    create(&client, url, Some("mallory")).await.expect("within its share");
    assert_over_share(create(&client, url, Some("mallory")).await, 1);
    create(&client, url, Some("alice")).await.expect("the same address, another subject");
    // Without a principal (and no address), only the store's global limit applies.
    for _ in 0..3 {
        create(&client, url, None).await.expect("counted against no one");
    }
    // An expired task's work is stopped and its share given back.
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    create(&client, url, Some("mallory")).await.expect("the expired task's share came back");
    server.abort();
}

// ---- Event store ----------------------------------------------------------------------------

/// A server whose `burst` tool closes its connection (SSE polling) when asked, then sends
/// `after` progress notifications of `size` bytes each, then answers.
#[derive(Clone)]
struct Bursts;

impl ServerHandler for Bursts {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("bursts", "0"), ServerCapabilities::builder().enable_tools().build())
    }

    async fn call_tool(
        &self,
        params: rmcp_core::model::CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let args = params.arguments.clone().unwrap_or_default();
        let num = |k: &str| args.get(k).and_then(Value::as_u64).unwrap_or(0);
        if args.get("close").and_then(Value::as_bool) == Some(true)
            && let Some(control) = ctx.extensions.get::<StreamControl>()
        {
            control.close_connection().await;
        }
        if let Some(token) = ctx.progress_token() {
            for i in 1..=num("after") {
                let p = ProgressNotificationParams::new(token.clone(), i as f64)
                    .with_message("x".repeat(num("size") as usize));
                let _ = ctx.peer.notify_progress(p).await;
            }
        }
        Ok(CallToolResult::success(vec![ContentBlock::text("done")]))
    }
}

/// A POST from `client` on `session`.
fn post(client: &reqwest::Client, url: &str, session: &str, body: &Value) -> reqwest::RequestBuilder {
    client
        .post(url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT)
        .header("Mcp-Session-Id", session)
        .body(body.to_string())
}

/// Open a session from `client`, ready for requests.
async fn open(client: &reqwest::Client, url: &str) -> String {
    let r = client
        .post(url)
        .header("content-type", "application/json")
        .header("accept", ACCEPT)
        .body(initialize(1).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    answer_of(r).await;
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(post(client, url, &id, &initialized).send().await.unwrap().status(), StatusCode::ACCEPTED);
    id
}

/// A `burst` call.
fn burst(args: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "burst", "arguments": args, "_meta": {"progressToken": "t"}}})
}

/// On `session`, a burst of `n` notifications of 400 bytes sent while the client is away (the
/// handler closes the connection first), then its answer; the client comes back once the store
/// has the answer. What the resumed stream replays.
async fn burst_while_away(client: &reqwest::Client, url: &str, session: &str, n: u64, store: &Watched) -> Vec<Event> {
    let before = store.responses.load(Ordering::SeqCst);
    let mut r = post(client, url, session, &burst(json!({"close": true, "after": n, "size": 400}))).send().await;
    let events = read_events(r.as_mut().unwrap(), |e| e.answers(1)).await;
    let primed = events.first().and_then(|e| e.id.clone()).expect("a priming event");
    assert!(eventually(|| store.responses.load(Ordering::SeqCst) > before).await, "the answer was stored");
    let resume = client
        .get(url)
        .header("accept", "text/event-stream")
        .header("Mcp-Session-Id", session)
        .header("Last-Event-ID", &primed);
    read_events(&mut resume.send().await.unwrap(), |e| e.answers(1)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_with_many_sessions_keeps_only_its_budget_of_the_event_store() {
    // 40 kB in all, 10 kB per principal.
    let store = Arc::new(Watched {
        inner: InMemoryEventStore::new(1000, usize::MAX).with_max_total_bytes(40_000),
        responses: AtomicUsize::new(0),
    });
    let config = StreamableHttpConfig::default()
        .with_event_store(Some(store.clone()))
        .with_max_event_bytes_per_principal(10_000);
    let (url, _stop) = serve(Bursts, config).await;
    let url = &url;
    let (attacker, other) = (client_from(1), client_from(2));

    // One session streams 40 kB of notifications live: the store keeps its budget's worth.
    let flood = open(&attacker, url).await;
    let mut r = post(&attacker, url, &flood, &burst(json!({"after": 80, "size": 400}))).send().await.unwrap();
    let events = read_events(&mut r, |e| e.answers(1)).await;
    assert_eq!(events.iter().filter(|e| e.is_progress()).count(), 80, "all delivered live");

    // A second session of the same address finds its budget spent: its notifications are not
    // kept, and its client, resuming, is told of the gap; its answer is kept all the same.
    let second = open(&attacker, url).await;
    let replayed = burst_while_away(&attacker, url, &second, 10, &store).await;
    assert_eq!(replayed.first().and_then(|e| e.kind.as_deref()), Some("gap"), "{replayed:?}");
    assert!(replayed.last().is_some_and(|e| e.answers(1)), "the answer is never lost: {replayed:?}");

    // Another address is served: everything it missed is replayed.
    let theirs = open(&other, url).await;
    let replayed = burst_while_away(&other, url, &theirs, 10, &store).await;
    assert!(replayed.iter().all(|e| e.kind.is_none()), "no gap: {replayed:?}");
    assert_eq!(replayed.iter().filter(|e| e.is_progress()).count(), 10, "{replayed:?}");
    assert!(replayed.last().is_some_and(|e| e.answers(1)), "{replayed:?}");

    // Once the attacker's sessions are closed, its budget comes back.
    for session in [&flood, &second] {
        let r = attacker.delete(url).header("Mcp-Session-Id", session.as_str()).send().await.unwrap();
        assert!(r.status().is_success());
    }
    let third = open(&attacker, url).await;
    let mut replayed = Vec::new();
    for _ in 0..50 {
        // The closed sessions' events go once their engines have stopped.
        replayed = burst_while_away(&attacker, url, &third, 10, &store).await;
        if replayed.iter().all(|e| e.kind.is_none()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(replayed.iter().all(|e| e.kind.is_none()), "no gap: {replayed:?}");
    assert_eq!(replayed.iter().filter(|e| e.is_progress()).count(), 10, "{replayed:?}");
}
