//! Two instances of our Streamable HTTP server on 127.0.0.1 sharing a `RedisTaskBackend`: a
//! 2026-07-28 client calls a tool as a task on one, another client polls and cancels it on the
//! other, and the work on the first instance stops.

mod support;

use std::time::Duration;

use rmcp_core::CancellationToken;
use rmcp_core::handler::tasks::{TaskStore, TaskSupport};
use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ContentBlock, Implementation, ServerCapabilities,
    TaskStatus,
};
use rmcp_core::service::{McpError, RequestContext, RoleServer, ServiceExt};
use rmcp_core::transport::http::client::StreamableHttpClientTransport;
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use rmcp_redis::{RedisTaskBackend, RedisTaskOptions};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A server whose `wait` tool runs as a task until it is stopped, and says when its work stops.
#[derive(Clone)]
struct Server {
    tasks: TaskStore,
    stopped: mpsc::UnboundedSender<()>,
}

/// Says so when the work holding it is dropped (a cancelled task's work is).
struct Stopped(mpsc::UnboundedSender<()>);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(
            Implementation::new("redis-tasks-test", "0"),
            ServerCapabilities::builder().enable_tools().build(),
        )
    }

    async fn call_tool(
        &self,
        _params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let stopped = Stopped(self.stopped.clone());
        self.tasks
            .run(&ctx, TaskSupport::Required, |_task| async move {
                let _stopped = stopped;
                std::future::pending::<()>().await;
                Ok(CallToolResult::success(vec![ContentBlock::text("never")]))
            })
            .await
    }

    fn task_store(&self) -> Option<&TaskStore> {
        Some(&self.tasks)
    }
}

/// One server instance on its own port, stopped on drop, with word of each task's work stopping.
struct Instance {
    url: String,
    stopped: mpsc::UnboundedReceiver<()>,
    stop: CancellationToken,
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn instance(redis: &support::RedisServer) -> Instance {
    let backend = RedisTaskBackend::connect(&redis.url(), RedisTaskOptions::default()).expect("a valid URL");
    let tasks = TaskStore::with_backend(backend, Duration::from_secs(60), Duration::from_millis(50), 100);
    let (report, stopped) = mpsc::unbounded_channel();
    let server = Server { tasks, stopped: report };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/mcp", listener.local_addr().expect("address"));
    let service = StreamableHttpService::new(move || server.clone(), StreamableHttpConfig::default());
    let stop = CancellationToken::new();
    tokio::spawn(service.serve_listener(listener, stop.clone()));
    Instance { url, stopped, stop }
}

/// A 2026-07-28 client that opted into the tasks extension.
struct Client;

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        let caps = ClientCapabilities::builder().enable_tasks_extension().build();
        ClientInfo::new(Implementation::new("c", "1"), caps).with_protocol(ProtocolPreference::Stateless)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_called_on_one_instance_is_polled_and_cancelled_on_another() {
    let redis = redis_or_skip!();
    let (mut a, b) = (instance(&redis).await, instance(&redis).await);
    // Let A's subscription start before anything is published to it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let on_a = Client.serve(StreamableHttpClientTransport::new(a.url.clone())).await.unwrap();
    let on_b = Client.serve(StreamableHttpClientTransport::new(b.url.clone())).await.unwrap();

    let created: Value =
        on_a.send_request("tools/call", &CallToolRequestParams::new("wait"), Default::default()).await.unwrap();
    assert_eq!(created["resultType"], "task", "{created}");
    let id = created["taskId"].as_str().unwrap().to_owned();

    assert_eq!(on_b.get_task(&id).await.unwrap().task.task.status, TaskStatus::Working);
    on_b.cancel_task(&id).await.unwrap();
    tokio::time::timeout(Duration::from_secs(2), a.stopped.recv())
        .await
        .expect("the work on A stopped on the cancellation sent to B")
        .unwrap();
    assert_eq!(on_a.get_task(&id).await.unwrap().task.task.status, TaskStatus::Cancelled);
    assert_eq!(on_b.get_task(&id).await.unwrap().task.task.status, TaskStatus::Cancelled);
}
