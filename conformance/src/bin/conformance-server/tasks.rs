//! The tasks-extension fixtures (CONTRACT A.11), on the SDK's `TaskStore`: each task-supporting
//! tool hands its work to `TaskStore::run`, which makes it a task when the request opted into
//! `io.modelcontextprotocol/tasks` and runs it inline (or refuses, for required tasks) otherwise.

use std::time::Duration;

use rmcp_core::handler::tasks::{TaskContext, TaskSupport};
use rmcp_core::model::{CallToolResult, ContentBlock, InputRequest, InputRequests, InputResponse};
use rmcp_core::router::Parameters;
use rmcp_core::schema::elicitation_schema_for;
use rmcp_core::service::{Elicitation, McpError, RequestContext, RoleServer};
use rmcp_core::{tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::Everything;

/// Arguments of `greet`.
#[derive(Deserialize, JsonSchema)]
pub struct GreetArgs {
    /// Whom to greet.
    name: String,
}

/// Arguments of `slow_compute`.
#[derive(Deserialize, JsonSchema)]
pub struct SlowArgs {
    /// How long the computation takes, in seconds.
    #[serde(default)]
    seconds: f64,
    /// A label echoed in the result.
    #[serde(default)]
    label: Option<String>,
}

/// Arguments of `confirm_delete`.
#[derive(Deserialize, JsonSchema)]
pub struct DeleteArgs {
    /// The file to delete.
    #[serde(default)]
    filename: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
struct Confirm {
    /// Whether to go ahead.
    confirm: bool,
}

#[derive(Deserialize, JsonSchema)]
struct UserName {
    name: String,
}

fn text(t: impl Into<String>) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(t)])
}

fn elicit(message: &str) -> Result<InputRequest, McpError> {
    let schema = elicitation_schema_for::<UserName>().map_err(McpError::internal_error)?;
    Ok(rmcp_core::model::ElicitRequestFormParams::new(message, schema).into())
}

/// Sleep `seconds`, or stop early when the task is cancelled.
async fn sleep_or_cancel(task: &TaskContext, seconds: f64) {
    let ct = task.cancellation_token();
    tokio::select! {
        () = tokio::time::sleep(Duration::from_secs_f64(seconds.clamp(0.0, 600.0))) => {}
        () = ct.cancelled() => {}
    }
}

#[tool_router(router = task_tools)]
impl Everything {
    /// Greets by name; never a task.
    #[tool]
    fn greet(&self, Parameters(args): Parameters<GreetArgs>) -> String {
        format!("Hello, {}!", args.name)
    }

    /// Computes for `seconds` seconds; a task when the client opted in.
    #[tool]
    async fn slow_compute(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<SlowArgs>,
    ) -> Result<CallToolResult, McpError> {
        self.tasks
            .run(&ctx, TaskSupport::Optional, move |task| async move {
                sleep_or_cancel(&task, args.seconds).await;
                Ok(text(format!("computed {} after {}s", args.label.unwrap_or_default(), args.seconds)))
            })
            .await
    }

    /// Always ends with a tool error after about a second; only runs as a task.
    #[tool]
    async fn failing_job(&self, ctx: RequestContext<RoleServer>) -> Result<CallToolResult, McpError> {
        self.tasks
            .run(&ctx, TaskSupport::Required, |task| async move {
                sleep_or_cancel(&task, 1.0).await;
                Ok(CallToolResult::error(vec![ContentBlock::text("the job failed")]))
            })
            .await
    }

    /// Ends with a protocol-level error, so its task is `failed`.
    #[tool]
    async fn protocol_error_job(&self, ctx: RequestContext<RoleServer>) -> Result<CallToolResult, McpError> {
        self.tasks
            .run(&ctx, TaskSupport::Optional, |_task| async move {
                Err(McpError::internal_error("the job hit an internal error"))
            })
            .await
    }

    /// Asks for confirmation before deleting a file.
    #[tool]
    async fn confirm_delete(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<DeleteArgs>,
    ) -> Result<CallToolResult, McpError> {
        let file = args.filename.unwrap_or_else(|| "the file".to_owned());
        self.tasks
            .run(&ctx, TaskSupport::Optional, move |task| async move {
                let confirmed = task.elicit::<Confirm>("confirm", format!("Delete {file}?")).await?;
                Ok(text(match confirmed {
                    Elicitation::Accepted(Confirm { confirm: true }) => format!("deleted {file}"),
                    _ => format!("kept {file}"),
                }))
            })
            .await
    }

    /// Asks two questions at once.
    #[tool]
    async fn multi_input(&self, ctx: RequestContext<RoleServer>) -> Result<CallToolResult, McpError> {
        let mut asked = InputRequests::new();
        asked.insert("first".into(), elicit("First name?")?);
        asked.insert("last".into(), elicit("Last name?")?);
        self.tasks
            .run(&ctx, TaskSupport::Optional, move |task| async move {
                let answers = task.inputs(asked).await?;
                let name = |key: &str| match answers.get(key) {
                    Some(InputResponse::Elicit(e)) => {
                        e.content.as_ref().and_then(|c| c.get("name")).and_then(|v| v.as_str()).unwrap_or("").to_owned()
                    }
                    _ => String::new(),
                };
                Ok(text(format!("Hello, {} {}!", name("first"), name("last"))))
            })
            .await
    }

    /// Asks the user's name (multi round-trip), then finishes as a task.
    #[tool]
    async fn test_tool_with_task(&self, ctx: RequestContext<RoleServer>) -> Result<CallToolResult, McpError> {
        let name = match ctx.elicit::<UserName>("user_name", "What is your name?").await? {
            Elicitation::Accepted(u) => u.name,
            _ => "stranger".to_owned(),
        };
        self.tasks
            .run(&ctx, TaskSupport::Required, move |task| async move {
                sleep_or_cancel(&task, 0.2).await;
                Ok(text(format!("Task finished for {name}")))
            })
            .await
    }
}
