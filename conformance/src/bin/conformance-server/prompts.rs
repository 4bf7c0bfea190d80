//! Prompts (CONTRACT A.8) and the completion of `test_prompt_with_arguments`'s `arg1`.

use rmcp_core::model::{ContentBlock, PromptMessage, Role, TextResourceContents};
use rmcp_core::router::Parameters;
use rmcp_core::{completion, prompt, prompt_router};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::Everything;
use crate::media::{PNG, RED_PIXEL_PNG};

/// The arguments of `test_prompt_with_embedded_resource` (camelCase on the wire).
#[derive(Deserialize, JsonSchema)]
pub struct EmbeddedResourceArgs {
    /// The URI to embed.
    #[serde(rename = "resourceUri")]
    resource_uri: String,
}

#[prompt_router(router = prompts)]
impl Everything {
    /// A simple prompt without arguments.
    #[prompt]
    fn test_simple_prompt(&self) -> String {
        "This is a simple prompt for testing.".to_owned()
    }

    /// A prompt with two required arguments.
    #[prompt]
    fn test_prompt_with_arguments(
        &self,
        /// First test argument.
        arg1: String,
        /// Second test argument.
        arg2: String,
    ) -> String {
        format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")
    }

    /// A prompt embedding a text resource at `resourceUri`.
    #[prompt]
    fn test_prompt_with_embedded_resource(
        &self,
        Parameters(args): Parameters<EmbeddedResourceArgs>,
    ) -> Vec<PromptMessage> {
        let resource = TextResourceContents::new(args.resource_uri, "Embedded resource content for testing.")
            .with_mime_type("text/plain");
        vec![
            PromptMessage::new(Role::User, ContentBlock::resource(resource)),
            PromptMessage::user("Please process the embedded resource above."),
        ]
    }

    /// A prompt holding an image.
    #[prompt]
    fn test_prompt_with_image(&self) -> Vec<PromptMessage> {
        vec![
            PromptMessage::new(Role::User, ContentBlock::image(RED_PIXEL_PNG, PNG)),
            PromptMessage::user("Please analyze the image above."),
        ]
    }

    /// Completes `arg1` of `test_prompt_with_arguments` from a fixed list.
    #[completion(prompt = "test_prompt_with_arguments", argument = "arg1")]
    fn complete_arg1(&self, typed: String) -> Vec<String> {
        ["paris", "park", "party", "test", "testing", "tested"]
            .into_iter()
            .filter(|v| v.starts_with(typed.as_str()))
            .map(str::to_owned)
            .collect()
    }
}
