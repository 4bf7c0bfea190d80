//! What the macros generate into: dispatch tables for tools, prompts and resources, the
//! extractors and return types their functions may use, and schema generation and validation.
//!
//! Everything here is ordinary code the macros call; it is equally usable by hand (the
//! `new_dyn` constructors are the builder API for tools, prompts and resources known only at run
//! time).

mod completion;
mod extract;
mod output;
mod pagination;
mod prompt;
mod resource;
mod schema;
mod tool;
mod uri_template;

pub use completion::{CompletionCallContext, CompletionFn, CompletionFuture, IntoCompleteResult, completion_result};
pub use extract::{
    FromPromptCallContext, FromToolCallContext, Parameters, ProgressReporter, PromptArgumentType, ToolArgument,
    assert_prompt_argument, assert_tool_argument,
};
pub use output::{IntoCallToolResult, IntoGetPromptResult, IntoReadResourceResult, Json};
pub use prompt::{PromptCallContext, PromptFuture, PromptRoute, PromptRouter, prompt_arguments_of};
pub use resource::{ResourceCallContext, ResourceFuture, ResourceRoute, ResourceRouter};
pub use schema::{SchemaValidator, elicitation_schema_for, empty_object_schema, schema_for, tool_input_schema};
pub use tool::{DuplicateName, ToolCallContext, ToolFuture, ToolRoute, ToolRouter};
pub use uri_template::UriTemplate;
