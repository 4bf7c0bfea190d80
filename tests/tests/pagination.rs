//! Cursor pagination of every list method: routers given a page size answer in pages whose
//! cursors walk the whole list once, in order; a cursor the server did not issue is -32602.

use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{ErrorCode, Implementation, PaginatedRequestParams, ProtocolVersion, ServerCapabilities};
use rmcp_core::router::{PromptRouter, ResourceRouter, ToolRouter};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::duplex;
use rmcp_core::{
    RoleClient, prompt, prompt_handler, prompt_router, resource, resource_handler, resource_router, resource_template,
    tool, tool_handler, tool_router,
};

#[derive(Clone)]
struct Server {
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
    resource_router: ResourceRouter<Self>,
}

#[tool_router]
impl Server {
    /// One.
    #[tool]
    fn t1(&self) -> String {
        "1".into()
    }
    /// Two.
    #[tool]
    fn t2(&self) -> String {
        "2".into()
    }
    /// Three.
    #[tool]
    fn t3(&self) -> String {
        "3".into()
    }
    /// Four.
    #[tool]
    fn t4(&self) -> String {
        "4".into()
    }
    /// Five.
    #[tool]
    fn t5(&self) -> String {
        "5".into()
    }
}

#[prompt_router]
impl Server {
    /// A.
    #[prompt]
    fn pa(&self) -> String {
        "a".into()
    }
    /// B.
    #[prompt]
    fn pb(&self) -> String {
        "b".into()
    }
    /// C.
    #[prompt]
    fn pc(&self) -> String {
        "c".into()
    }
}

#[resource_router]
impl Server {
    /// X.
    #[resource(uri = "test://x")]
    fn x(&self) -> String {
        "x".into()
    }
    /// Y.
    #[resource(uri = "test://y")]
    fn y(&self) -> String {
        "y".into()
    }
    /// Z.
    #[resource(uri = "test://z")]
    fn z(&self) -> String {
        "z".into()
    }
    /// Items.
    #[resource_template(uri_template = "test://items/{id}")]
    fn item(&self, id: String) -> String {
        id
    }
    /// Users.
    #[resource_template(uri_template = "test://users/{id}")]
    fn user(&self, id: String) -> String {
        id
    }
    /// Groups.
    #[resource_template(uri_template = "test://groups/{id}")]
    fn group(&self, id: String) -> String {
        id
    }
}

#[tool_handler]
#[prompt_handler]
#[resource_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("pages", "1"), ServerCapabilities::default())
    }
}

struct Client(ProtocolPreference);

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.0.clone())
    }
}

async fn connect(protocol: ProtocolPreference) -> rmcp_core::RunningService<RoleClient, Client> {
    let (a, b) = duplex(1 << 16);
    let server = Server {
        tool_router: Server::tool_router().with_page_size(2),
        prompt_router: Server::prompt_router().with_page_size(2),
        resource_router: Server::resource_router().with_page_size(2),
    };
    tokio::spawn(server.serve(a).await.unwrap().waiting());
    Client(protocol).serve(b).await.unwrap()
}

#[tokio::test]
async fn every_list_walks_its_pages_in_order() {
    for protocol in [ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25), ProtocolPreference::Stateless] {
        let client = connect(protocol).await;
        let first = client.list_tools(None).await.unwrap();
        assert_eq!(first.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["t1", "t2"]);
        assert!(first.next_cursor.is_some());
        let names: Vec<String> = client.list_all_tools().await.unwrap().into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["t1", "t2", "t3", "t4", "t5"]);
        let prompts: Vec<String> = client.list_all_prompts().await.unwrap().into_iter().map(|p| p.name).collect();
        assert_eq!(prompts, ["pa", "pb", "pc"]);
        let uris: Vec<String> = client.list_all_resources().await.unwrap().into_iter().map(|r| r.uri).collect();
        assert_eq!(uris, ["test://x", "test://y", "test://z"]);
        let templates: Vec<String> =
            client.list_all_resource_templates().await.unwrap().into_iter().map(|t| t.uri_template).collect();
        assert_eq!(templates, ["test://items/{id}", "test://users/{id}", "test://groups/{id}"]);
    }
}

#[tokio::test]
async fn a_foreign_cursor_is_invalid_params() {
    let client = connect(ProtocolPreference::Stateless).await;
    let bad = PaginatedRequestParams::new().with_cursor("not-ours");
    let err = client.list_tools(Some(bad.clone())).await.unwrap_err();
    assert_eq!(err.as_error_response().map(|e| e.code), Some(ErrorCode::INVALID_PARAMS));
    let err = client.list_prompts(Some(bad)).await.unwrap_err();
    assert_eq!(err.as_error_response().map(|e| e.code), Some(ErrorCode::INVALID_PARAMS));
}
