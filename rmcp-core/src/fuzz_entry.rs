//! Entry points into the wire parsers for the fuzz targets (`fuzz/`), and for the property tests
//! and the regressions they found (`proptests.rs`).
//!
//! Not an API: hidden, unstable, compiled only for fuzzing (`cfg(fuzzing)`) and this crate's
//! tests, and here only because most of these parsers are private. Each function takes
//! untrusted input, runs the parser on it and panics when an invariant breaks: a round trip that
//! does not give the value back, an output out of proportion to the input, a result that depends
//! on how the input was split into reads, or two readings of one rule that disagree.

#![allow(missing_docs, clippy::missing_panics_doc)]

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::model::*;
use crate::service::lifecycle;

/// Slack for outputs that add defaults (`"content": []`) to what they read.
const OUTPUT_SLACK: usize = 1024;

/// Splits input into pieces at sizes read from `sizes` (0 included: empty reads happen).
fn split<'a>(data: &'a [u8], sizes: &[u8]) -> Vec<&'a [u8]> {
    let mut chunks = Vec::new();
    let mut rest = data;
    let mut i = 0;
    while !rest.is_empty() {
        let n = if sizes.is_empty() { rest.len() } else { usize::from(sizes[i % sizes.len()]) % 65 };
        let (head, tail) = rest.split_at(n.min(rest.len()));
        chunks.push(head);
        rest = tail;
        i += 1;
        if i > 4 * data.len() + 8 {
            chunks.push(rest);
            break;
        }
    }
    chunks
}

/// Input of the form `[a, b, ..rest]`: two parameter bytes, then the payload.
fn params2(data: &[u8]) -> (u8, u8, &[u8]) {
    match data {
        [a, b, rest @ ..] => (*a, *b, rest),
        [a] => (*a, 0, &[]),
        [] => (0, 0, &[]),
    }
}

// -------------------------------------------------------------------------------------------
// Line framing and JSON-RPC envelopes
// -------------------------------------------------------------------------------------------

/// What a frame says, comparable across runs.
fn frame_text(frame: &crate::transport::Frame) -> String {
    match frame {
        crate::transport::Frame::Message(m, _) => m.to_json(),
        crate::transport::Frame::Malformed(e) => format!("error {:?} {}", e.id, e.error.code),
        other => format!("error {other:?}"),
    }
}

fn decode_lines(max_line: usize, chunks: &[&[u8]]) -> Vec<String> {
    use bytes::BytesMut;
    use tokio_util::codec::Decoder;
    let mut codec = crate::transport::JsonLinesCodec::new(max_line);
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(frame) = codec.decode(&mut buf).expect("decoding never fails") {
            frames.push(frame_text(&frame));
        }
        // What stays buffered is at most one line in progress: memory bounded by the limit.
        assert!(buf.len() <= max_line, "{} bytes buffered with a limit of {max_line}", buf.len());
    }
    while let Some(frame) = codec.decode_eof(&mut buf).expect("decoding never fails") {
        frames.push(frame_text(&frame));
    }
    frames
}

/// The newline-delimited JSON codec: bounded buffering, the same frames however the input is
/// split into reads, and every message frame round-trips.
pub fn framing(data: &[u8]) {
    let (limit, _, rest) = params2(data);
    let (sizes, input) = rest.split_at(rest.len().min(8));
    let max_line = 1 + usize::from(limit) * 4;
    let whole = decode_lines(max_line, &[input]);
    let pieces = decode_lines(max_line, &split(input, sizes));
    assert_eq!(whole, pieces, "frames depend on how the input was split");
    for text in whole.iter().filter(|t| !t.starts_with("error")) {
        jsonrpc_round_trip(text.as_bytes());
    }
}

/// Parse, serialize, parse again: the second parse succeeds and serializes the same.
fn jsonrpc_round_trip(data: &[u8]) -> Option<JsonRpcMessage> {
    let message = JsonRpcMessage::from_slice(data).ok()?;
    let text = message.to_json();
    assert!(text.len() <= data.len() + OUTPUT_SLACK, "{} bytes from {}", text.len(), data.len());
    let again = JsonRpcMessage::from_json(&text).unwrap_or_else(|e| panic!("re-parse of {text}: {e:?}"));
    assert_eq!(again.to_json(), text);
    Some(message)
}

/// One JSON-RPC message, either era: the envelope round-trips; its params parse (or fail) as
/// each direction's message types; the raw and the parsed readings of the era rule agree.
pub fn jsonrpc(data: &[u8]) {
    let Some(message) = jsonrpc_round_trip(data) else { return };
    let (method, params) = match &message {
        JsonRpcMessage::Request(r) => (r.method.as_ref(), r.params.as_deref()),
        JsonRpcMessage::Notification(n) => (n.method.as_ref(), n.params.as_deref()),
        _ => return,
    };
    let _ = ClientRequest::parse(method, params);
    let _ = ServerRequest::parse(method, params);
    let _ = ClientNotification::parse(method, params);
    let _ = ServerNotification::parse(method, params);
    era_rule(method, params);
}

/// The endpoint reads the era from raw params, the engine from the parsed `_meta`: one answer.
fn era_rule(method: &str, params: Option<&RawValue>) {
    let raw = lifecycle::is_stateless_raw_request(method, params);
    let meta = crate::service::dispatch::probe_meta(params);
    let parsed = lifecycle::is_stateless_request(method, meta.as_ref());
    assert_eq!(raw, parsed, "era of {method} {:?}: raw {raw}, parsed {parsed}", params.map(RawValue::get));
    if parsed {
        let _ = lifecycle::validate_stateless_request(method, meta.as_ref());
    }
}

/// A JSON-RPC batch as the HTTP endpoint reads it (a 2025-03-26 session's POST), at most
/// `max_len` messages.
#[cfg(feature = "http-server")]
pub fn batch(data: &[u8]) {
    use crate::transport::http::server::service::parse_batch;
    let (max_len, _, body) = params2(data);
    let max_len = usize::from(max_len % 16) + 1;
    let (parts, ()) = http::Request::builder().header("mcp-session-id", "s").body(()).expect("valid").into_parts();
    let Ok(messages) = parse_batch(&parts, body, max_len) else { return };
    assert!(!messages.is_empty() && messages.len() <= max_len, "{} messages, limit {max_len}", messages.len());
    for message in messages {
        jsonrpc_round_trip(message.to_json().as_bytes()).expect("a batch member re-parses");
    }
}

// -------------------------------------------------------------------------------------------
// Model types
// -------------------------------------------------------------------------------------------

/// Deserialize, serialize, deserialize again: the second value serializes as the first did,
/// and the output is in proportion to the input.
pub fn round_trip<T: DeserializeOwned + Serialize>(text: &str) {
    let name = std::any::type_name::<T>();
    let Ok(first) = serde_json::from_str::<T>(text) else { return };
    let json = serde_json::to_string(&first).unwrap_or_else(|e| panic!("{name} does not serialize: {e}"));
    assert!(json.len() <= 2 * text.len() + OUTPUT_SLACK, "{name}: {} bytes from {}", json.len(), text.len());
    let second: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {json} does not re-parse: {e}"));
    let again = serde_json::to_string(&second).expect("serialized once");
    let (a, b): (Value, Value) =
        (serde_json::from_str(&json).expect("JSON"), serde_json::from_str(&again).expect("JSON"));
    assert_eq!(a, b, "{name}: a round trip changed the value");
}

/// A model type's check: [`round_trip`] at that type.
pub type ModelCheck = fn(&str);

/// Every model type of both revisions, by name.
pub const MODEL_TYPES: &[(&str, ModelCheck)] = &[
    ("RequestId", round_trip::<RequestId>),
    ("ErrorData", round_trip::<ErrorData>),
    ("ProtocolVersion", round_trip::<ProtocolVersion>),
    ("ProgressToken", round_trip::<ProgressToken>),
    ("ResultType", round_trip::<ResultType>),
    ("CacheScope", round_trip::<CacheScope>),
    ("Role", round_trip::<Role>),
    ("EmptyResult", round_trip::<EmptyResult>),
    ("EmptyParams", round_trip::<EmptyParams>),
    ("Implementation", round_trip::<Implementation>),
    ("InitializeRequestParams", round_trip::<InitializeRequestParams>),
    ("InitializeResult", round_trip::<InitializeResult>),
    ("DiscoverResult", round_trip::<DiscoverResult>),
    ("ClientCapabilities", round_trip::<ClientCapabilities>),
    ("ServerCapabilities", round_trip::<ServerCapabilities>),
    ("Annotations", round_trip::<Annotations>),
    ("Icon", round_trip::<Icon>),
    ("ContentBlock", round_trip::<ContentBlock>),
    ("SamplingMessageContentBlock", round_trip::<SamplingMessageContentBlock>),
    ("ResourceContents", round_trip::<ResourceContents>),
    ("EmbeddedResource", round_trip::<EmbeddedResource>),
    ("ResourceLink", round_trip::<ResourceLink>),
    ("Tool", round_trip::<Tool>),
    ("ToolAnnotations", round_trip::<ToolAnnotations>),
    ("ListToolsResult", round_trip::<ListToolsResult>),
    ("ToolList", round_trip::<ToolList>),
    ("CallToolRequestParams", round_trip::<CallToolRequestParams>),
    ("CallToolResult", round_trip::<CallToolResult>),
    ("Prompt", round_trip::<Prompt>),
    ("PromptMessage", round_trip::<PromptMessage>),
    ("ListPromptsResult", round_trip::<ListPromptsResult>),
    ("GetPromptRequestParams", round_trip::<GetPromptRequestParams>),
    ("GetPromptResult", round_trip::<GetPromptResult>),
    ("Resource", round_trip::<Resource>),
    ("ResourceTemplate", round_trip::<ResourceTemplate>),
    ("ListResourcesResult", round_trip::<ListResourcesResult>),
    ("ListResourceTemplatesResult", round_trip::<ListResourceTemplatesResult>),
    ("ReadResourceRequestParams", round_trip::<ReadResourceRequestParams>),
    ("ReadResourceResult", round_trip::<ReadResourceResult>),
    ("SubscribeRequestParams", round_trip::<SubscribeRequestParams>),
    ("ResourceUpdatedNotificationParams", round_trip::<ResourceUpdatedNotificationParams>),
    ("Reference", round_trip::<Reference>),
    ("CompleteRequestParams", round_trip::<CompleteRequestParams>),
    ("CompleteResult", round_trip::<CompleteResult>),
    ("SetLevelRequestParams", round_trip::<SetLevelRequestParams>),
    ("LoggingMessageNotificationParams", round_trip::<LoggingMessageNotificationParams>),
    ("ProgressNotificationParams", round_trip::<ProgressNotificationParams>),
    ("CancelledNotificationParams", round_trip::<CancelledNotificationParams>),
    ("PaginatedRequestParams", round_trip::<PaginatedRequestParams>),
    ("Root", round_trip::<Root>),
    ("ListRootsResult", round_trip::<ListRootsResult>),
    ("SamplingMessage", round_trip::<SamplingMessage>),
    ("ModelPreferences", round_trip::<ModelPreferences>),
    ("ToolChoice", round_trip::<ToolChoice>),
    ("CreateMessageRequestParams", round_trip::<CreateMessageRequestParams>),
    ("CreateMessageResult", round_trip::<CreateMessageResult>),
    ("ElicitRequestParams", round_trip::<ElicitRequestParams>),
    ("ElicitResult", round_trip::<ElicitResult>),
    ("ElicitationCompleteNotificationParams", round_trip::<ElicitationCompleteNotificationParams>),
    ("UrlElicitationRequiredData", round_trip::<UrlElicitationRequiredData>),
    ("ElicitationSchema", round_trip::<ElicitationSchema>),
    ("PrimitiveSchemaDefinition", round_trip::<PrimitiveSchemaDefinition>),
    ("EnumSchema", round_trip::<EnumSchema>),
    ("InputRequests", round_trip::<InputRequests>),
    ("InputResponses", round_trip::<InputResponses>),
    ("InputRequiredResult", round_trip::<InputRequiredResult>),
    ("InputResponseRequestParams", round_trip::<InputResponseRequestParams>),
    ("SubscriptionsListenRequestParams", round_trip::<SubscriptionsListenRequestParams>),
    ("SubscriptionsListenResult", round_trip::<SubscriptionsListenResult>),
    ("SubscriptionsAcknowledgedNotificationParams", round_trip::<SubscriptionsAcknowledgedNotificationParams>),
    ("Task", round_trip::<Task>),
    ("TaskMetadata", round_trip::<TaskMetadata>),
    ("CreateTaskResult", round_trip::<CreateTaskResult>),
    ("GetTaskRequestParams", round_trip::<GetTaskRequestParams>),
    ("GetTaskResult", round_trip::<GetTaskResult>),
    ("GetTaskPayloadResult", round_trip::<GetTaskPayloadResult>),
    ("ListTasksResult", round_trip::<ListTasksResult>),
    ("TaskStatusNotificationParams", round_trip::<TaskStatusNotificationParams>),
    ("ext::Task", round_trip::<tasks_ext::Task>),
    ("ext::DetailedTask", round_trip::<tasks_ext::DetailedTask>),
    ("ext::CreateTaskResult", round_trip::<tasks_ext::CreateTaskResult>),
    ("ext::GetTaskResult", round_trip::<tasks_ext::GetTaskResult>),
    ("ext::UpdateTaskRequestParams", round_trip::<tasks_ext::UpdateTaskRequestParams>),
    ("ext::TaskStatusNotificationParams", round_trip::<tasks_ext::TaskStatusNotificationParams>),
];

/// The first byte picks a model type, the rest is its JSON.
pub fn model(data: &[u8]) {
    let Some((&pick, json)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(json) else { return };
    let (_, check) = MODEL_TYPES[usize::from(pick) % MODEL_TYPES.len()];
    check(text);
}

// -------------------------------------------------------------------------------------------
// HTTP client: SSE and WWW-Authenticate
// -------------------------------------------------------------------------------------------

/// The events, last id and retry of a stream, or `None` once it was refused as too large.
#[cfg(feature = "http-client")]
type SseOutcome = Option<(Vec<(Option<String>, String)>, Option<String>, Option<u64>)>;

#[cfg(feature = "http-client")]
fn sse_run(max_event: usize, chunks: &[&[u8]]) -> SseOutcome {
    let mut parser = crate::transport::http::client::sse::SseParser::new(max_event);
    let mut events = Vec::new();
    for chunk in chunks {
        for event in parser.push(chunk).ok()? {
            assert!(event.data.len() <= max_event, "an event of {} bytes, limit {max_event}", event.data.len());
            events.push((event.event, event.data));
        }
    }
    Some((events, parser.last_event_id, parser.retry_ms))
}

/// The client's SSE parser: events within the limit, the same events however the stream was
/// split into reads (empty reads included), and a resumed stream read as if alone.
#[cfg(feature = "http-client")]
pub fn sse(data: &[u8]) {
    use crate::transport::http::client::sse::SseParser;
    let (limit, cut, rest) = params2(data);
    let (sizes, input) = rest.split_at(rest.len().min(8));
    let max_event = 1 + usize::from(limit) * 8;
    let whole = sse_run(max_event, &[input]);
    let pieces = sse_run(max_event, &split(input, sizes));
    // A line may fit while read whole and not while buffered in pieces: compare complete runs.
    if let (Some(whole), Some(pieces)) = (whole, pieces) {
        assert_eq!(whole, pieces, "SSE events depend on how the stream was split");
    }
    // Cut anywhere, then resumed with another stream: what the first left unfinished is gone.
    let (first, second) = input.split_at(usize::from(cut) * input.len() / 256);
    let mut parser = SseParser::new(max_event);
    if parser.push(first).is_ok() {
        parser.new_stream();
        let resumed = parser.push(second).ok();
        let alone = SseParser::new(max_event).push(second).ok();
        assert_eq!(resumed, alone, "a resumed stream read the broken one's tail");
    }
}

/// `WWW-Authenticate`: parsing never panics, and a challenge written back from what was parsed
/// parses to the same challenge.
#[cfg(feature = "http-client")]
pub fn www_authenticate(data: &[u8]) {
    use crate::transport::http::BearerChallenge;
    let header = String::from_utf8_lossy(data);
    let Some(challenge) = BearerChallenge::parse(&header) else { return };
    let _ = (challenge.error(), challenge.resource_metadata(), challenge.scopes());
    let size: usize = challenge.params.iter().map(|(k, v)| k.len() + v.len()).sum();
    assert!(size <= header.len(), "{size} bytes of parameters from a {}-byte header", header.len());
    let token =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !challenge.params.keys().all(|k| token(k)) {
        return;
    }
    let mut written = challenge.scheme.clone();
    for (i, (name, value)) in challenge.params.iter().enumerate() {
        let value = value.replace('\\', "\\\\").replace('"', "\\\"");
        written.push_str(if i == 0 { " " } else { ", " });
        written.push_str(&format!("{name}=\"{value}\""));
    }
    let again = BearerChallenge::parse(&written).unwrap_or_else(|| panic!("{written:?} does not parse"));
    assert_eq!(again, challenge, "written back as {written:?}");
}

// -------------------------------------------------------------------------------------------
// HTTP server: Host, Origin, Accept, and the 2026 header checks
// -------------------------------------------------------------------------------------------

/// Request headers from lines of `name: value`, then the body after a blank line. Lines that
/// are not a header are skipped.
#[cfg(feature = "http-server")]
fn request_parts(data: &[u8]) -> (http::request::Parts, &[u8]) {
    let mut builder = http::Request::builder();
    let mut rest = data;
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or_default();
        if line.is_empty() {
            break;
        }
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            let name = http::HeaderName::from_bytes(line[..colon].trim_ascii());
            let value = http::HeaderValue::from_bytes(line[colon + 1..].trim_ascii());
            if let (Ok(name), Ok(value)) = (name, value) {
                builder = builder.header(name, value);
            }
        }
    }
    (builder.body(()).expect("valid parts").into_parts().0, rest)
}

/// The `Host` / `Origin` allow-lists, `Accept`, and the `Mcp-Method` / `Mcp-Name` /
/// `Mcp-Param-*` checks of a 2026-07-28 request, against headers and a body from the input.
#[cfg(feature = "http-server")]
pub fn http_headers(data: &[u8]) {
    use crate::transport::http::server::{headers, security, service::Accept};
    use crate::transport::http::{AllowList, wire};
    let (pick, _, rest) = params2(data);
    let (parts, body) = request_parts(rest);
    let _ = Accept::from_request(&parts);
    // Entries from the request's own `x-allow` headers: the lists an operator might write.
    let entries: Vec<String> =
        parts.headers.get_all("x-allow").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
    let list = AllowList::only(entries.clone());
    for list in [AllowList::loopback(), list, AllowList::Any] {
        let _ = security::check_request(&parts, &list, &list);
    }
    for value in parts.headers.values().filter_map(|v| v.to_str().ok()) {
        allow_list_agrees(&entries, value);
        let _ = AllowList::only(entries.clone()).allows_origin(value);
        let _ = wire::decode_header_value(value);
    }
    const METHODS: [&str; 5] = ["tools/call", "prompts/get", "resources/read", "tasks/get", "tools/list"];
    let method = METHODS[usize::from(pick) % METHODS.len()];
    let Ok(params) = serde_json::from_slice::<Box<RawValue>>(body) else { return };
    let probe = headers::ParamsProbe::read(Some(&params));
    let _ = headers::check_standard(&parts.headers, method, &probe);
    let schema = serde_json::json!({"properties": {
        "region": {"type": "string", "x-mcp-header": "Region"},
        "n": {"type": "integer", "x-mcp-header": "N"},
        "flag": {"type": "boolean", "x-mcp-header": "Flag"},
        "deep": {"type": "object", "properties": {"x": {"type": "integer", "x-mcp-header": "X"}}},
    }});
    let header_params = wire::header_params(schema.as_object().expect("an object")).expect("valid annotations");
    let arguments = probe.arguments.and_then(|a| serde_json::from_str::<JsonObject>(a.get()).ok());
    let _ = headers::check_params(&parts.headers, &header_params, arguments.as_ref());
    // A schema from the body too: a hostile server's tool list reaches the same walk.
    if let Ok(schema) = serde_json::from_str::<JsonObject>(params.get()) {
        let _ = wire::header_params(&schema);
    }
}

/// `allows_host` skips parsing an entry that spells the host; the answer must be the one that
/// parsing every entry gives.
#[cfg(feature = "http-server")]
fn allow_list_agrees(entries: &[String], host: &str) {
    use crate::transport::http::AllowList;
    use crate::transport::http::server::security::split_authority;
    let fast = AllowList::only(entries.to_vec()).allows_host(host);
    let slow = split_authority(host).is_some_and(|(h, port)| {
        entries.iter().any(|e| {
            split_authority(e).is_some_and(|(eh, ep)| eh.eq_ignore_ascii_case(h) && (ep.is_none() || ep == port))
        })
    });
    assert_eq!(fast, slow, "Host {host:?} against {entries:?}");
}

/// The header value encoding of both sides: what the client writes is a valid header value and
/// decodes to what it encoded; an argument mirrored into a header matches its body value.
#[cfg(all(feature = "http-server", feature = "http-client"))]
pub fn header_values(data: &[u8]) {
    use crate::transport::http::wire;
    let text = String::from_utf8_lossy(data);
    let encoded = wire::encode_header_value(&text);
    assert!(http::HeaderValue::from_str(&encoded).is_ok(), "{encoded:?} is no header value");
    assert_eq!(wire::decode_header_value(&encoded).expect("decodes"), text);
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    if let Some(header) = wire::header_text(&value) {
        let header = wire::encode_header_value(&header).into_owned();
        let decoded = wire::decode_header_value(&header).expect("decodes");
        assert!(wire::header_matches(&decoded, &value), "{value} mirrored as {header:?}");
    }
}

// -------------------------------------------------------------------------------------------
// Server: URI templates, cursors, requestState
// -------------------------------------------------------------------------------------------

/// A template and a URI, split at the first NUL: values that match are never empty, never climb
/// out of their directory, and a one-segment variable holds no `/`.
#[cfg(feature = "server")]
pub fn uri_template(data: &[u8]) {
    use crate::router::UriTemplate;
    let text = String::from_utf8_lossy(data);
    let (template, uri) = text.split_once('\0').unwrap_or((&text, ""));
    let Ok(parsed) = UriTemplate::parse(template) else { return };
    assert_eq!(parsed.as_str(), template);
    let reserved: Vec<String> = template
        .match_indices("{+")
        .filter_map(|(i, _)| template[i + 2..].split_once('}').map(|(name, _)| name.to_owned()))
        .collect();
    let Some(values) = parsed.matches(uri) else { return };
    assert_eq!(values.len(), parsed.variables().collect::<std::collections::BTreeSet<_>>().len());
    for (name, value) in &values {
        assert!(!value.is_empty(), "{name} is empty");
        assert!(!value.split('/').any(|s| s == "." || s == ".."), "{name} = {value:?} climbs out");
        assert!(!value.chars().any(|c| c == '\\' || c.is_control()), "{name} = {value:?}");
        assert!(reserved.contains(name) || !value.contains('/'), "{name} = {value:?} spans segments");
        assert!(value.len() <= uri.len(), "{name} is longer than the URI");
    }
}

/// Pagination cursors: a foreign cursor is refused or names a page within the list, and the
/// pages from the first one cover the list once, in order.
#[cfg(feature = "server")]
pub fn cursor(data: &[u8]) {
    use crate::router::pagination::page;
    let (len, size, cursor) = params2(data);
    let (len, size) = (usize::from(len), Some(usize::from(size % 32)));
    let cursor = String::from_utf8_lossy(cursor).into_owned();
    if let Ok((range, next)) = page(len, Some(&cursor), size) {
        assert!(range.start <= range.end && range.end <= len, "{range:?} of {len}");
        assert_eq!(next.is_some(), range.end < len);
    }
    let (mut seen, mut at) = (0, None);
    loop {
        let (range, next) = page(len, at.as_ref(), size).expect("our own cursors are valid");
        assert_eq!(range.start, seen, "pages leave a gap or overlap");
        seen = range.end;
        match next {
            Some(next) => at = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, len);
}

/// `requestState`: an input never opens (it is not signed with the key); a state sealed over
/// answers from the input opens to those answers, for its own request only, and altering any
/// one character of it makes it fail.
#[cfg(feature = "server")]
pub fn request_state(data: &[u8]) {
    use crate::service::RequestStateKey;
    let key = RequestStateKey::from_secret([7u8; 32]);
    let text = String::from_utf8_lossy(data);
    assert!(key.open(&text, "tools/call", "t", "a").is_err(), "an unsigned state opened");
    let Ok(answers) = serde_json::from_slice::<JsonObject>(data) else { return };
    let state = key.seal("tools/call", "t", "a", &answers);
    assert_eq!(key.open(&state, "tools/call", "t", "a").expect("opens"), answers);
    assert!(key.open(&state, "tools/call", "u", "a").is_err());
    let i = usize::from(data.first().copied().unwrap_or(0)) * 7 % state.len();
    let mut altered = state.clone().into_bytes();
    altered[i] = if altered[i] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).expect("ASCII");
    assert!(key.open(&altered, "tools/call", "t", "a").is_err(), "altered at {i}: {altered}");
}

// -------------------------------------------------------------------------------------------
// OAuth client: metadata and token responses
// -------------------------------------------------------------------------------------------

/// The first byte picks a document: authorization server metadata, protected resource metadata,
/// or a token response. Each parses, round-trips, and its checks run without panicking.
#[cfg(feature = "auth")]
pub fn oauth(data: &[u8]) {
    use crate::auth::{AuthorizationServerMetadata, ProtectedResourceMetadata, resource_matches};
    let Some((&pick, json)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(json) else { return };
    match pick % 3 {
        0 => {
            round_trip::<AuthorizationServerMetadata>(text);
            let Ok(m) = serde_json::from_str::<AuthorizationServerMetadata>(text) else { return };
            let _ = (m.supports_s256(), m.supports_dpop_es256(), m.lists_scope("a"), m.accepts_auth_method("none"));
            let _ = (m.check_endpoints(), m.token_endpoint());
            // Discovery takes only `https` (or loopback `http`) issuers: others have no origin.
            if let Some(issuer) = url::Url::parse(&m.issuer).ok().filter(|u| matches!(u.scheme(), "https" | "http")) {
                for candidate in crate::auth::metadata::metadata_candidates(&issuer) {
                    assert!(url::Url::parse(&candidate).is_ok(), "{candidate} from {issuer}");
                }
            }
        }
        1 => {
            round_trip::<ProtectedResourceMetadata>(text);
            let Ok(m) = serde_json::from_str::<ProtectedResourceMetadata>(text) else { return };
            for server in m.authorization_servers.iter().chain([&m.resource]) {
                let _ = resource_matches(&m.resource, server);
                let _ = resource_matches(server, &m.resource);
            }
        }
        _ => {
            use crate::auth::token::{Target, TokenResponse, token_set};
            let Ok(body) = serde_json::from_str::<TokenResponse>(text) else { return };
            let target = Target { issuer: "https://as.example", resource: "https://mcp.example", scopes: &[] };
            let tokens = token_set(body, &target);
            let _ = (tokens.authorization(), tokens.is_dpop(), tokens.is_expired());
            // What a credential store writes, it reads back.
            let json = serde_json::to_string(&tokens).expect("serializes");
            let again: crate::auth::TokenSet = serde_json::from_str(&json).expect("re-parses");
            assert_eq!(serde_json::to_string(&again).expect("serializes"), json);
        }
    }
}
