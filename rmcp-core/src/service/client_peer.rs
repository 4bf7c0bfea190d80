//! Typed requests and notifications a client sends to its server.

use std::future::Future;

use super::{Peer, RequestOptions, RoleClient, ServiceError};
use crate::model::{
    CallToolRequestParams, CallToolResult, CancelledNotificationParams, CompleteRequestParams, CompleteResult, Cursor,
    DiscoverResult, EmptyParams, EmptyResult, GetPromptRequestParams, GetPromptResult, InitializeResult,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ProgressNotificationParams, Prompt, ReadResourceRequestParams, ReadResourceResult, Resource, ResourceTemplate,
    SetLevelRequestParams, SubscribeRequestParams, Tool, UnsubscribeRequestParams, methods,
};

/// Fetch pages until the server gives no further cursor, so callers see one list.
async fn collect_pages<T, F, Fut>(mut fetch: F) -> Result<Vec<T>, ServiceError>
where
    F: FnMut(PaginatedRequestParams) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<Cursor>), ServiceError>>,
{
    let mut all = Vec::new();
    let mut params = PaginatedRequestParams::new();
    loop {
        let (items, next) = fetch(params).await?;
        all.extend(items);
        match next {
            Some(cursor) if !cursor.is_empty() => params = PaginatedRequestParams::new().with_cursor(cursor),
            _ => return Ok(all),
        }
    }
}

impl Peer<RoleClient> {
    /// What the server said about itself at the handshake (or `server/discover`).
    pub fn server_info(&self) -> Option<&InitializeResult> {
        self.peer_info()
    }

    /// `server/discover` (2026-07-28).
    pub async fn discover(&self) -> Result<DiscoverResult, ServiceError> {
        self.send_request(methods::SERVER_DISCOVER, &EmptyParams::default(), RequestOptions::new()).await
    }

    /// `ping` (2025 era).
    pub async fn ping(&self) -> Result<EmptyResult, ServiceError> {
        self.send_request(methods::PING, &EmptyParams::default(), RequestOptions::new()).await
    }

    /// One page of `tools/list`.
    pub async fn list_tools(&self, params: Option<PaginatedRequestParams>) -> Result<ListToolsResult, ServiceError> {
        self.send_request(methods::TOOLS_LIST, &params.unwrap_or_default(), RequestOptions::new()).await
    }

    /// Every tool, following the pagination cursor.
    pub async fn list_all_tools(&self) -> Result<Vec<Tool>, ServiceError> {
        collect_pages(|params| async move {
            let page = self.list_tools(Some(params)).await?;
            Ok((page.tools.into_vec(), page.next_cursor))
        })
        .await
    }

    /// `tools/call`. On 2026-07-28, `input_required` answers are handled here: this client's
    /// [`ClientHandler`](crate::handler::ClientHandler) answers the server's input requests and
    /// the call is retried with the answers, for at most
    /// [`ClientInfo::max_input_rounds`](crate::handler::ClientInfo::max_input_rounds) rounds.
    pub async fn call_tool(&self, params: CallToolRequestParams) -> Result<CallToolResult, ServiceError> {
        self.call_tool_with(params, RequestOptions::new()).await
    }

    /// `tools/call` with a timeout or progress.
    pub async fn call_tool_with(
        &self,
        params: CallToolRequestParams,
        options: RequestOptions,
    ) -> Result<CallToolResult, ServiceError> {
        self.request_with_input(methods::TOOLS_CALL, params, options).await
    }

    /// One page of `resources/list`.
    pub async fn list_resources(
        &self,
        params: Option<PaginatedRequestParams>,
    ) -> Result<ListResourcesResult, ServiceError> {
        self.send_request(methods::RESOURCES_LIST, &params.unwrap_or_default(), RequestOptions::new()).await
    }

    /// Every resource, following the pagination cursor.
    pub async fn list_all_resources(&self) -> Result<Vec<Resource>, ServiceError> {
        collect_pages(|params| async move {
            let page = self.list_resources(Some(params)).await?;
            Ok((page.resources, page.next_cursor))
        })
        .await
    }

    /// One page of `resources/templates/list`.
    pub async fn list_resource_templates(
        &self,
        params: Option<PaginatedRequestParams>,
    ) -> Result<ListResourceTemplatesResult, ServiceError> {
        self.send_request(methods::RESOURCES_TEMPLATES_LIST, &params.unwrap_or_default(), RequestOptions::new()).await
    }

    /// Every resource template, following the pagination cursor.
    pub async fn list_all_resource_templates(&self) -> Result<Vec<ResourceTemplate>, ServiceError> {
        collect_pages(|params| async move {
            let page = self.list_resource_templates(Some(params)).await?;
            Ok((page.resource_templates, page.next_cursor))
        })
        .await
    }

    /// `resources/read`, answering `input_required` rounds like [`call_tool`](Self::call_tool).
    pub async fn read_resource(&self, params: ReadResourceRequestParams) -> Result<ReadResourceResult, ServiceError> {
        self.request_with_input(methods::RESOURCES_READ, params, RequestOptions::new()).await
    }

    /// `resources/subscribe` (2025 era).
    pub async fn subscribe(&self, params: SubscribeRequestParams) -> Result<EmptyResult, ServiceError> {
        self.send_request(methods::RESOURCES_SUBSCRIBE, &params, RequestOptions::new()).await
    }

    /// `resources/unsubscribe` (2025 era).
    pub async fn unsubscribe(&self, params: UnsubscribeRequestParams) -> Result<EmptyResult, ServiceError> {
        self.send_request(methods::RESOURCES_UNSUBSCRIBE, &params, RequestOptions::new()).await
    }

    /// One page of `prompts/list`.
    pub async fn list_prompts(
        &self,
        params: Option<PaginatedRequestParams>,
    ) -> Result<ListPromptsResult, ServiceError> {
        self.send_request(methods::PROMPTS_LIST, &params.unwrap_or_default(), RequestOptions::new()).await
    }

    /// Every prompt, following the pagination cursor.
    pub async fn list_all_prompts(&self) -> Result<Vec<Prompt>, ServiceError> {
        collect_pages(|params| async move {
            let page = self.list_prompts(Some(params)).await?;
            Ok((page.prompts, page.next_cursor))
        })
        .await
    }

    /// `prompts/get`, answering `input_required` rounds like [`call_tool`](Self::call_tool).
    pub async fn get_prompt(&self, params: GetPromptRequestParams) -> Result<GetPromptResult, ServiceError> {
        self.request_with_input(methods::PROMPTS_GET, params, RequestOptions::new()).await
    }

    /// `completion/complete`.
    pub async fn complete(&self, params: CompleteRequestParams) -> Result<CompleteResult, ServiceError> {
        self.send_request(methods::COMPLETION_COMPLETE, &params, RequestOptions::new()).await
    }

    /// `logging/setLevel` (2025 era).
    pub async fn set_level(&self, params: SetLevelRequestParams) -> Result<EmptyResult, ServiceError> {
        self.send_request(methods::LOGGING_SET_LEVEL, &params, RequestOptions::new()).await
    }

    /// `notifications/cancelled`, for a request cancelled by other means than dropping it.
    pub async fn notify_cancelled(&self, params: CancelledNotificationParams) -> Result<(), ServiceError> {
        self.send_notification(methods::NOTIFICATION_CANCELLED, &params).await
    }

    /// `notifications/progress` for a request the server sent.
    pub async fn notify_progress(&self, params: ProgressNotificationParams) -> Result<(), ServiceError> {
        self.send_notification(methods::NOTIFICATION_PROGRESS, &params).await
    }

    /// `notifications/roots/list_changed`.
    pub async fn notify_roots_list_changed(&self) -> Result<(), ServiceError> {
        self.send_notification(methods::NOTIFICATION_ROOTS_LIST_CHANGED, &EmptyParams::default()).await
    }
}
