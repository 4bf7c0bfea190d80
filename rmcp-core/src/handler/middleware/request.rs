//! [`McpRequest`]: what a middleware's services are called with.

use crate::model::{ClientRequest, methods, tasks_ext};
use crate::service::{RequestContext, RoleServer};
use crate::transport::Principal;

/// One request on its way to the handler: the parsed request and its context.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct McpRequest {
    /// The request, parsed and typed.
    pub request: ClientRequest,
    /// Its context: id, `_meta`, era, cancellation, the peer, and what the transport attached.
    pub ctx: RequestContext<RoleServer>,
}

impl McpRequest {
    /// A request and its context, for calling a middleware stack directly (in tests, say).
    pub fn new(request: ClientRequest, ctx: RequestContext<RoleServer>) -> Self {
        Self { request, ctx }
    }

    /// The JSON-RPC method, as `tools/call`.
    pub fn method(&self) -> &'static str {
        match &self.request {
            ClientRequest::Initialize(_) => methods::INITIALIZE,
            ClientRequest::Ping(_) => methods::PING,
            ClientRequest::Discover(_) => methods::SERVER_DISCOVER,
            ClientRequest::ListTools(_) => methods::TOOLS_LIST,
            ClientRequest::CallTool(_) => methods::TOOLS_CALL,
            ClientRequest::ListResources(_) => methods::RESOURCES_LIST,
            ClientRequest::ListResourceTemplates(_) => methods::RESOURCES_TEMPLATES_LIST,
            ClientRequest::ReadResource(_) => methods::RESOURCES_READ,
            ClientRequest::Subscribe(_) => methods::RESOURCES_SUBSCRIBE,
            ClientRequest::Unsubscribe(_) => methods::RESOURCES_UNSUBSCRIBE,
            ClientRequest::ListPrompts(_) => methods::PROMPTS_LIST,
            ClientRequest::GetPrompt(_) => methods::PROMPTS_GET,
            ClientRequest::Complete(_) => methods::COMPLETION_COMPLETE,
            ClientRequest::SetLevel(_) => methods::LOGGING_SET_LEVEL,
            ClientRequest::SubscriptionsListen(_) => methods::SUBSCRIPTIONS_LISTEN,
            ClientRequest::GetTask(_) => methods::TASKS_GET,
            ClientRequest::GetTaskPayload(_) => methods::TASKS_RESULT,
            ClientRequest::ListTasks(_) => methods::TASKS_LIST,
            ClientRequest::CancelTask(_) => methods::TASKS_CANCEL,
            ClientRequest::UpdateTask(_) => tasks_ext::methods::UPDATE,
        }
    }

    /// What the request names: the tool of `tools/call`, the prompt of `prompts/get`, the URI of
    /// `resources/read` and `resources/(un)subscribe`; `None` for the rest.
    pub fn target(&self) -> Option<&str> {
        match &self.request {
            ClientRequest::CallTool(p) => Some(&p.name),
            ClientRequest::GetPrompt(p) => Some(&p.name),
            ClientRequest::ReadResource(p) => Some(&p.uri),
            ClientRequest::Subscribe(p) => Some(&p.uri),
            ClientRequest::Unsubscribe(p) => Some(&p.uri),
            _ => None,
        }
    }

    /// The authenticated caller, if the transport knows one (see
    /// [`RequestContext::principal`]).
    pub fn principal(&self) -> Option<&Principal> {
        self.ctx.principal()
    }
}
