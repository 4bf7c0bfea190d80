//! The CLI's `ClientHandler`: answers the server's elicitation and sampling requests, and passes
//! its notifications on (to `watch`, or log messages to stderr).

use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressDrawTarget};
use rmcp_core::handler::{ClientHandler, ClientInfo};
use rmcp_core::model::{
    ClientCapabilities, CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    Implementation, LoggingMessageNotificationParams, ProgressNotificationParams, ResourceUpdatedNotificationParams,
    SubscriptionsAcknowledgedNotificationParams, methods,
};
use rmcp_core::service::{McpError, NotificationContext, RequestContext};
use rmcp_core::{RoleClient, model::ElicitationCompleteNotificationParams};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::cli::{ConnectArgs, ElicitMode};
use crate::{connect, sampling};

/// A notification as `watch` prints it: its method and params.
pub type Notification = (&'static str, Value);

/// The CLI's client.
#[derive(Debug)]
pub struct CliClient {
    info: ClientInfo,
    elicit: ElicitMode,
    sampling_cmd: Option<String>,
    /// Where notifications go while `watch` runs; otherwise log messages go to stderr.
    watcher: Option<mpsc::UnboundedSender<Notification>>,
    /// The progress bar on screen, hidden while a prompt asks the user.
    progress: Arc<Mutex<Option<ProgressBar>>>,
}

impl CliClient {
    /// A client for the flags given.
    pub fn new(conn: &ConnectArgs) -> Self {
        // Elicitation is always declared, so servers ask; whether we answer is `--elicit`'s
        // business. Sampling too: a request declined with a message beats a tool that fails
        // without saying why.
        let capabilities = ClientCapabilities::builder().enable_elicitation().enable_sampling().build();
        let info = ClientInfo::new(Implementation::new("rmcp-cli", env!("CARGO_PKG_VERSION")), capabilities)
            .with_protocol(connect::protocol(conn.era));
        Self {
            info,
            elicit: conn.elicit,
            sampling_cmd: conn.sampling_cmd.clone(),
            watcher: None,
            progress: Arc::default(),
        }
    }

    /// Send every notification to `watcher` instead of printing log messages.
    pub fn with_watcher(mut self, watcher: mpsc::UnboundedSender<Notification>) -> Self {
        self.watcher = Some(watcher);
        self
    }

    /// The slot where a running call keeps its progress bar.
    pub fn progress_slot(&self) -> Arc<Mutex<Option<ProgressBar>>> {
        self.progress.clone()
    }

    fn forward(&self, method: &'static str, params: &impl Serialize) -> bool {
        match &self.watcher {
            Some(w) => {
                let _ = w.send((method, serde_json::to_value(params).unwrap_or(Value::Null)));
                true
            }
            None => false,
        }
    }

    /// Hide the progress bar (if any) while `f` runs: prompts and bars share stderr.
    async fn with_bar_hidden<T>(&self, f: impl Future<Output = T>) -> T {
        let bar = self.progress.lock().ok().and_then(|b| b.clone());
        if let Some(bar) = &bar {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        let out = f.await;
        if let Some(bar) = &bar {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        out
    }
}

impl ClientHandler for CliClient {
    fn get_info(&self) -> ClientInfo {
        self.info.clone()
    }

    async fn create_elicitation(
        &self,
        params: ElicitRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, McpError> {
        let interactive = connect::interactive();
        Ok(self.with_bar_hidden(crate::elicit::answer(params, self.elicit, interactive)).await)
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, McpError> {
        match &self.sampling_cmd {
            Some(cmd) => sampling::run(cmd, &params).await.map_err(|e| {
                eprintln!("rmcp: the sampling command failed: {e:#}");
                McpError::internal_error(format!("the client's sampling command failed: {e:#}"))
            }),
            None => {
                eprintln!(
                    "rmcp: declined the server's sampling request (it asks for a model's reply); \
                     pass --sampling-cmd CMD to answer such requests"
                );
                Err(McpError::invalid_request("the user declined the sampling request (rmcp has no model)"))
            }
        }
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        if !self.forward(methods::NOTIFICATION_MESSAGE, &params) {
            let data = match &params.data {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let logger = params.logger.as_deref().map(|l| format!(" {l}")).unwrap_or_default();
            let level = serde_json::to_value(params.level).ok().and_then(|v| v.as_str().map(str::to_owned));
            let line = format!("[server {}{logger}] {data}", level.unwrap_or_default());
            match self.progress.lock().ok().and_then(|b| b.clone()) {
                Some(bar) => bar.println(line),
                None => eprintln!("{line}"),
            }
        }
    }

    async fn on_progress(&self, params: ProgressNotificationParams, _ctx: NotificationContext<RoleClient>) {
        self.forward(methods::NOTIFICATION_PROGRESS, &params);
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        self.forward(methods::NOTIFICATION_RESOURCES_UPDATED, &params);
    }

    async fn on_resource_list_changed(&self, _ctx: NotificationContext<RoleClient>) {
        self.forward(methods::NOTIFICATION_RESOURCES_LIST_CHANGED, &Value::Object(Default::default()));
    }

    async fn on_tool_list_changed(&self, _ctx: NotificationContext<RoleClient>) {
        self.forward(methods::NOTIFICATION_TOOLS_LIST_CHANGED, &Value::Object(Default::default()));
    }

    async fn on_prompt_list_changed(&self, _ctx: NotificationContext<RoleClient>) {
        self.forward(methods::NOTIFICATION_PROMPTS_LIST_CHANGED, &Value::Object(Default::default()));
    }

    async fn on_subscriptions_acknowledged(
        &self,
        params: SubscriptionsAcknowledgedNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        self.forward(methods::NOTIFICATION_SUBSCRIPTIONS_ACKNOWLEDGED, &params);
    }

    async fn on_elicitation_complete(
        &self,
        params: ElicitationCompleteNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        self.forward(methods::NOTIFICATION_ELICITATION_COMPLETE, &params);
    }
}
