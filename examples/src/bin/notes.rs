//! A notes MCP server: prompts, resources, a resource template and completions, written with
//! the macros.
//!
//! Demonstrates every router on one handler:
//! - `#[prompt_router]`: `summarize` takes plain string arguments (`Option<String>` is an
//!   optional one); `draft` takes `Parameters<DraftArgs>`, whose fields become the arguments.
//! - `#[resource_router]`: the fixed resource `notes://index` and the template `note://{name}`,
//!   whose `{name}` arrives as the method's `name` argument.
//! - `#[completion]`: note names for `summarize`'s `name` argument and for the template's
//!   `{name}` variable.
//! - `#[tool_router]`: `write_note`, so completions and reads change as notes are added.
//!
//! `#[tool_handler]`, `#[prompt_handler]` and `#[resource_handler]` stack on one
//! `impl ServerHandler` and declare the capabilities. Run it with
//! `cargo run -p examples --bin notes` (stdio), or with `--http 127.0.0.1:PORT` (`PORT` 0 picks
//! a free one) to serve Streamable HTTP; it then prints the endpoint URL on stderr and stops on
//! Ctrl-C.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, PromptMessage, ServerCapabilities};
use rmcp_core::router::{Parameters, PromptRouter, ResourceRouter, ToolRouter};
use rmcp_core::service::McpError;
use rmcp_core::{
    completion, prompt, prompt_handler, prompt_router, resource, resource_handler, resource_router, resource_template,
    tool, tool_handler, tool_router,
};
use schemars::JsonSchema;
use serde::Deserialize;

/// The server: notes by name, shared by every clone (so by every HTTP session), and one router
/// per kind of feature.
#[derive(Clone)]
struct Notes {
    notes: Arc<Mutex<BTreeMap<String, String>>>,
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
    resource_router: ResourceRouter<Self>,
}

/// The arguments of the `draft` prompt. Prompt arguments are strings on the wire, so the fields
/// are `String` (required) or `Option<String>` (optional); their doc comments describe them.
#[derive(Deserialize, JsonSchema)]
struct DraftArgs {
    /// What the new note is about.
    topic: String,
    /// An existing note to stay consistent with.
    based_on: Option<String>,
}

impl Notes {
    /// A few notes to start with.
    fn new() -> Self {
        let notes = [
            ("groceries", "eggs, milk, bread, coffee"),
            ("meeting", "Thursday 10:00: review the release plan with the team."),
            ("music", "Albums to listen to: Kind of Blue, Blue Train."),
        ]
        .into_iter()
        .map(|(name, text)| (name.to_owned(), text.to_owned()))
        .collect();
        Self {
            notes: Arc::new(Mutex::new(notes)),
            tool_router: Self::tool_router(),
            prompt_router: Self::prompt_router(),
            resource_router: Self::resource_router(),
        }
    }

    /// The notes, locked (a poisoned lock still holds whole strings).
    fn notes(&self) -> MutexGuard<'_, BTreeMap<String, String>> {
        self.notes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The text of note `name`.
    fn text(&self, name: &str) -> Option<String> {
        self.notes().get(name).cloned()
    }

    /// Note names starting with `prefix`, in order: what both completions offer.
    fn names_starting_with(&self, prefix: &str) -> Vec<String> {
        self.notes().keys().filter(|name| name.starts_with(prefix)).cloned().collect()
    }
}

/// The one tool: adding notes, so the other features have something changing to show.
#[tool_router]
impl Notes {
    /// Save a note under `name`, replacing any note of that name.
    #[tool]
    fn write_note(
        &self,
        /// The note's name: letters, digits, `-` and `_`; it is read back at `note://{name}`.
        name: String,
        /// The note's text.
        text: String,
    ) -> Result<String, String> {
        let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(format!("`{name}` is not a valid note name: use letters, digits, `-` and `_`"));
        }
        self.notes().insert(name.clone(), text);
        Ok(format!("saved note://{name}"))
    }
}

/// Prompts, and the completion of `summarize`'s `name` argument.
#[prompt_router]
impl Notes {
    /// Ask for a summary of one note.
    #[prompt(title = "Summarize a note")]
    fn summarize(
        &self,
        /// The name of the note to summarize.
        name: String,
        /// How to summarize it: for example `one line` or `bullet points`.
        style: Option<String>,
    ) -> Result<String, McpError> {
        // A prompt has no error result: an unknown note is a JSON-RPC error.
        let text = self.text(&name).ok_or_else(|| McpError::invalid_params(format!("no note named `{name}`")))?;
        let style = style.as_deref().unwrap_or("one paragraph");
        Ok(format!("Summarize the note `{name}` as {style}:\n\n{text}"))
    }

    /// Ask for a new note, optionally based on an existing one.
    #[prompt(title = "Draft a note")]
    fn draft(&self, Parameters(args): Parameters<DraftArgs>) -> Result<Vec<PromptMessage>, McpError> {
        let mut messages = vec![PromptMessage::user(format!("Draft a short note about {}.", args.topic))];
        if let Some(name) = args.based_on {
            let text = self.text(&name).ok_or_else(|| McpError::invalid_params(format!("no note named `{name}`")))?;
            messages.push(PromptMessage::user(format!("Keep it consistent with the note `{name}`:\n\n{text}")));
        }
        Ok(messages)
    }

    /// Completes `summarize`'s `name` argument with the names of existing notes.
    #[completion(prompt = "summarize", argument = "name")]
    fn complete_summarize_name(&self, typed: String) -> Vec<String> {
        self.names_starting_with(&typed)
    }
}

/// Resources: the index, each note through the `note://{name}` template, and the completion of
/// the template's variable.
#[resource_router]
impl Notes {
    /// The names of all notes, one per line.
    #[resource(uri = "notes://index", name = "index", mime_type = "text/plain")]
    fn index(&self) -> String {
        self.notes().keys().map(|name| format!("{name}\n")).collect()
    }

    /// One note's text.
    #[resource_template(uri_template = "note://{name}", name = "note", mime_type = "text/plain")]
    fn note(&self, name: String) -> Result<String, McpError> {
        // The resource function does not see the URI it was read at; rebuild it for the error.
        self.text(&name).ok_or_else(|| McpError::resource_not_found(&format!("note://{name}")))
    }

    /// Completes the template's `{name}` with the names of existing notes.
    #[completion(resource = "note://{name}", argument = "name")]
    fn complete_note_name(&self, typed: String) -> Vec<String> {
        self.names_starting_with(&typed)
    }
}

/// The three handler attributes add every list/get/read/call/complete method and the
/// capabilities (`tools`, `prompts`, `resources`, `completions`).
#[tool_handler]
#[prompt_handler]
#[resource_handler]
impl ServerHandler for Notes {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("notes", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
            .with_instructions(
                "Notes by name. Read notes://index for the names and note://{name} for a note; save one with \
                 write_note; prompts: summarize, draft.",
            )
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let notes = Notes::new();
    // Every session's handler is a clone: they all share the notes.
    examples::run("notes", move || notes.clone()).await
}
