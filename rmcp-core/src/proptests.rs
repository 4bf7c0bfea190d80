//! Property tests of the wire parsers, run in every CI run: the invariants the fuzz targets in
//! `fuzz/` check (round trips, no panic, output and buffering bounded by the input, results
//! independent of how input is split into reads), over inputs shaped like what each parser
//! reads. The checks themselves are `__fuzz`'s, shared with the fuzz targets; the inputs the
//! fuzzers found breaking them are kept at the end.
//!
//! `PROPTEST_CASES` (default 256) sets the cases per property; the whole file runs in seconds.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::__fuzz;

/// Keys the model types and envelopes read, so generated objects reach past the first field.
#[rustfmt::skip]
const KEYS: &[&str] = &[
    "jsonrpc", "id", "method", "params", "result", "error", "code", "message", "data", "_meta", "type", "text",
    "name", "title", "uri", "mimeType", "content", "arguments", "cursor", "nextCursor", "tools", "inputSchema",
    "properties", "required", "enum", "oneOf", "items", "action", "mode", "url", "requestId", "progressToken",
    "progress", "total", "level", "role", "messages", "resultType", "inputRequests", "inputResponses",
    "requestState", "taskId", "status", "capabilities", "protocolVersion", "clientInfo", "blob", "annotations",
    "io.modelcontextprotocol/protocolVersion", "io.modelcontextprotocol/clientCapabilities",
    "io.modelcontextprotocol/clientInfo", "io.modelcontextprotocol/related-task", "x-mcp-header",
];

#[rustfmt::skip]
const METHODS: &[&str] = &[
    "initialize", "ping", "server/discover", "tools/list", "tools/call", "resources/read", "prompts/get",
    "completion/complete", "logging/setLevel", "subscriptions/listen", "sampling/createMessage",
    "elicitation/create", "roots/list", "tasks/get", "tasks/update", "notifications/cancelled",
    "notifications/progress", "notifications/message", "notifications/initialized",
];

/// Arbitrary JSON, biased towards the keys above and small depth.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        "[a-z0-9 ./:_\\-]{0,12}".prop_map(Value::String),
        prop::sample::select(METHODS).prop_map(|m| json!(m)),
        prop::sample::select(&["2026-07-28", "2025-11-25", "2025-03-26", "text", "image", "accept", "object"][..])
            .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

/// A JSON-RPC message, well-formed or nearly so, `_meta` keys of both eras included.
fn message() -> impl Strategy<Value = String> {
    (0u8..6, any::<i32>(), prop::sample::select(METHODS), json_value(), json_value(), any::<u8>()).prop_map(
        |(kind, id, method, params, meta, twist)| {
            let mut params = if params.is_object() { params } else { json!({}) };
            if twist & 1 != 0 {
                params["_meta"] = if meta.is_object() { meta } else { json!({"progressToken": id}) };
            }
            if twist & 2 != 0 {
                if !params["_meta"].is_object() {
                    params["_meta"] = json!({});
                }
                params["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("2026-07-28");
            }
            let v = match kind {
                0 => json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
                1 => json!({"jsonrpc": "2.0", "method": method, "params": params}),
                2 => json!({"jsonrpc": "2.0", "id": id, "result": params}),
                3 => json!({"jsonrpc": "2.0", "id": null, "error": {"code": id, "message": method}}),
                4 => json!({"jsonrpc": "2.0", "id": format!("s{id}"), "method": method}),
                _ => params,
            };
            let text = v.to_string();
            // The raw reading of `_meta` sees escapes and repeated keys that `Value` hides.
            match twist >> 2 & 3 {
                1 => text.replacen("io.modelcontextprotocol/", "io.modelcontextprotocol\\/", 1),
                2 => text.replacen("\"_meta\":", "\"_meta\":{},\"_meta\":", 1),
                _ => text,
            }
        },
    )
}

fn bytes_with(prefix: &[u8], body: &[u8]) -> Vec<u8> {
    let mut v = prefix.to_vec();
    v.extend_from_slice(body);
    v
}

proptest! {
    #[test]
    fn framing_is_bounded_and_independent_of_reads(
        limit in any::<u8>(),
        sizes in prop::collection::vec(any::<u8>(), 8),
        lines in prop::collection::vec(prop_oneof![message(), "[ -~\\r]{0,80}", Just(String::new())], 0..8),
        ending in prop::sample::select(&["\n", "\r\n", " \n", ""][..]),
    ) {
        let input = lines.join(ending);
        let data = [&[limit, 0][..], &sizes, input.as_bytes()].concat();
        __fuzz::framing(&data);
    }

    #[test]
    fn jsonrpc_messages_round_trip_and_agree_on_their_era(text in message()) {
        __fuzz::jsonrpc(text.as_bytes());
    }

    #[test]
    fn jsonrpc_garbage_never_panics(data in prop::collection::vec(any::<u8>(), 0..200)) {
        __fuzz::jsonrpc(&data);
    }

    #[test]
    fn batches_are_bounded_and_round_trip(max in any::<u8>(), items in prop::collection::vec(message(), 0..6)) {
        let body = format!("[{}]", items.join(","));
        __fuzz::batch(&bytes_with(&[max, 0], body.as_bytes()));
    }

    #[test]
    fn model_types_round_trip(pick in any::<u8>(), value in json_value()) {
        __fuzz::model(&bytes_with(&[pick], value.to_string().as_bytes()));
    }

    #[test]
    fn every_model_type_round_trips_its_own_shapes(value in json_value()) {
        let text = value.to_string();
        for (_, check) in __fuzz::MODEL_TYPES {
            check(&text);
        }
    }

    #[test]
    fn sse_is_bounded_and_independent_of_reads(
        limit in any::<u8>(),
        sizes in prop::collection::vec(any::<u8>(), 8),
        lines in prop::collection::vec(
            prop_oneof![
                "(data|id|event|retry|:)(: ?)?[ -~]{0,20}",
                "retry: [0-9]{1,25}",
                Just("\u{feff}data: x".to_owned()),
                Just(String::new()),
            ],
            0..12,
        ),
        ending in prop::sample::select(&["\n", "\r\n", "\r"][..]),
    ) {
        let input = lines.join(ending);
        __fuzz::sse(&[&[limit, 0][..], &sizes, input.as_bytes()].concat());
    }

    #[test]
    fn www_authenticate_round_trips(
        header in prop_oneof![
            "[A-Za-z]{1,8}( [a-z_]{1,10}=(\"([^\"\\\\]|\\\\.){0,10}\"|[a-z0-9:/.]{0,8})(, ?|,,)?){0,4}",
            "[ -~]{0,60}",
        ],
    ) {
        __fuzz::www_authenticate(header.as_bytes());
    }

    #[test]
    fn http_headers_and_allow_lists(
        pick in any::<u8>(),
        headers in prop::collection::vec(
            (
                prop::sample::select(&["host", "origin", "accept", "mcp-method", "mcp-name", "mcp-param-region",
                    "mcp-param-n", "mcp-param-flag", "mcp-param-x", "x-allow"][..]),
                prop_oneof![
                    "(localhost|127\\.0\\.0\\.1|\\[::1\\]|[a-z.]{1,10}|::1)(:[0-9]{0,5})?(:[0-9]{1,3})?",
                    "(https?|null)://[a-zA-Z.:\\[\\]0-9]{0,20}",
                    "(application|text|\\*)/(json|event-stream|\\*)(;q=0\\.[0-9])?(, ?[a-z*]+/[a-z*-]+){0,2}",
                    "=\\?base64\\?[A-Za-z0-9+/=]{0,12}\\?=",
                    "[ -~]{0,16}",
                ],
            ),
            0..8,
        ),
        args in json_value(),
    ) {
        let mut data = vec![pick, 0];
        for (name, value) in headers {
            data.extend_from_slice(format!("{name}: {value}\n").as_bytes());
        }
        data.push(b'\n');
        data.extend_from_slice(json!({"name": "echo", "uri": "file:///a", "arguments": args}).to_string().as_bytes());
        __fuzz::http_headers(&data);
    }

    #[test]
    fn header_values_encode_decode_and_match(text in prop_oneof!["[ -~]{0,20}", "\\PC{0,12}", "=\\?base64\\?.{0,8}\\?="], value in json_value()) {
        __fuzz::header_values(text.as_bytes());
        __fuzz::header_values(value.to_string().as_bytes());
    }

    #[test]
    fn uri_templates_match_only_safe_values(
        template in "([a-z:/.]{0,6}(\\{\\+?[a-z_]{1,4}\\})?){0,4}[{}]?",
        uri in "[a-z:/.%0-9A-F\\\\]{0,30}",
    ) {
        __fuzz::uri_template(format!("{template}\0{uri}").as_bytes());
    }

    #[test]
    fn cursors_page_the_list_once(len in any::<u8>(), size in any::<u8>(), cursor in prop_oneof!["[A-Za-z0-9_-]{0,12}", "\\PC{0,8}"]) {
        __fuzz::cursor(&bytes_with(&[len, size], cursor.as_bytes()));
    }

    #[test]
    fn request_state_opens_only_what_was_sealed(answers in json_value(), junk in "(rmcp1\\.)?[A-Za-z0-9_.-]{0,40}") {
        __fuzz::request_state(answers.to_string().as_bytes());
        __fuzz::request_state(junk.as_bytes());
    }

    #[test]
    fn oauth_documents_round_trip(pick in 0u8..3, doc in json_value(), issuer in "(https?://)?[a-z0-9.:\\[\\]]{0,16}(/[a-z]{0,5}){0,2}", n in any::<u64>()) {
        let mut doc = if doc.is_object() { doc } else { json!({}) };
        let obj = doc.as_object_mut().unwrap();
        for key in ["issuer", "resource", "token_endpoint", "authorization_endpoint", "access_token"] {
            obj.entry(key).or_insert(json!(issuer));
        }
        obj.insert("authorization_servers".into(), json!([issuer]));
        obj.insert("expires_in".into(), json!(n));
        __fuzz::oauth(&bytes_with(&[pick], doc.to_string().as_bytes()));
    }
}

/// Params with `_meta` twice: the raw reading of the HTTP endpoint and the engine's parse once
/// judged the era differently (`tests/tests/fuzz_regressions.rs` has the public side).
#[test]
fn a_repeated_meta_is_read_alike_raw_and_parsed() {
    let params = r#"{"_meta":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#;
    let message = format!(r#"{{"id":0,"jsonrpc":"2.0","method":"tools/list","params":{params}}}"#);
    __fuzz::jsonrpc(message.as_bytes());
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
/// precision, so what was sealed was not what was written. serde_json's `float_roundtrip`
/// parses them exactly.
#[test]
fn numbers_in_a_request_state_open_unchanged() {
    __fuzz::request_state(br#"{":l":1.115e-51}"#);
    let parsed: serde_json::Value = serde_json::from_str("1.115e-51").unwrap();
    assert_eq!(parsed.to_string(), "1.115e-51");
}
