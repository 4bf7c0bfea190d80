//! The router runtime without macros: the builder API, argument checks, run-time changes with
//! list-changed notifications, composition, resources and prompts.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, CompleteRequestParams, CompleteResult, CompletionArgument, ContentBlock,
    ErrorCode, GetPromptRequestParams, GetPromptResult, Implementation, JsonObject, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams, Prompt, PromptArgument,
    ProtocolVersion, ReadResourceRequestParams, ReadResourceResult, Reference, Resource, ResourceTemplate,
    ServerCapabilities, Tool, ToolsCapability,
};
use rmcp_core::router::{
    PromptRoute, PromptRouter, ResourceRoute, ResourceRouter, ToolRoute, ToolRouter, completion_result,
};
use rmcp_core::schema::empty_object_schema;
use rmcp_core::service::{McpError, NotificationContext, RequestContext, RoleClient, RoleServer, ServiceExt};
use rmcp_core::transport::duplex;
use serde_json::json;
use tokio::sync::mpsc;

struct Server {
    tools: ToolRouter<Server>,
    prompts: PromptRouter<Server>,
    resources: ResourceRouter<Server>,
}

fn object(v: serde_json::Value) -> JsonObject {
    v.as_object().unwrap().clone()
}

fn add_route() -> ToolRoute<Server> {
    let schema = object(
        json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}),
    );
    ToolRoute::new_dyn(Tool::new("add", "Add", Arc::new(schema)), |_s, mut cx| {
        Box::pin(async move {
            #[derive(serde::Deserialize)]
            struct Args {
                a: i64,
                b: i64,
            }
            let Args { a, b } = cx.arguments()?;
            Ok(CallToolResult::success(vec![ContentBlock::text((a + b).to_string())]))
        })
    })
}

fn echo_route(name: &str) -> ToolRoute<Server> {
    ToolRoute::new_dyn(Tool::new(name, "Echo", empty_object_schema()), |_s, cx| {
        Box::pin(async move { Ok(CallToolResult::success(vec![ContentBlock::text(cx.name)])) })
    })
}

impl Server {
    fn new() -> Self {
        let prompt = Prompt::new("greet").with_arguments(vec![PromptArgument::new("name").with_required(true)]);
        let prompts = PromptRouter::new()
            .with_route(PromptRoute::new_dyn(prompt, |_s, cx| {
                Box::pin(async move {
                    let name = cx.required_argument("name")?;
                    Ok(GetPromptResult::new(vec![rmcp_core::model::PromptMessage::user(format!("Hello, {name}!"))]))
                })
            }))
            .with_completion("greet", "name", |_s, cx| {
                Box::pin(async move {
                    let all = ["alice", "bob", "alfred"];
                    Ok(completion_result(
                        all.iter().filter(|n| n.starts_with(&cx.value)).map(|n| n.to_string()).collect(),
                    ))
                })
            });
        let resources = ResourceRouter::new()
            .with_route(ResourceRoute::new_dyn(Resource::new("mem://readme", "readme"), |_s, cx| {
                Box::pin(async move {
                    Ok(ReadResourceResult::new(vec![rmcp_core::model::ResourceContents::text(cx.uri, "read me")]))
                })
            }))
            .with_route(ResourceRoute::template_dyn(ResourceTemplate::new("mem://users/{id}", "user"), |_s, cx| {
                Box::pin(async move {
                    let id: u32 = cx.variable("id")?;
                    Ok(ReadResourceResult::new(vec![rmcp_core::model::ResourceContents::text(
                        cx.uri,
                        format!("user {id}"),
                    )]))
                })
            }));
        Self { tools: ToolRouter::new().with_route(add_route()).with_route(echo_route("echo")), prompts, resources }
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("router-test", "1"), ServerCapabilities::default())
    }
    fn tool_capability(&self) -> Option<ToolsCapability> {
        Some(ToolsCapability::default().with_list_changed(true))
    }
    fn prompt_capability(&self) -> Option<rmcp_core::model::PromptsCapability> {
        Some(Default::default())
    }
    fn resource_capability(&self) -> Option<rmcp_core::model::ResourcesCapability> {
        Some(Default::default())
    }
    async fn list_tools(
        &self,
        _p: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(self.tools.list_tools(&ctx))
    }
    async fn call_tool(
        &self,
        p: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.tools.call_tool(self, p, ctx).await
    }
    async fn list_prompts(
        &self,
        _p: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(self.prompts.list_prompts())
    }
    async fn get_prompt(
        &self,
        p: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, McpError> {
        self.prompts.get_prompt(self, p, ctx).await
    }
    async fn complete_prompt<'a>(
        &'a self,
        prompt: &'a str,
        p: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        self.prompts.complete(self, prompt, p, ctx).await
    }
    async fn list_resources(
        &self,
        _p: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Ok(self.resources.list_resources())
    }
    async fn list_resource_templates(
        &self,
        _p: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(self.resources.list_resource_templates())
    }
    async fn read_resource(
        &self,
        p: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResult, McpError> {
        self.resources.read_resource(self, p, ctx).await
    }
}

struct Client {
    changes: mpsc::UnboundedSender<()>,
}

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
    }
    async fn on_tool_list_changed(&self, _ctx: NotificationContext<RoleClient>) {
        let _ = self.changes.send(());
    }
}

async fn connect() -> (
    rmcp_core::RunningService<RoleClient, Client>,
    rmcp_core::RunningService<RoleServer, Server>,
    mpsc::UnboundedReceiver<()>,
) {
    let (a, b) = duplex(1 << 16);
    let server = Server::new().serve(a).await.unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    let client = Client { changes: tx }.serve(b).await.unwrap();
    (client, server, rx)
}

fn call(name: &str, args: serde_json::Value) -> CallToolRequestParams {
    CallToolRequestParams::new(name).with_arguments(object(args))
}

#[tokio::test]
async fn capabilities_come_from_the_routers() {
    let (client, _server, _rx) = connect().await;
    let caps = &client.server_info().unwrap().capabilities;
    assert!(caps.tools.is_some() && caps.prompts.is_some() && caps.resources.is_some() && caps.completions.is_some());
}

#[tokio::test]
async fn arguments_are_validated_into_tool_errors_naming_the_field() {
    let (client, _server, _rx) = connect().await;
    let r = client.call_tool(call("add", json!({"a": 1, "b": 2}))).await.unwrap();
    assert_eq!(r.content[0].as_text(), Some("3"));
    let r = client.call_tool(call("add", json!({"a": "one", "b": 2}))).await.unwrap();
    assert!(r.is_error());
    let text = r.content[0].as_text().unwrap();
    assert!(text.contains("/a"), "{text}");
    let r = client.call_tool(call("add", json!({"a": 1}))).await.unwrap();
    assert!(r.is_error() && r.content[0].as_text().unwrap().contains("\"b\""), "{r:?}");
    let err = client.call_tool(call("nope", json!({}))).await.unwrap_err();
    assert_eq!(err.as_error_response().unwrap().code, ErrorCode::INVALID_PARAMS);
}

#[tokio::test]
async fn run_time_changes_notify_clients() {
    let (client, server, mut changes) = connect().await;
    assert_eq!(client.list_all_tools().await.unwrap().len(), 2);
    let tools = &server.service().tools;
    tools.add_route(echo_route("late"));
    tokio::time::timeout(Duration::from_secs(2), changes.recv()).await.unwrap();
    assert_eq!(client.list_all_tools().await.unwrap().len(), 3);
    assert!(tools.disable("late"));
    tokio::time::timeout(Duration::from_secs(2), changes.recv()).await.unwrap();
    let names: Vec<_> = client.list_all_tools().await.unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["add", "echo"]);
    assert!(client.call_tool(call("late", json!({}))).await.is_err(), "a disabled tool refuses calls");
    assert!(tools.enable("late"));
    tokio::time::timeout(Duration::from_secs(2), changes.recv()).await.unwrap();
    assert!(tools.remove_route("late"));
    tokio::time::timeout(Duration::from_secs(2), changes.recv()).await.unwrap();
    assert_eq!(client.list_all_tools().await.unwrap().len(), 2);
}

#[test]
fn merge_reports_duplicates_and_add_combines() {
    let a = ToolRouter::<Server>::new().with_route(echo_route("x"));
    let b = ToolRouter::<Server>::new().with_route(echo_route("x")).with_route(echo_route("y"));
    let err = a.clone().merge(b.clone()).unwrap_err();
    assert_eq!(err.name, "x");
    let c = ToolRouter::<Server>::new().with_route(echo_route("z"));
    assert_eq!(a.clone().merge(c).unwrap().list().tools.len(), 2);
    assert_eq!((a + b).list().tools.len(), 2);
}

#[tokio::test]
async fn resources_templates_and_not_found() {
    let (client, _server, _rx) = connect().await;
    assert_eq!(client.list_all_resources().await.unwrap().len(), 1);
    assert_eq!(client.list_all_resource_templates().await.unwrap().len(), 1);
    let r = client.read_resource(ReadResourceRequestParams::new("mem://users/42")).await.unwrap();
    assert_eq!(serde_json::to_value(&r.contents[0]).unwrap()["text"], "user 42");
    let err = client.read_resource(ReadResourceRequestParams::new("mem://nope")).await.unwrap_err();
    let e = err.as_error_response().unwrap();
    assert_eq!(e.code, ErrorCode::INVALID_PARAMS);
    assert_eq!(e.data.as_ref().unwrap()["uri"], "mem://nope");
    let err = client.read_resource(ReadResourceRequestParams::new("mem://users/abc")).await.unwrap_err();
    assert_eq!(err.as_error_response().unwrap().code, ErrorCode::INVALID_PARAMS);
}

#[tokio::test]
async fn prompts_and_completion() {
    let (client, _server, _rx) = connect().await;
    let mut args = BTreeMap::new();
    args.insert("name".to_owned(), "Ada".to_owned());
    let r = client.get_prompt(GetPromptRequestParams::new("greet").with_arguments(args)).await.unwrap();
    assert_eq!(r.messages[0].content.as_text(), Some("Hello, Ada!"));
    let err = client.get_prompt(GetPromptRequestParams::new("greet")).await.unwrap_err();
    assert!(err.as_error_response().unwrap().message.contains("name"));
    let c = client
        .complete(CompleteRequestParams::new(Reference::prompt("greet"), CompletionArgument::new("name", "al")))
        .await
        .unwrap();
    assert_eq!(c.completion.values, ["alice", "alfred"]);
}

#[tokio::test]
async fn structured_output_is_checked_against_the_output_schema_in_debug_builds() {
    let output = Arc::new(object(
        json!({"type": "object", "properties": {"total": {"type": "integer"}}, "required": ["total"]}),
    ));
    let liar = ToolRoute::<Server>::new_dyn(
        Tool::new("liar", "Breaks its promise", empty_object_schema()).with_output_schema(output),
        |_s, _cx| Box::pin(async { Ok(CallToolResult::structured(json!({"total": "many"}))) }),
    );
    let server = Server::new();
    let router = server.tools.clone().with_route(liar);
    let ctx = RequestContext::new(1.into(), rmcp_core::Peer::detached());
    let r = router.call_tool(&server, CallToolRequestParams::new("liar"), ctx).await;
    if cfg!(debug_assertions) {
        let e = r.unwrap_err();
        assert!(e.to_string().contains("/total"), "{e}");
    } else {
        assert!(r.is_ok());
    }
}
