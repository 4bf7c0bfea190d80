//! Procedural macros for `rmcp-core`: `#[tool]`, `#[prompt]`, `#[resource]` and their routers and
//! handlers. Use them through `rmcp_core` (which re-exports them); the generated code calls into
//! `rmcp_core::router`, and into the hidden `rmcp_core::__private` for what only it uses.
//!
//! Each macro is a pipeline: `parse` builds a typed model of the attribute and the impl,
//! `check` reports every rule broken (all at once, each at its token), `render` emits thin
//! calls into the runtime. Attribute keys are declared once, in `symbol`. The contract between
//! the two crates is `docs/MACROS_CONTRACT.md`.

#![warn(missing_docs, unreachable_pub)]

use proc_macro::TokenStream;

mod check;
mod errors;
mod expand;
mod parse;
mod render;
mod suggest;
mod symbol;
#[cfg(test)]
mod tests;
mod types;
mod uri_template;

use parse::kind::{RouteKind, RouterKind};

/// Marks a method of a `#[tool_router]` impl as a tool.
///
/// Keys: `name` (default: the method's name), `title`, `description` (default: the doc comment),
/// `annotations(title, read_only_hint, destructive_hint, idempotent_hint, open_world_hint)`,
/// `icons = ["https://..."]`, `meta = { "key": value }`, `crate = path`.
///
/// The input is one `Parameters<T>` or plain arguments (`a: i64, b: Option<String>`, whose doc
/// comments describe them); beside it the method may take `RequestContext<RoleServer>`,
/// `Peer<RoleServer>`, `CancellationToken`, `Meta`, `ProgressReporter` and the caller as
/// `Principal` or `Option<Principal>`. It returns anything
/// implementing `IntoCallToolResult`.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::standalone(RouteKind::Tool, attr.into(), item.into()).into()
}

/// Collects the `#[tool]` methods of an inherent impl into
/// `pub fn tool_router() -> ToolRouter<Self>`. Keys: `router = name`, `vis = "pub(crate)"`,
/// `crate = path`.
#[proc_macro_attribute]
pub fn tool_router(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::router(RouterKind::Tool, attr.into(), item.into()).into()
}

/// On `impl ServerHandler for Server`: serves `tools/list` and `tools/call` from
/// `self.tool_router` (or `router = expr`). Keys: `router`, `crate`.
#[proc_macro_attribute]
pub fn tool_handler(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::handler(RouterKind::Tool, attr.into(), item.into()).into()
}

/// Marks a method of a `#[prompt_router]` impl as a prompt. Keys: `name`, `title`,
/// `description`, `icons`, `meta`, `crate`. Plain arguments are `String` or `Option<String>`.
#[proc_macro_attribute]
pub fn prompt(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::standalone(RouteKind::Prompt, attr.into(), item.into()).into()
}

/// Collects `#[prompt]` and `#[completion(prompt = ...)]` methods into
/// `pub fn prompt_router() -> PromptRouter<Self>`.
#[proc_macro_attribute]
pub fn prompt_router(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::router(RouterKind::Prompt, attr.into(), item.into()).into()
}

/// On `impl ServerHandler for Server`: serves `prompts/list` and `prompts/get` from
/// `self.prompt_router` (or `router = expr`).
#[proc_macro_attribute]
pub fn prompt_handler(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::handler(RouterKind::Prompt, attr.into(), item.into()).into()
}

/// Marks a method of a `#[resource_router]` impl as the reader of one resource:
/// `#[resource(uri = "config://app")]`. Keys: `uri`, `name`, `title`, `description`,
/// `mime_type`, `size`, `icons`, `meta`, `crate`.
#[proc_macro_attribute]
pub fn resource(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::standalone(RouteKind::Resource, attr.into(), item.into()).into()
}

/// Marks a method of a `#[resource_router]` impl as the reader of a URI template:
/// `#[resource_template(uri_template = "file:///{+path}")]`, each variable arriving as the
/// argument of the same name (any `FromStr` type).
#[proc_macro_attribute]
pub fn resource_template(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::standalone(RouteKind::ResourceTemplate, attr.into(), item.into()).into()
}

/// Collects `#[resource]`, `#[resource_template]` and `#[completion(resource = ...)]` methods
/// into `pub fn resource_router() -> ResourceRouter<Self>`.
#[proc_macro_attribute]
pub fn resource_router(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::router(RouterKind::Resource, attr.into(), item.into()).into()
}

/// On `impl ServerHandler for Server`: serves `resources/list`, `resources/templates/list` and
/// `resources/read` from `self.resource_router` (or `router = expr`).
#[proc_macro_attribute]
pub fn resource_handler(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::handler(RouterKind::Resource, attr.into(), item.into()).into()
}

/// Marks a method as the completion handler of one prompt argument
/// (`#[completion(prompt = "greet", argument = "name")]`, in a `#[prompt_router]` impl) or one
/// template variable (`#[completion(resource = "file:///{path}", argument = "path")]`, in a
/// `#[resource_router]` impl). It takes the text typed so far as its one plain argument (and
/// optionally `CompletionCallContext` and extractors) and returns `Vec<String>`,
/// `CompleteResult` or a `Result` of one.
#[proc_macro_attribute]
pub fn completion(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::standalone(RouteKind::Completion, attr.into(), item.into()).into()
}
