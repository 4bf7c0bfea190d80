//! Values made up from JSON Schemas: tool arguments from an `inputSchema`, form answers from an
//! elicitation's `requestedSchema`. A schema's `default` wins, then `const`, `enum` and
//! `examples`; otherwise a plain value of the schema's type that respects its simple bounds.
//!
//! Only same-document references (`#/...`) are followed: a network `$ref` is never fetched.

use serde_json::{Map, Value, json};

/// How deep nested schemas are followed before giving up (guards against `$ref` cycles).
const MAX_DEPTH: usize = 12;

/// Arguments for a tool with this `inputSchema`: every top-level property, and the required ones
/// of nested objects.
pub fn arguments(input_schema: &Map<String, Value>) -> Map<String, Value> {
    let root = Value::Object(input_schema.clone());
    match object(&root, &root, true, 0) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A value for `schema`, resolving same-document references against `root`.
pub fn value(schema: &Value, root: &Value) -> Value {
    value_at(schema, root, 0)
}

fn value_at(schema: &Value, root: &Value, depth: usize) -> Value {
    let Some(s) = schema.as_object() else {
        // `true` (anything goes) or a malformed schema: a string is as good as anything.
        return json!("conformance");
    };
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(v) = s.get("default") {
        return v.clone();
    }
    if let Some(v) = s.get("const") {
        return v.clone();
    }
    if let Some(first) = s.get("enum").and_then(Value::as_array).and_then(|e| e.first()) {
        return first.clone();
    }
    if let Some(first) = s.get("examples").and_then(Value::as_array).and_then(|e| e.first()) {
        return first.clone();
    }
    if let Some(target) = s.get("$ref").and_then(Value::as_str) {
        return match resolve(target, root) {
            Some(resolved) => value_at(resolved, root, depth + 1),
            None => {
                tracing::debug!(target, "not following a $ref outside this document");
                json!("conformance")
            }
        };
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = s.get(key).and_then(Value::as_array) {
            // Prefer a branch that is not just `null`.
            let branch = branches.iter().find(|b| type_of(b) != Some("null")).or(branches.first());
            if let Some(branch) = branch {
                return value_at(branch, root, depth + 1);
            }
        }
    }
    if let Some(parts) = s.get("allOf").and_then(Value::as_array) {
        return all_of(s, parts, root, depth);
    }
    match type_of(schema) {
        Some("string") => string(s),
        Some("integer") => integer(s),
        Some("number") => number(s),
        Some("boolean") => Value::Bool(true),
        Some("null") => Value::Null,
        Some("array") => array(s, root, depth),
        Some("object") => object(schema, root, false, depth),
        _ if s.contains_key("properties") => object(schema, root, false, depth),
        _ if s.contains_key("items") => array(s, root, depth),
        _ => json!("conformance"),
    }
}

/// The schema's type; with a list of types, the first that is not `null`.
fn type_of(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(types) => {
            let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
            names.iter().copied().find(|t| *t != "null").or(names.first().copied())
        }
        _ => None,
    }
}

/// A same-document reference (`#`, `#/json/pointer`, or `#anchor`).
fn resolve<'a>(target: &str, root: &'a Value) -> Option<&'a Value> {
    let fragment = target.strip_prefix('#')?;
    if fragment.is_empty() {
        return Some(root);
    }
    if fragment.starts_with('/') {
        return root.pointer(fragment);
    }
    find_anchor(root, fragment)
}

fn find_anchor<'a>(schema: &'a Value, anchor: &str) -> Option<&'a Value> {
    match schema {
        Value::Object(map) => {
            if map.get("$anchor").and_then(Value::as_str) == Some(anchor) {
                return Some(schema);
            }
            map.values().find_map(|v| find_anchor(v, anchor))
        }
        Value::Array(items) => items.iter().find_map(|v| find_anchor(v, anchor)),
        _ => None,
    }
}

/// `allOf`: one schema made of the parent and its parts (properties and `required` united,
/// other keywords from the first schema that has them), then a value for that.
fn all_of(s: &Map<String, Value>, parts: &[Value], root: &Value, depth: usize) -> Value {
    let mut merged = s.clone();
    merged.remove("allOf");
    for part in parts {
        let part = match part.get("$ref").and_then(Value::as_str).and_then(|t| resolve(t, root)) {
            Some(resolved) => resolved,
            None => part,
        };
        let Some(part) = part.as_object() else { continue };
        for (key, v) in part {
            match (key.as_str(), merged.get_mut(key), v) {
                ("properties", Some(Value::Object(mine)), Value::Object(theirs)) => {
                    for (name, schema) in theirs {
                        mine.entry(name.clone()).or_insert_with(|| schema.clone());
                    }
                }
                ("required", Some(Value::Array(mine)), Value::Array(theirs)) => mine.extend(theirs.iter().cloned()),
                (_, None, _) => {
                    merged.insert(key.clone(), v.clone());
                }
                _ => {}
            }
        }
    }
    value_at(&Value::Object(merged), root, depth + 1)
}

fn string(s: &Map<String, Value>) -> Value {
    let mut text = match s.get("format").and_then(Value::as_str) {
        Some("email") => "conformance@example.com".to_owned(),
        Some("uri" | "url" | "iri") => "https://example.com/conformance".to_owned(),
        Some("date") => "2025-01-01".to_owned(),
        Some("date-time") => "2025-01-01T00:00:00Z".to_owned(),
        Some("time") => "00:00:00Z".to_owned(),
        Some("uuid") => "00000000-0000-4000-8000-000000000000".to_owned(),
        _ => "conformance".to_owned(),
    };
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    while text.chars().count() < min {
        text.push('x');
    }
    if let Some(max) = s.get("maxLength").and_then(Value::as_u64) {
        text = text.chars().take(max as usize).collect();
    }
    Value::String(text)
}

/// A number inside the schema's bounds, preferring `preferred`.
fn bounded(s: &Map<String, Value>, preferred: f64, step: f64) -> f64 {
    let mut n = preferred;
    if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
        n = n.max(min);
    }
    if let Some(min) = s.get("exclusiveMinimum").and_then(Value::as_f64) {
        n = n.max(min + step);
    }
    if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
        n = n.min(max);
    }
    if let Some(max) = s.get("exclusiveMaximum").and_then(Value::as_f64) {
        n = n.min(max - step);
    }
    n
}

fn integer(s: &Map<String, Value>) -> Value {
    json!(bounded(s, 1.0, 1.0).ceil() as i64)
}

fn number(s: &Map<String, Value>) -> Value {
    let n = bounded(s, 1.0, 0.5);
    if n.fract() == 0.0 && n.abs() < 1e15 { json!(n as i64) } else { json!(n) }
}

fn array(s: &Map<String, Value>, root: &Value, depth: usize) -> Value {
    let count = s.get("minItems").and_then(Value::as_u64).unwrap_or(1).max(1);
    let count = match s.get("maxItems").and_then(Value::as_u64) {
        Some(max) => count.min(max),
        None => count,
    };
    let items = s.get("items").cloned().unwrap_or(Value::Bool(true));
    Value::Array((0..count).map(|_| value_at(&items, root, depth + 1)).collect())
}

/// An object: its required properties, or every property when `all`.
fn object(schema: &Value, root: &Value, all: bool, depth: usize) -> Value {
    let mut out = Map::new();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Value::Object(out);
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (name, property) in properties {
        if all || required.contains(&name.as_str()) {
            out.insert(name.clone(), value_at(property, root, depth + 1));
        }
    }
    Value::Object(out)
}
