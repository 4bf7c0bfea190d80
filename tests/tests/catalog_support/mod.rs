//! A server whose lists change and are counted, served over real HTTP on 127.0.0.1 (and
//! restartable on the same port), for the listen-stream and list-cache tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rmcp_core::handler::{
    ClientHandler, ClientInfo, ProtocolPreference, ResourceSubscriptions, ServerHandler, ServerInfo,
};
use rmcp_core::model::{
    CacheScope, CallToolRequestParams, CallToolResult, ContentBlock, Implementation, ListToolsResult,
    PaginatedRequestParams, ProtocolVersion, ServerCapabilities, Tool,
};
use rmcp_core::schema::empty_object_schema;
use rmcp_core::service::{McpError, RequestContext, RoleServer};
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A catalog of tools that changes when the `change` tool is called, announcing it; its
/// `tools/list` calls are counted. Its resources can be watched (2025: `resources/subscribe`).
#[derive(Clone)]
pub struct Catalog {
    /// `tools/list` requests of clients served (the HTTP server's own reads of the tool table,
    /// which carry no HTTP request, are not counted).
    pub lists: Arc<AtomicUsize>,
    /// Bumped by `change`: the tool list holds `tool-<version>`.
    pub version: Arc<AtomicUsize>,
    /// The cache hints put on list results (2026-07-28); none: `ttlMs: 0`.
    pub hints: Option<(u64, CacheScope)>,
    pub subscriptions: ResourceSubscriptions,
}

impl Catalog {
    pub fn new(hints: Option<(u64, CacheScope)>) -> Self {
        Self { lists: Arc::default(), version: Arc::default(), hints, subscriptions: ResourceSubscriptions::new() }
    }

    pub fn lists(&self) -> usize {
        self.lists.load(Ordering::SeqCst)
    }

    pub fn tool_name(&self) -> String {
        format!("tool-{}", self.version.load(Ordering::SeqCst))
    }
}

impl ServerHandler for Catalog {
    fn get_info(&self) -> ServerInfo {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_resources()
            .enable_resources_subscribe()
            .build();
        let info = ServerInfo::new(Implementation::new("catalog", "1"), capabilities);
        match self.hints {
            Some((ttl_ms, scope)) => info.with_cache_hints(ttl_ms, scope),
            None => info,
        }
    }

    fn resource_subscriptions(&self) -> Option<&ResourceSubscriptions> {
        Some(&self.subscriptions)
    }

    async fn list_tools(
        &self,
        _params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        if ctx.extensions.get::<http::request::Parts>().is_some() {
            self.lists.fetch_add(1, Ordering::SeqCst);
        }
        Ok(ListToolsResult::new(vec![Tool::new(self.tool_name(), "a tool", empty_object_schema()), change_tool()]))
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        if params.name != "change" {
            return Err(McpError::invalid_params(format!("no tool {}", params.name)));
        }
        self.version.fetch_add(1, Ordering::SeqCst);
        // 2026: to the listen streams that asked; 2025: on the connection.
        let _ = ctx.peer.notify_tool_list_changed().await;
        Ok(CallToolResult::success(vec![ContentBlock::text(self.tool_name())]))
    }
}

fn change_tool() -> Tool {
    Tool::new("change", "change the tool list", empty_object_schema())
}

/// A client of one era that does nothing with notifications itself.
pub struct Quiet(pub ProtocolPreference);

impl Quiet {
    pub fn stateless() -> Self {
        Self(ProtocolPreference::Stateless)
    }
    pub fn stateful() -> Self {
        Self(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
    }
}

impl ClientHandler for Quiet {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.0.clone())
    }
}

/// A running server: its service, and the task serving it on `addr`.
pub struct Served {
    pub addr: SocketAddr,
    pub url: String,
    pub service: StreamableHttpService<Catalog>,
    task: JoinHandle<std::io::Result<()>>,
}

/// Serve `catalog` on a free port.
pub async fn serve(catalog: Catalog) -> Served {
    serve_at(catalog, "127.0.0.1:0".parse().unwrap()).await
}

/// Serve `catalog` at `addr` (a port just given up may take a moment to be free again).
pub async fn serve_at(catalog: Catalog, addr: SocketAddr) -> Served {
    let mut tries = 0;
    let listener = loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => break listener,
            Err(e) if tries < 50 => {
                tries += 1;
                tracing::debug!(error = %e, "binding again");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("cannot bind {addr}: {e}"),
        }
    };
    let addr = listener.local_addr().unwrap();
    let service = StreamableHttpService::new(move || catalog.clone(), StreamableHttpConfig::default());
    let task = tokio::spawn(service.clone().serve_listener(listener, rmcp_core::CancellationToken::new()));
    Served { addr, url: format!("http://{addr}/mcp"), service, task }
}

impl Served {
    /// Stop the server: every stream and connection ends, the port is free.
    pub async fn stop(self) -> SocketAddr {
        self.service.shutdown();
        let _ = tokio::time::timeout(Duration::from_secs(10), self.task).await;
        self.addr
    }
}

/// Wait (at most 10 s) until `done` holds.
pub async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never happened: {what}");
}
