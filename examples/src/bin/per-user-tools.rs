//! An HTTP server that offers each user their own tools and data.
//!
//! Demonstrates per-user servers behind authentication: an axum middleware turns an API key
//! (`Authorization: Bearer KEY`) into a `Principal` in the request's extensions, or answers 401;
//! the handler reads it with `ctx.principal()` and serves the full tool set to holders
//! of the `admin` scope, the user tool set to everyone else, refusing calls to tools a user
//! is not shown. Both sets are routers built once, so a listing copies nothing. Per-user data
//! (`notes`) is keyed by the principal's subject, so the HTTP service, which binds each session
//! to its principal, keeps users apart in both protocol eras.
//!
//! Run it with `API_KEYS='alice:key-a:admin,bob:key-b' cargo run -p examples --bin
//! per-user-tools -- --http 127.0.0.1:8000` (each entry `user:key[:scope+scope...]`); clients
//! send `Authorization: Bearer key-a`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, Implementation, ListToolsResult, PaginatedRequestParams, ServerCapabilities,
};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::{McpError, RequestContext};
use rmcp_core::transport::Principal;
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use rmcp_core::{RoleServer, tool, tool_router};

/// The scope that unlocks the admin tools.
const ADMIN: &str = "admin";

/// API key -> the principal it authenticates.
type Keys = Arc<HashMap<String, Principal>>;

/// Parse `user:key[:scope+scope...]` entries separated by commas.
fn parse_keys(spec: &str) -> anyhow::Result<HashMap<String, Principal>> {
    let mut keys = HashMap::new();
    for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let mut parts = entry.split(':');
        let (Some(user), Some(key)) = (parts.next(), parts.next()) else {
            anyhow::bail!("`{entry}`: expected user:key[:scope+scope]");
        };
        let scopes = parts.next().map(|s| s.split('+').map(str::to_owned).collect::<Vec<_>>()).unwrap_or_default();
        keys.insert(key.to_owned(), Principal::new(user).with_scopes(scopes));
    }
    anyhow::ensure!(!keys.is_empty(), "API_KEYS holds no key");
    Ok(keys)
}

/// The authentication layer: a known API key becomes the request's `Principal`; anything else
/// is 401 before the MCP service sees the request.
async fn authenticate(State(keys): State<Keys>, mut request: Request, next: Next) -> Response {
    let presented = request.headers().get("authorization").and_then(|v| v.to_str().ok());
    let principal = presented.and_then(|v| v.strip_prefix("Bearer ")).and_then(|key| keys.get(key)).cloned();
    match principal {
        Some(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        None => (StatusCode::UNAUTHORIZED, [("www-authenticate", "Bearer")], "an API key is required").into_response(),
    }
}

#[derive(Clone)]
struct Workspace {
    /// Each user's notes, by subject.
    notes: Arc<Mutex<HashMap<String, Vec<String>>>>,
    /// What every user may call.
    user_tools: ToolRouter<Self>,
    /// The user tools and the admin tools.
    all_tools: ToolRouter<Self>,
}

/// The subject of the request's principal; the middleware guarantees one.
fn subject(ctx: &RequestContext<RoleServer>) -> Result<String, McpError> {
    let principal = ctx.principal().and_then(|p| p.subject.clone());
    principal.ok_or_else(|| McpError::invalid_request("no authenticated user"))
}

impl Workspace {
    fn new() -> Self {
        Self {
            notes: Arc::default(),
            user_tools: Self::user_tools(),
            all_tools: Self::user_tools() + Self::admin_tools(),
        }
    }

    /// The tool set of the caller of `ctx`.
    fn tools_for(&self, ctx: &RequestContext<RoleServer>) -> &ToolRouter<Self> {
        let admin = ctx.principal().is_some_and(|p| p.has_scope(ADMIN));
        if admin { &self.all_tools } else { &self.user_tools }
    }

    fn notes(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<String>>> {
        self.notes.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[tool_router(router = user_tools)]
impl Workspace {
    /// Who you are, as the server sees you.
    #[tool(annotations(read_only_hint = true))]
    fn whoami(&self, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        subject(&ctx)
    }

    /// Add a note to your notes.
    #[tool]
    fn add_note(&self, text: String, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        let user = subject(&ctx)?;
        let mut notes = self.notes();
        let mine = notes.entry(user).or_default();
        mine.push(text);
        Ok(format!("{} note(s)", mine.len()))
    }

    /// Your notes, one per line.
    #[tool(annotations(read_only_hint = true))]
    fn my_notes(&self, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        Ok(self.notes().get(&subject(&ctx)?).map(|n| n.join("\n")).unwrap_or_default())
    }
}

#[tool_router(router = admin_tools)]
impl Workspace {
    /// How many notes each user has (admins only).
    #[tool(annotations(read_only_hint = true))]
    fn note_counts(&self) -> String {
        let mut counts: Vec<String> = self.notes().iter().map(|(user, n)| format!("{user}: {}", n.len())).collect();
        counts.sort();
        counts.join("\n")
    }
}

impl ServerHandler for Workspace {
    fn get_info(&self) -> ServerInfo {
        // Written by hand (no #[tool_handler]), so the capability is declared here.
        let capabilities = ServerCapabilities::builder().enable_tools().build();
        ServerInfo::new(Implementation::new("per-user-tools", env!("CARGO_PKG_VERSION")), capabilities)
    }

    async fn list_tools(
        &self,
        _params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(self.tools_for(&ctx).list_tools(&ctx))
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        // A tool the caller is not shown is unknown to them: the same answer as a missing tool.
        self.tools_for(&ctx).call_tool(self, params, ctx).await
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::init_logging();
    let keys: Keys = Arc::new(parse_keys(&std::env::var("API_KEYS").unwrap_or_default())?);
    let addr = examples::flag("--http")?.unwrap_or_else(|| "127.0.0.1:8000".to_owned());
    let workspace = Workspace::new();
    let mcp = StreamableHttpService::new(move || workspace.clone(), StreamableHttpConfig::default());
    let app =
        axum::Router::new().route_service("/mcp", mcp).layer(axum::middleware::from_fn_with_state(keys, authenticate));
    let listener = tokio::net::TcpListener::bind(addr.as_str()).await?;
    eprintln!("serving Streamable HTTP at http://{}/mcp", listener.local_addr()?);
    let stop = examples::ctrl_c_token();
    axum::serve(listener, app).with_graceful_shutdown(async move { stop.cancelled().await }).await?;
    Ok(())
}
