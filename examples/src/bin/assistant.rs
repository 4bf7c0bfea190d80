//! An assistant MCP server whose tools need the client: its model, its user, its roots, and its
//! patience.
//!
//! Demonstrates asking the client for input from inside a tool, with one API for both protocol
//! eras:
//! - `summarize(text)` asks the client's model (`ctx.create_message`, sampling);
//! - `greet()` asks the user for their name (`ctx.elicit::<Name>`, a form derived from a struct);
//! - `workspace()` lists the client's roots (`ctx.list_roots`);
//! - `countdown(from)` reports progress every step (`ProgressReporter`) and stops when the client
//!   cancels the call (`CancellationToken`).
//!
//! On a 2025-11-25 session those `ctx` calls are requests to the client, answered while the tool
//! waits. On 2026-07-28 there are no server-to-client requests: the same calls end the tool early
//! with an `input_required` result, the client answers and retries, and the tool runs again from
//! the top, this time getting the answers. So a tool must not do irreversible work before its
//! last question; these ones only ask.
//!
//! Run it with `cargo run -p examples --bin assistant` (stdio), or with `--http 127.0.0.1:PORT`
//! (`PORT` 0 picks a free one) to serve Streamable HTTP. It needs a client that answers sampling,
//! elicitation and roots: `sampling-client` and `progress-client` start it as a child process.

use std::time::Duration;

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{CreateMessageRequestParams, Implementation, SamplingMessage, ServerCapabilities};
use rmcp_core::router::{ProgressReporter, ToolRouter};
use rmcp_core::service::{Elicitation, McpError, RequestContext};
use rmcp_core::{CancellationToken, RoleServer, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

/// How long one step of `countdown` takes.
const STEP: Duration = Duration::from_millis(100);

/// The longest countdown: a minute of steps, so a forgotten call cannot run forever.
const MAX_COUNTDOWN: u32 = 600;

/// The server. It keeps nothing between calls: everything it needs, it asks the client for.
#[derive(Clone)]
struct Assistant {
    tool_router: ToolRouter<Self>,
}

// The form `greet` shows the user. Its fields and doc comments become the elicitation's
// `requestedSchema`, so the doc comment is what the user reads next to the input box.
/// Who the user is.
#[derive(Deserialize, JsonSchema)]
struct Name {
    /// What should I call you?
    name: String,
}

impl Assistant {
    fn new() -> Self {
        Self { tool_router: Self::tool_router() }
    }
}

#[tool_router]
impl Assistant {
    /// Summarize a text in one sentence, using the client's language model.
    #[tool(annotations(read_only_hint = true))]
    async fn summarize(
        &self,
        /// The text to summarize.
        text: String,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        let request = CreateMessageRequestParams::new(vec![SamplingMessage::user_text(text)], 200)
            .with_system_prompt("Summarize the user's text in one sentence.");
        // `?` passes both a refusal (a JSON-RPC error) and, on 2026-07-28, the `input_required`
        // result that asks the client for the model's answer.
        let reply = ctx.create_message("summary", request).await?;
        let said: Vec<&str> = reply.content.blocks().iter().filter_map(|b| b.as_text()).collect();
        if said.is_empty() {
            return Err(McpError::internal_error(format!("the client's model ({}) replied without text", reply.model)));
        }
        Ok(said.join(" "))
    }

    /// Greet the user by name, asking them for it.
    #[tool(annotations(read_only_hint = true))]
    async fn greet(&self, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        // Declining or dismissing the form is an answer too, not an error.
        Ok(match ctx.elicit::<Name>("name", "What is your name?").await? {
            Elicitation::Accepted(Name { name }) => format!("Hello, {name}!"),
            Elicitation::Declined => "Hello, stranger who keeps their name!".to_owned(),
            Elicitation::Cancelled => "Hello, whoever you are!".to_owned(),
        })
    }

    /// The client's workspace: the roots it shares, one per line.
    #[tool(annotations(read_only_hint = true))]
    async fn workspace(&self, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        let roots = ctx.list_roots("roots").await?.roots;
        if roots.is_empty() {
            return Ok("the client shares no roots".to_owned());
        }
        let lines: Vec<String> = roots
            .iter()
            .map(|root| match &root.name {
                Some(name) => format!("{name}: {}", root.uri),
                None => root.uri.clone(),
            })
            .collect();
        Ok(lines.join("\n"))
    }

    /// Count down from `from` to zero, one step every 100 ms, reporting progress at each step.
    #[tool(annotations(read_only_hint = true, idempotent_hint = true))]
    async fn countdown(
        &self,
        /// Where to start (at most 600).
        from: u32,
        progress: ProgressReporter,
        ct: CancellationToken,
    ) -> Result<String, McpError> {
        if from > MAX_COUNTDOWN {
            // A tool error the model can read and correct, not a protocol error.
            return Err(McpError::InvalidArguments(format!("`from` is {from}; the most is {MAX_COUNTDOWN}")));
        }
        for step in 1..=from {
            // Cancellation is cooperative: the token fires on `notifications/cancelled` (or when
            // the connection goes), and waiting on it beside the sleep stops within the step.
            tokio::select! {
                () = ct.cancelled() => {
                    // The client no longer waits for a result, so the only place to say so is
                    // the log (stderr: stdout carries the protocol). progress-client reads it.
                    eprintln!("countdown: cancelled by the client after {} of {from} steps", step - 1);
                    // The engine drops whatever a cancelled call returns.
                    return Err(McpError::internal_error("cancelled"));
                }
                () = tokio::time::sleep(STEP) => {}
            }
            // With RUST_LOG=assistant=debug: which instance runs it, for the scale-out tests.
            tracing::debug!(step, of = from, "countdown step");
            // A no-op when the client did not ask for progress.
            progress.report(f64::from(step), Some(f64::from(from)), Some(format!("{} to go", from - step))).await?;
        }
        Ok(format!("counted down from {from}: liftoff"))
    }
}

/// `#[tool_handler]` serves the four tools and declares the `tools` capability. What the tools
/// need from the client (sampling, elicitation, roots) is the client's to declare: a call from a
/// client that did not is answered with -32021 (missing client capability).
#[tool_handler]
impl ServerHandler for Assistant {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("assistant", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
            .with_instructions(
                "Tools that ask the client: summarize (sampling), greet (elicitation), workspace (roots); \
                 countdown reports progress and can be cancelled.",
            )
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::run("assistant", Assistant::new).await
}
