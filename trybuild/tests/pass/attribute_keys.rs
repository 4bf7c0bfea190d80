//! Every key of every attribute, and how each shows up in the listed metadata.

use rmcp_core::model::{Icon, Meta};
use rmcp_core::router::ToolRouter;
use rmcp_core::{tool, tool_router};
use serde_json::json;

/// Text keys take any expression yielding a string, such as a constant.
const TITLE: &str = "Described";

fn icons() -> Vec<Icon> {
    vec![Icon::new("https://example.com/a.svg").with_mime_type("image/svg+xml")]
}

fn meta() -> Meta {
    let mut meta = Meta::new();
    meta.insert("source".to_owned(), json!("expr"));
    meta
}

struct Server {
    tools: ToolRouter<Self>,
}

#[tool_router(router = tools, vis = "pub(crate)")]
impl Server {
    /// Fetch a page.
    ///
    /// Follows redirects.
    #[tool(
        name = "web.fetch",
        title = "Fetch",
        annotations(
            title = "Fetch a URL",
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint,
            open_world_hint = true
        ),
        icons = ["https://example.com/fetch.png", "https://example.com/fetch-dark.png"],
        meta = {"example/version": 2, "nested": {"ok": true}}
    )]
    fn fetch(
        &self,
        /// The URL to fetch.
        url: String,
        /// Seconds before giving up.
        #[serde(default = "default_timeout")]
        timeout: u32,
        /// A raw identifier is the property `type`.
        r#type: Option<String>,
    ) -> String {
        format!("{url} {timeout} {type:?}", type = r#type)
    }

    #[tool(title = TITLE, description = concat!("Built ", "from an expression"), icons = icons(), meta = meta())]
    fn described(&self) {}

    /// Doc comments are ignored when a description is given.
    #[tool(description = "Explicit")]
    fn explicit(&self) {}

    #[tool]
    fn r#loop(&self) {}
}

fn default_timeout() -> u32 {
    30
}

fn main() {
    let server = Server { tools: Server::tools() };
    let tool = |name: &str| server.tools.get(name).unwrap_or_else(|| panic!("no tool {name}"));

    let fetch = tool("web.fetch");
    assert_eq!(fetch.title.as_deref(), Some("Fetch"));
    assert_eq!(fetch.description.as_deref(), Some("Fetch a page.\n\nFollows redirects."));
    let annotations = fetch.annotations.as_ref().unwrap();
    assert_eq!(annotations.title.as_deref(), Some("Fetch a URL"));
    assert_eq!(
        (annotations.read_only_hint, annotations.destructive_hint, annotations.idempotent_hint),
        (Some(true), Some(false), Some(true))
    );
    assert_eq!(annotations.open_world_hint, Some(true));
    assert_eq!(fetch.icons.as_ref().unwrap().len(), 2);
    assert_eq!(fetch.meta.as_ref().unwrap()["nested"], json!({"ok": true}));
    let schema = &fetch.input_schema;
    assert_eq!(schema["properties"]["url"]["description"], "The URL to fetch.");
    assert_eq!(schema["properties"]["timeout"]["default"], 30);
    assert!(schema["properties"].get("type").is_some());
    assert_eq!(schema["required"], json!(["url"]));

    let described = tool("described");
    assert_eq!(described.title.as_deref(), Some("Described"));
    assert_eq!(described.description.as_deref(), Some("Built from an expression"));
    assert_eq!(described.icons.as_ref().unwrap()[0].mime_type.as_deref(), Some("image/svg+xml"));
    assert_eq!(described.meta.as_ref().unwrap()["source"], "expr");
    assert_eq!(tool("explicit").description.as_deref(), Some("Explicit"));
    assert!(tool("loop").description.is_none());
}
