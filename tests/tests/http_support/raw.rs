//! Raw HTTP requests for the wire-level tests.

use reqwest::{RequestBuilder, StatusCode};
use serde_json::{Value, json};

pub const ACCEPT: &str = "application/json, text/event-stream";

pub fn post(url: &str, body: &Value) -> RequestBuilder {
    post_accepting(url, body, ACCEPT)
}

/// A POST accepting only `accept`.
pub fn post_accepting(url: &str, body: &Value, accept: &str) -> RequestBuilder {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", accept)
        .body(body.to_string())
}

/// A 2026-07-28 POST with every header right.
pub fn stateless(url: &str, body: &Value) -> RequestBuilder {
    let mut builder = post(url, body).header("MCP-Protocol-Version", "2026-07-28");
    if let Some(method) = body["method"].as_str() {
        builder = builder.header("Mcp-Method", method);
    }
    if let Some(name) = body["params"]["name"].as_str() {
        builder = builder.header("Mcp-Name", name);
    }
    builder
}

pub async fn json_of(response: reqwest::Response) -> Value {
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Expect an HTTP status and a JSON-RPC error with `code` answering `id`.
pub async fn expect_error(response: reqwest::Response, status: StatusCode, code: i64, id: Value) -> Value {
    assert_eq!(response.status(), status);
    let body = json_of(response).await;
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["id"], id, "the error echoes the request id: {body}");
    body
}

pub fn initialize(id: i64) -> Value {
    initialize_at(id, "2025-11-25")
}

pub fn initialize_at(id: i64, version: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
        "protocolVersion": version, "capabilities": {"sampling": {}}, "clientInfo": {"name": "raw", "version": "0"}}})
}

/// Open a session; returns its id.
pub async fn open_session(url: &str) -> String {
    let response = post(url, &initialize(1)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let id = response.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let answer = json_of(response).await;
    assert_eq!(answer["result"]["protocolVersion"], "2025-11-25");
    id
}

/// Open a session at `version` and send `notifications/initialized`; returns its id.
pub async fn ready_session(url: &str, version: &str) -> String {
    let response = post(url, &initialize_at(1, version)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let id = response.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    assert_eq!(json_of(response).await["result"]["protocolVersion"], version);
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let r = post(url, &initialized).header("Mcp-Session-Id", &id).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    id
}

/// A `tools/call` request.
pub fn tool_call(id: Value, name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": arguments}})
}

/// An HTTP client whose connections leave from `127.0.0.<last>`: Linux routes all of 127/8 to
/// the loopback interface, so each is another peer address for the server's per-address shares.
pub fn client_from(last: u8) -> reqwest::Client {
    let address = std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, last));
    reqwest::Client::builder().local_address(address).build().unwrap()
}
