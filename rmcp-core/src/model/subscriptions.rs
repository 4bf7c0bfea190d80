//! `subscriptions/listen` (2026-07-28): one long-lived request on which the server sends the
//! change notifications the client opted in to.

use serde::{Deserialize, Serialize};

use crate::model::{Meta, RequestId, ResultType, meta_keys};

/// The notifications a client opts in to on `subscriptions/listen`; the server echoes the ones it
/// agreed to in `notifications/subscriptions/acknowledged`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubscriptionFilter {
    /// Receive `notifications/tools/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools_list_changed: Option<bool>,
    /// Receive `notifications/prompts/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts_list_changed: Option<bool>,
    /// Receive `notifications/resources/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_list_changed: Option<bool>,
    /// Receive `notifications/resources/updated` for these resource URIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_subscriptions: Option<Vec<String>>,
    /// Receive task status notifications for these task ids (tasks extension,
    /// [`crate::model::tasks_ext`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_ids: Option<Vec<String>>,
}

impl SubscriptionFilter {
    /// A filter selecting nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opt in to tool list changes.
    pub fn with_tools_list_changed(mut self) -> Self {
        self.tools_list_changed = Some(true);
        self
    }

    /// Opt in to prompt list changes.
    pub fn with_prompts_list_changed(mut self) -> Self {
        self.prompts_list_changed = Some(true);
        self
    }

    /// Opt in to resource list changes.
    pub fn with_resources_list_changed(mut self) -> Self {
        self.resources_list_changed = Some(true);
        self
    }

    /// Opt in to updates of the resource at `uri`.
    pub fn with_resource_subscription(mut self, uri: impl Into<String>) -> Self {
        self.resource_subscriptions.get_or_insert_with(Vec::new).push(uri.into());
        self
    }

    /// Opt in to status notifications of the task `task_id` (tasks extension).
    pub fn with_task(mut self, task_id: impl Into<String>) -> Self {
        self.task_ids.get_or_insert_with(Vec::new).push(task_id.into());
        self
    }
}

/// Params of `subscriptions/listen`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubscriptionsListenRequestParams {
    /// Request metadata (protocol version, client capabilities, ...).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The notifications wanted.
    pub notifications: SubscriptionFilter,
}

impl SubscriptionsListenRequestParams {
    /// Params asking for `notifications`.
    pub fn new(notifications: SubscriptionFilter) -> Self {
        Self { meta: None, notifications }
    }

    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// Reads `io.modelcontextprotocol/subscriptionId` from `_meta`.
fn subscription_id_in(meta: Option<&Meta>) -> Option<RequestId> {
    RequestId::deserialize(meta?.get(meta_keys::SUBSCRIPTION_ID)?).ok()
}

/// Writes `io.modelcontextprotocol/subscriptionId` into `_meta`.
fn with_subscription_id(meta: &mut Option<Meta>, id: &RequestId) {
    let value = serde_json::to_value(id).expect("request ids serialize to JSON");
    meta.get_or_insert_with(Meta::new).insert(meta_keys::SUBSCRIPTION_ID.to_owned(), value);
}

/// Result of `subscriptions/listen`, sent only when the server ends the subscription gracefully.
///
/// Its `_meta` names the subscription (the id of the listen request).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubscriptionsListenResult {
    /// Result metadata, including the subscription id.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result; always `complete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}

impl SubscriptionsListenResult {
    /// The closing result of the subscription opened by request `subscription_id`.
    pub fn new(subscription_id: &RequestId) -> Self {
        let mut result = Self { meta: None, result_type: Some(ResultType::Complete) };
        with_subscription_id(&mut result.meta, subscription_id);
        result
    }

    /// The subscription id from `_meta`.
    pub fn subscription_id(&self) -> Option<RequestId> {
        subscription_id_in(self.meta.as_ref())
    }
}

/// Params of `notifications/subscriptions/acknowledged`: the notifications the server agreed to
/// send on a subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubscriptionsAcknowledgedNotificationParams {
    /// Notification metadata, including the subscription id.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The notifications the server will send.
    pub notifications: SubscriptionFilter,
}

impl SubscriptionsAcknowledgedNotificationParams {
    /// An acknowledgement of `notifications` for subscription `subscription_id`.
    pub fn new(subscription_id: &RequestId, notifications: SubscriptionFilter) -> Self {
        let mut params = Self { meta: None, notifications };
        with_subscription_id(&mut params.meta, subscription_id);
        params
    }

    /// The subscription id from `_meta`.
    pub fn subscription_id(&self) -> Option<RequestId> {
        subscription_id_in(self.meta.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledged_example_params_round_trip() {
        let text = include_str!(
            "../../../spec/2026-07-28/examples/SubscriptionsAcknowledgedNotification/listen-acknowledged.json"
        );
        let message: serde_json::Value = serde_json::from_str(text).unwrap();
        let params: SubscriptionsAcknowledgedNotificationParams =
            serde_json::from_value(message["params"].clone()).unwrap();
        assert_eq!(serde_json::to_value(&params).unwrap(), message["params"]);
        assert_eq!(params.subscription_id(), Some(RequestId::from("listen-1")));
        let built = SubscriptionsAcknowledgedNotificationParams::new(
            &RequestId::from("listen-1"),
            SubscriptionFilter::new()
                .with_tools_list_changed()
                .with_resource_subscription("file:///project/config.json"),
        );
        assert_eq!(built, params);
    }
}
