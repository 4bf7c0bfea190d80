//! Elicitation: a server asks the user, through the client, for input (`elicitation/create`).
//!
//! Two modes: a form described by an [`ElicitationSchema`], or a URL the user opens out of band.
//! The field schemas live in `elicitation_schema.rs`.

use std::collections::BTreeMap;

use serde::de::{self, DeserializeOwned};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::model::tags::{FormModeTag, UrlModeTag};
use crate::model::{ElicitationSchema, ErrorCode, ErrorData, Meta, ResultType, TaskMetadata};

/// The two ways of eliciting input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElicitationMode {
    /// A form the client renders.
    Form,
    /// A URL the user opens.
    Url,
}

/// Params of a form-mode `elicitation/create`.
///
/// `mode` is implied: it is written as `"form"` unless the request was read without it (older
/// 2025-11-25 senders omit it), in which case it stays absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitRequestFormParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mode: Option<FormModeTag>,
    /// What to ask the user.
    pub message: String,
    /// The fields of the form.
    pub requested_schema: ElicitationSchema,
    /// Run the request as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
}

impl ElicitRequestFormParams {
    /// A form asking `message` with the given fields.
    pub fn new(message: impl Into<String>, requested_schema: ElicitationSchema) -> Self {
        Self { meta: None, mode: Some(FormModeTag::Form), message: message.into(), requested_schema, task: None }
    }

    /// Run the request as a task (2025-11-25).
    pub fn with_task(mut self, task: TaskMetadata) -> Self {
        self.task = Some(task);
        self
    }

    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// Params of a URL-mode `elicitation/create`: the user completes an interaction in a browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitRequestUrlParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    mode: UrlModeTag,
    /// Why the user should open the URL.
    pub message: String,
    /// The URL to open.
    pub url: String,
    /// Correlates `notifications/elicitation/complete` (2025-11-25 only, required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation_id: Option<String>,
    /// Run the request as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
}

impl ElicitRequestUrlParams {
    /// A request to open `url`, explained by `message`.
    pub fn new(message: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            meta: None,
            mode: UrlModeTag::Url,
            message: message.into(),
            url: url.into(),
            elicitation_id: None,
            task: None,
        }
    }

    /// Set the elicitation id (required by 2025-11-25, removed in 2026-07-28).
    pub fn with_elicitation_id(mut self, id: impl Into<String>) -> Self {
        self.elicitation_id = Some(id.into());
        self
    }

    /// Run the request as a task (2025-11-25).
    pub fn with_task(mut self, task: TaskMetadata) -> Self {
        self.task = Some(task);
        self
    }

    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// Params of `elicitation/create`: form or URL mode, told apart by `mode` (absent means form).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ElicitRequestParams {
    /// Form mode.
    Form(ElicitRequestFormParams),
    /// URL mode.
    Url(ElicitRequestUrlParams),
}

impl ElicitRequestParams {
    /// Which mode this request uses.
    pub fn mode(&self) -> ElicitationMode {
        match self {
            Self::Form(_) => ElicitationMode::Form,
            Self::Url(_) => ElicitationMode::Url,
        }
    }

    /// The message shown to the user.
    pub fn message(&self) -> &str {
        match self {
            Self::Form(p) => &p.message,
            Self::Url(p) => &p.message,
        }
    }
}

impl<'de> Deserialize<'de> for ElicitRequestParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn parse<T: DeserializeOwned, E: de::Error>(value: Value) -> Result<T, E> {
            T::deserialize(value).map_err(E::custom)
        }
        let value = Value::deserialize(d)?;
        match value.get("mode") {
            None => Ok(Self::Form(parse(value)?)),
            Some(Value::String(mode)) if mode == "form" => Ok(Self::Form(parse(value)?)),
            Some(Value::String(mode)) if mode == "url" => Ok(Self::Url(parse(value)?)),
            Some(other) => Err(de::Error::custom(format_args!("unknown elicitation mode {other}"))),
        }
    }
}

impl From<ElicitRequestFormParams> for ElicitRequestParams {
    fn from(params: ElicitRequestFormParams) -> Self {
        Self::Form(params)
    }
}

impl From<ElicitRequestUrlParams> for ElicitRequestParams {
    fn from(params: ElicitRequestUrlParams) -> Self {
        Self::Url(params)
    }
}

/// How the user answered an elicitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElicitAction {
    /// The user submitted (form mode: `content` holds the values; URL mode: consent to open).
    Accept,
    /// The user explicitly refused.
    Decline,
    /// The user dismissed the request without choosing.
    Cancel,
}

/// One submitted form value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ElicitValue {
    /// Text or a single choice.
    String(String),
    /// A whole number.
    Integer(i64),
    /// A number with a fraction (the spec lists integers; fractional input is kept as read).
    Number(f64),
    /// Yes/no.
    Boolean(bool),
    /// Several choices.
    StringArray(Vec<String>),
}

impl ElicitValue {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number as `f64`, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Integer(n) => Some(*n as f64),
            Self::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Integer(n) => Some(*n),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// The strings, if this is a multi-select answer.
    pub fn as_strings(&self) -> Option<&[String]> {
        match self {
            Self::StringArray(v) => Some(v),
            _ => None,
        }
    }
}

impl From<String> for ElicitValue {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

impl From<&str> for ElicitValue {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}

impl From<i64> for ElicitValue {
    fn from(n: i64) -> Self {
        Self::Integer(n)
    }
}

impl From<f64> for ElicitValue {
    fn from(n: f64) -> Self {
        Self::Number(n)
    }
}

impl From<bool> for ElicitValue {
    fn from(b: bool) -> Self {
        Self::Boolean(b)
    }
}

impl From<Vec<String>> for ElicitValue {
    fn from(v: Vec<String>) -> Self {
        Self::StringArray(v)
    }
}

/// Result of `elicitation/create`: the user's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitResult {
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// What the user did.
    pub action: ElicitAction,
    /// The submitted values, by field name (form mode with `accept` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<BTreeMap<String, ElicitValue>>,
}

impl ElicitResult {
    /// A result with the given action and no content.
    pub fn new(action: ElicitAction) -> Self {
        Self { meta: None, result_type: None, action, content: None }
    }

    /// The user accepted a form with these values.
    pub fn accept(content: BTreeMap<String, ElicitValue>) -> Self {
        Self { content: Some(content), ..Self::new(ElicitAction::Accept) }
    }

    /// The user accepted a URL-mode request.
    pub fn accept_url() -> Self {
        Self::new(ElicitAction::Accept)
    }

    /// The user declined.
    pub fn decline() -> Self {
        Self::new(ElicitAction::Decline)
    }

    /// The user cancelled.
    pub fn cancel() -> Self {
        Self::new(ElicitAction::Cancel)
    }

    /// The submitted value of `field`.
    pub fn value(&self, field: &str) -> Option<&ElicitValue> {
        self.content.as_ref()?.get(field)
    }

    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// Params of `notifications/elicitation/complete` (2025-11-25): a URL-mode interaction finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitationCompleteNotificationParams {
    /// Notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The `elicitationId` of the finished request.
    pub elicitation_id: String,
}

impl ElicitationCompleteNotificationParams {
    /// Params for the elicitation `id`.
    pub fn new(elicitation_id: impl Into<String>) -> Self {
        Self { meta: None, elicitation_id: elicitation_id.into() }
    }
}

/// The `data` of a `URLElicitationRequiredError` (-32042, 2025-11-25): the URL elicitations the
/// user must complete before the request can succeed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UrlElicitationRequiredData {
    /// The elicitations to complete.
    pub elicitations: Vec<ElicitRequestUrlParams>,
}

impl UrlElicitationRequiredData {
    /// Data listing `elicitations`.
    pub fn new(elicitations: Vec<ElicitRequestUrlParams>) -> Self {
        Self { elicitations }
    }

    /// The error carrying this data.
    pub fn into_error(self, message: impl Into<std::borrow::Cow<'static, str>>) -> ErrorData {
        let data = serde_json::to_value(self).expect("elicitation params serialize to JSON");
        ErrorData::new(ErrorCode::URL_ELICITATION_REQUIRED, message, Some(data))
    }

    /// The data of `error`, if it is a URL-elicitation-required error.
    pub fn from_error(error: &ErrorData) -> Option<Self> {
        if error.code != ErrorCode::URL_ELICITATION_REQUIRED {
            return None;
        }
        Self::deserialize(error.data.as_ref()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::round_trip;

    #[test]
    fn modes_are_told_apart_and_round_trip() {
        let form: ElicitRequestParams = round_trip(include_str!(
            "../../../spec/2026-07-28/examples/ElicitRequestFormParams/elicit-multiple-fields.json"
        ));
        assert_eq!(form.mode(), ElicitationMode::Form);
        let url: ElicitRequestParams = round_trip(include_str!(
            "../../../spec/2026-07-28/examples/ElicitRequestURLParams/elicit-sensitive-data.json"
        ));
        assert_eq!(url.mode(), ElicitationMode::Url);
        // 2025-11-25 form requests may omit `mode`; it stays omitted.
        let implicit: ElicitRequestParams =
            round_trip(r#"{"message":"Name?","requestedSchema":{"type":"object","properties":{}}}"#);
        assert_eq!(implicit.mode(), ElicitationMode::Form);
        assert!(serde_json::from_str::<ElicitRequestParams>(r#"{"mode":"sms","message":"x"}"#).is_err());
    }

    #[test]
    fn result_values_keep_their_types() {
        let result: ElicitResult =
            round_trip(include_str!("../../../spec/2026-07-28/examples/ElicitResult/input-multiple-fields.json"));
        assert_eq!(result.value("age").and_then(ElicitValue::as_i64), Some(30));
    }
}
