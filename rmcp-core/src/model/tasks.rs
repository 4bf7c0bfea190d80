//! Tasks as specified by 2025-11-25 (experimental): a request runs in the background and the
//! requestor polls `tasks/get` and fetches the outcome with `tasks/result`.
//!
//! 2026-07-28 replaces this with the tasks extension; see [`crate::model::tasks_ext`].
//! `tasks/list` takes [`PaginatedRequestParams`](crate::model::PaginatedRequestParams).

use serde::{Deserialize, Serialize};

use crate::model::{Cursor, JsonObject, Meta, ResultType};

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Running.
    Working,
    /// Waiting for input from the requestor.
    InputRequired,
    /// Finished successfully.
    Completed,
    /// Finished with an error.
    Failed,
    /// Cancelled before it finished.
    Cancelled,
}

impl TaskStatus {
    /// Whether the task can no longer change (`completed`, `failed` or `cancelled`).
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

/// The state of a task (2025-11-25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Task {
    /// The task's id.
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
    /// How long (milliseconds from creation) the task is kept; `null` (`None`) means unlimited.
    /// Always written, as `null` when unlimited.
    pub ttl: Option<u64>,
    /// Suggested polling interval in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval: Option<u64>,
}

impl Task {
    /// A task with the given id, status and timestamps, kept for `ttl` milliseconds (`None`:
    /// unlimited).
    pub fn new(
        task_id: impl Into<String>,
        status: TaskStatus,
        created_at: impl Into<String>,
        last_updated_at: impl Into<String>,
        ttl: Option<u64>,
    ) -> Self {
        Self {
            task_id: task_id.into(),
            status,
            status_message: None,
            created_at: created_at.into(),
            last_updated_at: last_updated_at.into(),
            ttl,
            poll_interval: None,
        }
    }

    /// Set the status message.
    pub fn with_status_message(mut self, message: impl Into<String>) -> Self {
        self.status_message = Some(message.into());
        self
    }

    /// Set the polling interval.
    pub fn with_poll_interval(mut self, interval_ms: u64) -> Self {
        self.poll_interval = Some(interval_ms);
        self
    }
}

/// The `task` field of a task-augmented request: asks the receiver to run it as a task.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskMetadata {
    /// Requested retention in milliseconds from creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
}

impl TaskMetadata {
    /// Task metadata with an optional requested retention.
    pub fn new(ttl: Option<u64>) -> Self {
        Self { ttl }
    }
}

/// Ties a message to a task; carried in `_meta` under [`RelatedTaskMetadata::META_KEY`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RelatedTaskMetadata {
    /// The related task's id.
    pub task_id: String,
}

impl RelatedTaskMetadata {
    /// The `_meta` key this metadata is stored under.
    pub const META_KEY: &'static str = "io.modelcontextprotocol/related-task";

    /// Metadata naming `task_id`.
    pub fn new(task_id: impl Into<String>) -> Self {
        Self { task_id: task_id.into() }
    }

    /// Read it from a `_meta` object.
    pub fn from_meta(meta: &Meta) -> Option<Self> {
        Self::deserialize(meta.get(Self::META_KEY)?).ok()
    }

    /// Write it into a `_meta` object.
    pub fn insert_into(&self, meta: &mut Meta) {
        let value = serde_json::to_value(self).expect("task metadata serializes to JSON");
        meta.insert(Self::META_KEY.to_owned(), value);
    }
}

/// Params of a request that may be task-augmented: `_meta` plus the optional `task` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskAugmentedRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Run the request as a task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
}

/// What a task-augmented request returns at once: the new task (2025-11-25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateTaskResult {
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result (2026-07-28 field; unused in 2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The created task.
    pub task: Task,
}

impl CreateTaskResult {
    /// A result announcing `task`.
    pub fn new(task: Task) -> Self {
        Self { meta: None, result_type: None, task }
    }
}

/// Params naming one task: `tasks/get` and `tasks/cancel` (both revisions) use this shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetTaskRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The task's id.
    pub task_id: String,
}

impl GetTaskRequestParams {
    /// Params for `task_id`.
    pub fn new(task_id: impl Into<String>) -> Self {
        Self { meta: None, task_id: task_id.into() }
    }

    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// Params of `tasks/result` (2025-11-25): same shape as [`GetTaskRequestParams`].
pub type GetTaskPayloadRequestParams = GetTaskRequestParams;

/// Params of `tasks/cancel`: same shape as [`GetTaskRequestParams`].
pub type CancelTaskRequestParams = GetTaskRequestParams;

/// Result of `tasks/get` (2025-11-25): the task's current state, flattened into the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetTaskResult {
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result (2026-07-28 field; unused in 2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The task.
    #[serde(flatten)]
    pub task: Task,
}

impl GetTaskResult {
    /// A result holding `task`.
    pub fn new(task: Task) -> Self {
        Self { meta: None, result_type: None, task }
    }
}

/// Result of `tasks/cancel` (2025-11-25): the task's state after cancelling; same shape as
/// [`GetTaskResult`].
pub type CancelTaskResult = GetTaskResult;

/// Result of `tasks/result` (2025-11-25): the result the original request would have returned
/// (for example a `CallToolResult`), kept as JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetTaskPayloadResult {
    /// Result metadata (usually with [`RelatedTaskMetadata`]).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result (2026-07-28 field; unused in 2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The other fields of the original request's result.
    #[serde(flatten)]
    pub payload: JsonObject,
}

impl GetTaskPayloadResult {
    /// Wrap the original result, given as a JSON object.
    pub fn new(payload: JsonObject) -> Self {
        Self { meta: None, result_type: None, payload }
    }

    /// Read the payload (with `_meta`) as the original request's result type.
    pub fn into_result<T: serde::de::DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        let mut object = self.payload;
        if let Some(meta) = self.meta {
            object.insert("_meta".to_owned(), serde_json::Value::Object(meta));
        }
        serde_json::from_value(serde_json::Value::Object(object))
    }
}

/// Result of `tasks/list` (2025-11-25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListTasksResult {
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result (2026-07-28 field; unused in 2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The tasks on this page.
    pub tasks: Vec<Task>,
    /// Cursor of the next page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Cursor>,
}

impl ListTasksResult {
    /// A page of `tasks`.
    pub fn new(tasks: Vec<Task>) -> Self {
        Self { meta: None, result_type: None, tasks, next_cursor: None }
    }

    /// Set the next page's cursor.
    pub fn with_next_cursor(mut self, cursor: impl Into<Cursor>) -> Self {
        self.next_cursor = Some(cursor.into());
        self
    }
}

/// Params of `notifications/tasks/status` (2025-11-25): a task's new state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskStatusNotificationParams {
    /// Notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The task.
    #[serde(flatten)]
    pub task: Task,
}

impl TaskStatusNotificationParams {
    /// Params announcing `task`.
    pub fn new(task: Task) -> Self {
        Self { meta: None, task }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::round_trip;

    #[test]
    fn task_results_are_flat_and_keep_null_ttl() {
        let result: GetTaskResult = round_trip(
            r#"{"taskId":"t1","status":"working","createdAt":"2025-11-25T10:30:00Z",
            "lastUpdatedAt":"2025-11-25T10:30:00Z","ttl":null,"pollInterval":5000,"_meta":{"k":1}}"#,
        );
        assert_eq!(result.task.ttl, None);
    }
}
