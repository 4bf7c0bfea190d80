//! Inputs the fuzz targets (`fuzz/`) and property tests (`rmcp-core/src/proptests.rs`) found
//! breaking an invariant, kept here after their fix where the public API shows them (the rest
//! are at the end of `proptests.rs`); and one bug found while writing the SSE target (the
//! client's parser kept a broken stream's tail on resuming).

mod hostile_support;

use hostile_support::{HostileServer, Reply, Stateful, bounded, event, mcp, tool_result};
use rmcp_core::model::{CallToolRequestParams, ContentBlock};
use rmcp_core::service::ServiceExt;
use rmcp_core::service::lifecycle::is_stateless_raw_request;
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};
use serde_json::value::RawValue;

/// Params with `_meta` twice: the HTTP endpoint's raw reading took the request for a 2026-07-28
/// one (some `_meta` carried the protocol version) while the engine's parse refused the
/// repeated key and saw no `_meta` at all, so the request went to an engine that judged it by
/// another era. Both now read no `_meta` there (the parse side is checked at the end of
/// rmcp-core's `proptests.rs`, with the SSE and `requestState` findings: `__fuzz` is test-only).
#[test]
fn a_repeated_meta_is_read_alike_raw_and_parsed() {
    let params = r#"{"_meta":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#;
    let raw = RawValue::from_string(params.to_owned()).unwrap();
    assert!(!is_stateless_raw_request("tools/list", Some(&raw)));
    // One `_meta` still marks the request, however the key is spelled.
    let one =
        RawValue::from_string(r#"{"\u005fmeta":{"io.modelcontextprotocol/protocolVersion":"x"}}"#.into()).unwrap();
    assert!(is_stateless_raw_request("tools/list", Some(&one)));
}

/// An answer stream cut in the middle of an event, then resumed (`Last-Event-ID`): the client
/// read the resumed stream with the parser of the broken one, so the pending data lines were
/// glued onto the replayed answer, which then parsed as no message and was lost. A
/// resumed stream is a new stream (the HTML event-stream rules): only the last event id and
/// `retry` carry over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_stream_starts_clean_after_a_cut_event() {
    let server = HostileServer::start(move |r| {
        if r.method == "GET" && r.header("last-event-id") == Some("s-0") {
            let id = serde_json::json!(1);
            return Reply::sse(vec![event(Some("s-1"), &tool_result(&id, "resumed"))]);
        }
        mcp(|_, _, _| {
            // A data line of an event that never ends.
            Reply::sse(vec!["id: s-0\nretry: 10\ndata:\n\ndata: {\"jsonrpc\"\n".to_owned()])
        })(r)
    })
    .await;
    let config = StreamableHttpClientConfig::new(server.url()).with_standalone_stream(false);
    let client = bounded("connecting", Stateful(None).serve(StreamableHttpClientTransport::with_config(config)))
        .await
        .expect("initialized");
    let answer = bounded("a resumed call", client.call_tool(CallToolRequestParams::new("t".to_owned())))
        .await
        .expect("answered on the resumed stream");
    assert!(matches!(answer.content.first(), Some(ContentBlock::Text(t)) if t.text == "resumed"), "{answer:?}");
    assert_eq!(server.count("GET"), 1, "resumed once");
}
