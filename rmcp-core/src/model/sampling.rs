//! Sampling: a server asks the client's language model for a completion (`sampling/createMessage`).
//!
//! Deprecated in 2026-07-28, where the request travels inside an `InputRequiredResult`.

use serde::{Deserialize, Serialize};

use crate::model::number;
use crate::model::{JsonObject, Meta, ResultType, Role, SamplingMessageContentBlock, TaskMetadata, Tool};

/// The content of a sampling message or result: one block, or a list of blocks.
///
/// Both shapes are valid on the wire and each is written back as it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SamplingContent {
    /// A single content block.
    Single(SamplingMessageContentBlock),
    /// Several content blocks (for example parallel tool uses or tool results).
    Multiple(Vec<SamplingMessageContentBlock>),
}

impl SamplingContent {
    /// A single text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Single(SamplingMessageContentBlock::text(text))
    }

    /// The blocks, whichever shape they came in.
    pub fn blocks(&self) -> &[SamplingMessageContentBlock] {
        match self {
            Self::Single(block) => std::slice::from_ref(block),
            Self::Multiple(blocks) => blocks,
        }
    }

    /// The blocks as a vector.
    pub fn into_blocks(self) -> Vec<SamplingMessageContentBlock> {
        match self {
            Self::Single(block) => vec![block],
            Self::Multiple(blocks) => blocks,
        }
    }
}

impl From<SamplingMessageContentBlock> for SamplingContent {
    fn from(block: SamplingMessageContentBlock) -> Self {
        Self::Single(block)
    }
}

impl From<Vec<SamplingMessageContentBlock>> for SamplingContent {
    fn from(blocks: Vec<SamplingMessageContentBlock>) -> Self {
        Self::Multiple(blocks)
    }
}

/// One message of the conversation sent for sampling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SamplingMessage {
    /// Message metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Who said it.
    pub role: Role,
    /// What was said.
    pub content: SamplingContent,
}

impl SamplingMessage {
    /// A message from `role` with the given content.
    pub fn new(role: Role, content: impl Into<SamplingContent>) -> Self {
        Self { meta: None, role, content: content.into() }
    }

    /// A user message holding one text block.
    pub fn user_text(text: impl Into<String>) -> Self {
        Self::new(Role::User, SamplingMessageContentBlock::text(text))
    }

    /// An assistant message holding one text block.
    pub fn assistant_text(text: impl Into<String>) -> Self {
        Self::new(Role::Assistant, SamplingMessageContentBlock::text(text))
    }
}

/// A hint about which model to use; clients may map it to an equivalent model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModelHint {
    /// A full or partial model name, such as `claude-3-5-sonnet` or `sonnet`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl ModelHint {
    /// A hint naming a model.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: Some(name.into()) }
    }
}

/// The server's preferences for model selection; priorities range from 0 to 1.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModelPreferences {
    /// Model hints, most preferred first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hints: Option<Vec<ModelHint>>,
    /// How much to favour a cheap model.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "number::serialize_option")]
    pub cost_priority: Option<f64>,
    /// How much to favour a fast model.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "number::serialize_option")]
    pub speed_priority: Option<f64>,
    /// How much to favour a capable model.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "number::serialize_option")]
    pub intelligence_priority: Option<f64>,
}

impl ModelPreferences {
    /// No preferences.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a model hint.
    pub fn with_hint(mut self, name: impl Into<String>) -> Self {
        self.hints.get_or_insert_with(Vec::new).push(ModelHint::new(name));
        self
    }

    /// Set the cost priority.
    pub fn with_cost_priority(mut self, priority: f64) -> Self {
        self.cost_priority = Some(priority);
        self
    }

    /// Set the speed priority.
    pub fn with_speed_priority(mut self, priority: f64) -> Self {
        self.speed_priority = Some(priority);
        self
    }

    /// Set the intelligence priority.
    pub fn with_intelligence_priority(mut self, priority: f64) -> Self {
        self.intelligence_priority = Some(priority);
        self
    }
}

/// Which MCP servers' context the client should add to the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IncludeContext {
    /// No extra context.
    None,
    /// Context from the requesting server (deprecated).
    ThisServer,
    /// Context from all connected servers (deprecated).
    AllServers,
}

/// How the model may use the offered tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolChoiceMode {
    /// The model decides.
    Auto,
    /// The model must use at least one tool.
    Required,
    /// The model must not use tools.
    None,
}

/// Controls tool use in a sampling request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolChoice {
    /// The mode; absent means `auto`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ToolChoiceMode>,
}

impl ToolChoice {
    /// A choice with the given mode.
    pub fn new(mode: ToolChoiceMode) -> Self {
        Self { mode: Some(mode) }
    }

    /// The model decides whether to use tools.
    pub fn auto() -> Self {
        Self::new(ToolChoiceMode::Auto)
    }

    /// The model must use a tool.
    pub fn required() -> Self {
        Self::new(ToolChoiceMode::Required)
    }

    /// The model must not use tools.
    pub fn none() -> Self {
        Self::new(ToolChoiceMode::None)
    }
}

/// Params of `sampling/createMessage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateMessageRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The conversation so far.
    pub messages: Vec<SamplingMessage>,
    /// Model selection preferences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_preferences: Option<ModelPreferences>,
    /// A system prompt; the client may change or omit it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// Which servers' context to include (values other than `none` are deprecated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_context: Option<IncludeContext>,
    /// Sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "number::serialize_option")]
    pub temperature: Option<f64>,
    /// The most tokens to generate.
    pub max_tokens: u64,
    /// Sequences that stop generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_sequences: Option<Vec<String>>,
    /// Provider-specific metadata for the client to pass through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonObject>,
    /// Tools the model may use (needs the client's `sampling.tools` capability).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Tool>>,
    /// How the model may use the tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// Run the request as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
}

impl CreateMessageRequestParams {
    /// A request for at most `max_tokens` tokens continuing `messages`.
    pub fn new(messages: Vec<SamplingMessage>, max_tokens: u64) -> Self {
        Self {
            meta: None,
            messages,
            model_preferences: None,
            system_prompt: None,
            include_context: None,
            temperature: None,
            max_tokens,
            stop_sequences: None,
            metadata: None,
            tools: None,
            tool_choice: None,
            task: None,
        }
    }

    /// Set the model preferences.
    pub fn with_model_preferences(mut self, preferences: ModelPreferences) -> Self {
        self.model_preferences = Some(preferences);
        self
    }

    /// Set the system prompt.
    pub fn with_system_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.system_prompt = Some(prompt.into());
        self
    }

    /// Set which context to include.
    pub fn with_include_context(mut self, include: IncludeContext) -> Self {
        self.include_context = Some(include);
        self
    }

    /// Set the temperature.
    pub fn with_temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Set the stop sequences.
    pub fn with_stop_sequences(mut self, sequences: Vec<String>) -> Self {
        self.stop_sequences = Some(sequences);
        self
    }

    /// Set the pass-through metadata.
    pub fn with_metadata(mut self, metadata: JsonObject) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Offer tools to the model.
    pub fn with_tools(mut self, tools: Vec<Tool>) -> Self {
        self.tools = Some(tools);
        self
    }

    /// Set the tool choice.
    pub fn with_tool_choice(mut self, choice: ToolChoice) -> Self {
        self.tool_choice = Some(choice);
        self
    }

    /// Run the request as a task (2025-11-25).
    pub fn with_task(mut self, task: TaskMetadata) -> Self {
        self.task = Some(task);
        self
    }

    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// The stop reasons the spec names; [`CreateMessageResult::stop_reason`] may hold others.
pub mod stop_reason {
    /// The model finished its turn.
    pub const END_TURN: &str = "endTurn";
    /// A stop sequence was produced.
    pub const STOP_SEQUENCE: &str = "stopSequence";
    /// The token limit was reached.
    pub const MAX_TOKENS: &str = "maxTokens";
    /// The model wants to use tools.
    pub const TOOL_USE: &str = "toolUse";
}

/// Result of `sampling/createMessage`: the model's reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateMessageResult {
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// Who produced the reply (normally the assistant).
    pub role: Role,
    /// The reply.
    pub content: SamplingContent,
    /// The model that produced it.
    pub model: String,
    /// Why generation stopped; see [`stop_reason`] for the known values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
}

impl CreateMessageResult {
    /// A reply from `model`.
    pub fn new(role: Role, content: impl Into<SamplingContent>, model: impl Into<String>) -> Self {
        Self { meta: None, result_type: None, role, content: content.into(), model: model.into(), stop_reason: None }
    }

    /// Set the stop reason.
    pub fn with_stop_reason(mut self, reason: impl Into<String>) -> Self {
        self.stop_reason = Some(reason.into());
        self
    }

    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::round_trip;

    #[test]
    fn single_and_multiple_content_round_trip() {
        let single: SamplingMessage =
            round_trip(include_str!("../../../spec/2026-07-28/examples/SamplingMessage/single-content-block.json"));
        assert!(matches!(single.content, SamplingContent::Single(_)));
        let multiple: SamplingMessage =
            round_trip(include_str!("../../../spec/2026-07-28/examples/SamplingMessage/multiple-content-blocks.json"));
        assert_eq!(multiple.content.blocks().len(), 2);
    }

    #[test]
    fn whole_priorities_stay_integers() {
        let prefs: ModelPreferences = round_trip(r#"{"costPriority": 1, "speedPriority": 0.25}"#);
        assert_eq!(prefs.cost_priority, Some(1.0));
    }
}
