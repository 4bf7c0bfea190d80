//! `ServerHandler` for `Arc<T>`: one handler shared by many connections or HTTP sessions (the
//! HTTP server's factory hands out clones), and inside middleware stacks.
//!
//! There is no impl for `Box<T>`: the trait's methods return `impl Future`, so it cannot be a
//! trait object, and a `Box<T>` of a known `T` serves nothing `T` does not.

use std::future::Future;
use std::sync::Arc;

use super::ResourceSubscriptions;
use super::server::ServerHandler;
use super::tasks::TaskStore;
use crate::model::{
    CallToolRequestParams, CallToolResult, CancelTaskRequestParams, CancelTaskResult, CancelledNotificationParams,
    CompleteRequestParams, CompleteResult, DiscoverResult, EmptyResult, ErrorData, GetPromptRequestParams,
    GetPromptResult, GetTaskPayloadRequestParams, GetTaskPayloadResult, GetTaskRequestParams, GetTaskResult,
    InitializeRequestParams, InitializeResult, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ListTasksResult, ListToolsResult, PaginatedRequestParams, ProgressNotificationParams, PromptsCapability,
    ReadResourceRequestParams, ReadResourceResult, ResourcesCapability, SetLevelRequestParams, SubscribeRequestParams,
    SubscriptionsListenRequestParams, SubscriptionsListenResult, TaskStatusNotificationParams, ToolsCapability,
    UnsubscribeRequestParams,
};
use crate::service::{McpError, NotificationContext, RequestContext, RequestStateKey, RoleServer, ServerInfo};

impl<T: ServerHandler> ServerHandler for Arc<T> {
    fn get_info(&self) -> ServerInfo {
        (**self).get_info()
    }

    fn request_state_key(&self) -> RequestStateKey {
        (**self).request_state_key()
    }

    fn task_store(&self) -> Option<&TaskStore> {
        (**self).task_store()
    }

    fn initialize(
        &self,
        params: InitializeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<InitializeResult, McpError>> + Send + '_ {
        (**self).initialize(params, ctx)
    }

    fn discover(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<DiscoverResult, McpError>> + Send + '_ {
        (**self).discover(ctx)
    }

    fn ping(&self, ctx: RequestContext<RoleServer>) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        (**self).ping(ctx)
    }

    fn list_tools(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListToolsResult, McpError>> + Send + '_ {
        (**self).list_tools(params, ctx)
    }

    fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CallToolResult, McpError>> + Send + '_ {
        (**self).call_tool(params, ctx)
    }

    fn list_resources(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourcesResult, McpError>> + Send + '_ {
        (**self).list_resources(params, ctx)
    }

    fn list_resource_templates(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListResourceTemplatesResult, McpError>> + Send + '_ {
        (**self).list_resource_templates(params, ctx)
    }

    fn read_resource(
        &self,
        params: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ReadResourceResult, McpError>> + Send + '_ {
        (**self).read_resource(params, ctx)
    }

    fn resource_subscriptions(&self) -> Option<&ResourceSubscriptions> {
        (**self).resource_subscriptions()
    }

    fn check_subscription<'a>(
        &'a self,
        uri: &'a str,
        ctx: &'a RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<(), ErrorData>> + Send + 'a {
        (**self).check_subscription(uri, ctx)
    }

    fn subscribe(
        &self,
        params: SubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        (**self).subscribe(params, ctx)
    }

    fn unsubscribe(
        &self,
        params: UnsubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        (**self).unsubscribe(params, ctx)
    }

    fn list_prompts(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListPromptsResult, McpError>> + Send + '_ {
        (**self).list_prompts(params, ctx)
    }

    fn get_prompt(
        &self,
        params: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetPromptResult, McpError>> + Send + '_ {
        (**self).get_prompt(params, ctx)
    }

    fn complete(
        &self,
        params: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CompleteResult, McpError>> + Send + '_ {
        (**self).complete(params, ctx)
    }

    fn complete_prompt<'a>(
        &'a self,
        prompt: &'a str,
        params: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CompleteResult, McpError>> + Send + 'a {
        (**self).complete_prompt(prompt, params, ctx)
    }

    fn complete_resource<'a>(
        &'a self,
        template: &'a str,
        params: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CompleteResult, McpError>> + Send + 'a {
        (**self).complete_resource(template, params, ctx)
    }

    fn tool_capability(&self) -> Option<ToolsCapability> {
        (**self).tool_capability()
    }

    fn prompt_capability(&self) -> Option<PromptsCapability> {
        (**self).prompt_capability()
    }

    fn resource_capability(&self) -> Option<ResourcesCapability> {
        (**self).resource_capability()
    }

    fn set_level(
        &self,
        params: SetLevelRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<EmptyResult, McpError>> + Send + '_ {
        (**self).set_level(params, ctx)
    }

    fn subscriptions_listen(
        &self,
        params: SubscriptionsListenRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<SubscriptionsListenResult, McpError>> + Send + '_ {
        (**self).subscriptions_listen(params, ctx)
    }

    fn get_task(
        &self,
        params: GetTaskRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetTaskResult, McpError>> + Send + '_ {
        (**self).get_task(params, ctx)
    }

    fn get_task_payload(
        &self,
        params: GetTaskPayloadRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<GetTaskPayloadResult, McpError>> + Send + '_ {
        (**self).get_task_payload(params, ctx)
    }

    fn list_tasks(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<ListTasksResult, McpError>> + Send + '_ {
        (**self).list_tasks(params, ctx)
    }

    fn cancel_task(
        &self,
        params: CancelTaskRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CancelTaskResult, McpError>> + Send + '_ {
        (**self).cancel_task(params, ctx)
    }

    fn on_initialized(&self, ctx: NotificationContext<RoleServer>) -> impl Future<Output = ()> + Send + '_ {
        (**self).on_initialized(ctx)
    }

    fn on_cancelled(
        &self,
        params: CancelledNotificationParams,
        ctx: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        (**self).on_cancelled(params, ctx)
    }

    fn on_progress(
        &self,
        params: ProgressNotificationParams,
        ctx: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        (**self).on_progress(params, ctx)
    }

    fn on_roots_list_changed(&self, ctx: NotificationContext<RoleServer>) -> impl Future<Output = ()> + Send + '_ {
        (**self).on_roots_list_changed(ctx)
    }

    fn on_task_status(
        &self,
        params: TaskStatusNotificationParams,
        ctx: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        (**self).on_task_status(params, ctx)
    }
}
