//! A server whose resource changes, telling the clients that subscribed to it.
//!
//! Demonstrates `ResourceSubscriptions`: returned from `ServerHandler::resource_subscriptions`,
//! it makes the handler declare `resources.subscribe` and record who watches which URI (bounded,
//! and forgotten when a connection closes). The tool `set_status` changes the `status://board`
//! resource and calls `notify_updated`, which sends `notifications/resources/updated` to every
//! subscriber; they read the resource again.
//!
//! Run it with `cargo run -p examples --bin subscriptions` (stdio), or with `--http 127.0.0.1:0`
//! (then every HTTP session shares the board).

use std::sync::{Arc, Mutex, PoisonError};

use rmcp_core::handler::{ResourceSubscriptions, ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::{ResourceRouter, ToolRouter};
use rmcp_core::{resource, resource_handler, resource_router, tool, tool_handler, tool_router};

/// The URI of the one resource.
const BOARD: &str = "status://board";

#[derive(Clone)]
struct StatusBoard {
    status: Arc<Mutex<String>>,
    subscriptions: ResourceSubscriptions,
    tool_router: ToolRouter<Self>,
    resource_router: ResourceRouter<Self>,
}

#[resource_router]
impl StatusBoard {
    /// The current status.
    #[resource(uri = "status://board", name = "board", mime_type = "text/plain")]
    fn board(&self) -> String {
        self.status.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

#[tool_router]
impl StatusBoard {
    /// Set the status and tell the subscribers of status://board.
    #[tool]
    async fn set_status(
        &self,
        /// The new status.
        status: String,
    ) -> String {
        *self.status.lock().unwrap_or_else(PoisonError::into_inner) = status;
        let told = self.subscriptions.notify_updated(BOARD).await;
        format!("status set; {told} subscriber(s) told")
    }
}

#[tool_handler]
#[resource_handler]
impl ServerHandler for StatusBoard {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("subscriptions", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
    }

    fn resource_subscriptions(&self) -> Option<&ResourceSubscriptions> {
        Some(&self.subscriptions)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let board = StatusBoard {
        status: Arc::new(Mutex::new("all systems normal".to_owned())),
        // A client picks the URIs it watches: keep each to a few.
        subscriptions: ResourceSubscriptions::new().with_max_per_connection(16),
        tool_router: StatusBoard::tool_router(),
        resource_router: StatusBoard::resource_router(),
    };
    examples::run("subscriptions", move || board.clone()).await
}
