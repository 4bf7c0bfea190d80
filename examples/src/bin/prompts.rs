//! A server of prompt templates with arguments.
//!
//! Demonstrates `#[prompt_router]`: `explain` takes one required argument; `review` takes a
//! `Parameters<T>` struct with a required and an optional argument and returns a conversation
//! of two messages; `translate`'s `language` argument is completed as the user types
//! (`#[completion]`). A prompt has no error result: a bad argument is a JSON-RPC error (-32602).
//!
//! Run it with `cargo run -p examples --bin prompts` (stdio), or with `--http 127.0.0.1:0`.

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, PromptMessage, ServerCapabilities};
use rmcp_core::router::{Parameters, PromptRouter};
use rmcp_core::service::McpError;
use rmcp_core::{completion, prompt, prompt_handler, prompt_router};
use schemars::JsonSchema;
use serde::Deserialize;

/// The languages `translate` knows, in the order completions offer them.
const LANGUAGES: [&str; 5] = ["go", "java", "javascript", "python", "rust"];

/// The arguments of `review` (prompt arguments are strings on the wire).
#[derive(Deserialize, JsonSchema)]
struct ReviewArgs {
    /// The code to review.
    code: String,
    /// What to look at, such as "security" (everything if absent).
    focus: Option<String>,
}

#[derive(Clone)]
struct Prompts {
    prompt_router: PromptRouter<Self>,
}

#[prompt_router]
impl Prompts {
    /// Explain a term simply.
    #[prompt(title = "Explain a term")]
    fn explain(
        &self,
        /// The term to explain.
        term: String,
    ) -> String {
        format!("Explain \"{term}\" in two sentences a newcomer understands.")
    }

    /// Review a piece of code.
    #[prompt(title = "Code review")]
    fn review(&self, Parameters(args): Parameters<ReviewArgs>) -> Result<Vec<PromptMessage>, McpError> {
        if args.code.trim().is_empty() {
            return Err(McpError::invalid_params("`code` is empty: paste the code to review"));
        }
        let focus = args.focus.unwrap_or_else(|| "correctness, clarity and security".to_owned());
        Ok(vec![
            PromptMessage::user(format!("Review this code, looking at {focus}:\n\n{}", args.code)),
            // An assistant turn sets the model up to answer in the wanted shape.
            PromptMessage::assistant("I will list the problems first, the most serious first, each with a fix."),
        ])
    }

    /// Translate code into another language.
    #[prompt(title = "Translate code")]
    fn translate(
        &self,
        /// The code.
        code: String,
        /// The target language.
        language: String,
    ) -> Result<String, McpError> {
        if !LANGUAGES.contains(&language.as_str()) {
            return Err(McpError::invalid_params(format!("unknown language `{language}`: one of {LANGUAGES:?}")));
        }
        Ok(format!("Translate this into idiomatic {language}:\n\n{code}"))
    }

    /// The languages starting with what the user typed.
    #[completion(prompt = "translate", argument = "language")]
    fn complete_language(&self, typed: String) -> Vec<String> {
        LANGUAGES.iter().filter(|l| l.starts_with(typed.as_str())).map(|l| (*l).to_owned()).collect()
    }
}

#[prompt_handler]
impl ServerHandler for Prompts {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("prompts", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::run("prompts", || Prompts { prompt_router: Prompts::prompt_router() }).await
}
