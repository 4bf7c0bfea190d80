//! The restricted JSON Schema of form-mode elicitation: a flat object of primitive fields.
//!
//! The choice (enum) fields live in `elicitation_enums.rs`.

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::model::number;
use crate::model::tags::{BooleanTag, ObjectTag, StringTag};
use crate::model::{
    LegacyTitledEnumSchema, TitledMultiSelectEnumSchema, TitledSingleSelectEnumSchema, UntitledMultiSelectEnumSchema,
    UntitledSingleSelectEnumSchema,
};

/// A string format a string field may require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StringFormat {
    /// An email address.
    Email,
    /// A URI.
    Uri,
    /// A calendar date.
    Date,
    /// A date and time.
    DateTime,
}

/// A free-text field (`"type": "string"`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StringSchema {
    #[serde(rename = "type")]
    kind: StringTag,
    /// Field label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Field help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Shortest accepted length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    /// Longest accepted length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// Required format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<StringFormat>,
    /// Initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

impl StringSchema {
    /// A string field without constraints.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the label.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Set the help text.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Set the length bounds.
    pub fn with_length(mut self, min: Option<u64>, max: Option<u64>) -> Self {
        self.min_length = min;
        self.max_length = max;
        self
    }

    /// Require a format.
    pub fn with_format(mut self, format: StringFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// Set the initial value.
    pub fn with_default(mut self, default: impl Into<String>) -> Self {
        self.default = Some(default.into());
        self
    }
}

/// Whether a numeric field takes any number or only integers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NumberType {
    /// Any number.
    #[default]
    Number,
    /// Integers only.
    Integer,
}

/// A numeric field (`"type": "number"` or `"integer"`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NumberSchema {
    /// Number or integer.
    #[serde(rename = "type")]
    pub r#type: NumberType,
    /// Field label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Field help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Smallest accepted value.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "number::serialize_option")]
    pub minimum: Option<f64>,
    /// Largest accepted value.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "number::serialize_option")]
    pub maximum: Option<f64>,
    /// Initial value.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "number::serialize_option")]
    pub default: Option<f64>,
}

impl NumberSchema {
    /// A field taking any number.
    pub fn number() -> Self {
        Self::default()
    }

    /// A field taking integers.
    pub fn integer() -> Self {
        Self { r#type: NumberType::Integer, ..Self::default() }
    }

    /// Set the label.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Set the help text.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Set the bounds.
    pub fn with_range(mut self, minimum: Option<f64>, maximum: Option<f64>) -> Self {
        self.minimum = minimum;
        self.maximum = maximum;
        self
    }

    /// Set the initial value.
    pub fn with_default(mut self, default: f64) -> Self {
        self.default = Some(default);
        self
    }
}

/// A yes/no field (`"type": "boolean"`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BooleanSchema {
    #[serde(rename = "type")]
    kind: BooleanTag,
    /// Field label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Field help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
}

impl BooleanSchema {
    /// A boolean field.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the label.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Set the help text.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Set the initial value.
    pub fn with_default(mut self, default: bool) -> Self {
        self.default = Some(default);
        self
    }
}

/// The definitions a field schema can be.
#[derive(Clone, Copy)]
enum Kind {
    String,
    Number,
    Boolean,
    UntitledSingle,
    TitledSingle,
    UntitledMulti,
    TitledMulti,
    Legacy,
}

/// Which definition a schema object is, judged by its `type` and distinguishing keys.
fn classify(value: &Value) -> Result<Kind, String> {
    let obj = value.as_object().ok_or("a field schema must be a JSON object")?;
    let has = |key: &str| obj.contains_key(key);
    Ok(match obj.get("type").and_then(Value::as_str) {
        Some("string") if has("oneOf") => Kind::TitledSingle,
        Some("string") if has("enum") && has("enumNames") => Kind::Legacy,
        Some("string") if has("enum") => Kind::UntitledSingle,
        Some("string") => Kind::String,
        Some("number" | "integer") => Kind::Number,
        Some("boolean") => Kind::Boolean,
        Some("array") if obj.get("items").is_some_and(|i| i.get("anyOf").is_some()) => Kind::TitledMulti,
        Some("array") => Kind::UntitledMulti,
        Some(other) => return Err(format!("unsupported field schema type `{other}`")),
        None => return Err("a field schema needs a string `type`".to_owned()),
    })
}

/// Any field of an elicitation form.
///
/// Written as the inner schema (untagged). Reading picks the variant from `type` and the
/// distinguishing keys (`oneOf`, `enum` + `enumNames`, `enum`, `items.anyOf`), so each shape lands
/// in its own variant even though unknown keys are ignored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PrimitiveSchemaDefinition {
    /// Free text.
    String(StringSchema),
    /// A number.
    Number(NumberSchema),
    /// Yes/no.
    Boolean(BooleanSchema),
    /// One plain value out of several.
    UntitledSingleSelectEnum(UntitledSingleSelectEnumSchema),
    /// One labelled value out of several.
    TitledSingleSelectEnum(TitledSingleSelectEnumSchema),
    /// Several plain values.
    UntitledMultiSelectEnum(UntitledMultiSelectEnumSchema),
    /// Several labelled values.
    TitledMultiSelectEnum(TitledMultiSelectEnumSchema),
    /// One value labelled by `enumNames` (deprecated form).
    LegacyTitledEnum(LegacyTitledEnumSchema),
}

impl<'de> Deserialize<'de> for PrimitiveSchemaDefinition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fn parse<T: de::DeserializeOwned, E: de::Error>(value: Value) -> Result<T, E> {
            T::deserialize(value).map_err(E::custom)
        }
        let value = Value::deserialize(d)?;
        Ok(match classify(&value).map_err(de::Error::custom)? {
            Kind::String => Self::String(parse(value)?),
            Kind::Number => Self::Number(parse(value)?),
            Kind::Boolean => Self::Boolean(parse(value)?),
            Kind::UntitledSingle => Self::UntitledSingleSelectEnum(parse(value)?),
            Kind::TitledSingle => Self::TitledSingleSelectEnum(parse(value)?),
            Kind::UntitledMulti => Self::UntitledMultiSelectEnum(parse(value)?),
            Kind::TitledMulti => Self::TitledMultiSelectEnum(parse(value)?),
            Kind::Legacy => Self::LegacyTitledEnum(parse(value)?),
        })
    }
}

// `ElicitationSchema::with_property` takes `impl Into<PrimitiveSchemaDefinition>`, so each field
// schema converts into the union.
impl From<StringSchema> for PrimitiveSchemaDefinition {
    fn from(schema: StringSchema) -> Self {
        Self::String(schema)
    }
}

impl From<NumberSchema> for PrimitiveSchemaDefinition {
    fn from(schema: NumberSchema) -> Self {
        Self::Number(schema)
    }
}

impl From<BooleanSchema> for PrimitiveSchemaDefinition {
    fn from(schema: BooleanSchema) -> Self {
        Self::Boolean(schema)
    }
}

impl From<UntitledSingleSelectEnumSchema> for PrimitiveSchemaDefinition {
    fn from(schema: UntitledSingleSelectEnumSchema) -> Self {
        Self::UntitledSingleSelectEnum(schema)
    }
}

impl From<TitledSingleSelectEnumSchema> for PrimitiveSchemaDefinition {
    fn from(schema: TitledSingleSelectEnumSchema) -> Self {
        Self::TitledSingleSelectEnum(schema)
    }
}

impl From<UntitledMultiSelectEnumSchema> for PrimitiveSchemaDefinition {
    fn from(schema: UntitledMultiSelectEnumSchema) -> Self {
        Self::UntitledMultiSelectEnum(schema)
    }
}

impl From<TitledMultiSelectEnumSchema> for PrimitiveSchemaDefinition {
    fn from(schema: TitledMultiSelectEnumSchema) -> Self {
        Self::TitledMultiSelectEnum(schema)
    }
}

impl From<LegacyTitledEnumSchema> for PrimitiveSchemaDefinition {
    fn from(schema: LegacyTitledEnumSchema) -> Self {
        Self::LegacyTitledEnum(schema)
    }
}

/// The `requestedSchema` of a form-mode elicitation: an object whose properties are primitive
/// fields.
///
/// Properties keep their wire order, which clients use as the order of the form's fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ElicitationSchema {
    /// The JSON Schema dialect, if stated.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(rename = "type")]
    kind: ObjectTag,
    /// The fields, in display order.
    #[serde(with = "ordered_properties")]
    pub properties: Vec<(String, PrimitiveSchemaDefinition)>,
    /// The names of the fields that must be filled in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<Vec<String>>,
}

impl ElicitationSchema {
    /// A form without fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append an optional field.
    pub fn with_property(mut self, name: impl Into<String>, schema: impl Into<PrimitiveSchemaDefinition>) -> Self {
        self.properties.push((name.into(), schema.into()));
        self
    }

    /// Append a field that must be filled in.
    pub fn with_required_property(
        mut self,
        name: impl Into<String>,
        schema: impl Into<PrimitiveSchemaDefinition>,
    ) -> Self {
        let name = name.into();
        self.required.get_or_insert_with(Vec::new).push(name.clone());
        self.with_property(name, schema)
    }

    /// The field called `name`.
    pub fn property(&self, name: &str) -> Option<&PrimitiveSchemaDefinition> {
        self.properties.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }
}

/// A JSON object read into, and written from, a vector of pairs in document order.
mod ordered_properties {
    use super::*;

    pub(super) fn serialize<S: Serializer>(
        pairs: &[(String, PrimitiveSchemaDefinition)],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(pairs.len()))?;
        for (name, schema) in pairs {
            map.serialize_entry(name, schema)?;
        }
        map.end()
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(String, PrimitiveSchemaDefinition)>, D::Error> {
        struct PairsVisitor;

        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = Vec<(String, PrimitiveSchemaDefinition)>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of field schemas")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry()? {
                    pairs.push(entry);
                }
                Ok(pairs)
            }
        }

        d.deserialize_map(PairsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::round_trip;

    fn check(text: &str, expected_variant: &str) {
        let schema: PrimitiveSchemaDefinition = round_trip(text);
        let debug = format!("{schema:?}");
        assert!(debug.starts_with(expected_variant), "{debug}");
    }

    #[test]
    fn each_example_lands_in_its_variant_and_round_trips() {
        check(include_str!("../../../spec/2026-07-28/examples/StringSchema/email-input-schema.json"), "String(");
        check(include_str!("../../../spec/2026-07-28/examples/NumberSchema/number-input-schema.json"), "Number(");
        check(include_str!("../../../spec/2026-07-28/examples/BooleanSchema/boolean-input-schema.json"), "Boolean(");
        check(
            include_str!("../../../spec/2026-07-28/examples/UntitledSingleSelectEnumSchema/color-select-schema.json"),
            "UntitledSingleSelectEnum(",
        );
        check(
            include_str!(
                "../../../spec/2026-07-28/examples/TitledSingleSelectEnumSchema/titled-color-select-schema.json"
            ),
            "TitledSingleSelectEnum(",
        );
        check(
            include_str!(
                "../../../spec/2026-07-28/examples/UntitledMultiSelectEnumSchema/color-multi-select-schema.json"
            ),
            "UntitledMultiSelectEnum(",
        );
        check(
            include_str!(
                "../../../spec/2026-07-28/examples/TitledMultiSelectEnumSchema/titled-color-multi-select-schema.json"
            ),
            "TitledMultiSelectEnum(",
        );
        check(r#"{"type":"string","enum":["a","b"],"enumNames":["A","B"]}"#, "LegacyTitledEnum(");
    }

    #[test]
    fn properties_keep_their_order() {
        let text = r#"{"type":"object","properties":{"z":{"type":"string"},"a":{"type":"boolean"}}}"#;
        let schema: ElicitationSchema = serde_json::from_str(text).unwrap();
        assert_eq!(schema.properties[0].0, "z");
        assert_eq!(serde_json::to_string(&schema).unwrap(), text);
    }
}
