//! Tools served in both eras (CONTRACT A.6): content types, a tool error, progress, a tool with
//! an `x-mcp-header` parameter, and the JSON Schema 2020-12 tool built with the builder API.

use std::sync::Arc;
use std::time::Duration;

use rmcp_core::model::{CallToolResult, ContentBlock, JsonObject, TextResourceContents, Tool};
use rmcp_core::router::{Parameters, ProgressReporter, ToolRoute, ToolRouter};
use rmcp_core::service::{McpError, RequestContext, RoleServer};
use rmcp_core::{tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::Everything;
use crate::media::{PNG, RED_PIXEL_PNG, SILENT_WAV, WAV};

/// The arguments of `test_custom_header`.
#[derive(Deserialize, JsonSchema)]
pub struct CustomHeaderArgs {
    /// A region name; a 2026-07-28 client mirrors it in the `Mcp-Param-Region` header.
    #[schemars(extend("x-mcp-header" = "Region"))]
    region: String,
}

/// The tools of A.6, in listing order: `test_simple_text` must stay first.
#[tool_router(router = core_tools)]
impl Everything {
    /// Returns a simple text response.
    #[tool]
    fn test_simple_text(&self) -> &'static str {
        "This is a simple text response for testing."
    }

    /// Returns an image (a 1x1 red PNG).
    #[tool]
    fn test_image_content(&self) -> ContentBlock {
        ContentBlock::image(RED_PIXEL_PNG, PNG)
    }

    /// Returns audio (a short silent WAV).
    #[tool]
    fn test_audio_content(&self) -> ContentBlock {
        ContentBlock::audio(SILENT_WAV, WAV)
    }

    /// Returns an embedded text resource.
    #[tool]
    fn test_embedded_resource(&self) -> ContentBlock {
        ContentBlock::resource(
            TextResourceContents::new("test://embedded-resource", "This is an embedded resource content.")
                .with_mime_type("text/plain"),
        )
    }

    /// Returns text, an image and an embedded JSON resource together.
    #[tool]
    fn test_multiple_content_types(&self) -> Vec<ContentBlock> {
        vec![
            ContentBlock::text("Multiple content types test:"),
            ContentBlock::image(RED_PIXEL_PNG, PNG),
            ContentBlock::resource(
                TextResourceContents::new("test://mixed-content-resource", r#"{"test":"data","value":123}"#)
                    .with_mime_type("application/json"),
            ),
        ]
    }

    /// Always fails with a tool error (isError: true), not a protocol error.
    #[tool]
    fn test_error_handling(&self) -> Result<String, String> {
        Err("This tool intentionally returns an error for testing".to_owned())
    }

    /// Reports progress 0, 50 and 100 of 100, about 50 ms apart, then answers.
    #[tool]
    async fn test_tool_with_progress(
        &self,
        progress: ProgressReporter,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        for (step, done) in [0.0, 50.0, 100.0].into_iter().enumerate() {
            if step > 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            progress.report(done, Some(100.0), Some(format!("step {} of 3", step + 1))).await?;
        }
        let token = ctx.progress_token().and_then(|t| serde_json::to_string(&t).ok());
        Ok(format!("Progress test completed (progress token: {})", token.as_deref().unwrap_or("none")))
    }

    /// Echoes its `region` argument, which travels in the `Mcp-Param-Region` header too.
    #[tool]
    fn test_custom_header(&self, Parameters(args): Parameters<CustomHeaderArgs>) -> String {
        format!("Region: {}", args.region)
    }
}

/// The input schema of `json_schema_2020_12_tool`, exactly as `tools/list` must show it.
const JSON_SCHEMA_2020_12: &str = r##"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "$defs": {
    "address": {
      "$anchor": "addressDef",
      "type": "object",
      "properties": {"street": {"type": "string"}, "city": {"type": "string"}}
    }
  },
  "properties": {
    "name": {"type": "string"},
    "address": {"$ref": "#/$defs/address"},
    "contactMethod": {"type": "string", "enum": ["phone", "email"]},
    "phone": {"type": "string"},
    "email": {"type": "string"}
  },
  "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
  "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
  "then": {"required": ["phone"]},
  "else": {"required": ["email"]},
  "additionalProperties": false
}"##;

impl Everything {
    /// Tools whose input schema is a literal rather than a Rust type: the macros generate
    /// schemas from types, so this one is registered with the builder API.
    pub fn schema_tools() -> ToolRouter<Self> {
        let schema: JsonObject =
            serde_json::from_str(JSON_SCHEMA_2020_12).expect("the JSON Schema 2020-12 literal is a JSON object");
        let tool = Tool::new(
            "json_schema_2020_12_tool",
            "Takes arguments described by a JSON Schema 2020-12 schema ($defs, $anchor, allOf, if/then/else)",
            Arc::new(schema),
        );
        let route = ToolRoute::new_dyn(tool, |_server: &Self, cx| {
            Box::pin(async move {
                let arguments = serde_json::Value::Object(cx.arguments.unwrap_or_default());
                Ok(CallToolResult::success(vec![ContentBlock::text(format!("Received arguments: {arguments}"))]))
            })
        });
        ToolRouter::new().with_route(route)
    }
}
