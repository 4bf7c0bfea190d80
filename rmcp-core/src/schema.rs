//! JSON Schemas from Rust types (schemars, JSON Schema 2020-12), generated once per type, and
//! validation of tool arguments against them.
//!
//! A module of its own below the engine and the routers: the engine builds elicitation forms
//! from types, the routers tool and prompt schemas.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use schemars::JsonSchema;
use serde_json::Value;

use crate::model::{ElicitationSchema, JsonObject};

static SCHEMAS: LazyLock<RwLock<HashMap<TypeId, Arc<JsonObject>>>> = LazyLock::new(Default::default);

/// The JSON Schema of `T` as an object, generated on first use and cached for the process.
///
/// The `$schema` keyword is left out (2020-12 is MCP's default dialect), and so is a `title`
/// naming a macro-generated argument struct.
pub fn schema_for<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    let id = TypeId::of::<T>();
    if let Some(s) = SCHEMAS.read().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return s.clone();
    }
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<T>();
    let mut object = match serde_json::to_value(schema) {
        Ok(Value::Object(o)) => o,
        Ok(other) => {
            let mut o = JsonObject::new();
            o.insert("const".into(), other);
            o
        }
        Err(_) => JsonObject::new(),
    };
    object.remove("$schema");
    if object.get("title").and_then(Value::as_str).is_some_and(|t| t.starts_with("__")) {
        object.remove("title");
    }
    let object = Arc::new(object);
    SCHEMAS.write().unwrap_or_else(|e| e.into_inner()).entry(id).or_insert(object).clone()
}

/// The input schema of a tool taking `T`: `T`'s schema, which must describe an object.
///
/// # Panics
/// If `T`'s schema is not an object schema (tool arguments are always a JSON object); this
/// fires when the router is built, not per request.
pub fn tool_input_schema<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    let schema = schema_for::<T>();
    assert!(
        schema.get("type").and_then(Value::as_str) == Some("object"),
        "the input of a tool must be a struct (an object schema), but `{}` has schema {}",
        std::any::type_name::<T>(),
        Value::Object((*schema).clone()),
    );
    schema
}

/// The elicitation form of `T`: its JSON Schema with subschemas inlined, narrowed to the flat
/// object of primitive fields elicitation allows (`Option`'s `null` alternative and
/// integer `format`s dropped).
///
/// Fails naming the field when `T` has a field elicitation cannot ask for (a nested object, say).
pub fn elicitation_schema_for<T: JsonSchema>() -> Result<ElicitationSchema, String> {
    let mut settings = schemars::generate::SchemaSettings::draft2020_12();
    settings.inline_subschemas = true;
    let schema = settings.into_generator().into_root_schema_for::<T>();
    let Ok(Value::Object(mut root)) = serde_json::to_value(schema) else {
        return Err(format!("`{}` has no object schema", std::any::type_name::<T>()));
    };
    if let Some(Value::Object(properties)) = root.get_mut("properties") {
        for field in properties.values_mut() {
            narrow_field(field);
        }
    }
    root.retain(|k, _| matches!(k.as_str(), "type" | "properties" | "required"));
    serde_json::from_value(Value::Object(root))
        .map_err(|e| format!("`{}` cannot be an elicitation form: {e}", std::any::type_name::<T>()))
}

/// One field schema as elicitation knows it.
fn narrow_field(field: &mut Value) {
    let Some(object) = field.as_object_mut() else { return };
    // `Option<Enum>` comes out as `anyOf: [<enum>, {"type": "null"}]`.
    if let Some(Value::Array(alternatives)) = object.get("anyOf") {
        let not_null: Vec<&Value> = alternatives.iter().filter(|a| a.get("type") != Some(&"null".into())).collect();
        if let [only] = not_null[..] {
            let mut only = only.clone();
            if let (Some(inner), Some(description)) = (only.as_object_mut(), object.get("description")) {
                inner.entry("description").or_insert(description.clone());
            }
            *field = only;
            return narrow_field(field);
        }
    }
    // `Option<T>` comes out as `type: [T, "null"]` (and a `null` among its enum values).
    if let Some(Value::Array(types)) = object.get("type") {
        let not_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if let [only] = &not_null[..] {
            object.insert("type".into(), only.clone());
        }
    }
    if let Some(Value::Array(values)) = object.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    // Only these string formats exist in elicitation; numeric formats such as `int64` do not.
    let keep_format = object
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| matches!(f, "email" | "uri" | "date" | "date-time"));
    if !keep_format {
        object.remove("format");
    }
}

/// `{"type": "object", "properties": {}}`: the input schema of a tool without arguments.
pub fn empty_object_schema() -> Arc<JsonObject> {
    static EMPTY: LazyLock<Arc<JsonObject>> = LazyLock::new(|| {
        let mut o = JsonObject::new();
        o.insert("type".into(), "object".into());
        o.insert("properties".into(), Value::Object(JsonObject::new()));
        Arc::new(o)
    });
    EMPTY.clone()
}

/// A compiled JSON Schema.
#[cfg(feature = "schema-validation")]
#[cfg_attr(docsrs, doc(cfg(feature = "schema-validation")))]
pub struct SchemaValidator {
    validator: jsonschema::Validator,
}

#[cfg(feature = "schema-validation")]
impl std::fmt::Debug for SchemaValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaValidator").finish_non_exhaustive()
    }
}

#[cfg(feature = "schema-validation")]
impl SchemaValidator {
    /// Compile `schema` (JSON Schema 2020-12 unless it says otherwise). Remote `$ref`s are not
    /// fetched.
    ///
    /// ```
    /// use rmcp_core::schema::{SchemaValidator, tool_input_schema};
    ///
    /// #[derive(schemars::JsonSchema)]
    /// struct Args { count: u32 }
    ///
    /// let validator = SchemaValidator::new(&tool_input_schema::<Args>()).unwrap();
    /// assert!(validator.validate(&serde_json::json!({"count": 3})).is_ok());
    /// assert!(validator.validate(&serde_json::json!({"count": "three"})).is_err());
    /// ```
    pub fn new(schema: &JsonObject) -> Result<Self, String> {
        let schema = Value::Object(schema.clone());
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema)
            .map(|validator| Self { validator })
            .map_err(|e| e.to_string())
    }

    /// `Ok` if `instance` is valid, else the first few problems, each naming where it is.
    pub fn validate(&self, instance: &Value) -> Result<(), String> {
        // Reporting is capped: a huge wrong input must not produce a huge answer.
        const MAX_PROBLEMS: usize = 10;
        if self.validator.is_valid(instance) {
            return Ok(());
        }
        let problems: Vec<String> = self
            .validator
            .iter_errors(instance)
            .take(MAX_PROBLEMS)
            .map(|e| {
                let path = e.instance_path.to_string();
                if path.is_empty() { e.to_string() } else { format!("{path}: {e}") }
            })
            .collect();
        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }
}

/// Why a value did not pass a [`LazyValidator`].
#[derive(Debug)]
pub(crate) enum ValidationError {
    /// The schema itself does not compile.
    #[cfg_attr(not(feature = "schema-validation"), allow(dead_code))]
    BadSchema(String),
    /// The value breaks the schema: the first few problems, each naming where it is.
    #[cfg_attr(not(feature = "schema-validation"), allow(dead_code))]
    Invalid(String),
}

/// A schema's validator, compiled on first use and shared by the clones of a route.
///
/// Without the `schema-validation` feature every value passes: tool arguments are then checked
/// by serde alone, as they are deserialized into the tool's typed parameters.
#[derive(Clone, Default)]
pub(crate) struct LazyValidator {
    #[cfg(feature = "schema-validation")]
    compiled: std::sync::Arc<std::sync::OnceLock<Result<SchemaValidator, String>>>,
}

impl LazyValidator {
    /// Check `instance` against `schema` (the same schema on every call).
    #[cfg_attr(not(feature = "schema-validation"), allow(unused_variables))]
    pub(crate) fn validate(&self, schema: &JsonObject, instance: &Value) -> Result<(), ValidationError> {
        #[cfg(feature = "schema-validation")]
        {
            let validator = self.compiled.get_or_init(|| SchemaValidator::new(schema));
            let validator = validator.as_ref().map_err(|e| ValidationError::BadSchema(e.clone()))?;
            validator.validate(instance).map_err(ValidationError::Invalid)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct __Args {
        /// The left operand.
        a: i64,
        b: Option<String>,
    }

    #[test]
    fn schemas_are_objects_cached_and_untitled_for_hidden_structs() {
        let s = tool_input_schema::<__Args>();
        assert_eq!(s["type"], "object");
        assert_eq!(s["properties"]["a"]["description"], "The left operand.");
        assert!(!s.contains_key("title") && !s.contains_key("$schema"));
        assert!(Arc::ptr_eq(&s, &schema_for::<__Args>()));
    }

    #[cfg(feature = "schema-validation")]
    #[test]
    fn validation_names_the_field() {
        let v = SchemaValidator::new(&tool_input_schema::<__Args>()).unwrap();
        assert!(v.validate(&serde_json::json!({"a": 1})).is_ok());
        let e = v.validate(&serde_json::json!({"a": "x"})).unwrap_err();
        assert!(e.starts_with("/a:"), "{e}");
        let e = v.validate(&serde_json::json!({})).unwrap_err();
        assert!(e.contains("\"a\""), "{e}");
    }
}
