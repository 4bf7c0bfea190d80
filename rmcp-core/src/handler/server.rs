//! The server side: `ServerHandler` and its dispatch.

use std::future::Future;

use futures_util::future::BoxFuture;

use super::middleware::{HandlerService, Layer, Layered};
use super::subscriptions::ResourceSubscriptions;
use super::tasks::{self, TaskStore};
use crate::model::{
    CallToolRequestParams, CallToolResult, CancelTaskRequestParams, CancelTaskResult, CancelledNotificationParams,
    ClientNotification, ClientRequest, CompleteRequestParams, CompleteResult, Completion, DiscoverResult, EmptyResult,
    ErrorData, GetPromptRequestParams, GetPromptResult, GetTaskPayloadRequestParams, GetTaskPayloadResult,
    GetTaskRequestParams, GetTaskResult, InitializeRequestParams, InitializeResult, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListTasksResult, ListToolsResult, PaginatedRequestParams,
    ProgressNotificationParams, PromptsCapability, ProtocolVersion, ReadResourceRequestParams, ReadResourceResult,
    Reference, ResourcesCapability, ResultType, ServerCapabilities, ServerResult, SetLevelRequestParams,
    SubscribeRequestParams, SubscriptionsListenRequestParams, SubscriptionsListenResult, TaskStatusNotificationParams,
    ToolsCapability, UnsubscribeRequestParams, meta_keys, methods,
};
use crate::service::input::InputRound;
use crate::service::{
    McpError, NotificationContext, RequestContext, RequestStateKey, RoleServer, ServerInfo, Service, lifecycle,
};

/// Implement this to make a server. Every method has a default: list methods return empty lists,
/// lookups of a named thing fail with -32602, and features the server does not declare in
/// [`ServerInfo::capabilities`] are answered with -32601 before any method is called.
///
/// ```
/// use rmcp_core::handler::{ServerHandler, ServerInfo};
/// use rmcp_core::model::{Implementation, ServerCapabilities};
///
/// struct Hello;
///
/// impl ServerHandler for Hello {
///     fn get_info(&self) -> ServerInfo {
///         ServerInfo::new(Implementation::new("hello", "1.0.0"), ServerCapabilities::builder().enable_tools().build())
///     }
/// }
/// ```
#[allow(unused_variables)]
pub trait ServerHandler: Send + Sync + 'static {
    /// The server's identity and capabilities; read once per connection.
    fn get_info(&self) -> ServerInfo {
        ServerInfo::default()
    }

    /// The key that signs the `requestState` of `input_required` results (2026-07-28), which
    /// carries the answers of earlier rounds. The default is a random key per process; servers
    /// whose retries may reach another process return a shared one.
    fn request_state_key(&self) -> RequestStateKey {
        RequestStateKey::process()
    }

    /// The tasks of the `io.modelcontextprotocol/tasks` extension. With a store the server
    /// declares the extension and serves `tasks/get`, `tasks/update` and `tasks/cancel` of
    /// 2026-07-28 requests that opted in; tools create tasks with [`TaskStore::run`].
    fn task_store(&self) -> Option<&TaskStore> {
        None
    }

    /// `initialize` (2025 era). `ctx.protocol_version` is the negotiated version.
    fn initialize(
        &self,
        params: InitializeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<InitializeResult, McpError>> + Send + '_ {
        let info = effective_info(self);
        let mut result = InitializeResult::new(ctx.protocol_version.clone(), info.capabilities, info.server_info);
        result.instructions = info.instructions;
        std::future::ready(Ok(result))
    }

    /// `server/discover` (2026-07-28).
    fn discover(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<DiscoverResult, McpError>> + Send + '_ {
        let info = effective_info(self);
        let versions = lifecycle::SUPPORTED_VERSIONS.iter().map(|v| ProtocolVersion::parse(v)).collect();
        let mut result = DiscoverResult::new(versions, info.capabilities);
        result.instructions = info.instructions;
        std::future::ready(Ok(result))
    }

    /// `ping` (2025 era).
    fn ping(&self, ctx: RequestContext<RoleServer>) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        std::future::ready(Ok(EmptyResult::default()))
    }

    /// `tools/list`.
    fn list_tools(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListToolsResult, McpError>> + Send + '_ {
        std::future::ready(Ok(ListToolsResult::new(Vec::new())))
    }

    /// `tools/call`.
    fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CallToolResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::invalid_params(format!("Unknown tool: {}", params.name))))
    }

    /// `resources/list`.
    fn list_resources(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourcesResult, McpError>> + Send + '_ {
        std::future::ready(Ok(ListResourcesResult::new(Vec::new())))
    }

    /// `resources/templates/list`.
    fn list_resource_templates(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourceTemplatesResult, McpError>> + Send + '_ {
        std::future::ready(Ok(ListResourceTemplatesResult::new(Vec::new())))
    }

    /// `resources/read`.
    fn read_resource(
        &self,
        params: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ReadResourceResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::resource_not_found(&params.uri)))
    }

    /// The registry of `resources/subscribe` subscriptions. With one the server declares
    /// `resources.subscribe`, the default `subscribe` / `unsubscribe` record into it, and
    /// [`ResourceSubscriptions::notify_updated`] tells the subscribers of a URI.
    fn resource_subscriptions(&self) -> Option<&ResourceSubscriptions> {
        None
    }

    /// Whether the client may watch the resource at `uri`, asked before anything is recorded:
    /// for every `resources/subscribe` (2025 era, before [`subscribe`](Self::subscribe)) and for
    /// every resource URI a `subscriptions/listen` stream asks for (2026-07-28; the stream leaves
    /// a refused URI out of what it honours). Refuse an unknown URI, or one the caller may not
    /// read: the HTTP request (`http::request::Parts`, with any
    /// [`Principal`](crate::transport::Principal) in its extensions) is in `ctx.extensions`. The
    /// default accepts every URI.
    ///
    /// ```
    /// use rmcp_core::handler::ServerHandler;
    /// use rmcp_core::model::ErrorData;
    /// use rmcp_core::service::{RequestContext, RoleServer};
    ///
    /// struct Docs;
    ///
    /// impl ServerHandler for Docs {
    ///     async fn check_subscription(&self, uri: &str, _ctx: &RequestContext<RoleServer>) -> Result<(), ErrorData> {
    ///         if uri.starts_with("docs://") { Ok(()) } else { Err(ErrorData::resource_not_found(uri)) }
    ///     }
    /// }
    /// ```
    fn check_subscription<'a>(
        &'a self,
        uri: &'a str,
        ctx: &'a RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), ErrorData>> + Send + 'a {
        std::future::ready(Ok(()))
    }

    /// `resources/subscribe` (2025 era), once [`check_subscription`](Self::check_subscription)
    /// accepted the URI: recorded in [`resource_subscriptions`](Self::resource_subscriptions)
    /// when there is one, which refuses a connection's subscriptions beyond its limit.
    fn subscribe(
        &self,
        params: SubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        let recorded = match self.resource_subscriptions() {
            Some(subscriptions) => subscriptions.subscribe(&params.uri, &ctx.peer).map_err(McpError::Rpc),
            None => Ok(()),
        };
        std::future::ready(recorded.map(|()| EmptyResult::default()))
    }

    /// `resources/unsubscribe` (2025 era).
    fn unsubscribe(
        &self,
        params: UnsubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        if let Some(subscriptions) = self.resource_subscriptions() {
            subscriptions.unsubscribe(&params.uri, &ctx.peer);
        }
        std::future::ready(Ok(EmptyResult::default()))
    }

    /// `prompts/list`.
    fn list_prompts(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListPromptsResult, McpError>> + Send + '_ {
        std::future::ready(Ok(ListPromptsResult::new(Vec::new())))
    }

    /// `prompts/get`.
    fn get_prompt(
        &self,
        params: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetPromptResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::invalid_params(format!("Unknown prompt: {}", params.name))))
    }

    /// `completion/complete`: by default, hands prompt references to
    /// [`complete_prompt`](Self::complete_prompt) and template references to
    /// [`complete_resource`](Self::complete_resource).
    fn complete(
        &self,
        params: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CompleteResult, McpError>> + Send + '_ {
        async move {
            match &params.reference {
                Reference::Prompt(p) => {
                    let name = p.name.clone();
                    self.complete_prompt(&name, params, ctx).await
                }
                Reference::Resource(r) => {
                    let uri = r.uri.clone();
                    self.complete_resource(&uri, params, ctx).await
                }
            }
        }
    }

    /// Complete an argument of prompt `prompt` (`#[prompt_handler]` wires this to the router).
    fn complete_prompt<'a>(
        &'a self,
        prompt: &'a str,
        params: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CompleteResult, McpError>> + Send + 'a {
        std::future::ready(Ok(CompleteResult::new(Completion::new(Vec::new()))))
    }

    /// Complete a variable of resource template `template` (`#[resource_handler]` wires this).
    fn complete_resource<'a>(
        &'a self,
        template: &'a str,
        params: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CompleteResult, McpError>> + Send + 'a {
        std::future::ready(Ok(CompleteResult::new(Completion::new(Vec::new()))))
    }

    /// The `tools` capability a plugged-in tool router provides (`#[tool_handler]` sets it);
    /// used when [`get_info`](Self::get_info) declares none.
    fn tool_capability(&self) -> Option<ToolsCapability> {
        None
    }

    /// The `prompts` capability a plugged-in prompt router provides.
    fn prompt_capability(&self) -> Option<PromptsCapability> {
        None
    }

    /// The `resources` capability a plugged-in resource router provides.
    fn resource_capability(&self) -> Option<ResourcesCapability> {
        None
    }

    /// `logging/setLevel` (2025 era).
    fn set_level(
        &self,
        params: SetLevelRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        std::future::ready(Ok(EmptyResult::default()))
    }

    /// `subscriptions/listen` (2026-07-28).
    fn subscriptions_listen(
        &self,
        params: SubscriptionsListenRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<SubscriptionsListenResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::method_not_found(methods::SUBSCRIPTIONS_LISTEN)))
    }

    /// `tasks/get`.
    fn get_task(
        &self,
        params: GetTaskRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetTaskResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::method_not_found(methods::TASKS_GET)))
    }

    /// `tasks/result`.
    fn get_task_payload(
        &self,
        params: GetTaskPayloadRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetTaskPayloadResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::method_not_found(methods::TASKS_RESULT)))
    }

    /// `tasks/list`.
    fn list_tasks(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListTasksResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::method_not_found(methods::TASKS_LIST)))
    }

    /// `tasks/cancel`.
    fn cancel_task(
        &self,
        params: CancelTaskRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CancelTaskResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::method_not_found(methods::TASKS_CANCEL)))
    }

    /// `notifications/initialized`.
    fn on_initialized(&self, ctx: NotificationContext<RoleServer>) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/cancelled` (the engine has already cancelled the request's token).
    fn on_cancelled(
        &self,
        params: CancelledNotificationParams,
        ctx: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/progress` for a request this server sent.
    fn on_progress(
        &self,
        params: ProgressNotificationParams,
        ctx: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/roots/list_changed`.
    fn on_roots_list_changed(&self, ctx: NotificationContext<RoleServer>) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/tasks/status`.
    fn on_task_status(
        &self,
        params: TaskStatusNotificationParams,
        ctx: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// This handler behind a [middleware](super::middleware) layer: every request passes through
    /// the layer before it reaches the handler. Layers added later run first.
    ///
    /// ```
    /// use std::time::Duration;
    /// use rmcp_core::handler::ServerHandler;
    /// use rmcp_core::handler::middleware::{RateLimitLayer, RequestLogLayer};
    ///
    /// struct Hello;
    /// impl ServerHandler for Hello {}
    ///
    /// let server = Hello
    ///     .layer(RateLimitLayer::per_principal(100, Duration::from_secs(60)))
    ///     .layer(RequestLogLayer::new());
    /// # let _ = server;
    /// ```
    fn layer<L>(self, layer: L) -> Layered<Self, L::Service>
    where
        Self: Sized,
        L: Layer<HandlerService<Self>>,
    {
        Layered::new(self).layer(layer)
    }
}

/// Call the handler's method for `request`: only the call, with none of the checks and
/// bookkeeping around it (capabilities, eras, the peer's info and log level), which the dispatch
/// above does once. Middleware's innermost service ends here, so those steps are not repeated
/// for a handler wrapped in layers.
pub(crate) async fn route<H: ServerHandler + ?Sized>(
    handler: &H,
    request: ClientRequest,
    ctx: RequestContext<RoleServer>,
) -> Result<ServerResult, McpError> {
    match request {
        ClientRequest::Initialize(params) => handler.initialize(*params, ctx).await.map(ServerResult::Initialize),
        ClientRequest::Discover(_) => handler.discover(ctx).await.map(ServerResult::Discover),
        ClientRequest::Ping(_) => handler.ping(ctx).await.map(ServerResult::Empty),
        ClientRequest::ListTools(p) => handler.list_tools(p, ctx).await.map(ServerResult::ListTools),
        ClientRequest::CallTool(p) => handler.call_tool(p, ctx).await.map(ServerResult::CallTool),
        ClientRequest::ListResources(p) => handler.list_resources(p, ctx).await.map(ServerResult::ListResources),
        ClientRequest::ListResourceTemplates(p) => {
            handler.list_resource_templates(p, ctx).await.map(ServerResult::ListResourceTemplates)
        }
        ClientRequest::ReadResource(p) => handler.read_resource(p, ctx).await.map(ServerResult::ReadResource),
        ClientRequest::Subscribe(p) => handler.subscribe(p, ctx).await.map(ServerResult::Empty),
        ClientRequest::Unsubscribe(p) => handler.unsubscribe(p, ctx).await.map(ServerResult::Empty),
        ClientRequest::ListPrompts(p) => handler.list_prompts(p, ctx).await.map(ServerResult::ListPrompts),
        ClientRequest::GetPrompt(p) => handler.get_prompt(p, ctx).await.map(ServerResult::GetPrompt),
        ClientRequest::Complete(p) => handler.complete(p, ctx).await.map(ServerResult::Complete),
        ClientRequest::SetLevel(p) => handler.set_level(p, ctx).await.map(ServerResult::Empty),
        ClientRequest::SubscriptionsListen(p) => {
            handler.subscriptions_listen(p, ctx).await.map(ServerResult::SubscriptionsListen)
        }
        ClientRequest::GetTask(p) => handler.get_task(p, ctx).await.map(ServerResult::GetTask),
        ClientRequest::GetTaskPayload(p) => handler.get_task_payload(p, ctx).await.map(ServerResult::GetTaskPayload),
        ClientRequest::ListTasks(p) => handler.list_tasks(p, ctx).await.map(ServerResult::ListTasks),
        ClientRequest::CancelTask(p) => handler.cancel_task(p, ctx).await.map(ServerResult::CancelTask),
        ClientRequest::UpdateTask(_) => Err(McpError::method_not_found(crate::model::tasks_ext::methods::UPDATE)),
    }
}

/// The `tasks/*` methods of a 2026-07-28 request, which belong to the tasks extension: served from
/// the handler's [`TaskStore`] when the request opted in, -32021 when it did not, and -32601 for
/// the methods the extension removed (`tasks/result`, `tasks/list`) or without a store.
async fn tasks_extension<H: ServerHandler + ?Sized>(
    handler: &H,
    request: &ClientRequest,
    ctx: &RequestContext<RoleServer>,
) -> Option<Result<ServerResult, McpError>> {
    let method = match request {
        ClientRequest::GetTask(_) => methods::TASKS_GET,
        ClientRequest::CancelTask(_) => methods::TASKS_CANCEL,
        ClientRequest::UpdateTask(_) => crate::model::tasks_ext::methods::UPDATE,
        ClientRequest::GetTaskPayload(_) => return Some(Err(McpError::method_not_found(methods::TASKS_RESULT))),
        ClientRequest::ListTasks(_) => return Some(Err(McpError::method_not_found(methods::TASKS_LIST))),
        _ => return None,
    };
    let Some(store) = handler.task_store() else { return Some(Err(McpError::method_not_found(method))) };
    if !tasks::opted_in(ctx) {
        return Some(Err(tasks::missing_extension()));
    }
    Some(match request {
        ClientRequest::GetTask(p) => store.get(&p.task_id, ctx).await.map(ServerResult::TaskExtension),
        ClientRequest::CancelTask(p) => {
            store.cancel(&p.task_id, ctx).await.map(|()| ServerResult::Empty(EmptyResult::default()))
        }
        ClientRequest::UpdateTask(p) => store
            .update(&p.task_id, p.input_responses.clone(), ctx)
            .await
            .map(|()| ServerResult::Empty(EmptyResult::default())),
        _ => unreachable!("matched above"),
    })
}

/// Refuse requests for features the server did not declare, as the 2026-07-28 rules demand
/// ("capabilities must match reality") and as 2025 clients expect.
fn check_capability(request: &ClientRequest, caps: &ServerCapabilities) -> Result<(), McpError> {
    let (method, declared) = match request {
        ClientRequest::ListTools(_) => (methods::TOOLS_LIST, caps.tools.is_some()),
        ClientRequest::CallTool(_) => (methods::TOOLS_CALL, caps.tools.is_some()),
        ClientRequest::ListResources(_) => (methods::RESOURCES_LIST, caps.resources.is_some()),
        ClientRequest::ListResourceTemplates(_) => (methods::RESOURCES_TEMPLATES_LIST, caps.resources.is_some()),
        ClientRequest::ReadResource(_) => (methods::RESOURCES_READ, caps.resources.is_some()),
        ClientRequest::Subscribe(_) => {
            (methods::RESOURCES_SUBSCRIBE, caps.resources.as_ref().is_some_and(|r| r.subscribe == Some(true)))
        }
        ClientRequest::Unsubscribe(_) => {
            (methods::RESOURCES_UNSUBSCRIBE, caps.resources.as_ref().is_some_and(|r| r.subscribe == Some(true)))
        }
        ClientRequest::ListPrompts(_) => (methods::PROMPTS_LIST, caps.prompts.is_some()),
        ClientRequest::GetPrompt(_) => (methods::PROMPTS_GET, caps.prompts.is_some()),
        ClientRequest::Complete(_) => (methods::COMPLETION_COMPLETE, caps.completions.is_some()),
        ClientRequest::SetLevel(_) => (methods::LOGGING_SET_LEVEL, caps.logging.is_some()),
        _ => return Ok(()),
    };
    if declared { Ok(()) } else { Err(McpError::method_not_found(method)) }
}

/// Give a 2026-07-28 result its required fields: `resultType`, cache hints on cacheable
/// results, and the server's identity in `_meta`.
fn finish_stateless(result: &mut ServerResult, info: &ServerInfo) {
    let fields = result.common_fields_mut();
    fields.result_type.get_or_insert(ResultType::Complete);
    if let Some((ttl, scope)) = fields.cache {
        ttl.get_or_insert(info.cache_ttl_ms);
        scope.get_or_insert(info.cache_scope);
    }
    if let Ok(server_info) = serde_json::to_value(&info.server_info) {
        fields.meta.get_or_insert_with(Default::default).entry(meta_keys::SERVER_INFO).or_insert(server_info);
    }
}

impl<H: ServerHandler> Service<RoleServer> for H {
    // A block rather than an `async fn`, which would hold the request and its context twice
    // in a future every request allocates.
    #[allow(clippy::manual_async_fn)]
    fn handle_request(
        &self,
        request: ClientRequest,
        mut ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ServerResult, McpError>> + Send + '_ {
        async move {
            let peer = ctx.peer.clone();
            // Boxed: computed only before the handshake, it would otherwise widen every request's
            // future by a whole `ServerInfo`.
            let computed: Box<ServerInfo>;
            let info = match peer.own_info() {
                Some(info) => info,
                None => {
                    computed = Box::new(effective_info(self));
                    &computed
                }
            };
            check_capability(&request, &info.capabilities)?;
            let stateless = ctx.is_stateless();
            let is_call = matches!(request, ClientRequest::CallTool(_));
            if stateless {
                // Only these requests may answer `input_required`; their params are read lazily.
                let asking = match request {
                    ClientRequest::CallTool(_) => Some(methods::TOOLS_CALL),
                    ClientRequest::GetPrompt(_) => Some(methods::PROMPTS_GET),
                    ClientRequest::ReadResource(_) => Some(methods::RESOURCES_READ),
                    _ => None,
                };
                let params = ctx.raw_params.take();
                if let Some(method) = asking {
                    ctx.input = Some(Box::new(InputRound::new(method, params, self.request_state_key())));
                }
                if let Some(answer) = tasks_extension(self, &request, &ctx).await {
                    let mut result = answer?;
                    finish_stateless(&mut result, info);
                    return Ok(result);
                }
            }
            // Only these requests may answer `input_required` (and only tool calls may become tasks).
            let may_ask = ctx.input.is_some();
            let outcome = match request {
                ClientRequest::Initialize(params) => {
                    ctx.protocol_version = ProtocolVersion::negotiate_stateful(&params.protocol_version);
                    let answer = route(self, ClientRequest::Initialize(params.clone()), ctx).await;
                    if let Ok(ServerResult::Initialize(result)) = &answer {
                        peer.set_peer_info(*params, result.protocol_version.clone());
                    }
                    answer
                }
                ClientRequest::Subscribe(p) => {
                    // Boxed: a rare request, whose check must not widen every request's future.
                    let checked: BoxFuture<'_, _> = Box::pin(self.check_subscription(&p.uri, &ctx));
                    match checked.await {
                        Ok(()) => route(self, ClientRequest::Subscribe(p), ctx).await,
                        Err(refused) => Err(McpError::Rpc(refused)),
                    }
                }
                ClientRequest::SetLevel(p) => {
                    let level = p.level;
                    let answer = route(self, ClientRequest::SetLevel(p), ctx).await;
                    if answer.is_ok() {
                        peer.set_log_level(level);
                    }
                    answer
                }
                request => route(self, request, ctx).await,
            };
            match outcome {
                Ok(mut result) => {
                    if stateless {
                        finish_stateless(&mut result, info);
                    }
                    Ok(result)
                }
                Err(McpError::InputRequired(mut r)) if may_ask => {
                    r.result_type = Some(ResultType::InputRequired);
                    Err(McpError::InputRequired(r))
                }
                Err(McpError::InputRequired(_)) => Err(McpError::Rpc(ErrorData::internal_error(
                    "the handler asked for more input, which only tools/call, prompts/get and resources/read \
                 of the 2026-07-28 protocol can do",
                ))),
                Err(McpError::TaskCreated(_)) if !(stateless && is_call) => {
                    Err(McpError::Rpc(ErrorData::internal_error(
                        "the handler created a task, which only tools/call of the 2026-07-28 protocol can do",
                    )))
                }
                Err(e) => Err(e),
            }
        }
    }

    async fn handle_notification(&self, notification: ClientNotification, ctx: NotificationContext<RoleServer>) {
        match notification {
            ClientNotification::Initialized(_) => self.on_initialized(ctx).await,
            ClientNotification::Cancelled(p) => self.on_cancelled(p, ctx).await,
            ClientNotification::Progress(p) => self.on_progress(p, ctx).await,
            ClientNotification::RootsListChanged(_) => self.on_roots_list_changed(ctx).await,
            ClientNotification::TaskStatus(p) => self.on_task_status(p, ctx).await,
        }
    }

    fn get_info(&self) -> ServerInfo {
        effective_info(self)
    }
}

/// The handler's info with the capabilities its routers provide filled in, so a server
/// advertises exactly what it serves whatever order its attributes came in.
pub(crate) fn effective_info<H: ServerHandler + ?Sized>(handler: &H) -> ServerInfo {
    let mut info = handler.get_info();
    let caps = &mut info.capabilities;
    if caps.tools.is_none() {
        caps.tools = handler.tool_capability();
    }
    if caps.prompts.is_none() {
        caps.prompts = handler.prompt_capability();
    }
    if caps.resources.is_none() {
        caps.resources = handler.resource_capability();
    }
    if handler.task_store().is_some() && !caps.has_extension(crate::model::tasks_ext::EXTENSION_ID) {
        caps.extensions
            .get_or_insert_with(Default::default)
            .insert(crate::model::tasks_ext::EXTENSION_ID.to_owned(), Default::default());
    }
    if handler.resource_subscriptions().is_some() {
        caps.resources.get_or_insert_with(Default::default).subscribe = Some(true);
    }
    if caps.completions.is_none() && (handler.prompt_capability().is_some() || handler.resource_capability().is_some())
    {
        caps.completions = Some(Default::default());
    }
    info
}
