//! The diagnostic tools `server-stateless` calls on the 2026-07-28 path (CONTRACT A.10): a tool
//! needing a client capability, tools that must answer promptly without requests or unwanted log
//! messages, and the hooks that announce list changes to `subscriptions/listen` streams.

use rmcp_core::model::{ErrorData, LoggingLevel};
use rmcp_core::router::ProgressReporter;
use rmcp_core::service::{McpError, Peer, RequestContext, RoleServer};
use rmcp_core::{tool, tool_router};
use serde_json::json;

use crate::Everything;

#[tool_router(router = diagnostic_tools)]
impl Everything {
    /// Needs the client's `sampling` capability: without it the call is refused with -32021.
    #[tool]
    fn test_missing_capability(&self, ctx: RequestContext<RoleServer>) -> Result<&'static str, McpError> {
        let sampling = ctx.client_capabilities().is_some_and(|c| c.sampling.is_some());
        if !sampling {
            return Err(ErrorData::missing_client_capability(json!({"sampling": {}})).into());
        }
        Ok("Success")
    }

    /// Answers at once: progress (when asked for) and the result, never a request to the client.
    #[tool]
    async fn test_streaming_elicitation(&self, progress: ProgressReporter) -> Result<&'static str, McpError> {
        progress.report(1.0, Some(1.0), Some("answered without asking the client".to_owned())).await?;
        Ok("Streaming elicitation test completed without a server-to-client request")
    }

    /// Logs only if the request asked for log messages (2026: `_meta` logLevel), then answers.
    #[tool]
    async fn test_logging_tool(&self, ctx: RequestContext<RoleServer>) -> &'static str {
        if let Err(e) = ctx.log(LoggingLevel::Info, "test_logging_tool ran").await {
            tracing::warn!(error = %e, "could not send a log message");
        }
        "Logging tool completed"
    }

    /// Announces a tool list change: on 2026-07-28 it reaches every open `subscriptions/listen`
    /// stream that asked for `toolsListChanged`, on a session that session's client.
    #[tool]
    async fn test_trigger_tool_change(&self, peer: Peer<RoleServer>) -> Result<&'static str, McpError> {
        peer.notify_tool_list_changed()
            .await
            .map_err(|e| McpError::internal_error(format!("could not announce the change: {e}")))?;
        Ok("Sent notifications/tools/list_changed")
    }

    /// Announces a prompt list change, like `test_trigger_tool_change`.
    #[tool]
    async fn test_trigger_prompt_change(&self, peer: Peer<RoleServer>) -> Result<&'static str, McpError> {
        peer.notify_prompt_list_changed()
            .await
            .map_err(|e| McpError::internal_error(format!("could not announce the change: {e}")))?;
        Ok("Sent notifications/prompts/list_changed")
    }
}
