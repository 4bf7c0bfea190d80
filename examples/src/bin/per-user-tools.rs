//! An HTTP server that offers each user their own tools and data.
//!
//! Demonstrates per-user servers behind authentication, with middleware: an axum layer turns an
//! API key (`Authorization: Bearer KEY`) into a `Principal` in the request's extensions, or
//! answers 401; then, around the handler, `ToolVisibilityLayer` shows `note_counts` only to
//! holders of the `admin` scope (a call from anyone else is answered as for an unknown tool),
//! `RateLimitLayer` allows each user 120 tool calls a minute, and `RequestLogLayer` logs every
//! request with its user. The tools take the caller as a `Principal` argument. Per-user data
//! (`notes`) is keyed by the principal's subject, so the HTTP service, which binds each session
//! to its principal, keeps users apart in both protocol eras.
//!
//! Run it with `API_KEYS='alice:key-a:admin,bob:key-b' cargo run -p examples --bin
//! per-user-tools -- --http 127.0.0.1:8000` (each entry `user:key[:scope+scope...]`); clients
//! send `Authorization: Bearer key-a`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp_core::handler::ServerHandler;
use rmcp_core::handler::middleware::{RateLimitLayer, RequestLogLayer, ToolVisibilityLayer};
use rmcp_core::router::ToolRouter;
use rmcp_core::transport::Principal;
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use rmcp_core::{tool, tool_handler, tool_router};

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
    tool_router: ToolRouter<Self>,
}

/// The caller's name; the authentication layer lets no request in without one.
fn subject(caller: Principal) -> String {
    caller.subject.unwrap_or_default()
}

impl Workspace {
    fn notes(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<String>>> {
        self.notes.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[tool_router]
impl Workspace {
    fn new() -> Self {
        Self { notes: Arc::default(), tool_router: Self::tool_router() }
    }

    /// Who you are, as the server sees you.
    #[tool(annotations(read_only_hint = true))]
    fn whoami(&self, caller: Principal) -> String {
        subject(caller)
    }

    /// Add a note to your notes.
    #[tool]
    fn add_note(&self, text: String, caller: Principal) -> String {
        let mut notes = self.notes();
        let mine = notes.entry(subject(caller)).or_default();
        mine.push(text);
        format!("{} note(s)", mine.len())
    }

    /// Your notes, one per line.
    #[tool(annotations(read_only_hint = true))]
    fn my_notes(&self, caller: Principal) -> String {
        self.notes().get(&subject(caller)).map(|n| n.join("\n")).unwrap_or_default()
    }

    /// How many notes each user has (admins only: see the visibility layer in `main`).
    #[tool(annotations(read_only_hint = true))]
    fn note_counts(&self) -> String {
        let mut counts: Vec<String> = self.notes().iter().map(|(user, n)| format!("{user}: {}", n.len())).collect();
        counts.sort();
        counts.join("\n")
    }
}

#[tool_handler]
impl ServerHandler for Workspace {}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::init_logging();
    let keys: Keys = Arc::new(parse_keys(&std::env::var("API_KEYS").unwrap_or_default())?);
    let addr = examples::flag("--http")?.unwrap_or_else(|| "127.0.0.1:8000".to_owned());
    let workspace = Workspace::new();
    // Built once: every session's stack shares these allowances.
    let visibility = ToolVisibilityLayer::require_scopes([("note_counts", ADMIN)]);
    let rate_limit = RateLimitLayer::per_principal(120, Duration::from_secs(60)).only(["tools/call"]);
    let mcp = StreamableHttpService::new(
        move || workspace.clone().layer(visibility.clone()).layer(rate_limit.clone()).layer(RequestLogLayer::new()),
        StreamableHttpConfig::default(),
    );
    let app =
        axum::Router::new().route_service("/mcp", mcp).layer(axum::middleware::from_fn_with_state(keys, authenticate));
    let listener = tokio::net::TcpListener::bind(addr.as_str()).await?;
    eprintln!("serving Streamable HTTP at http://{}/mcp", listener.local_addr()?);
    let stop = examples::ctrl_c_token();
    axum::serve(listener, app).with_graceful_shutdown(async move { stop.cancelled().await }).await?;
    Ok(())
}
