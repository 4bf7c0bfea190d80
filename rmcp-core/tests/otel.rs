//! The `otel` feature end to end: real client and server engines over an in-process pair and
//! over Streamable HTTP on 127.0.0.1, with the OpenTelemetry SDK's in-memory exporters catching
//! what they produce. Each test calls tools of its own names, so the tests can share the one
//! global subscriber and meter provider a process has.

use std::sync::OnceLock;
use std::time::Duration;

use opentelemetry::trace::{SpanKind, Status, TraceId};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ContentBlock, ElicitRequestParams, ElicitResult,
    Implementation, ProtocolVersion, ServerCapabilities,
};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::{Elicitation, McpError, RequestContext, ServiceExt};
use rmcp_core::transport::duplex;
use rmcp_core::transport::http::{StreamableHttpClientTransport, StreamableHttpConfig, StreamableHttpService};
use rmcp_core::{RoleClient, RoleServer, tool, tool_handler, tool_router};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::layer::SubscriberExt;

/// The process's exporters, installed once.
struct Telemetry {
    spans: InMemorySpanExporter,
    tracer_provider: SdkTracerProvider,
    metrics: InMemoryMetricExporter,
    meter_provider: SdkMeterProvider,
}

fn telemetry() -> &'static Telemetry {
    static TELEMETRY: OnceLock<Telemetry> = OnceLock::new();
    TELEMETRY.get_or_init(|| {
        use opentelemetry::trace::TracerProvider as _;
        let spans = InMemorySpanExporter::default();
        let tracer_provider = SdkTracerProvider::builder().with_simple_exporter(spans.clone()).build();
        let layer = tracing_opentelemetry::layer().with_tracer(tracer_provider.tracer("otel-test"));
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer)).unwrap();
        let metrics = InMemoryMetricExporter::default();
        let meter_provider =
            SdkMeterProvider::builder().with_reader(PeriodicReader::builder(metrics.clone()).build()).build();
        opentelemetry::global::set_meter_provider(meter_provider.clone());
        Telemetry { spans, tracer_provider, metrics, meter_provider }
    })
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Name {
    /// Your name.
    name: String,
}

#[derive(Clone)]
struct Server {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Server {
    fn new() -> Self {
        Self { tool_router: Self::tool_router() }
    }

    /// Asks the user for their name (a request to the client while the call waits).
    #[tool]
    async fn greet_pair(&self, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        Ok(match ctx.elicit::<Name>("name", "What is your name?").await? {
            Elicitation::Accepted(n) => format!("hello {}", n.name),
            _ => "hello nobody".to_owned(),
        })
    }

    /// Adds two numbers.
    #[tool]
    fn add_http(&self, a: i64, b: i64) -> String {
        (a + b).to_string()
    }

    /// Adds two numbers (the call made in a caller's span).
    #[tool]
    fn add_in_span(&self, a: i64, b: i64) -> String {
        (a + b).to_string()
    }

    /// A tool whose result reports an error.
    #[tool]
    fn fails_softly(&self) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text("no luck")])
    }
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("otel-test", "1"), ServerCapabilities::default())
    }
}

/// A 2025 client that answers elicitations with a name.
struct Client;

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::new(
            Implementation::new("otel-client", "1"),
            ClientCapabilities::builder().enable_elicitation().build(),
        )
        .with_protocol(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
    }

    async fn create_elicitation(
        &self,
        _params: ElicitRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, McpError> {
        Ok(ElicitResult::accept([("name".to_owned(), "Ada".into())].into()))
    }
}

fn attribute<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes.iter().find(|kv| kv.key.as_str() == key).map(|kv| &kv.value)
}

fn string(span: &SpanData, key: &str) -> Option<String> {
    attribute(span, key).map(|v| v.as_str().into_owned())
}

/// The finished span named `name` of `kind`, waiting for it a little: a server's span ends
/// once its answer is on its way, which may be after the client has it.
async fn span(name: &str, kind: SpanKind) -> SpanData {
    for _ in 0..200 {
        let spans = telemetry().spans.get_finished_spans().unwrap();
        if let Some(span) = spans.into_iter().find(|s| s.name == name && s.span_kind == kind) {
            return span;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let names: Vec<_> = telemetry()
        .spans
        .get_finished_spans()
        .unwrap()
        .iter()
        .map(|s| format!("{} {:?}", s.name, s.span_kind))
        .collect();
    panic!("no {kind:?} span {name:?}; finished: {names:?}")
}

/// The attributes of the points of histogram `metric` (in seconds) whose attributes hold `with`.
fn points(metric: &str, with: &KeyValue) -> Vec<Vec<KeyValue>> {
    let t = telemetry();
    t.meter_provider.force_flush().unwrap();
    let mut found = Vec::new();
    for rm in t.metrics.get_finished_metrics().unwrap() {
        for sm in rm.scope_metrics() {
            for m in sm.metrics().filter(|m| m.name() == metric) {
                assert_eq!(m.unit(), "s");
                let AggregatedMetrics::F64(MetricData::Histogram(h)) = m.data() else {
                    panic!("{metric} is a histogram")
                };
                for point in h.data_points() {
                    let attributes: Vec<KeyValue> = point.attributes().cloned().collect();
                    if attributes.contains(with) {
                        assert!(point.count() > 0);
                        found.push(attributes);
                    }
                }
            }
        }
    }
    found
}

fn kv(key: &'static str, value: &'static str) -> KeyValue {
    KeyValue::new(key, value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_call_and_its_elicitation_are_one_trace_over_a_pair() {
    telemetry();
    let (a, b) = duplex(1 << 16);
    let server = Server::new().serve(a).await.unwrap();
    let server_done = tokio::spawn(server.waiting());
    let client = Client.serve(b).await.unwrap();
    let result = client.call_tool(CallToolRequestParams::new("greet_pair")).await.unwrap();
    assert_eq!(result.content[0].as_text(), Some("hello Ada"));

    let call = span("tools/call greet_pair", SpanKind::Client).await;
    let served = span("tools/call greet_pair", SpanKind::Server).await;
    // The server's span continues the client's trace, as the child of the client's span.
    assert_ne!(call.span_context.trace_id(), TraceId::INVALID);
    assert_eq!(served.span_context.trace_id(), call.span_context.trace_id());
    assert_eq!(served.parent_span_id, call.span_context.span_id());
    assert!(served.parent_span_is_remote);
    for s in [&call, &served] {
        assert_eq!(string(s, "mcp.method.name").as_deref(), Some("tools/call"));
        assert_eq!(string(s, "gen_ai.tool.name").as_deref(), Some("greet_pair"));
        assert_eq!(string(s, "gen_ai.operation.name").as_deref(), Some("execute_tool"));
        assert_eq!(string(s, "mcp.protocol.version").as_deref(), Some("2025-11-25"));
        assert!(string(s, "jsonrpc.request.id").is_some());
        assert!(attribute(s, "error.type").is_none());
        assert_eq!(s.status, Status::Unset);
    }
    assert_eq!(string(&served, "network.transport").as_deref(), Some("pipe"));

    // The server's question to the client: sent in the tool's span, served in the same trace.
    let asked = span("elicitation/create", SpanKind::Client).await;
    let answered = span("elicitation/create", SpanKind::Server).await;
    assert_eq!(asked.span_context.trace_id(), call.span_context.trace_id());
    assert_eq!(asked.parent_span_id, served.span_context.span_id());
    assert_eq!(answered.span_context.trace_id(), call.span_context.trace_id());
    assert_eq!(answered.parent_span_id, asked.span_context.span_id());
    assert_eq!(string(&answered, "mcp.method.name").as_deref(), Some("elicitation/create"));
    assert!(attribute(&answered, "gen_ai.operation.name").is_none());

    // The operation durations, each with the attributes of the conventions.
    let tool = kv("gen_ai.tool.name", "greet_pair");
    let server_points = points("mcp.server.operation.duration", &tool);
    assert_eq!(server_points.len(), 1, "{server_points:?}");
    for expected in [
        kv("mcp.method.name", "tools/call"),
        kv("gen_ai.operation.name", "execute_tool"),
        kv("mcp.protocol.version", "2025-11-25"),
        kv("network.transport", "pipe"),
    ] {
        assert!(server_points[0].contains(&expected), "{expected:?} in {server_points:?}");
    }
    let client_points = points("mcp.client.operation.duration", &tool);
    assert!(client_points[0].contains(&kv("mcp.method.name", "tools/call")), "{client_points:?}");
    let elicited = points("mcp.client.operation.duration", &kv("mcp.method.name", "elicitation/create"));
    assert!(!elicited.is_empty());

    // Both sessions are measured when they end.
    client.cancel().await;
    server_done.await.unwrap();
    let version = kv("mcp.protocol.version", "2025-11-25");
    assert!(!points("mcp.client.session.duration", &version).is_empty());
    assert!(!points("mcp.server.session.duration", &version).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tool_call_over_http_carries_the_session_and_network_attributes() {
    telemetry();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = StreamableHttpService::new(Server::new, StreamableHttpConfig::default());
    let stop = CancellationToken::new();
    tokio::spawn(service.clone().serve_listener(listener, stop.clone()));
    let client = Client.serve(StreamableHttpClientTransport::new(format!("http://{addr}/mcp"))).await.unwrap();

    let mut params = CallToolRequestParams::new("add_http");
    params.arguments = Some(serde_json::json!({"a": 2, "b": 3}).as_object().unwrap().clone());
    let result = client.call_tool(params).await.unwrap();
    assert_eq!(result.content[0].as_text(), Some("5"));
    let soft = client.call_tool(CallToolRequestParams::new("fails_softly")).await.unwrap();
    assert_eq!(soft.is_error, Some(true));
    let unknown = client.call_tool(CallToolRequestParams::new("no_such_tool_http")).await;
    assert!(unknown.is_err());

    let call = span("tools/call add_http", SpanKind::Client).await;
    let served = span("tools/call add_http", SpanKind::Server).await;
    assert_eq!(served.span_context.trace_id(), call.span_context.trace_id());
    assert_eq!(served.parent_span_id, call.span_context.span_id());
    assert_eq!(string(&served, "network.transport").as_deref(), Some("tcp"));
    assert_eq!(string(&served, "network.protocol.name").as_deref(), Some("http"));
    assert_eq!(string(&served, "client.address").as_deref(), Some("127.0.0.1"));
    assert!(matches!(attribute(&served, "client.port"), Some(Value::I64(p)) if *p > 0));
    let session = string(&served, "mcp.session.id").expect("the session's id");
    assert!(!session.is_empty());

    // A tool result with isError is a `tool_error` on both sides.
    for kind in [SpanKind::Client, SpanKind::Server] {
        let s = span("tools/call fails_softly", kind.clone()).await;
        assert_eq!(string(&s, "error.type").as_deref(), Some("tool_error"), "{kind:?}");
        assert!(matches!(s.status, Status::Error { .. }), "{kind:?}");
    }
    // An error response: its code is the error type and the status code, its message the status'.
    for kind in [SpanKind::Client, SpanKind::Server] {
        let s = span("tools/call no_such_tool_http", kind.clone()).await;
        let code = string(&s, "error.type").expect("an error type");
        assert!(code.parse::<i32>().is_ok_and(|c| c < 0), "{code}");
        assert_eq!(string(&s, "rpc.response.status_code"), Some(code));
        let Status::Error { description } = &s.status else { panic!("{kind:?}: {:?}", s.status) };
        assert!(!description.is_empty());
    }

    let tool = kv("gen_ai.tool.name", "add_http");
    let server_points = points("mcp.server.operation.duration", &tool);
    for expected in [kv("network.transport", "tcp"), kv("network.protocol.name", "http")] {
        assert!(server_points.iter().any(|p| p.contains(&expected)), "{expected:?} in {server_points:?}");
    }
    let failed = points("mcp.server.operation.duration", &kv("gen_ai.tool.name", "no_such_tool_http"));
    assert!(failed.iter().any(|p| p.iter().any(|kv| kv.key.as_str() == "rpc.response.status_code")), "{failed:?}");
    client.cancel().await;
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_span_is_the_parent_of_the_client_span() {
    let t = telemetry();
    let (a, b) = duplex(1 << 16);
    let server = Server::new().serve(a).await.unwrap();
    tokio::spawn(server.waiting());
    let client = Client.serve(b).await.unwrap();
    let outer = tracing::info_span!("agent turn", otel.name = "agent turn caller_span");
    let mut params = CallToolRequestParams::new("add_in_span");
    params.arguments = Some(serde_json::json!({"a": 40, "b": 2}).as_object().unwrap().clone());
    tracing::Instrument::instrument(client.call_tool(params), outer.clone()).await.unwrap();
    drop(outer);
    let outer = span("agent turn caller_span", SpanKind::Internal).await;
    let calls = t.spans.get_finished_spans().unwrap();
    let call = calls
        .iter()
        .find(|s| s.name == "tools/call add_in_span" && s.parent_span_id == outer.span_context.span_id())
        .expect("the client span of the call made in the caller's span");
    assert_eq!(call.span_kind, SpanKind::Client);
    assert_eq!(call.span_context.trace_id(), outer.span_context.trace_id());
    client.cancel().await;
    t.tracer_provider.force_flush().unwrap();
}
