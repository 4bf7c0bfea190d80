//! Every type a tool can return, and what each becomes.

use std::fmt;

use rmcp_core::handler::ServerHandler;
use rmcp_core::model::{CallToolRequestParams, CallToolResult, ContentBlock, RequestId};
use rmcp_core::router::{Json, ToolRouter};
use rmcp_core::service::{McpError, Peer, RequestContext};
use rmcp_core::{tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;

#[derive(Serialize, JsonSchema)]
struct Sum {
    total: i64,
}

#[derive(Debug)]
struct Overflow;

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("overflow")
    }
}

struct Outputs {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Outputs {
    #[tool]
    fn string(&self) -> String {
        "a String".to_owned()
    }

    #[tool]
    fn static_str(&self) -> &'static str {
        "a &'static str"
    }

    #[tool]
    fn content_block(&self) -> ContentBlock {
        ContentBlock::text("a ContentBlock")
    }

    #[tool]
    fn content_blocks(&self) -> Vec<ContentBlock> {
        vec![ContentBlock::text("one"), ContentBlock::text("two")]
    }

    #[tool]
    fn unit(&self) {}

    #[tool]
    fn unit_explicit(&self) -> () {}

    #[tool]
    fn call_tool_result(&self) -> CallToolResult {
        CallToolResult::error(vec![ContentBlock::text("a CallToolResult")])
    }

    #[tool]
    fn json(&self) -> Json<Sum> {
        Json(Sum { total: 3 })
    }

    #[tool]
    fn result_display(&self, a: i64, b: i64) -> Result<String, Overflow> {
        a.checked_add(b).map(|s| s.to_string()).ok_or(Overflow)
    }

    #[tool]
    fn result_json(&self, a: i64, b: i64) -> Result<Json<Sum>, Overflow> {
        a.checked_add(b).map(|total| Json(Sum { total })).ok_or(Overflow)
    }

    #[tool]
    async fn result_mcp_error(&self, fail: bool) -> Result<&'static str, McpError> {
        if fail { Err(McpError::invalid_params("refused")) } else { Ok("accepted") }
    }
}

#[tool_handler]
impl ServerHandler for Outputs {}

async fn call(server: &Outputs, name: &str, arguments: serde_json::Value) -> Result<CallToolResult, McpError> {
    let params = CallToolRequestParams::new(name).with_arguments(arguments.as_object().unwrap().clone());
    server.call_tool(params, RequestContext::new(RequestId::from(1), Peer::detached())).await
}

fn text(result: &CallToolResult) -> Vec<&str> {
    result.content.iter().filter_map(ContentBlock::as_text).collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let server = Outputs { tool_router: Outputs::tool_router() };
    let none = json!({});
    assert_eq!(text(&call(&server, "string", none.clone()).await.unwrap()), ["a String"]);
    assert_eq!(text(&call(&server, "static_str", none.clone()).await.unwrap()), ["a &'static str"]);
    assert_eq!(text(&call(&server, "content_block", none.clone()).await.unwrap()), ["a ContentBlock"]);
    assert_eq!(text(&call(&server, "content_blocks", none.clone()).await.unwrap()), ["one", "two"]);
    assert!(call(&server, "unit", none.clone()).await.unwrap().content.is_empty());
    assert!(call(&server, "unit_explicit", none.clone()).await.unwrap().content.is_empty());
    assert!(call(&server, "call_tool_result", none.clone()).await.unwrap().is_error());

    let sum = call(&server, "json", none.clone()).await.unwrap();
    assert_eq!(sum.structured_content, Some(json!({"total": 3})));
    let json_tool = server.tool_router.get("json").unwrap();
    assert!(json_tool.output_schema.is_some(), "Json<T> declares an output schema");
    assert!(server.tool_router.get("result_json").unwrap().output_schema.is_some(), "so does Result<Json<T>, E>");
    assert!(server.tool_router.get("string").unwrap().output_schema.is_none());

    let ok = call(&server, "result_display", json!({"a": 1, "b": 2})).await.unwrap();
    assert_eq!((text(&ok), ok.is_error()), (vec!["3"], false));
    let err = call(&server, "result_display", json!({"a": i64::MAX, "b": 1})).await.unwrap();
    assert_eq!((text(&err), err.is_error()), (vec!["overflow"], true), "an Err is a tool error");
    let err = call(&server, "result_json", json!({"a": i64::MAX, "b": 1})).await.unwrap();
    assert!(err.is_error());

    let ok = call(&server, "result_mcp_error", json!({"fail": false})).await.unwrap();
    assert_eq!(text(&ok), ["accepted"]);
    let err = call(&server, "result_mcp_error", json!({"fail": true})).await.unwrap_err();
    assert!(err.to_string().contains("refused"), "an McpError is a protocol error: {err}");
}
