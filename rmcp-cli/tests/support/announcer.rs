//! A Streamable HTTP server in the test process that sends notifications on demand: the
//! example servers send none that `watch` could show. When the `announce` tool is called, every
//! 2025 session that subscribed or set a log level is told a log message, a resource update and
//! a tool list change; called on 2026, the same update and list change also go to the open
//! `subscriptions/listen` streams that asked for them. Its `whoami` tool echoes the auth
//! headers it got.

use std::sync::{Arc, Mutex};

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{
    EmptyResult, Implementation, LoggingLevel, LoggingMessageNotificationParams, ResourceUpdatedNotificationParams,
    ServerCapabilities, SetLevelRequestParams, SubscribeRequestParams,
};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::{McpError, RequestContext};
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use rmcp_core::{Peer, RoleServer, tool, tool_handler, tool_router};

#[derive(Clone)]
pub struct Announcer {
    listeners: Arc<Mutex<Vec<Peer<RoleServer>>>>,
    tool_router: ToolRouter<Self>,
}

impl Announcer {
    fn listen(&self, ctx: &RequestContext<RoleServer>) {
        self.listeners.lock().unwrap().push(ctx.peer.clone());
    }
}

#[tool_router]
impl Announcer {
    /// Tell every listening session: a log message, an update of `note://news`, a tool list change.
    #[tool]
    async fn announce(&self, message: String, ctx: RequestContext<RoleServer>) -> String {
        if ctx.is_stateless() {
            // The shared 2026 engine's peer: the HTTP server passes these on to listen streams.
            let _ = ctx.peer.notify_resource_updated(ResourceUpdatedNotificationParams::new("note://news")).await;
            let _ = ctx.peer.notify_tool_list_changed().await;
        }
        let listeners = self.listeners.lock().unwrap().clone();
        for peer in &listeners {
            let _ = peer
                .notify_logging_message(LoggingMessageNotificationParams::new(LoggingLevel::Info, message.clone()))
                .await;
            let _ = peer.notify_resource_updated(ResourceUpdatedNotificationParams::new("note://news")).await;
            let _ = peer.notify_tool_list_changed().await;
        }
        format!("told {}", listeners.len())
    }

    /// The `Authorization` and `X-Test` headers of this request.
    #[tool]
    async fn whoami(&self, ctx: RequestContext<RoleServer>) -> String {
        let parts = ctx.extensions.get::<http::request::Parts>();
        let header = |name: &str| {
            parts.and_then(|p| p.headers.get(name)).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned()
        };
        format!("authorization={} x-test={}", header("authorization"), header("x-test"))
    }
}

#[tool_handler]
impl ServerHandler for Announcer {
    fn get_info(&self) -> ServerInfo {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_logging()
            .enable_resources()
            .enable_resources_subscribe()
            .build();
        ServerInfo::new(Implementation::new("announcer", "1.0.0"), capabilities)
    }

    async fn subscribe(
        &self,
        _params: SubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<EmptyResult, McpError> {
        self.listen(&ctx);
        Ok(EmptyResult::default())
    }

    async fn set_level(
        &self,
        _params: SetLevelRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<EmptyResult, McpError> {
        self.listen(&ctx);
        Ok(EmptyResult::default())
    }
}

/// Serve an `Announcer` on a free port of 127.0.0.1 from a runtime of its own; the URL of its
/// endpoint, and the runtime (dropping it stops the server).
pub fn serve() -> (tokio::runtime::Runtime, String) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let url = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        let announcer = Announcer { listeners: Arc::default(), tool_router: Announcer::tool_router() };
        let service = StreamableHttpService::new(move || announcer.clone(), StreamableHttpConfig::default());
        tokio::spawn(service.serve_listener(listener, tokio_util::sync::CancellationToken::new()));
        url
    });
    (runtime, url)
}
