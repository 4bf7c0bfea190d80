//! The choice fields of an elicitation form: single and multiple selection, with or without
//! labels, and their unions.

use serde::{Deserialize, Deserializer, Serialize, de};

use crate::model::PrimitiveSchemaDefinition;
use crate::model::tags::{ArrayTag, StringTag};

/// One choice of a titled enum: the value and its label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TitledEnumOption {
    /// The value sent back when chosen.
    #[serde(rename = "const")]
    pub value: String,
    /// The label shown.
    pub title: String,
}

impl TitledEnumOption {
    /// A choice with a value and a label.
    pub fn new(value: impl Into<String>, title: impl Into<String>) -> Self {
        Self { value: value.into(), title: title.into() }
    }
}

/// A single choice among plain values (`"type": "string"` with `enum`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UntitledSingleSelectEnumSchema {
    #[serde(rename = "type")]
    kind: StringTag,
    /// Field label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Field help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// Initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

impl UntitledSingleSelectEnumSchema {
    /// A choice among `values`.
    pub fn new(values: Vec<String>) -> Self {
        Self { values, ..Self::default() }
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
    pub fn with_default(mut self, default: impl Into<String>) -> Self {
        self.default = Some(default.into());
        self
    }
}

/// A single choice among labelled values (`"type": "string"` with `oneOf`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledSingleSelectEnumSchema {
    #[serde(rename = "type")]
    kind: StringTag,
    /// Field label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Field help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The choices.
    pub one_of: Vec<TitledEnumOption>,
    /// Initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

impl TitledSingleSelectEnumSchema {
    /// A choice among `options`.
    pub fn new(options: Vec<TitledEnumOption>) -> Self {
        Self { one_of: options, ..Self::default() }
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
    pub fn with_default(mut self, default: impl Into<String>) -> Self {
        self.default = Some(default.into());
        self
    }
}

/// The `items` of an untitled multi-select: plain string values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UntitledEnumItems {
    #[serde(rename = "type")]
    kind: StringTag,
    /// The allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
}

/// The `items` of a titled multi-select: labelled values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledEnumItems {
    /// The choices.
    pub any_of: Vec<TitledEnumOption>,
}

/// Several choices among plain values (`"type": "array"`, `items.enum`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UntitledMultiSelectEnumSchema {
    #[serde(rename = "type")]
    kind: ArrayTag,
    /// Field label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Field help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fewest choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// Most choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// The allowed values.
    pub items: UntitledEnumItems,
    /// Initially chosen values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Vec<String>>,
}

impl UntitledMultiSelectEnumSchema {
    /// Choices among `values`.
    pub fn new(values: Vec<String>) -> Self {
        Self { items: UntitledEnumItems { kind: StringTag::String, values }, ..Self::default() }
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

    /// Set how many values may be chosen.
    pub fn with_items_range(mut self, min: Option<u64>, max: Option<u64>) -> Self {
        self.min_items = min;
        self.max_items = max;
        self
    }

    /// Set the initially chosen values.
    pub fn with_default(mut self, default: Vec<String>) -> Self {
        self.default = Some(default);
        self
    }
}

/// Several choices among labelled values (`"type": "array"`, `items.anyOf`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledMultiSelectEnumSchema {
    #[serde(rename = "type")]
    kind: ArrayTag,
    /// Field label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Field help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fewest choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// Most choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// The choices.
    pub items: TitledEnumItems,
    /// Initially chosen values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Vec<String>>,
}

impl TitledMultiSelectEnumSchema {
    /// Choices among `options`.
    pub fn new(options: Vec<TitledEnumOption>) -> Self {
        Self { items: TitledEnumItems { any_of: options }, ..Self::default() }
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

    /// Set how many values may be chosen.
    pub fn with_items_range(mut self, min: Option<u64>, max: Option<u64>) -> Self {
        self.min_items = min;
        self.max_items = max;
        self
    }

    /// Set the initially chosen values.
    pub fn with_default(mut self, default: Vec<String>) -> Self {
        self.default = Some(default);
        self
    }
}

/// The older labelled single choice: `enum` values with parallel `enumNames` labels (deprecated).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LegacyTitledEnumSchema {
    #[serde(rename = "type")]
    kind: StringTag,
    /// Field label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Field help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// Labels for the values, in the same order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enum_names: Option<Vec<String>>,
    /// Initial value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

impl LegacyTitledEnumSchema {
    /// A choice among `values` labelled by `names`.
    pub fn new(values: Vec<String>, names: Vec<String>) -> Self {
        Self { values, enum_names: Some(names), ..Self::default() }
    }
}

/// Any enum field (`EnumSchema`): the five choice shapes of [`PrimitiveSchemaDefinition`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum EnumSchema {
    /// One plain value out of several.
    UntitledSingleSelect(UntitledSingleSelectEnumSchema),
    /// One labelled value out of several.
    TitledSingleSelect(TitledSingleSelectEnumSchema),
    /// Several plain values.
    UntitledMultiSelect(UntitledMultiSelectEnumSchema),
    /// Several labelled values.
    TitledMultiSelect(TitledMultiSelectEnumSchema),
    /// One value labelled by `enumNames` (deprecated form).
    LegacyTitled(LegacyTitledEnumSchema),
}

impl<'de> Deserialize<'de> for EnumSchema {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use PrimitiveSchemaDefinition as P;
        Ok(match P::deserialize(d)? {
            P::UntitledSingleSelectEnum(s) => Self::UntitledSingleSelect(s),
            P::TitledSingleSelectEnum(s) => Self::TitledSingleSelect(s),
            P::UntitledMultiSelectEnum(s) => Self::UntitledMultiSelect(s),
            P::TitledMultiSelectEnum(s) => Self::TitledMultiSelect(s),
            P::LegacyTitledEnum(s) => Self::LegacyTitled(s),
            _ => return Err(de::Error::custom("expected an enum field schema")),
        })
    }
}

impl From<EnumSchema> for PrimitiveSchemaDefinition {
    fn from(schema: EnumSchema) -> Self {
        match schema {
            EnumSchema::UntitledSingleSelect(s) => s.into(),
            EnumSchema::TitledSingleSelect(s) => s.into(),
            EnumSchema::UntitledMultiSelect(s) => s.into(),
            EnumSchema::TitledMultiSelect(s) => s.into(),
            EnumSchema::LegacyTitled(s) => s.into(),
        }
    }
}

/// A single-choice enum field (`SingleSelectEnumSchema`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SingleSelectEnumSchema {
    /// Plain values.
    Untitled(UntitledSingleSelectEnumSchema),
    /// Labelled values.
    Titled(TitledSingleSelectEnumSchema),
}

impl<'de> Deserialize<'de> for SingleSelectEnumSchema {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match EnumSchema::deserialize(d)? {
            EnumSchema::UntitledSingleSelect(s) => Ok(Self::Untitled(s)),
            EnumSchema::TitledSingleSelect(s) => Ok(Self::Titled(s)),
            _ => Err(de::Error::custom("expected a single-select enum schema")),
        }
    }
}

/// A multiple-choice enum field (`MultiSelectEnumSchema`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MultiSelectEnumSchema {
    /// Plain values.
    Untitled(UntitledMultiSelectEnumSchema),
    /// Labelled values.
    Titled(TitledMultiSelectEnumSchema),
}

impl<'de> Deserialize<'de> for MultiSelectEnumSchema {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match EnumSchema::deserialize(d)? {
            EnumSchema::UntitledMultiSelect(s) => Ok(Self::Untitled(s)),
            EnumSchema::TitledMultiSelect(s) => Ok(Self::Titled(s)),
            _ => Err(de::Error::custom("expected a multi-select enum schema")),
        }
    }
}
