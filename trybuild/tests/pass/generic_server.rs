//! A generic server: routers and handlers on `impl<T> S<T>`, with the type parameter in
//! `Parameters<T>`, in return types and in the server's state.

use std::sync::Mutex;

use rmcp_core::handler::ServerHandler;
use rmcp_core::model::{CallToolRequestParams, RequestId};
use rmcp_core::router::{Json, Parameters, PromptRouter, ToolRouter};
use rmcp_core::service::{Peer, RequestContext};
use rmcp_core::{prompt, prompt_handler, prompt_router, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The input of `push`: a struct generic over the stored type.
#[derive(Deserialize, JsonSchema)]
struct Item<T> {
    value: T,
}

/// The structured output of `all` (structured output is always an object).
#[derive(Serialize, JsonSchema)]
struct Items<T> {
    items: Vec<T>,
}

struct Store<T> {
    items: Mutex<Vec<T>>,
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
}

#[tool_router]
impl<T> Store<T>
where
    T: DeserializeOwned + Serialize + JsonSchema + Clone + Send + Sync + 'static,
{
    /// Add an item.
    #[tool]
    fn push(&self, Parameters(Item { value }): Parameters<Item<T>>) -> String {
        let mut items = self.items.lock().unwrap();
        items.push(value);
        format!("{} items", items.len())
    }

    /// All items.
    #[tool]
    async fn all(&self) -> Json<Items<T>> {
        Json(Items { items: self.items.lock().unwrap().clone() })
    }

    /// How many items there are; plain arguments of concrete types are fine on a generic impl.
    #[tool]
    fn count(&self, at_least: Option<usize>) -> String {
        let n = self.items.lock().unwrap().len();
        (n >= at_least.unwrap_or(0)).to_string()
    }
}

#[prompt_router]
impl<T: Send + Sync + 'static> Store<T> {
    /// Describe the store.
    #[prompt]
    fn describe(&self, tone: Option<String>) -> String {
        format!("Describe a store of {} items, {}", self.items.lock().unwrap().len(), tone.unwrap_or_default())
    }
}

#[tool_handler]
#[prompt_handler]
impl<T> ServerHandler for Store<T> where T: DeserializeOwned + Serialize + JsonSchema + Clone + Send + Sync + 'static {}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let store = Store::<u32> {
        items: Mutex::new(Vec::new()),
        tool_router: Store::tool_router(),
        prompt_router: Store::prompt_router(),
    };
    let ctx = || RequestContext::new(RequestId::from(1), Peer::detached());
    let arguments = json!({"value": 4}).as_object().unwrap().clone();
    let pushed = store.call_tool(CallToolRequestParams::new("push").with_arguments(arguments), ctx()).await.unwrap();
    assert_eq!(pushed.content[0].as_text(), Some("1 items"));
    let schema = &store.tool_router.get("push").unwrap().input_schema;
    assert_eq!(schema["properties"]["value"]["type"], "integer");
    let all = store.call_tool(CallToolRequestParams::new("all"), ctx()).await.unwrap();
    assert_eq!(all.structured_content, Some(json!({"items": [4]})));
    assert_eq!(store.prompt_router.list_prompts().prompts[0].name, "describe");

    let strings = Store::<String> {
        items: Mutex::new(vec!["a".to_owned()]),
        tool_router: Store::tool_router(),
        prompt_router: Store::prompt_router(),
    };
    let r = strings.call_tool(CallToolRequestParams::new("count"), ctx()).await.unwrap();
    assert_eq!(r.content[0].as_text(), Some("true"));
}
