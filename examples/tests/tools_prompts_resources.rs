//! The guide's one-idea server examples as real child processes over stdio: structured output,
//! prompts with arguments, resource templates with completion, tools that change at run time,
//! and resource subscriptions.

mod guide_support;
mod support;

use std::time::Duration;

use guide_support::{call, stdio_child, text};
use rmcp_core::handler::ProtocolPreference;
use rmcp_core::model::{
    CompleteRequestParams, CompletionArgument, CompletionContext, ErrorCode, GetPromptRequestParams, ProtocolVersion,
    ReadResourceRequestParams, Reference, ResourceContents, ResourceUpdatedNotificationParams, SubscribeRequestParams,
};
use rmcp_core::service::{NotificationContext, Peer};
use rmcp_core::{ClientHandler, RoleClient};
use serde_json::json;
use support::Era;
use tokio::sync::mpsc;

fn stateful() -> Era {
    Era(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn structured_output_has_a_schema_and_matching_content() {
    let (client, _) = stdio_child(env!("CARGO_BIN_EXE_structured-output"), &[], ()).await;
    let tools = client.list_all_tools().await.unwrap();
    let schema = tools[0].output_schema.as_ref().expect("Json<T> declares an outputSchema");
    assert_eq!(schema["properties"]["days"]["type"], "array");
    assert_eq!(schema["properties"]["city"]["description"], "The city, as asked.");

    let result = client.call_tool(call("forecast", json!({"city": "Oslo", "days": 2}))).await.unwrap();
    assert!(!result.is_error());
    let structured = result.structured_content.clone().unwrap();
    assert_eq!(structured["city"], "Oslo");
    assert_eq!(structured["days"].as_array().unwrap().len(), 2);
    assert_eq!(structured["days"][0], json!({"high_c": 8, "low_c": 0, "sky": "sunny"}));
    // The text block is the same JSON, for clients that read only text.
    assert_eq!(serde_json::from_str::<serde_json::Value>(&text(&result)).unwrap(), structured);

    let unknown = client.call_tool(call("forecast", json!({"city": "Atlantis", "days": 1}))).await.unwrap();
    assert!(unknown.is_error() && unknown.structured_content.is_none());
    assert!(text(&unknown).contains("no forecast for Atlantis"));
    let bad = client.call_tool(call("forecast", json!({"city": "Oslo", "days": "many"}))).await.unwrap();
    assert!(bad.is_error(), "an argument of the wrong type is a tool error: {bad:?}");
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompts_take_arguments_and_complete_them() {
    let (client, _) = stdio_child(env!("CARGO_BIN_EXE_prompts"), &[], ()).await;
    let prompts = client.list_all_prompts().await.unwrap();
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["explain", "review", "translate"]);
    let review = prompts[1].arguments.as_deref().unwrap();
    assert_eq!((review[0].name.as_str(), review[0].required), ("code", Some(true)));
    assert_eq!((review[1].name.as_str(), review[1].required), ("focus", Some(false)));

    let explain = client.get_prompt(GetPromptRequestParams::new("explain").with_argument("term", "MCP")).await.unwrap();
    assert_eq!(explain.messages[0].content.as_text(), Some("Explain \"MCP\" in two sentences a newcomer understands."));
    let params =
        GetPromptRequestParams::new("review").with_argument("code", "fn f() {}").with_argument("focus", "style");
    let review = client.get_prompt(params).await.unwrap();
    assert_eq!(review.messages.len(), 2);
    assert!(review.messages[0].content.as_text().unwrap().starts_with("Review this code, looking at style:"));

    let empty = client.get_prompt(GetPromptRequestParams::new("review").with_argument("code", " ")).await.unwrap_err();
    assert_eq!(empty.as_error_response().map(|e| e.code), Some(ErrorCode::INVALID_PARAMS));
    let missing = client.get_prompt(GetPromptRequestParams::new("explain")).await.unwrap_err();
    assert!(missing.to_string().contains("term"), "{missing}");

    let complete = |typed: &str| {
        let params =
            CompleteRequestParams::new(Reference::prompt("translate"), CompletionArgument::new("language", typed));
        client.complete(params)
    };
    assert_eq!(complete("j").await.unwrap().completion.values, ["java", "javascript"]);
    assert_eq!(complete("").await.unwrap().completion.values.len(), 5);
    assert!(complete("x").await.unwrap().completion.values.is_empty());
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_are_read_and_their_variables_completed_in_context() {
    let (client, _) = stdio_child(env!("CARGO_BIN_EXE_resource-templates"), &[], ()).await;
    let templates = client.list_all_resource_templates().await.unwrap();
    assert_eq!(templates[0].uri_template, "shop://{category}/{item}");
    let read = |uri: &'static str| client.read_resource(ReadResourceRequestParams::new(uri));
    let categories = read("shop://categories").await.unwrap();
    assert!(matches!(&categories.contents[..], [ResourceContents::Text(t)] if t.text == "fruit\ntools\n"));
    let hammer = read("shop://tools/hammer").await.unwrap();
    assert!(matches!(&hammer.contents[..], [ResourceContents::Text(t)] if t.text == "hammer (tools): 15.00 EUR"));
    let missing = read("shop://fruit/hammer").await.unwrap_err();
    let missing = missing.as_error_response().unwrap();
    assert_eq!(
        (missing.code, missing.data.clone()),
        (ErrorCode::INVALID_PARAMS, Some(json!({"uri": "shop://fruit/hammer"})))
    );

    let template = || Reference::resource("shop://{category}/{item}");
    let params = CompleteRequestParams::new(template(), CompletionArgument::new("category", "f"));
    assert_eq!(client.complete(params).await.unwrap().completion.values, ["fruit"]);
    // `item` is completed within the category already chosen.
    let within = |category: &str, typed: &str| {
        let context = CompletionContext::new([("category".to_owned(), category.to_owned())].into());
        CompleteRequestParams::new(template(), CompletionArgument::new("item", typed)).with_context(context)
    };
    assert_eq!(client.complete(within("fruit", "ap")).await.unwrap().completion.values, ["apple", "apricot"]);
    assert_eq!(client.complete(within("tools", "")).await.unwrap().completion.values, ["hammer", "saw"]);
    let no_category = CompleteRequestParams::new(template(), CompletionArgument::new("item", "a"));
    assert!(client.complete(no_category).await.unwrap().completion.values.is_empty());
    client.cancel().await;
}

/// A 2025-era client that reports `notifications/tools/list_changed` and resource updates.
struct Watcher(mpsc::UnboundedSender<String>);

impl ClientHandler for Watcher {
    fn get_info(&self) -> rmcp_core::handler::ClientInfo {
        stateful().get_info()
    }
    async fn on_tool_list_changed(&self, _ctx: NotificationContext<RoleClient>) {
        let _ = self.0.send("tools changed".to_owned());
    }
    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        let _ = self.0.send(format!("updated {}", params.uri));
    }
}

async fn names(client: &Peer<RoleClient>) -> Vec<String> {
    client.list_all_tools().await.unwrap().into_iter().map(|t| t.name).collect()
}

async fn next(rx: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.expect("a notification within 5 s").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_tools_come_and_go_and_the_client_is_told() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (client, _) = stdio_child(env!("CARGO_BIN_EXE_dynamic-tools"), &[], Watcher(tx)).await;
    assert!(client.server_info().unwrap().capabilities.tools.as_ref().unwrap().list_changed == Some(true));
    assert_eq!(names(&client).await, ["unlock", "lock", "hide_unlock", "show_unlock"], "in declaration order");

    let wrong = client.call_tool(call("unlock", json!({"code": "please"}))).await.unwrap();
    assert!(wrong.is_error());
    assert!(tokio::time::timeout(Duration::from_millis(200), rx.recv()).await.is_err(), "nothing changed");

    client.call_tool(call("unlock", json!({"code": "open sesame"}))).await.unwrap();
    assert_eq!(next(&mut rx).await, "tools changed");
    assert!(names(&client).await.contains(&"vault".to_owned()));
    let vault = client.call_tool(call("vault", json!({}))).await.unwrap();
    assert_eq!(text(&vault), "the vault holds 3 gold bars");

    client.call_tool(call("lock", json!({}))).await.unwrap();
    assert_eq!(next(&mut rx).await, "tools changed");
    let gone = client.call_tool(call("vault", json!({}))).await.unwrap_err();
    assert_eq!(gone.as_error_response().map(|e| e.code), Some(ErrorCode::INVALID_PARAMS), "{gone}");

    client.call_tool(call("hide_unlock", json!({}))).await.unwrap();
    assert_eq!(next(&mut rx).await, "tools changed");
    assert!(!names(&client).await.contains(&"unlock".to_owned()));
    assert!(
        client.call_tool(call("unlock", json!({"code": "open sesame"}))).await.is_err(),
        "a hidden tool is refused"
    );
    client.call_tool(call("show_unlock", json!({}))).await.unwrap();
    assert!(names(&client).await.contains(&"unlock".to_owned()));
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_hear_of_updates_and_only_they() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (client, _) = stdio_child(env!("CARGO_BIN_EXE_subscriptions"), &[], Watcher(tx)).await;
    assert_eq!(client.server_info().unwrap().capabilities.resources.as_ref().unwrap().subscribe, Some(true));

    let set = |status: &str| client.call_tool(call("set_status", json!({"status": status})));
    assert_eq!(text(&set("busy").await.unwrap()), "status set; 0 subscriber(s) told");
    client.subscribe(SubscribeRequestParams::new("status://board")).await.unwrap();
    assert_eq!(text(&set("on fire").await.unwrap()), "status set; 1 subscriber(s) told");
    assert_eq!(next(&mut rx).await, "updated status://board");
    let board = client.read_resource(ReadResourceRequestParams::new("status://board")).await.unwrap();
    assert!(matches!(&board.contents[..], [ResourceContents::Text(t)] if t.text == "on fire"));
    client.cancel().await;
}
