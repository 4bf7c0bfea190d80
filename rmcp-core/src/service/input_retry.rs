//! The client's side of multi round-trip requests (2026-07-28): when a server answers
//! `tools/call`, `prompts/get` or `resources/read` with `input_required`, fulfil its input
//! requests with this client's own handler and retry the request with the answers.
//!
//! The same handler methods answer a 2025 server's sampling, elicitation and roots requests, so
//! an application writes them once for both eras.

use futures_util::future::try_join_all;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{Peer, RequestContext, RequestOptions, RoleClient, ServiceError};
use crate::model::tasks_ext;
use crate::model::{
    CallToolRequestParams, ClientResult, GetPromptRequestParams, InputRequest, InputRequests, InputRequiredResult,
    JsonObject, ReadResourceRequestParams, RequestId, ServerRequest,
};

/// The params of a request that may be answered with `input_required`, and how a retry carries
/// the answers and the echoed state.
pub(crate) trait Retryable: Serialize {
    fn set_input(&mut self, responses: JsonObject, state: Option<String>);
}

impl Retryable for CallToolRequestParams {
    fn set_input(&mut self, responses: JsonObject, state: Option<String>) {
        self.input_responses = Some(responses);
        self.request_state = state;
    }
}

impl Retryable for GetPromptRequestParams {
    fn set_input(&mut self, responses: JsonObject, state: Option<String>) {
        self.input_responses = Some(responses);
        self.request_state = state;
    }
}

impl Retryable for ReadResourceRequestParams {
    fn set_input(&mut self, responses: JsonObject, state: Option<String>) {
        self.input_responses = Some(responses);
        self.request_state = state;
    }
}

/// Only `resultType` is read to tell an interim result from the final one; a result without it
/// is final.
#[derive(Deserialize)]
struct ResultKind {
    #[serde(rename = "resultType")]
    result_type: Option<String>,
}

/// Send `method` and, on a stateless connection, answer `input_required` rounds until the
/// server completes it. Each retry is a new request (new id) carrying only the answers to the
/// latest round and the state the server sent with it.
pub(super) async fn request_with_input<P: Retryable, T: DeserializeOwned>(
    peer: &Peer<RoleClient>,
    method: &'static str,
    mut params: P,
    options: RequestOptions,
) -> Result<T, ServiceError> {
    if !peer.protocol_version().is_some_and(|v| v.is_stateless()) {
        return peer.send_request(method, &params, options).await;
    }
    let max_rounds = peer.own_info().map_or(super::DEFAULT_MAX_INPUT_ROUNDS, |i| i.max_input_rounds);
    let mut rounds = 0;
    loop {
        let raw = peer.send_request_raw(method, &params, options.clone()).await?;
        let kind: ResultKind = serde_json::from_str(raw.get()).map_err(unexpected)?;
        match kind.result_type.as_deref() {
            Some("input_required") => {}
            // The server made the request a task (tasks extension): wait for its result.
            Some(tasks_ext::RESULT_TYPE_TASK) => {
                let task: tasks_ext::CreateTaskResult = serde_json::from_str(raw.get()).map_err(unexpected)?;
                let result = peer.wait_for_task(&task.task.task_id).await?;
                return serde_json::from_value(serde_json::Value::Object(result)).map_err(unexpected);
            }
            _ => return serde_json::from_str(raw.get()).map_err(unexpected),
        }
        if rounds == max_rounds {
            return Err(ServiceError::TooManyInputRounds { rounds });
        }
        rounds += 1;
        let asked: InputRequiredResult = serde_json::from_str(raw.get()).map_err(unexpected)?;
        let responses = fulfil(peer, asked.input_requests.unwrap_or_default()).await?;
        params.set_input(responses, asked.request_state);
    }
}

/// Answer every input request with `peer`'s own handler (this client's), concurrently.
pub(super) async fn fulfil(peer: &Peer<RoleClient>, requests: InputRequests) -> Result<JsonObject, ServiceError> {
    let local = peer.shared.local.get().ok_or(ServiceError::TransportClosed)?.clone();
    let version = peer.protocol_version();
    let answers = requests.into_iter().map(|(key, request)| {
        let local = local.clone();
        let mut ctx = RequestContext::new(RequestId::String(format!("input:{key}").into()), peer.clone());
        if let Some(v) = &version {
            ctx.protocol_version = v.clone();
        }
        async move {
            let request = match request {
                InputRequest::Elicit(p) => ServerRequest::Elicit(p),
                InputRequest::CreateMessage(p) => ServerRequest::CreateMessage(p),
                InputRequest::ListRoots(p) => ServerRequest::ListRoots(p.unwrap_or_default()),
            };
            let answer = local(request, ctx)
                .await
                .map_err(|e| ServiceError::Input { key: key.clone(), message: e.to_string() })?;
            let value = match answer {
                ClientResult::Elicit(r) => serde_json::to_value(r),
                ClientResult::CreateMessage(r) => serde_json::to_value(r),
                ClientResult::ListRoots(r) => serde_json::to_value(r),
                other => serde_json::to_value(other),
            }
            .map_err(unexpected)?;
            Ok::<_, ServiceError>((key, value))
        }
    });
    Ok(try_join_all(answers).await?.into_iter().collect())
}

fn unexpected(e: serde_json::Error) -> ServiceError {
    ServiceError::UnexpectedResponse(e.to_string())
}
