//! The Streamable HTTP server as a state machine: sequences of POST, GET and DELETE with
//! arbitrary headers, bodies, session ids and `Last-Event-ID`, against the real
//! `StreamableHttpService` called in-process (no sockets), on paused time.
//!
//! Invariants: no panic (on any task: libFuzzer's hook aborts), no 500, every response head
//! arrives (a request the handler answers at once is never left waiting), response bodies stay
//! bounded, and the service ends with no session once shut down.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, Implementation, ListToolsResult, PaginatedRequestParams,
    ProgressNotificationParams, ServerCapabilities, Tool,
};
use rmcp_core::service::{McpError, RequestContext, RoleServer};
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use serde_json::{Value, json};

#[derive(Clone)]
struct Server;

impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("fuzz", "0"), ServerCapabilities::builder().enable_tools().build())
    }

    async fn list_tools(
        &self,
        _params: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let tool: Tool = serde_json::from_value(json!({
            "name": "echo",
            "inputSchema": {"type": "object", "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "n": {"type": "integer"}
            }}
        }))
        .expect("a valid tool");
        Ok(ListToolsResult::new(vec![tool]))
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let n = params.arguments.as_ref().and_then(|a| a.get("n")).and_then(Value::as_u64).unwrap_or(0);
        // Notifications give the stream numbered events to resume from; a wait lets later
        // requests (a DELETE, a cancellation) overtake the answer.
        if let Some(token) = ctx.progress_token() {
            for i in 0..n.min(8) {
                let _ = ctx.peer.notify_progress(ProgressNotificationParams::new(token.clone(), i as f64)).await;
            }
        }
        if n > 8 {
            tokio::time::sleep(Duration::from_millis(n.min(60_000))).await;
        }
        Ok(CallToolResult::success(vec![ContentBlock::text("ok")]))
    }
}

#[derive(Arbitrary, Debug)]
enum SessionRef {
    None,
    /// One the server handed out earlier (by index), if any.
    Known(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Id {
    Num(i64),
    Str(String),
    Small(u8),
}

#[derive(Arbitrary, Debug)]
enum Params {
    None,
    Raw(String),
    /// Known shapes, `meta` adding 2026-07-28 request metadata.
    Shaped {
        args: u8,
        name: u8,
        meta: u8,
        progress: bool,
        cursor: Option<String>,
    },
}

#[derive(Arbitrary, Debug)]
struct Message {
    kind: u8,
    id: Id,
    method: u8,
    params: Params,
}

#[derive(Arbitrary, Debug)]
enum Body {
    Raw(Vec<u8>),
    One(Message),
    Batch(Vec<Message>),
}

#[derive(Arbitrary, Debug)]
struct Headers {
    accept: u8,
    content_type: u8,
    version: u8,
    mcp_method: Option<String>,
    mcp_name: Option<String>,
    host: u8,
    origin: Option<String>,
    extra: Vec<(String, String)>,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Post {
        headers: Headers,
        session: SessionRef,
        body: Body,
    },
    Get {
        headers: Headers,
        session: SessionRef,
        last_event_id: Option<LastId>,
    },
    Delete {
        headers: Headers,
        session: SessionRef,
    },
    /// Let virtual time pass: timers (keep-alives, idle sessions, slow tools) fire.
    Wait(u16),
}

#[derive(Arbitrary, Debug)]
enum LastId {
    Known(u8),
    Raw(String),
}

const METHODS: &[&str] = &[
    "initialize",
    "notifications/initialized",
    "tools/list",
    "tools/call",
    "ping",
    "server/discover",
    "resources/read",
    "subscriptions/listen",
    "notifications/cancelled",
    "logging/setLevel",
    "prompts/get",
    "completion/complete",
    "tasks/get",
    "resources/subscribe",
];

const VERSIONS: &[&str] = &["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", "2026-07-28", "1999-01-01"];

fn pick<'a, T: ?Sized>(list: &[&'a T], i: u8) -> &'a T {
    list[usize::from(i) % list.len()]
}

fn id_json(id: &Id) -> Value {
    match id {
        Id::Num(n) => json!(n),
        Id::Str(s) => json!(s),
        Id::Small(n) => json!(n % 4),
    }
}

fn params_json(method: &str, p: &Params) -> Option<Value> {
    match p {
        Params::None => None,
        Params::Raw(s) => Some(serde_json::from_str(s).unwrap_or(Value::String(s.clone()))),
        Params::Shaped { args, name, meta, progress, cursor } => {
            let mut params = match method {
                "initialize" => json!({"protocolVersion": pick(VERSIONS, *args), "capabilities": {},
                    "clientInfo": {"name": "fuzz", "version": "0"}}),
                "tools/call" => json!({"name": if *name % 4 == 0 { "missing" } else { "echo" },
                    "arguments": {"n": args % 12, "region": "eu"}}),
                "notifications/cancelled" => json!({"requestId": args % 4}),
                "resources/read" | "resources/subscribe" => json!({"uri": format!("file:///{name}")}),
                "subscriptions/listen" => json!({"filter": {"resourceUris": [format!("file:///{name}")]}}),
                "logging/setLevel" => json!({"level": "debug"}),
                _ => json!({}),
            };
            let object = params.as_object_mut().expect("an object");
            if let Some(c) = cursor {
                object.insert("cursor".into(), json!(c));
            }
            let mut m = serde_json::Map::new();
            if *progress {
                m.insert("progressToken".into(), json!(format!("p{args}")));
            }
            if meta & 1 != 0 {
                m.insert("io.modelcontextprotocol/protocolVersion".into(), json!(pick(VERSIONS, meta >> 1)));
            }
            if meta & 2 != 0 {
                m.insert("io.modelcontextprotocol/clientCapabilities".into(), json!({}));
            }
            if meta & 4 != 0 {
                m.insert("io.modelcontextprotocol/clientInfo".into(), json!({"name": "fuzz", "version": "0"}));
            }
            if !m.is_empty() {
                object.insert("_meta".into(), Value::Object(m));
            }
            Some(params)
        }
    }
}

fn message_json(m: &Message) -> Value {
    let method = pick(METHODS, m.method);
    let mut v = json!({"jsonrpc": "2.0"});
    let o = v.as_object_mut().expect("an object");
    match m.kind % 4 {
        0 | 1 => {
            o.insert("method".into(), json!(method));
            if m.kind % 4 == 0 && !method.starts_with("notifications/") {
                o.insert("id".into(), id_json(&m.id));
            }
            if let Some(p) = params_json(method, &m.params) {
                o.insert("params".into(), p);
            }
        }
        2 => {
            o.insert("id".into(), id_json(&m.id));
            o.insert("result".into(), json!({}));
        }
        _ => {
            o.insert("id".into(), id_json(&m.id));
            o.insert("error".into(), json!({"code": -32000, "message": "no"}));
        }
    }
    v
}

struct Machine {
    service: StreamableHttpService<Server>,
    sessions: Vec<String>,
    event_ids: Vec<String>,
}

impl Machine {
    fn request(&self, method: Method, h: &Headers, session: &SessionRef) -> http::request::Builder {
        let mut b = Request::builder().method(method).uri("/mcp");
        let accept = ["application/json, text/event-stream", "application/json", "text/event-stream", "*/*", ""];
        if h.accept % 6 != 5 {
            b = b.header("accept", pick(&accept, h.accept));
        }
        match h.content_type % 4 {
            0 | 1 => b = b.header("content-type", "application/json"),
            2 => b = b.header("content-type", "text/plain"),
            _ => {}
        }
        if h.version % 8 < VERSIONS.len() as u8 {
            b = b.header("mcp-protocol-version", VERSIONS[usize::from(h.version % 8)]);
        }
        let hosts = ["localhost:8000", "127.0.0.1", "[::1]:1", "evil.example"];
        if h.host % 5 != 4 {
            b = b.header("host", pick(&hosts, h.host));
        }
        let session = match session {
            SessionRef::None => None,
            SessionRef::Known(i) if !self.sessions.is_empty() => {
                Some(self.sessions[usize::from(*i) % self.sessions.len()].clone())
            }
            SessionRef::Known(_) => None,
            SessionRef::Raw(s) => Some(s.clone()),
        };
        let headers = [
            ("mcp-session-id", session.as_deref()),
            ("mcp-method", h.mcp_method.as_deref()),
            ("mcp-name", h.mcp_name.as_deref()),
            ("origin", h.origin.as_deref()),
        ];
        for (name, value) in headers {
            if let Some(Ok(value)) = value.map(http::HeaderValue::from_str) {
                b = b.header(name, value);
            }
        }
        for (name, value) in h.extra.iter().take(4) {
            if let (Ok(n), Ok(v)) = (http::HeaderName::from_bytes(name.as_bytes()), http::HeaderValue::from_str(value))
            {
                b = b.header(n, v);
            }
        }
        b
    }

    async fn send(&mut self, request: Request<Full<Bytes>>) {
        let response = tokio::time::timeout(Duration::from_secs(120), self.service.handle(request))
            .await
            .expect("the response head never came");
        assert_ne!(response.status(), StatusCode::INTERNAL_SERVER_ERROR, "{response:?}");
        if let Some(id) = response.headers().get("mcp-session-id").and_then(|v| v.to_str().ok()) {
            if self.sessions.len() < 16 {
                self.sessions.push(id.to_owned());
            }
        }
        // Read what arrives within a few virtual seconds: a stream stays open, and that is fine.
        let mut body = response.into_body();
        let mut read = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        while read.len() < 1 << 20 {
            match tokio::time::timeout_at(deadline, body.frame()).await {
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        read.extend_from_slice(&data);
                    }
                }
                _ => break,
            }
        }
        for line in read.split(|&b| b == b'\n') {
            if let Some(id) = line.strip_prefix(b"id: ") {
                if self.event_ids.len() < 64 {
                    self.event_ids.push(String::from_utf8_lossy(id).trim().to_owned());
                }
            }
        }
    }

    async fn run(&mut self, op: &Op) {
        match op {
            Op::Post { headers, session, body } => {
                let bytes = match body {
                    Body::Raw(b) => b.clone(),
                    Body::One(m) => message_json(m).to_string().into_bytes(),
                    Body::Batch(ms) => {
                        Value::Array(ms.iter().take(8).map(message_json).collect()).to_string().into_bytes()
                    }
                };
                let request = self.request(Method::POST, headers, session).body(Full::new(Bytes::from(bytes)));
                if let Ok(request) = request {
                    self.send(request).await;
                }
            }
            Op::Get { headers, session, last_event_id } => {
                let mut b = self.request(Method::GET, headers, session);
                let last = match last_event_id {
                    Some(LastId::Known(i)) if !self.event_ids.is_empty() => {
                        Some(self.event_ids[usize::from(*i) % self.event_ids.len()].clone())
                    }
                    Some(LastId::Raw(s)) => Some(s.clone()),
                    _ => None,
                };
                if let Some(Ok(v)) = last.as_deref().map(http::HeaderValue::from_str) {
                    b = b.header("last-event-id", v);
                }
                if let Ok(request) = b.body(Full::new(Bytes::new())) {
                    self.send(request).await;
                }
            }
            Op::Delete { headers, session } => {
                if let Ok(request) = self.request(Method::DELETE, headers, session).body(Full::new(Bytes::new())) {
                    self.send(request).await;
                }
            }
            Op::Wait(ms) => tokio::time::sleep(Duration::from_millis(u64::from(*ms) * 16)).await,
        }
    }
}

libfuzzer_sys::fuzz_target!(|ops: Vec<Op>| {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().expect("a runtime");
    runtime.block_on(async {
        let service = StreamableHttpService::new(|| Server, StreamableHttpConfig::default());
        let mut machine = Machine { service, sessions: Vec::new(), event_ids: Vec::new() };
        for op in ops.iter().take(24) {
            machine.run(op).await;
        }
        let service = machine.service.clone();
        drop(machine);
        tokio::time::timeout(Duration::from_secs(60), service.shutdown_gracefully())
            .await
            .expect("shutdown never finished");
        assert_eq!(service.session_count(), 0, "sessions left after shutdown");
    });
});
