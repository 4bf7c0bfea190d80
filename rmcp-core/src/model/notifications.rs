//! Params of the notifications either side may send: progress and cancellation.

use serde::{Deserialize, Serialize};

use crate::model::number;
use crate::model::{Meta, ProgressToken, RequestId};

/// The params of `notifications/progress`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProgressNotificationParams {
    /// The token from the request this progress is about.
    pub progress_token: ProgressToken,
    /// Progress so far; it must increase with every notification.
    #[serde(serialize_with = "number::serialize")]
    pub progress: f64,
    /// The total amount of work, if known.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "number::serialize_option")]
    pub total: Option<f64>,
    /// A human-readable description of the current step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl ProgressNotificationParams {
    /// Progress `progress` for the request that sent `progress_token`.
    pub fn new(progress_token: ProgressToken, progress: f64) -> Self {
        Self { progress_token, progress, total: None, message: None, meta: None }
    }
    /// Set the total.
    pub fn with_total(mut self, total: f64) -> Self {
        self.total = Some(total);
        self
    }
    /// Set the message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// The params of `notifications/cancelled`.
///
/// `requestId` is required in 2026-07-28 and optional in 2025-11-25 (where tasks are cancelled
/// with `tasks/cancel` instead).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CancelledNotificationParams {
    /// The id of the request to cancel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// Why the request is cancelled, for logging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl CancelledNotificationParams {
    /// Cancel the request `request_id`.
    pub fn new(request_id: impl Into<RequestId>) -> Self {
        Self { request_id: Some(request_id.into()), reason: None, meta: None }
    }
    /// Set the reason.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn progress_keeps_integers_integral() {
        let p = ProgressNotificationParams::new(ProgressToken::Number(1), 50.0).with_total(100.0);
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v, json!({"progressToken": 1, "progress": 50, "total": 100}));
        let half = ProgressNotificationParams::new(ProgressToken::Number(1), 0.5);
        assert_eq!(serde_json::to_value(&half).unwrap()["progress"], json!(0.5));
        assert_eq!(serde_json::from_value::<ProgressNotificationParams>(v).unwrap(), p);
    }
}
