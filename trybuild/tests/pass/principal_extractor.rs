//! `Principal` and `Option<Principal>` as extractors of tools, prompts and resources: not inputs,
//! filled from the request's caller, and a required `Principal` refused without one.

use rmcp_core::handler::ServerHandler;
use rmcp_core::model::{
    CallToolRequestParams, GetPromptRequestParams, ReadResourceRequestParams, RequestId, ResourceContents,
};
use rmcp_core::router::{PromptRouter, ResourceRouter, ToolRouter};
use rmcp_core::service::{Peer, RequestContext, RoleServer};
use rmcp_core::transport::Principal;
use rmcp_core::{prompt, prompt_handler, prompt_router, resource, resource_handler, resource_router, tool, tool_handler, tool_router};

struct Desk {
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
    resource_router: ResourceRouter<Self>,
}

#[tool_router]
#[prompt_router]
#[resource_router]
impl Desk {
    /// Who asks, and a plain argument beside.
    #[tool]
    fn whoami(&self, caller: Principal, shout: Option<bool>) -> String {
        let name = caller.subject.unwrap_or_default();
        if shout.unwrap_or(false) { name.to_uppercase() } else { name }
    }

    /// A prompt for whoever asks.
    #[prompt]
    fn hello(&self, caller: Option<Principal>) -> String {
        format!("hello {}", caller.and_then(|p| p.subject).unwrap_or_else(|| "stranger".to_owned()))
    }

    /// The caller's own page.
    #[resource(uri = "desk://me")]
    fn me(&self, caller: Principal) -> String {
        caller.subject.unwrap_or_default()
    }
}

#[tool_handler]
#[prompt_handler]
#[resource_handler]
impl ServerHandler for Desk {}

fn ctx(caller: Option<&str>) -> RequestContext<RoleServer> {
    let mut ctx = RequestContext::new(RequestId::from(1), Peer::detached());
    if let Some(name) = caller {
        ctx.extensions.insert(Principal::new(name));
    }
    ctx
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let desk = Desk {
        tool_router: Desk::tool_router(),
        prompt_router: Desk::prompt_router(),
        resource_router: Desk::resource_router(),
    };
    let schema = &desk.tool_router.list().tools[0].input_schema;
    assert_eq!(schema["properties"].as_object().unwrap().keys().collect::<Vec<_>>(), ["shout"]);

    let call = CallToolRequestParams::new("whoami");
    let result = desk.call_tool(call.clone(), ctx(Some("ada"))).await.unwrap();
    assert_eq!(result.content[0].as_text(), Some("ada"));
    let refused = desk.call_tool(call, ctx(None)).await.unwrap_err();
    assert!(refused.to_string().contains("authenticated caller"), "{refused}");

    let prompt = desk.get_prompt(GetPromptRequestParams::new("hello"), ctx(None)).await.unwrap();
    assert!(format!("{prompt:?}").contains("hello stranger"));

    let read = desk.read_resource(ReadResourceRequestParams::new("desk://me"), ctx(Some("bob"))).await.unwrap();
    assert!(matches!(&read.contents[0], ResourceContents::Text(t) if t.text == "bob"), "{read:?}");
    assert!(desk.read_resource(ReadResourceRequestParams::new("desk://me"), ctx(None)).await.is_err());
}
