//! The counter example as a real child process: over stdio, and over Streamable HTTP where
//! clients of both protocol eras share one count.

mod support;

use rmcp_core::handler::ProtocolPreference;
use rmcp_core::model::{CallToolRequestParams, CallToolResult, ProtocolVersion};
use rmcp_core::service::{Peer, RoleClient, ServiceExt};
use rmcp_core::transport::http::StreamableHttpClientTransport;
use serde_json::{Value, json};
use support::Era;

const COUNTER: &str = env!("CARGO_BIN_EXE_counter");

/// Call `name` with `args` (`null` for none).
async fn call(client: &Peer<RoleClient>, name: &str, args: Value) -> CallToolResult {
    let mut params = CallToolRequestParams::new(name.to_owned());
    if let Value::Object(args) = args {
        params = params.with_arguments(args);
    }
    client.call_tool(params).await.unwrap()
}

fn text(result: &CallToolResult) -> &str {
    result.content[0].as_text().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_are_listed_with_schemas_and_annotations() {
    let client = support::stdio_client(COUNTER).await;
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<_> = tools.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["increment", "decrement", "get", "reset"]);
    let tool = |name: &str| tools.iter().find(|t| t.name == name).unwrap();

    let increment = tool("increment");
    assert_eq!(increment.input_schema["properties"]["by"]["description"], "How much to add; 1 if absent.");
    assert!(!increment.input_schema.contains_key("required"), "`by` is optional");
    assert!(increment.output_schema.is_none());

    let get = tool("get");
    let output = get.output_schema.as_ref().expect("Json<T> gives an output schema");
    assert_eq!(output["properties"]["value"]["type"], "integer");
    assert_eq!(get.annotations.as_ref().unwrap().read_only_hint, Some(true));
    let reset = tool("reset").annotations.as_ref().unwrap();
    assert_eq!((reset.destructive_hint, reset.idempotent_hint), (Some(true), Some(true)));
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_update_and_report_the_count() {
    let client = support::stdio_client(COUNTER).await;
    assert_eq!(text(&call(&client, "increment", Value::Null).await), "1");
    assert_eq!(text(&call(&client, "increment", json!({"by": 5})).await), "6");
    assert_eq!(text(&call(&client, "decrement", json!({})).await), "5");
    assert_eq!(text(&call(&client, "decrement", json!({"by": 10})).await), "-5");

    let r = call(&client, "get", Value::Null).await;
    assert!(!r.is_error());
    assert_eq!(r.structured_content, Some(json!({"value": -5})));
    assert_eq!(serde_json::from_str::<Value>(text(&r)).unwrap(), json!({"value": -5}), "and as JSON text");

    assert_eq!(text(&call(&client, "reset", Value::Null).await), "0");
    assert_eq!(call(&client, "get", Value::Null).await.structured_content, Some(json!({"value": 0})));
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overflow_and_bad_arguments_are_tool_errors() {
    let client = support::stdio_client(COUNTER).await;
    assert_eq!(text(&call(&client, "increment", json!({"by": i64::MAX})).await), i64::MAX.to_string());
    let r = call(&client, "increment", Value::Null).await;
    assert!(r.is_error(), "overflow is a tool error");
    assert!(text(&r).contains("overflow"), "{}", text(&r));
    assert_eq!(call(&client, "get", Value::Null).await.structured_content, Some(json!({"value": i64::MAX})));

    let r = call(&client, "decrement", json!({"by": "two"})).await;
    assert!(r.is_error(), "an argument of the wrong type is a tool error too");
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_clients_of_both_eras_share_one_count() {
    let (_server, url) = support::serve_over_http(COUNTER).await;
    let stateful = Era(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
        .serve(StreamableHttpClientTransport::new(url.clone()))
        .await
        .unwrap();
    let stateless = Era(ProtocolPreference::Stateless).serve(StreamableHttpClientTransport::new(url)).await.unwrap();
    assert_eq!(stateful.protocol_version(), Some(ProtocolVersion::V2025_11_25));
    assert_eq!(stateless.protocol_version(), Some(ProtocolVersion::V2026_07_28));

    assert_eq!(text(&call(&stateful, "increment", json!({"by": 2})).await), "2");
    assert_eq!(text(&call(&stateless, "increment", json!({"by": 3})).await), "5");
    for client in [&stateful, &stateless] {
        assert_eq!(call(client, "get", Value::Null).await.structured_content, Some(json!({"value": 5})));
    }
    stateful.cancel().await;
    stateless.cancel().await;
}
