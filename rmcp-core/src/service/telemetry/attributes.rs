//! The attribute names of the MCP semantic conventions, and reading their values from a message.

use std::borrow::Cow;

use opentelemetry::KeyValue;
use serde_json::value::RawValue;

use crate::model::{ClientRequest, ErrorData, RequestId, methods};

/// `mcp.method.name`: the request's or notification's method.
pub const MCP_METHOD_NAME: &str = "mcp.method.name";
/// `mcp.session.id`: the `Mcp-Session-Id` of a Streamable HTTP session.
pub const MCP_SESSION_ID: &str = "mcp.session.id";
/// `mcp.protocol.version`: the MCP revision the message is served under.
pub const MCP_PROTOCOL_VERSION: &str = "mcp.protocol.version";
/// `mcp.resource.uri`: the resource of `resources/read`, `resources/(un)subscribe` and
/// `notifications/resources/updated`.
pub const MCP_RESOURCE_URI: &str = "mcp.resource.uri";
/// `jsonrpc.request.id`: the request's id, as a string (a string id without quotes).
pub const JSONRPC_REQUEST_ID: &str = "jsonrpc.request.id";
/// `gen_ai.tool.name`: the tool of `tools/call`.
pub const GEN_AI_TOOL_NAME: &str = "gen_ai.tool.name";
/// `gen_ai.prompt.name`: the prompt of `prompts/get`.
pub const GEN_AI_PROMPT_NAME: &str = "gen_ai.prompt.name";
/// `gen_ai.operation.name`: `execute_tool` on `tools/call`, absent otherwise.
pub const GEN_AI_OPERATION_NAME: &str = "gen_ai.operation.name";
/// `error.type`: the JSON-RPC error code, `tool_error` for a tool result with `isError`, or one of
/// `timeout`, `cancelled`, `transport_closed`, `_OTHER`.
pub const ERROR_TYPE: &str = "error.type";
/// `rpc.response.status_code`: the JSON-RPC error code of an error response.
pub const RPC_RESPONSE_STATUS_CODE: &str = "rpc.response.status_code";
/// `network.transport`: `tcp` for Streamable HTTP, `pipe` otherwise (stdio, in-process pairs).
pub const NETWORK_TRANSPORT: &str = "network.transport";
/// `network.protocol.name`: `http` for Streamable HTTP.
pub const NETWORK_PROTOCOL_NAME: &str = "network.protocol.name";
/// `network.protocol.version`: the HTTP version, for Streamable HTTP.
pub const NETWORK_PROTOCOL_VERSION: &str = "network.protocol.version";
/// `client.address`: the HTTP client's address, as the server's listener saw it.
pub const CLIENT_ADDRESS: &str = "client.address";
/// `client.port`: the HTTP client's port.
pub const CLIENT_PORT: &str = "client.port";

/// `gen_ai.operation.name` of a tool call.
pub(crate) const EXECUTE_TOOL: &str = "execute_tool";
/// `error.type` of a tool result with `isError: true`.
pub(crate) const TOOL_ERROR: &str = "tool_error";

/// The values most attributes have (methods, protocol versions): they are not copied.
const COMMON_VALUES: [&str; 13] = [
    "2025-11-25",
    "2026-07-28",
    "2025-06-18",
    "2025-03-26",
    "2024-11-05",
    methods::TOOLS_CALL,
    methods::TOOLS_LIST,
    methods::RESOURCES_READ,
    methods::PROMPTS_GET,
    methods::PING,
    methods::NOTIFICATION_PROGRESS,
    methods::NOTIFICATION_MESSAGE,
    methods::NOTIFICATION_CANCELLED,
];

/// What a message is about: the low-cardinality target of its span name (a tool or a prompt) and
/// the resource it names.
#[derive(Debug, Default)]
pub(crate) struct Target {
    pub tool: Option<String>,
    pub prompt: Option<String>,
    pub uri: Option<String>,
}

impl Target {
    /// The target of a request already parsed: a client's request to a server names its tool,
    /// prompt or resource; a server's requests to a client have none.
    pub(crate) fn of_request<T: 'static>(request: &T) -> Self {
        let Some(request) = (request as &dyn std::any::Any).downcast_ref::<ClientRequest>() else {
            return Self::default();
        };
        match request {
            ClientRequest::CallTool(p) => Self { tool: Some(p.name.clone()), ..Self::default() },
            ClientRequest::GetPrompt(p) => Self { prompt: Some(p.name.clone()), ..Self::default() },
            ClientRequest::ReadResource(p) => Self { uri: Some(p.uri.clone()), ..Self::default() },
            ClientRequest::Subscribe(p) => Self { uri: Some(p.uri.clone()), ..Self::default() },
            ClientRequest::Unsubscribe(p) => Self { uri: Some(p.uri.clone()), ..Self::default() },
            _ => Self::default(),
        }
    }

    /// Read the target of `method` from its raw `params`: one more pass over them, only for the
    /// methods that have one (for messages nobody parsed before).
    pub(crate) fn of(method: &str, params: Option<&RawValue>) -> Self {
        #[derive(serde::Deserialize)]
        struct Probe<'a> {
            #[serde(borrow, default)]
            name: Option<Cow<'a, str>>,
            #[serde(borrow, default)]
            uri: Option<Cow<'a, str>>,
        }
        let wanted = matches!(
            method,
            methods::TOOLS_CALL
                | methods::PROMPTS_GET
                | methods::RESOURCES_READ
                | methods::RESOURCES_SUBSCRIBE
                | methods::RESOURCES_UNSUBSCRIBE
                | methods::NOTIFICATION_RESOURCES_UPDATED
        );
        let Some(params) = params.filter(|_| wanted) else { return Self::default() };
        let Ok(probe) = serde_json::from_str::<Probe<'_>>(params.get()) else { return Self::default() };
        let name = probe.name.map(Cow::into_owned);
        match method {
            methods::TOOLS_CALL => Self { tool: name, ..Self::default() },
            methods::PROMPTS_GET => Self { prompt: name, ..Self::default() },
            _ => Self { uri: probe.uri.map(Cow::into_owned), ..Self::default() },
        }
    }

    /// The span name: `{mcp.method.name} {target}`, or the method alone. Resource URIs are left
    /// out, as the conventions advise (their cardinality is unbounded).
    pub(crate) fn span_name(&self, method: &str) -> String {
        match self.tool.as_deref().or(self.prompt.as_deref()) {
            Some(target) => format!("{method} {target}"),
            None => method.to_owned(),
        }
    }

    /// The attributes of the operation metrics: the method and the tool or prompt.
    pub(crate) fn into_metric_attributes(self, method: &str) -> Vec<KeyValue> {
        let mut attributes = Vec::with_capacity(8);
        attributes.push(KeyValue::new(MCP_METHOD_NAME, interned(method)));
        if let Some(tool) = self.tool {
            attributes.push(KeyValue::new(GEN_AI_TOOL_NAME, tool));
            attributes.push(KeyValue::new(GEN_AI_OPERATION_NAME, EXECUTE_TOOL));
        }
        if let Some(prompt) = self.prompt {
            attributes.push(KeyValue::new(GEN_AI_PROMPT_NAME, prompt));
        }
        attributes
    }
}

/// `value` as an attribute value: borrowed when it is a common one, copied otherwise.
pub(crate) fn interned(value: &str) -> Cow<'static, str> {
    match COMMON_VALUES.iter().find(|common| **common == value) {
        Some(common) => Cow::Borrowed(*common),
        None => Cow::Owned(value.to_owned()),
    }
}

/// `jsonrpc.request.id`: a number as written, a string without the quotes its `Display` adds.
pub(crate) fn request_id(id: &RequestId) -> String {
    match id {
        RequestId::Number(n) => n.to_string(),
        RequestId::String(s) => s.to_string(),
    }
}

/// How an operation ended badly.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A JSON-RPC error response: its code is `error.type` and `rpc.response.status_code`, its
    /// message the span status' description.
    Rpc { code: i32, message: String },
    /// Any other end: `error.type` alone.
    Other(&'static str),
}

impl Failure {
    pub(crate) fn rpc(error: &ErrorData) -> Self {
        Failure::Rpc { code: error.code.0, message: error.message.to_string() }
    }

    /// `error.type`.
    pub(crate) fn error_type(&self) -> Cow<'static, str> {
        match self {
            Failure::Rpc { code, .. } => Cow::Owned(code.to_string()),
            Failure::Other(kind) => Cow::Borrowed(kind),
        }
    }
}

/// Whether `result`, the raw result of a `tools/call`, reports an error (`isError: true`).
/// serde writes no space after the colon, and our own results and those of most peers are
/// serde's; one spelled otherwise is parsed.
pub(crate) fn is_tool_error(result: &RawValue) -> bool {
    // One scan for the common case, a result without the key.
    let text = result.get();
    let Some(at) = text.find("isError") else { return false };
    if text[at..].starts_with(r#"isError":true"#) {
        return true;
    }
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "isError", default)]
        is_error: bool,
    }
    serde_json::from_str::<Probe>(text).is_ok_and(|p| p.is_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn targets_are_read_for_the_methods_that_have_one() {
        let call = Target::of(methods::TOOLS_CALL, Some(&raw(r#"{"name":"add","arguments":{"name":"x"}}"#)));
        assert_eq!(call.tool.as_deref(), Some("add"));
        assert_eq!(call.span_name("tools/call"), "tools/call add");
        let prompt = Target::of(methods::PROMPTS_GET, Some(&raw(r#"{"name":"greet"}"#)));
        assert_eq!(prompt.span_name("prompts/get"), "prompts/get greet");
        let read = Target::of(methods::RESOURCES_READ, Some(&raw(r#"{"uri":"file:///a"}"#)));
        assert_eq!(read.uri.as_deref(), Some("file:///a"));
        assert_eq!(read.span_name("resources/read"), "resources/read");
        let list = Target::of(methods::TOOLS_LIST, Some(&raw(r#"{"name":"ignored"}"#)));
        assert!(list.tool.is_none());
        let broken = Target::of(methods::TOOLS_CALL, Some(&raw(r#"[1, 2]"#)));
        assert_eq!(broken.span_name("tools/call"), "tools/call");
    }

    #[test]
    fn parsed_requests_name_their_target() {
        use crate::model::{CallToolRequestParams, ServerRequest};
        let call = ClientRequest::CallTool(CallToolRequestParams::new("add"));
        assert_eq!(Target::of_request(&call).tool.as_deref(), Some("add"));
        assert!(Target::of_request(&ServerRequest::ListRoots(Default::default())).tool.is_none());
    }

    #[test]
    fn tool_errors_are_seen_however_spelled() {
        assert!(is_tool_error(&raw(r#"{"content":[],"isError":true}"#)));
        assert!(is_tool_error(&raw(r#"{"content":[], "isError" : true}"#)));
        assert!(!is_tool_error(&raw(r#"{"content":[],"isError":false}"#)));
        assert!(!is_tool_error(&raw(r#"{"content":[]}"#)));
    }

    #[test]
    fn request_ids_read_as_written() {
        assert_eq!(request_id(&RequestId::Number(7)), "7");
        assert_eq!(request_id(&RequestId::String("req-7".into())), "req-7");
    }
}
