//! The protected resource metadata document (RFC 9728): what a protected MCP server publishes
//! and what an OAuth client discovers first. Both sides use it, so it stands apart from the
//! client's discovery code.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// RFC 9728 protected resource metadata: which authorization servers issue tokens for a
/// resource, and which scopes it knows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProtectedResourceMetadata {
    /// The resource identifier: the URL tokens must be requested for (RFC 8707 `resource`).
    pub resource: String,
    /// The issuers of the authorization servers that issue tokens for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_servers: Vec<String>,
    /// The scopes the resource uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// How tokens may be presented (`header`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_methods_supported: Option<Vec<String>>,
    /// A human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    /// Every other member, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ProtectedResourceMetadata {
    /// The metadata of `resource`, whose tokens `authorization_servers` issue.
    pub fn new(resource: impl Into<String>, authorization_servers: Vec<String>) -> Self {
        Self { resource: resource.into(), authorization_servers, ..Self::default() }
    }
}
