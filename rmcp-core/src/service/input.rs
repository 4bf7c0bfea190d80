//! Asking the client for input from inside a request, with one API for both eras.
//!
//! On a 2025-11-25 session, [`RequestContext::elicit`], [`RequestContext::create_message`],
//! [`RequestContext::list_roots`] and [`RequestContext::inputs`] send requests to the client and
//! wait for its answers. On 2026-07-28 there are no server-to-client requests: the same calls
//! end the handler early with an `input_required` result (multi round-trip requests), and the
//! client retries the request with the answers. The handler then runs again from the top, and
//! this time the same calls return the answers. Answers of earlier rounds travel in a signed
//! `requestState`, so a handler may ask in several rounds and the server keeps nothing in between.
//!
//! Handlers therefore must not do irreversible work before their last question.

use std::sync::OnceLock;

use futures_util::future::try_join_all;
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use super::request_state::{RequestStateKey, arguments_digest};
use super::{McpError, RequestContext, RoleServer, ServiceError};
use crate::model::{
    ClientCapabilities, CreateMessageRequestParams, CreateMessageResult, ElicitAction, ElicitRequestFormParams,
    ElicitRequestParams, ElicitResult, ElicitationMode, ElicitationSchema, ErrorData, InputRequest, InputRequests,
    InputRequiredResult, InputResponse, InputResponses, JsonObject, ListRootsResult,
};
use crate::schema::elicitation_schema_for;

/// The input a 2026-07-28 request may bring along: new answers and the state of earlier rounds.
///
/// It keeps the request's raw params and reads them only when the handler asks for input, so
/// the many calls that never do pay nothing for it.
#[derive(Debug, Clone)]
pub(crate) struct InputRound {
    method: &'static str,
    params: Option<Box<RawValue>>,
    key: RequestStateKey,
    /// What the params say, and the answers so far (from the verified state and the new ones).
    read: OnceLock<Result<Round, ErrorData>>,
}

/// The parts of a round the state is bound to, and the answers it carries.
#[derive(Debug, Clone)]
struct Round {
    /// The tool, prompt or resource the request is about.
    target: String,
    /// A digest of the request's arguments, so answers given for one set of arguments (a
    /// confirmation, say) do not carry over to another.
    arguments: String,
    answers: JsonObject,
}

/// The fields of `tools/call`, `prompts/get` and `resources/read` params a round reads.
#[derive(Deserialize)]
struct RoundParams {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    arguments: Option<Value>,
    #[serde(default, rename = "inputResponses")]
    input_responses: Option<JsonObject>,
    #[serde(default, rename = "requestState")]
    request_state: Option<String>,
}

impl InputRound {
    pub(crate) fn new(method: &'static str, params: Option<Box<RawValue>>, key: RequestStateKey) -> Self {
        Self { method, params, key, read: OnceLock::new() }
    }

    fn round(&self) -> Result<&Round, McpError> {
        let read = self.read.get_or_init(|| {
            let params: RoundParams = match &self.params {
                Some(raw) => serde_json::from_str(raw.get()).map_err(|e| ErrorData::invalid_params(e.to_string()))?,
                None => {
                    RoundParams { name: None, uri: None, arguments: None, input_responses: None, request_state: None }
                }
            };
            let target = params.name.or(params.uri).unwrap_or_default();
            let arguments = arguments_digest(params.arguments.as_ref());
            let mut answers = match &params.request_state {
                Some(state) => self
                    .key
                    .open(state, self.method, &target, &arguments)
                    .map_err(|why| ErrorData::invalid_params(format!("invalid requestState: {why}")))?,
                None => JsonObject::new(),
            };
            answers.extend(params.input_responses.into_iter().flatten());
            Ok(Round { target, arguments, answers })
        });
        read.as_ref().map_err(|e| McpError::Rpc(e.clone()))
    }

    fn answers(&self) -> Result<&JsonObject, McpError> {
        self.round().map(|r| &r.answers)
    }

    /// A state carrying `answers` for a retry of this request.
    fn seal(&self, answers: &JsonObject) -> Result<String, McpError> {
        let round = self.round()?;
        Ok(self.key.seal(self.method, &round.target, &round.arguments, answers))
    }
}

/// What the user did with an elicitation whose form was derived from `T`.
#[derive(Debug, Clone, PartialEq)]
pub enum Elicitation<T> {
    /// The user submitted the form.
    Accepted(T),
    /// The user refused.
    Declined,
    /// The user dismissed the request.
    Cancelled,
}

impl RequestContext<RoleServer> {
    /// Ask the user to fill in a form derived from `T` (its fields, their doc comments and
    /// defaults), under `key`.
    ///
    /// `T` must be a struct of primitive fields (strings, numbers, booleans, unit enums, and
    /// options of those), the only forms elicitation allows.
    ///
    /// ```
    /// use rmcp_core::service::{Elicitation, McpError, RequestContext};
    /// use rmcp_core::RoleServer;
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Name {
    ///     /// Your name.
    ///     name: String,
    /// }
    ///
    /// async fn greet(ctx: &RequestContext<RoleServer>) -> Result<String, McpError> {
    ///     Ok(match ctx.elicit::<Name>("name", "What is your name?").await? {
    ///         Elicitation::Accepted(n) => format!("Hello, {}!", n.name),
    ///         _ => "Hello, stranger!".to_owned(),
    ///     })
    /// }
    /// ```
    pub async fn elicit<T: DeserializeOwned + JsonSchema + 'static>(
        &self,
        key: &str,
        message: impl Into<String>,
    ) -> Result<Elicitation<T>, McpError> {
        let result = self.elicit_with(key, elicit_request::<T>(message)?).await?;
        elicit_outcome(key, result)
    }

    /// `elicitation/create` with explicit params, under `key`.
    pub async fn elicit_with(&self, key: &str, params: ElicitRequestParams) -> Result<ElicitResult, McpError> {
        match self.input(key, params).await? {
            InputResponse::Elicit(r) => Ok(r),
            _ => Err(wrong_kind(key)),
        }
    }

    /// `sampling/createMessage`: ask the client's model, under `key`.
    pub async fn create_message(
        &self,
        key: &str,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, McpError> {
        match self.input(key, params).await? {
            InputResponse::CreateMessage(r) => Ok(r),
            _ => Err(wrong_kind(key)),
        }
    }

    /// `roots/list`: the client's roots, under `key`.
    pub async fn list_roots(&self, key: &str) -> Result<ListRootsResult, McpError> {
        match self.input(key, InputRequest::list_roots()).await? {
            InputResponse::ListRoots(r) => Ok(r),
            _ => Err(wrong_kind(key)),
        }
    }

    /// One input request under `key`.
    pub async fn input(&self, key: &str, request: impl Into<InputRequest>) -> Result<InputResponse, McpError> {
        let mut requests = InputRequests::new();
        requests.insert(key.to_owned(), request.into());
        let mut answers = self.inputs(requests).await?;
        answers.remove(key).ok_or_else(|| wrong_kind(key))
    }

    /// Several input requests at once: on 2026-07-28 they travel in one `input_required` result,
    /// on a 2025 session they are sent concurrently. Answers come back under the same keys.
    pub async fn inputs(&self, requests: InputRequests) -> Result<InputResponses, McpError> {
        let capabilities = self.client_capabilities().unwrap_or_default();
        for request in requests.values() {
            check_capability(request, &capabilities)?;
        }
        if self.is_stateless() { self.inputs_stateless(requests) } else { self.inputs_stateful(requests).await }
    }

    /// Every answer this request has received so far, earlier rounds included, as sent.
    ///
    /// Fails with -32602 when the request's `requestState` is not one this server issued for it.
    pub fn input_responses(&self) -> Result<JsonObject, McpError> {
        match &self.input {
            Some(round) => round.answers().cloned(),
            None => Ok(JsonObject::new()),
        }
    }

    fn inputs_stateless(&self, requests: InputRequests) -> Result<InputResponses, McpError> {
        // Only `tools/call`, `prompts/get` and `resources/read` may answer `input_required`.
        let Some(round) = &self.input else {
            return Err(McpError::internal_error(
                "only tools/call, prompts/get and resources/read can ask the client for input",
            ));
        };
        let answers = round.answers()?;
        let mut found = InputResponses::new();
        let mut missing = InputRequests::new();
        for (key, request) in requests {
            match answers.get(&key) {
                Some(answer) => {
                    found.insert(key.clone(), parse_answer(&key, &request, answer)?);
                }
                None => {
                    missing.insert(key, request);
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let mut result = InputRequiredResult::new();
        result.input_requests = Some(missing);
        result.request_state = Some(round.seal(answers)?);
        Err(McpError::InputRequired(Box::new(result)))
    }

    async fn inputs_stateful(&self, requests: InputRequests) -> Result<InputResponses, McpError> {
        let asked = requests.into_iter().map(|(key, request)| async move {
            let answer = match request {
                InputRequest::Elicit(p) => self.peer.create_elicitation(p).await.map(InputResponse::from),
                InputRequest::CreateMessage(p) => self.peer.create_message(p).await.map(InputResponse::from),
                InputRequest::ListRoots(_) => self.peer.list_roots().await.map(InputResponse::from),
            };
            answer.map(|a| (key, a)).map_err(from_service_error)
        });
        Ok(try_join_all(asked).await?.into_iter().collect())
    }
}

/// The form-mode elicitation of a form derived from `T`.
pub(crate) fn elicit_request<T: JsonSchema>(message: impl Into<String>) -> Result<ElicitRequestParams, McpError> {
    let schema: ElicitationSchema = elicitation_schema_for::<T>().map_err(McpError::internal_error)?;
    Ok(ElicitRequestFormParams::new(message, schema).into())
}

/// What the user did, with accepted content read as `T`.
pub(crate) fn elicit_outcome<T: DeserializeOwned>(key: &str, result: ElicitResult) -> Result<Elicitation<T>, McpError> {
    Ok(match result.action {
        ElicitAction::Accept => {
            let content = serde_json::to_value(result.content.unwrap_or_default())
                .map_err(|e| McpError::internal_error(e.to_string()))?;
            let value = serde_path_to_error::deserialize(content)
                .map_err(|e| McpError::invalid_params(format!("the answer to `{key}` does not fit the form: {e}")))?;
            Elicitation::Accepted(value)
        }
        ElicitAction::Decline => Elicitation::Declined,
        ElicitAction::Cancel => Elicitation::Cancelled,
    })
}

/// An answer read as the result of the method that was asked.
pub(crate) fn parse_answer(key: &str, request: &InputRequest, answer: &Value) -> Result<InputResponse, McpError> {
    fn read<T: DeserializeOwned>(key: &str, answer: &Value) -> Result<T, McpError> {
        T::deserialize(answer)
            .map_err(|e| McpError::invalid_params(format!("inputResponses.{key} is not a valid answer: {e}")))
    }
    Ok(match request {
        InputRequest::Elicit(_) => InputResponse::Elicit(read(key, answer)?),
        InputRequest::CreateMessage(_) => InputResponse::CreateMessage(read(key, answer)?),
        InputRequest::ListRoots(_) => InputResponse::ListRoots(read(key, answer)?),
    })
}

/// -32021 when the client did not declare what `request` needs, down to the elicitation mode
/// and tool use in sampling (both eras: a 2025 client would refuse the request anyway, and the
/// handler learns why).
pub(crate) fn check_capability(request: &InputRequest, caps: &ClientCapabilities) -> Result<(), McpError> {
    let missing = match request {
        InputRequest::Elicit(p) => match p.mode() {
            ElicitationMode::Form if !caps.supports_form_elicitation() => Some(serde_json::json!({"elicitation": {}})),
            ElicitationMode::Url if !caps.supports_url_elicitation() => {
                Some(serde_json::json!({"elicitation": {"url": {}}}))
            }
            _ => None,
        },
        InputRequest::CreateMessage(p) => {
            if caps.sampling.is_none() {
                Some(serde_json::json!({"sampling": {}}))
            } else if (p.tools.is_some() || p.tool_choice.is_some()) && !caps.supports_sampling_tools() {
                Some(serde_json::json!({"sampling": {"tools": {}}}))
            } else {
                None
            }
        }
        InputRequest::ListRoots(_) => caps.roots.is_none().then(|| serde_json::json!({"roots": {}})),
    };
    match missing {
        Some(required) => Err(McpError::Rpc(ErrorData::missing_client_capability(required))),
        None => Ok(()),
    }
}

fn wrong_kind(key: &str) -> McpError {
    McpError::invalid_params(format!("inputResponses.{key} answers a different request"))
}

fn from_service_error(e: ServiceError) -> McpError {
    match e {
        ServiceError::ErrorResponse(e) => McpError::Rpc(e),
        other => McpError::internal_error(format!("asking the client failed: {other}")),
    }
}
