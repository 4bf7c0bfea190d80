//! Fields whose wire value is fixed: the `type` of the elicitation field schemas, the `mode` of
//! elicitation requests and the `resultType` of a tasks-extension `CreateTaskResult`.
//!
//! Each is a one-variant enum rather than a `String`, so that serde writes the constant without
//! the caller setting it, reading rejects any other value, and the struct holding it stays `Default`
//! where its other fields allow. The fields are private: users never see or choose these values.

use serde::{Deserialize, Serialize};

/// `"type": "string"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum StringTag {
    #[default]
    #[serde(rename = "string")]
    String,
}

/// `"type": "boolean"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum BooleanTag {
    #[default]
    #[serde(rename = "boolean")]
    Boolean,
}

/// `"type": "array"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum ArrayTag {
    #[default]
    #[serde(rename = "array")]
    Array,
}

/// `"type": "object"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum ObjectTag {
    #[default]
    #[serde(rename = "object")]
    Object,
}

/// `"mode": "form"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum FormModeTag {
    #[default]
    #[serde(rename = "form")]
    Form,
}

/// `"mode": "url"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum UrlModeTag {
    #[default]
    #[serde(rename = "url")]
    Url,
}

/// `"resultType": "task"`. A plain `Option<ResultType>` would also accept `complete` or nothing,
/// and a `CreateTaskResult` is recognised by exactly this value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum TaskResultTag {
    #[default]
    #[serde(rename = "task")]
    Task,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tags_write_their_constant_and_read_nothing_else() {
        assert_eq!(serde_json::to_value(StringTag::String).unwrap(), json!("string"));
        assert_eq!(serde_json::to_value(TaskResultTag::Task).unwrap(), json!("task"));
        assert_eq!(serde_json::from_value::<UrlModeTag>(json!("url")).unwrap(), UrlModeTag::Url);
        assert!(serde_json::from_value::<FormModeTag>(json!("url")).is_err());
        assert!(serde_json::from_value::<ObjectTag>(json!(null)).is_err());
    }
}
