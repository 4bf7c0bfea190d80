//! Connecting in the requested era, and the calls every flow makes (each logged to stderr).

use anyhow::Context;
use rmcp_core::RunningService;
use rmcp_core::model::{CallToolRequestParams, CallToolResult, JsonObject, Tool};
use rmcp_core::service::{RoleClient, ServiceExt};
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};

use crate::args::Config;
use crate::handler::ConformanceClient;
use crate::synth;

/// A connected client.
pub type Client = RunningService<RoleClient, ConformanceClient>;

/// Connect to the server: the `initialize` handshake on 2025, `server/discover` on 2026.
pub async fn connect(cfg: &Config) -> anyhow::Result<Client> {
    let protocol = cfg.protocol();
    tracing::info!(url = %cfg.url, ?protocol, "connecting");
    let mut config = StreamableHttpClientConfig::new(cfg.url.as_str());
    if let Some(auth) = crate::auth::provider(cfg)? {
        config = config.with_shared_auth(auth);
    }
    let transport = StreamableHttpClientTransport::with_config(config);
    let client = ConformanceClient::new(protocol).serve(transport).await.context("connecting to the server")?;
    if let Some(info) = client.server_info() {
        tracing::info!(
            server = %info.server_info.name,
            version = %info.server_info.version,
            protocol = %info.protocol_version,
            "connected"
        );
    }
    Ok(client)
}

/// Close the connection (a 2025 session is deleted).
pub async fn close(client: Client) {
    let reason = client.cancel().await;
    tracing::info!(?reason, "closed");
}

/// `tools/list`, every page.
pub async fn list_tools(client: &Client) -> anyhow::Result<Vec<Tool>> {
    let tools = client.list_all_tools().await.context("tools/list")?;
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    tracing::info!(?names, "tools/list");
    Ok(tools)
}

/// `tools/call` with these arguments; the outcome is logged.
pub async fn call(client: &Client, name: &str, arguments: JsonObject) -> anyhow::Result<CallToolResult> {
    tracing::info!(tool = name, arguments = %serde_json::Value::Object(arguments.clone()), "tools/call");
    let params = CallToolRequestParams::new(name).with_arguments(arguments);
    let result = client.call_tool(params).await.with_context(|| format!("tools/call {name}"))?;
    let text = result.content.iter().filter_map(|c| c.as_text()).collect::<Vec<_>>().join(" ");
    tracing::info!(tool = name, is_error = result.is_error(), text, "tools/call result");
    Ok(result)
}

/// Call `tool` with arguments made up from its input schema.
pub async fn call_synthesized(client: &Client, tool: &Tool) -> anyhow::Result<CallToolResult> {
    call(client, &tool.name, synth::arguments(&tool.input_schema)).await
}

/// Log a failed step and go on: one failing call must not hide what the others exercise.
pub fn report<T>(step: anyhow::Result<T>) -> bool {
    match step {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(error = format!("{e:#}"), "step failed");
            false
        }
    }
}
