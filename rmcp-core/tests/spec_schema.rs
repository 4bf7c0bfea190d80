//! Messages our types produce validate against the specification's JSON Schema, for 2025-11-25 and
//! 2026-07-28.
//!
//! A definition is checked by compiling `{"$ref": "#/$defs/<Name>", "$defs": <every definition of
//! the revision>}` under the draft the revision declares. Values are built with the model's
//! constructors and builders; where 2026-07-28 requires a field a 2025-11-25 value lacks
//! (`resultType`, cache hints, request `_meta`), it is added the way the engine adds it for a
//! 2026-07-28 peer before validating against 2026-07-28, and the plain value is validated against
//! 2025-11-25.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, Validator};
use rmcp_core::handler::ClientInfo;
use rmcp_core::model::*;
use rmcp_core::service::lifecycle::stateless_request_meta;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const V2025: &str = "2025-11-25";
const V2026: &str = "2026-07-28";
const BOTH: &[&str] = &[V2025, V2026];

// ---------------------------------------------------------------------------------------------
// Schemas and validators
// ---------------------------------------------------------------------------------------------

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// One revision's schema file: the draft it declares and where its definitions live.
#[derive(Debug)]
struct Revision {
    /// The `$schema` the file declares.
    schema_uri: String,
    /// The draft that URI names.
    draft: Draft,
    /// `$defs` (2019-09 and later) or `definitions` (draft-07).
    defs_key: &'static str,
    /// Every definition.
    defs: Value,
}

fn load_revision(name: &str) -> Revision {
    let path = spec_dir().join(name).join("schema.json");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema_uri = schema["$schema"].as_str().unwrap_or_else(|| panic!("{name}: no `$schema`")).to_owned();
    let draft = match schema_uri.trim_end_matches('#') {
        "http://json-schema.org/draft-07/schema" => Draft::Draft7,
        "https://json-schema.org/draft/2019-09/schema" => Draft::Draft201909,
        "https://json-schema.org/draft/2020-12/schema" => Draft::Draft202012,
        other => panic!("{name}: unexpected `$schema` {other}"),
    };
    let defs_key = if schema.get("$defs").is_some() {
        "$defs"
    } else if schema.get("definitions").is_some() {
        "definitions"
    } else {
        panic!("{name}: neither `$defs` nor `definitions`")
    };
    let defs = schema[defs_key].take();
    Revision { schema_uri, draft, defs_key, defs }
}

/// The schema of `name` (such as `2026-07-28`), loaded once.
fn revision(name: &str) -> Arc<Revision> {
    static REVISIONS: OnceLock<Mutex<HashMap<String, Arc<Revision>>>> = OnceLock::new();
    let mut loaded = REVISIONS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    loaded.entry(name.to_owned()).or_insert_with(|| Arc::new(load_revision(name))).clone()
}

/// The validator of definition `name` of revision `rev`, compiled once; `None` if the revision
/// has no such definition.
fn validator(rev: &str, name: &str) -> Option<Arc<Validator>> {
    type Cache = Mutex<HashMap<(String, String), Arc<Validator>>>;
    static VALIDATORS: OnceLock<Cache> = OnceLock::new();
    let key = (rev.to_owned(), name.to_owned());
    let mut cache = VALIDATORS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(v) = cache.get(&key) {
        return Some(v.clone());
    }
    let revision = revision(rev);
    revision.defs.get(name)?;
    let mut schema = serde_json::Map::new();
    schema.insert("$schema".into(), Value::String(revision.schema_uri.clone()));
    schema.insert("$ref".into(), Value::String(format!("#/{}/{name}", revision.defs_key)));
    schema.insert(revision.defs_key.into(), revision.defs.clone());
    let compiled = jsonschema::options()
        .with_draft(revision.draft)
        .build(&Value::Object(schema))
        .unwrap_or_else(|e| panic!("{rev} `{name}` does not compile: {e}"));
    let compiled = Arc::new(compiled);
    cache.insert(key, compiled.clone());
    Some(compiled)
}

thread_local! {
    /// Validations run by the current test (each test runs on its own thread).
    static VALIDATIONS: Cell<usize> = const { Cell::new(0) };
}

/// Every reason `value` is not a valid `name` of `rev`.
fn errors(rev: &str, name: &str, value: &Value) -> Vec<String> {
    let validator = validator(rev, name).unwrap_or_else(|| panic!("{rev} has no definition `{name}`"));
    VALIDATIONS.with(|n| n.set(n.get() + 1));
    validator.iter_errors(value).map(|e| format!("at `{}`: {e}", e.instance_path)).collect()
}

/// Require `value` to be a valid `name` in each revision of `revs`.
fn valid(revs: &[&str], name: &str, value: &impl Serialize) {
    let value = serde_json::to_value(value).expect("the value serializes");
    for rev in revs {
        let errors = errors(rev, name, &value);
        assert!(errors.is_empty(), "not a valid {rev} `{name}`:\n  {}\nvalue: {value:#}", errors.join("\n  "));
    }
}

/// Require `value` NOT to be a valid `name` in each revision of `revs`.
fn invalid(revs: &[&str], name: &str, value: &impl Serialize) {
    let value = serde_json::to_value(value).expect("the value serializes");
    for rev in revs {
        assert!(!errors(rev, name, &value).is_empty(), "unexpectedly a valid {rev} `{name}`: {value:#}");
    }
}

/// Print how many validations the current test ran.
fn report(test: &str) {
    println!("spec schema: {test}: {} validations", VALIDATIONS.with(Cell::get));
}

// ---------------------------------------------------------------------------------------------
// What a 2026-07-28 peer adds
// ---------------------------------------------------------------------------------------------

fn client_identity() -> ClientInfo {
    let capabilities = ClientCapabilities::builder().enable_sampling_tools().enable_elicitation_form().build();
    ClientInfo::new(Implementation::new("spec-test-client", "1.0.0"), capabilities)
}

fn server_identity() -> Implementation {
    Implementation::new("spec-test-server", "1.0.0").with_title("Spec Test Server")
}

/// Params as a 2026-07-28 client sends them: the per-request `_meta` (protocol version, client
/// info and capabilities) merged into the params' `_meta`, as the engine does.
fn stateless_params(params: &impl Serialize) -> Value {
    let mut value = serde_json::to_value(params).expect("params serialize");
    let meta = value
        .as_object_mut()
        .expect("params are an object")
        .entry("_meta")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("`_meta` is an object");
    for (key, entry) in stateless_request_meta(&client_identity()) {
        meta.entry(key).or_insert(entry);
    }
    value
}

/// A result as a 2026-07-28 server sends it: `resultType`, cache hints on cacheable results and
/// the server's identity in `_meta`, each added only when absent (as the engine does).
fn stateless_result(mut result: ServerResult) -> Value {
    let fields = result.common_fields_mut();
    fields.result_type.get_or_insert(ResultType::Complete);
    if let Some((ttl, scope)) = fields.cache {
        ttl.get_or_insert(60_000);
        scope.get_or_insert(CacheScope::Private);
    }
    let info = serde_json::to_value(server_identity()).expect("Implementation serializes");
    fields.meta.get_or_insert_with(Meta::new).entry(meta_keys::SERVER_INFO).or_insert(info);
    serde_json::to_value(&result).expect("results serialize")
}

/// `_meta` tying a notification to a `subscriptions/listen` stream (2026-07-28).
fn subscription_meta(id: &str) -> Meta {
    let mut meta = Meta::new();
    meta.insert(meta_keys::SUBSCRIPTION_ID.into(), json!(id));
    meta
}

fn object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The spec's examples, as our types write them back
// ---------------------------------------------------------------------------------------------

/// Read as `T` and write back.
fn to<T: DeserializeOwned + Serialize>(v: &Value) -> Value {
    let typed: T = serde_json::from_value(v.clone()).expect("the example deserializes");
    serde_json::to_value(&typed).expect("the value serializes")
}

/// Read the variant struct `T` from the example without its `type` tag, wrap it in the union `U`
/// and write that back (the tag then comes from `U`).
fn tagged<T: DeserializeOwned, U: Serialize + From<T>>(v: &Value) -> Value {
    let mut untagged = v.clone();
    untagged.as_object_mut().expect("content is an object").remove("type");
    let inner: T = serde_json::from_value(untagged).expect("the example deserializes");
    serde_json::to_value(U::from(inner)).expect("the value serializes")
}

/// Parse a whole JSON-RPC message and write it back with `to_json`.
fn message(v: &Value) -> Value {
    let parsed = JsonRpcMessage::from_json(&v.to_string()).unwrap_or_else(|e| panic!("not a message: {}", e.error));
    serde_json::from_str(&parsed.to_json()).expect("`to_json` writes JSON")
}

/// How our types write an example back.
type Producer = fn(&Value) -> Value;

/// Example folder (= 2026-07-28 definition name) -> how our types write the example back.
const PRODUCERS: &[(&str, Producer)] = &[
    ("AudioContent", tagged::<AudioContent, ContentBlock>),
    ("BlobResourceContents", to::<BlobResourceContents>),
    ("BooleanSchema", to::<BooleanSchema>),
    ("CallToolRequest", message),
    ("CallToolRequestParams", to::<CallToolRequestParams>),
    ("CallToolResult", to::<CallToolResult>),
    ("CallToolResultResponse", message),
    ("CancelledNotification", message),
    ("CancelledNotificationParams", to::<CancelledNotificationParams>),
    ("ClientCapabilities", to::<ClientCapabilities>),
    ("CompleteRequest", message),
    ("CompleteRequestParams", to::<CompleteRequestParams>),
    ("CompleteResult", to::<CompleteResult>),
    ("CompleteResultResponse", message),
    ("CreateMessageRequest", to::<InputRequest>),
    ("CreateMessageRequestParams", to::<CreateMessageRequestParams>),
    ("CreateMessageResult", to::<CreateMessageResult>),
    ("DiscoverRequest", message),
    ("DiscoverResult", to::<DiscoverResult>),
    ("DiscoverResultResponse", message),
    ("ElicitRequest", to::<InputRequest>),
    ("ElicitRequestFormParams", to::<ElicitRequestFormParams>),
    ("ElicitRequestURLParams", to::<ElicitRequestUrlParams>),
    ("ElicitResult", to::<ElicitResult>),
    ("EmbeddedResource", tagged::<EmbeddedResource, ContentBlock>),
    ("GetPromptRequest", message),
    ("GetPromptRequestParams", to::<GetPromptRequestParams>),
    ("GetPromptResult", to::<GetPromptResult>),
    ("GetPromptResultResponse", message),
    ("HeaderMismatchError", message),
    ("ImageContent", tagged::<ImageContent, ContentBlock>),
    ("InputRequests", to::<InputRequests>),
    ("InputRequiredResult", to::<InputRequiredResult>),
    ("InputResponses", to::<InputResponses>),
    ("InternalError", to::<ErrorData>),
    ("InvalidParamsError", to::<ErrorData>),
    ("ListPromptsRequest", message),
    ("ListPromptsResult", to::<ListPromptsResult>),
    ("ListPromptsResultResponse", message),
    ("ListResourceTemplatesRequest", message),
    ("ListResourceTemplatesResult", to::<ListResourceTemplatesResult>),
    ("ListResourceTemplatesResultResponse", message),
    ("ListResourcesRequest", message),
    ("ListResourcesResult", to::<ListResourcesResult>),
    ("ListResourcesResultResponse", message),
    ("ListRootsRequest", to::<InputRequest>),
    ("ListRootsResult", to::<ListRootsResult>),
    ("ListToolsRequest", message),
    ("ListToolsResult", to::<ListToolsResult>),
    ("ListToolsResultResponse", message),
    ("LoggingMessageNotification", message),
    ("LoggingMessageNotificationParams", to::<LoggingMessageNotificationParams>),
    ("MethodNotFoundError", to::<ErrorData>),
    ("MissingRequiredClientCapabilityError", message),
    ("ModelPreferences", to::<ModelPreferences>),
    ("NumberSchema", to::<NumberSchema>),
    ("PaginatedRequestParams", to::<PaginatedRequestParams>),
    ("ParseError", to::<ErrorData>),
    ("ProgressNotification", message),
    ("ProgressNotificationParams", to::<ProgressNotificationParams>),
    ("PromptListChangedNotification", message),
    ("ReadResourceRequest", message),
    ("ReadResourceResult", to::<ReadResourceResult>),
    ("ReadResourceResultResponse", message),
    ("Resource", to::<Resource>),
    ("ResourceLink", tagged::<ResourceLink, ContentBlock>),
    ("ResourceListChangedNotification", message),
    ("ResourceUpdatedNotification", message),
    ("ResourceUpdatedNotificationParams", to::<ResourceUpdatedNotificationParams>),
    ("Root", to::<Root>),
    ("SamplingMessage", to::<SamplingMessage>),
    ("ServerCapabilities", to::<ServerCapabilities>),
    ("StringSchema", to::<StringSchema>),
    ("SubscriptionsAcknowledgedNotification", message),
    ("SubscriptionsListenRequest", message),
    ("SubscriptionsListenResult", to::<SubscriptionsListenResult>),
    ("SubscriptionsListenResultResponse", message),
    ("TextContent", tagged::<TextContent, ContentBlock>),
    ("TextResourceContents", to::<TextResourceContents>),
    ("TitledMultiSelectEnumSchema", to::<TitledMultiSelectEnumSchema>),
    ("TitledSingleSelectEnumSchema", to::<TitledSingleSelectEnumSchema>),
    ("Tool", to::<Tool>),
    ("ToolListChangedNotification", message),
    ("ToolResultContent", tagged::<ToolResultContent, SamplingMessageContentBlock>),
    ("ToolUseContent", tagged::<ToolUseContent, SamplingMessageContentBlock>),
    ("UnsupportedProtocolVersionError", message),
    ("UntitledMultiSelectEnumSchema", to::<UntitledMultiSelectEnumSchema>),
    ("UntitledSingleSelectEnumSchema", to::<UntitledSingleSelectEnumSchema>),
];

#[test]
fn every_example_as_we_write_it_validates_against_2026() {
    let root = spec_dir().join(V2026).join("examples");
    let producers: BTreeMap<&str, Producer> = PRODUCERS.iter().copied().collect();
    assert_eq!(producers.len(), PRODUCERS.len(), "a folder appears twice in PRODUCERS");
    let mut folders = BTreeSet::new();
    let mut files = 0;
    let mut failures = Vec::new();
    for entry in fs::read_dir(&root).expect("the examples folder exists") {
        let dir = entry.expect("readable directory entry").path();
        let folder = dir.file_name().expect("folder name").to_string_lossy().into_owned();
        let produce = *producers.get(folder.as_str()).unwrap_or_else(|| panic!("no producer for `{folder}`"));
        for file in fs::read_dir(&dir).expect("readable example folder") {
            let path = file.expect("readable directory entry").path();
            let example: Value = serde_json::from_str(&fs::read_to_string(&path).expect("readable example"))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let ours = produce(&example);
            let errors = errors(V2026, &folder, &ours);
            if !errors.is_empty() {
                failures.push(format!("{}:\n  {}", path.display(), errors.join("\n  ")));
            }
            files += 1;
        }
        folders.insert(folder);
    }
    let stale: Vec<_> = producers.keys().filter(|k| !folders.contains(**k)).collect();
    assert!(stale.is_empty(), "PRODUCERS entries without an example folder: {stale:?}");
    println!("spec schema: {files} examples in {} folders validated as 2026-07-28 definitions", folders.len());
    report("every_example_as_we_write_it_validates_against_2026");
    assert!(failures.is_empty(), "examples that no longer validate once we write them:\n{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// The harness itself
// ---------------------------------------------------------------------------------------------

#[test]
fn revisions_declare_their_draft_and_definitions() {
    let expected = [
        ("2025-06-18", Draft::Draft7, "definitions"),
        (V2025, Draft::Draft202012, "$defs"),
        (V2026, Draft::Draft202012, "$defs"),
    ];
    for (name, draft, key) in expected {
        let rev = revision(name);
        assert_eq!((rev.draft, rev.defs_key), (draft, key), "{name} declares {}", rev.schema_uri);
    }
    // The draft-07 layout (`definitions`) works the same way.
    valid(&["2025-06-18"], "TextContent", &json!({"type": "text", "text": "hi"}));
    invalid(&["2025-06-18"], "TextContent", &json!({"type": "text"}));
    assert!(validator(V2026, "NoSuchDefinition").is_none());
    report("revisions_declare_their_draft_and_definitions");
}

#[test]
fn wrong_values_fail_validation() {
    // Missing required members.
    invalid(BOTH, "ContentBlock", &json!({"type": "text"}));
    invalid(BOTH, "Tool", &json!({"name": "no_input_schema"}));
    invalid(BOTH, "JSONRPCRequest", &json!({"jsonrpc": "2.0", "method": "ping"}));
    // Wrong types and constants.
    invalid(BOTH, "JSONRPCRequest", &json!({"jsonrpc": "1.0", "id": 1, "method": "ping"}));
    invalid(BOTH, "ProgressNotificationParams", &json!({"progressToken": 1, "progress": "half"}));
    invalid(BOTH, "ElicitResult", &json!({"action": "maybe"}));
    invalid(BOTH, "ContentBlock", &json!({"type": "video", "data": "AAAA", "mimeType": "video/mp4"}));
    // What one revision requires and the other does not.
    let plain = CallToolResult::success(vec![ContentBlock::text("ok")]);
    valid(&[V2025], "CallToolResult", &plain);
    invalid(&[V2026], "CallToolResult", &plain);
    let mut uncached = ListToolsResult::new(vec![]);
    uncached.result_type = Some(ResultType::Complete);
    invalid(&[V2026], "ListToolsResult", &uncached);
    invalid(&[V2026], "CallToolRequestParams", &CallToolRequestParams::new("needs_meta"));
    valid(&[V2025], "CallToolRequestParams", &CallToolRequestParams::new("needs_meta"));
    let url = ElicitRequestUrlParams::new("Open this", "https://example.com/auth");
    invalid(&[V2025], "ElicitRequestURLParams", &url);
    valid(&[V2026], "ElicitRequestURLParams", &url);
    let array_result = CallToolResult::success(vec![]).with_structured_content(json!([1, 2]));
    invalid(&[V2025], "CallToolResult", &array_result);
    valid(&[V2026], "CallToolResult", &stateless_result(ServerResult::CallTool(array_result)));
    report("wrong_values_fail_validation");
}

// ---------------------------------------------------------------------------------------------
// Values built with our constructors and builders
// ---------------------------------------------------------------------------------------------

fn icon() -> Icon {
    Icon::new("https://example.com/icon.png")
        .with_mime_type("image/png")
        .with_sizes(vec!["48x48".into()])
        .with_theme(IconTheme::Light)
}

fn annotations() -> Annotations {
    Annotations::new()
        .with_audience(vec![Role::User, Role::Assistant])
        .with_priority(0.5)
        .with_last_modified("2025-05-03T14:30:00Z")
}

fn weather_tool() -> Tool {
    let input = json!({
        "type": "object",
        "properties": {"city": {"type": "string", "description": "City name"}},
        "required": ["city"]
    });
    let output = json!({
        "type": "object",
        "properties": {"temperature": {"type": "number"}, "conditions": {"type": "string"}},
        "required": ["temperature", "conditions"]
    });
    let mut meta = Meta::new();
    meta.insert("example.com/owner".into(), json!("weather-team"));
    Tool::new("get_weather", "Get the current weather for a city", object(input))
        .with_title("Weather")
        .with_output_schema(object(output))
        .with_annotations(
            ToolAnnotations::new()
                .with_title("Weather lookup")
                .with_read_only(true)
                .with_destructive(false)
                .with_idempotent(true)
                .with_open_world(true),
        )
        .with_icons(vec![icon()])
        .with_meta(meta)
}

fn content_blocks() -> Vec<ContentBlock> {
    let mut meta = Meta::new();
    meta.insert("example.com/source".into(), json!("unit-test"));
    vec![
        ContentBlock::text("plain text"),
        ContentBlock::Text(TextContent::new("annotated").with_annotations(annotations()).with_meta(meta)),
        ContentBlock::image("iVBORw0KGgo=", "image/png"),
        ContentBlock::Image(ImageContent::new("iVBORw0KGgo=", "image/png").with_annotations(annotations())),
        ContentBlock::audio("UklGRiQAAABXQVZF", "audio/wav"),
        ContentBlock::resource_link(
            ResourceLink::new("file:///project/src/main.rs", "main.rs")
                .with_title("Main")
                .with_description("Entry point")
                .with_mime_type("text/x-rust")
                .with_size(42)
                .with_annotations(annotations())
                .with_icons(vec![icon()]),
        ),
        ContentBlock::resource_link(Resource::new("file:///README.md", "README.md")),
        ContentBlock::resource(TextResourceContents::new("file:///notes.txt", "hello").with_mime_type("text/plain")),
        ContentBlock::resource(ResourceContents::blob("file:///logo.png", "iVBORw0KGgo=")),
        ContentBlock::Resource(
            EmbeddedResource::new(BlobResourceContents::new("file:///a.bin", "AAAA").with_mime_type("application/x"))
                .with_annotations(annotations()),
        ),
    ]
}

/// The definition of one content block's variant.
fn content_definition(block: &ContentBlock) -> &'static str {
    match block {
        ContentBlock::Text(_) => "TextContent",
        ContentBlock::Image(_) => "ImageContent",
        ContentBlock::Audio(_) => "AudioContent",
        ContentBlock::ResourceLink(_) => "ResourceLink",
        ContentBlock::Resource(_) => "EmbeddedResource",
    }
}

fn tool_use_blocks() -> Vec<SamplingMessageContentBlock> {
    ["Paris", "London"]
        .iter()
        .enumerate()
        .map(|(i, city)| ToolUseContent::new(format!("call_{i}"), "get_weather", object(json!({"city": city}))).into())
        .collect()
}

fn tool_result_blocks() -> Vec<SamplingMessageContentBlock> {
    vec![
        ToolResultContent::new("call_0", vec![ContentBlock::text("18°C, partly cloudy")])
            .with_structured_content(json!({"temperature": 18, "conditions": "partly cloudy"}))
            .into(),
        ToolResultContent::new("call_1", vec![ContentBlock::text("no data")]).with_is_error(true).into(),
    ]
}

fn sampling_request() -> CreateMessageRequestParams {
    let mut metadata = JsonObject::new();
    metadata.insert("traceId".into(), json!("abc"));
    CreateMessageRequestParams::new(
        vec![
            SamplingMessage::user_text("What's the weather in Paris and London?"),
            SamplingMessage::new(Role::Assistant, tool_use_blocks()),
            SamplingMessage::new(Role::User, tool_result_blocks()),
        ],
        1000,
    )
    .with_model_preferences(
        ModelPreferences::new()
            .with_hint("claude-3-sonnet")
            .with_hint("claude")
            .with_cost_priority(0.3)
            .with_speed_priority(0.8)
            .with_intelligence_priority(1.0),
    )
    .with_system_prompt("You are a helpful assistant.")
    .with_include_context(IncludeContext::None)
    .with_temperature(0.7)
    .with_stop_sequences(vec!["END".into()])
    .with_metadata(metadata)
    .with_tools(vec![weather_tool()])
    .with_tool_choice(ToolChoice::auto())
}

fn elicitation_form() -> ElicitRequestFormParams {
    let schema = ElicitationSchema::new()
        .with_required_property("name", StringSchema::new().with_title("Name").with_length(Some(1), Some(50)))
        .with_required_property("email", StringSchema::new().with_format(StringFormat::Email))
        .with_property("birthday", StringSchema::new().with_format(StringFormat::Date).with_default("2000-01-01"))
        .with_property("age", NumberSchema::integer().with_range(Some(18.0), Some(130.0)).with_default(30.0))
        .with_property("score", NumberSchema::number().with_description("0 to 1").with_range(Some(0.0), Some(1.0)))
        .with_property("subscribe", BooleanSchema::new().with_title("Subscribe").with_default(true))
        .with_property(
            "color",
            UntitledSingleSelectEnumSchema::new(vec!["red".into(), "green".into()]).with_default("red"),
        )
        .with_property(
            "size",
            TitledSingleSelectEnumSchema::new(vec![
                TitledEnumOption::new("s", "Small"),
                TitledEnumOption::new("l", "Large"),
            ])
            .with_title("Size"),
        )
        .with_property(
            "tags",
            UntitledMultiSelectEnumSchema::new(vec!["a".into(), "b".into(), "c".into()])
                .with_items_range(Some(1), Some(2))
                .with_default(vec!["a".into()]),
        )
        .with_property(
            "toppings",
            TitledMultiSelectEnumSchema::new(vec![
                TitledEnumOption::new("ch", "Cheese"),
                TitledEnumOption::new("ol", "Olives"),
            ])
            .with_description("Pick any"),
        )
        .with_property(
            "legacy",
            LegacyTitledEnumSchema::new(vec!["x".into(), "y".into()], vec!["Ex".into(), "Why".into()]),
        );
    ElicitRequestFormParams::new("Please fill in your profile", schema)
}

fn elicit_accept() -> ElicitResult {
    let mut content = BTreeMap::new();
    content.insert("name".to_owned(), ElicitValue::from("octocat"));
    content.insert("age".to_owned(), ElicitValue::from(30_i64));
    content.insert("subscribe".to_owned(), ElicitValue::from(true));
    content.insert("tags".to_owned(), ElicitValue::from(vec!["a".to_owned(), "b".to_owned()]));
    ElicitResult::accept(content)
}

#[test]
fn lifecycle_and_capabilities_validate() {
    let client_2025 = ClientCapabilities::builder()
        .enable_roots_list_changed()
        .enable_sampling_tools()
        .enable_sampling_context()
        .enable_elicitation_form()
        .enable_elicitation_url()
        .enable_tasks(ClientTasksCapability::default())
        .enable_experimental("example", JsonObject::new())
        .build();
    let client_2026 = ClientCapabilities::builder()
        .enable_roots()
        .enable_sampling()
        .enable_elicitation()
        .enable_tasks_extension()
        .enable_extension("io.modelcontextprotocol/ui", object(json!({"mimeTypes": ["text/html;profile=mcp-app"]})))
        .build();
    valid(&[V2025], "ClientCapabilities", &client_2025);
    valid(BOTH, "ClientCapabilities", &client_2026);

    let server_2025 = ServerCapabilities::builder()
        .enable_tools()
        .enable_tool_list_changed()
        .enable_prompts()
        .enable_prompts_list_changed()
        .enable_resources()
        .enable_resources_subscribe()
        .enable_resources_list_changed()
        .enable_logging()
        .enable_completions()
        .enable_tasks(ServerTasksCapability::full())
        .enable_experimental("example", JsonObject::new())
        .build();
    let server_2026 = ServerCapabilities::builder()
        .enable_tools()
        .enable_tool_list_changed()
        .enable_resources_subscribe()
        .enable_completions()
        .enable_tasks_extension()
        .build();
    valid(&[V2025], "ServerCapabilities", &server_2025);
    valid(BOTH, "ServerCapabilities", &server_2026);

    let client = Implementation::new("spec-client", "1.2.3")
        .with_title("Spec Client")
        .with_description("Builds messages for schema tests")
        .with_icons(vec![icon(), Icon::new("data:image/svg+xml;base64,PHN2Zy8+").with_theme(IconTheme::Dark)])
        .with_website_url("https://example.com");
    valid(BOTH, "Implementation", &client);

    // 2025-11-25: initialize.
    let params = InitializeRequestParams::new(ProtocolVersion::V2025_11_25, client_2025, client);
    valid(&[V2025], "InitializeRequestParams", &params);
    let request = JsonRpcMessage::request(RequestId::from(0), methods::INITIALIZE, &params).unwrap();
    for name in ["InitializeRequest", "JSONRPCRequest", "JSONRPCMessage"] {
        valid(&[V2025], name, &request);
    }
    let result = InitializeResult::new(ProtocolVersion::V2025_11_25, server_2025, server_identity())
        .with_instructions("Use get_weather for forecasts.");
    valid(&[V2025], "InitializeResult", &result);
    let response = JsonRpcMessage::response(RequestId::from(0), &ServerResult::Initialize(result)).unwrap();
    for name in ["JSONRPCResultResponse", "JSONRPCResponse", "JSONRPCMessage"] {
        valid(&[V2025], name, &response);
    }
    let initialized = JsonRpcMessage::notification(methods::NOTIFICATION_INITIALIZED, &EmptyParams::default()).unwrap();
    valid(&[V2025], "InitializedNotification", &initialized);
    let ping = JsonRpcMessage::request(RequestId::from("p"), methods::PING, &EmptyParams::default()).unwrap();
    valid(&[V2025], "PingRequest", &ping);
    let pong = JsonRpcMessage::response(RequestId::from("p"), &EmptyResult::default()).unwrap();
    valid(&[V2025], "JSONRPCResultResponse", &pong);

    // 2026-07-28: server/discover.
    let meta = stateless_request_meta(&client_identity());
    let discover = JsonRpcMessage::request(
        RequestId::from("discover-1"),
        methods::SERVER_DISCOVER,
        &EmptyParams::with_meta(meta.clone()),
    )
    .unwrap();
    valid(&[V2026], "DiscoverRequest", &discover);
    valid(&[V2026], "RequestParams", &EmptyParams::with_meta(meta));
    let explicit =
        DiscoverResult::new(vec![ProtocolVersion::V2026_07_28, ProtocolVersion::V2025_11_25], server_2026.clone())
            .with_server_info(&server_identity())
            .with_instructions("Use get_weather for forecasts.")
            .with_cache(3_600_000, CacheScope::Public);
    valid(&[V2026], "DiscoverResult", &explicit);
    let finished =
        stateless_result(ServerResult::Discover(DiscoverResult::new(vec![ProtocolVersion::V2026_07_28], server_2026)));
    valid(&[V2026], "DiscoverResult", &finished);
    let response = JsonRpcMessage::response(RequestId::from("discover-1"), &finished).unwrap();
    valid(&[V2026], "DiscoverResultResponse", &response);
    report("lifecycle_and_capabilities_validate");
}

#[test]
fn content_blocks_validate() {
    for block in content_blocks() {
        valid(BOTH, "ContentBlock", &block);
        valid(BOTH, content_definition(&block), &block);
    }
    for block in [SamplingMessageContentBlock::text("hi"), ImageContent::new("iVBORw0KGgo=", "image/png").into()] {
        valid(BOTH, "SamplingMessageContentBlock", &block);
    }
    for block in tool_use_blocks() {
        valid(BOTH, "SamplingMessageContentBlock", &block);
        valid(BOTH, "ToolUseContent", &block);
    }
    for block in tool_result_blocks() {
        valid(BOTH, "SamplingMessageContentBlock", &block);
        valid(BOTH, "ToolResultContent", &block);
    }
    valid(BOTH, "ResourceContents", &ResourceContents::text("file:///a.txt", "a"));
    valid(BOTH, "BlobResourceContents", &BlobResourceContents::new("file:///a.bin", "AAAA"));
    valid(BOTH, "Annotations", &annotations());
    report("content_blocks_validate");
}

#[test]
fn tools_validate() {
    let tool = weather_tool();
    valid(BOTH, "Tool", &tool);
    valid(BOTH, "Tool", &Tool::new("get_time", "Current time", object(json!({"type": "object"}))));
    let task_tool = tool.clone().with_execution(ToolExecution::new().with_task_support(ToolTaskSupport::Optional));
    valid(&[V2025], "Tool", &task_tool);
    valid(&[V2025], "ToolExecution", &ToolExecution::new().with_task_support(ToolTaskSupport::Required));

    let list = ListToolsResult::new(vec![tool.clone(), task_tool]).with_next_cursor("page-2");
    valid(&[V2025], "ListToolsResult", &list);
    valid(&[V2025], "PaginatedResult", &list);
    let list_2026 = ListToolsResult::new(vec![tool]).with_next_cursor("page-2");
    valid(&[V2026], "ListToolsResult", &stateless_result(ServerResult::ListTools(list_2026.clone())));
    let cached = ListToolsResult::new(vec![]).with_cache(300_000, CacheScope::Public);
    valid(&[V2026], "ListToolsResult", &stateless_result(ServerResult::ListTools(cached)));

    let args = object(json!({"city": "Paris"}));
    let call = CallToolRequestParams::new("get_weather").with_arguments(args.clone());
    valid(&[V2025], "CallToolRequestParams", &call);
    valid(&[V2025], "CallToolRequestParams", &call.clone().with_task(json!({"ttl": 60000})));
    valid(&[V2026], "CallToolRequestParams", &stateless_params(&call));
    let mut with_progress = CallToolRequestParams::new("build").with_arguments(args);
    with_progress.meta = Some(object(json!({"progressToken": "tok-1"})));
    valid(&[V2025], "CallToolRequestParams", &with_progress);
    valid(&[V2026], "CallToolRequestParams", &stateless_params(&with_progress));

    let results = [
        CallToolResult::success(vec![ContentBlock::text("18°C"), ContentBlock::image("iVBORw0KGgo=", "image/png")]),
        CallToolResult::success(vec![]),
        CallToolResult::error(vec![ContentBlock::text("Unknown city")]),
        CallToolResult::structured(json!({"temperature": 22.5, "conditions": "sunny"})),
        CallToolResult::success(content_blocks()).with_meta(object(json!({"example.com/cost": 1}))),
    ];
    for result in results {
        valid(&[V2025], "CallToolResult", &result);
        valid(&[V2026], "CallToolResult", &stateless_result(ServerResult::CallTool(result)));
    }
    report("tools_validate");
}

#[test]
fn resources_prompts_and_completion_validate() {
    let resource = Resource::new("file:///project/README.md", "README.md")
        .with_title("Readme")
        .with_description("Project documentation")
        .with_mime_type("text/markdown")
        .with_size(1024)
        .with_annotations(annotations())
        .with_icons(vec![icon()]);
    valid(BOTH, "Resource", &resource);
    let template = ResourceTemplate::new("file:///{path}", "files")
        .with_title("Project files")
        .with_description("Any file of the project")
        .with_mime_type("application/octet-stream")
        .with_annotations(annotations())
        .with_icons(vec![icon()]);
    valid(BOTH, "ResourceTemplate", &template);

    let list = ListResourcesResult::new(vec![resource]).with_next_cursor("c2");
    valid(&[V2025], "ListResourcesResult", &list);
    valid(&[V2026], "ListResourcesResult", &stateless_result(ServerResult::ListResources(list)));
    let templates = ListResourceTemplatesResult::new(vec![template]);
    valid(&[V2025], "ListResourceTemplatesResult", &templates);
    valid(&[V2026], "ListResourceTemplatesResult", &stateless_result(ServerResult::ListResourceTemplates(templates)));
    let read = ReadResourceResult::new(vec![
        ResourceContents::Text(TextResourceContents::new("file:///a.rs", "fn main() {}").with_mime_type("text/x-rust")),
        ResourceContents::blob("file:///a.png", "iVBORw0KGgo="),
    ]);
    valid(&[V2025], "ReadResourceResult", &read);
    valid(&[V2026], "ReadResourceResult", &stateless_result(ServerResult::ReadResource(read)));

    let prompt = Prompt::new("code_review")
        .with_title("Code review")
        .with_description("Review code")
        .with_arguments(vec![
            PromptArgument::new("code").with_title("Code").with_description("The code").with_required(true),
            PromptArgument::new("language"),
        ])
        .with_icons(vec![icon()]);
    valid(BOTH, "Prompt", &prompt);
    let prompts = ListPromptsResult::new(vec![prompt]).with_next_cursor("p2");
    valid(&[V2025], "ListPromptsResult", &prompts);
    valid(&[V2026], "ListPromptsResult", &stateless_result(ServerResult::ListPrompts(prompts)));
    let messages: Vec<PromptMessage> = content_blocks()
        .into_iter()
        .map(|block| PromptMessage::new(Role::User, block))
        .chain([PromptMessage::user("Review this"), PromptMessage::assistant("Looks good")])
        .collect();
    let got = GetPromptResult::new(messages).with_description("Code review prompt");
    valid(&[V2025], "GetPromptResult", &got);
    valid(&[V2026], "GetPromptResult", &stateless_result(ServerResult::GetPrompt(got)));

    let completions = [
        CompleteResult::new(Completion::from_all((0..150).map(|i| format!("value-{i}")).collect())),
        CompleteResult::new(Completion::new(vec!["flask".into()])),
        CompleteResult::new(Completion::default()),
    ];
    for result in completions {
        valid(&[V2025], "CompleteResult", &result);
        valid(&[V2026], "CompleteResult", &stateless_result(ServerResult::Complete(result)));
    }

    // Request params: plain for 2025-11-25, with the per-request `_meta` for 2026-07-28.
    let mut context = BTreeMap::new();
    context.insert("language".to_owned(), "python".to_owned());
    let complete_prompt =
        CompleteRequestParams::new(Reference::prompt("code_review"), CompletionArgument::new("framework", "fla"))
            .with_context(CompletionContext::new(context));
    let complete_template =
        CompleteRequestParams::new(Reference::resource("file:///{path}"), CompletionArgument::new("path", "sr"));
    for params in [complete_prompt, complete_template] {
        valid(&[V2025], "CompleteRequestParams", &params);
        valid(&[V2026], "CompleteRequestParams", &stateless_params(&params));
    }
    let read = ReadResourceRequestParams::new("file:///a.rs");
    valid(&[V2025], "ReadResourceRequestParams", &read);
    valid(&[V2026], "ReadResourceRequestParams", &stateless_params(&read));
    let get = GetPromptRequestParams::new("code_review").with_argument("code", "print(1)");
    valid(&[V2025], "GetPromptRequestParams", &get);
    valid(&[V2026], "GetPromptRequestParams", &stateless_params(&get));
    for page in [PaginatedRequestParams::new(), PaginatedRequestParams::new().with_cursor("c2")] {
        valid(&[V2025], "PaginatedRequestParams", &page);
        valid(&[V2026], "PaginatedRequestParams", &stateless_params(&page));
    }
    valid(&[V2025], "SubscribeRequestParams", &SubscribeRequestParams::new("file:///a.rs"));
    valid(&[V2025], "UnsubscribeRequestParams", &UnsubscribeRequestParams::new("file:///a.rs"));

    // 2026-07-28 subscriptions.
    let filter = SubscriptionFilter::new()
        .with_tools_list_changed()
        .with_prompts_list_changed()
        .with_resources_list_changed()
        .with_resource_subscription("file:///project/config.json");
    let listen = SubscriptionsListenRequestParams::new(filter.clone());
    valid(&[V2026], "SubscriptionsListenRequestParams", &stateless_params(&listen));
    let listen_request =
        JsonRpcMessage::request(RequestId::from("listen-1"), methods::SUBSCRIPTIONS_LISTEN, &stateless_params(&listen))
            .unwrap();
    valid(&[V2026], "SubscriptionsListenRequest", &listen_request);
    let id = RequestId::from("listen-1");
    let ack = SubscriptionsAcknowledgedNotificationParams::new(&id, filter);
    valid(&[V2026], "SubscriptionsAcknowledgedNotificationParams", &ack);
    let ack = JsonRpcMessage::notification(methods::NOTIFICATION_SUBSCRIPTIONS_ACKNOWLEDGED, &ack).unwrap();
    valid(&[V2026], "SubscriptionsAcknowledgedNotification", &ack);
    let closed = stateless_result(ServerResult::SubscriptionsListen(SubscriptionsListenResult::new(&id)));
    valid(&[V2026], "SubscriptionsListenResult", &closed);
    let closed = JsonRpcMessage::response(id, &closed).unwrap();
    valid(&[V2026], "SubscriptionsListenResultResponse", &closed);
    report("resources_prompts_and_completion_validate");
}

#[test]
fn notifications_validate() {
    for level in LoggingLevel::ALL {
        let params = LoggingMessageNotificationParams::new(level, json!({"error": "Connection failed", "port": 5432}))
            .with_logger("database");
        valid(BOTH, "LoggingMessageNotificationParams", &params);
        let message = JsonRpcMessage::notification(methods::NOTIFICATION_MESSAGE, &params).unwrap();
        for name in ["LoggingMessageNotification", "JSONRPCNotification", "JSONRPCMessage"] {
            valid(BOTH, name, &message);
        }
    }
    valid(BOTH, "LoggingMessageNotificationParams", &LoggingMessageNotificationParams::new(LoggingLevel::Info, "text"));
    valid(&[V2025], "SetLevelRequestParams", &SetLevelRequestParams::new(LoggingLevel::Warning));

    let progress = [
        ProgressNotificationParams::new(ProgressToken::String("tok".into()), 50.0)
            .with_total(100.0)
            .with_message("Reticulating splines..."),
        ProgressNotificationParams::new(ProgressToken::Number(7), 0.25),
    ];
    for params in progress {
        valid(BOTH, "ProgressNotificationParams", &params);
        let message = JsonRpcMessage::notification(methods::NOTIFICATION_PROGRESS, &params).unwrap();
        valid(BOTH, "ProgressNotification", &message);
    }

    let cancelled = CancelledNotificationParams::new(RequestId::from("123")).with_reason("User requested cancellation");
    valid(BOTH, "CancelledNotificationParams", &cancelled);
    let message = JsonRpcMessage::notification(methods::NOTIFICATION_CANCELLED, &cancelled).unwrap();
    valid(BOTH, "CancelledNotification", &message);
    valid(BOTH, "CancelledNotificationParams", &CancelledNotificationParams::new(RequestId::from(9)));

    let updated = ResourceUpdatedNotificationParams::new("file:///project/src/main.rs");
    valid(BOTH, "ResourceUpdatedNotificationParams", &updated);
    let message = JsonRpcMessage::notification(methods::NOTIFICATION_RESOURCES_UPDATED, &updated).unwrap();
    valid(&[V2025], "ResourceUpdatedNotification", &message);
    let on_stream = updated.with_meta(subscription_meta("listen-1"));
    let message = JsonRpcMessage::notification(methods::NOTIFICATION_RESOURCES_UPDATED, &on_stream).unwrap();
    valid(BOTH, "ResourceUpdatedNotification", &message);

    let list_changed = [
        (methods::NOTIFICATION_TOOLS_LIST_CHANGED, "ToolListChangedNotification"),
        (methods::NOTIFICATION_PROMPTS_LIST_CHANGED, "PromptListChangedNotification"),
        (methods::NOTIFICATION_RESOURCES_LIST_CHANGED, "ResourceListChangedNotification"),
    ];
    for (method, name) in list_changed {
        let plain = JsonRpcMessage::notification(method, &EmptyParams::default()).unwrap();
        valid(&[V2025], name, &plain);
        let on_stream =
            JsonRpcMessage::notification(method, &EmptyParams::with_meta(subscription_meta("l-1"))).unwrap();
        valid(BOTH, name, &on_stream);
    }
    let roots_changed =
        JsonRpcMessage::notification(methods::NOTIFICATION_ROOTS_LIST_CHANGED, &EmptyParams::default()).unwrap();
    valid(&[V2025], "RootsListChangedNotification", &roots_changed);
    report("notifications_validate");
}

#[test]
fn sampling_elicitation_and_roots_validate() {
    let sampling = sampling_request();
    valid(BOTH, "CreateMessageRequestParams", &sampling);
    valid(&[V2025], "CreateMessageRequestParams", &sampling.clone().with_task(TaskMetadata::new(Some(60_000))));
    for message in &sampling.messages {
        valid(BOTH, "SamplingMessage", message);
    }
    valid(BOTH, "ToolChoice", &ToolChoice::required());
    valid(BOTH, "ModelPreferences", &ModelPreferences::new().with_hint("sonnet"));
    let request = JsonRpcMessage::request(RequestId::from(1), methods::SAMPLING_CREATE_MESSAGE, &sampling).unwrap();
    valid(&[V2025], "CreateMessageRequest", &request);
    valid(&[V2026], "CreateMessageRequest", &InputRequest::from(sampling.clone()));

    let replies = [
        CreateMessageResult::new(Role::Assistant, SamplingMessageContentBlock::text("Paris."), "claude-3-sonnet")
            .with_stop_reason(stop_reason::END_TURN),
        CreateMessageResult::new(Role::Assistant, tool_use_blocks(), "claude-3-sonnet")
            .with_stop_reason(stop_reason::TOOL_USE),
        CreateMessageResult::new(Role::Assistant, SamplingMessageContentBlock::text("..."), "m")
            .with_stop_reason("somethingElse"),
    ];
    for reply in replies {
        valid(BOTH, "CreateMessageResult", &reply);
    }

    let form = elicitation_form();
    valid(BOTH, "ElicitRequestFormParams", &form);
    valid(BOTH, "ElicitRequestParams", &ElicitRequestParams::from(form.clone()));
    valid(&[V2025], "ElicitRequestFormParams", &form.clone().with_task(TaskMetadata::default()));
    for (_, field) in &form.requested_schema.properties {
        valid(BOTH, "PrimitiveSchemaDefinition", field);
    }
    let request = JsonRpcMessage::request(
        RequestId::from(2),
        methods::ELICITATION_CREATE,
        &ElicitRequestParams::from(form.clone()),
    )
    .unwrap();
    valid(&[V2025], "ElicitRequest", &request);
    valid(&[V2026], "ElicitRequest", &InputRequest::from(ElicitRequestParams::from(form)));

    // URL mode: 2025-11-25 requires `elicitationId`, 2026-07-28 dropped it.
    let url = ElicitRequestUrlParams::new("Please sign in to continue.", "https://mcp.example.com/ui/login");
    valid(&[V2026], "ElicitRequestURLParams", &url);
    valid(&[V2026], "ElicitRequestParams", &ElicitRequestParams::from(url.clone()));
    let url_2025 = url.with_elicitation_id("elicit-1");
    valid(&[V2025], "ElicitRequestURLParams", &url_2025);
    valid(&[V2025], "ElicitRequestParams", &ElicitRequestParams::from(url_2025.clone()));
    let required = UrlElicitationRequiredData::new(vec![url_2025]).into_error("Sign-in required");
    valid(&[V2025], "URLElicitationRequiredError", &JsonRpcMessage::error(Some(RequestId::from(3)), required));
    let complete = JsonRpcMessage::notification(
        methods::NOTIFICATION_ELICITATION_COMPLETE,
        &ElicitationCompleteNotificationParams::new("elicit-1"),
    )
    .unwrap();
    valid(&[V2025], "ElicitationCompleteNotification", &complete);

    for answer in [elicit_accept(), ElicitResult::accept_url(), ElicitResult::decline(), ElicitResult::cancel()] {
        valid(BOTH, "ElicitResult", &answer);
    }

    let roots = ListRootsResult::new(vec![
        Root::new("file:///home/user/repos/frontend").with_name("Frontend"),
        Root::new("file:///home/user/repos/backend"),
    ]);
    valid(BOTH, "ListRootsResult", &roots);
    valid(BOTH, "Root", &roots.roots[0]);
    let request = JsonRpcMessage::request(RequestId::from(4), methods::ROOTS_LIST, &EmptyParams::default()).unwrap();
    valid(&[V2025], "ListRootsRequest", &request);
    valid(&[V2026], "ListRootsRequest", &InputRequest::list_roots());
    let response = JsonRpcMessage::response(RequestId::from(4), &roots).unwrap();
    valid(&[V2025], "JSONRPCResultResponse", &response);
    report("sampling_elicitation_and_roots_validate");
}

#[test]
fn multi_round_trip_results_validate() {
    let result = InputRequiredResult::new()
        .with_input_request("github_login", ElicitRequestParams::from(elicitation_form()))
        .with_input_request("capital_of_france", sampling_request())
        .with_input_request("roots", InputRequest::list_roots())
        .with_request_state("eyJzdGVwIjoxfQ");
    valid(&[V2026], "InputRequiredResult", &result);
    valid(&[V2026], "InputRequests", result.input_requests.as_ref().expect("requests were added"));
    let response = JsonRpcMessage::response(RequestId::from("call-1"), &result).unwrap();
    valid(&[V2026], "CallToolResultResponse", &response);
    valid(&[V2026], "JSONRPCResultResponse", &response);
    valid(&[V2026], "InputRequiredResult", &InputRequiredResult::new().with_request_state("only-state"));

    let answers = InputResponseRequestParams::new()
        .with_input_response("github_login", elicit_accept())
        .with_input_response(
            "capital_of_france",
            CreateMessageResult::new(Role::Assistant, SamplingMessageContentBlock::text("Paris"), "m"),
        )
        .with_input_response("roots", ListRootsResult::new(vec![Root::new("file:///home/user")]))
        .with_request_state("eyJzdGVwIjoxfQ");
    valid(&[V2026], "InputResponseRequestParams", &stateless_params(&answers));
    let responses = answers.input_responses.clone().expect("responses were added");
    valid(&[V2026], "InputResponses", &responses);

    // The retried request carries the answers and the state.
    let responses = object(serde_json::to_value(&responses).unwrap());
    let retry = CallToolRequestParams::new("get_weather")
        .with_arguments(object(json!({"city": "Paris"})))
        .with_input_responses(responses.clone())
        .with_request_state("eyJzdGVwIjoxfQ");
    valid(&[V2026], "CallToolRequestParams", &stateless_params(&retry));
    let retry = GetPromptRequestParams::new("code_review").with_input_responses(responses.clone());
    valid(&[V2026], "GetPromptRequestParams", &stateless_params(&retry));
    let retry = ReadResourceRequestParams::new("file:///a").with_input_responses(responses).with_request_state("s");
    valid(&[V2026], "ReadResourceRequestParams", &stateless_params(&retry));
    report("multi_round_trip_results_validate");
}

#[test]
fn json_rpc_envelopes_validate() {
    let call = CallToolRequestParams::new("get_weather").with_arguments(object(json!({"city": "Paris"})));

    // Requests.
    let request_2025 = JsonRpcMessage::request(RequestId::from(1), methods::TOOLS_CALL, &call).unwrap();
    let request_2026 =
        JsonRpcMessage::request(RequestId::from("call-1"), methods::TOOLS_CALL, &stateless_params(&call)).unwrap();
    for name in ["CallToolRequest", "JSONRPCRequest", "JSONRPCMessage"] {
        valid(&[V2025], name, &request_2025);
        valid(&[V2026], name, &request_2026);
    }
    let list_2026 = JsonRpcMessage::request(
        RequestId::from(2),
        methods::TOOLS_LIST,
        &stateless_params(&PaginatedRequestParams::new()),
    )
    .unwrap();
    valid(&[V2026], "ListToolsRequest", &list_2026);
    let list_2025 =
        JsonRpcMessage::request(RequestId::from(2), methods::TOOLS_LIST, &PaginatedRequestParams::new()).unwrap();
    valid(&[V2025], "ListToolsRequest", &list_2025);

    // Notifications.
    let progress = ProgressNotificationParams::new(ProgressToken::Number(1), 1.0).with_total(2.0);
    let notification = JsonRpcMessage::notification(methods::NOTIFICATION_PROGRESS, &progress).unwrap();
    for name in ["ProgressNotification", "JSONRPCNotification", "JSONRPCMessage"] {
        valid(BOTH, name, &notification);
    }

    // Successful responses.
    let result = CallToolResult::success(vec![ContentBlock::text("18°C")]);
    let response_2025 = JsonRpcMessage::response(RequestId::from(1), &result).unwrap();
    let response_2026 =
        JsonRpcMessage::response(RequestId::from("call-1"), &stateless_result(ServerResult::CallTool(result))).unwrap();
    for name in ["JSONRPCResultResponse", "JSONRPCResponse", "JSONRPCMessage"] {
        valid(&[V2025], name, &response_2025);
        valid(&[V2026], name, &response_2026);
    }
    valid(&[V2026], "CallToolResultResponse", &response_2026);
    let tools = ListToolsResult::new(vec![weather_tool()]);
    let tools =
        JsonRpcMessage::response(RequestId::from(2), &stateless_result(ServerResult::ListTools(tools))).unwrap();
    valid(&[V2026], "ListToolsResultResponse", &tools);

    // Error responses, with and without a known id.
    let errors = [
        ErrorData::parse_error("Parse error: Invalid JSON"),
        ErrorData::invalid_request("Invalid request"),
        ErrorData::method_not_found("prompts/list"),
        ErrorData::invalid_params("Unknown tool: nope"),
        ErrorData::internal_error("Internal error"),
        ErrorData::resource_not_found("file:///missing"),
    ];
    for error in errors {
        valid(BOTH, "Error", &error);
        for id in [Some(RequestId::from(5)), Some(RequestId::from("five"))] {
            let response = JsonRpcMessage::error(id, error.clone());
            for name in ["JSONRPCErrorResponse", "JSONRPCResponse", "JSONRPCMessage"] {
                valid(BOTH, name, &response);
            }
        }
        // Without a readable id we write `"id": null`, as JSON-RPC 2.0 requires; the MCP schema
        // only knows an absent id, so that one deliberate difference is checked with it removed.
        let mut unknown = serde_json::to_value(JsonRpcMessage::error(None, error.clone())).unwrap();
        assert_eq!(unknown["id"], Value::Null);
        unknown.as_object_mut().unwrap().remove("id");
        for name in ["JSONRPCErrorResponse", "JSONRPCResponse", "JSONRPCMessage"] {
            valid(BOTH, name, &unknown);
        }
    }
    let error_objects = [
        (ErrorData::parse_error("Parse error"), "ParseError"),
        (ErrorData::invalid_request("Invalid request"), "InvalidRequestError"),
        (ErrorData::method_not_found("prompts/list"), "MethodNotFoundError"),
        (ErrorData::invalid_params("Invalid cursor"), "InvalidParamsError"),
        (ErrorData::internal_error("Internal error"), "InternalError"),
    ];
    for (error, name) in error_objects {
        valid(&[V2026], name, &error);
    }
    let id = Some(RequestId::from(1));
    let specific = [
        (ErrorData::header_mismatch("Mcp-Method header does not match the body"), "HeaderMismatchError"),
        (ErrorData::missing_client_capability(json!({"elicitation": {}})), "MissingRequiredClientCapabilityError"),
        (ErrorData::unsupported_protocol_version("1900-01-01", &[V2026, V2025]), "UnsupportedProtocolVersionError"),
    ];
    for (error, name) in specific {
        let response = JsonRpcMessage::error(id.clone(), error);
        valid(&[V2026], name, &response);
        valid(BOTH, "JSONRPCErrorResponse", &response);
    }
    report("json_rpc_envelopes_validate");
}
