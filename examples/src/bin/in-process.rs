//! A server and a client in one process, joined by an in-memory pipe.
//!
//! Demonstrates `rmcp_core::transport::duplex`: two connected transports, one served by a
//! `ServerHandler`, the other by a client. Nothing is spawned and no port is opened, so this is
//! how to embed a server in an application (a host offering its own tools beside external
//! servers) and how to test one. The client pins each protocol era in turn to show that the
//! handler does not change.
//!
//! Run it with `cargo run -p examples --bin in-process`; it prints what the client sees.

use rmcp_core::ClientHandler;
use rmcp_core::handler::{ClientInfo, ProtocolPreference, ServerHandler};
use rmcp_core::model::{CallToolRequestParams, JsonObject, ProtocolVersion};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::ServiceExt;
use rmcp_core::{tool, tool_handler, tool_router};

#[derive(Clone)]
struct Clock {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Clock {
    /// Add minutes to a time of day.
    #[tool]
    fn add_minutes(
        &self,
        /// Hours, 0 to 23.
        hour: u8,
        /// Minutes, 0 to 59.
        minute: u8,
        /// Minutes to add.
        minutes: u32,
    ) -> Result<String, String> {
        if hour > 23 || minute > 59 {
            return Err(format!("{hour}:{minute:02} is not a time of day"));
        }
        let total = (u32::from(hour) * 60 + u32::from(minute) + minutes) % (24 * 60);
        Ok(format!("{:02}:{:02}", total / 60, total % 60))
    }
}

#[tool_handler]
impl ServerHandler for Clock {}

/// A client that speaks the era it is given.
struct Client(ProtocolPreference);

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.0.clone())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    for era in [ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25), ProtocolPreference::Stateless] {
        let (server_end, client_end) = rmcp_core::transport::duplex(64 * 1024);
        let server = Clock { tool_router: Clock::tool_router() }.serve(server_end).await?;
        let client = Client(era).serve(client_end).await?;
        let version = client.protocol_version().map_or_else(|| "unknown".to_owned(), |v| v.to_string());

        let mut arguments = JsonObject::new();
        for (name, value) in [("hour", 23), ("minute", 50), ("minutes", 25)] {
            arguments.insert(name.into(), value.into());
        }
        let result = client.call_tool(CallToolRequestParams::new("add_minutes").with_arguments(arguments)).await?;
        println!("{version}: 23:50 + 25 min = {}", examples::text_of(&result));

        // Closing the client ends the pipe; the server then stops by itself.
        client.cancel().await;
        let reason = server.waiting().await;
        println!("{version}: server stopped ({reason:?})");
    }
    Ok(())
}
