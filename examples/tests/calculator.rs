//! The calculator example as a real child process over stdio.

mod support;

use std::process::Stdio;
use std::time::Duration;

use rmcp_core::handler::ProtocolPreference;
use rmcp_core::model::{CallToolRequestParams, JsonObject, ProtocolVersion};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::ChildProcess;
use serde_json::{Value, json};
use support::Era;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

const CALCULATOR: &str = env!("CARGO_BIN_EXE_calculator");

fn operands(a: f64, b: f64) -> JsonObject {
    json!({"a": a, "b": b}).as_object().unwrap().clone()
}

async fn exercise(protocol: ProtocolPreference, expected: ProtocolVersion) {
    let child = ChildProcess::builder(Command::new(CALCULATOR)).discard_stderr().spawn().unwrap();
    let client = Era(protocol).serve(child).await.unwrap();
    assert_eq!(client.protocol_version(), Some(expected));
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<_> = tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["add", "sub", "mul", "div"]);
    assert_eq!(tools[0].input_schema["type"], "object");
    assert!(tools[0].input_schema["properties"]["a"].is_object());

    for (name, a, b, want) in
        [("add", 2.0, 3.0, "5"), ("sub", 2.0, 3.0, "-1"), ("mul", 4.0, 2.5, "10"), ("div", 9.0, 3.0, "3")]
    {
        let r = client.call_tool(CallToolRequestParams::new(name).with_arguments(operands(a, b))).await.unwrap();
        assert!(!r.is_error());
        assert_eq!(r.content[0].as_text(), Some(want), "{name}");
    }
    let r = client.call_tool(CallToolRequestParams::new("div").with_arguments(operands(1.0, 0.0))).await.unwrap();
    assert!(r.is_error(), "division by zero is a tool error");
    assert_eq!(r.content[0].as_text(), Some("division by zero"));

    let err = client.call_tool(CallToolRequestParams::new("pow").with_arguments(operands(1.0, 0.0))).await.unwrap_err();
    assert_eq!(err.as_error_response().unwrap().code, rmcp_core::model::ErrorCode::INVALID_PARAMS);
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateful_client_over_child_process() {
    exercise(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25), ProtocolVersion::V2025_11_25).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stateless_client_over_child_process() {
    exercise(ProtocolPreference::Stateless, ProtocolVersion::V2026_07_28).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_finishes_its_work_and_exits_cleanly_on_stdin_eof() {
    let mut child =
        Command::new(CALCULATOR).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = [
        json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}),
        json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
        json!({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"mul","arguments":{"a":6,"b":7}}}),
        json!({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":1},
            "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}),
    ];
    for line in &input {
        stdin.write_all(format!("{line}\n").as_bytes()).await.unwrap();
    }
    drop(stdin); // EOF
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut answers = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        answers.push(serde_json::from_str::<Value>(&line).unwrap());
    }
    let status = tokio::time::timeout(Duration::from_secs(5), child.wait()).await.expect("exits").unwrap();
    assert!(status.success(), "{status:?}");
    answers.sort_by_key(|a| a["id"].as_i64());
    assert_eq!(answers.len(), 3, "{answers:?}");
    assert_eq!(answers[1]["result"]["content"][0]["text"], "42");
    assert_eq!(answers[2]["result"]["resultType"], "complete");
    assert!(answers[1]["result"].get("resultType").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_is_killed_when_the_client_is_dropped() {
    let child = ChildProcess::builder(Command::new(CALCULATOR)).discard_stderr().spawn().unwrap();
    let pid = child.id().unwrap();
    let client = ().serve(child).await.unwrap();
    assert!(client.list_all_tools().await.is_ok());
    drop(client);
    let gone = async {
        loop {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // Gone, or a zombie waiting to be reaped: either way it no longer runs.
            if stat.is_empty() || stat.split_whitespace().nth(2) == Some("Z") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), gone).await.expect("the child stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_mode_serves_both_eras() {
    // `calculator --http` does not report its address: reserve a free port, release it, pass it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let _server = Command::new(CALCULATOR)
        .args(["--http", &addr])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let url = format!("http://{addr}/mcp");
    for (protocol, expected) in [
        (ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25), ProtocolVersion::V2025_11_25),
        (ProtocolPreference::Stateless, ProtocolVersion::V2026_07_28),
    ] {
        // The server may still be starting: retry for up to 5 s.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let client = loop {
            let transport = rmcp_core::transport::http::StreamableHttpClientTransport::new(url.clone());
            match Era(protocol.clone()).serve(transport).await {
                Ok(client) => break client,
                Err(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("no calculator at {url}: {e}"),
            }
        };
        assert_eq!(client.protocol_version(), Some(expected));
        let r = client.call_tool(CallToolRequestParams::new("sub").with_arguments(operands(2.0, 3.0))).await.unwrap();
        assert_eq!(r.content[0].as_text(), Some("-1"));
        let r = client.call_tool(CallToolRequestParams::new("div").with_arguments(operands(1.0, 0.0))).await.unwrap();
        assert!(r.is_error());
        client.cancel().await;
    }
}
