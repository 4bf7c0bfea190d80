//! The engine over an in-process duplex pair: handshakes of both eras, concurrency, cancellation,
//! timeouts, progress, shutdown.

mod common;

use std::time::Duration;

use common::{Event, TestServer, call, text_of};
use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference};
use rmcp_core::model::{
    CreateMessageRequestParams, CreateMessageResult, ErrorCode, ProtocolVersion, RequestId, Role,
    SamplingMessageContentBlock, TextContent,
};
use rmcp_core::service::{
    DynService, McpError, QuitReason, RequestContext, RequestIdProvider, RequestOptions, RoleClient, RoleServer,
    RunningService, ServeOptions, ServiceError, ServiceExt,
};
use rmcp_core::transport::duplex;
use tokio::sync::mpsc;

struct Client {
    protocol: ProtocolPreference,
}

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.protocol.clone())
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, McpError> {
        Ok(CreateMessageResult::new(
            Role::Assistant,
            SamplingMessageContentBlock::Text(TextContent::new("ok")),
            format!("stand-in-{}", params.max_tokens),
        ))
    }
}

type Pair =
    (RunningService<RoleClient, Client>, RunningService<RoleServer, TestServer>, mpsc::UnboundedReceiver<Event>);

async fn connect(protocol: ProtocolPreference) -> Pair {
    let (a, b) = duplex(64 * 1024);
    let (server, events) = TestServer::new();
    let server = server.serve(a).await.expect("server starts");
    let client = Client { protocol }.serve(b).await.expect("client handshake");
    (client, server, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateful_handshake_then_tools() {
    let (client, server, _events) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::V2025_11_25));
    let info = client.server_info().expect("server info");
    assert_eq!(info.server_info.name, "test-server");
    assert!(info.capabilities.tools.is_some());
    // The server learned who the client is.
    assert!(server.peer().client_info().is_some());

    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 5);
    let r = client.call_tool(call("echo", serde_json::json!({"text": "hello"}))).await.unwrap();
    assert_eq!(text_of(&r), "hello");
    assert_eq!(r.result_type, None, "2025 results carry no resultType");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_era_carries_meta_and_result_type() {
    let (client, server, _events) = connect(ProtocolPreference::Stateless).await;
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::V2026_07_28));
    assert!(server.peer().client_info().is_none(), "no handshake happened");
    let r = client.call_tool(call("echo", serde_json::json!({"text": "x"}))).await.unwrap();
    assert_eq!(r.result_type, Some(rmcp_core::model::ResultType::Complete));
    let list = client.list_tools(None).await.unwrap();
    assert!(list.ttl_ms.is_some() && list.cache_scope.is_some(), "cache hints on 2026 list results");
    let server_info = list.meta.as_ref().and_then(|m| m.get("io.modelcontextprotocol/serverInfo")).unwrap();
    assert_eq!(server_info["name"], "test-server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_prefers_the_stateless_protocol() {
    let (client, _server, _events) = connect(ProtocolPreference::Auto).await;
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::V2026_07_28));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_handler_does_not_block_others() {
    let (client, _server, mut events) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    let slow = {
        let client = client.peer().clone();
        tokio::spawn(async move { client.call_tool(call("slow", serde_json::json!({"ms": 2_000, "tag": "s"}))).await })
    };
    assert_eq!(events.recv().await, Some(Event::Started("s".into())));
    // While the slow call runs, fast calls complete: responses go out of order.
    for i in 0..20 {
        let r = client.call_tool(call("echo", serde_json::json!({"text": i.to_string()}))).await.unwrap();
        assert_eq!(text_of(&r), i.to_string());
    }
    assert!(!slow.is_finished());
    slow.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_request_cancels_it_at_the_server() {
    let (client, _server, mut events) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    let handle = tokio::spawn({
        let client = client.peer().clone();
        async move { client.call_tool(call("slow", serde_json::json!({"tag": "dropped"}))).await }
    });
    assert_eq!(events.recv().await, Some(Event::Started("dropped".into())));
    handle.abort();
    assert_eq!(events.recv().await, Some(Event::Cancelled("dropped".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_keeps_a_timeout_alive_even_without_a_callback() {
    let (client, _server, _events) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    // 6 steps 60 ms apart take ~360 ms, longer than the 150 ms timeout, which progress restarts.
    let slow_steps = serde_json::json!({"steps": 6, "pause_ms": 60});
    let alive = RequestOptions::new().with_timeout(Duration::from_millis(150)).reset_timeout_on_progress();
    let r = client.call_tool_with(call("progress", slow_steps.clone()), alive).await.unwrap();
    assert_eq!(text_of(&r), "done");
    // Without the reset the same call (asking for progress through a callback) times out.
    let plain = RequestOptions::new().with_timeout(Duration::from_millis(150)).on_progress(|_| {});
    let err = client.call_tool_with(call("progress", slow_steps), plain).await.unwrap_err();
    assert!(matches!(err, ServiceError::Timeout { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_fails_the_call_and_cancels_it() {
    let (client, _server, mut events) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    let err = client
        .call_tool_with(
            call("slow", serde_json::json!({"tag": "t"})),
            RequestOptions::new().with_timeout(Duration::from_millis(200)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Timeout { timeout } if timeout == Duration::from_millis(200)), "{err:?}");
    assert_eq!(events.recv().await, Some(Event::Started("t".into())));
    assert_eq!(events.recv().await, Some(Event::Cancelled("t".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_reaches_the_caller_and_resets_the_timeout() {
    let (client, _server, _events) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    let (options, mut progress) = RequestOptions::new()
        .with_timeout(Duration::from_millis(400))
        .reset_timeout_on_progress()
        .with_progress_stream();
    // 6 steps of 150 ms: 900 ms in all, longer than the timeout, but each step resets it.
    let r = client
        .call_tool_with(call("progress", serde_json::json!({"steps": 6, "pause_ms": 150})), options)
        .await
        .unwrap();
    assert_eq!(text_of(&r), "done");
    let mut seen = Vec::new();
    while let Ok(p) = progress.try_recv() {
        seen.push(p.progress);
    }
    assert_eq!(seen, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_to_client_request_during_a_call() {
    let (client, _server, _events) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    let r = client.call_tool(call("sample", serde_json::json!({}))).await.unwrap();
    assert_eq!(text_of(&r), "\"stand-in-16\"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_errors_are_json_rpc_errors() {
    let (client, _server, _events) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    let err = client.call_tool(call("fail", serde_json::json!({}))).await.unwrap_err();
    let e = err.as_error_response().expect("an MCP error");
    assert_eq!(e.code, ErrorCode::INTERNAL_ERROR);
    assert_eq!(e.message, "tool exploded");
    // Undeclared capability: the server has no prompts.
    let err = client.list_prompts(None).await.unwrap_err();
    assert_eq!(err.as_error_response().unwrap().code, ErrorCode::METHOD_NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_requests_fail_promptly_when_the_server_goes_away() {
    let (client, server, mut events) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    let calls: Vec<_> = (0..10)
        .map(|i| {
            let c = client.peer().clone();
            tokio::spawn(async move { c.call_tool(call("slow", serde_json::json!({"tag": i.to_string()}))).await })
        })
        .collect();
    for _ in 0..10 {
        assert!(matches!(events.recv().await, Some(Event::Started(_))));
    }
    let started = std::time::Instant::now();
    server.cancel().await;
    for c in calls {
        let r = tokio::time::timeout(Duration::from_secs(2), c).await.expect("fails promptly").unwrap();
        assert!(matches!(r, Err(ServiceError::TransportClosed)), "{r:?}");
    }
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(client.ping().await, Err(ServiceError::TransportClosed)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_with_timeout_drains_in_flight_requests() {
    let (client, server, mut events) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    let c = client.peer().clone();
    let call = tokio::spawn(async move { c.call_tool(call("slow", serde_json::json!({"ms": 300, "tag": "d"}))).await });
    assert_eq!(events.recv().await, Some(Event::Started("d".into())));
    let reason = server.close_with_timeout(Duration::from_secs(5)).await;
    assert!(matches!(reason, QuitReason::Closed), "{reason:?}");
    assert_eq!(events.recv().await, Some(Event::Finished("d".into())));
    let r = call.await.unwrap().unwrap();
    assert_eq!(text_of(&r), "d");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dyn_services_share_one_collection() {
    let mut servers: Vec<RunningService<RoleServer, Box<dyn DynService<RoleServer>>>> = Vec::new();
    let mut clients = Vec::new();
    for _ in 0..3 {
        let (a, b) = duplex(4096);
        let (server, _events) = TestServer::new();
        servers.push(server.into_dyn().serve(a).await.unwrap());
        clients.push(Client { protocol: ProtocolPreference::Auto }.serve(b).await.unwrap());
    }
    for client in &clients {
        assert_eq!(client.list_all_tools().await.unwrap().len(), 5);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_requests_in_flight_are_all_matched() {
    let (client, _server, _events) = connect(ProtocolPreference::Stateless).await;
    let calls = (0..500).map(|i| {
        let c = client.peer().clone();
        async move { (i, c.call_tool(call("echo", serde_json::json!({"text": i.to_string()}))).await) }
    });
    let results = futures::future::join_all(calls).await;
    for (i, r) in results {
        assert_eq!(text_of(&r.unwrap()), i.to_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_over_the_in_flight_limit_are_refused_not_queued() {
    let (a, b) = duplex(64 * 1024);
    let (server, mut events) = TestServer::new();
    let _server = server.serve_with_options(a, ServeOptions::new().with_max_in_flight(2)).await.unwrap();
    let client = Client { protocol: ProtocolPreference::Stateless }.serve(b).await.unwrap();
    let slow: Vec<_> = (0..2)
        .map(|i| {
            let c = client.peer().clone();
            tokio::spawn(async move { c.call_tool(call("slow", serde_json::json!({"tag": i.to_string()}))).await })
        })
        .collect();
    for _ in 0..2 {
        assert!(matches!(events.recv().await, Some(Event::Started(_))));
    }
    let err = client.call_tool(call("echo", serde_json::json!({"text": "x"}))).await.unwrap_err();
    assert!(err.as_error_response().unwrap().message.contains("too many requests in flight"), "{err}");
    for s in slow {
        s.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_our_side_fails_our_pending_requests_as_cancelled() {
    let (client, _server, mut events) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    let c = client.peer().clone();
    let pending = tokio::spawn(async move { c.call_tool(call("slow", serde_json::json!({"tag": "p"}))).await });
    assert_eq!(events.recv().await, Some(Event::Started("p".into())));
    client.cancel().await;
    let r = pending.await.unwrap();
    assert!(matches!(r, Err(ServiceError::Cancelled { .. })), "{r:?}");
}

#[derive(Debug, Default)]
struct StringIds(std::sync::atomic::AtomicU32);

impl RequestIdProvider for StringIds {
    fn next_request_id(&self) -> RequestId {
        RequestId::from(format!("req-{}", self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_are_pluggable() {
    let (a, b) = duplex(64 * 1024);
    let (server, _events) = TestServer::new();
    let _server = server.serve(a).await.unwrap();
    let ids = std::sync::Arc::new(StringIds::default());
    let client = Client { protocol: ProtocolPreference::Stateless }
        .serve_with_options(b, ServeOptions::new().with_request_ids(ids.clone()))
        .await
        .unwrap();
    let r = client.call_tool(call("echo", serde_json::json!({"text": "hi"}))).await.unwrap();
    assert_eq!(text_of(&r), "hi");
    // discover + call
    assert_eq!(ids.0.load(std::sync::atomic::Ordering::Relaxed), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_sent_while_handling_a_request_name_that_request() {
    use futures::{SinkExt, StreamExt};
    use rmcp_core::model::{JsonRpcMessage, RequestId};
    use rmcp_core::transport::{Frame, Outbound, SinkStreamTransport};

    // A channel transport, as a multiplexing transport (Streamable HTTP) would build one.
    let (in_tx, in_rx) = futures::channel::mpsc::unbounded::<std::io::Result<Frame>>();
    let (out_tx, mut out_rx) = futures::channel::mpsc::unbounded::<Outbound>();
    let transport = SinkStreamTransport::new(out_tx.sink_map_err(std::io::Error::other), in_rx);
    let (server, _events) = TestServer::new();
    let _running = server.serve(transport).await.unwrap();
    let send = |line: serde_json::Value| {
        let msg = JsonRpcMessage::from_json(&line.to_string()).unwrap();
        in_tx.unbounded_send(Ok(Frame::Message(msg, Default::default()))).unwrap();
    };
    let meta = serde_json::json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "progressToken": "tok"
    });
    send(serde_json::json!({"jsonrpc": "2.0", "id": "call-1", "method": "tools/call",
        "params": {"name": "progress", "arguments": {"steps": 2}, "_meta": meta}}));
    let mut related = Vec::new();
    while let Some(out) = out_rx.next().await {
        let is_response = matches!(out.message, JsonRpcMessage::Response(_));
        related.push(out.related_request.clone());
        if is_response {
            break;
        }
    }
    assert_eq!(related.len(), 3, "two progress notifications, then the response");
    assert!(related.iter().all(|r| r == &Some(RequestId::from("call-1"))), "{related:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_service_ending_does_not_cancel_a_shared_token() {
    let shared = rmcp_core::CancellationToken::new();
    let (a, b) = duplex(4096);
    let (server, _events) = TestServer::new();
    let first = server.serve_with_ct(a, shared.clone()).await.unwrap();
    let client = Client { protocol: ProtocolPreference::Stateless }.serve(b).await.unwrap();
    client.cancel().await;
    first.waiting().await;
    assert!(!shared.is_cancelled(), "a caller's token is the caller's");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_requests_cannot_send_requests_to_the_client() {
    let (client, _server, _events) = connect(ProtocolPreference::Stateless).await;
    let err = client.call_tool(call("sample", serde_json::json!({}))).await.unwrap_err();
    let message = err.as_error_response().unwrap().message.to_string();
    assert!(message.contains("input_required"), "{message}");
}

/// A server whose `initialize` pings the client first, which the spec allows.
struct PingFirst;

impl rmcp_core::ServerHandler for PingFirst {
    async fn initialize(
        &self,
        _params: rmcp_core::model::InitializeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<rmcp_core::model::InitializeResult, McpError> {
        ctx.peer.ping().await.map_err(|e| McpError::internal_error(e.to_string()))?;
        let info = rmcp_core::service::Service::<RoleServer>::get_info(self);
        Ok(rmcp_core::model::InitializeResult::new(ctx.protocol_version, info.capabilities, info.server_info))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_initialize_handler_may_talk_to_the_client() {
    let (a, b) = duplex(4096);
    let _server = PingFirst.serve(a).await.unwrap();
    let client = tokio::time::timeout(
        Duration::from_secs(5),
        Client { protocol: ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25) }.serve(b),
    )
    .await
    .expect("no deadlock")
    .unwrap();
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::V2025_11_25));
}

/// With inline polling off, a handler may block (in `block_in_place`) on a request to the client:
/// the connection's own task is free to carry the request and its answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_inline_requests_off_a_handler_may_block_on_the_client() {
    let (a, b) = duplex(64 * 1024);
    let (server, _events) = TestServer::new();
    let options = ServeOptions::default().with_inline_requests(false);
    let _server = server.serve_with_options(a, options).await.expect("server starts");
    let protocol = ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25);
    let client = Client { protocol }.serve(b).await.expect("client handshake");
    let call = client.call_tool(call("blocking_sample", serde_json::json!({})));
    let result = tokio::time::timeout(Duration::from_secs(10), call).await.expect("no deadlock").unwrap();
    assert_eq!(text_of(&result), "stand-in-16");
}

/// At the end of input the engine waits for the requests still running, not for notification
/// handlers: nobody waits for their outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_end_of_input_does_not_wait_for_a_notification_handler() {
    let (client, server, _events) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    // The test server's roots-changed handler sleeps for a minute.
    client.notify_roots_list_changed().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(client);
    let quit = tokio::time::timeout(Duration::from_secs(5), server.waiting()).await;
    assert!(matches!(quit, Ok(QuitReason::Closed)), "the server stops at once, not after the drain timeout");
}
