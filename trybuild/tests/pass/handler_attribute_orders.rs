//! All three handler attributes on one `impl ServerHandler`, in either order, beside methods the
//! impl defines itself; all three router attributes on one impl block; and `router = ...` naming
//! where the router is.

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, PaginatedRequestParams, RequestId, ServerCapabilities, ToolsCapability};
use rmcp_core::router::{PromptRouter, ResourceRouter, ToolRouter};
use rmcp_core::service::{Peer, RequestContext};
use rmcp_core::{
    prompt, prompt_handler, prompt_router, resource, resource_handler, resource_router, tool, tool_handler, tool_router,
};

/// Routers in the default fields, attributes in one order.
struct Forward {
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
    resource_router: ResourceRouter<Self>,
}

#[tool_router]
#[prompt_router]
#[resource_router]
impl Forward {
    /// A tool.
    #[tool]
    fn ping(&self) -> &'static str {
        "pong"
    }

    /// A prompt.
    #[prompt]
    fn ask(&self, question: String) -> String {
        question
    }

    /// A resource.
    #[resource(uri = "mem://status")]
    fn status(&self) -> String {
        "ok".to_owned()
    }
}

#[tool_handler]
#[prompt_handler]
#[resource_handler]
impl ServerHandler for Forward {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("forward", "1.0.0"), ServerCapabilities::default())
    }
}

/// Routers elsewhere, attributes in the other order.
struct Backward {
    routers: (ToolRouter<Self>, PromptRouter<Self>),
}

#[resource_router(router = resources)]
#[prompt_router]
#[tool_router(router = tools)]
impl Backward {
    /// A tool.
    #[tool]
    fn ping(&self) -> &'static str {
        "pong"
    }

    /// A prompt.
    #[prompt]
    fn ask(&self, question: String) -> String {
        question
    }

    /// A resource.
    #[resource(uri = "mem://status")]
    fn status(&self) -> String {
        "ok".to_owned()
    }
}

#[resource_handler(router = Self::resources())]
#[prompt_handler(router = self.routers.1)]
#[tool_handler(router = self.routers.0)]
impl ServerHandler for Backward {
    /// Defined here, so `#[tool_handler]` leaves it alone.
    fn tool_capability(&self) -> Option<ToolsCapability> {
        None
    }
}

async fn counts<S: ServerHandler>(server: &S) -> (usize, usize, usize) {
    let ctx = || RequestContext::new(RequestId::from(1), Peer::detached());
    let page = PaginatedRequestParams::new;
    (
        server.list_tools(page(), ctx()).await.unwrap().tools.len(),
        server.list_prompts(page(), ctx()).await.unwrap().prompts.len(),
        server.list_resources(page(), ctx()).await.unwrap().resources.len(),
    )
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let forward = Forward {
        tool_router: Forward::tool_router(),
        prompt_router: Forward::prompt_router(),
        resource_router: Forward::resource_router(),
    };
    assert_eq!(counts(&forward).await, (1, 1, 1));
    assert!(forward.tool_capability().is_some() && forward.resource_capability().is_some());

    let backward = Backward { routers: (Backward::tools(), Backward::prompt_router()) };
    assert_eq!(counts(&backward).await, (1, 1, 1));
    assert!(backward.tool_capability().is_none(), "the impl's own method is kept");
    assert!(backward.prompt_capability().is_some() && backward.resource_capability().is_some());
}
