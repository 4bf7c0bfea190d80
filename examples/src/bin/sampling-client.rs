//! A client that lends the `assistant` server its model, its user and its roots.
//!
//! Demonstrates a [`ClientHandler`] answering a server's sampling (`create_message`), elicitation
//! (`create_elicitation`) and roots (`list_roots`) requests, written once for both protocol
//! eras. With `--era 2025` the server sends those as requests while its tool waits; with
//! `--era 2026` (the default) its tool ends with an `input_required` result, and `call_tool`
//! answers it with the same handler methods and retries, so the caller never sees the extra
//! round. Apart from the line naming the protocol version, the output is the same in both eras.
//!
//! The "model" is a deterministic stand-in (it echoes the first five words of what it is asked
//! to summarize), the "user" always answers "Ada", and the one root is the working directory.
//!
//! Run it with `cargo build -p examples --bins && target/debug/sampling-client [--era 2025|2026]`:
//! it starts `assistant` from its own directory as a child process.

use rmcp_core::ClientHandler;
use rmcp_core::handler::{ClientInfo, ProtocolPreference};
use rmcp_core::model::{
    CallToolRequestParams, ClientCapabilities, CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams,
    ElicitResult, Implementation, JsonObject, ListRootsResult, Role, Root, SamplingContent, stop_reason,
};
use rmcp_core::service::{McpError, RequestContext, ServiceExt};
use rmcp_core::transport::ChildProcess;
use rmcp_core::{RoleClient, RunningService};
use tokio::process::Command;

/// What the stand-in user types into any form that asks for a name.
const USER_NAME: &str = "Ada";

/// The text `summarize` is called with.
const ARTICLE: &str = "The Model Context Protocol lets a server borrow the client's language model, ask its user \
                       questions and see its workspace, without holding any credentials of its own.";

/// The client: what it lends the server, and which era it speaks.
struct Assistant {
    protocol: ProtocolPreference,
    root: Root,
}

impl ClientHandler for Assistant {
    fn get_info(&self) -> ClientInfo {
        // Declaring the capabilities is what lets the server ask: without them its `ctx` calls
        // fail with -32021 (missing client capability) before anything is sent.
        let capabilities = ClientCapabilities::builder().enable_sampling().enable_elicitation().enable_roots().build();
        ClientInfo::new(Implementation::new("sampling-client", env!("CARGO_PKG_VERSION")), capabilities)
            .with_protocol(self.protocol.clone())
    }

    /// A stand-in for a real model: "summary: " and the first five words of the last user
    /// message. Deterministic, so the example's output can be checked.
    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, McpError> {
        let prompt = params
            .messages
            .iter()
            .rev()
            .find(|m| m.role == Role::User)
            .map(|m| m.content.blocks().iter().filter_map(|b| b.as_text()).collect::<Vec<_>>().join(" "))
            .ok_or_else(|| McpError::invalid_params("nothing to answer: no user message"))?;
        let words: Vec<&str> = prompt.split_whitespace().collect();
        println!("  [model] asked for at most {} tokens about {} words", params.max_tokens, words.len());
        let mut summary = words.iter().take(5).copied().collect::<Vec<_>>().join(" ");
        if words.len() > 5 {
            summary.push('…');
        }
        Ok(CreateMessageResult::new(Role::Assistant, SamplingContent::text(format!("summary: {summary}")), "stand-in")
            .with_stop_reason(stop_reason::END_TURN))
    }

    /// A stand-in for the user: fills in a form that asks for `name`, declines anything else.
    async fn create_elicitation(
        &self,
        params: ElicitRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, McpError> {
        // URL-mode elicitation would send the user to a web page; this user has no browser.
        let ElicitRequestParams::Form(form) = params else {
            println!("  [user] declines to open a URL");
            return Ok(ElicitResult::decline());
        };
        if form.requested_schema.property("name").is_none() {
            println!("  [user] declines to answer \"{}\"", form.message);
            return Ok(ElicitResult::decline());
        }
        println!("  [user] asked \"{}\", answers \"{USER_NAME}\"", form.message);
        Ok(ElicitResult::accept([("name".to_owned(), USER_NAME.into())].into()))
    }

    async fn list_roots(&self, _ctx: RequestContext<RoleClient>) -> Result<ListRootsResult, McpError> {
        println!("  [client] shares 1 root");
        Ok(ListRootsResult::new(vec![self.root.clone()]))
    }
}

/// The working directory as a `file://` root, with the bytes a URI cannot hold percent-encoded.
fn working_directory_root() -> anyhow::Result<Root> {
    let dir = std::env::current_dir()?;
    let path = dir.to_string_lossy();
    let mut uri = "file://".to_owned();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    let name = dir.file_name().map_or_else(|| "root".to_owned(), |n| n.to_string_lossy().into_owned());
    Ok(Root::new(uri).with_name(name))
}

/// Call `name` and print what it returned, marking tool errors.
async fn call(client: &RunningService<RoleClient, Assistant>, name: &str, arguments: JsonObject) -> anyhow::Result<()> {
    println!("{name}:");
    let mut params = CallToolRequestParams::new(name);
    if !arguments.is_empty() {
        params = params.with_arguments(arguments);
    }
    let result = client.call_tool(params).await?;
    let marker = if result.is_error() { " (tool error)" } else { "" };
    println!("  => {}{marker}", examples::text_of(&result));
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let protocol = examples::era_from_args()?;
    let server = Command::new(examples::sibling_binary("assistant")?);
    let handler = Assistant { protocol, root: working_directory_root()? };
    let client = handler.serve(ChildProcess::new(server)?).await?;
    let version = client.protocol_version().map_or_else(|| "unknown".to_owned(), |v| v.to_string());
    println!("connected to assistant over stdio, protocol {version}");

    let mut text = JsonObject::new();
    text.insert("text".into(), ARTICLE.into());
    call(&client, "summarize", text).await?;
    call(&client, "greet", JsonObject::new()).await?;
    call(&client, "workspace", JsonObject::new()).await?;

    client.cancel().await;
    Ok(())
}
