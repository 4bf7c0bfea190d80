//! Getting to know the peer: `Implementation`, the 2025-11-25 `initialize` handshake and the
//! 2026-07-28 `server/discover` request.
//!
//! `notifications/initialized`, `ping` and `server/discover` carry only `_meta`; their params are
//! [`EmptyParams`](crate::model::EmptyParams).

use serde::{Deserialize, Serialize};

use crate::model::{
    CacheScope, ClientCapabilities, Icon, Meta, ProtocolVersion, ResultType, ServerCapabilities, meta_keys,
};

/// The name and version of an MCP client or server implementation.
///
/// `Default` gives empty name and version: a stand-in for a peer that did not identify itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Implementation {
    /// Programmatic name.
    pub name: String,
    /// Human-readable name for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Version string.
    pub version: String,
    /// What the implementation does, for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Icons for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icons: Option<Vec<Icon>>,
    /// Home page of the implementation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_url: Option<String>,
}

impl Implementation {
    /// An implementation with a name and version.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            title: None,
            version: version.into(),
            description: None,
            icons: None,
            website_url: None,
        }
    }

    /// Set the display title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Set the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Set the icons.
    pub fn with_icons(mut self, icons: Vec<Icon>) -> Self {
        self.icons = Some(icons);
        self
    }

    /// Set the website URL.
    pub fn with_website_url(mut self, url: impl Into<String>) -> Self {
        self.website_url = Some(url.into());
        self
    }
}

/// Params of `initialize` (2025-11-25): the client's version, capabilities and identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InitializeRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The newest protocol version the client supports.
    pub protocol_version: ProtocolVersion,
    /// What the client supports.
    pub capabilities: ClientCapabilities,
    /// Who the client is.
    pub client_info: Implementation,
}

impl InitializeRequestParams {
    /// Params for the given version, capabilities and client identity.
    pub fn new(
        protocol_version: ProtocolVersion,
        capabilities: ClientCapabilities,
        client_info: Implementation,
    ) -> Self {
        Self { meta: None, protocol_version, capabilities, client_info }
    }

    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// Result of `initialize` (2025-11-25): the negotiated version and the server's offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InitializeResult {
    /// Result metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result (2026-07-28; absent in 2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The protocol version the server chose.
    pub protocol_version: ProtocolVersion,
    /// What the server offers.
    pub capabilities: ServerCapabilities,
    /// Who the server is.
    pub server_info: Implementation,
    /// Guidance on using the server, for example to put in a system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
}

impl InitializeResult {
    /// A result for the given version, capabilities and server identity.
    pub fn new(
        protocol_version: ProtocolVersion,
        capabilities: ServerCapabilities,
        server_info: Implementation,
    ) -> Self {
        Self { meta: None, result_type: None, protocol_version, capabilities, server_info, instructions: None }
    }

    /// Set the instructions.
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Set `_meta`.
    pub fn with_meta(mut self, meta: Meta) -> Self {
        self.meta = Some(meta);
        self
    }
}

/// Result of `server/discover` (2026-07-28): versions, capabilities and identity of the server.
///
/// The server's [`Implementation`] travels in `_meta` under `io.modelcontextprotocol/serverInfo`;
/// see [`DiscoverResult::server_info`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscoverResult {
    /// Result metadata, including the server's identity.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result; always `complete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The protocol versions the server speaks.
    pub supported_versions: Vec<ProtocolVersion>,
    /// What the server offers.
    pub capabilities: ServerCapabilities,
    /// Guidance on using the server, for example to put in a system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// How long (milliseconds) the client may cache this result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u64>,
    /// Who may cache this result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_scope: Option<CacheScope>,
}

impl DiscoverResult {
    /// A complete result for the given versions and capabilities.
    pub fn new(supported_versions: Vec<ProtocolVersion>, capabilities: ServerCapabilities) -> Self {
        Self {
            meta: None,
            result_type: Some(ResultType::Complete),
            supported_versions,
            capabilities,
            instructions: None,
            ttl_ms: None,
            cache_scope: None,
        }
    }

    /// The server's identity from `_meta`, or `None` if absent or malformed.
    pub fn server_info(&self) -> Option<Implementation> {
        let value = self.meta.as_ref()?.get(meta_keys::SERVER_INFO)?;
        Implementation::deserialize(value).ok()
    }

    /// Put the server's identity in `_meta`.
    pub fn with_server_info(mut self, info: &Implementation) -> Self {
        let value = serde_json::to_value(info).expect("Implementation serializes to JSON");
        self.meta.get_or_insert_with(Meta::new).insert(meta_keys::SERVER_INFO.to_owned(), value);
        self
    }

    /// Set the instructions.
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Set the caching hints.
    pub fn with_cache(mut self, ttl_ms: u64, cache_scope: CacheScope) -> Self {
        self.ttl_ms = Some(ttl_ms);
        self.cache_scope = Some(cache_scope);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_support::round_trip;

    #[test]
    fn discover_example_round_trips_and_exposes_server_info() {
        let result: DiscoverResult = round_trip(include_str!(
            "../../../spec/2026-07-28/examples/DiscoverResult/server-capabilities-discovery.json"
        ));
        assert_eq!(result.server_info().unwrap().name, "ExampleServer");
        assert_eq!(result.supported_versions, vec![ProtocolVersion::V2026_07_28]);
    }
}
