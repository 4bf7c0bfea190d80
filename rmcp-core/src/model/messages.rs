//! Method names, and the request/notification enums for each direction.
//!
//! An incoming request is parsed once: the envelope names the method, and [`InboundMessage::parse`]
//! deserializes the raw params straight into the method's params type.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::*;

/// The method names of both revisions.
pub mod methods {
    #![allow(missing_docs)]
    pub const INITIALIZE: &str = "initialize";
    pub const PING: &str = "ping";
    pub const SERVER_DISCOVER: &str = "server/discover";
    pub const TOOLS_LIST: &str = "tools/list";
    pub const TOOLS_CALL: &str = "tools/call";
    pub const RESOURCES_LIST: &str = "resources/list";
    pub const RESOURCES_TEMPLATES_LIST: &str = "resources/templates/list";
    pub const RESOURCES_READ: &str = "resources/read";
    pub const RESOURCES_SUBSCRIBE: &str = "resources/subscribe";
    pub const RESOURCES_UNSUBSCRIBE: &str = "resources/unsubscribe";
    pub const PROMPTS_LIST: &str = "prompts/list";
    pub const PROMPTS_GET: &str = "prompts/get";
    pub const COMPLETION_COMPLETE: &str = "completion/complete";
    pub const LOGGING_SET_LEVEL: &str = "logging/setLevel";
    pub const SUBSCRIPTIONS_LISTEN: &str = "subscriptions/listen";
    pub const SAMPLING_CREATE_MESSAGE: &str = "sampling/createMessage";
    pub const ROOTS_LIST: &str = "roots/list";
    pub const ELICITATION_CREATE: &str = "elicitation/create";
    pub const TASKS_GET: &str = "tasks/get";
    pub const TASKS_RESULT: &str = "tasks/result";
    pub const TASKS_LIST: &str = "tasks/list";
    pub const TASKS_CANCEL: &str = "tasks/cancel";

    pub const NOTIFICATION_INITIALIZED: &str = "notifications/initialized";
    pub const NOTIFICATION_CANCELLED: &str = "notifications/cancelled";
    pub const NOTIFICATION_PROGRESS: &str = "notifications/progress";
    pub const NOTIFICATION_MESSAGE: &str = "notifications/message";
    pub const NOTIFICATION_ROOTS_LIST_CHANGED: &str = "notifications/roots/list_changed";
    pub const NOTIFICATION_RESOURCES_UPDATED: &str = "notifications/resources/updated";
    pub const NOTIFICATION_RESOURCES_LIST_CHANGED: &str = "notifications/resources/list_changed";
    pub const NOTIFICATION_TOOLS_LIST_CHANGED: &str = "notifications/tools/list_changed";
    pub const NOTIFICATION_PROMPTS_LIST_CHANGED: &str = "notifications/prompts/list_changed";
    pub const NOTIFICATION_ELICITATION_COMPLETE: &str = "notifications/elicitation/complete";
    pub const NOTIFICATION_TASKS_STATUS: &str = "notifications/tasks/status";
    pub const NOTIFICATION_SUBSCRIPTIONS_ACKNOWLEDGED: &str = "notifications/subscriptions/acknowledged";
}

/// A message type that is parsed from a method name and raw params.
pub trait InboundMessage: Sized + Send + std::fmt::Debug + 'static {
    /// Parse; an unknown method is -32601, params that do not fit are -32602 naming the field.
    fn parse(method: &str, params: Option<&RawValue>) -> Result<Self, ErrorData>;
}

/// Deserialize params (absent params read as `{}`), with an error that names the offending field.
pub fn parse_params<T: DeserializeOwned>(method: &str, params: Option<&RawValue>) -> Result<T, ErrorData> {
    let text = params.map_or("{}", |p| p.get());
    serde_json::from_str(text).map_err(|e| invalid_params(method, text, &e))
}

/// Not generic, so that it is compiled once rather than once per params type.
fn invalid_params(method: &str, text: &str, error: &serde_json::Error) -> ErrorData {
    let message = match super::json_path::error_path(text, error) {
        Some(path) => format!("Invalid params for `{method}` at `{path}`: {error}"),
        None => format!("Invalid params for `{method}`: {error}"),
    };
    ErrorData::invalid_params(message)
}

/// A request a client sends to a server.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum ClientRequest {
    Initialize(Box<InitializeRequestParams>),
    Ping(EmptyParams),
    Discover(EmptyParams),
    ListTools(PaginatedRequestParams),
    CallTool(CallToolRequestParams),
    ListResources(PaginatedRequestParams),
    ListResourceTemplates(PaginatedRequestParams),
    ReadResource(ReadResourceRequestParams),
    Subscribe(SubscribeRequestParams),
    Unsubscribe(UnsubscribeRequestParams),
    ListPrompts(PaginatedRequestParams),
    GetPrompt(GetPromptRequestParams),
    Complete(CompleteRequestParams),
    SetLevel(SetLevelRequestParams),
    SubscriptionsListen(SubscriptionsListenRequestParams),
    GetTask(GetTaskRequestParams),
    GetTaskPayload(GetTaskPayloadRequestParams),
    ListTasks(PaginatedRequestParams),
    CancelTask(CancelTaskRequestParams),
    /// `tasks/update` of the tasks extension (2026-07-28).
    UpdateTask(crate::model::tasks_ext::UpdateTaskRequestParams),
}

#[cfg(feature = "server")]
impl InboundMessage for ClientRequest {
    fn parse(method: &str, p: Option<&RawValue>) -> Result<Self, ErrorData> {
        use methods::*;
        Ok(match method {
            INITIALIZE => Self::Initialize(parse_params(method, p)?),
            PING => Self::Ping(parse_params(method, p)?),
            SERVER_DISCOVER => Self::Discover(parse_params(method, p)?),
            TOOLS_LIST => Self::ListTools(parse_params(method, p)?),
            TOOLS_CALL => Self::CallTool(parse_params(method, p)?),
            RESOURCES_LIST => Self::ListResources(parse_params(method, p)?),
            RESOURCES_TEMPLATES_LIST => Self::ListResourceTemplates(parse_params(method, p)?),
            RESOURCES_READ => Self::ReadResource(parse_params(method, p)?),
            RESOURCES_SUBSCRIBE => Self::Subscribe(parse_params(method, p)?),
            RESOURCES_UNSUBSCRIBE => Self::Unsubscribe(parse_params(method, p)?),
            PROMPTS_LIST => Self::ListPrompts(parse_params(method, p)?),
            PROMPTS_GET => Self::GetPrompt(parse_params(method, p)?),
            COMPLETION_COMPLETE => Self::Complete(parse_params(method, p)?),
            LOGGING_SET_LEVEL => Self::SetLevel(parse_params(method, p)?),
            SUBSCRIPTIONS_LISTEN => Self::SubscriptionsListen(parse_params(method, p)?),
            TASKS_GET => Self::GetTask(parse_params(method, p)?),
            TASKS_RESULT => Self::GetTaskPayload(parse_params(method, p)?),
            TASKS_LIST => Self::ListTasks(parse_params(method, p)?),
            TASKS_CANCEL => Self::CancelTask(parse_params(method, p)?),
            crate::model::tasks_ext::methods::UPDATE => Self::UpdateTask(parse_params(method, p)?),
            other => return Err(ErrorData::method_not_found(other)),
        })
    }
}

/// A request a server sends to a client.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum ServerRequest {
    Ping(EmptyParams),
    CreateMessage(CreateMessageRequestParams),
    ListRoots(EmptyParams),
    Elicit(ElicitRequestParams),
    GetTask(GetTaskRequestParams),
    GetTaskPayload(GetTaskPayloadRequestParams),
    ListTasks(PaginatedRequestParams),
    CancelTask(CancelTaskRequestParams),
}

#[cfg(feature = "client")]
impl InboundMessage for ServerRequest {
    fn parse(method: &str, p: Option<&RawValue>) -> Result<Self, ErrorData> {
        use methods::*;
        Ok(match method {
            PING => Self::Ping(parse_params(method, p)?),
            SAMPLING_CREATE_MESSAGE => Self::CreateMessage(parse_params(method, p)?),
            ROOTS_LIST => Self::ListRoots(parse_params(method, p)?),
            ELICITATION_CREATE => Self::Elicit(parse_params(method, p)?),
            TASKS_GET => Self::GetTask(parse_params(method, p)?),
            TASKS_RESULT => Self::GetTaskPayload(parse_params(method, p)?),
            TASKS_LIST => Self::ListTasks(parse_params(method, p)?),
            TASKS_CANCEL => Self::CancelTask(parse_params(method, p)?),
            other => return Err(ErrorData::method_not_found(other)),
        })
    }
}

/// A notification a client sends to a server.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum ClientNotification {
    Initialized(EmptyParams),
    Cancelled(CancelledNotificationParams),
    Progress(ProgressNotificationParams),
    RootsListChanged(EmptyParams),
    TaskStatus(TaskStatusNotificationParams),
}

#[cfg(feature = "server")]
impl InboundMessage for ClientNotification {
    fn parse(method: &str, p: Option<&RawValue>) -> Result<Self, ErrorData> {
        use methods::*;
        Ok(match method {
            NOTIFICATION_INITIALIZED => Self::Initialized(parse_params(method, p)?),
            NOTIFICATION_CANCELLED => Self::Cancelled(parse_params(method, p)?),
            NOTIFICATION_PROGRESS => Self::Progress(parse_params(method, p)?),
            NOTIFICATION_ROOTS_LIST_CHANGED => Self::RootsListChanged(parse_params(method, p)?),
            NOTIFICATION_TASKS_STATUS => Self::TaskStatus(parse_params(method, p)?),
            other => return Err(ErrorData::method_not_found(other)),
        })
    }
}

/// A notification a server sends to a client.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum ServerNotification {
    Cancelled(CancelledNotificationParams),
    Progress(ProgressNotificationParams),
    LoggingMessage(LoggingMessageNotificationParams),
    ResourceUpdated(ResourceUpdatedNotificationParams),
    ResourceListChanged(EmptyParams),
    ToolListChanged(EmptyParams),
    PromptListChanged(EmptyParams),
    ElicitationComplete(ElicitationCompleteNotificationParams),
    TaskStatus(TaskStatusNotificationParams),
    SubscriptionsAcknowledged(SubscriptionsAcknowledgedNotificationParams),
}

#[cfg(feature = "client")]
impl InboundMessage for ServerNotification {
    fn parse(method: &str, p: Option<&RawValue>) -> Result<Self, ErrorData> {
        use methods::*;
        Ok(match method {
            NOTIFICATION_CANCELLED => Self::Cancelled(parse_params(method, p)?),
            NOTIFICATION_PROGRESS => Self::Progress(parse_params(method, p)?),
            NOTIFICATION_MESSAGE => Self::LoggingMessage(parse_params(method, p)?),
            NOTIFICATION_RESOURCES_UPDATED => Self::ResourceUpdated(parse_params(method, p)?),
            NOTIFICATION_RESOURCES_LIST_CHANGED => Self::ResourceListChanged(parse_params(method, p)?),
            NOTIFICATION_TOOLS_LIST_CHANGED => Self::ToolListChanged(parse_params(method, p)?),
            NOTIFICATION_PROMPTS_LIST_CHANGED => Self::PromptListChanged(parse_params(method, p)?),
            NOTIFICATION_ELICITATION_COMPLETE => Self::ElicitationComplete(parse_params(method, p)?),
            NOTIFICATION_TASKS_STATUS => Self::TaskStatus(parse_params(method, p)?),
            NOTIFICATION_SUBSCRIPTIONS_ACKNOWLEDGED => Self::SubscriptionsAcknowledged(parse_params(method, p)?),
            other => return Err(ErrorData::method_not_found(other)),
        })
    }
}

/// A result a server answers with.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum ServerResult {
    Initialize(InitializeResult),
    Discover(DiscoverResult),
    ListTools(ListToolsResult),
    CallTool(CallToolResult),
    ListResources(ListResourcesResult),
    ListResourceTemplates(ListResourceTemplatesResult),
    ReadResource(ReadResourceResult),
    ListPrompts(ListPromptsResult),
    GetPrompt(GetPromptResult),
    Complete(CompleteResult),
    SubscriptionsListen(SubscriptionsListenResult),
    GetTask(GetTaskResult),
    GetTaskPayload(GetTaskPayloadResult),
    ListTasks(ListTasksResult),
    CancelTask(CancelTaskResult),
    CreateTask(CreateTaskResult),
    /// `tasks/get` of the tasks extension (2026-07-28).
    TaskExtension(crate::model::tasks_ext::GetTaskResult),
    Empty(EmptyResult),
}

/// A result a client answers with.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum ClientResult {
    CreateMessage(CreateMessageResult),
    ListRoots(ListRootsResult),
    Elicit(ElicitResult),
    GetTask(GetTaskResult),
    GetTaskPayload(GetTaskPayloadResult),
    ListTasks(ListTasksResult),
    CancelTask(CancelTaskResult),
    CreateTask(CreateTaskResult),
    Empty(EmptyResult),
}

/// Mutable access to the fields every result shares, so the engine can complete a result for the
/// 2026-07-28 protocol without knowing its type.
#[derive(Debug)]
#[non_exhaustive]
pub struct ResultFields<'a> {
    /// `_meta`.
    pub meta: &'a mut Option<Meta>,
    /// `resultType`.
    pub result_type: &'a mut Option<ResultType>,
    /// `ttlMs` and `cacheScope`, on cacheable results.
    pub cache: Option<(&'a mut Option<u64>, &'a mut Option<CacheScope>)>,
}

fn plain<'a>(meta: &'a mut Option<Meta>, result_type: &'a mut Option<ResultType>) -> ResultFields<'a> {
    ResultFields { meta, result_type, cache: None }
}

fn cacheable<'a>(
    meta: &'a mut Option<Meta>,
    result_type: &'a mut Option<ResultType>,
    ttl: &'a mut Option<u64>,
    scope: &'a mut Option<CacheScope>,
) -> ResultFields<'a> {
    ResultFields { meta, result_type, cache: Some((ttl, scope)) }
}

impl ServerResult {
    /// The shared fields of whichever result this is.
    pub fn common_fields_mut(&mut self) -> ResultFields<'_> {
        match self {
            Self::Initialize(r) => plain(&mut r.meta, &mut r.result_type),
            Self::Discover(r) => cacheable(&mut r.meta, &mut r.result_type, &mut r.ttl_ms, &mut r.cache_scope),
            Self::ListTools(r) => cacheable(&mut r.meta, &mut r.result_type, &mut r.ttl_ms, &mut r.cache_scope),
            Self::CallTool(r) => plain(&mut r.meta, &mut r.result_type),
            Self::ListResources(r) => cacheable(&mut r.meta, &mut r.result_type, &mut r.ttl_ms, &mut r.cache_scope),
            Self::ListResourceTemplates(r) => {
                cacheable(&mut r.meta, &mut r.result_type, &mut r.ttl_ms, &mut r.cache_scope)
            }
            Self::ReadResource(r) => cacheable(&mut r.meta, &mut r.result_type, &mut r.ttl_ms, &mut r.cache_scope),
            Self::ListPrompts(r) => cacheable(&mut r.meta, &mut r.result_type, &mut r.ttl_ms, &mut r.cache_scope),
            Self::GetPrompt(r) => plain(&mut r.meta, &mut r.result_type),
            Self::Complete(r) => plain(&mut r.meta, &mut r.result_type),
            Self::SubscriptionsListen(r) => plain(&mut r.meta, &mut r.result_type),
            Self::GetTask(r) => plain(&mut r.meta, &mut r.result_type),
            Self::GetTaskPayload(r) => plain(&mut r.meta, &mut r.result_type),
            Self::ListTasks(r) => plain(&mut r.meta, &mut r.result_type),
            Self::CancelTask(r) => plain(&mut r.meta, &mut r.result_type),
            Self::CreateTask(r) => plain(&mut r.meta, &mut r.result_type),
            Self::TaskExtension(r) => plain(&mut r.meta, &mut r.result_type),
            Self::Empty(r) => plain(&mut r.meta, &mut r.result_type),
        }
    }
}
