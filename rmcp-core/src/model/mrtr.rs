//! Multi round-trip requests (2026-07-28): instead of sending requests of its own, a server answers
//! with an `InputRequiredResult` listing what it needs; the client retries the original request
//! with the answers in `inputResponses`.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::model::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestFormParams, ElicitRequestParams,
    ElicitRequestUrlParams, ElicitResult, EmptyParams, ListRootsResult, Meta, ResultType,
};

/// A request the server needs the client to fulfil, written as `{method, params}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "method", content = "params")]
pub enum InputRequest {
    /// `sampling/createMessage`.
    #[serde(rename = "sampling/createMessage")]
    CreateMessage(CreateMessageRequestParams),
    /// `roots/list`; its params are optional and carry only `_meta`.
    #[serde(rename = "roots/list")]
    ListRoots(Option<EmptyParams>),
    /// `elicitation/create`.
    #[serde(rename = "elicitation/create")]
    Elicit(ElicitRequestParams),
}

impl InputRequest {
    /// The method name of the request.
    pub fn method(&self) -> &'static str {
        match self {
            Self::CreateMessage(_) => "sampling/createMessage",
            Self::ListRoots(_) => "roots/list",
            Self::Elicit(_) => "elicitation/create",
        }
    }

    /// A `roots/list` request without params.
    pub fn list_roots() -> Self {
        Self::ListRoots(None)
    }
}

impl Serialize for InputRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("method", self.method())?;
        match self {
            Self::CreateMessage(params) => map.serialize_entry("params", params)?,
            Self::ListRoots(Some(params)) => map.serialize_entry("params", params)?,
            Self::ListRoots(None) => {}
            Self::Elicit(params) => map.serialize_entry("params", params)?,
        }
        map.end()
    }
}

impl From<CreateMessageRequestParams> for InputRequest {
    fn from(params: CreateMessageRequestParams) -> Self {
        Self::CreateMessage(params)
    }
}

impl From<ElicitRequestParams> for InputRequest {
    fn from(params: ElicitRequestParams) -> Self {
        Self::Elicit(params)
    }
}

impl From<ElicitRequestFormParams> for InputRequest {
    fn from(params: ElicitRequestFormParams) -> Self {
        Self::Elicit(params.into())
    }
}

impl From<ElicitRequestUrlParams> for InputRequest {
    fn from(params: ElicitRequestUrlParams) -> Self {
        Self::Elicit(params.into())
    }
}

/// The server's input requests, keyed by ids of its choosing.
pub type InputRequests = BTreeMap<String, InputRequest>;

/// The client's answer to one [`InputRequest`]: the result of the corresponding method.
///
/// Read by shape: a sampling result has `role`, `content` and `model`, a roots result `roots`,
/// an elicitation result `action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InputResponse {
    /// Answer to `sampling/createMessage`.
    CreateMessage(CreateMessageResult),
    /// Answer to `roots/list`.
    ListRoots(ListRootsResult),
    /// Answer to `elicitation/create`.
    Elicit(ElicitResult),
}

impl From<CreateMessageResult> for InputResponse {
    fn from(result: CreateMessageResult) -> Self {
        Self::CreateMessage(result)
    }
}

impl From<ListRootsResult> for InputResponse {
    fn from(result: ListRootsResult) -> Self {
        Self::ListRoots(result)
    }
}

impl From<ElicitResult> for InputResponse {
    fn from(result: ElicitResult) -> Self {
        Self::Elicit(result)
    }
}

/// The client's answers, keyed like the [`InputRequests`] they answer.
pub type InputResponses = BTreeMap<String, InputResponse>;

/// An interim result (`resultType: "input_required"`): the server needs input before it can
/// complete the request. At least one of `inputRequests` and `requestState` is present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InputRequiredResult {
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result; `input_required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// What the client must provide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_requests: Option<InputRequests>,
    /// Opaque server state the client echoes back on the retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
}

impl Default for InputRequiredResult {
    fn default() -> Self {
        Self::new()
    }
}

impl InputRequiredResult {
    /// An `input_required` result with nothing requested yet.
    pub fn new() -> Self {
        Self { meta: None, result_type: Some(ResultType::InputRequired), input_requests: None, request_state: None }
    }

    /// Add an input request under `key`.
    pub fn with_input_request(mut self, key: impl Into<String>, request: impl Into<InputRequest>) -> Self {
        self.input_requests.get_or_insert_with(BTreeMap::new).insert(key.into(), request.into());
        self
    }

    /// Set the state to be echoed back.
    pub fn with_request_state(mut self, state: impl Into<String>) -> Self {
        self.request_state = Some(state.into());
        self
    }

    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// The fields a client adds to the params of a retried request: the answers and the echoed state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InputResponseRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Answers to the server's input requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_responses: Option<InputResponses>,
    /// The `requestState` of the `InputRequiredResult`, unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
}

impl InputResponseRequestParams {
    /// Params with no answers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add the answer for `key`.
    pub fn with_input_response(mut self, key: impl Into<String>, response: impl Into<InputResponse>) -> Self {
        self.input_responses.get_or_insert_with(BTreeMap::new).insert(key.into(), response.into());
        self
    }

    /// Echo the server's state.
    pub fn with_request_state(mut self, state: impl Into<String>) -> Self {
        self.request_state = Some(state.into());
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
    use super::*;
    use crate::model::test_support::round_trip;

    #[test]
    fn examples_round_trip_into_the_right_variants() {
        let requests: InputRequests = round_trip(include_str!(
            "../../../spec/2026-07-28/examples/InputRequests/elicitation-and-sampling-input-requests.json"
        ));
        assert!(matches!(requests["github_login"], InputRequest::Elicit(_)));
        assert!(matches!(requests["capital_of_france"], InputRequest::CreateMessage(_)));
        let responses: InputResponses = round_trip(include_str!(
            "../../../spec/2026-07-28/examples/InputResponses/elicitation-and-sampling-input-responses.json"
        ));
        assert!(matches!(responses["github_login"], InputResponse::Elicit(_)));
        assert!(matches!(responses["capital_of_france"], InputResponse::CreateMessage(_)));
        round_trip::<InputRequiredResult>(include_str!(
            "../../../spec/2026-07-28/examples/InputRequiredResult/input-required-result-with-elicitation-and-sampling-and-request-state.json"
        ));
    }

    #[test]
    fn roots_request_params_are_optional() {
        let bare: InputRequest = round_trip(r#"{"method":"roots/list"}"#);
        assert_eq!(bare, InputRequest::list_roots());
        round_trip::<InputRequest>(r#"{"method":"roots/list","params":{}}"#);
        let roots: InputResponse = round_trip(r#"{"roots":[{"uri":"file:///a"}]}"#);
        assert!(matches!(roots, InputResponse::ListRoots(_)));
    }
}
