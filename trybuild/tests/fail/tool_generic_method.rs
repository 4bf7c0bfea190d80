use rmcp_core::{tool, tool_router};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

struct Echo;

#[tool_router]
impl Echo {
    /// Echo a value.
    #[tool]
    fn echo<T: DeserializeOwned + JsonSchema + std::fmt::Debug>(&self, value: T) -> String {
        format!("{value:?}")
    }
}

fn main() {
    let _ = Echo::tool_router();
}
