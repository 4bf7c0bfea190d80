//! Tools: their definitions, `tools/list` and `tools/call`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{CacheScope, ContentBlock, Cursor, Icon, JsonObject, Meta, ResultType, ToolList};

/// Hints about a tool's behaviour. They are untrusted unless the server is trusted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolAnnotations {
    /// A human-readable title for the tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The tool does not modify its environment (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    /// A modifying tool may destroy data rather than only add to it (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    /// Calling the tool again with the same arguments has no further effect (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    /// The tool reaches an open world of external entities (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
}

impl ToolAnnotations {
    /// Annotations with nothing set.
    pub fn new() -> Self {
        Self::default()
    }
    /// Set the title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
    /// Set the read-only hint.
    pub fn with_read_only(mut self, read_only: bool) -> Self {
        self.read_only_hint = Some(read_only);
        self
    }
    /// Set the destructive hint.
    pub fn with_destructive(mut self, destructive: bool) -> Self {
        self.destructive_hint = Some(destructive);
        self
    }
    /// Set the idempotent hint.
    pub fn with_idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent_hint = Some(idempotent);
        self
    }
    /// Set the open-world hint.
    pub fn with_open_world(mut self, open_world: bool) -> Self {
        self.open_world_hint = Some(open_world);
        self
    }
}

/// Whether a tool may be run as a task (2025-11-25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolTaskSupport {
    /// The tool cannot run as a task (the default).
    Forbidden,
    /// The tool may run as a task or not.
    Optional,
    /// The tool must run as a task.
    Required,
}

/// How a tool may be executed (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolExecution {
    /// Whether the tool supports task-augmented calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_support: Option<ToolTaskSupport>,
}

impl ToolExecution {
    /// Execution settings with nothing set.
    pub fn new() -> Self {
        Self::default()
    }
    /// Set task support.
    pub fn with_task_support(mut self, task_support: ToolTaskSupport) -> Self {
        self.task_support = Some(task_support);
        self
    }
}

/// A tool the server offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Tool {
    /// The tool's programmatic name.
    pub name: String,
    /// A human-readable name for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the tool does; a hint to the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// JSON Schema of the arguments (an object schema).
    pub input_schema: Arc<JsonObject>,
    /// JSON Schema of `structuredContent` in the tool's results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Arc<JsonObject>>,
    /// Behaviour hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<ToolAnnotations>,
    /// Icons to show for the tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icons: Option<Vec<Icon>>,
    /// How the tool may be executed (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<ToolExecution>,
    /// Tool metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl Tool {
    /// A tool `name` described by `description`, taking arguments that match `input_schema`.
    pub fn new(
        name: impl Into<String>,
        description: impl Into<String>,
        input_schema: impl Into<Arc<JsonObject>>,
    ) -> Self {
        Self {
            name: name.into(),
            title: None,
            description: Some(description.into()),
            input_schema: input_schema.into(),
            output_schema: None,
            annotations: None,
            icons: None,
            execution: None,
            meta: None,
        }
    }
    /// Set the display title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
    /// Set the output schema.
    pub fn with_output_schema(mut self, output_schema: impl Into<Arc<JsonObject>>) -> Self {
        self.output_schema = Some(output_schema.into());
        self
    }
    /// Set the annotations.
    pub fn with_annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.annotations = Some(annotations);
        self
    }
    /// Set the icons.
    pub fn with_icons(mut self, icons: Vec<Icon>) -> Self {
        self.icons = Some(icons);
        self
    }
    /// Set the execution settings (2025-11-25).
    pub fn with_execution(mut self, execution: ToolExecution) -> Self {
        self.execution = Some(execution);
        self
    }
    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// The result of `tools/list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListToolsResult {
    /// The tools: a shared list, cheap to clone, serialized once (see [`ToolList`]).
    pub tools: ToolList,
    /// The cursor for the next page, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Cursor>,
    /// How long the result may be cached, in milliseconds (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u64>,
    /// Who may cache the result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_scope: Option<CacheScope>,
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}

impl ListToolsResult {
    /// A page holding `tools` (a `Vec<Tool>` or a shared [`ToolList`]).
    pub fn new(tools: impl Into<ToolList>) -> Self {
        Self { tools: tools.into(), next_cursor: None, ttl_ms: None, cache_scope: None, meta: None, result_type: None }
    }
    /// Set the next-page cursor.
    pub fn with_next_cursor(mut self, cursor: impl Into<Cursor>) -> Self {
        self.next_cursor = Some(cursor.into());
        self
    }
    /// Set the cache lifetime and scope (2026-07-28).
    pub fn with_cache(mut self, ttl_ms: u64, scope: CacheScope) -> Self {
        self.ttl_ms = Some(ttl_ms);
        self.cache_scope = Some(scope);
        self
    }
    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// The params of `tools/call`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallToolRequestParams {
    /// The tool's name.
    pub name: String,
    /// The arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<JsonObject>,
    /// Run the call as a task (2025-11-25 `TaskMetadata`, such as `{"ttl": 60000}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Value>,
    /// Answers to the server's input requests, keyed by request key (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_responses: Option<JsonObject>,
    /// Opaque state echoed from an `InputRequiredResult` (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl CallToolRequestParams {
    /// A call of tool `name` without arguments.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), arguments: None, task: None, input_responses: None, request_state: None, meta: None }
    }
    /// Set the arguments.
    pub fn with_arguments(mut self, arguments: JsonObject) -> Self {
        self.arguments = Some(arguments);
        self
    }
    /// Ask for the call to run as a task (2025-11-25).
    pub fn with_task(mut self, task: Value) -> Self {
        self.task = Some(task);
        self
    }
    /// Set the answers to the server's input requests (2026-07-28).
    pub fn with_input_responses(mut self, input_responses: JsonObject) -> Self {
        self.input_responses = Some(input_responses);
        self
    }
    /// Set the echoed request state (2026-07-28).
    pub fn with_request_state(mut self, request_state: impl Into<String>) -> Self {
        self.request_state = Some(request_state.into());
        self
    }
    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// The result of `tools/call`. A tool's own failure is a result with `isError: true`, not a
/// JSON-RPC error, so the model can see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallToolResult {
    /// The unstructured result.
    pub content: Vec<ContentBlock>,
    /// The structured result (an object in 2025-11-25, any JSON value in 2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    /// Whether the call failed (absent means false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}

impl CallToolResult {
    /// A successful result holding `content`.
    pub fn success(content: Vec<ContentBlock>) -> Self {
        Self { content, structured_content: None, is_error: None, meta: None, result_type: None }
    }
    /// A failed result (`isError: true`) holding `content`.
    pub fn error(content: Vec<ContentBlock>) -> Self {
        Self { is_error: Some(true), ..Self::success(content) }
    }
    /// A successful structured result: `value` as `structuredContent` plus its JSON text as a
    /// text block, for clients that read only `content`.
    pub fn structured(value: Value) -> Self {
        let text = value.to_string();
        Self::success(vec![ContentBlock::text(text)]).with_structured_content(value)
    }
    /// Set the structured result, keeping the content.
    pub fn with_structured_content(mut self, value: Value) -> Self {
        self.structured_content = Some(value);
        self
    }
    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
    /// Whether the call failed.
    pub fn is_error(&self) -> bool {
        self.is_error.unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn structured_result_mirrors_value_as_text() {
        let r = CallToolResult::structured(json!({"t": 22.5}));
        assert_eq!(r.content[0].as_text(), Some(r#"{"t":22.5}"#));
        assert_eq!(r.structured_content, Some(json!({"t": 22.5})));
        assert!(!r.is_error());
        assert!(CallToolResult::error(vec![ContentBlock::text("boom")]).is_error());
    }

    #[test]
    fn tool_schemas_pass_through() {
        let schema = json!({"type": "object", "properties": {"a": {"type": "number"}}});
        let tool = Tool::new("add", "Add", schema.as_object().unwrap().clone());
        let v = serde_json::to_value(&tool).unwrap();
        assert_eq!(v, json!({"name": "add", "description": "Add", "inputSchema": schema}));
        assert_eq!(serde_json::from_value::<Tool>(v).unwrap(), tool);
    }
}
