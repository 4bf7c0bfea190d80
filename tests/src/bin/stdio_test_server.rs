//! A stdio MCP server for the child-process tests (tests/tests/client_resilience.rs): it answers
//! the handshake and pings. With `--linger` it stays after its stdin closes, as a server that
//! does not take the hint would, so the tests can see SIGTERM (and SIGKILL) end it.

use std::time::Duration;

use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::service::ServiceExt;

struct Server;

impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("stdio-test-server", "0.0.1"), ServerCapabilities::default())
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let linger = std::env::args().any(|a| a == "--linger");
    Server.serve(rmcp_core::transport::stdio()).await?.waiting().await;
    if linger {
        loop {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    }
    Ok(())
}
