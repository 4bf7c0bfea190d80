//! [`TaskContext`]: what a task's work uses to ask the client for input, as a task or inline.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::TaskStore;
use crate::model::{ClientCapabilities, InputRequest, InputRequests, InputResponses};
use crate::service::input::{check_capability, elicit_outcome, elicit_request, parse_answer};
use crate::service::{Elicitation, McpError, RequestContext, RoleServer};

/// What a task's work uses to ask the client for input: inside a task, the task parks in
/// `input_required` until `tasks/update` answers; inline, the request's own input API is used
/// (MRTR on 2026-07-28, requests to the client on 2025).
#[derive(Debug)]
pub struct TaskContext {
    pub(super) mode: Mode,
}

#[derive(Debug)]
pub(super) enum Mode {
    Inline(RequestContext<RoleServer>),
    /// The capabilities the creating request declared: a task asks only for what they allow.
    Task {
        store: TaskStore,
        id: String,
        ct: CancellationToken,
        capabilities: Box<ClientCapabilities>,
    },
}

impl TaskContext {
    /// The task's id, or `None` when the work runs inline.
    pub fn task_id(&self) -> Option<&str> {
        match &self.mode {
            Mode::Task { id, .. } => Some(id),
            Mode::Inline(_) => None,
        }
    }

    /// Cancelled when the task (or the inline request) is cancelled.
    pub fn cancellation_token(&self) -> CancellationToken {
        match &self.mode {
            Mode::Task { ct, .. } => ct.clone(),
            Mode::Inline(ctx) => ctx.ct.clone(),
        }
    }

    /// Ask for several inputs at once; answers come back under the same keys.
    pub async fn inputs(&self, requests: InputRequests) -> Result<InputResponses, McpError> {
        match &self.mode {
            Mode::Inline(ctx) => ctx.inputs(requests).await,
            Mode::Task { store, id, ct, capabilities } => {
                for request in requests.values() {
                    check_capability(request, capabilities)?;
                }
                let asked = requests.clone();
                let raw = store.park(id, ct, requests).await?;
                let mut answers = InputResponses::new();
                for (key, request) in &asked {
                    let answer =
                        raw.get(key).ok_or_else(|| McpError::invalid_params(format!("no answer to `{key}`")))?;
                    let value = serde_json::to_value(answer).map_err(|e| McpError::internal_error(e.to_string()))?;
                    answers.insert(key.clone(), parse_answer(key, request, &value)?);
                }
                Ok(answers)
            }
        }
    }

    /// Ask the user to fill in a form derived from `T`, under `key`
    /// (see [`RequestContext::elicit`]).
    pub async fn elicit<T: DeserializeOwned + JsonSchema + 'static>(
        &self,
        key: &str,
        message: impl Into<String>,
    ) -> Result<Elicitation<T>, McpError> {
        let mut requests = InputRequests::new();
        requests.insert(key.to_owned(), InputRequest::Elicit(elicit_request::<T>(message)?));
        let mut answers = self.inputs(requests).await?;
        match answers.remove(key) {
            Some(crate::model::InputResponse::Elicit(result)) => elicit_outcome(key, result),
            _ => Err(McpError::invalid_params(format!("inputResponses.{key} answers a different request"))),
        }
    }
}
