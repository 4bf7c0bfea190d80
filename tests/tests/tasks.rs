//! The tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28) end to end over an
//! in-process pair: a server whose tools run through `TaskStore::run`, and clients with and
//! without the extension.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rmcp_core::handler::tasks::{TaskStore, TaskSupport};
use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ContentBlock, ElicitRequestParams, ElicitResult,
    ErrorCode, Implementation, ServerCapabilities, TaskStatus,
};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::{Elicitation, McpError, RequestContext, ServiceError, ServiceExt};
use rmcp_core::transport::duplex;
use rmcp_core::{RoleClient, RoleServer, tool, tool_handler, tool_router};
use serde_json::{Value, json};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Confirm {
    ok: bool,
}

#[derive(Clone)]
struct Server {
    tool_router: ToolRouter<Self>,
    tasks: TaskStore,
}

#[tool_router]
impl Server {
    /// Takes a while; a task when the client opted in.
    #[tool]
    async fn slow(&self, ctx: RequestContext<RoleServer>) -> Result<CallToolResult, McpError> {
        self.tasks
            .run(&ctx, TaskSupport::Optional, |task| async move {
                let ct = task.cancellation_token();
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(300)) => {}
                    () = ct.cancelled() => {}
                }
                Ok(CallToolResult::success(vec![ContentBlock::text("slow done")]))
            })
            .await
    }

    /// Only as a task; asks for confirmation from inside the task.
    #[tool]
    async fn guarded(&self, ctx: RequestContext<RoleServer>) -> Result<CallToolResult, McpError> {
        self.tasks
            .run(&ctx, TaskSupport::Required, |task| async move {
                let ok = matches!(
                    task.elicit::<Confirm>("confirm", "Go?").await?,
                    Elicitation::Accepted(Confirm { ok: true })
                );
                Ok(CallToolResult::success(vec![ContentBlock::text(format!("confirmed={ok}"))]))
            })
            .await
    }

    /// A task that fails at the protocol level.
    #[tool]
    async fn broken(&self, ctx: RequestContext<RoleServer>) -> Result<CallToolResult, McpError> {
        self.tasks.run(&ctx, TaskSupport::Optional, |_| async { Err(McpError::internal_error("boom")) }).await
    }
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("tasks", "1"), ServerCapabilities::default())
    }
    fn task_store(&self) -> Option<&TaskStore> {
        Some(&self.tasks)
    }
}

struct Client {
    extension: bool,
    protocol: ProtocolPreference,
    elicitations: Arc<AtomicUsize>,
}

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        let mut caps = ClientCapabilities::builder().enable_elicitation();
        if self.extension {
            caps = caps.enable_tasks_extension();
        }
        ClientInfo::new(Implementation::new("c", "1"), caps.build()).with_protocol(self.protocol.clone())
    }
    async fn create_elicitation(
        &self,
        _p: ElicitRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, McpError> {
        self.elicitations.fetch_add(1, Ordering::SeqCst);
        Ok(ElicitResult::accept([("ok".to_owned(), true.into())].into()))
    }
}

async fn connect_with(
    extension: bool,
    protocol: ProtocolPreference,
    tasks: TaskStore,
) -> rmcp_core::RunningService<RoleClient, Client> {
    let (a, b) = duplex(1 << 16);
    let server = Server { tool_router: Server::tool_router(), tasks };
    tokio::spawn(server.serve(a).await.unwrap().waiting());
    Client { extension, protocol, elicitations: Arc::default() }.serve(b).await.unwrap()
}

async fn connect(extension: bool) -> rmcp_core::RunningService<RoleClient, Client> {
    connect_with(extension, ProtocolPreference::Stateless, TaskStore::new()).await
}

fn text(r: &CallToolResult) -> String {
    r.content.iter().filter_map(|c| c.as_text()).collect()
}

#[tokio::test]
async fn call_tool_waits_for_a_task_and_answers_its_input() {
    let client = connect(true).await;
    let discovered = client.discover().await.unwrap();
    assert!(discovered.capabilities.has_extension("io.modelcontextprotocol/tasks"));
    assert_eq!(text(&client.call_tool(CallToolRequestParams::new("slow")).await.unwrap()), "slow done");
    let guarded = client.call_tool(CallToolRequestParams::new("guarded")).await.unwrap();
    assert_eq!(text(&guarded), "confirmed=true");
    assert_eq!(client.service().elicitations.load(Ordering::SeqCst), 1);
    let err = client.call_tool(CallToolRequestParams::new("broken")).await.unwrap_err();
    assert_eq!(err.as_error_response().map(|e| e.message.to_string()).as_deref(), Some("boom"), "{err:?}");
}

#[tokio::test]
async fn the_task_surface_by_hand() {
    let client = connect(true).await;
    let created: Value =
        client.send_request("tools/call", &CallToolRequestParams::new("slow"), Default::default()).await.unwrap();
    assert_eq!(created["resultType"], "task");
    assert!(created.get("requestState").is_none() && created.get("task").is_none(), "{created}");
    assert!(created["ttlMs"].is_u64() && created["pollIntervalMs"].is_u64(), "{created}");
    let id = created["taskId"].as_str().unwrap().to_owned();

    // Retrievable at once, working, then cancelled for good.
    assert_eq!(client.get_task(&id).await.unwrap().task.task.status, TaskStatus::Working);
    client.cancel_task(&id).await.unwrap();
    client.cancel_task(&id).await.unwrap(); // idempotent
    tokio::time::sleep(Duration::from_millis(400)).await;
    let state = client.get_task(&id).await.unwrap();
    assert_eq!(state.task.task.status, TaskStatus::Cancelled);
    assert!(state.task.result.is_none());

    let err = client.get_task("no-such-task").await.unwrap_err();
    assert_eq!(err.as_error_response().map(|e| e.code), Some(ErrorCode::INVALID_PARAMS));

    // Input from inside a task: input_required with the request, then resumed by tasks/update.
    let created: Value =
        client.send_request("tools/call", &CallToolRequestParams::new("guarded"), Default::default()).await.unwrap();
    let id = created["taskId"].as_str().unwrap().to_owned();
    let mut state = client.get_task(&id).await.unwrap();
    for _ in 0..50 {
        if state.task.task.status == TaskStatus::InputRequired {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        state = client.get_task(&id).await.unwrap();
    }
    assert!(state.task.input_requests.unwrap().contains_key("confirm"));
    // A malformed answer is refused at once, and the task keeps waiting.
    let err = client.update_task(&id, json!({"confirm": 12345}).as_object().unwrap().clone()).await.unwrap_err();
    assert_eq!(err.as_error_response().map(|e| e.code), Some(ErrorCode::INVALID_PARAMS), "{err:?}");
    assert_eq!(client.get_task(&id).await.unwrap().task.task.status, TaskStatus::InputRequired);
    let answer = json!({"confirm": {"action": "accept", "content": {"ok": false}}, "ignored": 1});
    client.update_task(&id, answer.as_object().unwrap().clone()).await.unwrap();
    let result = client.wait_for_task(&id).await.unwrap();
    assert_eq!(result["content"][0]["text"], "confirmed=false");
}

#[tokio::test]
async fn without_the_extension_tools_run_inline_or_are_refused() {
    let client = connect(false).await;
    assert_eq!(text(&client.call_tool(CallToolRequestParams::new("slow")).await.unwrap()), "slow done");
    let err = client.call_tool(CallToolRequestParams::new("guarded")).await.unwrap_err();
    let e = err.as_error_response().expect("a JSON-RPC error");
    assert_eq!(e.code, ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY);
    assert_eq!(
        e.data.as_ref().unwrap()["requiredCapabilities"],
        json!({"extensions": {"io.modelcontextprotocol/tasks": {}}})
    );
    let err = client.get_task("any").await.unwrap_err();
    assert_eq!(err.as_error_response().map(|e| e.code), Some(ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY));
}

#[tokio::test]
async fn tasks_expire_after_their_ttl() {
    let store = TaskStore::with_limits(Duration::from_millis(150), Duration::from_millis(10), 100);
    let client = connect_with(true, ProtocolPreference::Stateless, store).await;
    let created: Value =
        client.send_request("tools/call", &CallToolRequestParams::new("broken"), Default::default()).await.unwrap();
    let id = created["taskId"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let state = client.get_task(&id).await.unwrap();
    assert_eq!(state.task.task.status, TaskStatus::Failed);
    assert_eq!(state.task.error.unwrap().message, "boom");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        matches!(client.get_task(&id).await, Err(ServiceError::ErrorResponse(e)) if e.code == ErrorCode::INVALID_PARAMS)
    );
}

#[tokio::test]
async fn a_full_store_refuses_new_tasks() {
    let store = TaskStore::with_limits(Duration::from_secs(60), Duration::from_millis(10), 2);
    let client = connect_with(true, ProtocolPreference::Stateless, store).await;
    for _ in 0..2 {
        let r: Value =
            client.send_request("tools/call", &CallToolRequestParams::new("broken"), Default::default()).await.unwrap();
        assert_eq!(r["resultType"], "task");
    }
    let err = client
        .send_request::<Value>("tools/call", &CallToolRequestParams::new("broken"), Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.as_error_response().map(|e| e.code), Some(ErrorCode::INTERNAL_ERROR));
}
