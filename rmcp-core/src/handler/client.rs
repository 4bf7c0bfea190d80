//! The client side: `ClientHandler` and its dispatch.

use std::future::Future;

use crate::model::{
    CancelTaskRequestParams, CancelTaskResult, CancelledNotificationParams, ClientResult, CreateMessageRequestParams,
    CreateMessageResult, ElicitRequestParams, ElicitResult, ElicitationCompleteNotificationParams, EmptyResult,
    GetTaskPayloadRequestParams, GetTaskPayloadResult, GetTaskRequestParams, GetTaskResult, ListRootsResult,
    ListTasksResult, LoggingMessageNotificationParams, PaginatedRequestParams, ProgressNotificationParams,
    ResourceUpdatedNotificationParams, ServerNotification, ServerRequest, SubscriptionsAcknowledgedNotificationParams,
    TaskStatusNotificationParams, methods,
};
use crate::service::{ClientInfo, McpError, NotificationContext, RequestContext, RoleClient, Service};

/// Implement this to make a client that answers its servers (sampling, elicitation, roots) and
/// hears their notifications. `()` is a client that does none of that.
///
/// Every method has a default; implement the ones whose capability [`get_info`](Self::get_info)
/// declares. A client that lists its roots:
///
/// ```no_run
/// use rmcp_core::handler::{ClientHandler, ClientInfo};
/// use rmcp_core::model::{ClientCapabilities, Implementation, ListRootsResult, Root};
/// use rmcp_core::service::{McpError, RequestContext, ServiceExt};
/// use rmcp_core::transport::ChildProcess;
/// use rmcp_core::RoleClient;
///
/// struct Editor;
///
/// impl ClientHandler for Editor {
///     fn get_info(&self) -> ClientInfo {
///         let capabilities = ClientCapabilities::builder().enable_roots().build();
///         ClientInfo::new(Implementation::new("editor", "1.0.0"), capabilities)
///     }
///
///     async fn list_roots(&self, _ctx: RequestContext<RoleClient>) -> Result<ListRootsResult, McpError> {
///         Ok(ListRootsResult::new(vec![Root::new("file:///home/me/project").with_name("project")]))
///     }
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Editor.serve(ChildProcess::new(tokio::process::Command::new("my-server"))?).await?;
/// # Ok(())
/// # }
/// ```
#[allow(unused_variables)]
pub trait ClientHandler: Send + Sync + 'static {
    /// The client's identity and capabilities.
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default()
    }

    /// `ping`.
    fn ping(&self, ctx: RequestContext<RoleClient>) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        std::future::ready(Ok(EmptyResult::default()))
    }

    /// `sampling/createMessage`: ask the client's model.
    fn create_message(
        &self,
        params: CreateMessageRequestParams,
        ctx: RequestContext<RoleClient>,
    ) -> impl Future<Output = Result<CreateMessageResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::method_not_found(methods::SAMPLING_CREATE_MESSAGE)))
    }

    /// `roots/list`.
    fn list_roots(
        &self,
        ctx: RequestContext<RoleClient>,
    ) -> impl Future<Output = Result<ListRootsResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::method_not_found(methods::ROOTS_LIST)))
    }

    /// `elicitation/create`: ask the user.
    fn create_elicitation(
        &self,
        params: ElicitRequestParams,
        ctx: RequestContext<RoleClient>,
    ) -> impl Future<Output = Result<ElicitResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::method_not_found(methods::ELICITATION_CREATE)))
    }

    /// `tasks/get`.
    fn get_task(
        &self,
        params: GetTaskRequestParams,
        ctx: RequestContext<RoleClient>,
    ) -> impl Future<Output = Result<GetTaskResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::method_not_found(methods::TASKS_GET)))
    }

    /// `tasks/result`.
    fn get_task_payload(
        &self,
        params: GetTaskPayloadRequestParams,
        ctx: RequestContext<RoleClient>,
    ) -> impl Future<Output = Result<GetTaskPayloadResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::method_not_found(methods::TASKS_RESULT)))
    }

    /// `tasks/list`.
    fn list_tasks(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleClient>,
    ) -> impl Future<Output = Result<ListTasksResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::method_not_found(methods::TASKS_LIST)))
    }

    /// `tasks/cancel`.
    fn cancel_task(
        &self,
        params: CancelTaskRequestParams,
        ctx: RequestContext<RoleClient>,
    ) -> impl Future<Output = Result<CancelTaskResult, McpError>> + Send + '_ {
        std::future::ready(Err(McpError::method_not_found(methods::TASKS_CANCEL)))
    }

    /// `notifications/cancelled`.
    fn on_cancelled(
        &self,
        params: CancelledNotificationParams,
        ctx: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/progress` not claimed by a request's own progress callback.
    fn on_progress(
        &self,
        params: ProgressNotificationParams,
        ctx: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/message`: a log message from the server.
    fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParams,
        ctx: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/resources/updated`.
    fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParams,
        ctx: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/resources/list_changed`.
    fn on_resource_list_changed(&self, ctx: NotificationContext<RoleClient>) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/tools/list_changed`.
    fn on_tool_list_changed(&self, ctx: NotificationContext<RoleClient>) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/prompts/list_changed`.
    fn on_prompt_list_changed(&self, ctx: NotificationContext<RoleClient>) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/elicitation/complete`.
    fn on_elicitation_complete(
        &self,
        params: ElicitationCompleteNotificationParams,
        ctx: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/tasks/status`.
    fn on_task_status(
        &self,
        params: TaskStatusNotificationParams,
        ctx: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }

    /// `notifications/subscriptions/acknowledged` (2026-07-28).
    fn on_subscriptions_acknowledged(
        &self,
        params: SubscriptionsAcknowledgedNotificationParams,
        ctx: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        std::future::ready(())
    }
}

impl ClientHandler for () {}

impl<H: ClientHandler> Service<RoleClient> for H {
    async fn handle_request(
        &self,
        request: ServerRequest,
        ctx: RequestContext<RoleClient>,
    ) -> Result<ClientResult, McpError> {
        match request {
            ServerRequest::Ping(_) => self.ping(ctx).await.map(ClientResult::Empty),
            ServerRequest::CreateMessage(p) => self.create_message(p, ctx).await.map(ClientResult::CreateMessage),
            ServerRequest::ListRoots(_) => self.list_roots(ctx).await.map(ClientResult::ListRoots),
            ServerRequest::Elicit(p) => self.create_elicitation(p, ctx).await.map(ClientResult::Elicit),
            ServerRequest::GetTask(p) => self.get_task(p, ctx).await.map(ClientResult::GetTask),
            ServerRequest::GetTaskPayload(p) => self.get_task_payload(p, ctx).await.map(ClientResult::GetTaskPayload),
            ServerRequest::ListTasks(p) => self.list_tasks(p, ctx).await.map(ClientResult::ListTasks),
            ServerRequest::CancelTask(p) => self.cancel_task(p, ctx).await.map(ClientResult::CancelTask),
        }
    }

    async fn handle_notification(&self, notification: ServerNotification, ctx: NotificationContext<RoleClient>) {
        match notification {
            ServerNotification::Cancelled(p) => self.on_cancelled(p, ctx).await,
            ServerNotification::Progress(p) => self.on_progress(p, ctx).await,
            ServerNotification::LoggingMessage(p) => self.on_logging_message(p, ctx).await,
            ServerNotification::ResourceUpdated(p) => self.on_resource_updated(p, ctx).await,
            ServerNotification::ResourceListChanged(_) => self.on_resource_list_changed(ctx).await,
            ServerNotification::ToolListChanged(_) => self.on_tool_list_changed(ctx).await,
            ServerNotification::PromptListChanged(_) => self.on_prompt_list_changed(ctx).await,
            ServerNotification::ElicitationComplete(p) => self.on_elicitation_complete(p, ctx).await,
            ServerNotification::TaskStatus(p) => self.on_task_status(p, ctx).await,
            ServerNotification::SubscriptionsAcknowledged(p) => self.on_subscriptions_acknowledged(p, ctx).await,
        }
    }

    fn get_info(&self) -> ClientInfo {
        ClientHandler::get_info(self)
    }
}
