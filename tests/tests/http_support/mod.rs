//! A server and helpers shared by the Streamable HTTP tests: real HTTP on 127.0.0.1 with an
//! ephemeral port.
#![allow(dead_code)]

pub mod raw;
pub mod sse;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use rmcp_core::CancellationToken;
use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, CreateMessageRequestParams, CreateMessageResult,
    Implementation, JsonObject, ListToolsResult, PaginatedRequestParams, ProgressNotificationParams, Role,
    SamplingMessage, SamplingMessageContentBlock, ServerCapabilities, TextContent, Tool,
};
use rmcp_core::service::{McpError, RequestContext, RoleClient, RoleServer};
use rmcp_core::transport::http::{ClientRequestId, StreamControl, StreamableHttpConfig, StreamableHttpService};
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// What handlers report to the tests, and what the tests make handlers do.
#[derive(Debug, Default)]
pub struct Counters {
    pub cancelled: AtomicUsize,
    /// `slow` calls that slept to the end.
    pub slept: AtomicUsize,
    /// `tools/list` calls served.
    pub lists: AtomicUsize,
    /// `tools/list` fails.
    pub fail_list: AtomicBool,
    /// `tools/list` holds the `late` tool (added at run time, without any announcement).
    pub late_tool: AtomicBool,
}

/// How many tools the test server lists.
pub const TOOLS: usize = 10;

/// The test server: a few tools exercising every transport path.
#[derive(Clone, Default)]
pub struct HttpServer {
    pub counters: Arc<Counters>,
}

fn object(v: Value) -> Arc<JsonObject> {
    Arc::new(v.as_object().expect("an object").clone())
}

fn text(t: impl Into<String>) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(t.into())])
}

impl ServerHandler for HttpServer {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(
            Implementation::new("http-test-server", "0.0.1"),
            ServerCapabilities::builder().enable_tools().enable_tool_list_changed().build(),
        )
    }

    async fn list_tools(
        &self,
        _params: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        self.counters.lists.fetch_add(1, Ordering::SeqCst);
        // Slow enough for concurrent readers to meet.
        tokio::time::sleep(Duration::from_millis(20)).await;
        if self.counters.fail_list.load(Ordering::SeqCst) {
            return Err(McpError::internal_error("the tool list is unavailable"));
        }
        let plain = object(json!({"type": "object"}));
        let region = object(json!({"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "query": {"type": "string"}
        }}));
        let mut tools = vec![
            Tool::new("echo", "Echo `text`", plain.clone()),
            Tool::new("region", "Echo the region, mirrored in Mcp-Param-Region", region),
            Tool::new("progress", "Report progress `steps` times", plain.clone()),
            Tool::new("sample", "Ask the client's model", plain.clone()),
            Tool::new("slow", "Sleep `ms` milliseconds", plain.clone()),
            Tool::new("poll", "Close the SSE connection, then answer", plain.clone()),
            Tool::new("change", "Announce a tool list change", plain.clone()),
            Tool::new("whoami", "Echo the Authorization header", plain.clone()),
            Tool::new("big", "Report progress, then answer with `bytes` bytes", plain.clone()),
            Tool::new("request_id", "Echo the id the client gave the request", plain),
        ];
        if self.counters.late_tool.load(Ordering::SeqCst) {
            let late = object(json!({"type": "object", "properties": {
                "n": {"type": "integer", "x-mcp-header": "N"}
            }}));
            tools.push(Tool::new("late", "A tool added at run time", late));
        }
        Ok(ListToolsResult::new(tools))
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let args = params.arguments.clone().unwrap_or_default();
        let str_arg = |k: &str| args.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let num_arg = |k: &str, d: u64| args.get(k).and_then(Value::as_u64).unwrap_or(d);
        match params.name.as_str() {
            "echo" => Ok(text(str_arg("text"))),
            "region" => Ok(text(str_arg("region"))),
            "progress" => {
                let steps = num_arg("steps", 3);
                if let Some(token) = ctx.progress_token() {
                    for i in 1..=steps {
                        tokio::time::sleep(Duration::from_millis(num_arg("pause_ms", 5))).await;
                        let p = ProgressNotificationParams::new(token.clone(), i as f64).with_total(steps as f64);
                        let _ = ctx.peer.notify_progress(p).await;
                    }
                }
                Ok(text("done"))
            }
            "sample" => {
                let request = CreateMessageRequestParams::new(vec![SamplingMessage::user_text("hi")], 16);
                let result = ctx
                    .peer
                    .create_message(request)
                    .await
                    .map_err(|e| McpError::internal_error(format!("sampling failed: {e}")))?;
                Ok(text(format!("model={}", result.model)))
            }
            "slow" => {
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(num_arg("ms", 10_000))) => {
                        self.counters.slept.fetch_add(1, Ordering::SeqCst);
                        Ok(text("slept"))
                    }
                    () = ctx.ct.cancelled() => {
                        self.counters.cancelled.fetch_add(1, Ordering::SeqCst);
                        Err(McpError::internal_error("cancelled"))
                    }
                }
            }
            "poll" => {
                // SSE polling: end this connection now; the client resumes and gets the answer.
                if let Some(control) = ctx.extensions.get::<StreamControl>() {
                    control.close_connection().await;
                }
                tokio::time::sleep(Duration::from_millis(num_arg("ms", 200))).await;
                Ok(text("after the reconnection"))
            }
            "change" => {
                let _ = ctx.peer.notify_tool_list_changed().await;
                Ok(text("changed"))
            }
            "whoami" => {
                let auth = ctx
                    .extensions
                    .get::<http::request::Parts>()
                    .and_then(|p| p.headers.get("authorization"))
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("nobody")
                    .to_owned();
                Ok(text(auth))
            }
            "big" => {
                if let Some(token) = ctx.progress_token() {
                    let _ = ctx.peer.notify_progress(ProgressNotificationParams::new(token, 0.0)).await;
                }
                Ok(text("x".repeat(num_arg("bytes", 1024) as usize)))
            }
            "request_id" => {
                let id = ctx.extensions.get::<ClientRequestId>().map(|id| id.0.to_string());
                Ok(text(id.unwrap_or_else(|| "none".to_owned())))
            }
            // Not listed: for what a panicking handler does to its request and its session.
            "panic" => panic!("the panic tool panics"),
            "late" => Ok(text(format!("n={}", args.get("n").cloned().unwrap_or_default()))),
            other => Err(McpError::invalid_params(format!("Unknown tool: {other}"))),
        }
    }
}

/// A running server: its URL and what stops it.
pub struct Running {
    pub url: String,
    pub addr: std::net::SocketAddr,
    pub service: StreamableHttpService<HttpServer>,
    pub server: HttpServer,
    pub stop: CancellationToken,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Serve [`HttpServer`] with `config` on an ephemeral loopback port.
pub async fn start(config: StreamableHttpConfig) -> Running {
    start_with(HttpServer::default(), config).await
}

/// Serve `server` with `config` on an ephemeral loopback port.
pub async fn start_with(server: HttpServer, config: StreamableHttpConfig) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let template = server.clone();
    let service = StreamableHttpService::new(move || template.clone(), config);
    let stop = CancellationToken::new();
    tokio::spawn(service.clone().serve_listener(listener, stop.clone()));
    Running { url: format!("http://{addr}/mcp"), addr, service, server, stop }
}

/// A client speaking one era, answering sampling requests.
pub struct Client(pub ProtocolPreference);

impl Client {
    pub fn stateful() -> Self {
        Self(ProtocolPreference::Stateful(rmcp_core::ProtocolVersion::V2025_11_25))
    }
    pub fn stateless() -> Self {
        Self(ProtocolPreference::Stateless)
    }
}

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.0.clone())
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

pub fn call(name: &str, args: Value) -> CallToolRequestParams {
    CallToolRequestParams::new(name).with_arguments(args.as_object().expect("an object").clone())
}

pub fn text_of(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect::<Vec<_>>().join("")
}

/// The `_meta` of a 2026-07-28 request.
pub fn meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"}
    })
}

/// Read SSE events (their `data`) from a response until `n` have come.
pub async fn sse_events(response: &mut reqwest::Response, buf: &mut String, n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    while out.len() < n {
        while let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            let data: String = event
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim_start)
                .collect::<Vec<_>>()
                .join("\n");
            if !data.is_empty() {
                out.push(serde_json::from_str(&data).expect("an SSE event holds JSON"));
            }
        }
        if out.len() >= n {
            break;
        }
        match response.chunk().await.expect("the stream reads") {
            Some(chunk) => buf.push_str(std::str::from_utf8(&chunk).expect("utf-8")),
            None => break,
        }
    }
    out
}
