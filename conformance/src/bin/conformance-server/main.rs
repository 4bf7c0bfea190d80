//! `conformance-server`: the everything-server the official MCP conformance suite measures
//! (`/work/shared/conformance/CONTRACT.md`, Part A), built only on rmcp-core's public API.
//!
//! One process serves both protocol eras on `http://127.0.0.1:$PORT/mcp` (`PORT` defaults to
//! 3001): 2025-era sessions and stateless 2026-07-28 requests are told apart per POST by
//! [`StreamableHttpService`], which also validates headers, `_meta`, versions, Host/Origin and the
//! `Mcp-Param-*` headers, and serves `subscriptions/listen`.
//!
//! | file | job |
//! |---|---|
//! | `main` | the handler, its capabilities, per-session state, the HTTP listener |
//! | `tools` | tools served in both eras (A.6) |
//! | `legacy` | tools that need server-to-client requests or session logging (A.7) |
//! | `diagnostics` | the 2026 diagnostic tools of `server-stateless` (A.10) |
//! | `mrtr` | the multi round-trip fixtures (A.9), on the SDK's input API |
//! | `tasks` | the tasks-extension fixtures (A.11), on the SDK's `TaskStore` |
//! | `prompts` / `resources` | prompts, the completion, resources and the template (A.8) |
//! | `media` | the base64 PNG and WAV payloads |
//!
//! Log messages go through `RequestContext::log`, which applies each era's rule (the session's
//! `logging/setLevel` on 2025, the request's `logLevel` `_meta` on 2026-07-28).

mod diagnostics;
mod legacy;
mod media;
mod mrtr;
mod prompts;
mod resources;
mod tasks;
mod tools;

use rmcp_core::handler::tasks::TaskStore;
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, PromptsCapability, ResourcesCapability, ServerCapabilities, ToolsCapability};
use rmcp_core::router::{PromptRouter, ResourceRouter, ToolRouter};
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use rmcp_core::{CancellationToken, prompt_handler, resource_handler, tool_handler};

/// The everything-server. Its routers are shared by every clone, so by every session.
#[derive(Debug, Clone)]
pub struct Everything {
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
    resource_router: ResourceRouter<Self>,
    /// The tasks of the tasks extension, shared by every session.
    tasks: TaskStore,
}

impl Everything {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router_all(),
            prompt_router: Self::prompt_router_all(),
            resource_router: Self::resources(),
            tasks: TaskStore::new(),
        }
    }

    /// Every tool, in listing order: `test_simple_text` first (the suite calls the first tool
    /// with `{}`), then the rest in a fixed order.
    fn tool_router_all() -> ToolRouter<Self> {
        Self::core_tools()
            + Self::schema_tools()
            + Self::legacy_tools()
            + Self::diagnostic_tools()
            + Self::mrtr_tools()
            + Self::task_tools()
    }

    /// Every prompt.
    fn prompt_router_all() -> PromptRouter<Self> {
        Self::prompts().merge(Self::mrtr_prompts()).expect("prompt names are unique")
    }
}

/// The capabilities of A.4: what a 2025 `initialize` and a 2026 `server/discover` announce.
fn capabilities() -> ServerCapabilities {
    let mut caps = ServerCapabilities::builder().enable_logging().enable_completions().build();
    caps.tools = Some(ToolsCapability::default().with_list_changed(true));
    caps.prompts = Some(PromptsCapability::default().with_list_changed(true));
    caps.resources = Some(ResourcesCapability::default().with_subscribe(true).with_list_changed(true));
    caps
}

#[tool_handler]
#[prompt_handler]
#[resource_handler]
impl ServerHandler for Everything {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("rmcp-core-conformance-server", env!("CARGO_PKG_VERSION")), capabilities())
            .with_instructions("The everything-server of the MCP conformance suite.")
    }

    fn task_store(&self) -> Option<&TaskStore> {
        Some(&self.tasks)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p.parse().map_err(|e| anyhow::anyhow!("PORT={p:?} is not a port: {e}"))?,
        Err(_) => 3001,
    };
    // Loopback only: the default Host/Origin allow-lists accept loopback names only.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    eprintln!("conformance-server listening on http://{}/mcp", listener.local_addr()?);
    let template = Everything::new();
    let service = StreamableHttpService::new(move || template.clone(), StreamableHttpConfig::default());
    let stop = CancellationToken::new();
    tokio::spawn({
        let stop = stop.clone();
        async move {
            let _ = tokio::signal::ctrl_c().await;
            stop.cancel();
        }
    });
    service.serve_listener(listener, stop).await?;
    Ok(())
}
