//! Three instances of one server sharing a Redis (sessions, events, the bus), behind a real
//! nginx balancing round-robin with no sticky sessions, and our own client through it: every
//! instance serves the session, the answer to an elicitation reaches the instance that asked
//! whichever instance the client POSTed it to, a notification for the GET stream reaches the
//! instance holding it, the log level set on one instance holds on the others, and a DELETE
//! ends the session everywhere.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ContentBlock, ElicitRequestFormParams,
    ElicitRequestParams, ElicitResult, ElicitValue, ElicitationSchema, Implementation, LoggingLevel,
    LoggingMessageNotificationParams, ResourceUpdatedNotificationParams, ServerCapabilities, SetLevelRequestParams,
    StringSchema, SubscribeRequestParams, UnsubscribeRequestParams,
};
use rmcp_core::service::{McpError, NotificationContext, RequestContext, RoleClient, RoleServer, ServiceExt};
use rmcp_core::transport::http::{
    EventStore, MessageBus, SessionStore, StreamableHttpClientTransport, StreamableHttpConfig, StreamableHttpService,
};
use rmcp_core::{CancellationToken, ProtocolVersion};
use rmcp_redis::{RedisEventStore, RedisEventStoreOptions, RedisMessageBus, RedisSessionStore};
use support::nginx::Nginx;
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// A server naming its instance in every answer.
#[derive(Clone)]
struct Named(&'static str);

fn text(s: String) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(s)])
}

impl ServerHandler for Named {
    fn get_info(&self) -> ServerInfo {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_logging()
            .enable_resources()
            .enable_resources_subscribe()
            .build();
        ServerInfo::new(Implementation::new("scale-out-test", "0"), capabilities)
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        match &*params.name {
            "whoami" => Ok(text(self.0.to_owned())),
            "ask" => {
                let schema = ElicitationSchema::new().with_property("name", StringSchema::new());
                let form = ElicitRequestFormParams::new("your name?", schema);
                let answer = ctx
                    .peer
                    .create_elicitation(ElicitRequestParams::Form(form))
                    .await
                    .map_err(|e| McpError::internal_error(e.to_string()))?;
                let name = match answer.content.as_ref().and_then(|c| c.get("name")) {
                    Some(ElicitValue::String(name)) => name.clone(),
                    other => return Err(McpError::internal_error(format!("unexpected answer {other:?}"))),
                };
                Ok(text(format!("{} asked, {name} answered", self.0)))
            }
            "announce" => {
                // Related to no request: it goes to the session's GET stream (2025) or to the
                // listen streams (2026), wherever held.
                let peer = ctx.peer.clone();
                tokio::spawn(async move { peer.notify_tool_list_changed().await });
                Ok(text(self.0.to_owned()))
            }
            "log" => {
                ctx.log(LoggingLevel::Debug, format!("debug from {}", self.0)).await.ok();
                ctx.log(LoggingLevel::Warning, format!("warning from {}", self.0)).await.ok();
                Ok(text(self.0.to_owned()))
            }
            other => Err(McpError::invalid_params(format!("no tool {other}"))),
        }
    }
}

/// One instance: its own connections to Redis, its own listener.
struct Instance {
    port: u16,
    service: StreamableHttpService<Named>,
    stop: CancellationToken,
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn instance(name: &'static str, redis: &support::RedisServer) -> Instance {
    let url = redis.url();
    let events: Arc<dyn EventStore> =
        Arc::new(RedisEventStore::connect(&url, RedisEventStoreOptions::default()).expect("a valid URL"));
    let sessions: Arc<dyn SessionStore> = Arc::new(RedisSessionStore::connect(&url).expect("a valid URL"));
    let bus: Arc<dyn MessageBus> = Arc::new(RedisMessageBus::connect(&url).await.expect("Redis answers"));
    let config = StreamableHttpConfig::default()
        .with_event_store(Some(events))
        .with_session_store(Some(sessions))
        .with_message_bus(Some(bus));
    let service = StreamableHttpService::new(move || Named(name), config);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let stop = CancellationToken::new();
    tokio::spawn(service.clone().serve_listener(listener, stop.clone()));
    Instance { port, service, stop }
}

/// A client that answers elicitations with its name and counts what it is told.
#[derive(Clone, Default)]
struct Watcher {
    list_changes: Arc<Notify>,
    logs: Arc<Mutex<Vec<String>>>,
    updates: Arc<Mutex<Vec<String>>>,
}

impl ClientHandler for Watcher {
    fn get_info(&self) -> ClientInfo {
        // The 2025 era: sessions (a 2026 client would need none).
        ClientInfo::new(
            Implementation::new("scale-out-client", "0"),
            ClientCapabilities::builder().enable_elicitation().build(),
        )
        .with_protocol(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
    }

    async fn create_elicitation(
        &self,
        _params: ElicitRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, McpError> {
        let content = BTreeMap::from([("name".to_owned(), ElicitValue::String("ada".to_owned()))]);
        Ok(ElicitResult::accept(content))
    }

    async fn on_tool_list_changed(&self, _ctx: NotificationContext<RoleClient>) {
        self.list_changes.notify_one();
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        self.logs.lock().unwrap().push(params.data.to_string());
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        self.updates.lock().unwrap().push(params.uri);
    }
}

fn call(name: &str) -> CallToolRequestParams {
    CallToolRequestParams::new(name.to_owned())
}

fn text_of(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect()
}

/// The commands counted in `INFO commandstats`, but for `except` (the test's own, the heartbeat).
fn commands_except(stats: &str, except: &[&str]) -> u64 {
    stats
        .lines()
        .filter_map(|line| line.strip_prefix("cmdstat_"))
        .filter_map(|line| line.split_once(":calls="))
        .filter(|(name, _)| !except.contains(name))
        .filter_map(|(_, rest)| rest.split(',').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_instance_serves_any_request_of_a_session() {
    let redis = redis_or_skip!();
    let names = ["a", "b", "c"];
    let mut instances = Vec::new();
    for name in names {
        instances.push(instance(name, &redis).await);
    }
    let ports: Vec<u16> = instances.iter().map(|i| i.port).collect();
    let Some(nginx) = Nginx::start(&ports) else { return };

    let watcher = Watcher::default();
    let client =
        watcher.clone().serve(StreamableHttpClientTransport::new(nginx.url())).await.expect("initialize through nginx");

    // Plain calls land on every instance in turn, each restoring the session once.
    let mut served = BTreeSet::new();
    for _ in 0..12 {
        let result = client.call_tool(call("whoami")).await.expect("a call through nginx");
        served.insert(text_of(&result));
    }
    assert_eq!(served, BTreeSet::from(names.map(String::from)), "round-robin reached every instance");
    let counts: Vec<usize> = instances.iter().map(|i| i.service.session_count()).collect();
    assert_eq!(counts, [1, 1, 1], "each instance holds the session");

    // Once every instance holds the session, a plain call costs Redis nothing (the record is
    // kept alive once a quarter of its lifetime; a JSON answer stores no event).
    let mut conn = redis.inspect().await;
    let () = redis::cmd("CONFIG").arg("RESETSTAT").query_async(&mut conn).await.unwrap();
    for _ in 0..30 {
        client.call_tool(call("whoami")).await.expect("a call");
    }
    let stats: String = redis::cmd("INFO").arg("commandstats").query_async(&mut conn).await.unwrap();
    let commands = commands_except(&stats, &["info", "config|resetstat", "psetex"]);
    assert!(commands <= 2 * 30, "at most 2 Redis commands per call: {commands} for 30\n{stats}");
    println!("Redis commands for 30 plain calls: {commands}");

    // The answer to an elicitation goes to the instance that asked, wherever it was POSTed.
    for _ in 0..9 {
        let result = client.call_tool(call("ask")).await.expect("an elicitation across instances");
        let said = text_of(&result);
        assert!(said.ends_with("asked, ada answered"), "{said}");
    }

    // A notification for the GET stream reaches the client from every instance.
    for _ in 0..3 {
        client.call_tool(call("announce")).await.expect("announce");
        tokio::time::timeout(Duration::from_secs(5), watcher.list_changes.notified())
            .await
            .expect("the list change reached the client's GET stream");
    }

    // The level set through one instance holds on all of them.
    client.set_level(SetLevelRequestParams::new(LoggingLevel::Warning)).await.expect("setLevel");
    watcher.logs.lock().unwrap().clear();
    for _ in 0..6 {
        client.call_tool(call("log")).await.expect("log");
    }
    let logs = watcher.logs.lock().unwrap().clone();
    assert!(logs.iter().all(|l| l.contains("warning")), "debug logs filtered everywhere: {logs:?}");
    for name in names {
        assert!(logs.iter().any(|l| l.contains(&format!("warning from {name}"))), "{name} logged: {logs:?}");
    }

    let events: Vec<String> = redis::cmd("KEYS").arg("rmcp:events:*").query_async(&mut conn).await.unwrap();
    assert!(!events.is_empty(), "the SSE answers left events in Redis");

    // A subscription made through one instance: an update announced on any instance reaches the
    // client once (from the instance holding its GET stream), and none after unsubscribing.
    client.subscribe(SubscribeRequestParams::new("file:///a")).await.expect("subscribe");
    for (round, i) in instances.iter().enumerate() {
        i.service.notify_resource_updated("file:///a").await;
        i.service.notify_resource_updated("file:///not-subscribed").await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while watcher.updates.lock().unwrap().len() <= round {
            assert!(tokio::time::Instant::now() < deadline, "update {round} reached the client");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(*watcher.updates.lock().unwrap(), ["file:///a"; 3], "each update once, from one instance");
    client.unsubscribe(UnsubscribeRequestParams::new("file:///a")).await.expect("unsubscribe");
    // The record changed: every instance reads it again (over the bus) before the next update.
    tokio::time::sleep(Duration::from_millis(300)).await;
    instances[0].service.notify_resource_updated("file:///a").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(watcher.updates.lock().unwrap().len(), 3, "nothing after unsubscribing");

    // Closing the client deletes the session: every instance drops it, and Redis forgets it.
    client.cancel().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while instances.iter().any(|i| i.service.session_count() != 0) {
        assert!(tokio::time::Instant::now() < deadline, "every instance dropped the deleted session");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let keys: Vec<String> = redis::cmd("KEYS").arg("rmcp:session:*").query_async(&mut conn).await.unwrap();
    assert!(keys.is_empty(), "the session's record is gone: {keys:?}");
    // And its events (the elicitations went over SSE, so there were some).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let keys: Vec<String> = redis::cmd("KEYS").arg("rmcp:events:*").query_async(&mut conn).await.unwrap();
        if keys.is_empty() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the session's events are gone: {keys:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_survives_its_instance_and_redis_going_away_gives_503() {
    let mut redis = redis_or_skip!();
    let first = instance("a", &redis).await;
    let second = instance("b", &redis).await;

    let post = |port: u16, session: Option<&str>, body: &'static str| {
        let mut request = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/mcp"))
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", "2025-11-25")
            .body(body);
        if let Some(session) = session {
            request = request.header("Mcp-Session-Id", session);
        }
        request.send()
    };
    let init = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#;
    let opened = post(first.port, None, init).await.expect("initialize");
    assert_eq!(opened.status(), 200);
    let session = opened.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let session = Some(session.as_str());
    let initialized = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
    assert_eq!(post(first.port, session, initialized).await.unwrap().status(), 202);
    drop(first);

    // The session continues on the second instance.
    let whoami = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami"}}"#;
    let answer = post(second.port, session, whoami).await.expect("a POST");
    assert_eq!(answer.status(), 200);
    assert!(answer.text().await.unwrap().contains(r#""text":"b""#));

    // A third instance, with Redis gone: 503 saying so, not a 404 that would lose the session.
    let third = instance("c", &redis).await;
    redis.kill();
    let refused = post(third.port, session, whoami).await.expect("a POST");
    assert_eq!(refused.status(), 503);
    assert!(refused.text().await.unwrap().contains("session store is unreachable"));

    // Redis back (empty, as after a crash without persistence): new sessions work again.
    redis.restart();
    let reopened = post(third.port, None, init).await.expect("initialize");
    assert_eq!(reopened.status(), 200, "the instance recovered with Redis");
}

/// A 2026-07-28 POST (no session: `_meta` carries what a session would), with the headers that
/// mirror its method and name.
fn stateless(url: &str, body: serde_json::Value) -> reqwest::RequestBuilder {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("MCP-Protocol-Version", "2026-07-28")
        .header("Mcp-Method", body["method"].as_str().unwrap_or_default());
    if let Some(name) = body["params"]["name"].as_str() {
        request = request.header("Mcp-Name", name);
    }
    request.body(body.to_string())
}

fn meta() -> serde_json::Value {
    serde_json::json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}
    })
}

/// Read from an SSE response until its data holds `needle` (or 5 s pass).
async fn read_until(response: &mut reqwest::Response, seen: &mut String, needle: &str) -> bool {
    let read = async {
        while !seen.contains(needle) {
            match response.chunk().await {
                Ok(Some(chunk)) => seen.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), read).await;
    seen.contains(needle)
}

/// 2026-07-28: a tool list change made on one instance reaches the `subscriptions/listen`
/// streams held by the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_changes_reach_listen_streams_on_every_instance() {
    let redis = redis_or_skip!();
    let (a, b) = (instance("a", &redis).await, instance("b", &redis).await);
    let url = |i: &Instance| format!("http://127.0.0.1:{}/mcp", i.port);
    let listen = serde_json::json!({"jsonrpc": "2.0", "id": "sub-1", "method": "subscriptions/listen",
        "params": {"notifications": {"toolsListChanged": true}, "_meta": meta()}});
    let mut stream = stateless(&url(&a), listen).send().await.expect("listen on a");
    let mut seen = String::new();
    assert!(read_until(&mut stream, &mut seen, "subscriptions/acknowledged").await, "acknowledged: {seen}");

    let call = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "announce", "arguments": {}, "_meta": meta()}});
    let answer = stateless(&url(&b), call).send().await.expect("announce on b");
    assert!(answer.text().await.unwrap().contains(r#""text":"b""#));
    assert!(
        read_until(&mut stream, &mut seen, "notifications/tools/list_changed").await,
        "b's list change reached a's listen stream: {seen}"
    );
    assert!(seen.contains(r#""io.modelcontextprotocol/subscriptionId":"sub-1""#), "{seen}");
}
