//! The server and client the middleware tests share: an office whose tools read the caller.
#![allow(dead_code)]

use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler};
use rmcp_core::model::CallToolRequestParams;
use rmcp_core::router::ToolRouter;
use rmcp_core::transport::Principal;
use rmcp_core::{tool, tool_handler, tool_router};

#[derive(Clone)]
pub struct Office {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Office {
    pub fn new() -> Self {
        Self { tool_router: Self::tool_router() }
    }

    /// Who is asking.
    #[tool]
    fn whoami(&self, caller: Principal) -> String {
        caller.subject.unwrap_or_default()
    }

    /// A greeting for whoever asks, signed in or not.
    #[tool]
    fn greet(&self, caller: Option<Principal>) -> String {
        match caller.and_then(|p| p.subject) {
            Some(name) => format!("hello {name}"),
            None => "hello stranger".to_owned(),
        }
    }

    /// Only for administrators.
    #[tool]
    fn delete_user(&self, name: String) -> String {
        format!("deleted {name}")
    }
}

#[tool_handler]
impl ServerHandler for Office {}

pub struct Client(pub ProtocolPreference);

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.0.clone())
    }
}

pub fn call(name: &str, args: serde_json::Value) -> CallToolRequestParams {
    CallToolRequestParams::new(name).with_arguments(args.as_object().unwrap().clone())
}
