//! Resources, resource templates, and completions of prompt arguments and template variables.

use rmcp_core::handler::ServerHandler;
use rmcp_core::model::{
    CompleteRequestParams, CompleteResult, Completion, CompletionArgument, ReadResourceRequestParams, Reference,
    RequestId, ResourceContents,
};
use rmcp_core::router::{CompletionCallContext, PromptRouter, ResourceRouter};
use rmcp_core::service::{McpError, Peer, RequestContext, RoleServer};
use rmcp_core::{
    completion, prompt, prompt_handler, prompt_router, resource, resource_handler, resource_router, resource_template,
};

struct Docs {
    prompt_router: PromptRouter<Self>,
    resource_router: ResourceRouter<Self>,
}

#[resource_router]
impl Docs {
    /// The table of contents.
    #[resource(uri = "docs://index", mime_type = "text/markdown", size = 11, title = "Index")]
    fn index(&self) -> String {
        "# Contents\n".to_owned()
    }

    /// The logo.
    #[resource(uri = "docs://logo.png", name = "logo", mime_type = "image/png")]
    async fn logo(&self) -> Vec<u8> {
        vec![0x89, b'P', b'N', b'G']
    }

    /// A chapter by number.
    #[resource_template(uri_template = "docs://chapters/{number}", mime_type = "text/markdown")]
    fn chapter(&self, number: u32, peer: Peer<RoleServer>) -> Result<String, String> {
        let _ = peer;
        if number == 0 { Err("chapters start at 1".to_owned()) } else { Ok(format!("# Chapter {number}")) }
    }

    /// A file of a section, the path possibly spanning several segments.
    #[resource_template(uri_template = "docs://{section}/files/{+path}")]
    fn file(&self, section: String, path: String) -> ResourceContents {
        ResourceContents::text(format!("docs://{section}/files/{path}"), format!("{section}: {path}"))
    }

    #[completion(resource = "docs://chapters/{number}", argument = "number")]
    fn chapters(&self, typed: String) -> Vec<String> {
        (1..=12).map(|n| n.to_string()).filter(|n| n.starts_with(&typed)).collect()
    }

    #[completion(resource = "docs://{section}/files/{+path}", argument = "path")]
    async fn paths(&self, typed: String, cx: CompletionCallContext) -> Result<CompleteResult, McpError> {
        let section = cx.context.get("section").cloned().unwrap_or_default();
        Ok(CompleteResult::new(Completion::new(vec![format!("{section}/{typed}")])))
    }
}

#[prompt_router]
impl Docs {
    /// Summarize a chapter.
    #[prompt]
    fn summarize(&self, chapter: String, style: Option<String>) -> String {
        format!("Summarize chapter {chapter} in a {} style", style.as_deref().unwrap_or("brief"))
    }

    #[completion(prompt = "summarize", argument = "style")]
    fn styles(&self, typed: String, ctx: RequestContext<RoleServer>) -> Vec<String> {
        let _ = ctx;
        ["brief", "bullet points"].iter().filter(|s| s.starts_with(&typed)).map(|s| (*s).to_owned()).collect()
    }
}

#[resource_handler]
#[prompt_handler]
impl ServerHandler for Docs {}

fn ctx() -> RequestContext<RoleServer> {
    RequestContext::new(RequestId::from(1), Peer::detached())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let server = Docs { prompt_router: Docs::prompt_router(), resource_router: Docs::resource_router() };
    let resources = server.resource_router.list_resources().resources;
    assert_eq!(resources.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["index", "logo"]);
    assert_eq!(resources[0].size, Some(11));
    let templates = server.resource_router.list_resource_templates().resource_templates;
    let uris: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    assert_eq!(uris, ["docs://chapters/{number}", "docs://{section}/files/{+path}"]);

    let read = |uri: &str| server.read_resource(ReadResourceRequestParams::new(uri), ctx());
    let r = read("docs://index").await.unwrap();
    assert!(matches!(&r.contents[0], ResourceContents::Text(t) if t.text == "# Contents\n"));
    assert!(matches!(&read("docs://logo.png").await.unwrap().contents[0], ResourceContents::Blob(_)));
    let r = read("docs://chapters/3").await.unwrap();
    assert!(matches!(&r.contents[0], ResourceContents::Text(t) if t.text == "# Chapter 3"));
    assert!(read("docs://chapters/0").await.is_err());
    let r = read("docs://guide/files/a/b.md").await.unwrap();
    assert!(matches!(&r.contents[0], ResourceContents::Text(t) if t.text == "guide: a/b.md"));

    let complete = |reference: Reference, name: &str, value: &str| {
        server.complete(CompleteRequestParams::new(reference, CompletionArgument::new(name, value)), ctx())
    };
    let r = complete(Reference::resource("docs://chapters/{number}"), "number", "1").await.unwrap();
    assert_eq!(r.completion.values, ["1", "10", "11", "12"]);
    let r = complete(Reference::prompt("summarize"), "style", "b").await.unwrap();
    assert_eq!(r.completion.values, ["brief", "bullet points"]);
    let r = complete(Reference::resource("docs://{section}/files/{+path}"), "path", "x").await.unwrap();
    assert_eq!(r.completion.values, ["/x"]);
}
