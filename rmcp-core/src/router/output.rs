//! What tool, prompt and resource functions may return, and how it becomes a result.

use std::fmt::Display;
use std::sync::Arc;

use serde::Serialize;

use crate::model::{
    CallToolResult, ContentBlock, GetPromptResult, JsonObject, PromptMessage, ReadResourceResult, ResourceContents,
    Role,
};
use crate::schema::schema_for;
use crate::service::McpError;

/// Structured tool output: serialized into `structuredContent` (and as JSON text for clients that
/// read only `content`); the tool's `outputSchema` is generated from `T`.
///
/// ```
/// use rmcp_core::router::Json;
/// use rmcp_core::{tool, tool_router};
///
/// #[derive(serde::Serialize, schemars::JsonSchema)]
/// struct Stats {
///     words: usize,
///     lines: usize,
/// }
///
/// struct Counter;
///
/// #[tool_router]
/// impl Counter {
///     /// Count the words and lines of `text`.
///     #[tool]
///     fn count(&self, text: String) -> Json<Stats> {
///         Json(Stats { words: text.split_whitespace().count(), lines: text.lines().count() })
///     }
/// }
///
/// let tool = Counter::tool_router().get("count").unwrap();
/// assert!(tool.output_schema.unwrap()["properties"]["words"].is_object());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

/// A value a tool function can return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a tool",
    label = "not convertible into a tool result",
    note = "return `String`, `&'static str`, `ContentBlock`, `Vec<ContentBlock>`, `CallToolResult`, `Json<T>` \
            (structured output), `()`, or `Result<T, E>` of one of these with `E: Display` (an `Err` becomes a \
            result with `isError: true`) or `E = McpError` (a JSON-RPC error)"
)]
pub trait IntoCallToolResult {
    /// Convert.
    fn into_call_tool_result(self) -> Result<CallToolResult, McpError>;
    /// The `outputSchema` this return type implies.
    fn output_schema() -> Option<Arc<JsonObject>> {
        None
    }
}

impl IntoCallToolResult for CallToolResult {
    fn into_call_tool_result(self) -> Result<CallToolResult, McpError> {
        Ok(self)
    }
}

impl IntoCallToolResult for String {
    fn into_call_tool_result(self) -> Result<CallToolResult, McpError> {
        Ok(CallToolResult::success(vec![ContentBlock::text(self)]))
    }
}

impl IntoCallToolResult for &'static str {
    fn into_call_tool_result(self) -> Result<CallToolResult, McpError> {
        Ok(CallToolResult::success(vec![ContentBlock::text(self)]))
    }
}

impl IntoCallToolResult for ContentBlock {
    fn into_call_tool_result(self) -> Result<CallToolResult, McpError> {
        Ok(CallToolResult::success(vec![self]))
    }
}

impl IntoCallToolResult for Vec<ContentBlock> {
    fn into_call_tool_result(self) -> Result<CallToolResult, McpError> {
        Ok(CallToolResult::success(self))
    }
}

impl IntoCallToolResult for () {
    fn into_call_tool_result(self) -> Result<CallToolResult, McpError> {
        Ok(CallToolResult::success(Vec::new()))
    }
}

impl<T: Serialize + schemars::JsonSchema + 'static> IntoCallToolResult for Json<T> {
    fn into_call_tool_result(self) -> Result<CallToolResult, McpError> {
        let value = serde_json::to_value(&self.0)
            .map_err(|e| McpError::internal_error(format!("structured output does not serialize: {e}")))?;
        Ok(CallToolResult::structured(value))
    }
    /// # Panics
    /// When the router is built, if `T` is not an object type: MCP requires `outputSchema` (and
    /// so `structuredContent`) to be an object. Wrap lists and scalars in a struct.
    fn output_schema() -> Option<Arc<JsonObject>> {
        let schema = schema_for::<T>();
        assert!(
            schema.get("type").and_then(serde_json::Value::as_str) == Some("object"),
            "`Json<{}>` needs an object type: MCP's outputSchema must describe an object; wrap the value in a struct",
            std::any::type_name::<T>(),
        );
        Some(schema)
    }
}

/// `Err(e)` becomes a tool result with `isError: true` carrying `e`'s text: the model sees the
/// failure and can react, which is what tool errors are for. An `McpError` is the exception: it
/// is a protocol-level answer (a JSON-RPC error, or an `input_required` result) and passes through.
impl<T: IntoCallToolResult, E: Display + 'static> IntoCallToolResult for Result<T, E> {
    fn into_call_tool_result(self) -> Result<CallToolResult, McpError> {
        match self {
            Ok(v) => v.into_call_tool_result(),
            Err(e) => match (&e as &dyn std::any::Any).downcast_ref::<McpError>() {
                Some(mcp) => Err(mcp.clone()),
                None => Ok(CallToolResult::error(vec![ContentBlock::text(e.to_string())])),
            },
        }
    }
    fn output_schema() -> Option<Arc<JsonObject>> {
        T::output_schema()
    }
}

/// A value a prompt function can return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a prompt",
    label = "not convertible into a prompt result",
    note = "return `GetPromptResult`, `Vec<PromptMessage>`, `PromptMessage`, `String` (one user message), \
            or `Result<T, E>` of one of these with `E: Display`"
)]
pub trait IntoGetPromptResult {
    /// Convert.
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError>;
}

impl IntoGetPromptResult for GetPromptResult {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError> {
        Ok(self)
    }
}

impl IntoGetPromptResult for Vec<PromptMessage> {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError> {
        Ok(GetPromptResult::new(self))
    }
}

impl IntoGetPromptResult for PromptMessage {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError> {
        Ok(GetPromptResult::new(vec![self]))
    }
}

impl IntoGetPromptResult for String {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError> {
        Ok(GetPromptResult::new(vec![PromptMessage::new(Role::User, ContentBlock::text(self))]))
    }
}

/// A prompt that fails is a JSON-RPC error: there is no "error result" for prompts.
impl<T: IntoGetPromptResult, E: Display + 'static> IntoGetPromptResult for Result<T, E> {
    fn into_get_prompt_result(self) -> Result<GetPromptResult, McpError> {
        self.map_err(into_mcp_error).and_then(T::into_get_prompt_result)
    }
}

/// An `McpError` as it is; anything else as an internal error carrying its text.
fn into_mcp_error<E: Display + 'static>(e: E) -> McpError {
    match (&e as &dyn std::any::Any).downcast_ref::<McpError>() {
        Some(mcp) => mcp.clone(),
        None => McpError::internal_error(e.to_string()),
    }
}

/// A value a resource function can return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a resource",
    label = "not convertible into resource contents",
    note = "return `String` (text), `Vec<u8>` (binary), `ResourceContents`, `Vec<ResourceContents>`, \
            `ReadResourceResult`, or `Result<T, E>` of one of these with `E: Display`"
)]
pub trait IntoReadResourceResult {
    /// Convert; `uri` is the URI that was read, for contents that do not name one.
    fn into_read_resource_result(self, uri: &str) -> Result<ReadResourceResult, McpError>;
}

impl IntoReadResourceResult for ReadResourceResult {
    fn into_read_resource_result(self, _uri: &str) -> Result<ReadResourceResult, McpError> {
        Ok(self)
    }
}

impl IntoReadResourceResult for String {
    fn into_read_resource_result(self, uri: &str) -> Result<ReadResourceResult, McpError> {
        Ok(ReadResourceResult::new(vec![ResourceContents::text(uri, self)]))
    }
}

impl IntoReadResourceResult for Vec<u8> {
    fn into_read_resource_result(self, uri: &str) -> Result<ReadResourceResult, McpError> {
        use base64::Engine as _;
        let blob = base64::engine::general_purpose::STANDARD.encode(self);
        Ok(ReadResourceResult::new(vec![ResourceContents::blob(uri, blob)]))
    }
}

impl IntoReadResourceResult for ResourceContents {
    fn into_read_resource_result(self, _uri: &str) -> Result<ReadResourceResult, McpError> {
        Ok(ReadResourceResult::new(vec![self]))
    }
}

impl IntoReadResourceResult for Vec<ResourceContents> {
    fn into_read_resource_result(self, _uri: &str) -> Result<ReadResourceResult, McpError> {
        Ok(ReadResourceResult::new(self))
    }
}

impl<T: IntoReadResourceResult, E: Display + 'static> IntoReadResourceResult for Result<T, E> {
    fn into_read_resource_result(self, uri: &str) -> Result<ReadResourceResult, McpError> {
        self.map_err(into_mcp_error).and_then(|v| v.into_read_resource_result(uri))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, schemars::JsonSchema)]
    struct Sum {
        total: i64,
    }

    #[test]
    fn results_convert() {
        let r = "hi".into_call_tool_result().unwrap();
        assert_eq!(r.content[0].as_text(), Some("hi"));
        let r = Result::<String, String>::Err("boom".into()).into_call_tool_result().unwrap();
        assert!(r.is_error());
        let r = Result::<String, McpError>::Err(McpError::invalid_params("no")).into_call_tool_result();
        assert!(r.is_err(), "an McpError stays a protocol error");
        let r = Json(Sum { total: 3 }).into_call_tool_result().unwrap();
        assert_eq!(r.structured_content.unwrap()["total"], 3);
        assert!(<Result<Json<Sum>, String>>::output_schema().unwrap()["properties"]["total"].is_object());
        assert!(String::output_schema().is_none());
    }
}
