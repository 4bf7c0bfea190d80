//! What the conformance harness hands the client: the server URL (last argument) and the
//! `MCP_CONFORMANCE_*` environment variables.

use anyhow::{Context, bail};
use rmcp_core::ProtocolVersion;
use rmcp_core::handler::ProtocolPreference;
use serde_json::Value;

/// One run of the client, as the harness asked for it.
#[derive(Debug, Clone)]
pub struct Config {
    /// The MCP endpoint, used exactly as given.
    pub url: String,
    /// `MCP_CONFORMANCE_SCENARIO`.
    pub scenario: String,
    /// `MCP_CONFORMANCE_PROTOCOL_VERSION`, as given.
    pub version: String,
    /// `MCP_CONFORMANCE_CONTEXT`, parsed (`Null` when absent).
    pub context: Value,
}

impl Config {
    /// Read the command line and the environment.
    pub fn from_env() -> anyhow::Result<Self> {
        let Some(url) = std::env::args().skip(1).last() else {
            bail!("usage: conformance-client <server-url> (with MCP_CONFORMANCE_SCENARIO set)");
        };
        let scenario = std::env::var("MCP_CONFORMANCE_SCENARIO").unwrap_or_default();
        let version = std::env::var("MCP_CONFORMANCE_PROTOCOL_VERSION").unwrap_or_else(|_| "2025-11-25".to_owned());
        let context = match std::env::var("MCP_CONFORMANCE_CONTEXT") {
            Ok(raw) if !raw.trim().is_empty() => {
                serde_json::from_str(&raw).context("MCP_CONFORMANCE_CONTEXT is not valid JSON")?
            }
            _ => Value::Null,
        };
        Ok(Self { url, scenario, version, context })
    }

    /// Which era to speak: 2026-07-28 is stateless, any other version gets the handshake.
    pub fn protocol(&self) -> ProtocolPreference {
        let version = ProtocolVersion::parse(&self.version);
        if version.is_stateless() {
            ProtocolPreference::Stateless
        } else if version.is_known() {
            ProtocolPreference::Stateful(version)
        } else {
            tracing::warn!(version = %self.version, "unknown protocol version; using the 2025-11-25 handshake");
            ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)
        }
    }

    /// Whether this run speaks the stateless era.
    pub fn stateless(&self) -> bool {
        self.protocol() == ProtocolPreference::Stateless
    }
}
