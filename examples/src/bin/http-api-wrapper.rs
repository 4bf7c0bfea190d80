//! A server that wraps an HTTP API that needs a bearer token.
//!
//! Demonstrates the most common shape of a real MCP server: tools in front of an existing REST
//! API. The API's address and token come from the environment (`API_BASE_URL`, `API_TOKEN`),
//! never from the model or the client, so the model cannot see or change them. Each tool is
//! one API call with a timeout; the API's failures become tool errors the model can act on
//! (`401`: the server's token is wrong, `404`: no such issue) and its JSON is passed on as
//! structured output with a schema.
//!
//! Run it with `API_BASE_URL=https://... API_TOKEN=... cargo run -p examples --bin
//! http-api-wrapper` (stdio). Its test serves a small issue tracker on 127.0.0.1 for it.

use std::time::Duration;

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::{Json, ToolRouter};
use rmcp_core::{tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How long one API call may take.
const API_TIMEOUT: Duration = Duration::from_secs(10);

/// An issue, as the API returns it.
#[derive(Serialize, Deserialize, JsonSchema)]
struct Issue {
    /// The issue's number.
    number: u64,
    /// Its title.
    title: String,
    /// `open` or `closed`.
    state: String,
}

/// A list of issues.
#[derive(Serialize, Deserialize, JsonSchema)]
struct Issues {
    /// The issues, newest first.
    issues: Vec<Issue>,
}

#[derive(Clone)]
struct Tracker {
    http: reqwest::Client,
    base_url: String,
    token: String,
    tool_router: ToolRouter<Self>,
}

impl Tracker {
    /// GET `path` from the API and parse its JSON; failures as text for the model.
    async fn get<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<T, String> {
        let url = format!("{}{path}", self.base_url.trim_end_matches('/'));
        let response = self
            .http
            .get(&url)
            .bearer_auth(&self.token)
            .timeout(API_TIMEOUT)
            .send()
            .await
            .map_err(|e| format!("the issue tracker is unreachable: {e}"))?;
        match response.status() {
            s if s.is_success() => {}
            reqwest::StatusCode::UNAUTHORIZED | reqwest::StatusCode::FORBIDDEN => {
                // Not the model's fault, and nothing it can fix: say so plainly.
                return Err("the issue tracker refused this server's token (API_TOKEN)".to_owned());
            }
            reqwest::StatusCode::NOT_FOUND => return Err(format!("not found: {path}")),
            s => return Err(format!("the issue tracker answered {s}")),
        }
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        serde_json::from_slice(&body).map_err(|e| format!("the issue tracker sent unexpected JSON: {e}"))
    }
}

#[tool_router]
impl Tracker {
    /// One issue by number.
    #[tool(annotations(read_only_hint = true, open_world_hint = true))]
    async fn get_issue(
        &self,
        /// The issue's number.
        number: u64,
    ) -> Result<Json<Issue>, String> {
        self.get(&format!("/issues/{number}")).await.map(Json)
    }

    /// The open issues.
    #[tool(annotations(read_only_hint = true, open_world_hint = true))]
    async fn open_issues(&self) -> Result<Json<Issues>, String> {
        self.get("/issues?state=open").await.map(Json)
    }
}

#[tool_handler]
impl ServerHandler for Tracker {
    fn get_info(&self) -> ServerInfo {
        let identity = Implementation::new("http-api-wrapper", env!("CARGO_PKG_VERSION"));
        ServerInfo::new(identity, ServerCapabilities::default())
            .with_instructions("Reads issues from the issue tracker.")
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let env = |name: &str| std::env::var(name).map_err(|_| anyhow::anyhow!("set {name}"));
    let tracker = Tracker {
        http: reqwest::Client::builder().connect_timeout(API_TIMEOUT).build()?,
        base_url: env("API_BASE_URL")?,
        token: env("API_TOKEN")?,
        tool_router: Tracker::tool_router(),
    };
    examples::run("http-api-wrapper", move || tracker.clone()).await
}
