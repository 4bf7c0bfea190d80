//! A scripted newline-JSON server over an in-process pipe (what a child process's stdio is to
//! the client): it answers `initialize`, ignores notifications and the client's answers, and
//! leaves every other request to the script, which writes any lines it likes, or closes.

use std::sync::{Arc, Mutex};

use rmcp_core::service::ServiceExt;
use rmcp_core::transport::AsyncRwTransport;
use rmcp_core::{RoleClient, RunningService};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::{Stateful, result};

/// What the server does after a request.
pub enum Act {
    /// Write these bytes (lines, or not).
    Write(Vec<u8>),
    /// Close both directions, now.
    Close,
}

/// A line holding `message`.
pub fn line(message: &Value) -> Act {
    Act::Write(format!("{message}\n").into_bytes())
}

/// Start the scripted server and connect a 2025 client whose lines may be `max_line` long.
pub async fn connect(
    max_line: usize,
    mut script: impl FnMut(&str, &Value) -> Vec<Act> + Send + 'static,
) -> (RunningService<RoleClient, Stateful>, Arc<Mutex<Vec<Value>>>) {
    let (client_side, server_side) = tokio::io::duplex(64 * 1024);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let (read, mut write) = tokio::io::split(server_side);
        let mut lines = BufReader::new(read).lines();
        while let Ok(Some(text)) = lines.next_line().await {
            let message: Value = serde_json::from_str(&text).unwrap_or_default();
            log.lock().unwrap().push(message.clone());
            let acts = match (message["method"].as_str(), message.get("id")) {
                (Some("initialize"), Some(id)) => vec![line(&result(
                    id,
                    json!({
                        "protocolVersion": "2025-11-25",
                        "capabilities": {"tools": {}},
                        "serverInfo": {"name": "hostile", "version": "0"}
                    }),
                ))],
                (Some(method), Some(id)) => script(method, id),
                _ => Vec::new(),
            };
            for act in acts {
                match act {
                    Act::Write(bytes) => {
                        if write.write_all(&bytes).await.is_err() {
                            return;
                        }
                    }
                    Act::Close => return,
                }
            }
        }
    });
    let (read, write) = tokio::io::split(client_side);
    let transport = AsyncRwTransport::with_max_line_length(read, write, max_line);
    let client = Stateful(None).serve(transport).await.expect("the handshake");
    (client, seen)
}
