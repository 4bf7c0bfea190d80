//! [`Layered`]: a handler behind a stack of middleware, itself a [`ServerHandler`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use tower_layer::Layer;
use tower_service::Service;

use super::{BoxError, McpRequest, into_mcp_error};
use crate::handler::ResourceSubscriptions;
use crate::handler::server::{ServerHandler, route};
use crate::handler::tasks::TaskStore;
use crate::model::{
    CallToolRequestParams, CallToolResult, CancelTaskRequestParams, CancelTaskResult, CancelledNotificationParams,
    ClientRequest, CompleteRequestParams, CompleteResult, DiscoverResult, EmptyParams, EmptyResult, ErrorData,
    GetPromptRequestParams, GetPromptResult, GetTaskPayloadRequestParams, GetTaskPayloadResult, GetTaskRequestParams,
    GetTaskResult, InitializeRequestParams, InitializeResult, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListTasksResult, ListToolsResult, PaginatedRequestParams, ProgressNotificationParams,
    PromptsCapability, ReadResourceRequestParams, ReadResourceResult, ResourcesCapability, ServerResult,
    SetLevelRequestParams, SubscribeRequestParams, SubscriptionsListenRequestParams, SubscriptionsListenResult,
    TaskStatusNotificationParams, ToolsCapability, UnsubscribeRequestParams,
};
use crate::service::{McpError, NotificationContext, RequestContext, RequestStateKey, RoleServer, ServerInfo};

/// The innermost service of every middleware stack: calls the handler's method for the request.
pub struct HandlerService<H> {
    handler: Arc<H>,
}

impl<H> fmt::Debug for HandlerService<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerService").field("handler", &std::any::type_name::<H>()).finish()
    }
}

impl<H, S: fmt::Debug> fmt::Debug for Layered<H, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layered").field("handler", &std::any::type_name::<H>()).field("stack", &self.stack).finish()
    }
}

impl<H> Clone for HandlerService<H> {
    fn clone(&self) -> Self {
        Self { handler: Arc::clone(&self.handler) }
    }
}

impl<H: ServerHandler> Service<McpRequest> for HandlerService<H> {
    type Response = ServerResult;
    type Error = McpError;
    type Future = BoxFuture<'static, Result<ServerResult, McpError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), McpError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: McpRequest) -> Self::Future {
        let handler = Arc::clone(&self.handler);
        Box::pin(async move { route(&*handler, request.request, request.ctx).await })
    }
}

/// A handler with middleware around its requests, made by [`ServerHandler::layer`]; a
/// [`ServerHandler`] itself, so it serves wherever the handler would.
///
/// Requests pass through the stack `S` (outermost layer first) before they reach the handler;
/// everything else (its info, capabilities, task store, subscriptions, notifications) is the
/// handler's own.
pub struct Layered<H, S> {
    handler: Arc<H>,
    stack: S,
}

impl<H, S: Clone> Clone for Layered<H, S> {
    fn clone(&self) -> Self {
        Self { handler: Arc::clone(&self.handler), stack: self.stack.clone() }
    }
}

impl<H: ServerHandler> Layered<H, HandlerService<H>> {
    /// The handler with no middleware yet.
    pub fn new(handler: H) -> Self {
        let handler = Arc::new(handler);
        Self { stack: HandlerService { handler: Arc::clone(&handler) }, handler }
    }
}

impl<H, S> Layered<H, S> {
    /// Wrap the stack in one more layer, which runs before those added earlier.
    pub fn layer<L: Layer<S>>(self, layer: L) -> Layered<H, L::Service> {
        Layered { handler: self.handler, stack: layer.layer(self.stack) }
    }

    /// The handler inside.
    pub fn handler(&self) -> &H {
        &self.handler
    }
}

impl<H, S> Layered<H, S>
where
    S: Service<McpRequest, Response = ServerResult> + Clone + Send + Sync + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
{
    /// Send `request` through the stack and take the result of its method out of the answer.
    fn through<T: Send + 'static>(
        &self,
        request: ClientRequest,
        ctx: RequestContext<RoleServer>,
        pick: fn(ServerResult) -> Option<T>,
    ) -> impl Future<Output = Result<T, McpError>> + Send + 'static {
        let mut stack = self.stack.clone();
        async move {
            std::future::poll_fn(|cx| stack.poll_ready(cx)).await.map_err(into_mcp_error)?;
            let result = stack.call(McpRequest::new(request, ctx)).await.map_err(into_mcp_error)?;
            pick(result)
                .ok_or_else(|| McpError::internal_error("a middleware answered with the result of another method"))
        }
    }
}

impl<H, S> ServerHandler for Layered<H, S>
where
    H: ServerHandler,
    S: Service<McpRequest, Response = ServerResult> + Clone + Send + Sync + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
{
    fn get_info(&self) -> ServerInfo {
        self.handler.get_info()
    }

    fn request_state_key(&self) -> RequestStateKey {
        self.handler.request_state_key()
    }

    fn task_store(&self) -> Option<&TaskStore> {
        self.handler.task_store()
    }

    fn resource_subscriptions(&self) -> Option<&ResourceSubscriptions> {
        self.handler.resource_subscriptions()
    }

    fn tool_capability(&self) -> Option<ToolsCapability> {
        self.handler.tool_capability()
    }

    fn prompt_capability(&self) -> Option<PromptsCapability> {
        self.handler.prompt_capability()
    }

    fn resource_capability(&self) -> Option<ResourcesCapability> {
        self.handler.resource_capability()
    }

    fn check_subscription<'a>(
        &'a self,
        uri: &'a str,
        ctx: &'a RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), ErrorData>> + Send + 'a {
        self.handler.check_subscription(uri, ctx)
    }

    fn initialize(
        &self,
        params: InitializeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<InitializeResult, McpError>> + Send + '_ {
        self.through(ClientRequest::Initialize(Box::new(params)), ctx, |r| match r {
            ServerResult::Initialize(r) => Some(r),
            _ => None,
        })
    }

    fn discover(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<DiscoverResult, McpError>> + Send + '_ {
        self.through(ClientRequest::Discover(EmptyParams::default()), ctx, |r| match r {
            ServerResult::Discover(r) => Some(r),
            _ => None,
        })
    }

    fn ping(&self, ctx: RequestContext<RoleServer>) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        self.through(ClientRequest::Ping(EmptyParams::default()), ctx, empty)
    }

    fn list_tools(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListToolsResult, McpError>> + Send + '_ {
        self.through(ClientRequest::ListTools(params), ctx, |r| match r {
            ServerResult::ListTools(r) => Some(r),
            _ => None,
        })
    }

    fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CallToolResult, McpError>> + Send + '_ {
        self.through(ClientRequest::CallTool(params), ctx, |r| match r {
            ServerResult::CallTool(r) => Some(r),
            _ => None,
        })
    }

    fn list_resources(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourcesResult, McpError>> + Send + '_ {
        self.through(ClientRequest::ListResources(params), ctx, |r| match r {
            ServerResult::ListResources(r) => Some(r),
            _ => None,
        })
    }

    fn list_resource_templates(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourceTemplatesResult, McpError>> + Send + '_ {
        self.through(ClientRequest::ListResourceTemplates(params), ctx, |r| match r {
            ServerResult::ListResourceTemplates(r) => Some(r),
            _ => None,
        })
    }

    fn read_resource(
        &self,
        params: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ReadResourceResult, McpError>> + Send + '_ {
        self.through(ClientRequest::ReadResource(params), ctx, |r| match r {
            ServerResult::ReadResource(r) => Some(r),
            _ => None,
        })
    }

    fn subscribe(
        &self,
        params: SubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        self.through(ClientRequest::Subscribe(params), ctx, empty)
    }

    fn unsubscribe(
        &self,
        params: UnsubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        self.through(ClientRequest::Unsubscribe(params), ctx, empty)
    }

    fn list_prompts(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListPromptsResult, McpError>> + Send + '_ {
        self.through(ClientRequest::ListPrompts(params), ctx, |r| match r {
            ServerResult::ListPrompts(r) => Some(r),
            _ => None,
        })
    }

    fn get_prompt(
        &self,
        params: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetPromptResult, McpError>> + Send + '_ {
        self.through(ClientRequest::GetPrompt(params), ctx, |r| match r {
            ServerResult::GetPrompt(r) => Some(r),
            _ => None,
        })
    }

    fn complete(
        &self,
        params: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CompleteResult, McpError>> + Send + '_ {
        self.through(ClientRequest::Complete(params), ctx, |r| match r {
            ServerResult::Complete(r) => Some(r),
            _ => None,
        })
    }

    fn set_level(
        &self,
        params: SetLevelRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        self.through(ClientRequest::SetLevel(params), ctx, empty)
    }

    fn subscriptions_listen(
        &self,
        params: SubscriptionsListenRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<SubscriptionsListenResult, McpError>> + Send + '_ {
        self.through(ClientRequest::SubscriptionsListen(params), ctx, |r| match r {
            ServerResult::SubscriptionsListen(r) => Some(r),
            _ => None,
        })
    }

    fn get_task(
        &self,
        params: GetTaskRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetTaskResult, McpError>> + Send + '_ {
        self.through(ClientRequest::GetTask(params), ctx, |r| match r {
            ServerResult::GetTask(r) => Some(r),
            _ => None,
        })
    }

    fn get_task_payload(
        &self,
        params: GetTaskPayloadRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetTaskPayloadResult, McpError>> + Send + '_ {
        self.through(ClientRequest::GetTaskPayload(params), ctx, |r| match r {
            ServerResult::GetTaskPayload(r) => Some(r),
            _ => None,
        })
    }

    fn list_tasks(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListTasksResult, McpError>> + Send + '_ {
        self.through(ClientRequest::ListTasks(params), ctx, |r| match r {
            ServerResult::ListTasks(r) => Some(r),
            _ => None,
        })
    }

    fn cancel_task(
        &self,
        params: CancelTaskRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CancelTaskResult, McpError>> + Send + '_ {
        self.through(ClientRequest::CancelTask(params), ctx, |r| match r {
            ServerResult::CancelTask(r) => Some(r),
            _ => None,
        })
    }

    fn on_initialized(&self, ctx: NotificationContext<RoleServer>) -> impl Future<Output = ()> + Send + '_ {
        self.handler.on_initialized(ctx)
    }

    fn on_cancelled(
        &self,
        params: CancelledNotificationParams,
        ctx: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        self.handler.on_cancelled(params, ctx)
    }

    fn on_progress(
        &self,
        params: ProgressNotificationParams,
        ctx: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        self.handler.on_progress(params, ctx)
    }

    fn on_roots_list_changed(&self, ctx: NotificationContext<RoleServer>) -> impl Future<Output = ()> + Send + '_ {
        self.handler.on_roots_list_changed(ctx)
    }

    fn on_task_status(
        &self,
        params: TaskStatusNotificationParams,
        ctx: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        self.handler.on_task_status(params, ctx)
    }
}

/// The empty result of `ping`, `resources/(un)subscribe` and `logging/setLevel`.
fn empty(result: ServerResult) -> Option<EmptyResult> {
    match result {
        ServerResult::Empty(r) => Some(r),
        _ => None,
    }
}
