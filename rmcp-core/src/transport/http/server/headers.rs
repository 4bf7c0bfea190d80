//! Reading request headers, and the 2026-07-28 header checks: `Mcp-Method` and `Mcp-Name` must
//! repeat the body, and `Mcp-Param-<Name>` headers must carry the tool arguments annotated with
//! `x-mcp-header`.
//!
//! Intermediaries route on these headers without reading the body; a request whose headers say
//! one thing and whose body another is refused (400, -32020), so they can never disagree with
//! what the server executes.

use std::borrow::Cow;

use http::HeaderMap;
use http::request::Parts;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::{ErrorData, JsonObject, methods};
use crate::transport::http::wire::{self, HeaderParam};

/// A header as text, trimmed, if present and readable.
pub(crate) fn header_str<'a>(parts: &'a Parts, name: &http::HeaderName) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// The parts of a request's params the header checks compare.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ParamsProbe<'a> {
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    uri: Option<Cow<'a, str>>,
    #[serde(rename = "taskId", borrow, default)]
    task_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(crate) arguments: Option<&'a RawValue>,
}

impl<'a> ParamsProbe<'a> {
    /// Read the probe; params that do not parse leave it empty (the engine reports them).
    pub(crate) fn read(params: Option<&'a RawValue>) -> Self {
        params.and_then(|p| serde_json::from_str(p.get()).ok()).unwrap_or_default()
    }

    /// The tool name of a `tools/call`.
    pub(crate) fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

/// Check `Mcp-Method` and `Mcp-Name` against the body.
pub(crate) fn check_standard(headers: &HeaderMap, method: &str, probe: &ParamsProbe<'_>) -> Result<(), ErrorData> {
    let header_method = text(headers, &wire::MCP_METHOD)?
        .ok_or_else(|| ErrorData::header_mismatch("Header mismatch: the Mcp-Method header is missing"))?;
    if header_method.trim() != method {
        return Err(ErrorData::header_mismatch(format!(
            "Header mismatch: Mcp-Method header value '{}' does not match body value '{method}'",
            header_method.trim()
        )));
    }
    let (body_name, required) = match method {
        methods::TOOLS_CALL | methods::PROMPTS_GET => (probe.name.as_deref(), true),
        methods::RESOURCES_READ => (probe.uri.as_deref(), true),
        m if m.starts_with("tasks/") => (probe.task_id.as_deref(), false),
        _ => return Ok(()),
    };
    // Without a body value the params are invalid anyway; the engine says so precisely.
    let Some(body_name) = body_name else { return Ok(()) };
    let Some(raw) = text(headers, &wire::MCP_NAME)? else {
        if required {
            return Err(ErrorData::header_mismatch(format!(
                "Header mismatch: the Mcp-Name header is missing (expected '{body_name}')"
            )));
        }
        return Ok(());
    };
    let header_name = wire::decode_header_value(raw.trim())
        .map_err(|e| ErrorData::header_mismatch(format!("Header mismatch: Mcp-Name: {e}")))?;
    if header_name != body_name {
        return Err(ErrorData::header_mismatch(format!(
            "Header mismatch: Mcp-Name header value '{header_name}' does not match body value '{body_name}'"
        )));
    }
    Ok(())
}

/// Check the `Mcp-Param-<Name>` headers of a `tools/call` against its arguments.
pub(crate) fn check_params(
    headers: &HeaderMap,
    params: &[HeaderParam],
    arguments: Option<&JsonObject>,
) -> Result<(), ErrorData> {
    for param in params {
        let Ok(name) = param.header_name() else { continue };
        let header = match headers.get(&name) {
            Some(v) => Some(v.to_str().map_err(|_| {
                ErrorData::header_mismatch(format!("Header mismatch: {name} holds characters a header value may not"))
            })?),
            None => None,
        };
        // Absent or null arguments neither need nor check a header.
        let Some(body) = arguments.and_then(|a| param.value_in(a)) else { continue };
        let Some(header) = header else {
            return Err(ErrorData::header_mismatch(format!(
                "Header mismatch: the {name} header is missing but the body sets `{}`",
                param.path.join(".")
            )));
        };
        let decoded = wire::decode_header_value(header)
            .map_err(|e| ErrorData::header_mismatch(format!("Header mismatch: {name}: {e}")))?;
        if !wire::header_matches(&decoded, body) {
            return Err(ErrorData::header_mismatch(format!(
                "Header mismatch: {name} header value '{decoded}' does not match body value {body}"
            )));
        }
    }
    Ok(())
}

/// A header as text; a value with bytes outside visible ASCII is refused.
fn text<'h>(headers: &'h HeaderMap, name: &http::HeaderName) -> Result<Option<&'h str>, ErrorData> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v.to_str().map(Some).map_err(|_| {
            ErrorData::header_mismatch(format!("Header mismatch: {name} holds characters a header value may not"))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ErrorCode;
    use serde_json::json;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    fn raw(v: serde_json::Value) -> Box<RawValue> {
        serde_json::value::to_raw_value(&v).unwrap()
    }

    #[test]
    fn method_and_name_must_repeat_the_body() {
        let params = raw(json!({"name": "echo"}));
        let probe = ParamsProbe::read(Some(&params));
        let ok = headers(&[("mcp-method", "tools/call"), ("mcp-name", "echo")]);
        assert!(check_standard(&ok, "tools/call", &probe).is_ok());
        let b64 = headers(&[("mcp-method", "tools/call"), ("mcp-name", "=?base64?ZWNobw==?=")]);
        assert!(check_standard(&b64, "tools/call", &probe).is_ok());
        for bad in [
            headers(&[("mcp-name", "echo")]),
            headers(&[("mcp-method", "TOOLS/CALL"), ("mcp-name", "echo")]),
            headers(&[("mcp-method", "tools/call")]),
            headers(&[("mcp-method", "tools/call"), ("mcp-name", "other")]),
        ] {
            let e = check_standard(&bad, "tools/call", &probe).unwrap_err();
            assert_eq!(e.code, ErrorCode::HEADER_MISMATCH);
        }
    }

    #[test]
    fn annotated_arguments_need_their_headers() {
        let schema = json!({"properties": {"region": {"type": "string", "x-mcp-header": "Region"},
            "n": {"type": "integer", "x-mcp-header": "N"}}});
        let params = wire::header_params(schema.as_object().unwrap()).unwrap();
        let args = json!({"region": "Hello, 世界", "n": 42});
        let args = args.as_object().unwrap();
        let ok = headers(&[("mcp-param-region", "=?base64?SGVsbG8sIOS4lueVjA==?="), ("mcp-param-n", "42.0")]);
        assert!(check_params(&ok, &params, Some(args)).is_ok());
        let missing = headers(&[("mcp-param-n", "42")]);
        assert!(check_params(&missing, &params, Some(args)).is_err());
        let wrong = headers(&[("mcp-param-region", "=?base64?SGVsbG8sIOS4lueVjA==?="), ("mcp-param-n", "41")]);
        assert!(check_params(&wrong, &params, Some(args)).is_err());
        assert!(check_params(&HeaderMap::new(), &params, None).is_ok());
    }
}
