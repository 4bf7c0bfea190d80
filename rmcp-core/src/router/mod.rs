//! What the macros generate into: dispatch tables for tools, prompts and resources, the
//! extractors and return types their functions may use. Schemas come from [`crate::schema`].
//!
//! Everything here is ordinary code the macros call; it is equally usable by hand (the
//! `new_dyn` constructors are the builder API for tools, prompts and resources known only at run
//! time).

mod completion;
pub(crate) mod extract;
mod output;
pub(crate) mod pagination;
pub(crate) mod prompt;
mod resource;
mod tool;
mod uri_template;

pub use completion::{CompletionCallContext, CompletionFn, CompletionFuture, IntoCompleteResult, completion_result};
// The extractor traits and argument checks are macro plumbing: generated code reaches them
// through `crate::__private`.
pub use extract::{Parameters, ProgressReporter};
pub use output::{IntoCallToolResult, IntoGetPromptResult, IntoReadResourceResult, Json};
pub use prompt::{PromptCallContext, PromptFuture, PromptRoute, PromptRouter};
pub use resource::{ResourceCallContext, ResourceFuture, ResourceRoute, ResourceRouter};
pub use tool::{DuplicateName, ToolCallContext, ToolFuture, ToolRoute, ToolRouter};
pub use uri_template::UriTemplate;
