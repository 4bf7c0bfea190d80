//! A calculator MCP server over stdio: `add`, `sub`, `mul` and `div`.
//!
//! The handler is written by hand against `ServerHandler`; the tool list and its schemas are
//! built once at start-up. Run it with `cargo run -p examples --bin calculator` and speak
//! newline-delimited JSON-RPC on stdin/stdout (logs go to stderr). With `--http 127.0.0.1:PORT` it
//! serves Streamable HTTP (both protocol eras) at `http://127.0.0.1:PORT/mcp` instead.

use std::sync::Arc;

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, Implementation, JsonObject, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, Tool, ToolAnnotations,
};
use rmcp_core::service::{McpError, RequestContext, RoleServer, ServiceExt};
use schemars::JsonSchema;
use serde::Deserialize;

/// The two operands of every calculator tool.
#[derive(Debug, Deserialize, JsonSchema)]
struct Operands {
    /// The left operand.
    a: f64,
    /// The right operand.
    b: f64,
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Op {
    const ALL: [(&'static str, &'static str, Op); 4] = [
        ("add", "Add two numbers: a + b", Op::Add),
        ("sub", "Subtract b from a: a - b", Op::Sub),
        ("mul", "Multiply two numbers: a * b", Op::Mul),
        ("div", "Divide a by b: a / b (b must not be zero)", Op::Div),
    ];

    fn by_name(name: &str) -> Option<Op> {
        Self::ALL.iter().find(|(n, _, _)| *n == name).map(|(_, _, op)| *op)
    }

    fn apply(self, Operands { a, b }: Operands) -> Result<f64, String> {
        match self {
            Op::Add => Ok(a + b),
            Op::Sub => Ok(a - b),
            Op::Mul => Ok(a * b),
            Op::Div if b == 0.0 => Err("division by zero".to_owned()),
            Op::Div => Ok(a / b),
        }
    }
}

struct Calculator {
    tools: Arc<ListToolsResult>,
}

impl Calculator {
    fn new() -> Self {
        let schema = schemars::schema_for!(Operands);
        let schema: Arc<JsonObject> = match serde_json::to_value(schema) {
            Ok(serde_json::Value::Object(o)) => Arc::new(o),
            _ => unreachable!("a derived schema is an object"),
        };
        let tools = Op::ALL
            .iter()
            .map(|(name, description, _)| {
                Tool::new(*name, *description, schema.clone())
                    .with_annotations(ToolAnnotations::new().with_read_only(true).with_idempotent(true))
            })
            .collect();
        Self { tools: Arc::new(ListToolsResult::new(tools)) }
    }
}

impl ServerHandler for Calculator {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(
            Implementation::new("calculator", env!("CARGO_PKG_VERSION")),
            ServerCapabilities::builder().enable_tools().build(),
        )
        .with_instructions("Arithmetic on two numbers: add, sub, mul, div.")
    }

    async fn list_tools(
        &self,
        _params: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok((*self.tools).clone())
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let op = Op::by_name(&params.name)
            .ok_or_else(|| McpError::invalid_params(format!("Unknown tool: {}", params.name)))?;
        let args = serde_json::Value::Object(params.arguments.unwrap_or_default());
        let operands: Operands = serde_json::from_value(args)
            .map_err(|e| McpError::invalid_params(format!("Invalid arguments for `{}`: {e}", params.name)))?;
        Ok(match op.apply(operands) {
            Ok(value) => CallToolResult::success(vec![ContentBlock::text(value.to_string())]),
            Err(message) => CallToolResult::error(vec![ContentBlock::text(message)]),
        })
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args: Vec<String> = std::env::args().collect();
    if let Some(addr) = args.iter().position(|a| a == "--http").and_then(|i| args.get(i + 1)) {
        // One handler per 2025-era session, one shared by stateless requests. The default
        // Host/Origin allow-lists accept loopback names only: bind to loopback.
        let service = rmcp_core::transport::http::StreamableHttpService::new(
            Calculator::new,
            rmcp_core::transport::http::StreamableHttpConfig::default(),
        );
        tracing::info!("serving Streamable HTTP at http://{addr}/mcp");
        service.serve_on(addr.as_str()).await?;
        return Ok(());
    }
    let server = Calculator::new().serve(rmcp_core::transport::stdio()).await?;
    let reason = server.waiting().await;
    tracing::info!(?reason, "calculator stopped");
    Ok(())
}
