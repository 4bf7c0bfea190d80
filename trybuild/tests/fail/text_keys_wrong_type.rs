//! Every key holding text rejects a literal of another type at the value, on every attribute.

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::ToolRouter;
use rmcp_core::{prompt, prompt_router, resource, resource_router, resource_template, tool, tool_handler, tool_router};

struct Server {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Server {
    #[tool(title = 'f', annotations(title = 1.5))]
    fn fetch(&self) -> String {
        String::new()
    }
}

#[prompt_router]
impl Server {
    #[prompt(title = true, description = b"bytes")]
    fn greet(&self) -> String {
        String::new()
    }
}

#[resource_router]
impl Server {
    #[resource(uri = "config://app", mime_type = 1)]
    fn app(&self) -> String {
        String::new()
    }

    #[resource_template(uri_template = "file:///{path}", description = -1)]
    fn file(&self, path: String) -> String {
        path
    }
}

#[tool_handler(router = 1)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("server", "1.0.0"), ServerCapabilities::default())
    }
}

fn main() {
    let _ = Server { tool_router: Server::tool_router() };
}
