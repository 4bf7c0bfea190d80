//! An LLM host: a client that lets a model call the tools of several servers in a loop, and lends
//! the same model to servers that ask for it (sampling).
//!
//! Demonstrates the loop every chat application runs: list the tools of all servers (a
//! `ClientGroup` over `calculator` and `assistant`, started as child processes), give them to the
//! model with the user's question, call the tool the model picks, give it the result, and repeat
//! until the model answers (at most 8 steps). `assistant`'s `summarize` tool asks the client's
//! model in turn (`sampling/createMessage`), which this client answers with the same model.
//!
//! The "model" is a deterministic stand-in (`model` below), so the example needs no network or
//! API key; a real host calls its LLM there, with the same inputs and outputs.
//!
//! Run it with `cargo build -p examples --bins && target/debug/tool-loop-client`.

use rmcp_core::ClientHandler;
use rmcp_core::client::ClientGroup;
use rmcp_core::handler::ClientInfo;
use rmcp_core::model::{
    CallToolRequestParams, ClientCapabilities, CreateMessageRequestParams, CreateMessageResult, Implementation,
    JsonObject, Role, SamplingContent, Tool, stop_reason,
};
use rmcp_core::service::{McpError, RequestContext, ServiceExt};
use rmcp_core::transport::ChildProcess;
use rmcp_core::{RoleClient, RunningService};
use serde_json::json;
use tokio::process::Command;

/// The user's question.
const QUESTION: &str = "What is 6 times 7? Summarize the answer for me.";

/// The most tool calls one question may take: a model that loops must not loop forever.
const MAX_STEPS: usize = 8;

/// One turn of the conversation the model sees.
enum Turn {
    User(String),
    ToolCall(String),
    ToolResult(String),
}

/// What the model does next.
enum Reply {
    CallTool(String, JsonObject),
    Answer(String),
}

/// The stand-in model. Given the conversation and the tools, it multiplies the numbers of the
/// question with a tool whose name ends in `mul`, then has the result summarized with a tool
/// ending in `summarize`, then answers. A real model decides the same things from the tools'
/// names, descriptions and schemas.
fn model(conversation: &[Turn], tools: &[Tool]) -> Reply {
    let find = |suffix: &str| tools.iter().map(|t| t.name.clone()).find(|n| n.ends_with(suffix));
    let called = |suffix: &str| conversation.iter().any(|t| matches!(t, Turn::ToolCall(n) if n.ends_with(suffix)));
    let last_result = conversation.iter().rev().find_map(|t| match t {
        Turn::ToolResult(r) => Some(r.clone()),
        _ => None,
    });
    let numbers: Vec<f64> = conversation
        .iter()
        .filter_map(|t| if let Turn::User(q) = t { Some(q) } else { None })
        .flat_map(|q| q.split(|c: char| !c.is_ascii_digit()).filter_map(|w| w.parse().ok()).collect::<Vec<_>>())
        .collect();
    match (find("mul"), find("summarize")) {
        (Some(mul), _) if !called("mul") && numbers.len() >= 2 => {
            let args = json!({"a": numbers[0], "b": numbers[1]});
            Reply::CallTool(mul, args.as_object().cloned().unwrap_or_default())
        }
        (_, Some(summarize)) if called("mul") && !called("summarize") => {
            let product = last_result.unwrap_or_default();
            let text = format!("Multiplying {} by {} gives {product}, the answer.", numbers[0], numbers[1]);
            Reply::CallTool(summarize, json!({"text": text}).as_object().cloned().unwrap_or_default())
        }
        _ => Reply::Answer(format!("Here it is: {}", last_result.unwrap_or_else(|| "I could not work it out.".into()))),
    }
}

/// The client lent to `assistant`: it answers sampling with the stand-in model.
struct Host;

impl ClientHandler for Host {
    fn get_info(&self) -> ClientInfo {
        let capabilities = ClientCapabilities::builder().enable_sampling().build();
        ClientInfo::new(Implementation::new("tool-loop-client", env!("CARGO_PKG_VERSION")), capabilities)
    }

    /// A server asked the model: a summary is the first words of the text.
    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, McpError> {
        let asked: Vec<String> = params
            .messages
            .iter()
            .filter(|m| m.role == Role::User)
            .flat_map(|m| m.content.blocks().iter().filter_map(|b| b.as_text()).map(str::to_owned).collect::<Vec<_>>())
            .collect();
        let text = asked.join(" ");
        println!("  [sampling] a server asks the model to summarize {} words", text.split_whitespace().count());
        let summary: Vec<&str> = text.split_whitespace().take(6).collect();
        let reply = SamplingContent::text(format!("In short: {}", summary.join(" ")));
        Ok(CreateMessageResult::new(Role::Assistant, reply, "stand-in").with_stop_reason(stop_reason::END_TURN))
    }
}

/// Start the example server `name` as a child process, served by `handler`.
async fn start<H: ClientHandler>(name: &str, handler: H) -> anyhow::Result<RunningService<RoleClient, H>> {
    let child = ChildProcess::builder(Command::new(examples::sibling_binary(name)?)).discard_stderr().spawn()?;
    Ok(handler.serve(child).await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut group = ClientGroup::new();
    group.add("calculator", start("calculator", ()).await?)?;
    group.add("assistant", start("assistant", Host).await?)?;
    let tools = group.list_all_tools().await?;
    println!("{} tools from {} servers", tools.len(), group.servers().count());

    println!("user: {QUESTION}");
    let mut conversation = vec![Turn::User(QUESTION.to_owned())];
    for _ in 0..MAX_STEPS {
        match model(&conversation, &tools) {
            Reply::Answer(text) => {
                println!("model: {text}");
                return Ok(());
            }
            Reply::CallTool(name, arguments) => {
                println!("model calls {name} {}", serde_json::Value::Object(arguments.clone()));
                let result =
                    group.call_tool(CallToolRequestParams::new(name.clone()).with_arguments(arguments)).await?;
                // A tool error goes back to the model too: it may try something else.
                let text = examples::text_of(&result);
                println!("  {name} -> {text}{}", if result.is_error() { " (tool error)" } else { "" });
                conversation.push(Turn::ToolCall(name));
                conversation.push(Turn::ToolResult(text));
            }
        }
    }
    anyhow::bail!("the model did not answer within {MAX_STEPS} steps")
}
