//! The multi round-trip fixtures (CONTRACT A.9), written with the SDK's input API: each tool asks
//! with `ctx.elicit` / `ctx.create_message` / `ctx.list_roots` / `ctx.inputs`. On 2026-07-28 the
//! SDK answers `input_required` (with a signed `requestState` carrying earlier answers) and the
//! tool runs again on the retry; on a 2025 session the same calls are requests to the client.

use rmcp_core::model::{
    CreateMessageRequestParams, ElicitRequestFormParams, InputRequest, InputRequests, InputResponse, PromptMessage,
    Role, SamplingContent, SamplingMessage,
};
use rmcp_core::schema::elicitation_schema_for;
use rmcp_core::service::{Elicitation, McpError, RequestContext, RoleServer};
use rmcp_core::{prompt, prompt_router, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::Everything;

/// What `test_input_required_result_elicitation` asks.
#[derive(Deserialize, JsonSchema)]
struct UserName {
    name: String,
}

/// A yes/no confirmation.
#[derive(Deserialize, JsonSchema)]
struct Confirm {
    ok: bool,
}

/// The second question of the multi-round tool (the suite answers with the field `color`).
#[derive(Deserialize, JsonSchema)]
struct FavouriteColor {
    color: String,
}

/// The context the MRTR prompt asks for.
#[derive(Deserialize, JsonSchema)]
struct UserContext {
    context: String,
}

fn ask(text: &str, max_tokens: u64) -> CreateMessageRequestParams {
    CreateMessageRequestParams::new(vec![SamplingMessage::new(Role::User, SamplingContent::text(text))], max_tokens)
}

fn elicit_request<T: JsonSchema>(message: &str) -> Result<InputRequest, McpError> {
    let schema = elicitation_schema_for::<T>().map_err(McpError::internal_error)?;
    Ok(ElicitRequestFormParams::new(message, schema).into())
}

fn name_of(answer: Elicitation<UserName>) -> String {
    match answer {
        Elicitation::Accepted(u) => u.name,
        Elicitation::Declined => "(declined)".to_owned(),
        Elicitation::Cancelled => "(cancelled)".to_owned(),
    }
}

fn text_of(answer: Option<&InputResponse>) -> String {
    match answer {
        Some(InputResponse::CreateMessage(m)) => m.content.blocks().iter().filter_map(|b| b.as_text()).collect(),
        Some(InputResponse::ListRoots(r)) => r.roots.iter().map(|r| r.uri.as_str()).collect::<Vec<_>>().join(", "),
        Some(InputResponse::Elicit(e)) => format!("{:?}", e.action),
        None => String::new(),
    }
}

#[tool_router(router = mrtr_tools)]
impl Everything {
    /// Asks the user's name (input key `user_name`), then greets them.
    #[tool]
    async fn test_input_required_result_elicitation(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        let name = name_of(ctx.elicit::<UserName>("user_name", "What is your name?").await?);
        Ok(format!("Hello, {name}!"))
    }

    /// Asks the client's model a question.
    #[tool]
    async fn test_input_required_result_sampling(&self, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        let answer = ctx.create_message("capital", ask("What is the capital of France?", 100)).await?;
        let text: String = answer.content.blocks().iter().filter_map(|b| b.as_text()).collect();
        Ok(format!("The model said: {text}"))
    }

    /// Asks for the client's roots.
    #[tool]
    async fn test_input_required_result_list_roots(&self, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        let roots = ctx.list_roots("roots").await?;
        let uris: Vec<&str> = roots.roots.iter().map(|r| r.uri.as_str()).collect();
        Ok(format!("Roots: {}", uris.join(", ")))
    }

    /// Asks for a confirmation; the retry must bring back the signed request state.
    #[tool]
    async fn test_input_required_result_request_state(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        // The SDK verifies the state (and refuses a forged one) before the answer is returned.
        let answer = ctx.elicit::<Confirm>("confirm", "Please confirm").await?;
        let ok = matches!(answer, Elicitation::Accepted(Confirm { ok: true }));
        Ok(format!("state-ok: confirmed={ok}"))
    }

    /// Asks for a name, a model completion and the roots in one round.
    #[tool]
    async fn test_input_required_result_multiple_inputs(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        let mut asked = InputRequests::new();
        asked.insert("user_name".into(), elicit_request::<UserName>("What is your name?")?);
        asked.insert("greeting".into(), ask("Generate a greeting", 50).into());
        asked.insert("roots".into(), InputRequest::list_roots());
        let answers = ctx.inputs(asked).await?;
        Ok(format!(
            "All inputs received: name={}, greeting={}, roots={}",
            text_of(answers.get("user_name")),
            text_of(answers.get("greeting")),
            text_of(answers.get("roots"))
        ))
    }

    /// Asks in two rounds: a name, then a favourite color.
    #[tool]
    async fn test_input_required_result_multi_round(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        let name = name_of(ctx.elicit::<UserName>("step1", "What is your name?").await?);
        let color = match ctx.elicit::<FavouriteColor>("step2", "What is your favourite color?").await? {
            Elicitation::Accepted(c) => c.color,
            _ => "(none)".to_owned(),
        };
        Ok(format!("{name} likes {color}"))
    }

    /// Asks for a confirmation under an integrity-protected state; a tampered state is -32602.
    #[tool]
    async fn test_input_required_result_tampered_state(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        ctx.elicit::<Confirm>("confirm", "Please confirm").await?;
        Ok("state verified".to_owned())
    }

    /// Asks only for what this request's client capabilities allow.
    #[tool]
    async fn test_input_required_result_capabilities(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, McpError> {
        let caps = ctx.client_capabilities().unwrap_or_default();
        let mut asked = InputRequests::new();
        if caps.elicitation.is_some() {
            asked.insert("user_name".into(), elicit_request::<UserName>("What is your name?")?);
        }
        if caps.sampling.is_some() {
            asked.insert("greeting".into(), ask("Generate a greeting", 50).into());
        }
        let answered = ctx.inputs(asked).await?;
        Ok(format!("Received {} input(s)", answered.len()))
    }
}

#[prompt_router(router = mrtr_prompts)]
impl Everything {
    /// A prompt that first asks the user for context.
    #[prompt]
    async fn test_input_required_result_prompt(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<Vec<PromptMessage>, McpError> {
        let context = match ctx.elicit::<UserContext>("user_context", "What context should the prompt use?").await? {
            Elicitation::Accepted(c) => c.context,
            _ => "(none)".to_owned(),
        };
        Ok(vec![PromptMessage::user(format!("Context provided: {context}"))])
    }
}
