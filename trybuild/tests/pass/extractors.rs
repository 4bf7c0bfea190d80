//! Every extractor a tool can take, beside plain arguments and `Parameters<T>`, called through
//! the handler as a client's `tools/call` would be.

use rmcp_core::handler::ServerHandler;
use rmcp_core::model::{CallToolRequestParams, Meta, RequestId};
use rmcp_core::router::{Parameters, ProgressReporter, ToolRouter};
use rmcp_core::service::{Peer, RequestContext, RoleServer};
use rmcp_core::{CancellationToken, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, JsonSchema)]
struct Query {
    /// What to look for.
    text: String,
}

struct Search {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Search {
    /// Every extractor, and a plain argument between them.
    #[tool]
    async fn everything(
        &self,
        ctx: RequestContext<RoleServer>,
        peer: Peer<RoleServer>,
        limit: Option<u32>,
        ct: CancellationToken,
        meta: Meta,
        progress: ProgressReporter,
    ) -> String {
        let _ = peer;
        progress.report(1.0, Some(1.0), None).await.expect("progress without a token is a no-op");
        format!(
            "id {} limit {} cancelled {} meta {} progress {}",
            ctx.id,
            limit.unwrap_or(10),
            ct.is_cancelled(),
            meta.len(),
            progress.is_requested()
        )
    }

    /// `Parameters<T>` with extractors on both sides.
    #[tool]
    fn search(&self, ct: CancellationToken, Parameters(query): Parameters<Query>, meta: Meta) -> String {
        format!("searching {} (cancelled {}, meta {})", query.text, ct.is_cancelled(), meta.len())
    }
}

#[tool_handler]
impl ServerHandler for Search {}

async fn call(server: &Search, name: &str, arguments: serde_json::Value) -> String {
    let params = CallToolRequestParams::new(name).with_arguments(arguments.as_object().unwrap().clone());
    let ctx = RequestContext::new(RequestId::from(7), Peer::detached());
    let result = server.call_tool(params, ctx).await.expect("the call succeeds");
    assert!(!result.is_error(), "{result:?}");
    result.content[0].as_text().unwrap().to_owned()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let server = Search { tool_router: Search::tool_router() };
    let tools = server.tool_router.list();
    let everything = &tools.tools[0];
    let properties = everything.input_schema["properties"].as_object().unwrap();
    assert_eq!(properties.keys().collect::<Vec<_>>(), ["limit"], "extractors are not inputs");
    assert_eq!(tools.tools[1].input_schema["required"], json!(["text"]));

    assert_eq!(
        call(&server, "everything", json!({"limit": 3})).await,
        "id 7 limit 3 cancelled false meta 0 progress false"
    );
    assert_eq!(call(&server, "search", json!({"text": "mcp"})).await, "searching mcp (cancelled false, meta 0)");
}
