use std::marker::PhantomData;

use rmcp_core::{tool, tool_router};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

struct Store<T> {
    items: PhantomData<T>,
}

#[tool_router]
impl<T: DeserializeOwned + JsonSchema + Send + Sync + 'static> Store<T> {
    /// Insert an item.
    #[tool]
    fn insert(&self, item: T) -> String {
        let _ = item;
        "inserted".to_owned()
    }
}

fn main() {
    let _ = Store::<String> { items: PhantomData }.items;
    let _ = Store::<String>::tool_router();
}
