//! The two eras' lifecycles: the 2025 handshake and the 2026 per-request admission.
//!
//! A server decides per message which era it belongs to, by one rule that the engine and the
//! Streamable HTTP endpoint share ([`is_stateless_request`]): the metadata of a 2026-07-28 request
//! in `_meta` (or `server/discover`) means the stateless protocol; anything else belongs to the
//! 2025 session, which starts with `initialize`.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::info::ClientInfo;
#[cfg(feature = "server")]
use super::{Peer, RoleServer};
use crate::model::{ErrorData, Meta, ProtocolVersion, meta_keys, methods};

/// The protocol versions a server of this SDK serves, newest first.
pub const SUPPORTED_VERSIONS: [&str; 5] = ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/// Methods that exist only on the 2025-era session and are gone from 2026-07-28.
const REMOVED_IN_2026: [&str; 6] = [
    methods::INITIALIZE,
    methods::PING,
    methods::LOGGING_SET_LEVEL,
    methods::RESOURCES_SUBSCRIBE,
    methods::RESOURCES_UNSUBSCRIBE,
    methods::NOTIFICATION_INITIALIZED,
];

/// The era rule: whether a message (request or notification) with `method` and `_meta` belongs
/// to the stateless 2026-07-28 protocol. It does when it is `server/discover`, or when its
/// `_meta` carries a key of a 2026-07-28 request's own metadata
/// ([`meta_keys::marks_stateless`]): the specification's "a request carrying modern per-request
/// `_meta` is served statelessly". Any other reserved key leaves a message in its 2025 session
/// (2025-11-25 messages carry `io.modelcontextprotocol/related-task`). A 2026 request missing a
/// required key but carrying another is still judged stateless, and refused for what it lacks.
pub fn is_stateless_request(method: &str, meta: Option<&Meta>) -> bool {
    era_rule(method, || meta.is_some_and(|m| m.keys().any(|k| meta_keys::marks_stateless(k))))
}

/// [`is_stateless_request`] for a message whose params are still raw JSON (the Streamable HTTP
/// endpoint's, before it knows where the message goes): reads only the keys of `_meta`, without
/// allocating.
pub fn is_stateless_raw_request(method: &str, params: Option<&RawValue>) -> bool {
    era_rule(method, || params.is_some_and(raw_meta_marks_stateless))
}

/// The rule both forms share.
fn era_rule(method: &str, meta_marks_stateless: impl FnOnce() -> bool) -> bool {
    method == methods::SERVER_DISCOVER || meta_marks_stateless()
}

/// Whether the `_meta` of raw JSON `params` holds a key that marks a stateless message.
fn raw_meta_marks_stateless(params: &RawValue) -> bool {
    if !super::dispatch::may_contain_meta(params.get()) {
        return false;
    }
    let mut params = serde_json::Deserializer::from_str(params.get());
    // Params that are not an object, or a `_meta` that is not one, mark nothing.
    params.deserialize_map(ParamsMeta).unwrap_or(false)
}

/// Visits params: whether their `_meta` holds a marking key (the other values are skipped).
struct ParamsMeta;

impl<'de> Visitor<'de> for ParamsMeta {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("request params")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut marked = false;
        let mut seen = false;
        while let Some(is_meta) = map.next_key_seed(KeyTest(|k| k == "_meta"))? {
            if is_meta {
                // Parsed params refuse a repeated `_meta` (so the engine sees none): so does this
                // reading, or the endpoint would route by a `_meta` the engine never reads.
                if std::mem::replace(&mut seen, true) {
                    return Err(serde::de::Error::duplicate_field("_meta"));
                }
                marked |= map.next_value_seed(MetaKeys)?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(marked)
    }
}

/// Visits `_meta`: whether one of its keys marks a stateless message (the values are skipped).
struct MetaKeys;

impl<'de> DeserializeSeed<'de> for MetaKeys {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MetaKeys {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a `_meta` object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut marked = false;
        while let Some(marks) = map.next_key_seed(KeyTest(meta_keys::marks_stateless))? {
            marked |= marks;
            map.next_value::<IgnoredAny>()?;
        }
        Ok(marked)
    }
}

/// Reads a key and tells whether it passes a test, without keeping it (a key with escapes is
/// tested unescaped, as a parsed `_meta` would hold it).
struct KeyTest(fn(&str) -> bool);

impl<'de> DeserializeSeed<'de> for KeyTest {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyTest {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, key: &str) -> Result<bool, E> {
        Ok((self.0)(key))
    }
}

/// Validate a stateless request's `_meta` and return its version.
///
/// The checks run in the order the 2026-07-28 transport rules give: required keys (-32602),
/// supported version (-32022), then methods removed from the stateless protocol (-32601).
pub fn validate_stateless_request(method: &str, meta: Option<&Meta>) -> Result<ProtocolVersion, ErrorData> {
    let Some(meta) = meta else {
        return Err(ErrorData::invalid_params(format!(
            "missing `_meta`: a {} request must carry `{}` and `{}`",
            ProtocolVersion::V2026_07_28,
            meta_keys::PROTOCOL_VERSION,
            meta_keys::CLIENT_CAPABILITIES
        )));
    };
    let version = match meta.get(meta_keys::PROTOCOL_VERSION) {
        Some(Value::String(v)) => ProtocolVersion::parse(v),
        Some(_) => {
            return Err(ErrorData::invalid_params(format!("`_meta.{}` must be a string", meta_keys::PROTOCOL_VERSION)));
        }
        None => return Err(ErrorData::invalid_params(format!("missing `_meta.{}`", meta_keys::PROTOCOL_VERSION))),
    };
    match meta.get(meta_keys::CLIENT_CAPABILITIES) {
        Some(Value::Object(_)) => {}
        Some(_) => {
            return Err(ErrorData::invalid_params(format!(
                "`_meta.{}` must be an object",
                meta_keys::CLIENT_CAPABILITIES
            )));
        }
        None => return Err(ErrorData::invalid_params(format!("missing `_meta.{}`", meta_keys::CLIENT_CAPABILITIES))),
    }
    if !version.is_stateless() {
        return Err(ErrorData::unsupported_protocol_version(version.as_str(), &["2026-07-28"]));
    }
    if REMOVED_IN_2026.contains(&method) {
        return Err(ErrorData::method_not_found(method));
    }
    Ok(version)
}

#[cfg(feature = "server")]
pub(crate) fn admit_server_request(
    peer: &Peer<RoleServer>,
    method: &str,
    meta: Option<&Meta>,
    method_known: bool,
) -> Result<ProtocolVersion, ErrorData> {
    if is_stateless_request(method, meta) {
        let version = validate_stateless_request(method, meta)?;
        if !method_known {
            return Err(ErrorData::method_not_found(method));
        }
        return Ok(version);
    }
    if !method_known {
        return Err(ErrorData::method_not_found(method));
    }
    if method == methods::INITIALIZE {
        if peer.protocol_version().is_some() {
            return Err(ErrorData::invalid_request("the session is already initialized"));
        }
        return Ok(ProtocolVersion::LATEST_STATEFUL);
    }
    if method == methods::PING {
        return Ok(peer.protocol_version().unwrap_or(ProtocolVersion::LATEST_STATEFUL));
    }
    match peer.protocol_version() {
        Some(v) => Ok(v),
        None => Err(ErrorData::invalid_request(format!(
            "`{method}` before `initialize`: start the session with `initialize`, or send a stateless \
             {} request with `_meta.{}`",
            ProtocolVersion::V2026_07_28,
            meta_keys::PROTOCOL_VERSION
        ))),
    }
}

/// The `_meta` a 2026-07-28 client puts on every request.
pub fn stateless_request_meta(info: &ClientInfo) -> Meta {
    let mut meta = Meta::new();
    meta.insert(meta_keys::PROTOCOL_VERSION.into(), Value::String(ProtocolVersion::V2026_07_28.to_string()));
    meta.insert(meta_keys::CLIENT_INFO.into(), serde_json::to_value(&info.client_info).unwrap_or_default());
    meta.insert(
        meta_keys::CLIENT_CAPABILITIES.into(),
        serde_json::to_value(&info.capabilities).unwrap_or_else(|_| Value::Object(Default::default())),
    );
    meta
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ErrorCode;

    fn meta(v: Value) -> Meta {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn one_era_rule_for_parsed_and_raw_params() {
        let cases = [
            ("tools/list", r#"{"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}"#, true),
            ("tools/list", r#"{"_meta": {"io.modelcontextprotocol/clientCapabilities": {}}}"#, true),
            ("tools/list", r#"{"_meta": {"io.modelcontextprotocol/logLevel": "info", "x": 1}}"#, true),
            ("tools/list", r#"{"_meta": {"io.modelcontextprotocol\/clientInfo": {}}}"#, true),
            ("server/discover", r#"{}"#, true),
            (
                "tools/call",
                r#"{"name": "a", "_meta": {"io.modelcontextprotocol/related-task": {"taskId": "t"}}}"#,
                false,
            ),
            ("notifications/cancelled", r#"{"requestId": 1, "_meta": {"io.modelcontextprotocol/ui": {}}}"#, false),
            ("tools/list", r#"{"_meta": {"progressToken": 1}, "io.modelcontextprotocol/protocolVersion": 1}"#, false),
            ("tools/list", r#"{"_meta": null}"#, false),
            ("tools/list", r#"[1, 2]"#, false),
        ];
        for (method, params, stateless) in cases {
            let raw = RawValue::from_string(params.to_owned()).unwrap();
            assert_eq!(is_stateless_raw_request(method, Some(&raw)), stateless, "raw: {method} {params}");
            let meta = super::super::dispatch::probe_meta(Some(&raw));
            assert_eq!(is_stateless_request(method, meta.as_ref()), stateless, "parsed: {method} {params}");
        }
    }

    #[test]
    fn stateless_validation_order() {
        let e = validate_stateless_request("tools/list", None).unwrap_err();
        assert_eq!(e.code, ErrorCode::INVALID_PARAMS);
        let m = meta(serde_json::json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28"}));
        assert_eq!(validate_stateless_request("tools/list", Some(&m)).unwrap_err().code, ErrorCode::INVALID_PARAMS);
        let m = meta(serde_json::json!({
            "io.modelcontextprotocol/protocolVersion": "v999.0.0",
            "io.modelcontextprotocol/clientCapabilities": {}
        }));
        let e = validate_stateless_request("tools/list", Some(&m)).unwrap_err();
        assert_eq!(e.code, ErrorCode::UNSUPPORTED_PROTOCOL_VERSION);
        assert_eq!(e.data.unwrap()["requested"], "v999.0.0");
        let m = meta(serde_json::json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {}
        }));
        assert_eq!(validate_stateless_request("ping", Some(&m)).unwrap_err().code, ErrorCode::METHOD_NOT_FOUND);
        assert_eq!(validate_stateless_request("tools/list", Some(&m)).unwrap(), ProtocolVersion::V2026_07_28);
    }
}
