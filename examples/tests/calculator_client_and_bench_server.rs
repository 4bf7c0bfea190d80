//! The two examples no other test runs: `calculator-client` against `calculator` over stdio and
//! over HTTP, and `bench-server` (the benchmarks' server) with and without extra tools.

mod guide_support;

use guide_support::{call, http_server, run_to_end, stdio_child, text};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::ChildProcess;
use serde_json::json;

/// What `calculator-client` prints after its first line, whatever the transport.
const CALLS: &str = "tool add: Add two numbers: a + b
tool sub: Subtract b from a: a - b
tool mul: Multiply two numbers: a * b
tool div: Divide a by b: a / b (b must not be zero)
add(2, 3) = 5
sub(2, 3) = -1
mul(4, 2.5) = 10
div(1, 0) = division by zero (tool error)
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_calculator_client_calls_every_tool_over_stdio_and_http() {
    // Over stdio it starts `calculator` from its own directory.
    let out = run_to_end(env!("CARGO_BIN_EXE_calculator-client"), &[], &[]).await;
    assert_eq!(out, format!("connected to calculator 0.1.0 (2026-07-28)\n{CALLS}"));

    let (_server, url, _) = http_server(env!("CARGO_BIN_EXE_calculator"), &[], &[]).await;
    let out = run_to_end(env!("CARGO_BIN_EXE_calculator-client"), &["--url", &url], &[]).await;
    let (first, rest) = out.split_once('\n').unwrap();
    assert!(first.starts_with("connected to calculator"), "{out}");
    assert_eq!(rest, CALLS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bench_server_adds_and_lists_its_extra_tools() {
    let (client, _) = stdio_child(env!("CARGO_BIN_EXE_bench-server"), &["stdio"], ()).await;
    assert_eq!(client.list_all_tools().await.unwrap().len(), 1);
    let sums = client.call_tools((0..100).map(|i| call("add", json!({"a": i, "b": 1}))), 64).await;
    assert!(sums.iter().enumerate().all(|(i, r)| text(r.as_ref().unwrap()) == (i + 1).to_string()));
    client.cancel().await;

    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_bench-server"));
    command.arg("stdio").env("BENCH_EXTRA_TOOLS", "100");
    let client = ().serve(ChildProcess::new(command).unwrap()).await.unwrap();
    assert_eq!(client.list_all_tools().await.unwrap().len(), 101);
    client.cancel().await;
}
