//! A server whose tool list changes while it runs.
//!
//! Demonstrates a `ToolRouter` changed at run time: `unlock(code)` adds the tool `vault` (built
//! with `ToolRoute::new_dyn`, as a tool known only at run time would be) and `lock` removes it;
//! `hide_unlock`/`show_unlock` disable and enable a macro tool. Each change sends
//! `notifications/tools/list_changed` to every connected 2025-era client, which then lists the
//! tools again. Clones of the router share its table, so the tools see the same list the
//! handler serves.
//!
//! Run it with `cargo run -p examples --bin dynamic-tools` (stdio), or with `--http 127.0.0.1:0`.

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, Tool};
use rmcp_core::router::{ToolRoute, ToolRouter};
use rmcp_core::schema::empty_object_schema;
use rmcp_core::{tool, tool_handler, tool_router};

/// The code `unlock` wants.
const CODE: &str = "open sesame";

#[derive(Clone)]
struct Vault {
    tool_router: ToolRouter<Self>,
}

/// The tool `unlock` adds: its description and what it does.
fn vault_route() -> ToolRoute<Vault> {
    let tool = Tool::new("vault", "Read what is in the vault (only after unlock)", empty_object_schema());
    ToolRoute::new_dyn(tool, |_vault: &Vault, _call| {
        Box::pin(async { Ok(CallToolResult::success(vec![ContentBlock::text("the vault holds 3 gold bars")])) })
    })
}

#[tool_router]
impl Vault {
    /// Unlock the vault: adds the `vault` tool.
    #[tool]
    fn unlock(
        &self,
        /// The code.
        code: String,
    ) -> Result<&'static str, String> {
        if code != CODE {
            return Err("wrong code".to_owned());
        }
        self.tool_router.add_route(vault_route());
        Ok("unlocked: the `vault` tool is now listed")
    }

    /// Lock the vault again: removes the `vault` tool.
    #[tool]
    fn lock(&self) -> &'static str {
        if self.tool_router.remove_route("vault") { "locked" } else { "already locked" }
    }

    /// Hide the `unlock` tool (it stays defined, but is neither listed nor callable).
    #[tool]
    fn hide_unlock(&self) -> &'static str {
        self.tool_router.disable("unlock");
        "unlock is hidden"
    }

    /// Show the `unlock` tool again.
    #[tool]
    fn show_unlock(&self) -> &'static str {
        self.tool_router.enable("unlock");
        "unlock is back"
    }
}

#[tool_handler]
impl ServerHandler for Vault {
    fn get_info(&self) -> ServerInfo {
        // Saying so lets clients know to expect `notifications/tools/list_changed`.
        let capabilities = ServerCapabilities::builder().enable_tools().enable_tool_list_changed().build();
        ServerInfo::new(Implementation::new("dynamic-tools", env!("CARGO_PKG_VERSION")), capabilities)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // One router for every session: unlocking is seen by all clients.
    let vault = Vault { tool_router: Vault::tool_router() };
    examples::run("dynamic-tools", move || vault.clone()).await
}
