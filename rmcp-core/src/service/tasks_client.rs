//! The client's side of the tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28): a
//! client that declares the extension may get a task handle instead of a tool result; these
//! methods poll it, answer its input requests and cancel it. [`Peer::call_tool`] does all of
//! that itself and returns the final result.

use std::time::Duration;

use super::{Peer, RequestOptions, RoleClient, ServiceError};
use crate::model::tasks_ext::{self, GetTaskResult};
use crate::model::{CancelTaskRequestParams, EmptyResult, GetTaskRequestParams, JsonObject, TaskStatus};

/// How long to wait between polls when the server suggests nothing, and the bounds put on what
/// it suggests (a zero interval would make the client spin).
const DEFAULT_POLL: Duration = Duration::from_millis(500);
const MIN_POLL: Duration = Duration::from_millis(20);
const MAX_POLL: Duration = Duration::from_secs(30);

impl Peer<RoleClient> {
    /// `tasks/get`: the task's state, with its result, error or input requests inlined.
    pub async fn get_task(&self, task_id: &str) -> Result<GetTaskResult, ServiceError> {
        self.send_request(tasks_ext::methods::GET, &GetTaskRequestParams::new(task_id), RequestOptions::new()).await
    }

    /// `tasks/update`: answers to the task's input requests (all or some of them).
    pub async fn update_task(&self, task_id: &str, input_responses: JsonObject) -> Result<(), ServiceError> {
        let mut params = tasks_ext::UpdateTaskRequestParams::new(task_id, Default::default());
        params.input_responses = input_responses;
        self.send_request::<EmptyResult>(tasks_ext::methods::UPDATE, &params, RequestOptions::new()).await?;
        Ok(())
    }

    /// `tasks/cancel`: ask the server to stop the task (its status then reads `cancelled`).
    pub async fn cancel_task(&self, task_id: &str) -> Result<(), ServiceError> {
        let params = CancelTaskRequestParams::new(task_id);
        self.send_request::<EmptyResult>(tasks_ext::methods::CANCEL, &params, RequestOptions::new()).await?;
        Ok(())
    }

    /// Poll the task until it ends, answering its input requests with this client's handler on
    /// the way, and return its result (as sent: for a tool call, a `CallToolResult` object).
    ///
    /// A `failed` task is [`ServiceError::McpError`] with the task's error; a `cancelled` one is
    /// [`ServiceError::Cancelled`]. Dropping the future stops polling but not the task: call
    /// [`cancel_task`](Self::cancel_task) for that.
    pub async fn wait_for_task(&self, task_id: &str) -> Result<JsonObject, ServiceError> {
        // Keys already answered: a server that still lists them (it resumes asynchronously) must
        // not make the client ask its user twice.
        let mut answered = std::collections::HashSet::new();
        loop {
            let state = self.get_task(task_id).await?.task;
            let poll =
                state.task.poll_interval_ms.map_or(DEFAULT_POLL, Duration::from_millis).clamp(MIN_POLL, MAX_POLL);
            match state.task.status {
                TaskStatus::Completed => return Ok(state.result.unwrap_or_default()),
                TaskStatus::Failed => {
                    let error = state.error.unwrap_or_else(|| crate::model::ErrorData::internal_error("task failed"));
                    return Err(ServiceError::McpError(error));
                }
                TaskStatus::Cancelled => {
                    return Err(ServiceError::Cancelled { reason: Some(format!("task {task_id} was cancelled")) });
                }
                TaskStatus::InputRequired => {
                    let mut asked = state.input_requests.unwrap_or_default();
                    asked.retain(|key, _| !answered.contains(key));
                    if !asked.is_empty() {
                        answered.extend(asked.keys().cloned());
                        let answers = self.fulfil(asked).await?;
                        self.update_task(task_id, answers).await?;
                    }
                    tokio::time::sleep(poll).await;
                }
                _ => tokio::time::sleep(poll).await,
            }
        }
    }
}
