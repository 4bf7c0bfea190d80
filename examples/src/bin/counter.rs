//! A counter MCP server: `increment`, `decrement`, `get` and `reset` on one shared number.
//!
//! Demonstrates server state with the macros: the count lives in an `Arc<Mutex<i64>>` that every
//! clone of the server shares, so over Streamable HTTP — where each 2025-era session gets its own
//! handler from the factory — all clients see one count. It also shows an optional argument
//! (`by: Option<i64>`), structured output (`Json<T>`, which adds an `outputSchema`), a tool error
//! on overflow, and tool annotations.
//!
//! Run it with `cargo run -p examples --bin counter` (stdio), or with `--http 127.0.0.1:PORT`
//! (`PORT` 0 picks a free one) to serve Streamable HTTP; it then prints the endpoint URL on
//! stderr and stops on Ctrl-C.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::{Json, ToolRouter};
use rmcp_core::{tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Serialize;

/// The server. Cloning it shares the count (and the tool router, which is cheap to clone).
#[derive(Clone)]
struct Counter {
    /// The one number every tool works on. A plain `std` mutex: no tool holds it across an
    /// `.await`.
    count: Arc<Mutex<i64>>,
    tool_router: ToolRouter<Self>,
}

// What `get` returns as structured content (`{"value": 3}`). The doc comments here are not
// just for readers: they become the descriptions in `get`'s `outputSchema`.
/// The counter's state.
#[derive(Serialize, JsonSchema)]
struct CounterValue {
    /// The counter's current value.
    value: i64,
}

impl Counter {
    fn new() -> Self {
        Self { count: Arc::new(Mutex::new(0)), tool_router: Self::tool_router() }
    }

    /// The count, locked. A panic elsewhere cannot leave an `i64` half-written, so a poisoned
    /// lock is still good to use.
    fn count(&self) -> MutexGuard<'_, i64> {
        self.count.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Apply `step`; the new value as text, or a tool error if it would overflow.
    fn update(&self, step: impl FnOnce(i64) -> Option<i64>) -> Result<String, String> {
        let mut count = self.count();
        *count = step(*count).ok_or_else(|| format!("the counter is {count}: that step would overflow it"))?;
        Ok(count.to_string())
    }
}

/// The tools. Each method's doc comment is the tool's description; `by`'s doc comment is the
/// description of its property in the input schema.
#[tool_router]
impl Counter {
    /// Add `by` (default 1) to the counter and return the new value.
    #[tool]
    fn increment(
        &self,
        /// How much to add; 1 if absent.
        by: Option<i64>,
    ) -> Result<String, String> {
        let by = by.unwrap_or(1);
        self.update(|n| n.checked_add(by))
    }

    /// Subtract `by` (default 1) from the counter and return the new value.
    #[tool]
    fn decrement(
        &self,
        /// How much to subtract; 1 if absent.
        by: Option<i64>,
    ) -> Result<String, String> {
        let by = by.unwrap_or(1);
        self.update(|n| n.checked_sub(by))
    }

    /// The counter's current value, as structured content.
    #[tool(annotations(read_only_hint = true))]
    fn get(&self) -> Json<CounterValue> {
        Json(CounterValue { value: *self.count() })
    }

    /// Set the counter back to 0.
    #[tool(annotations(destructive_hint = true, idempotent_hint = true))]
    fn reset(&self) -> String {
        *self.count() = 0;
        "0".to_owned()
    }
}

/// `#[tool_handler]` serves the router in `self.tool_router` and declares the `tools` capability.
#[tool_handler]
impl ServerHandler for Counter {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("counter", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
            .with_instructions("One shared integer counter: increment, decrement, get, reset.")
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let counter = Counter::new();
    // Every session's handler is a clone: they all share one count.
    examples::run("counter", move || counter.clone()).await
}
