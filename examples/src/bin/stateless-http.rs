//! A client of the stateless 2026-07-28 protocol over HTTP, first by hand, then with the SDK.
//!
//! Demonstrates what "stateless" means on the wire: one POST carries the whole request (the
//! protocol version, client info and capabilities in `_meta`, mirrored in the `MCP-Protocol-
//! Version`, `Mcp-Method` and `Mcp-Name` headers), with no `initialize` before it and no
//! `Mcp-Session-Id` after it, so any replica of a server can answer any request. Then the same
//! server is used through `StreamableHttpClientTransport` with
//! `ProtocolPreference::Stateless`, which writes those requests for you; twenty calls run at
//! once on it.
//!
//! Run it against any server of ours, such as `calculator`: `cargo run -p examples --bin
//! calculator -- --http 127.0.0.1:8000`, then `cargo run -p examples --bin stateless-http --
//! --url http://127.0.0.1:8000/mcp`.

use rmcp_core::ClientHandler;
use rmcp_core::handler::{ClientInfo, ProtocolPreference};
use rmcp_core::model::{CallToolRequestParams, JsonObject};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::http::StreamableHttpClientTransport;
use serde_json::{Value, json};

/// A client pinned to 2026-07-28.
struct Stateless;

impl ClientHandler for Stateless {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(ProtocolPreference::Stateless)
    }
}

/// `add`'s arguments.
fn add(a: i64, b: i64) -> CallToolRequestParams {
    let mut arguments = JsonObject::new();
    arguments.insert("a".into(), a.into());
    arguments.insert("b".into(), b.into());
    CallToolRequestParams::new("add").with_arguments(arguments)
}

/// One `tools/call` as a single self-contained POST.
async fn by_hand(url: &str) -> anyhow::Result<()> {
    let body = json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {
            "name": "add", "arguments": {"a": 2, "b": 3},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientInfo": {"name": "by-hand", "version": "1.0.0"},
                "io.modelcontextprotocol/clientCapabilities": {}
            }
        }
    });
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        // The headers repeat the body, so proxies can route without parsing JSON.
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/call")
        .header("mcp-name", "add")
        .body(body.to_string())
        .send()
        .await?;
    let status = response.status();
    let session = response.headers().get("mcp-session-id").map_or("none", |_| "present");
    let answer: Value = serde_json::from_slice(&response.bytes().await?)?;
    println!("by hand: HTTP {status}, session id: {session}, 2 + 3 = {}", answer["result"]["content"][0]["text"]);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = examples::flag("--url")?.ok_or_else(|| anyhow::anyhow!("usage: stateless-http --url URL"))?;
    by_hand(&url).await?;

    let client = Stateless.serve(StreamableHttpClientTransport::new(url.as_str())).await?;
    let version = client.protocol_version().map_or_else(|| "unknown".to_owned(), |v| v.to_string());
    let results = client.call_tools((0..20).map(|i| add(i, i)), 20).await;
    let sums: Vec<String> =
        results.iter().map(|r| r.as_ref().map_or_else(|e| e.to_string(), examples::text_of)).collect();
    println!("with the SDK: protocol {version}, 20 calls at once: {}", sums.join(" "));
    client.cancel().await;
    Ok(())
}
