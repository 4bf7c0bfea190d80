//! What a client and a server can do: `ClientCapabilities` and `ServerCapabilities`, with builders.
//!
//! Both revisions share one shape. The 2025-11-25 `tasks` capability and `roots.listChanged` are
//! absent from 2026-07-28, which instead adds `extensions` (for example the tasks extension,
//! [`crate::model::tasks_ext::EXTENSION_ID`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::JsonObject;

/// Settings of the client's `roots` capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RootsCapability {
    /// The client sends `notifications/roots/list_changed` (2025-11-25 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_changed: Option<bool>,
}

/// Settings of the client's `sampling` capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SamplingCapability {
    /// The client honours `includeContext` values other than `"none"` (deprecated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<JsonObject>,
    /// The client accepts `tools` and `toolChoice` in sampling requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<JsonObject>,
}

/// Settings of the client's `elicitation` capability.
///
/// An empty object means form mode only; see [`ElicitationCapability::supports_form`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitationCapability {
    /// The client supports form-mode elicitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<JsonObject>,
    /// The client supports URL-mode elicitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<JsonObject>,
}

impl ElicitationCapability {
    /// Whether form mode is supported: declared explicitly, or implied by an empty capability.
    pub fn supports_form(&self) -> bool {
        self.form.is_some() || self.url.is_none()
    }

    /// Whether URL mode is supported.
    pub fn supports_url(&self) -> bool {
        self.url.is_some()
    }
}

/// Which client requests may be run as tasks (2025-11-25 `tasks.requests.sampling`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskSamplingCapability {
    /// `sampling/createMessage` may be task-augmented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_message: Option<JsonObject>,
}

/// Which elicitation requests may be run as tasks (2025-11-25 `tasks.requests.elicitation`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskElicitationCapability {
    /// `elicitation/create` may be task-augmented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<JsonObject>,
}

/// The client requests that accept task augmentation (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClientTaskRequestsCapability {
    /// Sampling requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<TaskSamplingCapability>,
    /// Elicitation requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation: Option<TaskElicitationCapability>,
}

/// The client's `tasks` capability (2025-11-25; replaced by an extension in 2026-07-28).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClientTasksCapability {
    /// The client answers `tasks/list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<JsonObject>,
    /// The client answers `tasks/cancel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<JsonObject>,
    /// The requests the client can run as tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<ClientTaskRequestsCapability>,
}

/// Which tool requests may be run as tasks (2025-11-25 `tasks.requests.tools`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskToolsCapability {
    /// `tools/call` may be task-augmented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<JsonObject>,
}

/// The server requests that accept task augmentation (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServerTaskRequestsCapability {
    /// Tool requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<TaskToolsCapability>,
}

/// The server's `tasks` capability (2025-11-25; replaced by an extension in 2026-07-28).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServerTasksCapability {
    /// The server answers `tasks/list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<JsonObject>,
    /// The server answers `tasks/cancel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<JsonObject>,
    /// The requests the server can run as tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<ServerTaskRequestsCapability>,
}

impl ServerTasksCapability {
    /// `tasks/list`, `tasks/cancel` and task-augmented `tools/call`: the usual full set.
    pub fn full() -> Self {
        Self {
            list: Some(JsonObject::new()),
            cancel: Some(JsonObject::new()),
            requests: Some(ServerTaskRequestsCapability {
                tools: Some(TaskToolsCapability { call: Some(JsonObject::new()) }),
            }),
        }
    }
}

/// What a client supports.
///
/// Sent in `initialize` (2025-11-25) or in every request's `_meta` under
/// `io.modelcontextprotocol/clientCapabilities` (2026-07-28).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClientCapabilities {
    /// Non-standard capabilities, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experimental: Option<BTreeMap<String, JsonObject>>,
    /// Protocol extensions the client supports, by extension identifier (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<BTreeMap<String, JsonObject>>,
    /// The client can list its roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roots: Option<RootsCapability>,
    /// The client can sample from a language model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<SamplingCapability>,
    /// The client can ask its user for input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation: Option<ElicitationCapability>,
    /// The client supports tasks (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<ClientTasksCapability>,
}

impl ClientCapabilities {
    /// A builder starting from no capabilities.
    pub fn builder() -> ClientCapabilitiesBuilder {
        ClientCapabilitiesBuilder::default()
    }

    /// Whether the client declares the extension `id`.
    pub fn has_extension(&self, id: &str) -> bool {
        self.extensions.as_ref().is_some_and(|e| e.contains_key(id))
    }

    /// Whether the client accepts form-mode elicitation.
    pub fn supports_form_elicitation(&self) -> bool {
        self.elicitation.as_ref().is_some_and(ElicitationCapability::supports_form)
    }

    /// Whether the client accepts URL-mode elicitation.
    pub fn supports_url_elicitation(&self) -> bool {
        self.elicitation.as_ref().is_some_and(ElicitationCapability::supports_url)
    }

    /// Whether the client accepts tools in sampling requests.
    pub fn supports_sampling_tools(&self) -> bool {
        self.sampling.as_ref().is_some_and(|s| s.tools.is_some())
    }
}

/// Builds [`ClientCapabilities`] one capability at a time.
#[derive(Debug, Clone, Default)]
pub struct ClientCapabilitiesBuilder {
    caps: ClientCapabilities,
}

impl ClientCapabilitiesBuilder {
    /// Declare `roots`.
    pub fn enable_roots(mut self) -> Self {
        self.caps.roots.get_or_insert_with(Default::default);
        self
    }

    /// Declare `roots` with `listChanged` (2025-11-25).
    pub fn enable_roots_list_changed(mut self) -> Self {
        self.caps.roots.get_or_insert_with(Default::default).list_changed = Some(true);
        self
    }

    /// Declare `sampling`.
    pub fn enable_sampling(mut self) -> Self {
        self.caps.sampling.get_or_insert_with(Default::default);
        self
    }

    /// Declare `sampling.tools`: tool use inside sampling.
    pub fn enable_sampling_tools(mut self) -> Self {
        self.caps.sampling.get_or_insert_with(Default::default).tools = Some(JsonObject::new());
        self
    }

    /// Declare `sampling.context` (deprecated `includeContext` support).
    pub fn enable_sampling_context(mut self) -> Self {
        self.caps.sampling.get_or_insert_with(Default::default).context = Some(JsonObject::new());
        self
    }

    /// Declare `elicitation` as an empty object (form mode only).
    pub fn enable_elicitation(mut self) -> Self {
        self.caps.elicitation.get_or_insert_with(Default::default);
        self
    }

    /// Declare `elicitation.form`.
    pub fn enable_elicitation_form(mut self) -> Self {
        self.caps.elicitation.get_or_insert_with(Default::default).form = Some(JsonObject::new());
        self
    }

    /// Declare `elicitation.url`.
    pub fn enable_elicitation_url(mut self) -> Self {
        self.caps.elicitation.get_or_insert_with(Default::default).url = Some(JsonObject::new());
        self
    }

    /// Declare the 2025-11-25 `tasks` capability.
    pub fn enable_tasks(mut self, tasks: ClientTasksCapability) -> Self {
        self.caps.tasks = Some(tasks);
        self
    }

    /// Declare the extension `id` with its settings (usually an empty object).
    pub fn enable_extension(mut self, id: impl Into<String>, settings: JsonObject) -> Self {
        self.caps.extensions.get_or_insert_with(Default::default).insert(id.into(), settings);
        self
    }

    /// Declare the tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28).
    pub fn enable_tasks_extension(self) -> Self {
        self.enable_extension(crate::model::tasks_ext::EXTENSION_ID, JsonObject::new())
    }

    /// Declare an experimental capability.
    pub fn enable_experimental(mut self, name: impl Into<String>, settings: JsonObject) -> Self {
        self.caps.experimental.get_or_insert_with(Default::default).insert(name.into(), settings);
        self
    }

    /// The capabilities.
    pub fn build(self) -> ClientCapabilities {
        self.caps
    }
}

/// Settings of the server's `tools` capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolsCapability {
    /// The server sends `notifications/tools/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_changed: Option<bool>,
}

impl ToolsCapability {
    /// Say whether the server sends list-changed notifications.
    pub fn with_list_changed(mut self, list_changed: bool) -> Self {
        self.list_changed = Some(list_changed);
        self
    }
}

/// Settings of the server's `prompts` capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PromptsCapability {
    /// The server sends `notifications/prompts/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_changed: Option<bool>,
}

impl PromptsCapability {
    /// Say whether the server sends list-changed notifications.
    pub fn with_list_changed(mut self, list_changed: bool) -> Self {
        self.list_changed = Some(list_changed);
        self
    }
}

/// Settings of the server's `resources` capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResourcesCapability {
    /// The server supports subscribing to updates of individual resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribe: Option<bool>,
    /// The server sends `notifications/resources/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_changed: Option<bool>,
}

impl ResourcesCapability {
    /// Say whether the server sends list-changed notifications.
    pub fn with_list_changed(mut self, list_changed: bool) -> Self {
        self.list_changed = Some(list_changed);
        self
    }
    /// Say whether clients may subscribe to resource updates.
    pub fn with_subscribe(mut self, subscribe: bool) -> Self {
        self.subscribe = Some(subscribe);
        self
    }
}

/// What a server offers.
///
/// Returned by `initialize` (2025-11-25) and `server/discover` (2026-07-28).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServerCapabilities {
    /// Non-standard capabilities, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experimental: Option<BTreeMap<String, JsonObject>>,
    /// Protocol extensions the server supports, by extension identifier (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<BTreeMap<String, JsonObject>>,
    /// The server can send log messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<JsonObject>,
    /// The server offers argument completions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completions: Option<JsonObject>,
    /// The server offers prompts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts: Option<PromptsCapability>,
    /// The server offers resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesCapability>,
    /// The server offers tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<ToolsCapability>,
    /// The server supports tasks (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<ServerTasksCapability>,
}

impl ServerCapabilities {
    /// A builder starting from no capabilities.
    pub fn builder() -> ServerCapabilitiesBuilder {
        ServerCapabilitiesBuilder::default()
    }

    /// Whether the server declares the extension `id`.
    pub fn has_extension(&self, id: &str) -> bool {
        self.extensions.as_ref().is_some_and(|e| e.contains_key(id))
    }
}

/// Builds [`ServerCapabilities`] one capability at a time.
#[derive(Debug, Clone, Default)]
pub struct ServerCapabilitiesBuilder {
    caps: ServerCapabilities,
}

impl ServerCapabilitiesBuilder {
    /// Declare `tools`.
    pub fn enable_tools(mut self) -> Self {
        self.caps.tools.get_or_insert_with(Default::default);
        self
    }

    /// Declare `tools.listChanged`.
    pub fn enable_tool_list_changed(mut self) -> Self {
        self.caps.tools.get_or_insert_with(Default::default).list_changed = Some(true);
        self
    }

    /// Declare `prompts`.
    pub fn enable_prompts(mut self) -> Self {
        self.caps.prompts.get_or_insert_with(Default::default);
        self
    }

    /// Declare `prompts.listChanged`.
    pub fn enable_prompts_list_changed(mut self) -> Self {
        self.caps.prompts.get_or_insert_with(Default::default).list_changed = Some(true);
        self
    }

    /// Declare `resources`.
    pub fn enable_resources(mut self) -> Self {
        self.caps.resources.get_or_insert_with(Default::default);
        self
    }

    /// Declare `resources.listChanged`.
    pub fn enable_resources_list_changed(mut self) -> Self {
        self.caps.resources.get_or_insert_with(Default::default).list_changed = Some(true);
        self
    }

    /// Declare `resources.subscribe`.
    pub fn enable_resources_subscribe(mut self) -> Self {
        self.caps.resources.get_or_insert_with(Default::default).subscribe = Some(true);
        self
    }

    /// Declare `logging`.
    pub fn enable_logging(mut self) -> Self {
        self.caps.logging.get_or_insert_with(Default::default);
        self
    }

    /// Declare `completions`.
    pub fn enable_completions(mut self) -> Self {
        self.caps.completions.get_or_insert_with(Default::default);
        self
    }

    /// Declare the 2025-11-25 `tasks` capability (see [`ServerTasksCapability::full`]).
    pub fn enable_tasks(mut self, tasks: ServerTasksCapability) -> Self {
        self.caps.tasks = Some(tasks);
        self
    }

    /// Declare the extension `id` with its settings (usually an empty object).
    pub fn enable_extension(mut self, id: impl Into<String>, settings: JsonObject) -> Self {
        self.caps.extensions.get_or_insert_with(Default::default).insert(id.into(), settings);
        self
    }

    /// Declare the tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28).
    pub fn enable_tasks_extension(self) -> Self {
        self.enable_extension(crate::model::tasks_ext::EXTENSION_ID, JsonObject::new())
    }

    /// Declare an experimental capability.
    pub fn enable_experimental(mut self, name: impl Into<String>, settings: JsonObject) -> Self {
        self.caps.experimental.get_or_insert_with(Default::default).insert(name.into(), settings);
        self
    }

    /// The capabilities.
    pub fn build(self) -> ServerCapabilities {
        self.caps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_produce_the_expected_wire_shape() {
        let server = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_resources_subscribe()
            .enable_logging()
            .enable_tasks_extension()
            .build();
        assert_eq!(
            serde_json::to_value(&server).unwrap(),
            serde_json::json!({
                "tools": {"listChanged": true},
                "resources": {"subscribe": true},
                "logging": {},
                "extensions": {"io.modelcontextprotocol/tasks": {}}
            })
        );
        let client = ClientCapabilities::builder().enable_elicitation().build();
        assert!(client.supports_form_elicitation());
        assert!(!client.supports_url_elicitation());
    }
}
