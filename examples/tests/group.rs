//! A client group over real servers: two `calculator` child processes on stdio (one per era)
//! and a `counter` over Streamable HTTP on 127.0.0.1, behind one namespaced tool list.

mod support;

use rmcp_core::client::{ClientGroup, GroupError};
use rmcp_core::handler::ProtocolPreference;
use rmcp_core::model::{CallToolRequestParams, ProtocolVersion};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::ChildProcess;
use rmcp_core::transport::http::StreamableHttpClientTransport;
use serde_json::json;
use support::Era;
use tokio::process::Command;

fn calc(name: &str, a: i64, b: i64) -> CallToolRequestParams {
    CallToolRequestParams::new(name).with_arguments(json!({"a": a, "b": b}).as_object().unwrap().clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_tool_list_over_stdio_and_http_servers() {
    let mut group = ClientGroup::new();
    for (name, era) in
        [("old", ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)), ("new", ProtocolPreference::Stateless)]
    {
        let child = ChildProcess::builder(Command::new(env!("CARGO_BIN_EXE_calculator"))).discard_stderr().spawn();
        group.add(name, Era(era).serve(child.unwrap()).await.unwrap()).unwrap();
    }
    let (_server, url) = support::serve_over_http(env!("CARGO_BIN_EXE_counter")).await;
    let remote = Era(ProtocolPreference::Auto).serve(StreamableHttpClientTransport::new(url)).await.unwrap();
    group.add("count", remote).unwrap();
    let again = Era(ProtocolPreference::Stateless)
        .serve(ChildProcess::builder(Command::new(env!("CARGO_BIN_EXE_calculator"))).discard_stderr().spawn().unwrap());
    assert!(matches!(group.add("old", again.await.unwrap()), Err(GroupError::DuplicateServer(_))));

    let names: Vec<String> = group.list_all_tools().await.unwrap().into_iter().map(|t| t.name).collect();
    for expected in ["old__add", "old__div", "new__add", "new__mul"] {
        assert!(names.contains(&expected.to_owned()), "{expected} missing from {names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with("count__")), "{names:?}");

    // Fan-out across both calculators, results in call order.
    let calls = (0..40).map(|i| calc(if i % 2 == 0 { "old__add" } else { "new__mul" }, i, 2));
    let results = group.call_tools(calls, 16).await;
    for (i, r) in results.into_iter().enumerate() {
        let i = i as i64;
        let want = if i % 2 == 0 { i + 2 } else { i * 2 };
        assert_eq!(r.unwrap().content[0].as_text(), Some(want.to_string().as_str()), "call {i}");
    }

    let err = group.call_tool(calc("nowhere__add", 1, 1)).await.unwrap_err();
    assert!(matches!(err, GroupError::UnknownTool(_)), "{err:?}");
    let err = group.call_tool(calc("old__pow", 1, 1)).await.unwrap_err();
    assert!(matches!(err, GroupError::Server { ref server, .. } if server == "old"), "{err:?}");
}
