//! The dual-era client against servers of each era: it stays modern with a modern server and
//! falls back to the `initialize` handshake with a legacy one (stdio probe rules of 2026-07-28).

use std::time::Duration;

use rmcp_core::handler::{ClientHandler, ClientInfo};
use rmcp_core::model::ProtocolVersion;
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::AsyncRwTransport;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// How the scripted legacy server answers `server/discover`.
#[derive(Clone, Copy)]
enum Probe {
    MethodNotFound,
    Silent,
    UnsupportedVersion,
}

/// A hand-scripted server speaking only the 2025 handshake, over a real byte stream.
fn legacy_server(
    probe: Probe,
) -> AsyncRwTransport<tokio::io::ReadHalf<tokio::io::DuplexStream>, tokio::io::WriteHalf<tokio::io::DuplexStream>> {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    tokio::spawn(async move {
        let (r, mut w) = tokio::io::split(theirs);
        let mut lines = BufReader::new(r).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let msg: Value = serde_json::from_str(&line).unwrap();
            let id = msg["id"].clone();
            let reply = match msg["method"].as_str() {
                Some("server/discover") => match probe {
                    Probe::MethodNotFound => {
                        json!({"jsonrpc":"2.0","id":id,"error":{"code":-32601,"message":"Method not found"}})
                    }
                    Probe::Silent => continue,
                    Probe::UnsupportedVersion => json!({"jsonrpc":"2.0","id":id,"error":{"code":-32022,
                        "message":"Unsupported protocol version",
                        "data":{"supported":["2025-06-18"],"requested":"2026-07-28"}}}),
                },
                Some("initialize") => json!({"jsonrpc":"2.0","id":id,"result":{
                    "protocolVersion": msg["params"]["protocolVersion"],
                    "capabilities":{"tools":{}},
                    "serverInfo":{"name":"legacy","version":"1"}}}),
                Some("tools/list") => json!({"jsonrpc":"2.0","id":id,"result":{"tools":[]}}),
                _ => continue,
            };
            w.write_all(format!("{reply}\n").as_bytes()).await.unwrap();
        }
    });
    let (r, w) = tokio::io::split(ours);
    AsyncRwTransport::new(r, w)
}

struct AutoClient;

impl ClientHandler for AutoClient {
    fn get_info(&self) -> ClientInfo {
        let mut info = ClientInfo::default();
        info.probe_timeout = Duration::from_millis(300);
        info
    }
}

#[tokio::test]
async fn falls_back_to_initialize_when_discover_is_unknown() {
    let client = AutoClient.serve(legacy_server(Probe::MethodNotFound)).await.unwrap();
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::V2025_11_25));
    assert_eq!(client.server_info().unwrap().server_info.name, "legacy");
    assert!(client.list_tools(None).await.unwrap().tools.is_empty());
}

#[tokio::test]
async fn falls_back_to_initialize_when_the_probe_times_out() {
    let client = AutoClient.serve(legacy_server(Probe::Silent)).await.unwrap();
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::V2025_11_25));
}

#[tokio::test]
async fn picks_a_version_from_an_unsupported_version_error() {
    let client = AutoClient.serve(legacy_server(Probe::UnsupportedVersion)).await.unwrap();
    assert_eq!(client.protocol_version(), Some(ProtocolVersion::V2025_06_18));
}
