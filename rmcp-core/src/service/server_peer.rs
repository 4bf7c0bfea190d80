//! Every method a server calls on its client: typed requests and notifications, and the
//! session's log level.

use std::sync::atomic::Ordering;

use super::{Peer, RequestOptions, RoleServer, ServiceError};
use crate::model::{
    CancelledNotificationParams, CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    ElicitationCompleteNotificationParams, EmptyParams, EmptyResult, InitializeRequestParams, ListRootsResult,
    LoggingLevel, LoggingMessageNotificationParams, ProgressNotificationParams, ResourceUpdatedNotificationParams,
    methods,
};

impl Peer<RoleServer> {
    /// What the client said about itself at the handshake (2025 era).
    pub fn client_info(&self) -> Option<&InitializeRequestParams> {
        self.peer_info()
    }

    /// `ping`.
    pub async fn ping(&self) -> Result<EmptyResult, ServiceError> {
        self.send_request(methods::PING, &EmptyParams::default(), RequestOptions::new()).await
    }

    /// `sampling/createMessage`: ask the client's model.
    pub async fn create_message(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, ServiceError> {
        self.send_request(methods::SAMPLING_CREATE_MESSAGE, &params, RequestOptions::new()).await
    }

    /// `roots/list`.
    pub async fn list_roots(&self) -> Result<ListRootsResult, ServiceError> {
        self.send_request(methods::ROOTS_LIST, &EmptyParams::default(), RequestOptions::new()).await
    }

    /// `elicitation/create`: ask the user.
    pub async fn create_elicitation(&self, params: ElicitRequestParams) -> Result<ElicitResult, ServiceError> {
        self.send_request(methods::ELICITATION_CREATE, &params, RequestOptions::new()).await
    }

    /// `notifications/progress` for a request the client sent.
    pub async fn notify_progress(&self, params: ProgressNotificationParams) -> Result<(), ServiceError> {
        self.send_notification(methods::NOTIFICATION_PROGRESS, &params).await
    }

    /// `notifications/message`: a log message.
    pub async fn notify_logging_message(&self, params: LoggingMessageNotificationParams) -> Result<(), ServiceError> {
        self.send_notification(methods::NOTIFICATION_MESSAGE, &params).await
    }

    /// `notifications/resources/updated`.
    pub async fn notify_resource_updated(&self, params: ResourceUpdatedNotificationParams) -> Result<(), ServiceError> {
        self.send_notification(methods::NOTIFICATION_RESOURCES_UPDATED, &params).await
    }

    /// `notifications/resources/list_changed`.
    pub async fn notify_resource_list_changed(&self) -> Result<(), ServiceError> {
        self.send_notification(methods::NOTIFICATION_RESOURCES_LIST_CHANGED, &EmptyParams::default()).await
    }

    /// `notifications/tools/list_changed`.
    pub async fn notify_tool_list_changed(&self) -> Result<(), ServiceError> {
        self.send_notification(methods::NOTIFICATION_TOOLS_LIST_CHANGED, &EmptyParams::default()).await
    }

    /// `notifications/prompts/list_changed`.
    pub async fn notify_prompt_list_changed(&self) -> Result<(), ServiceError> {
        self.send_notification(methods::NOTIFICATION_PROMPTS_LIST_CHANGED, &EmptyParams::default()).await
    }

    /// `notifications/cancelled`.
    pub async fn notify_cancelled(&self, params: CancelledNotificationParams) -> Result<(), ServiceError> {
        self.send_notification(methods::NOTIFICATION_CANCELLED, &params).await
    }

    /// `notifications/elicitation/complete`.
    pub async fn notify_elicitation_complete(
        &self,
        params: ElicitationCompleteNotificationParams,
    ) -> Result<(), ServiceError> {
        self.send_notification(methods::NOTIFICATION_ELICITATION_COMPLETE, &params).await
    }
}

/// The session's log level (2025 era); on 2026-07-28 each request carries its own, see
/// [`RequestContext::wants_log`](super::RequestContext::wants_log).
impl Peer<RoleServer> {
    /// Record the level the client set with `logging/setLevel` (2025 era).
    #[cfg(feature = "server")]
    pub(crate) fn set_log_level(&self, level: LoggingLevel) {
        self.shared.log_level.store(level as u8 + 1, Ordering::Relaxed);
    }

    /// The level the client set with `logging/setLevel`, if it did.
    pub fn log_level(&self) -> Option<LoggingLevel> {
        let stored = self.shared.log_level.load(Ordering::Relaxed);
        stored.checked_sub(1).and_then(|i| LoggingLevel::ALL.get(i as usize).copied())
    }
}
