//! Bad input over a real byte stream gets the right JSON-RPC error, and the connection keeps
//! serving afterwards.

mod common;

use common::{Event, TestServer};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::AsyncRwTransport;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};

const MAX_LINE: usize = 4096;

struct Raw {
    writer: tokio::io::WriteHalf<DuplexStream>,
    lines: Lines<BufReader<tokio::io::ReadHalf<DuplexStream>>>,
}

impl Raw {
    async fn send(&mut self, line: &str) {
        self.writer.write_all(line.as_bytes()).await.unwrap();
        self.writer.write_all(b"\n").await.unwrap();
    }
    async fn recv(&mut self) -> Value {
        let line = tokio::time::timeout(std::time::Duration::from_secs(5), self.lines.next_line())
            .await
            .expect("an answer")
            .unwrap()
            .expect("the connection is open");
        serde_json::from_str(&line).unwrap()
    }
    async fn roundtrip(&mut self, line: &str) -> Value {
        self.send(line).await;
        self.recv().await
    }
}

async fn start() -> Raw {
    start_with(1 << 20).await.0
}

/// A server on a duplex pipe of `buffer` bytes each way, initialized, and its handler's events.
async fn start_with(buffer: usize) -> (Raw, tokio::sync::mpsc::UnboundedReceiver<Event>) {
    let (ours, theirs) = tokio::io::duplex(buffer);
    let (r, w) = tokio::io::split(theirs);
    let (server, events) = TestServer::new();
    let running = server.serve(AsyncRwTransport::with_max_line_length(r, w, MAX_LINE)).await.unwrap();
    tokio::spawn(running.waiting());
    let (r, w) = tokio::io::split(ours);
    let mut raw = Raw { writer: w, lines: BufReader::new(r).lines() };
    let init = raw
        .roundtrip(
            &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}})
            .to_string(),
        )
        .await;
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
    raw.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).await;
    (raw, events)
}

async fn assert_still_serving(raw: &mut Raw) {
    let pong = raw.roundtrip(r#"{"jsonrpc":"2.0","id":"alive","method":"ping"}"#).await;
    assert_eq!(pong, json!({"jsonrpc": "2.0", "id": "alive", "result": {}}));
}

#[tokio::test]
async fn unparseable_json_is_a_parse_error_with_null_id() {
    let mut raw = start().await;
    let e = raw.roundtrip(r#"{"jsonrpc": "2.0", "id": 1, "method": "#).await;
    assert_eq!(e["id"], Value::Null);
    assert_eq!(e["error"]["code"], -32700);
    assert_still_serving(&mut raw).await;
}

#[tokio::test]
async fn invalid_json_rpc_is_an_invalid_request() {
    let mut raw = start().await;
    for bad in [
        r#"{"jsonrpc": "1.0", "id": 7, "method": "ping"}"#,
        r#"{"id": 7, "method": "ping"}"#,
        r#"{"jsonrpc": "2.0", "id": 7, "method": 12}"#,
        r#"{"jsonrpc": "2.0", "id": 7, "method": "ping", "params": 3}"#,
        r#"{"jsonrpc": "2.0", "id": {"x": 1}, "method": "ping"}"#,
        r#"[1, 2, 3]"#,
        r#""just a string""#,
    ] {
        let e = raw.roundtrip(bad).await;
        assert_eq!(e["error"]["code"], -32600, "{bad} -> {e}");
    }
    // The id is echoed when it can be read.
    let e = raw.roundtrip(r#"{"jsonrpc": "1.0", "id": 7, "method": "ping"}"#).await;
    assert_eq!(e["id"], 7);
    assert_still_serving(&mut raw).await;
}

#[tokio::test]
async fn unknown_method_is_method_not_found() {
    let mut raw = start().await;
    let e = raw.roundtrip(r#"{"jsonrpc":"2.0","id":3,"method":"no/such/method"}"#).await;
    assert_eq!(e["id"], 3);
    assert_eq!(e["error"]["code"], -32601);
    assert_still_serving(&mut raw).await;
}

#[tokio::test]
async fn invalid_params_name_the_field() {
    let mut raw = start().await;
    let e = raw.roundtrip(r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"arguments":{}}}"#).await;
    assert_eq!(e["error"]["code"], -32602);
    assert!(e["error"]["message"].as_str().unwrap().contains("name"), "{e}");
    let e = raw
        .roundtrip(r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":[1]}}"#)
        .await;
    assert_eq!(e["error"]["code"], -32602);
    assert!(e["error"]["message"].as_str().unwrap().contains("at `arguments`"), "{e}");
    assert_still_serving(&mut raw).await;
}

#[tokio::test]
async fn over_long_line_is_refused_and_the_connection_survives() {
    let mut raw = start().await;
    let huge =
        format!(r#"{{"jsonrpc":"2.0","id":9,"method":"ping","params":{{"pad":"{}"}}}}"#, "x".repeat(MAX_LINE * 50));
    let e = raw.roundtrip(&huge).await;
    assert_eq!(e["error"]["code"], -32600);
    assert_still_serving(&mut raw).await;
}

#[tokio::test]
async fn stateless_requests_are_validated_from_meta() {
    let mut raw = start().await;
    let e = raw
        .roundtrip(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#)
        .await;
    assert_eq!(e["error"]["code"], -32602, "missing clientCapabilities: {e}");
    let e = raw
        .roundtrip(r#"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"1900-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}"#)
        .await;
    assert_eq!(e["error"]["code"], -32022);
    assert_eq!(e["error"]["data"]["requested"], "1900-01-01");
    let e = raw
        .roundtrip(r#"{"jsonrpc":"2.0","id":3,"method":"ping","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#)
        .await;
    assert_eq!(e["error"]["code"], -32601, "ping is gone from 2026-07-28: {e}");
    let ok = raw
        .roundtrip(r#"{"jsonrpc":"2.0","id":4,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#)
        .await;
    assert_eq!(ok["result"]["resultType"], "complete");
    assert!(ok["result"]["supportedVersions"].as_array().unwrap().contains(&json!("2026-07-28")));
    assert_still_serving(&mut raw).await;
}

#[tokio::test]
async fn requests_before_initialize_are_refused() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let (r, w) = tokio::io::split(theirs);
    let (server, _events) = TestServer::new();
    let running = server.serve(AsyncRwTransport::new(r, w)).await.unwrap();
    tokio::spawn(running.waiting());
    let (r, w) = tokio::io::split(ours);
    let mut raw = Raw { writer: w, lines: BufReader::new(r).lines() };
    let e = raw.roundtrip(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#).await;
    assert_eq!(e["error"]["code"], -32600);
    // ping is allowed before initialization.
    assert_still_serving(&mut raw).await;
}

#[tokio::test]
async fn a_second_initialize_is_refused() {
    let mut raw = start().await;
    let e = raw
        .roundtrip(
            &json!({"jsonrpc": "2.0", "id": 9, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}})
            .to_string(),
        )
        .await;
    assert_eq!(e["error"]["code"], -32600, "{e}");
    assert_still_serving(&mut raw).await;
}

#[tokio::test]
async fn a_duplicate_in_flight_id_is_refused() {
    let mut raw = start().await;
    let slow = json!({"jsonrpc": "2.0", "id": "dup", "method": "tools/call",
        "params": {"name": "slow", "arguments": {"ms": 300, "tag": "a"}}})
    .to_string();
    raw.send(&slow).await;
    let e = raw.roundtrip(&slow).await;
    assert_eq!(e["id"], "dup");
    assert_eq!(e["error"]["code"], -32600, "{e}");
    let first = raw.recv().await;
    assert_eq!(first["result"]["content"][0]["text"], "a", "the first request still completes: {first}");
}

#[tokio::test]
async fn a_panicking_handler_is_answered_with_an_internal_error() {
    let mut raw = start().await;
    let e = raw
        .roundtrip(r#"{"jsonrpc":"2.0","id":"p","method":"tools/call","params":{"name":"panic","arguments":{}}}"#)
        .await;
    assert_eq!(e["id"], "p");
    assert_eq!(e["error"]["code"], -32603);
    assert_still_serving(&mut raw).await;
}

/// A request is first polled on the engine's task; after a handler computed there for long, the
/// next ones run on tasks of their own. Panics are answered on either path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_are_answered_whether_a_handler_runs_on_the_engine_or_on_a_task() {
    let mut raw = start().await;
    let call = |id: &str, name: &str| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": name, "arguments": {"ms": 5, "tag": id}}})
        .to_string()
    };
    for (id, name) in [("inline", "panic"), ("spin", "spin"), ("on-a-task", "panic"), ("after", "echo")] {
        let answer = raw.roundtrip(&call(id, name)).await;
        assert_eq!(answer["id"], id, "{answer}");
        let code = answer["error"]["code"].clone();
        assert_eq!(code, if name == "panic" { json!(-32603) } else { Value::Null }, "{answer}");
    }
    assert_still_serving(&mut raw).await;
}

/// The writer runs on the engine's task: a peer that stops reading blocks the writes, never the
/// reading of what it sends next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_stops_reading_does_not_stop_the_reading() {
    let (mut raw, mut events) = start_with(4096).await;
    let call = |id: usize, name: &str| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": name, "arguments": {"ms": 10, "tag": format!("t{id}"), "text": "x"}}})
        .to_string()
    };
    // A 4 kB pipe holds a few dozen answers; the rest wait in the engine's queue.
    for id in 1..=1000 {
        raw.send(&call(id, "echo")).await;
    }
    raw.send(&call(1001, "slow")).await;
    let started = tokio::time::timeout(std::time::Duration::from_secs(5), events.recv()).await;
    assert!(matches!(started, Ok(Some(Event::Started(tag))) if tag == "t1001"), "the last request was read");
    let mut answered = std::collections::HashSet::new();
    for _ in 0..1001 {
        let answer = raw.recv().await;
        assert!(answer["result"].is_object(), "{answer}");
        answered.insert(answer["id"].as_u64().unwrap());
    }
    assert_eq!(answered.len(), 1001, "every request answered once");
}

#[tokio::test]
async fn a_malformed_response_is_not_answered_with_its_id() {
    let mut raw = start().await;
    // A broken response (no `jsonrpc`): its id belongs to the other side, so it must not be echoed.
    let e = raw.roundtrip(r#"{"id": 77, "result": {}}"#).await;
    assert_eq!(e["id"], Value::Null, "{e}");
    assert_still_serving(&mut raw).await;
}
