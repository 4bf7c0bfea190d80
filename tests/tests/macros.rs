//! The macros end to end: a server written with every macro feature (tools, prompts, resources,
//! templates, completions, extractors, generic impls, a renamed crate path), served over an
//! in-process duplex pair and driven by a real client.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::atomic::{AtomicUsize, Ordering};

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, CompleteRequestParams, CompletionArgument, CompletionContext,
    GetPromptRequestParams, Implementation, Meta, PromptMessage, ReadResourceRequestParams, Reference,
    ResourceContents, ServerCapabilities,
};
use rmcp_core::router::{
    CompletionCallContext, Json, Parameters, ProgressReporter, PromptRouter, ResourceRouter, ToolRouter,
};
use rmcp_core::service::{McpError, Peer, RequestContext, RoleClient, RoleServer, RunningService, ServiceExt};
use rmcp_core::transport::duplex;
use rmcp_core::{
    CancellationToken, completion, prompt, prompt_handler, prompt_router, resource, resource_handler, resource_router,
    resource_template, tool, tool_handler, tool_router,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Deserialize, JsonSchema)]
struct DivideArgs {
    /// What is divided.
    dividend: f64,
    /// What it is divided by; not zero.
    divisor: f64,
}

#[derive(Serialize, JsonSchema)]
struct Quotient {
    value: f64,
}

#[derive(Deserialize, JsonSchema)]
struct ReviewArgs {
    /// The code to review.
    code: String,
    /// The language, if known.
    language: Option<String>,
}

struct Calculator {
    calls: AtomicUsize,
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
    resource_router: ResourceRouter<Self>,
}

impl Calculator {
    fn new() -> Self {
        Self {
            calls: AtomicUsize::new(0),
            tool_router: Self::tool_router(),
            prompt_router: Self::prompt_router(),
            resource_router: Self::resource_router(),
        }
    }
}

#[tool_router]
impl Calculator {
    /// Add two integers.
    ///
    /// Exact for any `i64` pair that does not overflow.
    #[tool(annotations(title = "Addition", read_only_hint = true, idempotent_hint, open_world_hint = false))]
    async fn add(
        &self,
        /// The left operand.
        a: i64,
        /// The right operand.
        b: i64,
    ) -> String {
        self.calls.fetch_add(1, Ordering::Relaxed);
        (a + b).to_string()
    }

    #[tool(title = "Division", description = "Divide two numbers, with a structured result")]
    fn divide(
        &self,
        Parameters(DivideArgs { dividend, divisor }): Parameters<DivideArgs>,
    ) -> Result<Json<Quotient>, String> {
        if divisor == 0.0 {
            return Err("division by zero".to_owned());
        }
        Ok(Json(Quotient { value: dividend / divisor }))
    }

    /// Greets, using every extractor.
    #[tool(name = "greet.v2")]
    fn greet(
        &self,
        ctx: RequestContext<RoleServer>,
        name: Option<String>,
        _peer: Peer<RoleServer>,
        ct: CancellationToken,
        meta: Meta,
    ) -> String {
        let tag = meta.get("example/tag").and_then(Value::as_str).unwrap_or("none");
        format!(
            "hello {} (cancelled: {}, request meta tag: {tag}, ctx meta equal: {})",
            name.as_deref().unwrap_or("stranger"),
            ct.is_cancelled(),
            ctx.meta == meta
        )
    }

    /// Counts to `n`, reporting progress.
    #[tool]
    async fn count(&self, n: u32, progress: ProgressReporter) -> Result<String, McpError> {
        for i in 1..=n {
            progress.report(f64::from(i), Some(f64::from(n)), None).await?;
        }
        Ok(format!("counted to {n} (progress requested: {})", progress.is_requested()))
    }

    #[tool(icons = ["https://example.com/ping.png"], meta = {"example/tag": "ping", "rank": 1})]
    fn ping(&self) -> &'static str {
        "pong"
    }

    /// Echoes a field named with a keyword.
    #[tool]
    fn echo(&self, r#type: String, #[serde(default)] times: Option<u8>) -> CallToolResult {
        let text = r#type.repeat(usize::from(times.unwrap_or(1)));
        CallToolResult::success(vec![rmcp_core::model::ContentBlock::text(text)])
    }

    /// Fails at the protocol level.
    #[tool]
    async fn refuse(&self) -> Result<String, McpError> {
        Err(McpError::invalid_params("refused"))
    }

    /// Not a tool: left alone by the router.
    fn helper(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }
}

#[prompt_router]
impl Calculator {
    /// Explain a calculation step by step.
    #[prompt(title = "Explain")]
    fn explain(
        &self,
        /// The expression to explain.
        expression: String,
        /// How to explain it.
        style: Option<String>,
    ) -> String {
        format!("Explain {expression} in a {} style", style.as_deref().unwrap_or("plain"))
    }

    #[prompt(name = "code-review", description = "Review some code")]
    async fn review(
        &self,
        Parameters(args): Parameters<ReviewArgs>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<Vec<PromptMessage>, McpError> {
        Ok(vec![
            PromptMessage::user(format!("Review this {} code:", args.language.as_deref().unwrap_or("unknown"))),
            PromptMessage::user(args.code),
        ])
    }

    #[completion(prompt = "explain", argument = "style")]
    fn styles(&self, typed: String) -> Vec<String> {
        ["formal", "friendly", "funny"].iter().filter(|s| s.starts_with(&typed)).map(|s| (*s).to_owned()).collect()
    }
}

#[resource_router]
impl Calculator {
    /// The calculator's settings.
    #[resource(uri = "config://calculator", mime_type = "application/json")]
    fn settings(&self) -> String {
        json!({"precision": 10}).to_string()
    }

    /// A memory slot.
    #[resource_template(uri_template = "memory://slots/{slot}", name = "slot", mime_type = "text/plain")]
    async fn slot(&self, slot: u32, _peer: Peer<RoleServer>) -> Result<String, String> {
        if slot > 9 { Err(format!("no slot {slot}")) } else { Ok(format!("slot {slot} holds {}", slot * 10)) }
    }

    #[resource_template(uri_template = "file:///{+path}")]
    fn file(&self, path: String) -> Vec<u8> {
        path.into_bytes()
    }

    #[completion(resource = "memory://slots/{slot}", argument = "slot")]
    async fn slots(&self, typed: String, cx: CompletionCallContext) -> Result<Vec<String>, McpError> {
        let bank = cx.context.get("bank").cloned().unwrap_or_default();
        Ok((0..10).map(|i| format!("{bank}{i}")).filter(|s| s.starts_with(&typed)).collect())
    }
}

#[tool_handler]
#[prompt_handler]
#[resource_handler]
impl ServerHandler for Calculator {
    fn get_info(&self) -> ServerInfo {
        // No capabilities declared: the handler attributes provide them.
        ServerInfo::new(Implementation::new("calculator", "1.0.0"), ServerCapabilities::default())
    }
}

/// A generic server: the router lives on `impl<T> Labeled<T>`.
struct Labeled<T> {
    label: T,
    tool_router: ToolRouter<Self>,
}

#[tool_router(router = labeled_tools, vis = "pub(crate)")]
impl<T: Display + Send + Sync + 'static> Labeled<T> {
    /// Prefixes the text with the label.
    #[tool]
    fn label(&self, text: String) -> String {
        format!("{}: {text}", self.label)
    }
}

#[tool_handler]
impl<T: Display + Send + Sync + 'static> ServerHandler for Labeled<T> {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("labeled", "1.0.0"), ServerCapabilities::builder().enable_tools().build())
    }
}

/// Tools and prompts of one impl block, and a handler that declares nothing itself.
struct Both {
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
}

#[tool_router]
#[prompt_router]
impl Both {
    /// Doubles.
    #[tool]
    fn double(&self, x: i64) -> String {
        (2 * x).to_string()
    }

    /// Asks for a double.
    #[prompt]
    fn ask(&self, x: String) -> String {
        format!("double {x}")
    }
}

#[tool_handler]
#[prompt_handler]
impl ServerHandler for Both {}

/// The crate under another path, as with a renamed dependency.
mod renamed {
    pub use rmcp_core::*;
}

struct Renamed;

#[renamed::tool_router(crate = crate::renamed, router = tools)]
impl Renamed {
    /// Says hi.
    #[renamed::tool]
    fn hi(&self, who: String) -> String {
        format!("hi {who}")
    }
}

#[renamed::tool_handler(crate = crate::renamed, router = Self::tools())]
impl ServerHandler for Renamed {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("renamed", "1.0.0"), ServerCapabilities::builder().enable_tools().build())
    }
}

async fn connect<S: ServerHandler>(server: S) -> (RunningService<RoleClient, ()>, RunningService<RoleServer, S>) {
    let (a, b) = duplex(64 * 1024);
    let server = server.serve(a).await.expect("server starts");
    let client = ().serve(b).await.expect("client handshake");
    (client, server)
}

fn call(name: &str, args: Value) -> CallToolRequestParams {
    CallToolRequestParams::new(name).with_arguments(args.as_object().expect("an object").clone())
}

fn text(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_are_listed_with_their_metadata() {
    let (client, _server) = connect(Calculator::new()).await;
    let caps = &client.server_info().expect("handshake").capabilities;
    assert_eq!(caps.tools.as_ref().and_then(|t| t.list_changed), Some(true), "from #[tool_handler]");
    assert!(caps.prompts.is_some() && caps.resources.is_some() && caps.completions.is_some(), "{caps:?}");
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["add", "divide", "greet.v2", "count", "ping", "echo", "refuse"], "registration order");
    let tool = |name: &str| tools.iter().find(|t| t.name == name).unwrap();

    let add = tool("add");
    assert_eq!(
        add.description.as_deref(),
        Some("Add two integers.\n\nExact for any `i64` pair that does not overflow.")
    );
    let schema = &add.input_schema;
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["properties"]["a"]["description"], "The left operand.");
    assert_eq!(schema["properties"]["b"]["description"], "The right operand.");
    assert_eq!(schema["required"], json!(["a", "b"]));
    assert!(!schema.contains_key("title"), "no title naming the hidden struct: {schema:?}");
    let annotations = add.annotations.as_ref().unwrap();
    assert_eq!(annotations.title.as_deref(), Some("Addition"));
    assert_eq!(
        (annotations.read_only_hint, annotations.idempotent_hint, annotations.open_world_hint),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(annotations.destructive_hint, None);
    assert!(add.output_schema.is_none());

    let divide = tool("divide");
    assert_eq!(divide.title.as_deref(), Some("Division"));
    assert_eq!(divide.description.as_deref(), Some("Divide two numbers, with a structured result"));
    assert_eq!(divide.input_schema["properties"]["divisor"]["description"], "What it is divided by; not zero.");
    let output = divide.output_schema.as_ref().expect("Json<T> gives an output schema");
    assert_eq!(output["properties"]["value"]["type"], "number");

    let greet = tool("greet.v2");
    assert_eq!(greet.input_schema["properties"].as_object().unwrap().len(), 1, "extractors are not inputs");
    assert!(!greet.input_schema.contains_key("required"), "Option<String> is optional");

    let ping = tool("ping");
    assert_eq!(ping.description, None, "no docs, no description");
    assert_eq!(ping.input_schema["properties"], json!({}));
    assert_eq!(ping.icons.as_ref().unwrap()[0].src, "https://example.com/ping.png");
    assert_eq!(ping.meta.as_ref().unwrap()["example/tag"], "ping");
    assert_eq!(ping.meta.as_ref().unwrap()["rank"], 1);

    let echo = tool("echo");
    assert!(echo.input_schema["properties"].get("type").is_some(), "r#type is the property `type`");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_are_called() {
    let server = Calculator::new();
    let (client, running) = connect(server).await;

    let r = client.call_tool(call("add", json!({"a": 2, "b": 40}))).await.unwrap();
    assert_eq!((text(&r), r.is_error()), ("42".to_owned(), false));
    assert_eq!(running.service().helper(), 1, "the method ran on the served value");

    let r = client.call_tool(call("divide", json!({"dividend": 1.0, "divisor": 4.0}))).await.unwrap();
    assert_eq!(r.structured_content, Some(json!({"value": 0.25})));
    let r = client.call_tool(call("divide", json!({"dividend": 1.0, "divisor": 0.0}))).await.unwrap();
    assert!(r.is_error());
    assert_eq!(text(&r), "division by zero");

    let mut meta = Meta::new();
    meta.insert("example/tag".into(), json!("t1"));
    let r = client.call_tool(call("greet.v2", json!({"name": "Ada"})).with_meta(meta)).await.unwrap();
    assert_eq!(text(&r), "hello Ada (cancelled: false, request meta tag: t1, ctx meta equal: true)");
    let r = client.call_tool(CallToolRequestParams::new("greet.v2")).await.unwrap();
    assert!(text(&r).starts_with("hello stranger"), "absent arguments read as {{}}");

    let r = client.call_tool(call("count", json!({"n": 3}))).await.unwrap();
    assert_eq!(text(&r), "counted to 3 (progress requested: false)");
    assert_eq!(text(&client.call_tool(CallToolRequestParams::new("ping")).await.unwrap()), "pong");
    let r = client.call_tool(call("echo", json!({"type": "ab", "times": 2}))).await.unwrap();
    assert_eq!(text(&r), "abab");

    // Bad arguments are a tool error naming the field, not a protocol error.
    let r = client.call_tool(call("add", json!({"a": "two", "b": 1}))).await.unwrap();
    assert!(r.is_error() && text(&r).contains("/a"), "{}", text(&r));
    let r = client.call_tool(call("add", json!({"a": 1}))).await.unwrap();
    assert!(r.is_error() && text(&r).contains("\"b\""), "{}", text(&r));

    // An McpError stays a JSON-RPC error; so does an unknown tool.
    let e = client.call_tool(CallToolRequestParams::new("refuse")).await.unwrap_err();
    assert!(e.to_string().contains("refused"), "{e}");
    let e = client.call_tool(CallToolRequestParams::new("nope")).await.unwrap_err();
    assert!(e.to_string().contains("Unknown tool: nope"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompts_are_listed_and_rendered() {
    let (client, _server) = connect(Calculator::new()).await;
    let prompts = client.list_all_prompts().await.unwrap();
    assert_eq!(prompts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["explain", "code-review"]);
    let explain = &prompts[0];
    assert_eq!(explain.title.as_deref(), Some("Explain"));
    assert_eq!(explain.description.as_deref(), Some("Explain a calculation step by step."));
    let args = explain.arguments.as_ref().unwrap();
    let arg = |name: &str| args.iter().find(|a| a.name == name).unwrap();
    assert_eq!(arg("expression").description.as_deref(), Some("The expression to explain."));
    assert_eq!((arg("expression").required, arg("style").required), (Some(true), Some(false)));
    let review_args = prompts[1].arguments.as_ref().unwrap();
    assert_eq!(review_args.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["code", "language"]);

    let r = client.get_prompt(GetPromptRequestParams::new("explain").with_argument("expression", "1+1")).await.unwrap();
    assert_eq!(r.messages[0].content.as_text(), Some("Explain 1+1 in a plain style"));
    let r = client
        .get_prompt(GetPromptRequestParams::new("code-review").with_argument("code", "fn main() {}"))
        .await
        .unwrap();
    assert_eq!(r.messages.len(), 2);
    assert_eq!(r.messages[1].content.as_text(), Some("fn main() {}"));
    let e = client.get_prompt(GetPromptRequestParams::new("explain")).await.unwrap_err();
    assert!(e.to_string().contains("expression"), "a missing required argument is named: {e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_and_templates_are_read() {
    let (client, _server) = connect(Calculator::new()).await;
    let resources = client.list_all_resources().await.unwrap();
    assert_eq!(resources.len(), 1);
    assert_eq!(resources[0].uri, "config://calculator");
    assert_eq!(resources[0].name, "settings");
    assert_eq!(resources[0].mime_type.as_deref(), Some("application/json"));
    assert_eq!(resources[0].description.as_deref(), Some("The calculator's settings."));
    let templates = client.list_all_resource_templates().await.unwrap();
    let uris: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    assert_eq!(uris, ["memory://slots/{slot}", "file:///{+path}"]);
    assert_eq!((templates[0].name.as_str(), templates[1].name.as_str()), ("slot", "file"));

    let read = |uri: &str| client.read_resource(ReadResourceRequestParams::new(uri));
    let r = read("config://calculator").await.unwrap();
    assert!(matches!(&r.contents[0], ResourceContents::Text(t) if t.text == r#"{"precision":10}"#));
    let r = read("memory://slots/4").await.unwrap();
    assert!(
        matches!(&r.contents[0], ResourceContents::Text(t) if t.text == "slot 4 holds 40" && t.uri == "memory://slots/4")
    );
    let r = read("file:///a/b.txt").await.unwrap();
    assert!(matches!(&r.contents[0], ResourceContents::Blob(_)), "Vec<u8> is a blob");
    let e = read("memory://slots/x").await.unwrap_err();
    assert!(e.to_string().contains("slot"), "an unparsable variable is named: {e}");
    let e = read("memory://slots/12").await.unwrap_err();
    assert!(e.to_string().contains("no slot 12"), "{e}");
    assert!(read("nothing://here").await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_are_served() {
    let (client, _server) = connect(Calculator::new()).await;
    let r = client
        .complete(CompleteRequestParams::new(Reference::prompt("explain"), CompletionArgument::new("style", "f")))
        .await
        .unwrap();
    assert_eq!(r.completion.values, ["formal", "friendly", "funny"]);
    let params =
        CompleteRequestParams::new(Reference::resource("memory://slots/{slot}"), CompletionArgument::new("slot", "b"))
            .with_context(CompletionContext::new(BTreeMap::from([("bank".to_owned(), "b".to_owned())])));
    let r = client.complete(params).await.unwrap();
    assert_eq!(r.completion.values.len(), 10);
    assert_eq!(r.completion.values[0], "b0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generic_and_renamed_servers() {
    let labeled = Labeled { label: 7u8, tool_router: Labeled::<u8>::labeled_tools() };
    let (client, _server) = connect(labeled).await;
    let r = client.call_tool(call("label", json!({"text": "x"}))).await.unwrap();
    assert_eq!(text(&r), "7: x");

    let (client, _server) =
        connect(Both { tool_router: Both::tool_router(), prompt_router: Both::prompt_router() }).await;
    let r = client.call_tool(call("double", json!({"x": 21}))).await.unwrap();
    assert_eq!(text(&r), "42");
    let r = client.get_prompt(GetPromptRequestParams::new("ask").with_argument("x", "3")).await.unwrap();
    assert_eq!(r.messages[0].content.as_text(), Some("double 3"));

    let (client, _server) = connect(Renamed).await;
    assert_eq!(client.list_all_tools().await.unwrap()[0].name, "hi");
    let r = client.call_tool(call("hi", json!({"who": "you"}))).await.unwrap();
    assert_eq!(text(&r), "hi you");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_router_can_be_changed_while_serving() {
    let (client, server) = connect(Calculator::new()).await;
    assert!(server.service().tool_router.disable("ping"));
    let names: Vec<String> = client.list_all_tools().await.unwrap().into_iter().map(|t| t.name).collect();
    assert!(!names.iter().any(|n| n == "ping"), "{names:?}");
    assert!(client.call_tool(CallToolRequestParams::new("ping")).await.is_err());
    assert!(server.service().tool_router.enable("ping"));
    assert_eq!(text(&client.call_tool(CallToolRequestParams::new("ping")).await.unwrap()), "pong");
}
