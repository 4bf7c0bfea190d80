//! A calculator MCP server: `add`, `sub`, `mul` and `div`, written with the macros.
//!
//! Demonstrates the smallest macro-style server: `#[tool_router]` turns each `#[tool]` method
//! into a tool (the doc comment is its description, the plain typed arguments and their doc
//! comments its input schema), `#[tool_handler]` serves them, and a `Result<String, String>`
//! return makes a failure a tool error (`isError: true`) the model can see.
//!
//! Run it with `cargo run -p examples --bin calculator` and speak newline-delimited JSON-RPC on
//! stdin/stdout (logs go to stderr). With `--http 127.0.0.1:PORT` it serves Streamable HTTP (both
//! protocol eras) at `http://127.0.0.1:PORT/mcp` instead.

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::ToolRouter;
use rmcp_core::{tool, tool_handler, tool_router};

/// The server: stateless arithmetic, so it holds nothing but its tool router.
struct Calculator {
    /// The tools, built once by the `tool_router()` that `#[tool_router]` generates.
    tool_router: ToolRouter<Self>,
}

impl Calculator {
    fn new() -> Self {
        Self { tool_router: Self::tool_router() }
    }
}

/// Each `#[tool]` method is one tool: read-only and idempotent, two plain `f64` arguments, the
/// result as text (`5`, `-1`, `0.5`).
#[tool_router]
impl Calculator {
    /// Add two numbers: a + b
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    fn add(
        &self,
        /// The left operand.
        a: f64,
        /// The right operand.
        b: f64,
    ) -> String {
        (a + b).to_string()
    }

    /// Subtract b from a: a - b
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    fn sub(
        &self,
        /// The left operand.
        a: f64,
        /// The right operand.
        b: f64,
    ) -> String {
        (a - b).to_string()
    }

    /// Multiply two numbers: a * b
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    fn mul(
        &self,
        /// The left operand.
        a: f64,
        /// The right operand.
        b: f64,
    ) -> String {
        (a * b).to_string()
    }

    /// Divide a by b: a / b (b must not be zero)
    // `Err` is a tool error (`isError: true`) the model can read, not a JSON-RPC error.
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    fn div(
        &self,
        /// The left operand.
        a: f64,
        /// The right operand.
        b: f64,
    ) -> Result<String, String> {
        if b == 0.0 {
            return Err("division by zero".to_owned());
        }
        Ok((a / b).to_string())
    }
}

/// `#[tool_handler]` adds `tools/list`, `tools/call` and the `tools` capability; only the
/// identity and instructions are written by hand.
#[tool_handler]
impl ServerHandler for Calculator {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("calculator", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
            .with_instructions("Arithmetic on two numbers: add, sub, mul, div.")
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::run("calculator", Calculator::new).await
}
