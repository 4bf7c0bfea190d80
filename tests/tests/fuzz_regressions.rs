//! Inputs the fuzz targets (`fuzz/`) and property tests (`tests/proptests.rs`) found breaking an
//! invariant, each kept here after its fix, with the check that caught it; and one bug found
//! while writing the SSE target (the client's parser kept a broken stream's tail on resuming).

mod hostile_support;

use hostile_support::{HostileServer, Reply, Stateful, bounded, event, mcp, tool_result};
use rmcp_core::__fuzz;
use rmcp_core::model::{CallToolRequestParams, ContentBlock};
use rmcp_core::service::ServiceExt;
use rmcp_core::service::lifecycle::is_stateless_raw_request;
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};
use serde_json::value::RawValue;

/// Params with `_meta` twice: the HTTP endpoint's raw reading took the request for a 2026-07-28
/// one (some `_meta` carried the protocol version) while the engine's parse refused the
/// repeated key and saw no `_meta` at all, so the request went to an engine that judged it by
/// another era. Both now read no `_meta` there.
#[test]
fn a_repeated_meta_is_read_alike_raw_and_parsed() {
    let params = r#"{"_meta":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#;
    let raw = RawValue::from_string(params.to_owned()).unwrap();
    assert!(!is_stateless_raw_request("tools/list", Some(&raw)));
    let message = format!(r#"{{"id":0,"jsonrpc":"2.0","method":"tools/list","params":{params}}}"#);
    __fuzz::jsonrpc(message.as_bytes());
    // One `_meta` still marks the request, however the key is spelled.
    let one =
        RawValue::from_string(r#"{"\u005fmeta":{"io.modelcontextprotocol/protocolVersion":"x"}}"#.into()).unwrap();
    assert!(is_stateless_raw_request("tools/list", Some(&one)));
}

/// The HTTP client's SSE parser took a CR at the end of one read and an LF at the start of the
/// next as one line end, unless an empty read came between them: then the LF was a second,
/// blank line, and dispatched the event early (an HTTP/2 server may send empty DATA frames).
#[test]
fn an_empty_read_between_cr_and_lf_ends_no_event() {
    let input = b"data: x\r\ndata: y\n\n";
    // Limit byte, unused byte, then the read sizes: 8 bytes ("data: x\r"), an empty read, the rest.
    let mut data = vec![0x80, 0, 8, 0, 64, 64, 64, 64, 64, 64];
    data.extend_from_slice(input);
    __fuzz::sse(&data);
}

/// A number in the answers a `requestState` carries came back changed in its last digit
/// (`1.115e-51` opened as `1.1149999999999999e-51`): serde_json parsed floats with best-effort
/// precision, so what was sealed was not what was written. Every number the SDK reads was off
/// the same way; serde_json's `float_roundtrip` parses them exactly.
#[test]
fn numbers_in_a_request_state_open_unchanged() {
    __fuzz::request_state(br#"{":l":1.115e-51}"#);
    let parsed: serde_json::Value = serde_json::from_str("1.115e-51").unwrap();
    assert_eq!(parsed.to_string(), "1.115e-51");
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
