//! The headers of outgoing messages: era, method, name and mirrored tool arguments, and the
//! tool schemas (read from `tools/list` results) they are mirrored from.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, header};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::model::{JsonRpcMessage, RequestId, meta_keys, methods};
use crate::transport::http::wire::{self, HeaderParam};

/// One outgoing message, ready to POST.
#[derive(Debug)]
pub(crate) struct Outgoing {
    pub body: Bytes,
    /// Set for requests: the id the answer will carry.
    pub request_id: Option<RequestId>,
    pub method: Option<String>,
    /// The protocol version a 2026-07-28 request names in `_meta`; `None` on the session path.
    pub stateless_version: Option<String>,
    /// The headers that depend on the message (session and auth headers come later).
    pub headers: HeaderMap,
}

/// Analyse an outgoing message and build its message-specific headers.
pub(crate) fn prepare(message: &JsonRpcMessage, tools: &ToolHeaders) -> Outgoing {
    let (request_id, method, params) = match message {
        JsonRpcMessage::Request(r) => (Some(r.id.clone()), Some(r.method.to_string()), r.params.as_deref()),
        JsonRpcMessage::Notification(n) => (None, Some(n.method.to_string()), n.params.as_deref()),
        _ => (None, None, None),
    };
    let params: Option<Value> = params.and_then(|p| serde_json::from_str(p.get()).ok());
    let stateless_version = params
        .as_ref()
        .and_then(|p| p.get("_meta"))
        .and_then(|m| m.get(meta_keys::PROTOCOL_VERSION))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json, text/event-stream"));
    if let (Some(version), Some(method)) = (&stateless_version, &method) {
        insert(&mut headers, wire::PROTOCOL_VERSION, version);
        insert(&mut headers, wire::MCP_METHOD, method);
        let name_field = match method.as_str() {
            methods::TOOLS_CALL | methods::PROMPTS_GET => Some("name"),
            methods::RESOURCES_READ => Some("uri"),
            m if m.starts_with("tasks/") => Some("taskId"),
            _ => None,
        };
        let name = name_field.and_then(|f| params.as_ref()?.get(f)?.as_str());
        if let Some(name) = name {
            insert(&mut headers, wire::MCP_NAME, &wire::encode_header_value(name));
        }
        if method == methods::TOOLS_CALL
            && let (Some(name), Some(arguments)) = (name, params.as_ref().and_then(|p| p.get("arguments")?.as_object()))
        {
            for param in tools.params_of(name) {
                let text = param.value_in(arguments).and_then(wire::header_text);
                if let (Some(text), Ok(header)) = (text, param.header_name()) {
                    insert(&mut headers, header, &wire::encode_header_value(&text));
                }
            }
        }
    }
    Outgoing { body: Bytes::from(message.to_json()), request_id, method, stateless_version, headers }
}

fn insert(headers: &mut HeaderMap, name: http::HeaderName, value: &str) {
    match HeaderValue::from_str(value) {
        Ok(v) => {
            headers.insert(name, v);
        }
        Err(_) => tracing::warn!(header = %name, "a header value could not be encoded; header left out"),
    }
}

/// The `x-mcp-header` parameters of the tools the server listed.
#[derive(Debug, Default)]
pub(crate) struct ToolHeaders(Mutex<HashMap<String, Vec<HeaderParam>>>);

impl ToolHeaders {
    fn params_of(&self, tool: &str) -> Vec<HeaderParam> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(tool).cloned().unwrap_or_default()
    }

    /// Read a `tools/list` result: remember each tool's annotated parameters, and drop the tools
    /// whose annotations are invalid (a client must not offer them). Returns the result to hand
    /// on when tools were dropped.
    pub(crate) fn read_list(&self, result: &RawValue) -> Option<Box<RawValue>> {
        let mut value: Value = serde_json::from_str(result.get()).ok()?;
        let tools = value.get_mut("tools")?.as_array_mut()?;
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let before = tools.len();
        tools.retain(|tool| {
            let Some(name) = tool.get("name").and_then(Value::as_str) else { return true };
            let Some(schema) = tool.get("inputSchema").and_then(Value::as_object) else { return true };
            match wire::header_params(schema) {
                Ok(params) => {
                    known.insert(name.to_owned(), params);
                    true
                }
                Err(reason) => {
                    tracing::warn!(tool = name, %reason, "tool dropped: invalid x-mcp-header annotation");
                    known.remove(name);
                    false
                }
            }
        });
        if tools.len() == before {
            return None;
        }
        serde_json::value::to_raw_value(&value).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stateless_requests_get_their_headers() {
        let tools = ToolHeaders::default();
        let list = json!({"tools": [
            {"name": "t", "inputSchema": {"type": "object", "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "n": {"type": "integer", "x-mcp-header": "N"},
                "v": {"type": "boolean", "x-mcp-header": "V"}}}},
            {"name": "bad", "inputSchema": {"type": "object", "properties": {
                "x": {"type": "number", "x-mcp-header": "X"}}}}
        ]});
        let filtered = tools.read_list(&serde_json::value::to_raw_value(&list).unwrap()).unwrap();
        let filtered: Value = serde_json::from_str(filtered.get()).unwrap();
        assert_eq!(filtered["tools"].as_array().unwrap().len(), 1);

        let params = json!({"name": "t", "arguments": {"region": " padded ", "n": 42, "v": null},
            "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}});
        let msg = JsonRpcMessage::request(RequestId::Number(1), "tools/call", &params).unwrap();
        let out = prepare(&msg, &tools);
        assert_eq!(out.stateless_version.as_deref(), Some("2026-07-28"));
        assert_eq!(out.headers["mcp-method"], "tools/call");
        assert_eq!(out.headers["mcp-name"], "t");
        assert_eq!(out.headers["mcp-param-region"], "=?base64?IHBhZGRlZCA=?=");
        assert_eq!(out.headers["mcp-param-n"], "42");
        assert!(!out.headers.contains_key("mcp-param-v"), "null values send no header");

        let msg = JsonRpcMessage::request(RequestId::Number(2), "tools/list", &json!({})).unwrap();
        let out = prepare(&msg, &tools);
        assert!(out.stateless_version.is_none() && !out.headers.contains_key("mcp-method"));
    }
}
