//! Every method a client calls on its server: typed requests and notifications, the tasks
//! extension, and pipelined tool calls. The machinery behind `input_required` retries and task
//! polling lives in `input_retry.rs` and `tasks_client.rs`.

use std::future::Future;
use std::hash::BuildHasher;
use std::sync::Arc;

use futures_util::StreamExt;

use serde::Serialize;
use serde_json::value::RawValue;
use tokio::sync::oneshot;

use super::client_state::ClientState;
use super::list_cache::{CacheableList, ListCacheStats, ListCaching, SharedListCache};
use super::peer::{Cancel, Command};
use super::{Peer, RequestOptions, RoleClient, ServiceError, input_retry, tasks_client};
use crate::model::tasks_ext::{self, GetTaskResult};
use crate::model::{
    CallToolRequestParams, CallToolResult, CancelTaskRequestParams, CancelledNotificationParams, CompleteRequestParams,
    CompleteResult, Cursor, DiscoverResult, EmptyParams, EmptyResult, GetPromptRequestParams, GetPromptResult,
    GetTaskRequestParams, InitializeResult, JsonObject, JsonRpcRequest, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ProgressNotificationParams, Prompt,
    ReadResourceRequestParams, ReadResourceResult, RequestId, Resource, ResourceTemplate, SetLevelRequestParams,
    SubscribeRequestParams, Tool, UnsubscribeRequestParams, methods,
};

/// Fetch pages until the server gives no further cursor, so callers see one list.
///
/// The cursors are the server's to choose, so the walk is bounded: a cursor seen before (a
/// loop) fails with [`ServiceError::RepeatedCursor`], and more than `max_pages` pages or
/// `max_items` items (a server inventing cursors forever) with [`ServiceError::ListTooLong`].
/// Cursors are remembered by a keyed hash: a server cannot make them cost memory by making
/// them long, nor choose two that collide.
async fn collect_pages<T, F, Fut>(
    method: &'static str,
    (max_pages, max_items): (usize, usize),
    mut fetch: F,
) -> Result<Vec<T>, ServiceError>
where
    F: FnMut(PaginatedRequestParams) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<Cursor>), ServiceError>>,
{
    let hasher = foldhash::fast::RandomState::default();
    let mut seen = foldhash::HashSet::default();
    let mut all = Vec::new();
    let mut params = PaginatedRequestParams::new();
    let mut pages = 0;
    loop {
        let (items, next) = fetch(params).await?;
        pages += 1;
        all.extend(items);
        let cursor = match next {
            Some(cursor) if !cursor.is_empty() => cursor,
            _ => return Ok(all),
        };
        if !seen.insert(hasher.hash_one(cursor.as_str())) {
            return Err(ServiceError::RepeatedCursor { method, pages });
        }
        if pages >= max_pages || all.len() >= max_items {
            return Err(ServiceError::ListTooLong { method, pages, items: all.len() });
        }
        params = PaginatedRequestParams::new().with_cursor(cursor);
    }
}

impl Peer<RoleClient> {
    /// The bounds of a `list_all_*` walk: [`ClientInfo::max_list_pages`] and
    /// [`ClientInfo::max_list_items`](crate::handler::ClientInfo::max_list_items).
    ///
    /// [`ClientInfo::max_list_pages`]: crate::handler::ClientInfo::max_list_pages
    fn list_limits(&self) -> (usize, usize) {
        self.own_info().map_or((super::info::DEFAULT_MAX_LIST_PAGES, super::info::DEFAULT_MAX_LIST_ITEMS), |i| {
            (i.max_list_pages, i.max_list_items)
        })
    }

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

    /// One page of `tools/list`, from the list cache while fresh (see [`ListCaching`]).
    pub async fn list_tools(&self, params: Option<PaginatedRequestParams>) -> Result<ListToolsResult, ServiceError> {
        self.cached_list(methods::TOOLS_LIST, params).await
    }

    /// Every tool, following the pagination cursor (within bounds: see
    /// [`ClientInfo::max_list_pages`](crate::handler::ClientInfo::max_list_pages)).
    pub async fn list_all_tools(&self) -> Result<Vec<Tool>, ServiceError> {
        collect_pages(methods::TOOLS_LIST, self.list_limits(), |params| async move {
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
        input_retry::request_with_input(self, methods::TOOLS_CALL, params, options).await
    }

    /// One page of `resources/list`, from the list cache while fresh (see [`ListCaching`]).
    pub async fn list_resources(
        &self,
        params: Option<PaginatedRequestParams>,
    ) -> Result<ListResourcesResult, ServiceError> {
        self.cached_list(methods::RESOURCES_LIST, params).await
    }

    /// Every resource, following the pagination cursor.
    pub async fn list_all_resources(&self) -> Result<Vec<Resource>, ServiceError> {
        collect_pages(methods::RESOURCES_LIST, self.list_limits(), |params| async move {
            let page = self.list_resources(Some(params)).await?;
            Ok((page.resources, page.next_cursor))
        })
        .await
    }

    /// One page of `resources/templates/list`, from the list cache while fresh (see
    /// [`ListCaching`]).
    pub async fn list_resource_templates(
        &self,
        params: Option<PaginatedRequestParams>,
    ) -> Result<ListResourceTemplatesResult, ServiceError> {
        self.cached_list(methods::RESOURCES_TEMPLATES_LIST, params).await
    }

    /// Every resource template, following the pagination cursor.
    pub async fn list_all_resource_templates(&self) -> Result<Vec<ResourceTemplate>, ServiceError> {
        collect_pages(methods::RESOURCES_TEMPLATES_LIST, self.list_limits(), |params| async move {
            let page = self.list_resource_templates(Some(params)).await?;
            Ok((page.resource_templates, page.next_cursor))
        })
        .await
    }

    /// `resources/read`, answering `input_required` rounds like [`call_tool`](Self::call_tool).
    pub async fn read_resource(&self, params: ReadResourceRequestParams) -> Result<ReadResourceResult, ServiceError> {
        input_retry::request_with_input(self, methods::RESOURCES_READ, params, RequestOptions::new()).await
    }

    /// `resources/subscribe` (2025 era).
    pub async fn subscribe(&self, params: SubscribeRequestParams) -> Result<EmptyResult, ServiceError> {
        self.send_request(methods::RESOURCES_SUBSCRIBE, &params, RequestOptions::new()).await
    }

    /// `resources/unsubscribe` (2025 era).
    pub async fn unsubscribe(&self, params: UnsubscribeRequestParams) -> Result<EmptyResult, ServiceError> {
        self.send_request(methods::RESOURCES_UNSUBSCRIBE, &params, RequestOptions::new()).await
    }

    /// One page of `prompts/list`, from the list cache while fresh (see [`ListCaching`]).
    pub async fn list_prompts(
        &self,
        params: Option<PaginatedRequestParams>,
    ) -> Result<ListPromptsResult, ServiceError> {
        self.cached_list(methods::PROMPTS_LIST, params).await
    }

    /// Every prompt, following the pagination cursor.
    pub async fn list_all_prompts(&self) -> Result<Vec<Prompt>, ServiceError> {
        collect_pages(methods::PROMPTS_LIST, self.list_limits(), |params| async move {
            let page = self.list_prompts(Some(params)).await?;
            Ok((page.prompts, page.next_cursor))
        })
        .await
    }

    /// `prompts/get`, answering `input_required` rounds like [`call_tool`](Self::call_tool).
    pub async fn get_prompt(&self, params: GetPromptRequestParams) -> Result<GetPromptResult, ServiceError> {
        input_retry::request_with_input(self, methods::PROMPTS_GET, params, RequestOptions::new()).await
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

/// The tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28): a client that declares it
/// may get a task handle instead of a tool result. [`call_tool`](Peer::call_tool) waits for the
/// task itself; these methods are for callers that want to drive it.
impl Peer<RoleClient> {
    /// `tasks/get`: the task's state, with its result, error or input requests inlined.
    pub async fn get_task(&self, task_id: &str) -> Result<GetTaskResult, ServiceError> {
        self.send_request(tasks_ext::methods::GET, &GetTaskRequestParams::new(task_id), RequestOptions::new()).await
    }

    /// `tasks/update`: answers to the task's input requests (all or some of them).
    pub async fn update_task(&self, task_id: &str, input_responses: JsonObject) -> Result<(), ServiceError> {
        let mut params = tasks_ext::UpdateTaskRequestParams::new(task_id, Default::default());
        params.input_responses = input_responses;
        self.send_request::<EmptyResult>(tasks_ext::methods::UPDATE, &params, RequestOptions::new()).await?;
        Ok(())
    }

    /// `tasks/cancel`: ask the server to stop the task (its status then reads `cancelled`).
    pub async fn cancel_task(&self, task_id: &str) -> Result<(), ServiceError> {
        let params = CancelTaskRequestParams::new(task_id);
        self.send_request::<EmptyResult>(tasks_ext::methods::CANCEL, &params, RequestOptions::new()).await?;
        Ok(())
    }

    /// Poll the task until it ends, answering its input requests with this client's handler on
    /// the way, and return its result (as sent: for a tool call, a `CallToolResult` object).
    ///
    /// A `failed` task is [`ServiceError::ErrorResponse`] with the task's error; a `cancelled`
    /// one is [`ServiceError::Cancelled`]. Dropping the future stops polling but not the task:
    /// call [`cancel_task`](Self::cancel_task) for that.
    pub async fn wait_for_task(&self, task_id: &str) -> Result<JsonObject, ServiceError> {
        tasks_client::wait_for_task(self, task_id).await
    }
}

/// Pipelined calls: many requests in flight on one connection, results in call order.
impl Peer<RoleClient> {
    /// Call every tool in `calls` with at most `concurrency` requests in flight on this one
    /// connection, and return the results in the order of `calls`.
    ///
    /// The engine matches answers to requests by id, so the server may answer in any order;
    /// each call fails or succeeds on its own. A `concurrency` of 0 is taken as 1.
    ///
    /// ```no_run
    /// # async fn run(client: rmcp_core::Peer<rmcp_core::RoleClient>) {
    /// use rmcp_core::model::CallToolRequestParams;
    ///
    /// let calls = (0..1000).map(|i| CallToolRequestParams::new("add").with_arguments(
    ///     serde_json::json!({"a": i, "b": 1}).as_object().unwrap().clone(),
    /// ));
    /// let results = client.call_tools(calls, 64).await;
    /// assert_eq!(results.len(), 1000);
    /// # }
    /// ```
    pub async fn call_tools(
        &self,
        calls: impl IntoIterator<Item = CallToolRequestParams>,
        concurrency: usize,
    ) -> Vec<Result<CallToolResult, ServiceError>> {
        self.call_tools_with(calls, concurrency, RequestOptions::new()).await
    }

    /// [`call_tools`](Self::call_tools) with the same options (a timeout, say) for every call.
    pub async fn call_tools_with(
        &self,
        calls: impl IntoIterator<Item = CallToolRequestParams>,
        concurrency: usize,
        options: RequestOptions,
    ) -> Vec<Result<CallToolResult, ServiceError>> {
        futures_util::stream::iter(calls)
            .map(|call| self.call_tool_with(call, options.clone()))
            .buffered(concurrency.max(1))
            .collect()
            .await
    }
}

/// The list cache: results of `tools/list`, `prompts/list`, `resources/list` and
/// `resources/templates/list` kept as long as the server's hints allow (see [`ListCaching`]) and
/// dropped by the matching `notifications/*/list_changed`, whether it comes on the connection or
/// on a [listen stream](crate::client::ListenStream).
impl Peer<RoleClient> {
    /// The connection's cache and listen streams, made on first use.
    pub(crate) fn client_state(&self) -> &Arc<ClientState> {
        self.shared.client_state.get_or_init(Default::default)
    }

    /// Choose when list results are served from the cache (the default:
    /// [`ListCaching::Hints`]). Turning it [`Off`](ListCaching::Off) empties it.
    pub fn set_list_caching(&self, caching: ListCaching) {
        self.client_state().list_cache.set_mode(caching);
    }

    /// Share this connection's `public` list results with the other connections given the same
    /// [`SharedListCache`], and be served theirs.
    pub fn share_list_cache(&self, shared: &SharedListCache) {
        self.client_state().list_cache.share(shared);
    }

    /// Drop every cached list result of this connection (and the shared ones it would see).
    pub fn clear_list_cache(&self) {
        self.client_state().list_cache.invalidate(&super::list_cache::ListKind::ALL);
    }

    /// How many list calls the cache answered, and how many reached the server.
    pub fn list_cache_stats(&self) -> ListCacheStats {
        self.client_state().list_cache.stats()
    }

    /// One page of a list, from the cache when fresh, else from the server (and kept).
    async fn cached_list<T: CacheableList + serde::de::DeserializeOwned>(
        &self,
        method: &'static str,
        params: Option<PaginatedRequestParams>,
    ) -> Result<T, ServiceError> {
        let params = params.unwrap_or_default();
        let cursor = params.cursor.as_deref().unwrap_or_default();
        let cache = &self.client_state().list_cache;
        let miss = match cache.lookup::<T>(cursor) {
            Ok(hit) => return Ok(hit),
            Err(miss) => miss,
        };
        let result: T = self.send_request(method, &params, RequestOptions::new()).await?;
        cache.store(cursor, miss, &result);
        Ok(result)
    }
}

/// A request whose id the caller knows before it is sent: a `subscriptions/listen` request's id
/// names its subscription, which tags the notifications that belong to it.
impl Peer<RoleClient> {
    /// A fresh request id, for [`send_request_with_id`](Self::send_request_with_id).
    pub(crate) fn next_request_id(&self) -> RequestId {
        self.shared.ids.next_request_id()
    }

    /// Send `method` as request `id` with the connection's per-request `_meta` (2026-07-28)
    /// merged into `params`, without a timeout. Dropping the answer cancels the request (on
    /// HTTP, 2026-07-28: its stream is closed).
    pub(crate) async fn send_request_with_id(
        &self,
        id: RequestId,
        method: &'static str,
        params: &impl Serialize,
    ) -> Result<PendingAnswer, ServiceError> {
        let encode = |e: serde_json::Error| ServiceError::TransportSend(std::io::Error::other(e));
        let mut value = serde_json::to_value(params).map_err(encode)?;
        if let (Some(extra), Some(object)) = (self.shared.request_meta.get(), value.as_object_mut()) {
            let meta = object.entry("_meta").or_insert_with(|| serde_json::Value::Object(Default::default()));
            if let Some(meta) = meta.as_object_mut() {
                for (k, v) in extra {
                    meta.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        let params = serde_json::value::to_raw_value(&value).map_err(encode)?;
        let (responder, answer) = oneshot::channel();
        let request = JsonRpcRequest { id: id.clone(), method: method.into(), params: Some(params) };
        let command = Command::Request { request, related: None, responder, progress: None };
        self.shared.commands.send(Box::new(command)).await.map_err(|_| ServiceError::TransportClosed)?;
        Ok(PendingAnswer { id: Some(id), answer, commands: self.shared.commands.clone() })
    }
}

/// The answer to a request sent by [`Peer::send_request_with_id`]; dropping it cancels the request.
pub(crate) struct PendingAnswer {
    id: Option<RequestId>,
    answer: oneshot::Receiver<Result<Box<RawValue>, ServiceError>>,
    commands: tokio::sync::mpsc::Sender<Box<Command>>,
}

impl PendingAnswer {
    /// Wait for the answer.
    pub(crate) async fn wait(mut self) -> Result<Box<RawValue>, ServiceError> {
        let result = (&mut self.answer).await.unwrap_or(Err(ServiceError::TransportClosed));
        self.id = None;
        result
    }
}

impl Drop for PendingAnswer {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        let reason = Some("the caller gave up on the request".to_owned());
        let command = Box::new(Command::Cancel(Cancel { id, reason }));
        // As `Peer::send_request` does: behind the request in the queue, by a task if it is full.
        if let Err(tokio::sync::mpsc::error::TrySendError::Full(command)) = self.commands.try_send(command)
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let commands = self.commands.clone();
            runtime.spawn(async move {
                let _ = commands.send(command).await;
            });
        }
    }
}
