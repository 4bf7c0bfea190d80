//! Argument autocompletion: `completion/complete`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Meta, ResultType};

/// Identifies a prompt to complete arguments for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PromptReference {
    /// The prompt's name.
    pub name: String,
    /// A human-readable name for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl PromptReference {
    /// A reference to prompt `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), title: None }
    }
    /// Set the display title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

/// Identifies a resource template to complete variables for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResourceTemplateReference {
    /// The URI template (or a URI).
    pub uri: String,
}

impl ResourceTemplateReference {
    /// A reference to the template `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        Self { uri: uri.into() }
    }
}

/// What a completion request is about: a prompt or a resource template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Reference {
    /// A prompt's arguments.
    #[serde(rename = "ref/prompt")]
    Prompt(PromptReference),
    /// A resource template's variables.
    #[serde(rename = "ref/resource")]
    Resource(ResourceTemplateReference),
}

impl Reference {
    /// A reference to prompt `name`.
    pub fn prompt(name: impl Into<String>) -> Self {
        Self::Prompt(PromptReference::new(name))
    }
    /// A reference to resource template `uri`.
    pub fn resource(uri: impl Into<String>) -> Self {
        Self::Resource(ResourceTemplateReference::new(uri))
    }
}

impl From<PromptReference> for Reference {
    fn from(r: PromptReference) -> Self {
        Self::Prompt(r)
    }
}

impl From<ResourceTemplateReference> for Reference {
    fn from(r: ResourceTemplateReference) -> Self {
        Self::Resource(r)
    }
}

/// The argument being completed (`argument` in `completion/complete`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CompletionArgument {
    /// The argument's name.
    pub name: String,
    /// What has been typed so far.
    pub value: String,
}

impl CompletionArgument {
    /// The argument `name` with partial `value`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self { name: name.into(), value: value.into() }
    }
}

/// Extra context for a completion (`context` in `completion/complete`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CompletionContext {
    /// Values of arguments already filled in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<BTreeMap<String, String>>,
}

impl CompletionContext {
    /// Context holding the already-resolved `arguments`.
    pub fn new(arguments: BTreeMap<String, String>) -> Self {
        Self { arguments: Some(arguments) }
    }
}

/// The params of `completion/complete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CompleteRequestParams {
    /// The prompt or resource template the argument belongs to.
    #[serde(rename = "ref")]
    pub reference: Reference,
    /// The argument being completed.
    pub argument: CompletionArgument,
    /// Arguments already filled in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<CompletionContext>,
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl CompleteRequestParams {
    /// Complete `argument` of `reference`.
    pub fn new(reference: impl Into<Reference>, argument: CompletionArgument) -> Self {
        Self { reference: reference.into(), argument, context: None, meta: None }
    }
    /// Set the context.
    pub fn with_context(mut self, context: CompletionContext) -> Self {
        self.context = Some(context);
        self
    }
    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// The suggestions of a completion (`completion` in `CompleteResult`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Completion {
    /// The suggested values (at most [`Completion::MAX_VALUES`]).
    pub values: Vec<String>,
    /// How many values exist in all, which may exceed those returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Whether more values exist than those returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
}

impl Completion {
    /// The most values one result may hold.
    pub const MAX_VALUES: usize = 100;

    /// Suggestions `values`, sent as given.
    pub fn new(values: Vec<String>) -> Self {
        Self { values, total: None, has_more: None }
    }
    /// Suggestions from every candidate: keeps the first [`Completion::MAX_VALUES`] and sets
    /// `total` and `hasMore` accordingly.
    pub fn from_all(mut values: Vec<String>) -> Self {
        let total = values.len();
        values.truncate(Self::MAX_VALUES);
        Self { values, total: Some(total as u64), has_more: Some(total > Self::MAX_VALUES) }
    }
}

/// The result of `completion/complete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CompleteResult {
    /// The suggestions.
    pub completion: Completion,
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}

impl CompleteResult {
    /// A result holding `completion`.
    pub fn new(completion: Completion) -> Self {
        Self { completion, meta: None, result_type: None }
    }
    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reference_tags_and_ref_key() {
        let p =
            CompleteRequestParams::new(Reference::resource("file:///{path}"), CompletionArgument::new("path", "sr"));
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"ref": {"type": "ref/resource", "uri": "file:///{path}"},
                   "argument": {"name": "path", "value": "sr"}})
        );
    }

    #[test]
    fn from_all_caps_values() {
        let c = Completion::from_all((0..150).map(|i| i.to_string()).collect());
        assert_eq!(c.values.len(), Completion::MAX_VALUES);
        assert_eq!((c.total, c.has_more), (Some(150), Some(true)));
    }
}
