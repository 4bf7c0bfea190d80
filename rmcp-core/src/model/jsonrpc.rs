//! JSON-RPC 2.0 envelopes: requests, notifications, responses and errors.
//!
//! Parameters and results stay raw JSON ([`RawValue`]) until the engine knows the method, so a
//! message is parsed once and its payload is deserialized straight into the typed params.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

/// A JSON-RPC request id: a string or an integer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RequestId {
    /// A numeric id.
    Number(i64),
    /// A string id.
    String(Arc<str>),
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestId::Number(n) => write!(f, "{n}"),
            RequestId::String(s) => write!(f, "{s:?}"),
        }
    }
}

impl From<i64> for RequestId {
    fn from(n: i64) -> Self {
        RequestId::Number(n)
    }
}

impl From<&str> for RequestId {
    fn from(s: &str) -> Self {
        RequestId::String(s.into())
    }
}

impl From<String> for RequestId {
    fn from(s: String) -> Self {
        RequestId::String(s.into())
    }
}

/// The standard JSON-RPC and MCP error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ErrorCode(pub i32);

impl ErrorCode {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: Self = Self(-32700);
    /// The JSON sent is not a valid request object.
    pub const INVALID_REQUEST: Self = Self(-32600);
    /// The method does not exist or is not available.
    pub const METHOD_NOT_FOUND: Self = Self(-32601);
    /// Invalid method parameters.
    pub const INVALID_PARAMS: Self = Self(-32602);
    /// Internal JSON-RPC error.
    pub const INTERNAL_ERROR: Self = Self(-32603);
    /// A resource was not found (MCP, 2025 era; 2026 uses invalid params with `data.uri`).
    pub const RESOURCE_NOT_FOUND: Self = Self(-32002);
    /// URL-mode elicitation is required before the request can proceed (2025-11-25).
    pub const URL_ELICITATION_REQUIRED: Self = Self(-32042);
    /// An HTTP header does not match the request body (2026-07-28).
    pub const HEADER_MISMATCH: Self = Self(-32020);
    /// The request needs a client capability the request did not declare (2026-07-28).
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: Self = Self(-32021);
    /// The requested protocol version is not supported (2026-07-28).
    pub const UNSUPPORTED_PROTOCOL_VERSION: Self = Self(-32022);
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The `error` member of a JSON-RPC error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorData {
    /// The error code.
    pub code: ErrorCode,
    /// A short description of the error.
    pub message: Cow<'static, str>,
    /// Additional information about the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl ErrorData {
    /// An error with the given code, message and data.
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>, data: Option<Value>) -> Self {
        Self { code, message: message.into(), data }
    }
    /// -32700: the input was not valid JSON.
    pub fn parse_error(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::PARSE_ERROR, message, None)
    }
    /// -32600: the input is not a valid JSON-RPC message.
    pub fn invalid_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::INVALID_REQUEST, message, None)
    }
    /// -32601 for `method`.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(ErrorCode::METHOD_NOT_FOUND, format!("Method not found: {method}"), None)
    }
    /// -32602: the params do not fit the method.
    pub fn invalid_params(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::INVALID_PARAMS, message, None)
    }
    /// -32603: the receiver failed internally.
    pub fn internal_error(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::INTERNAL_ERROR, message, None)
    }
    /// -32002 with `data.uri`, for a resource that does not exist.
    pub fn resource_not_found(uri: &str) -> Self {
        Self::new(ErrorCode::RESOURCE_NOT_FOUND, "Resource not found", Some(serde_json::json!({ "uri": uri })))
    }
    /// -32020: a header disagrees with the body (2026-07-28).
    pub fn header_mismatch(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::HEADER_MISMATCH, message, None)
    }
    /// -32021 naming the capabilities the request lacks (2026-07-28).
    pub fn missing_client_capability(required: Value) -> Self {
        Self::new(
            ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
            "Missing required client capability",
            Some(serde_json::json!({ "requiredCapabilities": required })),
        )
    }
    /// -32022 listing the supported versions (2026-07-28).
    pub fn unsupported_protocol_version(requested: &str, supported: &[&str]) -> Self {
        Self::new(
            ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
            "Unsupported protocol version",
            Some(serde_json::json!({ "supported": supported, "requested": requested })),
        )
    }
}

impl fmt::Display for ErrorData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code)?;
        if let Some(data) = &self.data {
            write!(f, ": {data}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ErrorData {}

/// A request: it has an id and expects a response.
#[derive(Debug, Clone)]
pub struct JsonRpcRequest {
    /// The request id, echoed by the response.
    pub id: RequestId,
    /// The method name.
    pub method: Cow<'static, str>,
    /// The raw params, deserialized once the method is known.
    pub params: Option<Box<RawValue>>,
}

/// A notification: no id, no response.
#[derive(Debug, Clone)]
pub struct JsonRpcNotification {
    /// The method name.
    pub method: Cow<'static, str>,
    /// The raw params.
    pub params: Option<Box<RawValue>>,
}

/// A successful response.
#[derive(Debug, Clone)]
pub struct JsonRpcResponse {
    /// The id of the request this answers.
    pub id: RequestId,
    /// The raw result.
    pub result: Box<RawValue>,
}

/// An error response. The id is `None` when the request's id could not be read (a parse error, a
/// message without a usable id): it is then `null` on the wire, as JSON-RPC 2.0 requires. (The
/// MCP schema would rather leave it out; JSON-RPC peers expect `null`, and both are accepted on
/// input.)
#[derive(Debug, Clone)]
pub struct JsonRpcError {
    /// The id of the request this answers, if known.
    pub id: Option<RequestId>,
    /// The error.
    pub error: ErrorData,
}

/// Any JSON-RPC 2.0 message.
#[derive(Debug, Clone)]
pub enum JsonRpcMessage {
    /// A request.
    Request(JsonRpcRequest),
    /// A notification.
    Notification(JsonRpcNotification),
    /// A successful response.
    Response(JsonRpcResponse),
    /// An error response.
    Error(JsonRpcError),
}

impl JsonRpcMessage {
    /// A request with typed params.
    pub fn request(
        id: RequestId,
        method: impl Into<Cow<'static, str>>,
        params: &impl Serialize,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self::Request(JsonRpcRequest {
            id,
            method: method.into(),
            params: Some(serde_json::value::to_raw_value(params)?),
        }))
    }
    /// A notification with typed params.
    pub fn notification(
        method: impl Into<Cow<'static, str>>,
        params: &impl Serialize,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self::Notification(JsonRpcNotification {
            method: method.into(),
            params: Some(serde_json::value::to_raw_value(params)?),
        }))
    }
    /// A successful response with a typed result.
    pub fn response(id: RequestId, result: &impl Serialize) -> Result<Self, serde_json::Error> {
        Ok(Self::Response(JsonRpcResponse { id, result: serde_json::value::to_raw_value(result)? }))
    }
    /// An error response.
    pub fn error(id: Option<RequestId>, error: ErrorData) -> Self {
        Self::Error(JsonRpcError { id, error })
    }
    /// Parse one message from JSON text, classifying failures as JSON-RPC errors:
    /// unparseable JSON is -32700, a well-formed value that is not a message is -32600
    /// (carrying the id when one could be read).
    pub fn from_json(text: &str) -> Result<Self, JsonRpcError> {
        serde_json::from_str::<JsonRpcMessage>(text).map_err(|e| classify_error(text, e))
    }
    /// Parse one message from JSON bytes; see [`JsonRpcMessage::from_json`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, JsonRpcError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Self::from_json(text),
            Err(e) => Err(JsonRpcError { id: None, error: ErrorData::parse_error(format!("Parse error: {e}")) }),
        }
    }
    /// Serialize to compact JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a JSON-RPC message always serializes")
    }
}

fn classify_error(text: &str, e: serde_json::Error) -> JsonRpcError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            JsonRpcError { id: None, error: ErrorData::parse_error(format!("Parse error: {e}")) }
        }
        Category::Data => {
            // Valid JSON, but not a message: answer with the id if the object is a request with a
            // usable one. A broken *response* carries an id from the other side's space, so
            // echoing it would resolve some unrelated request there.
            let id = serde_json::from_str::<IdProbe>(text).ok().filter(|p| p.method.is_some()).and_then(|p| p.id);
            JsonRpcError { id, error: ErrorData::invalid_request(format!("Invalid request: {e}")) }
        }
    }
}

#[derive(Deserialize)]
struct IdProbe {
    #[serde(default)]
    id: Option<RequestId>,
    #[serde(default)]
    method: Option<de::IgnoredAny>,
}

struct Version;

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("2.0")
    }
}

impl Serialize for JsonRpcMessage {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("jsonrpc", &Version)?;
        match self {
            JsonRpcMessage::Request(r) => {
                map.serialize_entry("id", &r.id)?;
                map.serialize_entry("method", &r.method)?;
                if let Some(p) = &r.params {
                    map.serialize_entry("params", p)?;
                }
            }
            JsonRpcMessage::Notification(n) => {
                map.serialize_entry("method", &n.method)?;
                if let Some(p) = &n.params {
                    map.serialize_entry("params", p)?;
                }
            }
            JsonRpcMessage::Response(r) => {
                map.serialize_entry("id", &r.id)?;
                map.serialize_entry("result", &r.result)?;
            }
            JsonRpcMessage::Error(e) => {
                map.serialize_entry("id", &e.id)?;
                map.serialize_entry("error", &e.error)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for JsonRpcMessage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MessageVisitor)
    }
}

struct MessageVisitor;

/// `id` is tri-state: absent, explicitly null, or a value.
enum IdField {
    Absent,
    Null,
    Id(RequestId),
}

impl<'de> Visitor<'de> for MessageVisitor {
    type Value = JsonRpcMessage;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-RPC 2.0 message object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut version_ok = false;
        let mut id = IdField::Absent;
        let mut method: Option<String> = None;
        let mut params: Option<Box<RawValue>> = None;
        let mut result: Option<Box<RawValue>> = None;
        let mut error: Option<ErrorData> = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "jsonrpc" => {
                    let v: Cow<'de, str> = map.next_value()?;
                    if v != "2.0" {
                        return Err(de::Error::custom("`jsonrpc` must be \"2.0\""));
                    }
                    version_ok = true;
                }
                "id" => {
                    id = match map.next_value::<Option<RequestId>>()? {
                        Some(v) => IdField::Id(v),
                        None => IdField::Null,
                    }
                }
                "method" => method = Some(map.next_value()?),
                "params" => params = Some(map.next_value()?),
                "result" => result = Some(map.next_value()?),
                "error" => error = Some(map.next_value()?),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        if !version_ok {
            return Err(de::Error::missing_field("jsonrpc"));
        }
        if let Some(p) = &params {
            let first = p.get().as_bytes().first().copied();
            if !matches!(first, Some(b'{') | Some(b'[')) && p.get() != "null" {
                return Err(de::Error::custom("`params` must be an object or an array"));
            }
        }
        let params = params.filter(|p| p.get() != "null");
        match (method, id, result, error) {
            (Some(method), IdField::Id(id), None, None) => {
                Ok(JsonRpcMessage::Request(JsonRpcRequest { id, method: method.into(), params }))
            }
            (Some(method), IdField::Absent, None, None) => {
                Ok(JsonRpcMessage::Notification(JsonRpcNotification { method: method.into(), params }))
            }
            (Some(_), IdField::Null, _, _) => Err(de::Error::custom("a request id must not be null")),
            (None, IdField::Id(id), Some(result), None) => Ok(JsonRpcMessage::Response(JsonRpcResponse { id, result })),
            (None, id, None, Some(error)) => Ok(JsonRpcMessage::Error(JsonRpcError {
                id: match id {
                    IdField::Id(id) => Some(id),
                    _ => None,
                },
                error,
            })),
            _ => Err(de::Error::custom(
                "not a request, notification, response or error (check `method`, `id`, `result` and `error`)",
            )),
        }
    }
}
