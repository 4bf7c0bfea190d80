//! The tasks extension `io.modelcontextprotocol/tasks` (SEP-2663), used with 2026-07-28.
//!
//! A server that sees the extension in a request's client capabilities may answer a supported
//! request (currently `tools/call`) with a [`CreateTaskResult`] (`resultType: "task"`) instead of
//! the normal result. The client then polls `tasks/get` ([`GetTaskResult`]), answers
//! `input_required` tasks with `tasks/update` ([`UpdateTaskRequestParams`]) and may send
//! `tasks/cancel`. Status pushes arrive as `notifications/tasks`
//! ([`TaskStatusNotificationParams`]) on a `subscriptions/listen` stream that asked for the task
//! ids in [`SubscriptionFilter::task_ids`](crate::model::SubscriptionFilter::task_ids).
//!
//! Not wire-compatible with the 2025-11-25 tasks of [`crate::model`] (`ttlMs` instead of `ttl`,
//! results inlined into the task, no `tasks/result` or `tasks/list`), hence this separate module
//! whose names follow the extension's spec.

use serde::{Deserialize, Serialize};

use crate::model::tags::TaskResultTag;
use crate::model::{EmptyResult, ErrorData, JsonObject, Meta, ResultType};

pub use crate::model::{CancelTaskRequestParams, GetTaskRequestParams, InputRequests, InputResponses, TaskStatus};

/// The extension identifier, the key under `capabilities.extensions`.
pub const EXTENSION_ID: &str = "io.modelcontextprotocol/tasks";

/// The `resultType` of a [`CreateTaskResult`], the wire value of [`ResultType::Task`].
pub const RESULT_TYPE_TASK: &str = "task";

/// Method names of the extension.
pub mod methods {
    /// Poll a task.
    pub const GET: &str = "tasks/get";
    /// Answer a task's input requests.
    pub const UPDATE: &str = "tasks/update";
    /// Ask for a task to be cancelled.
    pub const CANCEL: &str = "tasks/cancel";
    /// A task's state changed (server to client).
    pub const STATUS_NOTIFICATION: &str = "notifications/tasks";
}

/// The operational state of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Task {
    /// The task's id (unguessable; also sent as the `Mcp-Name` header over HTTP).
    pub task_id: String,
    /// Its status.
    pub status: TaskStatus,
    /// A human-readable note on the status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// ISO 8601 creation time.
    pub created_at: String,
    /// ISO 8601 time of the last change.
    pub last_updated_at: String,
    /// How long (milliseconds from creation) the task is kept; `None` means unlimited.
    /// Always written, as `null` when unlimited.
    pub ttl_ms: Option<u64>,
    /// Suggested polling interval in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_ms: Option<u64>,
}

impl Task {
    /// A task with the given id, status and timestamps, kept for `ttl_ms` (`None`: unlimited).
    pub fn new(
        task_id: impl Into<String>,
        status: TaskStatus,
        created_at: impl Into<String>,
        last_updated_at: impl Into<String>,
        ttl_ms: Option<u64>,
    ) -> Self {
        Self {
            task_id: task_id.into(),
            status,
            status_message: None,
            created_at: created_at.into(),
            last_updated_at: last_updated_at.into(),
            ttl_ms,
            poll_interval_ms: None,
        }
    }

    /// Set the status message.
    pub fn with_status_message(mut self, message: impl Into<String>) -> Self {
        self.status_message = Some(message.into());
        self
    }

    /// Set the polling interval.
    pub fn with_poll_interval_ms(mut self, interval_ms: u64) -> Self {
        self.poll_interval_ms = Some(interval_ms);
        self
    }
}

/// A task with the fields of its status inlined: pending `inputRequests` (`input_required`), the
/// final `result` (`completed`) or the JSON-RPC `error` (`failed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DetailedTask {
    /// The task's state.
    #[serde(flatten)]
    pub task: Task,
    /// Requests the client must answer with `tasks/update` (`input_required` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_requests: Option<InputRequests>,
    /// The original request's result, such as a `CallToolResult` (`completed` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<JsonObject>,
    /// The JSON-RPC error the request ended with (`failed` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorData>,
}

impl DetailedTask {
    fn with_status(mut task: Task, status: TaskStatus) -> Self {
        task.status = status;
        Self { task, input_requests: None, result: None, error: None }
    }

    /// A `working` task.
    pub fn working(task: Task) -> Self {
        Self::with_status(task, TaskStatus::Working)
    }

    /// An `input_required` task waiting for `requests`.
    pub fn input_required(task: Task, requests: InputRequests) -> Self {
        Self { input_requests: Some(requests), ..Self::with_status(task, TaskStatus::InputRequired) }
    }

    /// A `completed` task with the original request's result.
    pub fn completed(task: Task, result: JsonObject) -> Self {
        Self { result: Some(result), ..Self::with_status(task, TaskStatus::Completed) }
    }

    /// A `failed` task with the JSON-RPC error.
    pub fn failed(task: Task, error: ErrorData) -> Self {
        Self { error: Some(error), ..Self::with_status(task, TaskStatus::Failed) }
    }

    /// A `cancelled` task.
    pub fn cancelled(task: Task) -> Self {
        Self::with_status(task, TaskStatus::Cancelled)
    }

    /// The final result read as the original request's result type (for example `CallToolResult`).
    pub fn result_as<T: serde::de::DeserializeOwned>(&self) -> Option<Result<T, serde_json::Error>> {
        let result = self.result.clone()?;
        Some(serde_json::from_value(serde_json::Value::Object(result)))
    }
}

/// The task handle a server returns instead of the normal result (`resultType: "task"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateTaskResult {
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    // Not `Option<ResultType>`: the value is always `task`, and reading must reject any other.
    result_type: TaskResultTag,
    /// The task's initial state.
    #[serde(flatten)]
    pub task: Task,
}

impl CreateTaskResult {
    /// A handle for `task`.
    pub fn new(task: Task) -> Self {
        Self { meta: None, result_type: TaskResultTag::Task, task }
    }

    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// Result of `tasks/get`: the task's current state (`resultType` is `complete`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetTaskResult {
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result; `complete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The task.
    #[serde(flatten)]
    pub task: DetailedTask,
}

impl GetTaskResult {
    /// A complete result holding `task`.
    pub fn new(task: DetailedTask) -> Self {
        Self { meta: None, result_type: Some(ResultType::Complete), task }
    }
}

/// Params of `tasks/update`: answers to an `input_required` task's requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateTaskRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The task's id.
    pub task_id: String,
    /// Answers keyed like the task's `inputRequests`, as sent: a server ignores keys it did not
    /// ask for and reads each answer as the result of the request it asked under that key.
    pub input_responses: JsonObject,
}

impl UpdateTaskRequestParams {
    /// Params answering `task_id`'s requests.
    pub fn new(task_id: impl Into<String>, input_responses: InputResponses) -> Self {
        let input_responses = input_responses
            .into_iter()
            .map(|(k, v)| (k, serde_json::to_value(v).expect("input responses serialize")))
            .collect();
        Self { meta: None, task_id: task_id.into(), input_responses }
    }

    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// Result of `tasks/update`: an empty acknowledgement.
pub type UpdateTaskResult = EmptyResult;

/// Result of `tasks/cancel`: an empty acknowledgement (cancellation is cooperative).
pub type CancelTaskResult = EmptyResult;

/// Params of `notifications/tasks`: the task's full current state, as `tasks/get` would return.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskStatusNotificationParams {
    /// Notification metadata (including the subscription id).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The task.
    #[serde(flatten)]
    pub task: DetailedTask,
}

impl TaskStatusNotificationParams {
    /// Params announcing `task`.
    pub fn new(task: DetailedTask) -> Self {
        Self { meta: None, task }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::round_trip;

    #[test]
    fn sep_examples_round_trip() {
        let created: CreateTaskResult = round_trip(
            r#"{"resultType":"task","taskId":"786512e2","status":"working",
                "statusMessage":"The operation is now in progress.","createdAt":"2025-11-25T10:30:00Z",
                "lastUpdatedAt":"2025-11-25T10:40:00Z","ttlMs":60000,"pollIntervalMs":5000}"#,
        );
        assert_eq!(created.task.ttl_ms, Some(60000));
        assert_eq!(serde_json::to_value(ResultType::Task).unwrap(), RESULT_TYPE_TASK);
        assert!(serde_json::from_str::<CreateTaskResult>(
            r#"{"resultType":"complete","taskId":"t","status":"working","createdAt":"a","lastUpdatedAt":"b","ttlMs":null}"#
        )
        .is_err());

        let waiting: GetTaskResult = round_trip(
            r#"{"resultType":"complete","taskId":"t","status":"input_required","createdAt":"a",
                "lastUpdatedAt":"b","ttlMs":null,"inputRequests":{"name":{"method":"elicitation/create",
                "params":{"mode":"form","message":"Please enter your name.","requestedSchema":
                {"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}}}}"#,
        );
        assert_eq!(waiting.task.task.ttl_ms, None);
        assert!(waiting.task.input_requests.is_some());

        let failed: TaskStatusNotificationParams = round_trip(
            r#"{"taskId":"t","status":"failed","createdAt":"a","lastUpdatedAt":"b","ttlMs":3600000,
                "error":{"code":-32603,"message":"API rate limit exceeded"}}"#,
        );
        assert_eq!(failed.task.error.unwrap().message, "API rate limit exceeded");

        round_trip::<UpdateTaskRequestParams>(
            r#"{"taskId":"t","inputResponses":{"name":{"action":"accept","content":{"input":"Luca"}}}}"#,
        );
    }
}
