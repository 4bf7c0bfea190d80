//! One flow per conformance scenario, dispatched on `MCP_CONFORMANCE_SCENARIO`. A scenario this
//! client does not know gets the generic flow: connect, list the tools, call each one.

use anyhow::{Context, bail};
use rmcp_core::model::{GetPromptRequestParams, JsonObject, ReadResourceRequestParams};
use serde_json::Value;

use crate::args::Config;
use crate::session::{Client, call, call_synthesized, close, connect, list_tools, report};

/// The tool whose schema `json-schema-2020-12-preservation` wants echoed, and the echo tool.
const RICH_SCHEMA_TOOL: &str = "json_schema_2020_12_tool";
const ECHO_TOOL: &str = "json_schema_echo";

/// Run the flow of `cfg.scenario`.
pub async fn run(cfg: &Config) -> anyhow::Result<()> {
    match cfg.scenario.as_str() {
        "initialize" => initialize(cfg).await,
        "tools_call" => tools_call(cfg).await,
        "sep-2322-client-request-state" => call_all_empty(cfg).await,
        "http-standard-headers" => everything(cfg).await,
        "http-custom-headers" => context_tool_calls(cfg).await,
        "json-schema-ref-no-deref" => list_only(cfg).await,
        "json-schema-2020-12-preservation" => schema_echo(cfg).await,
        "elicitation-sep1034-client-defaults" | "sse-retry" | "request-metadata" | "http-invalid-tool-headers" => {
            generic(cfg).await
        }
        // The transport answers the 401 with the OAuth flow (see `auth`); then the usual calls.
        auth if auth.starts_with("auth/") => generic(cfg).await,
        other => {
            tracing::warn!(scenario = other, "unknown scenario; running the generic flow");
            generic(cfg).await
        }
    }
}

/// Connect, run `flow`, and close the connection whatever the flow returned.
async fn with_client<F>(cfg: &Config, flow: F) -> anyhow::Result<()>
where
    F: AsyncFnOnce(&Client) -> anyhow::Result<()>,
{
    let client = connect(cfg).await?;
    let outcome = flow(&client).await;
    close(client).await;
    outcome
}

/// The handshake, then an (optional) `tools/list`.
async fn initialize(cfg: &Config) -> anyhow::Result<()> {
    with_client(cfg, async |client| {
        report(list_tools(client).await);
        Ok(())
    })
    .await
}

/// `add_numbers(2, 3)`.
async fn tools_call(cfg: &Config) -> anyhow::Result<()> {
    with_client(cfg, async |client| {
        let tools = list_tools(client).await?;
        if !tools.iter().any(|t| t.name == "add_numbers") {
            tracing::warn!("the server did not list add_numbers; calling it anyway");
        }
        let mut arguments = JsonObject::new();
        arguments.insert("a".into(), 2.into());
        arguments.insert("b".into(), 3.into());
        call(client, "add_numbers", arguments).await?;
        Ok(())
    })
    .await
}

/// List the tools and call each with arguments made up from its schema.
pub async fn generic(cfg: &Config) -> anyhow::Result<()> {
    with_client(cfg, async |client| {
        let tools = list_tools(client).await?;
        let mut failed = 0;
        for tool in &tools {
            if !report(call_synthesized(client, tool).await) {
                failed += 1;
            }
        }
        if failed > 0 {
            bail!("{failed} of {} tool calls failed", tools.len());
        }
        Ok(())
    })
    .await
}

/// List the tools and call each with `{}` (the MRTR fixtures take no arguments).
async fn call_all_empty(cfg: &Config) -> anyhow::Result<()> {
    with_client(cfg, async |client| {
        let tools = list_tools(client).await?;
        let mut failed = 0;
        for tool in &tools {
            if !report(call(client, &tool.name, JsonObject::new()).await) {
                failed += 1;
            }
        }
        if failed > 0 {
            bail!("{failed} of {} tool calls failed", tools.len());
        }
        Ok(())
    })
    .await
}

/// Only `tools/list`: the scenario watches what the client fetches while reading the schemas.
async fn list_only(cfg: &Config) -> anyhow::Result<()> {
    with_client(cfg, async |client| {
        list_tools(client).await?;
        Ok(())
    })
    .await
}

/// Every kind of request the server offers: tools, resources (and templates) and prompts.
async fn everything(cfg: &Config) -> anyhow::Result<()> {
    with_client(cfg, async |client| {
        let mut ok = true;
        for tool in &list_tools(client).await? {
            ok &= report(call_synthesized(client, tool).await);
        }
        match client.list_all_resources().await.context("resources/list") {
            Ok(resources) => {
                for resource in resources {
                    tracing::info!(uri = %resource.uri, "resources/read");
                    let read = client.read_resource(ReadResourceRequestParams::new(resource.uri.clone())).await;
                    ok &= report(read.with_context(|| format!("resources/read {}", resource.uri)));
                }
            }
            Err(e) => ok &= report::<()>(Err(e)),
        }
        ok &= report(client.list_all_resource_templates().await.context("resources/templates/list"));
        match client.list_all_prompts().await.context("prompts/list") {
            Ok(prompts) => {
                for prompt in prompts {
                    let mut params = GetPromptRequestParams::new(prompt.name.clone());
                    for argument in prompt.arguments.iter().flatten() {
                        params = params.with_argument(argument.name.clone(), "conformance");
                    }
                    tracing::info!(prompt = %prompt.name, "prompts/get");
                    let got = client.get_prompt(params).await;
                    ok &= report(got.with_context(|| format!("prompts/get {}", prompt.name)));
                }
            }
            Err(e) => ok &= report::<()>(Err(e)),
        }
        if !ok {
            bail!("some requests failed");
        }
        Ok(())
    })
    .await
}

/// Exactly the calls the context lists (`{"toolCalls": [{"name", "arguments"}]}`), after
/// `tools/list` (which tells the transport which arguments to mirror into headers).
async fn context_tool_calls(cfg: &Config) -> anyhow::Result<()> {
    let calls = cfg.context.get("toolCalls").and_then(Value::as_array).cloned().unwrap_or_default();
    if calls.is_empty() {
        tracing::warn!("no toolCalls in MCP_CONFORMANCE_CONTEXT; running the generic flow");
        return generic(cfg).await;
    }
    with_client(cfg, async |client| {
        list_tools(client).await?;
        let mut ok = true;
        for entry in &calls {
            let Some(name) = entry.get("name").and_then(Value::as_str) else {
                tracing::warn!(%entry, "a toolCalls entry without a name");
                continue;
            };
            let arguments = entry.get("arguments").and_then(Value::as_object).cloned().unwrap_or_default();
            ok &= report(call(client, name, arguments).await);
        }
        if !ok {
            bail!("some tool calls failed");
        }
        Ok(())
    })
    .await
}

/// Hand the rich tool's `inputSchema`, exactly as listed, to the echo tool.
async fn schema_echo(cfg: &Config) -> anyhow::Result<()> {
    with_client(cfg, async |client| {
        let tools = list_tools(client).await?;
        let rich = tools
            .iter()
            .find(|t| t.name == RICH_SCHEMA_TOOL)
            .with_context(|| format!("the server did not list {RICH_SCHEMA_TOOL}"))?;
        let mut arguments = JsonObject::new();
        arguments.insert("schema".into(), Value::Object((*rich.input_schema).clone()));
        call(client, ECHO_TOOL, arguments).await?;
        Ok(())
    })
    .await
}
