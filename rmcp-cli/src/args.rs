//! `key=value` arguments read the way a tool's input schema says: numbers, integers and
//! booleans as such, objects and arrays as JSON, everything else as text. `key:=JSON` is always
//! JSON; `--json '{...}'` or `--json @file` gives them all at once.

use anyhow::{Context, anyhow, bail};
use serde_json::{Map, Value};

/// The arguments object from `--json` (if any) and the `key=value` pairs (which win).
pub fn build(
    json: Option<&str>,
    pairs: &[String],
    schema: Option<&Map<String, Value>>,
) -> anyhow::Result<Map<String, Value>> {
    let mut args = match json {
        Some(text) => read_json_object(text)?,
        None => Map::new(),
    };
    let properties = schema.and_then(|s| s.get("properties")).and_then(Value::as_object);
    for pair in pairs {
        let (key, value) =
            pair.split_once('=').ok_or_else(|| anyhow!("argument `{pair}` should be `key=value` (or `key:=JSON`)"))?;
        let parsed = match key.strip_suffix(':') {
            Some(key) => {
                let v = serde_json::from_str(value).with_context(|| format!("`{key}:=` needs JSON, got `{value}`"))?;
                args.insert(key.to_owned(), v);
                continue;
            }
            None => coerce(key, value, properties.and_then(|p| p.get(key)))?,
        };
        args.insert(key.to_owned(), parsed);
    }
    Ok(args)
}

/// `--json`: an object, inline or from `@file`.
fn read_json_object(text: &str) -> anyhow::Result<Map<String, Value>> {
    let (source, text) = match text.strip_prefix('@') {
        Some(path) => (path.to_owned(), std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?),
        None => ("--json".to_owned(), text.to_owned()),
    };
    match serde_json::from_str(&text).with_context(|| format!("{source} is not valid JSON"))? {
        Value::Object(map) => Ok(map),
        _ => bail!("{source} must be a JSON object of arguments, like {{\"a\": 1}}"),
    }
}

/// The types a property's schema allows (`type` may be a string or a list; `anyOf`/`oneOf`
/// branches count too).
fn allowed_types(schema: &Value) -> Vec<&str> {
    let mut types = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for key in ["anyOf", "oneOf"] {
        for branch in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            types.extend(allowed_types(branch));
        }
    }
    types
}

/// One value, read as its property's schema says.
pub fn coerce(key: &str, text: &str, schema: Option<&Value>) -> anyhow::Result<Value> {
    let Some(schema) = schema else {
        // No schema for this key: JSON if it reads as a number, boolean, null, array or object.
        return Ok(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())));
    };
    let types = allowed_types(schema);
    let has = |t: &str| types.contains(&t);
    if types.is_empty() {
        return Ok(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())));
    }
    if has("integer")
        && let Ok(n) = text.trim().parse::<i64>()
    {
        return Ok(n.into());
    }
    if has("number")
        && let Some(n) = text.trim().parse::<f64>().ok().and_then(serde_json::Number::from_f64)
    {
        // Whole numbers stay integers on the wire (`2`, not `2.0`).
        return Ok(match text.trim().parse::<i64>() {
            Ok(i) => i.into(),
            Err(_) => Value::Number(n),
        });
    }
    if has("boolean") {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" | "on" => return Ok(true.into()),
            "false" | "no" | "n" | "0" | "off" => return Ok(false.into()),
            _ => {}
        }
    }
    if (has("object") || has("array"))
        && let Ok(v @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str::<Value>(text)
    {
        return Ok(v);
    }
    if has("null") && text == "null" {
        return Ok(Value::Null);
    }
    if has("string") {
        return Ok(Value::String(text.to_owned()));
    }
    bail!("`{key}={text}`: the tool wants {} for `{key}`", types.join(" or "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Map<String, Value> {
        json!({"type": "object", "properties": {
            "a": {"type": "number"}, "n": {"type": "integer"}, "ok": {"type": "boolean"},
            "s": {"type": "string"}, "tags": {"type": "array"}, "o": {"type": ["object", "null"]},
            "maybe": {"anyOf": [{"type": "integer"}, {"type": "null"}]}
        }})
        .as_object()
        .unwrap()
        .clone()
    }

    fn pairs(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn values_follow_the_schema() {
        let args = build(
            None,
            &pairs(&["a=2", "n=7", "ok=yes", "s=42", "tags=[1,2]", "o={\"k\":1}", "maybe=3", "x=1.5", "y=hi"]),
            Some(&schema()),
        )
        .unwrap();
        assert_eq!(
            Value::Object(args),
            json!({"a": 2, "n": 7, "ok": true, "s": "42", "tags": [1, 2], "o": {"k": 1}, "maybe": 3,
                   "x": 1.5, "y": "hi"})
        );
        let args = build(None, &pairs(&["a=2.5", "s=a=b"]), Some(&schema())).unwrap();
        assert_eq!(Value::Object(args), json!({"a": 2.5, "s": "a=b"}));
    }

    #[test]
    fn wrong_values_say_what_the_tool_wants() {
        let err = build(None, &pairs(&["n=abc"]), Some(&schema())).unwrap_err().to_string();
        assert_eq!(err, "`n=abc`: the tool wants integer for `n`");
        let err = build(None, &pairs(&["noequals"]), Some(&schema())).unwrap_err().to_string();
        assert!(err.contains("should be `key=value`"), "{err}");
    }

    #[test]
    fn json_flag_and_raw_json_pairs() {
        let args =
            build(Some(r#"{"a": 1, "s": "x"}"#), &pairs(&["s:=\"y\"", "o:={\"z\":[1]}"]), Some(&schema())).unwrap();
        assert_eq!(Value::Object(args), json!({"a": 1, "s": "y", "o": {"z": [1]}}));
        assert!(build(Some("[1]"), &[], None).unwrap_err().to_string().contains("must be a JSON object"));
        let path = std::env::temp_dir().join(format!("rmcp-cli-args-{}.json", std::process::id()));
        std::fs::write(&path, r#"{"b": true}"#).unwrap();
        let args = build(Some(&format!("@{}", path.display())), &[], None).unwrap();
        assert_eq!(Value::Object(args), json!({"b": true}));
        std::fs::remove_file(path).unwrap();
    }
}
