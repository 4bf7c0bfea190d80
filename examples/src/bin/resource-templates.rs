//! A product catalog served as resources: one fixed resource and a two-variable template whose
//! variables are completed.
//!
//! Demonstrates `#[resource_router]`: `shop://categories` is a fixed resource; the template
//! `shop://{category}/{item}` gives every item a URI, its variables arriving as the method's
//! arguments. `#[completion]` completes `category` from what was typed, and `item` from the
//! category already chosen (the request's context, through `CompletionCallContext`). A URI of
//! no item is -32602 with the URI in `data`.
//!
//! Run it with `cargo run -p examples --bin resource-templates` (stdio), or with
//! `--http 127.0.0.1:0`.

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::{CompletionCallContext, ResourceRouter};
use rmcp_core::service::McpError;
use rmcp_core::{completion, resource, resource_handler, resource_router, resource_template};

/// The catalog: categories and their items with prices in cents.
const CATALOG: &[(&str, &[(&str, u32)])] =
    &[("fruit", &[("apple", 40), ("apricot", 65), ("banana", 25)]), ("tools", &[("hammer", 1500), ("saw", 2200)])];

fn items_of(category: &str) -> &'static [(&'static str, u32)] {
    CATALOG.iter().find(|(c, _)| *c == category).map_or(&[], |(_, items)| items)
}

#[derive(Clone)]
struct Shop {
    resource_router: ResourceRouter<Self>,
}

#[resource_router]
impl Shop {
    /// The categories, one per line.
    #[resource(uri = "shop://categories", name = "categories", mime_type = "text/plain")]
    fn categories(&self) -> String {
        CATALOG.iter().map(|(c, _)| format!("{c}\n")).collect()
    }

    /// One item of the catalog, with its price.
    #[resource_template(uri_template = "shop://{category}/{item}", name = "item", mime_type = "text/plain")]
    fn item(&self, category: String, item: String) -> Result<String, McpError> {
        let price = items_of(&category).iter().find(|(name, _)| *name == item).map(|(_, cents)| *cents);
        let cents = price.ok_or_else(|| McpError::resource_not_found(&format!("shop://{category}/{item}")))?;
        Ok(format!("{item} ({category}): {}.{:02} EUR", cents / 100, cents % 100))
    }

    /// Categories starting with what was typed.
    #[completion(resource = "shop://{category}/{item}", argument = "category")]
    fn complete_category(&self, typed: String) -> Vec<String> {
        CATALOG.iter().map(|(c, _)| *c).filter(|c| c.starts_with(typed.as_str())).map(str::to_owned).collect()
    }

    /// Items of the chosen category starting with what was typed; none before a category is
    /// chosen.
    #[completion(resource = "shop://{category}/{item}", argument = "item")]
    fn complete_item(&self, cx: CompletionCallContext) -> Vec<String> {
        let category = cx.context.get("category").map_or("", String::as_str);
        let typed = cx.value.as_str();
        items_of(category).iter().map(|(name, _)| *name).filter(|n| n.starts_with(typed)).map(str::to_owned).collect()
    }
}

#[resource_handler]
impl ServerHandler for Shop {
    fn get_info(&self) -> ServerInfo {
        let identity = Implementation::new("resource-templates", env!("CARGO_PKG_VERSION"));
        ServerInfo::new(identity, ServerCapabilities::default())
            .with_instructions("Read shop://categories, then shop://{category}/{item}.")
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    examples::run("resource-templates", || Shop { resource_router: Shop::resource_router() }).await
}
