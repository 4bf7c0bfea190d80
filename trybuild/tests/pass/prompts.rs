//! Prompts with plain arguments (`String`, `Option<String>`), with `Parameters<T>`, with
//! extractors, and every prompt return type.

use std::fmt;

use rmcp_core::handler::ServerHandler;
use rmcp_core::model::{GetPromptRequestParams, GetPromptResult, PromptMessage, RequestId};
use rmcp_core::router::{Parameters, PromptRouter};
use rmcp_core::service::{McpError, Peer, RequestContext, RoleServer};
use rmcp_core::{CancellationToken, prompt, prompt_handler, prompt_router};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema)]
struct ReviewArgs {
    /// The code to review.
    code: String,
    /// Its language, if known.
    language: Option<String>,
}

struct Unknown(String);

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown style {}", self.0)
    }
}

struct Prompts {
    prompt_router: PromptRouter<Self>,
}

#[prompt_router]
impl Prompts {
    /// Write a poem.
    #[prompt(title = "Poem")]
    fn poem(
        &self,
        /// What the poem is about.
        topic: String,
        /// Its form, such as `haiku`.
        form: Option<String>,
    ) -> String {
        format!("Write a {} about {topic}", form.as_deref().unwrap_or("poem"))
    }

    /// Review code.
    #[prompt(name = "code-review")]
    async fn review(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ReviewArgs>,
        ct: CancellationToken,
    ) -> Vec<PromptMessage> {
        let _ = (ctx, ct);
        vec![
            PromptMessage::user(format!("Review this {} code:", args.language.as_deref().unwrap_or("unknown"))),
            PromptMessage::user(args.code),
        ]
    }

    #[prompt]
    fn greeting(&self) -> PromptMessage {
        PromptMessage::assistant("Hello! How can I help?")
    }

    #[prompt]
    fn whole(&self) -> GetPromptResult {
        GetPromptResult::new(vec![PromptMessage::user("a whole result")])
    }

    #[prompt]
    fn styled(&self, style: String) -> Result<String, Unknown> {
        if style == "plain" { Ok("Answer plainly.".to_owned()) } else { Err(Unknown(style)) }
    }

    #[prompt]
    fn strict(&self) -> Result<Vec<PromptMessage>, McpError> {
        Err(McpError::invalid_params("not today"))
    }
}

#[prompt_handler]
impl ServerHandler for Prompts {}

async fn get(server: &Prompts, params: GetPromptRequestParams) -> Result<GetPromptResult, McpError> {
    server.get_prompt(params, RequestContext::new(RequestId::from(1), Peer::detached())).await
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let server = Prompts { prompt_router: Prompts::prompt_router() };
    let prompts = server.prompt_router.list_prompts().prompts;
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["poem", "code-review", "greeting", "whole", "styled", "strict"]);
    let poem_args = prompts[0].arguments.as_ref().unwrap();
    let arg = |name: &str| poem_args.iter().find(|a| a.name == name).unwrap();
    assert_eq!(arg("topic").required, Some(true));
    assert_eq!(arg("topic").description.as_deref(), Some("What the poem is about."));
    assert_eq!(arg("form").required, Some(false));
    let review_args = prompts[1].arguments.as_ref().unwrap();
    assert_eq!(review_args.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["code", "language"]);

    let r = get(&server, GetPromptRequestParams::new("poem").with_argument("topic", "the sea")).await.unwrap();
    assert_eq!(r.messages[0].content.as_text(), Some("Write a poem about the sea"));
    let params = GetPromptRequestParams::new("code-review").with_argument("code", "fn main() {}");
    assert_eq!(get(&server, params).await.unwrap().messages.len(), 2);
    assert_eq!(get(&server, GetPromptRequestParams::new("greeting")).await.unwrap().messages.len(), 1);
    assert_eq!(get(&server, GetPromptRequestParams::new("whole")).await.unwrap().messages.len(), 1);
    let params = GetPromptRequestParams::new("styled").with_argument("style", "ornate");
    assert!(get(&server, params).await.unwrap_err().to_string().contains("unknown style ornate"));
    assert!(get(&server, GetPromptRequestParams::new("strict")).await.unwrap_err().to_string().contains("not today"));
}
