//! A tool server that exports its traces and metrics to an OpenTelemetry collector over OTLP.
//!
//! Demonstrates the `otel` feature of rmcp-core: every request and notification gets a span
//! named and attributed per the MCP semantic conventions (`tools/call add`, kind SERVER,
//! `mcp.method.name`, `gen_ai.tool.name`, ...), parented on the trace context the client put in
//! `params._meta`, and the `mcp.server.operation.duration` and `mcp.server.session.duration`
//! histograms are recorded. This binary only installs the pipeline: a `tracing-opentelemetry`
//! layer over an OTLP/HTTP (protobuf) span exporter, and an OTLP meter provider as the global one.
//!
//! Run it with `cargo run -p examples --bin otel -- --collector http://127.0.0.1:4318` (stdio),
//! or add `--http 127.0.0.1:0` to serve Streamable HTTP. The exporters post to
//! `COLLECTOR/v1/traces` and `COLLECTOR/v1/metrics` from threads of their own: a collector that
//! is down or slow costs failed exports (logged to stderr), never a stalled request.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{MetricExporter, Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use rmcp_core::{tool, tool_handler, tool_router};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// A small tool server: its calls are what the traces show.
#[derive(Clone)]
struct Tools {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Tools {
    /// Add two numbers.
    #[tool(annotations(read_only_hint = true))]
    fn add(
        &self,
        /// The left operand.
        a: i64,
        /// The right operand.
        b: i64,
    ) -> String {
        (a + b).to_string()
    }

    /// Wait a little, then answer: a span with some length to it.
    #[tool]
    async fn nap(
        &self,
        /// How long to wait, in milliseconds (at most 1000).
        ms: u64,
    ) -> String {
        tokio::time::sleep(Duration::from_millis(ms.min(1000))).await;
        format!("slept {} ms", ms.min(1000))
    }
}

#[tool_handler]
impl ServerHandler for Tools {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("otel", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
    }
}

/// The two pipelines, kept to be flushed and shut down at the end.
struct Pipelines {
    traces: SdkTracerProvider,
    metrics: SdkMeterProvider,
}

/// Build the OTLP/HTTP exporters for `collector` (such as `http://127.0.0.1:4318`), make the
/// meter provider the global one, and install a subscriber: MCP spans to the collector, logs
/// to stderr as `RUST_LOG` says.
///
/// This runs before the async runtime starts: the exporters' blocking HTTP client must be made
/// and dropped outside of it.
fn install(collector: &str) -> anyhow::Result<Pipelines> {
    let collector = collector.trim_end_matches('/');
    let resource = Resource::builder().with_service_name("rmcp-otel-example").build();
    let spans = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(format!("{collector}/v1/traces"))
        .with_timeout(Duration::from_secs(3))
        .build()?;
    let traces = SdkTracerProvider::builder().with_batch_exporter(spans).with_resource(resource.clone()).build();
    let metric_exporter = MetricExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(format!("{collector}/v1/metrics"))
        .with_timeout(Duration::from_secs(3))
        .build()?;
    let metrics = SdkMeterProvider::builder().with_periodic_exporter(metric_exporter).with_resource(resource).build();
    opentelemetry::global::set_meter_provider(metrics.clone());

    // Each layer filters on its own: the MCP spans (INFO) go to the collector whatever RUST_LOG
    // keeps for stderr.
    let to_collector = tracing_opentelemetry::layer()
        .with_tracer(traces.tracer("rmcp-otel-example"))
        .with_filter(tracing_subscriber::filter::LevelFilter::INFO);
    let to_stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(tracing_subscriber::EnvFilter::from_default_env());
    tracing_subscriber::registry().with(to_collector).with(to_stderr).init();
    Ok(Pipelines { traces, metrics })
}

/// Serve on stdio, or on Streamable HTTP with `--http ADDR`, until the client leaves or Ctrl-C.
async fn serve() -> anyhow::Result<()> {
    let tools = Tools { tool_router: Tools::tool_router() };
    if let Some(addr) = examples::flag("--http")? {
        let listener = tokio::net::TcpListener::bind(addr.as_str()).await?;
        eprintln!("serving Streamable HTTP at http://{}/mcp", listener.local_addr()?);
        let service = StreamableHttpService::new(move || tools.clone(), StreamableHttpConfig::default());
        service.serve_listener(listener, examples::ctrl_c_token()).await?;
        return Ok(());
    }
    let reason = tools.serve(rmcp_core::transport::stdio()).await?.waiting().await;
    tracing::info!(?reason, "otel example stopped");
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let collector = examples::flag("--collector")?
        .ok_or_else(|| anyhow::anyhow!("usage: otel --collector http://HOST:4318 [--http ADDR]"))?;
    let pipelines = install(&collector)?;
    let served = tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(serve());
    // Flush what is batched: the last spans and metric points go out before the process ends.
    if let Err(e) = pipelines.traces.shutdown() {
        eprintln!("exporting the last spans failed: {e}");
    }
    if let Err(e) = pipelines.metrics.shutdown() {
        eprintln!("exporting the last metrics failed: {e}");
    }
    served
}
