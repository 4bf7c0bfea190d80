//! Every example of the 2026-07-28 specification deserializes into its Rust type and serializes
//! back to an equal JSON value.
//!
//! `CHECKS` maps each folder of `spec/2026-07-28/examples/` to the check for the files in it. The
//! last test makes sure no folder (and no file) is left without a check.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rmcp_core::model::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A check of one example file's JSON; it panics on a mismatch.
type Check = fn(&Value);

/// Example folder name -> check of every file in it.
const CHECKS: &[(&str, Check)] = &[
    // Content blocks: the variant structs have no `type` field, their unions do.
    ("AudioContent", |v| {
        member::<AudioContent, ContentBlock>(&untagged(v), v);
        member::<AudioContent, SamplingMessageContentBlock>(&untagged(v), v);
    }),
    ("EmbeddedResource", |v| member::<EmbeddedResource, ContentBlock>(&untagged(v), v)),
    ("ImageContent", |v| {
        member::<ImageContent, ContentBlock>(&untagged(v), v);
        member::<ImageContent, SamplingMessageContentBlock>(&untagged(v), v);
    }),
    ("ResourceLink", |v| member::<ResourceLink, ContentBlock>(&untagged(v), v)),
    ("TextContent", |v| {
        member::<TextContent, ContentBlock>(&untagged(v), v);
        member::<TextContent, SamplingMessageContentBlock>(&untagged(v), v);
    }),
    ("ToolResultContent", |v| member::<ToolResultContent, SamplingMessageContentBlock>(&untagged(v), v)),
    ("ToolUseContent", |v| member::<ToolUseContent, SamplingMessageContentBlock>(&untagged(v), v)),
    // Resource contents: an untagged union told apart by `text` / `blob`.
    ("BlobResourceContents", |v| member::<BlobResourceContents, ResourceContents>(v, v)),
    ("TextResourceContents", |v| member::<TextResourceContents, ResourceContents>(v, v)),
    // Elicitation form fields.
    ("BooleanSchema", |v| member::<BooleanSchema, PrimitiveSchemaDefinition>(v, v)),
    ("NumberSchema", |v| member::<NumberSchema, PrimitiveSchemaDefinition>(v, v)),
    ("StringSchema", |v| member::<StringSchema, PrimitiveSchemaDefinition>(v, v)),
    ("TitledMultiSelectEnumSchema", |v| {
        member::<TitledMultiSelectEnumSchema, PrimitiveSchemaDefinition>(v, v);
        plain::<EnumSchema>(v);
        plain::<MultiSelectEnumSchema>(v);
    }),
    ("TitledSingleSelectEnumSchema", |v| {
        member::<TitledSingleSelectEnumSchema, PrimitiveSchemaDefinition>(v, v);
        plain::<EnumSchema>(v);
        plain::<SingleSelectEnumSchema>(v);
    }),
    ("UntitledMultiSelectEnumSchema", |v| {
        member::<UntitledMultiSelectEnumSchema, PrimitiveSchemaDefinition>(v, v);
        plain::<EnumSchema>(v);
        plain::<MultiSelectEnumSchema>(v);
    }),
    ("UntitledSingleSelectEnumSchema", |v| {
        member::<UntitledSingleSelectEnumSchema, PrimitiveSchemaDefinition>(v, v);
        plain::<EnumSchema>(v);
        plain::<SingleSelectEnumSchema>(v);
    }),
    // Params, results and other plain types.
    ("CallToolRequestParams", plain::<CallToolRequestParams>),
    ("CallToolResult", plain::<CallToolResult>),
    ("CancelledNotificationParams", plain::<CancelledNotificationParams>),
    ("ClientCapabilities", plain::<ClientCapabilities>),
    ("CompleteRequestParams", plain::<CompleteRequestParams>),
    ("CompleteResult", plain::<CompleteResult>),
    ("CreateMessageRequestParams", plain::<CreateMessageRequestParams>),
    ("CreateMessageResult", plain::<CreateMessageResult>),
    ("DiscoverResult", plain::<DiscoverResult>),
    ("ElicitRequestFormParams", |v| member::<ElicitRequestFormParams, ElicitRequestParams>(v, v)),
    ("ElicitRequestURLParams", |v| member::<ElicitRequestUrlParams, ElicitRequestParams>(v, v)),
    ("ElicitResult", plain::<ElicitResult>),
    ("GetPromptRequestParams", plain::<GetPromptRequestParams>),
    ("GetPromptResult", plain::<GetPromptResult>),
    ("InputRequests", plain::<InputRequests>),
    ("InputRequiredResult", plain::<InputRequiredResult>),
    ("InputResponses", plain::<InputResponses>),
    ("ListPromptsResult", plain::<ListPromptsResult>),
    ("ListResourceTemplatesResult", plain::<ListResourceTemplatesResult>),
    ("ListResourcesResult", plain::<ListResourcesResult>),
    ("ListRootsResult", plain::<ListRootsResult>),
    ("ListToolsResult", plain::<ListToolsResult>),
    ("LoggingMessageNotificationParams", plain::<LoggingMessageNotificationParams>),
    ("ModelPreferences", plain::<ModelPreferences>),
    ("PaginatedRequestParams", plain::<PaginatedRequestParams>),
    ("ProgressNotificationParams", plain::<ProgressNotificationParams>),
    ("ReadResourceResult", plain::<ReadResourceResult>),
    ("Resource", plain::<Resource>),
    ("ResourceUpdatedNotificationParams", plain::<ResourceUpdatedNotificationParams>),
    ("Root", plain::<Root>),
    ("SamplingMessage", plain::<SamplingMessage>),
    ("ServerCapabilities", plain::<ServerCapabilities>),
    ("SubscriptionsListenResult", plain::<SubscriptionsListenResult>),
    ("Tool", plain::<Tool>),
    // JSON-RPC requests from the client.
    ("CallToolRequest", |v| client_request::<CallToolRequestParams>(v, |r| matches!(r, ClientRequest::CallTool(_)))),
    ("CompleteRequest", |v| client_request::<CompleteRequestParams>(v, |r| matches!(r, ClientRequest::Complete(_)))),
    ("DiscoverRequest", |v| client_request::<EmptyParams>(v, |r| matches!(r, ClientRequest::Discover(_)))),
    ("GetPromptRequest", |v| client_request::<GetPromptRequestParams>(v, |r| matches!(r, ClientRequest::GetPrompt(_)))),
    ("ListPromptsRequest", |v| {
        client_request::<PaginatedRequestParams>(v, |r| matches!(r, ClientRequest::ListPrompts(_)))
    }),
    ("ListResourceTemplatesRequest", |v| {
        client_request::<PaginatedRequestParams>(v, |r| matches!(r, ClientRequest::ListResourceTemplates(_)))
    }),
    ("ListResourcesRequest", |v| {
        client_request::<PaginatedRequestParams>(v, |r| matches!(r, ClientRequest::ListResources(_)))
    }),
    ("ListToolsRequest", |v| client_request::<PaginatedRequestParams>(v, |r| matches!(r, ClientRequest::ListTools(_)))),
    ("ReadResourceRequest", |v| {
        client_request::<ReadResourceRequestParams>(v, |r| matches!(r, ClientRequest::ReadResource(_)))
    }),
    ("SubscriptionsListenRequest", |v| {
        client_request::<SubscriptionsListenRequestParams>(v, |r| matches!(r, ClientRequest::SubscriptionsListen(_)))
    }),
    // Requests a 2026-07-28 server sends inside `InputRequiredResult.inputRequests`: `{method, params}`.
    ("CreateMessageRequest", |v| {
        input_request::<CreateMessageRequestParams>(v, |r| matches!(r, ServerRequest::CreateMessage(_)))
    }),
    ("ElicitRequest", |v| input_request::<ElicitRequestParams>(v, |r| matches!(r, ServerRequest::Elicit(_)))),
    ("ListRootsRequest", list_roots_request),
    // Notifications.
    ("CancelledNotification", |v| {
        client_notification::<CancelledNotificationParams>(v, |n| matches!(n, ClientNotification::Cancelled(_)));
        server_notification::<CancelledNotificationParams>(v, |n| matches!(n, ServerNotification::Cancelled(_)));
    }),
    ("LoggingMessageNotification", |v| {
        server_notification::<LoggingMessageNotificationParams>(v, |n| {
            matches!(n, ServerNotification::LoggingMessage(_))
        })
    }),
    ("ProgressNotification", |v| {
        client_notification::<ProgressNotificationParams>(v, |n| matches!(n, ClientNotification::Progress(_)));
        server_notification::<ProgressNotificationParams>(v, |n| matches!(n, ServerNotification::Progress(_)));
    }),
    ("PromptListChangedNotification", |v| {
        server_notification::<EmptyParams>(v, |n| matches!(n, ServerNotification::PromptListChanged(_)))
    }),
    ("ResourceListChangedNotification", |v| {
        server_notification::<EmptyParams>(v, |n| matches!(n, ServerNotification::ResourceListChanged(_)))
    }),
    ("ResourceUpdatedNotification", |v| {
        server_notification::<ResourceUpdatedNotificationParams>(v, |n| {
            matches!(n, ServerNotification::ResourceUpdated(_))
        })
    }),
    ("SubscriptionsAcknowledgedNotification", |v| {
        server_notification::<SubscriptionsAcknowledgedNotificationParams>(v, |n| {
            matches!(n, ServerNotification::SubscriptionsAcknowledged(_))
        })
    }),
    ("ToolListChangedNotification", |v| {
        server_notification::<EmptyParams>(v, |n| matches!(n, ServerNotification::ToolListChanged(_)))
    }),
    // Successful responses.
    ("CallToolResultResponse", response::<CallToolResult>),
    ("CompleteResultResponse", response::<CompleteResult>),
    ("DiscoverResultResponse", response::<DiscoverResult>),
    ("GetPromptResultResponse", response::<GetPromptResult>),
    ("ListPromptsResultResponse", response::<ListPromptsResult>),
    ("ListResourceTemplatesResultResponse", response::<ListResourceTemplatesResult>),
    ("ListResourcesResultResponse", response::<ListResourcesResult>),
    ("ListToolsResultResponse", response::<ListToolsResult>),
    ("ReadResourceResultResponse", response::<ReadResourceResult>),
    ("SubscriptionsListenResultResponse", response::<SubscriptionsListenResult>),
    // Errors: whole error responses...
    ("HeaderMismatchError", |v| error_response(v, ErrorCode::HEADER_MISMATCH)),
    ("MissingRequiredClientCapabilityError", |v| error_response(v, ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY)),
    ("UnsupportedProtocolVersionError", |v| error_response(v, ErrorCode::UNSUPPORTED_PROTOCOL_VERSION)),
    // ...and bare `error` objects (these definitions are the object, not the response).
    ("InternalError", |v| error_object(v, ErrorCode::INTERNAL_ERROR)),
    ("InvalidParamsError", |v| error_object(v, ErrorCode::INVALID_PARAMS)),
    ("MethodNotFoundError", |v| error_object(v, ErrorCode::METHOD_NOT_FOUND)),
    ("ParseError", |v| error_object(v, ErrorCode::PARSE_ERROR)),
];

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/// Deserialize `value` as `T`, serialize it back, and require the same JSON. Returns the value.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> T {
    let name = short_type_name::<T>();
    let typed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| fail(&format!("does not deserialize into `{name}`: {e}\ninput: {value:#}")));
    let back = serde_json::to_value(&typed).unwrap_or_else(|e| fail(&format!("`{name}` does not serialize: {e}")));
    assert_same_json(&name, value, &back);
    typed
}

/// A type that round-trips on its own.
fn plain<T: DeserializeOwned + Serialize>(v: &Value) {
    round_trip::<T>(v);
}

/// A member `T` of a union `U`: `member_json` round-trips as `T`, `union_json` as `U`, and the
/// union value read from the file is exactly `U::from(T)` (so it landed in the right variant).
fn member<T, U>(member_json: &Value, union_json: &Value)
where
    T: DeserializeOwned + Serialize,
    U: DeserializeOwned + Serialize + From<T> + PartialEq + Debug,
{
    let inner = round_trip::<T>(member_json);
    let whole = round_trip::<U>(union_json);
    let expected = U::from(inner);
    if whole != expected {
        fail(&format!(
            "read as the wrong `{}` variant:\n  got      {whole:?}\n  expected {expected:?}",
            short_type_name::<U>()
        ));
    }
}

/// The JSON without its `type` tag (which the content variant structs do not carry).
fn untagged(v: &Value) -> Value {
    let mut v = v.clone();
    let removed = v.as_object_mut().and_then(|obj| obj.remove("type"));
    if removed.is_none() {
        fail("a content example must be an object with a `type` tag");
    }
    v
}

/// Parse a whole JSON-RPC message with the engine's parser and require `to_json` to give it back.
fn envelope(v: &Value) -> JsonRpcMessage {
    let message = JsonRpcMessage::from_json(&v.to_string())
        .unwrap_or_else(|e| fail(&format!("`JsonRpcMessage::from_json` rejects it: {}", e.error)));
    let text = message.to_json();
    let back: Value = serde_json::from_str(&text).unwrap_or_else(|e| fail(&format!("`to_json` is not JSON: {e}")));
    assert_same_json("JsonRpcMessage", v, &back);
    message
}

/// The `params` member of a message, round-tripped as `P`.
fn params<P: DeserializeOwned + Serialize>(v: &Value) {
    match v.get("params") {
        Some(p) => plain::<P>(p),
        None => fail("the example has no `params`"),
    }
}

/// A request from the client: envelope, typed params, and `ClientRequest::parse`.
fn client_request<P: DeserializeOwned + Serialize>(v: &Value, is_variant: fn(&ClientRequest) -> bool) {
    let JsonRpcMessage::Request(request) = envelope(v) else { fail("expected a JSON-RPC request") };
    params::<P>(v);
    match ClientRequest::parse(&request.method, request.params.as_deref()) {
        Ok(parsed) if is_variant(&parsed) => {}
        Ok(parsed) => fail(&format!("`ClientRequest::parse` picked the wrong variant: {parsed:?}")),
        Err(e) => fail(&format!("`ClientRequest::parse` rejects it: {e}")),
    }
}

/// A notification from the client: envelope, typed params, and `ClientNotification::parse`.
fn client_notification<P: DeserializeOwned + Serialize>(v: &Value, is_variant: fn(&ClientNotification) -> bool) {
    let JsonRpcMessage::Notification(n) = envelope(v) else { fail("expected a JSON-RPC notification") };
    params::<P>(v);
    match ClientNotification::parse(&n.method, n.params.as_deref()) {
        Ok(parsed) if is_variant(&parsed) => {}
        Ok(parsed) => fail(&format!("`ClientNotification::parse` picked the wrong variant: {parsed:?}")),
        Err(e) => fail(&format!("`ClientNotification::parse` rejects it: {e}")),
    }
}

/// A notification from the server: envelope, typed params, and `ServerNotification::parse`.
fn server_notification<P: DeserializeOwned + Serialize>(v: &Value, is_variant: fn(&ServerNotification) -> bool) {
    let JsonRpcMessage::Notification(n) = envelope(v) else { fail("expected a JSON-RPC notification") };
    params::<P>(v);
    match ServerNotification::parse(&n.method, n.params.as_deref()) {
        Ok(parsed) if is_variant(&parsed) => {}
        Ok(parsed) => fail(&format!("`ServerNotification::parse` picked the wrong variant: {parsed:?}")),
        Err(e) => fail(&format!("`ServerNotification::parse` rejects it: {e}")),
    }
}

/// A server-to-client request as a 2026-07-28 input request (`{method, params}`, no JSON-RPC
/// envelope): `InputRequest`, typed params, and `ServerRequest::parse` (the 2025-11-25 path).
fn input_request<P: DeserializeOwned + Serialize>(v: &Value, is_variant: fn(&ServerRequest) -> bool) {
    let request = round_trip::<InputRequest>(v);
    if v.get("params").is_some() {
        params::<P>(v);
    }
    let method = v["method"].as_str().unwrap_or_else(|| fail("`method` must be a string"));
    if method != request.method() {
        fail(&format!("`InputRequest::method` is `{}`, the example says `{method}`", request.method()));
    }
    let raw = v.get("params").map(|p| serde_json::value::to_raw_value(p).expect("JSON converts to raw JSON"));
    match ServerRequest::parse(method, raw.as_deref()) {
        Ok(parsed) if is_variant(&parsed) => {}
        Ok(parsed) => fail(&format!("`ServerRequest::parse` picked the wrong variant: {parsed:?}")),
        Err(e) => fail(&format!("`ServerRequest::parse` rejects it: {e}")),
    }
}

/// `roots/list` as an input request. The example also carries an `id`, which the 2026-07-28
/// `ListRootsRequest` does not define (input requests have no id): it is the one member that
/// `InputRequest` ignores, as it ignores any unknown member. Everything else must round-trip.
fn list_roots_request(v: &Value) {
    let mut defined = v.clone();
    let obj = defined.as_object_mut().unwrap_or_else(|| fail("expected an object"));
    if obj.remove("id").is_some_and(|id| !id.is_string() && !id.is_number()) {
        fail("`id` must be a string or a number");
    }
    input_request::<EmptyParams>(&defined, |r| matches!(r, ServerRequest::ListRoots(_)));
    // The stray `id` must not stop the file itself from being read.
    if serde_json::from_value::<InputRequest>(v.clone()).ok() != Some(InputRequest::list_roots()) {
        fail("the example as written does not read as a bare `roots/list` input request");
    }
}

/// A successful response: envelope and typed result.
fn response<R: DeserializeOwned + Serialize>(v: &Value) {
    let JsonRpcMessage::Response(_) = envelope(v) else { fail("expected a JSON-RPC response") };
    match v.get("result") {
        Some(result) => plain::<R>(result),
        None => fail("the example has no `result`"),
    }
}

/// An error response: envelope, typed `error`, and its code.
fn error_response(v: &Value, code: ErrorCode) {
    let JsonRpcMessage::Error(e) = envelope(v) else { fail("expected a JSON-RPC error response") };
    if e.error.code != code {
        fail(&format!("error code {} read, {} expected", e.error.code, code));
    }
    match v.get("error") {
        Some(error) => error_object(error, code),
        None => fail("the example has no `error`"),
    }
}

/// A bare error object: typed `ErrorData` with the expected code, also inside an error response.
fn error_object(v: &Value, code: ErrorCode) {
    let error = round_trip::<ErrorData>(v);
    if error.code != code {
        fail(&format!("error code {} read, {} expected", error.code, code));
    }
    let wrapped = serde_json::json!({"jsonrpc": "2.0", "id": 7, "error": v});
    let JsonRpcMessage::Error(e) = envelope(&wrapped) else { fail("expected a JSON-RPC error response") };
    if e.error != error {
        fail("the error read from a response differs from the bare error");
    }
}

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

thread_local! {
    /// The example being checked, named in failure messages.
    static CURRENT_FILE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Fail the current check, naming the example file.
fn fail(message: &str) -> ! {
    let file = CURRENT_FILE.with(|f| f.borrow().clone());
    panic!("{file}: {message}");
}

/// Require `actual` to equal `expected`, listing every differing JSON path.
fn assert_same_json(what: &str, expected: &Value, actual: &Value) {
    if expected == actual {
        return;
    }
    let mut diffs = Vec::new();
    differences("", expected, actual, &mut diffs);
    let diffs = diffs.join("\n  ");
    fail(&format!(
        "`{what}` does not round-trip:\n  {diffs}\n\
         --- expected (the example)\n{expected:#}\n\
         +++ actual (serialized back)\n{actual:#}"
    ));
}

/// The JSON pointers at which `a` and `b` differ, with both values.
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let at = format!("{path}/{key}");
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => differences(&at, p, q, out),
                    (Some(p), None) => out.push(format!("{at}: dropped (was {p})")),
                    (None, Some(q)) => out.push(format!("{at}: added ({q})")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(&format!("{path}/{i}"), p, q, out);
            }
        }
        _ if a != b => out.push(format!("{}: {a} became {b}", if path.is_empty() { "/" } else { path })),
        _ => {}
    }
}

/// `std::any::type_name` without module paths: `BTreeMap<String, InputRequest>`.
fn short_type_name<T>() -> String {
    let full = std::any::type_name::<T>();
    let mut out = String::new();
    let mut word = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
        } else {
            out.push_str(word.rsplit("::").next().unwrap_or_default());
            word.clear();
            out.push(c);
        }
    }
    out.push_str(word.rsplit("::").next().unwrap_or_default());
    out
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/2026-07-28/examples")
}

/// What running every check found.
#[derive(Debug)]
struct Report {
    /// Every file a check ran on.
    checked: BTreeSet<PathBuf>,
    /// One message per failing file.
    failures: Vec<String>,
}

/// Run every check once (both tests read the same report).
fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(run_all_checks)
}

fn run_all_checks() -> Report {
    let root = examples_dir();
    let mut report = Report { checked: BTreeSet::new(), failures: Vec::new() };
    for (folder, check) in CHECKS {
        let entries = match fs::read_dir(root.join(folder)) {
            Ok(entries) => entries,
            Err(e) => {
                report.failures.push(format!("{folder}: cannot read the example folder: {e}"));
                continue;
            }
        };
        let mut files: Vec<PathBuf> = entries.map(|e| e.expect("readable directory entry").path()).collect();
        files.sort();
        for file in files {
            let name = file.strip_prefix(&root).unwrap_or(&file).display().to_string();
            let value = match fs::read_to_string(&file).map(|text| serde_json::from_str::<Value>(&text)) {
                Ok(Ok(value)) => value,
                Ok(Err(e)) => {
                    report.failures.push(format!("{name}: not JSON: {e}"));
                    continue;
                }
                Err(e) => {
                    report.failures.push(format!("{name}: unreadable: {e}"));
                    continue;
                }
            };
            CURRENT_FILE.with(|f| *f.borrow_mut() = name.clone());
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| check(&value))) {
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| format!("{name}: check panicked"));
                report.failures.push(message);
            }
            report.checked.insert(file);
        }
    }
    report
}

#[test]
fn every_example_round_trips() {
    let report = report();
    println!("spec examples: checked {} files in {} folders", report.checked.len(), CHECKS.len());
    assert!(
        report.failures.is_empty(),
        "{} of {} example files failed:\n\n{}",
        report.failures.len(),
        report.checked.len(),
        report.failures.join("\n\n")
    );
}

#[test]
fn every_example_folder_has_a_check_and_every_file_was_checked() {
    let root = examples_dir();
    let mut folders = BTreeSet::new();
    let mut files = BTreeSet::new();
    for entry in fs::read_dir(&root).expect("the examples folder exists") {
        let path = entry.expect("readable directory entry").path();
        assert!(path.is_dir(), "{}: a file directly in examples/; examples live in type folders", path.display());
        folders.insert(path.file_name().expect("folder name").to_string_lossy().into_owned());
        for file in fs::read_dir(&path).expect("readable example folder") {
            files.insert(file.expect("readable directory entry").path());
        }
    }

    let mut table = BTreeSet::new();
    for (name, _) in CHECKS {
        assert!(table.insert(name.to_string()), "`{name}` appears twice in CHECKS");
    }
    let unchecked: Vec<_> = folders.difference(&table).collect();
    assert!(unchecked.is_empty(), "example folders without an entry in CHECKS: {unchecked:?}");
    let stale: Vec<_> = table.difference(&folders).collect();
    assert!(stale.is_empty(), "CHECKS entries without an example folder: {stale:?}");

    let checked = &report().checked;
    let missed: Vec<_> = files.difference(checked).collect();
    assert!(missed.is_empty(), "example files no check ran on: {missed:?}");
    assert!(!files.is_empty(), "no example files found under {}", root.display());
    println!("spec examples: all {} folders and {} files are covered", folders.len(), files.len());
}
