//! Tools of the 2025-era session path (CONTRACT A.7): they log, ask the client's model or user
//! (server-to-client requests, sent on the call's own SSE stream), or close their stream for SSE
//! polling. They are listed in both eras; on 2026-07-28 the requests to the client fail (that
//! protocol has none), which the tools report as JSON-RPC errors.

use std::time::Duration;

use rmcp_core::model::{CreateMessageRequestParams, ElicitRequestParams, ElicitResult, LoggingLevel, SamplingMessage};
use rmcp_core::service::{McpError, Peer, RequestContext, RoleServer};
use rmcp_core::transport::http::StreamControl;
use rmcp_core::{tool, tool_router};
use serde_json::{Value, json};

use crate::Everything;

/// An `elicitation/create` request from its JSON form.
fn elicitation(params: Value) -> ElicitRequestParams {
    serde_json::from_value(params).expect("the fixture's elicitation request is well-formed")
}

/// Ask the user through `peer`; a failure is a JSON-RPC error of the tool call.
async fn elicit(peer: &Peer<RoleServer>, params: Value) -> Result<ElicitResult, McpError> {
    peer.create_elicitation(elicitation(params))
        .await
        .map_err(|e| McpError::internal_error(format!("elicitation/create failed: {e}")))
}

/// `action=<action>, content=<json>` of an elicitation answer.
fn describe(result: &ElicitResult) -> String {
    let action = serde_json::to_value(result.action).unwrap_or_default();
    let action = action.as_str().unwrap_or_default();
    let content = serde_json::to_string(&result.content).unwrap_or_default();
    format!("action={action}, content={content}")
}

#[tool_router(router = legacy_tools)]
impl Everything {
    /// Sends three info log messages about 50 ms apart, then answers.
    #[tool]
    async fn test_tool_with_logging(&self, ctx: RequestContext<RoleServer>) -> String {
        let messages = ["Tool execution started", "Tool processing data", "Tool execution completed"];
        for (i, message) in messages.into_iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            if let Err(e) = ctx.log(LoggingLevel::Info, message).await {
                tracing::warn!(error = %e, "could not send a log message");
            }
        }
        "Logging test completed".to_owned()
    }

    /// Asks the client's model to answer `prompt` (sampling/createMessage).
    #[tool]
    async fn test_sampling(
        &self,
        peer: Peer<RoleServer>,
        /// The prompt sent to the model.
        prompt: String,
    ) -> Result<String, McpError> {
        let request = CreateMessageRequestParams::new(vec![SamplingMessage::user_text(prompt)], 100);
        let result = peer
            .create_message(request)
            .await
            .map_err(|e| McpError::internal_error(format!("sampling/createMessage failed: {e}")))?;
        let text: Vec<&str> = result.content.blocks().iter().filter_map(|b| b.as_text()).collect();
        Ok(format!("LLM response: {}", text.join("")))
    }

    /// Asks the user for a username and an email (elicitation/create) with `message`.
    #[tool]
    async fn test_elicitation(
        &self,
        peer: Peer<RoleServer>,
        /// The message shown to the user.
        message: String,
    ) -> Result<String, McpError> {
        let result = elicit(
            &peer,
            json!({
                "message": message,
                "requestedSchema": {
                    "type": "object",
                    "properties": {
                        "username": {"type": "string", "description": "Your username"},
                        "email": {"type": "string", "description": "Your email address", "format": "email"}
                    },
                    "required": ["username", "email"]
                }
            }),
        )
        .await?;
        Ok(format!("User response: {}", describe(&result)))
    }

    /// Elicits five optional fields that all have defaults (SEP-1034).
    #[tool]
    async fn test_elicitation_sep1034_defaults(&self, peer: Peer<RoleServer>) -> Result<String, McpError> {
        let result = elicit(
            &peer,
            json!({
                "message": "Please review and update the form fields with defaults",
                "requestedSchema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "User name", "default": "John Doe"},
                        "age": {"type": "integer", "description": "User age", "default": 30},
                        "score": {"type": "number", "description": "User score", "default": 95.5},
                        "status": {
                            "type": "string",
                            "description": "User status",
                            "enum": ["active", "inactive", "pending"],
                            "default": "active"
                        },
                        "verified": {"type": "boolean", "description": "Verification status", "default": true}
                    },
                    "required": []
                }
            }),
        )
        .await?;
        Ok(format!("Elicitation completed: {}", describe(&result)))
    }

    /// Elicits the five enum shapes of SEP-1330 (untitled/titled single and multi select, and
    /// the legacy `enumNames` form).
    #[tool]
    async fn test_elicitation_sep1330_enums(&self, peer: Peer<RoleServer>) -> Result<String, McpError> {
        let titled = |prefix: &str| {
            json!([
                {"const": "value1", "title": format!("First {prefix}")},
                {"const": "value2", "title": format!("Second {prefix}")},
                {"const": "value3", "title": format!("Third {prefix}")}
            ])
        };
        let result = elicit(
            &peer,
            json!({
                "message": "Please select options from the enum fields",
                "requestedSchema": {
                    "type": "object",
                    "properties": {
                        "untitledSingle": {
                            "type": "string",
                            "description": "Select one option",
                            "enum": ["option1", "option2", "option3"]
                        },
                        "titledSingle": {
                            "type": "string",
                            "description": "Select one option with titles",
                            "oneOf": titled("Option")
                        },
                        "legacyEnum": {
                            "type": "string",
                            "description": "Select one option (legacy)",
                            "enum": ["opt1", "opt2", "opt3"],
                            "enumNames": ["Option One", "Option Two", "Option Three"]
                        },
                        "untitledMulti": {
                            "type": "array",
                            "description": "Select multiple options",
                            "minItems": 1,
                            "maxItems": 3,
                            "items": {"type": "string", "enum": ["option1", "option2", "option3"]}
                        },
                        "titledMulti": {
                            "type": "array",
                            "description": "Select multiple options with titles",
                            "minItems": 1,
                            "maxItems": 3,
                            "items": {"anyOf": titled("Choice")}
                        }
                    },
                    "required": []
                }
            }),
        )
        .await?;
        Ok(format!("Elicitation completed: {}", describe(&result)))
    }

    /// Closes its SSE response connection right away (SSE polling); the result follows on the
    /// stream the client resumes with `GET` and `Last-Event-ID`.
    #[tool]
    async fn test_reconnection(&self, ctx: RequestContext<RoleServer>) -> String {
        if let Some(control) = ctx.extensions.get::<StreamControl>() {
            control.close_connection().await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        "Reconnection test completed: the result arrived on the resumed stream".to_owned()
    }
}
