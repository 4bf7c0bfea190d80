//! Extractors: what a tool, prompt or resource function can ask for beside its input.
//!
//! Users name only [`Parameters`] and [`ProgressReporter`] (re-exported by `router`). The
//! extractor traits and the argument checks are called only by generated code, which reaches
//! them through the hidden `rmcp_core::__private`.

use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::{PromptCallContext, ToolCallContext};
use crate::model::{Meta, ProgressNotificationParams, ProgressToken};
use crate::service::{McpError, Peer, RequestContext, RoleServer};
use crate::transport::Principal;

/// A tool's (or prompt's) whole input as one typed value: `Parameters<T>` where
/// `T: Deserialize + JsonSchema` describes the arguments object.
///
/// Use it instead of plain arguments when the input is a type of its own: reused, validated
/// with serde attributes, or shared with other code. Its fields' doc comments describe the
/// arguments.
///
/// ```
/// use rmcp_core::router::Parameters;
/// use rmcp_core::{tool, tool_router};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct SendArgs {
///     /// The recipient's address.
///     to: String,
///     /// The message.
///     body: String,
/// }
///
/// struct Mailer;
///
/// #[tool_router]
/// impl Mailer {
///     /// Send a message.
///     #[tool]
///     fn send(&self, Parameters(args): Parameters<SendArgs>) -> String {
///         format!("sent {} bytes to {}", args.body.len(), args.to)
///     }
/// }
///
/// let tool = Mailer::tool_router().get("send").unwrap();
/// assert!(tool.input_schema["properties"]["to"].is_object());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parameters<T>(pub T);

/// Something a tool function can take as an argument, built from the call.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be extracted from a tool call",
    label = "not an extractor",
    note = "extractors are `RequestContext<RoleServer>`, `Peer<RoleServer>`, `CancellationToken`, `Meta`, \
            `ProgressReporter`, `Principal`, `Option<Principal>` and `Parameters<T>`; any other argument must be a plain input \
            implementing `serde::Deserialize` and `schemars::JsonSchema`"
)]
pub trait FromToolCallContext: Sized {
    /// Take the value from the call.
    fn from_tool_call_context(cx: &mut ToolCallContext) -> Result<Self, McpError>;
}

/// Something a prompt function can take as an argument, built from the call.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be extracted from a prompt request",
    label = "not an extractor",
    note = "extractors are `RequestContext<RoleServer>`, `Peer<RoleServer>`, `CancellationToken`, `Meta`, \
            `Principal`, `Option<Principal>` and `Parameters<T>`; plain prompt arguments must be `String` or `Option<String>`"
)]
pub trait FromPromptCallContext: Sized {
    /// Take the value from the call.
    fn from_prompt_call_context(cx: &mut PromptCallContext) -> Result<Self, McpError>;
}

/// Marks a type usable as a plain tool argument (`a: i64`): it must deserialize and have a schema.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a tool argument",
    label = "neither an extractor nor a valid input",
    note = "plain tool arguments must implement `serde::Deserialize` and `schemars::JsonSchema` \
            (derive both); extractors are `RequestContext<RoleServer>`, `Peer<RoleServer>`, \
            `CancellationToken`, `Meta`, `ProgressReporter`, `Principal` and `Parameters<T>`"
)]
pub trait ToolArgument {}

impl<T: DeserializeOwned + schemars::JsonSchema> ToolArgument for T {}

/// Compile-time check the macros emit for each plain tool argument.
pub fn assert_tool_argument<T: ToolArgument>() {}

/// Marks a type usable as a plain prompt argument: prompt arguments are strings on the wire.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a prompt argument",
    label = "prompt arguments are strings on the wire",
    note = "use `String` (required) or `Option<String>` (optional), and parse inside the prompt; \
            or take `Parameters<T>` with a struct of string fields"
)]
pub trait PromptArgumentType {
    /// Whether the argument must be given.
    const REQUIRED: bool;
}

impl PromptArgumentType for String {
    const REQUIRED: bool = true;
}

impl PromptArgumentType for Option<String> {
    const REQUIRED: bool = false;
}

/// Compile-time check the macros emit for each plain prompt argument.
pub fn assert_prompt_argument<T: PromptArgumentType>() {}

/// Reports progress of the current request to the client, if the client asked for progress.
#[derive(Debug, Clone)]
pub struct ProgressReporter {
    peer: Peer<RoleServer>,
    token: Option<ProgressToken>,
}

impl ProgressReporter {
    /// A reporter for the request of `ctx`.
    pub fn new(ctx: &RequestContext<RoleServer>) -> Self {
        Self { peer: ctx.peer.clone(), token: ctx.progress_token() }
    }

    /// Whether the client asked for progress (sent a progress token).
    pub fn is_requested(&self) -> bool {
        self.token.is_some()
    }

    /// Send `notifications/progress`; does nothing if the client did not ask for progress.
    pub async fn report(&self, progress: f64, total: Option<f64>, message: Option<String>) -> Result<(), McpError> {
        let Some(token) = &self.token else { return Ok(()) };
        let mut params = ProgressNotificationParams::new(token.clone(), progress);
        params.total = total;
        params.message = message;
        self.peer.notify_progress(params).await.map_err(|e| McpError::internal_error(e.to_string()))
    }
}

/// The caller, for a `principal: Principal` argument: refused with -32600 when the transport
/// knows no authenticated caller (stdio, or HTTP without an authentication layer), since the
/// function asked for one.
pub fn require_principal(ctx: &RequestContext<RoleServer>) -> Result<Principal, McpError> {
    ctx.principal()
        .cloned()
        .ok_or_else(|| McpError::invalid_request("this needs an authenticated caller, and the request carries none"))
}

/// The caller, for a `principal: Option<Principal>` argument.
pub fn optional_principal(ctx: &RequestContext<RoleServer>) -> Option<Principal> {
    ctx.principal().cloned()
}

impl FromToolCallContext for Principal {
    fn from_tool_call_context(cx: &mut ToolCallContext) -> Result<Self, McpError> {
        require_principal(&cx.request)
    }
}

impl FromToolCallContext for Option<Principal> {
    fn from_tool_call_context(cx: &mut ToolCallContext) -> Result<Self, McpError> {
        Ok(optional_principal(&cx.request))
    }
}

impl FromPromptCallContext for Principal {
    fn from_prompt_call_context(cx: &mut PromptCallContext) -> Result<Self, McpError> {
        require_principal(&cx.request)
    }
}

impl FromPromptCallContext for Option<Principal> {
    fn from_prompt_call_context(cx: &mut PromptCallContext) -> Result<Self, McpError> {
        Ok(optional_principal(&cx.request))
    }
}

impl FromToolCallContext for RequestContext<RoleServer> {
    fn from_tool_call_context(cx: &mut ToolCallContext) -> Result<Self, McpError> {
        Ok(cx.request.clone())
    }
}

impl FromToolCallContext for Peer<RoleServer> {
    fn from_tool_call_context(cx: &mut ToolCallContext) -> Result<Self, McpError> {
        Ok(cx.request.peer.clone())
    }
}

impl FromToolCallContext for CancellationToken {
    fn from_tool_call_context(cx: &mut ToolCallContext) -> Result<Self, McpError> {
        Ok(cx.request.ct.clone())
    }
}

impl FromToolCallContext for Meta {
    fn from_tool_call_context(cx: &mut ToolCallContext) -> Result<Self, McpError> {
        Ok(cx.request.meta.clone())
    }
}

impl FromToolCallContext for ProgressReporter {
    fn from_tool_call_context(cx: &mut ToolCallContext) -> Result<Self, McpError> {
        Ok(ProgressReporter::new(&cx.request))
    }
}

impl<T: DeserializeOwned> FromToolCallContext for Parameters<T> {
    fn from_tool_call_context(cx: &mut ToolCallContext) -> Result<Self, McpError> {
        cx.arguments().map(Parameters)
    }
}

impl FromPromptCallContext for RequestContext<RoleServer> {
    fn from_prompt_call_context(cx: &mut PromptCallContext) -> Result<Self, McpError> {
        Ok(cx.request.clone())
    }
}

impl FromPromptCallContext for Peer<RoleServer> {
    fn from_prompt_call_context(cx: &mut PromptCallContext) -> Result<Self, McpError> {
        Ok(cx.request.peer.clone())
    }
}

impl FromPromptCallContext for CancellationToken {
    fn from_prompt_call_context(cx: &mut PromptCallContext) -> Result<Self, McpError> {
        Ok(cx.request.ct.clone())
    }
}

impl FromPromptCallContext for Meta {
    fn from_prompt_call_context(cx: &mut PromptCallContext) -> Result<Self, McpError> {
        Ok(cx.request.meta.clone())
    }
}

impl<T: DeserializeOwned> FromPromptCallContext for Parameters<T> {
    fn from_prompt_call_context(cx: &mut PromptCallContext) -> Result<Self, McpError> {
        cx.arguments().map(Parameters)
    }
}
