//! A test server exercising every engine path, shared by the integration tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, CreateMessageRequestParams, Implementation, JsonObject,
    ListToolsResult, PaginatedRequestParams, ProgressNotificationParams, SamplingMessage, ServerCapabilities, Tool,
};
use rmcp_core::service::{McpError, NotificationContext, RequestContext, RoleServer};
use serde_json::json;
use tokio::sync::mpsc;

/// Events the test server reports to the test.
#[derive(Debug, PartialEq)]
pub enum Event {
    Started(String),
    Cancelled(String),
    Finished(String),
}

pub struct TestServer {
    pub events: mpsc::UnboundedSender<Event>,
}

impl TestServer {
    pub fn new() -> (Self, mpsc::UnboundedReceiver<Event>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self { events: tx }, rx)
    }
}

pub fn object(v: serde_json::Value) -> JsonObject {
    v.as_object().expect("an object").clone()
}

pub fn call(name: &str, args: serde_json::Value) -> CallToolRequestParams {
    CallToolRequestParams::new(name).with_arguments(object(args))
}

pub fn text_of(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect::<Vec<_>>().join("")
}

fn schema() -> Arc<JsonObject> {
    Arc::new(object(json!({"type": "object"})))
}

impl ServerHandler for TestServer {
    /// Slow on purpose: for what waits (and what does not) for a notification handler.
    async fn on_roots_list_changed(&self, _ctx: NotificationContext<RoleServer>) {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }

    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(
            Implementation::new("test-server", "0.0.1"),
            ServerCapabilities::builder().enable_tools().build(),
        )
    }

    async fn list_tools(
        &self,
        _params: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::new(
            ["echo", "slow", "progress", "sample", "fail"]
                .iter()
                .map(|n| Tool::new(*n, *n, schema()))
                .collect::<Vec<_>>(),
        ))
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let args = params.arguments.clone().unwrap_or_default();
        let tag = args.get("tag").and_then(|v| v.as_str()).unwrap_or("").to_owned();
        match params.name.as_str() {
            "echo" => Ok(CallToolResult::success(vec![ContentBlock::text(
                args.get("text").and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
            )])),
            "slow" => {
                let ms = args.get("ms").and_then(|v| v.as_u64()).unwrap_or(10_000);
                let _ = self.events.send(Event::Started(tag.clone()));
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(ms)) => {
                        let _ = self.events.send(Event::Finished(tag.clone()));
                        Ok(CallToolResult::success(vec![ContentBlock::text(tag)]))
                    }
                    () = ctx.ct.cancelled() => {
                        let _ = self.events.send(Event::Cancelled(tag));
                        Err(McpError::internal_error("cancelled"))
                    }
                }
            }
            "progress" => {
                let steps = args.get("steps").and_then(|v| v.as_u64()).unwrap_or(3);
                let pause = args.get("pause_ms").and_then(|v| v.as_u64()).unwrap_or(0);
                if let Some(token) = ctx.progress_token() {
                    for i in 1..=steps {
                        tokio::time::sleep(Duration::from_millis(pause)).await;
                        let p = ProgressNotificationParams::new(token.clone(), i as f64).with_total(steps as f64);
                        let _ = ctx.peer.notify_progress(p).await;
                    }
                }
                Ok(CallToolResult::success(vec![ContentBlock::text("done")]))
            }
            "sample" => {
                let request = CreateMessageRequestParams::new(vec![SamplingMessage::user_text("hi")], 16);
                let result = ctx
                    .peer
                    .create_message(request)
                    .await
                    .map_err(|e| McpError::internal_error(format!("sampling failed: {e}")))?;
                Ok(CallToolResult::success(vec![ContentBlock::text(format!("{:?}", result.model))]))
            }
            // Waits for the client's model without `.await`: blocks its thread until it answers.
            "blocking_sample" => {
                let request = CreateMessageRequestParams::new(vec![SamplingMessage::user_text("hi")], 16);
                let result = tokio::task::block_in_place(|| {
                    tokio::runtime::Handle::current().block_on(ctx.peer.create_message(request))
                })
                .map_err(|e| McpError::internal_error(format!("sampling failed: {e}")))?;
                Ok(CallToolResult::success(vec![ContentBlock::text(result.model)]))
            }
            "fail" => Err(McpError::internal_error("tool exploded")),
            "panic" => panic!("a handler bug"),
            // Computes (blocks) `ms` before answering, without ever waiting.
            "spin" => {
                let ms = args.get("ms").and_then(|v| v.as_u64()).unwrap_or(5);
                std::thread::sleep(Duration::from_millis(ms));
                Ok(CallToolResult::success(vec![ContentBlock::text(tag)]))
            }
            other => Err(McpError::invalid_params(format!("Unknown tool: {other}"))),
        }
    }
}
