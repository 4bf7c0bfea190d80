//! The notes example as a real child process: prompts, resources, the `note://{name}` template
//! and completions over stdio, and notes shared between sessions over Streamable HTTP.

mod support;

use rmcp_core::handler::ProtocolPreference;
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, CompleteRequestParams, CompletionArgument, ErrorCode,
    GetPromptRequestParams, GetPromptResult, ProtocolVersion, ReadResourceRequestParams, Reference, ResourceContents,
};
use rmcp_core::service::{Peer, RoleClient, ServiceExt};
use rmcp_core::transport::http::StreamableHttpClientTransport;
use serde_json::json;
use support::Era;

const NOTES: &str = env!("CARGO_BIN_EXE_notes");

/// The texts of a prompt's messages.
fn messages(result: &GetPromptResult) -> Vec<&str> {
    result.messages.iter().map(|m| m.content.as_text().unwrap()).collect()
}

/// The text of resource `uri`.
async fn read(client: &Peer<RoleClient>, uri: &str) -> String {
    let result = client.read_resource(ReadResourceRequestParams::new(uri)).await.unwrap();
    match &result.contents[..] {
        [ResourceContents::Text(t)] => {
            assert_eq!(t.uri, uri);
            t.text.clone()
        }
        other => panic!("one text content expected: {other:?}"),
    }
}

/// The completion values for `argument` = `typed` of `reference`.
async fn complete(client: &Peer<RoleClient>, reference: Reference, argument: &str, typed: &str) -> Vec<String> {
    let params = CompleteRequestParams::new(reference, CompletionArgument::new(argument, typed));
    client.complete(params).await.unwrap().completion.values
}

async fn write_note(client: &Peer<RoleClient>, name: &str, text: &str) -> CallToolResult {
    let args = json!({"name": name, "text": text}).as_object().unwrap().clone();
    client.call_tool(CallToolRequestParams::new("write_note").with_arguments(args)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capabilities_come_from_the_handler_attributes() {
    let client = support::stdio_client(NOTES).await;
    let info = client.server_info().unwrap();
    let caps = &info.capabilities;
    assert!(caps.tools.is_some() && caps.prompts.is_some() && caps.resources.is_some(), "{caps:?}");
    assert!(caps.completions.is_some(), "{caps:?}");
    assert!(info.instructions.as_deref().unwrap_or_default().contains("note://{name}"));
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompts_are_listed_and_rendered() {
    let client = support::stdio_client(NOTES).await;
    let prompts = client.list_all_prompts().await.unwrap();
    assert_eq!(prompts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["summarize", "draft"]);
    let summarize = &prompts[0];
    assert_eq!(summarize.title.as_deref(), Some("Summarize a note"));
    assert_eq!(summarize.description.as_deref(), Some("Ask for a summary of one note."));
    let required = |args: &[rmcp_core::model::PromptArgument], name: &str| {
        args.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("no argument {name}")).required
    };
    let args = summarize.arguments.as_deref().unwrap();
    assert_eq!((required(args, "name"), required(args, "style")), (Some(true), Some(false)));
    let args = prompts[1].arguments.as_deref().unwrap();
    assert_eq!((required(args, "topic"), required(args, "based_on")), (Some(true), Some(false)));

    let get = |params: GetPromptRequestParams| client.get_prompt(params);
    let r = get(GetPromptRequestParams::new("summarize").with_argument("name", "groceries")).await.unwrap();
    assert_eq!(messages(&r), ["Summarize the note `groceries` as one paragraph:\n\neggs, milk, bread, coffee"]);
    let r =
        get(GetPromptRequestParams::new("summarize").with_argument("name", "music").with_argument("style", "one line"))
            .await
            .unwrap();
    assert!(messages(&r)[0].starts_with("Summarize the note `music` as one line:"), "{:?}", messages(&r));

    let r = get(GetPromptRequestParams::new("draft").with_argument("topic", "jazz")).await.unwrap();
    assert_eq!(messages(&r), ["Draft a short note about jazz."]);
    let r = get(GetPromptRequestParams::new("draft").with_argument("topic", "jazz").with_argument("based_on", "music"))
        .await
        .unwrap();
    assert_eq!(messages(&r).len(), 2);
    assert!(messages(&r)[1].ends_with("Kind of Blue, Blue Train."), "{:?}", messages(&r));

    let e = get(GetPromptRequestParams::new("summarize").with_argument("name", "nope")).await.unwrap_err();
    assert!(e.to_string().contains("no note named `nope`"), "{e}");
    let e = get(GetPromptRequestParams::new("draft")).await.unwrap_err();
    assert!(e.to_string().contains("topic"), "a missing required argument is named: {e}");
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_and_the_template_are_read() {
    let client = support::stdio_client(NOTES).await;
    let resources = client.list_all_resources().await.unwrap();
    assert_eq!(resources.len(), 1);
    assert_eq!((resources[0].uri.as_str(), resources[0].name.as_str()), ("notes://index", "index"));
    assert_eq!(resources[0].mime_type.as_deref(), Some("text/plain"));
    let templates = client.list_all_resource_templates().await.unwrap();
    assert_eq!(templates.len(), 1);
    assert_eq!((templates[0].uri_template.as_str(), templates[0].name.as_str()), ("note://{name}", "note"));
    assert_eq!(templates[0].description.as_deref(), Some("One note's text."));

    assert_eq!(read(&client, "notes://index").await, "groceries\nmeeting\nmusic\n");
    assert_eq!(read(&client, "note://meeting").await, "Thursday 10:00: review the release plan with the team.");
    let e = client.read_resource(ReadResourceRequestParams::new("note://nope")).await.unwrap_err();
    let e = e.as_error_response().expect("a JSON-RPC error");
    assert_eq!(e.code, ErrorCode::INVALID_PARAMS);
    assert_eq!(e.data, Some(json!({"uri": "note://nope"})));
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_offer_note_names() {
    let client = support::stdio_client(NOTES).await;
    let prompt = || Reference::prompt("summarize");
    let template = || Reference::resource("note://{name}");
    assert_eq!(complete(&client, prompt(), "name", "m").await, ["meeting", "music"]);
    assert_eq!(complete(&client, prompt(), "name", "").await, ["groceries", "meeting", "music"]);
    assert_eq!(complete(&client, template(), "name", "g").await, ["groceries"]);
    assert!(complete(&client, template(), "name", "x").await.is_empty());
    assert!(complete(&client, prompt(), "style", "o").await.is_empty(), "no completion for `style`");
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn written_notes_are_read_and_completed() {
    let client = support::stdio_client(NOTES).await;
    let r = write_note(&client, "movies", "Alien, Heat").await;
    assert!(!r.is_error());
    assert_eq!(r.content[0].as_text(), Some("saved note://movies"));
    assert_eq!(read(&client, "note://movies").await, "Alien, Heat");
    assert_eq!(
        complete(&client, Reference::resource("note://{name}"), "name", "m").await,
        ["meeting", "movies", "music"]
    );

    let r = write_note(&client, "no/slashes", "x").await;
    assert!(r.is_error(), "a bad name is a tool error");
    assert!(r.content[0].as_text().unwrap().contains("not a valid note name"));
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_sessions_share_the_notes() {
    let (_server, url) = support::serve_over_http(NOTES).await;
    let stateful = Era(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
        .serve(StreamableHttpClientTransport::new(url.clone()))
        .await
        .unwrap();
    let stateless = Era(ProtocolPreference::Stateless).serve(StreamableHttpClientTransport::new(url)).await.unwrap();
    assert_eq!(stateful.protocol_version(), Some(ProtocolVersion::V2025_11_25));
    assert_eq!(stateless.protocol_version(), Some(ProtocolVersion::V2026_07_28));

    assert!(!write_note(&stateful, "travel", "Lisbon in May").await.is_error());
    assert_eq!(read(&stateless, "note://travel").await, "Lisbon in May");
    assert_eq!(complete(&stateless, Reference::prompt("summarize"), "name", "t").await, ["travel"]);
    let r =
        stateless.get_prompt(GetPromptRequestParams::new("summarize").with_argument("name", "travel")).await.unwrap();
    assert!(messages(&r)[0].ends_with("Lisbon in May"));
    stateful.cancel().await;
    stateless.cancel().await;
}
