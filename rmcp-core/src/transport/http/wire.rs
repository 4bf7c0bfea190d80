//! What the two HTTP sides agree on: header names, the Base64 sentinel that carries unsafe header
//! values, and the `x-mcp-header` annotations that mirror tool arguments into headers.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderName;
use serde_json::Value;

use crate::model::JsonObject;

/// `Mcp-Session-Id`: the 2025-era session a request belongs to.
pub const SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
/// `MCP-Protocol-Version`: the protocol version of a request.
pub const PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
/// `Last-Event-ID`: where a resumed SSE stream starts again (2025 era).
pub const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");
/// `Mcp-Method`: the JSON-RPC method of a 2026-07-28 request.
pub const MCP_METHOD: HeaderName = HeaderName::from_static("mcp-method");
/// `Mcp-Name`: `params.name` (or `params.uri`) of a 2026-07-28 request.
pub const MCP_NAME: HeaderName = HeaderName::from_static("mcp-name");
/// The prefix of headers mirroring annotated tool arguments (`Mcp-Param-<Name>`), lowercase.
pub const PARAM_PREFIX: &str = "mcp-param-";

const SENTINEL_START: &str = "=?base64?";
const SENTINEL_END: &str = "?=";

/// Encode a value for a header: as is when it is plain visible ASCII (spaces inside allowed),
/// else as `=?base64?<Base64 of UTF-8>?=`. Values that look like the sentinel are encoded too, so
/// decoding is never ambiguous.
pub fn encode_header_value(value: &str) -> Cow<'_, str> {
    let plain =
        value.bytes().all(|b| (0x20..=0x7e).contains(&b)) && value.trim_ascii() == value && !looks_encoded(value);
    if plain {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(format!("{SENTINEL_START}{}{SENTINEL_END}", STANDARD.encode(value)))
    }
}

/// Decode a header value written by [`encode_header_value`]. Fails on invalid Base64 (alphabet or
/// padding) or on bytes that are not UTF-8.
pub fn decode_header_value(raw: &str) -> Result<Cow<'_, str>, String> {
    if !looks_encoded(raw) {
        return Ok(Cow::Borrowed(raw));
    }
    let inner = &raw[SENTINEL_START.len()..raw.len() - SENTINEL_END.len()];
    let bytes = STANDARD.decode(inner).map_err(|e| format!("invalid Base64 in header value: {e}"))?;
    String::from_utf8(bytes).map(Cow::Owned).map_err(|_| "Base64 header value is not UTF-8".to_owned())
}

fn looks_encoded(value: &str) -> bool {
    value.len() >= SENTINEL_START.len() + SENTINEL_END.len()
        && value.starts_with(SENTINEL_START)
        && value.ends_with(SENTINEL_END)
}

/// The JSON type an `x-mcp-header` parameter may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamKind {
    String,
    Integer,
    Boolean,
}

/// One tool parameter mirrored into an `Mcp-Param-<name>` header.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeaderParam {
    /// The `x-mcp-header` value: the `<name>` of `Mcp-Param-<name>`.
    pub name: String,
    /// The chain of `properties` keys from the schema root to the parameter.
    pub path: Vec<String>,
    /// The JSON type the schema gives the parameter: how the header value is written and read.
    pub kind: ParamKind,
}

impl HeaderParam {
    /// The header's name (lowercase, as `http` stores header names).
    pub(crate) fn header_name(&self) -> Result<HeaderName, String> {
        HeaderName::try_from(format!("{PARAM_PREFIX}{}", self.name.to_ascii_lowercase()))
            .map_err(|e| format!("`{}` is no header name: {e}", self.name))
    }

    /// The argument's value at the parameter's path; `None` when absent or `null`, in which case
    /// no header is sent nor expected.
    pub(crate) fn value_in<'a>(&self, arguments: &'a JsonObject) -> Option<&'a Value> {
        let (last, parents) = self.path.split_last()?;
        let mut object = arguments;
        for key in parents {
            object = object.get(key)?.as_object()?;
        }
        object.get(last).filter(|v| !v.is_null())
    }
}

/// The header text of an argument value: strings as they are, integers in decimal, booleans as
/// `true`/`false`. Other values are not mirrored.
#[cfg(feature = "http-client")]
pub(crate) fn header_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

/// Whether a decoded header value carries the body value. Numbers compare by value (`42.0`
/// equals `42`), as the 2026-07-28 transport rules recommend; integers compare exactly, never
/// through floating point (where 2^53 + 1 would equal 2^53).
#[cfg(feature = "http-server")]
pub(crate) fn header_matches(header: &str, body: &Value) -> bool {
    match body {
        Value::String(s) => header == s,
        Value::Bool(b) => header == if *b { "true" } else { "false" },
        Value::Number(n) => {
            let exact = n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
            match exact {
                Some(b) => integer_text(header) == Some(b),
                None => match (header.parse::<f64>(), n.as_f64()) {
                    (Ok(h), Some(b)) => h.is_finite() && h == b,
                    _ => false,
                },
            }
        }
        _ => false,
    }
}

/// The integer a header writes in decimal: digits with an optional sign, and optionally a
/// fraction of zeros (`42`, `-7`, `42.0`).
#[cfg(feature = "http-server")]
fn integer_text(text: &str) -> Option<i128> {
    let whole = match text.split_once('.') {
        Some((w, f)) if !f.is_empty() && f.bytes().all(|b| b == b'0') => w,
        Some(_) => return None,
        None => text,
    };
    let digits = whole.strip_prefix(['-', '+']).unwrap_or(whole);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    whole.parse().ok()
}

/// Keys whose values are instance data, not subschemas: an `x-mcp-header` inside them means
/// nothing.
const DATA_KEYWORDS: [&str; 4] = ["default", "const", "enum", "examples"];

/// The parameters of a tool's `inputSchema` annotated with `x-mcp-header`, or why the annotations
/// make the tool invalid (then a client must not offer the tool).
pub(crate) fn header_params(schema: &JsonObject) -> Result<Vec<HeaderParam>, String> {
    let mut found = Vec::new();
    let mut path = Vec::new();
    walk_object(schema, true, &mut path, &mut found)?;
    for (i, p) in found.iter().enumerate() {
        if found[..i].iter().any(|q| q.name.eq_ignore_ascii_case(&p.name)) {
            return Err(format!("`x-mcp-header` value `{}` is used twice", p.name));
        }
    }
    Ok(found)
}

/// Walk a schema object. `reachable` holds while the path from the root consists of `properties`
/// keys only; only there may an annotation stand.
fn walk_object(
    object: &JsonObject,
    reachable: bool,
    path: &mut Vec<String>,
    found: &mut Vec<HeaderParam>,
) -> Result<(), String> {
    if let Some(annotation) = object.get("x-mcp-header") {
        if !reachable || path.is_empty() {
            return Err("`x-mcp-header` outside a chain of `properties` from the schema root".to_owned());
        }
        found.push(annotated(annotation, object, path)?);
    }
    for (key, value) in object {
        if DATA_KEYWORDS.contains(&key.as_str()) {
            continue;
        }
        match (key.as_str(), value) {
            ("properties", Value::Object(props)) => {
                for (name, sub) in props {
                    if let Value::Object(sub) = sub {
                        path.push(name.clone());
                        let r = walk_object(sub, reachable, path, found);
                        path.pop();
                        r?;
                    }
                }
            }
            _ => walk_value(value, path, found)?,
        }
    }
    Ok(())
}

fn walk_value(value: &Value, path: &mut Vec<String>, found: &mut Vec<HeaderParam>) -> Result<(), String> {
    match value {
        Value::Object(o) => walk_object(o, false, path, found),
        Value::Array(items) => items.iter().try_for_each(|v| walk_value(v, path, found)),
        _ => Ok(()),
    }
}

fn annotated(annotation: &Value, schema: &JsonObject, path: &[String]) -> Result<HeaderParam, String> {
    let at = path.join(".");
    let Value::String(name) = annotation else {
        return Err(format!("`x-mcp-header` of `{at}` is not a string"));
    };
    if name.is_empty() || !name.bytes().all(is_tchar) {
        return Err(format!("`x-mcp-header` value `{name}` of `{at}` is not an HTTP token"));
    }
    let kind = match schema.get("type") {
        Some(Value::String(t)) => primitive(t),
        // `["string", "null"]`: a nullable primitive is still one primitive.
        Some(Value::Array(types)) => {
            let mut kinds = types.iter().filter_map(Value::as_str).filter(|t| *t != "null");
            match (kinds.next(), kinds.next()) {
                (Some(t), None) => primitive(t),
                _ => None,
            }
        }
        _ => None,
    };
    let kind = kind.ok_or_else(|| format!("`x-mcp-header` on `{at}`, which is not a string, integer or boolean"))?;
    Ok(HeaderParam { name: name.clone(), path: path.to_vec(), kind })
}

fn primitive(t: &str) -> Option<ParamKind> {
    match t {
        "string" => Some(ParamKind::String),
        "integer" => Some(ParamKind::Integer),
        "boolean" => Some(ParamKind::Boolean),
        _ => None,
    }
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> JsonObject {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn values_are_encoded_only_when_unsafe() {
        assert_eq!(encode_header_value("us-west1"), "us-west1");
        assert_eq!(encode_header_value("a b"), "a b");
        assert_eq!(encode_header_value(""), "");
        assert_eq!(encode_header_value("Hello, 世界"), "=?base64?SGVsbG8sIOS4lueVjA==?=");
        assert_eq!(encode_header_value(" padded "), "=?base64?IHBhZGRlZCA=?=");
        assert_eq!(encode_header_value("line1\nline2"), "=?base64?bGluZTEKbGluZTI=?=");
        assert_eq!(encode_header_value("=?base64?literal?="), "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=");
        for v in ["x", "Hello, 世界", "\tindented", "=?base64?literal?="] {
            assert_eq!(decode_header_value(&encode_header_value(v)).unwrap(), v);
        }
        assert!(decode_header_value("=?base64?SGVsbG8?=").is_err(), "missing padding");
        assert!(decode_header_value("=?base64?SGV*bG8=?=").is_err(), "bad alphabet");
    }

    #[test]
    fn annotations_on_properties_chains_only() {
        let schema = obj(json!({"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "opts": {"type": "object", "properties": {"n": {"type": "integer", "x-mcp-header": "N"}}},
            "query": {"type": "string"}
        }}));
        let params = header_params(&schema).unwrap();
        assert_eq!(params.len(), 2);
        let n = params.iter().find(|p| p.name == "N").unwrap();
        let region = params.iter().find(|p| p.name == "Region").unwrap();
        assert_eq!(n.path, ["opts", "n"]);
        assert_eq!(n.kind, ParamKind::Integer);
        let args = obj(json!({"opts": {"n": 42}, "region": null}));
        assert_eq!(n.value_in(&args), Some(&json!(42)));
        assert_eq!(region.value_in(&args), None);

        for bad in [
            json!({"properties": {"a": {"type": "number", "x-mcp-header": "A"}}}),
            json!({"properties": {"a": {"type": "string", "x-mcp-header": "has space"}}}),
            json!({"properties": {"a": {"type": "array", "items": {"type": "string", "x-mcp-header": "A"}}}}),
            json!({"allOf": [{"properties": {"a": {"type": "string", "x-mcp-header": "A"}}}]}),
            json!({"properties": {"a": {"type": "string", "x-mcp-header": "A"}, "b": {"type": "string", "x-mcp-header": "a"}}}),
        ] {
            assert!(header_params(&obj(bad.clone())).is_err(), "{bad}");
        }
    }

    #[cfg(feature = "http-server")]
    #[test]
    fn numbers_compare_numerically() {
        assert!(header_matches("42.0", &json!(42)));
        assert!(header_matches("42", &json!(42)));
        assert!(header_matches("-7", &json!(-7)));
        assert!(!header_matches("43", &json!(42)));
        // Integers beyond 2^53 compare exactly, not as floating point.
        assert!(!header_matches("9007199254740993", &json!(9_007_199_254_740_992_u64)));
        assert!(!header_matches("9007199254740992.0", &json!(9_007_199_254_740_993_u64)));
        assert!(header_matches("18446744073709551615", &json!(u64::MAX)));
        assert!(!header_matches("4.2e1", &json!(42)), "an integer is written in decimal");
        assert!(!header_matches("42.5", &json!(42)));
        assert!(!header_matches("", &json!(0)));
        assert!(header_matches("0.5", &json!(0.5)));
        assert!(header_matches("true", &json!(true)));
        assert!(!header_matches("True", &json!(true)));
    }
}
