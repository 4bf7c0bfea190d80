//! The four duration histograms of the MCP semantic conventions, made once per connection.

use std::borrow::Cow;
use std::time::Duration;

use opentelemetry::metrics::Histogram;
use opentelemetry::{InstrumentationScope, KeyValue};

use super::attributes as attr;
use crate::model::ProtocolVersion;

/// The boundaries the conventions advise for every MCP duration, in seconds.
const BOUNDARIES: [f64; 14] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

/// `mcp.server.operation.duration`: an incoming request or notification, from its arrival until
/// its answer is sent (or its handler is done).
pub const SERVER_OPERATION_DURATION: &str = "mcp.server.operation.duration";
/// `mcp.client.operation.duration`: an outgoing request or notification, from its sending until
/// its answer arrives (or it is handed to the transport).
pub const CLIENT_OPERATION_DURATION: &str = "mcp.client.operation.duration";
/// `mcp.server.session.duration`: a server's connection (2025 session), from start to end.
pub const SERVER_SESSION_DURATION: &str = "mcp.server.session.duration";
/// `mcp.client.session.duration`: a client's connection (2025 session), from start to end.
pub const CLIENT_SESSION_DURATION: &str = "mcp.client.session.duration";

/// A connection's histograms. They are taken from the global meter provider when the connection
/// starts, so a provider installed before serving is the one used; without one they are the API's
/// no-ops, and recording costs a virtual call.
#[derive(Clone)]
pub(crate) struct Instruments {
    /// Operations this side receives.
    pub incoming: Histogram<f64>,
    /// Operations this side sends.
    pub outgoing: Histogram<f64>,
    /// This side's sessions.
    session: Histogram<f64>,
}

impl Instruments {
    /// The histograms of a connection whose side is the server (`is_server`) or the client.
    pub(crate) fn new(is_server: bool) -> Self {
        let scope = InstrumentationScope::builder("rmcp-core").with_version(env!("CARGO_PKG_VERSION")).build();
        let meter = opentelemetry::global::meter_with_scope(scope);
        let histogram = |name: &'static str, description: &'static str| {
            meter
                .f64_histogram(name)
                .with_unit("s")
                .with_description(description)
                .with_boundaries(BOUNDARIES.to_vec())
                .build()
        };
        let server_op =
            || histogram(SERVER_OPERATION_DURATION, "MCP request or notification duration as observed on the receiver");
        let client_op =
            || histogram(CLIENT_OPERATION_DURATION, "MCP request or notification duration as observed on the sender");
        let (incoming, outgoing) = (server_op(), client_op());
        let session = if is_server {
            histogram(SERVER_SESSION_DURATION, "The duration of the MCP session as observed on the MCP server")
        } else {
            histogram(CLIENT_SESSION_DURATION, "The duration of the MCP session as observed on the MCP client")
        };
        Self { incoming, outgoing, session }
    }

    /// Record a finished session of `version`; `error` names how it failed, if it did. A
    /// connection that never agreed on a stateful version (no handshake, or the 2026 era, which
    /// has no sessions) is not a session and is not recorded.
    pub(crate) fn session_ended(
        &self,
        elapsed: Duration,
        version: Option<ProtocolVersion>,
        error: Option<&'static str>,
    ) {
        let Some(version) = version.filter(|v| !v.is_stateless()) else { return };
        let mut attributes = vec![KeyValue::new(attr::MCP_PROTOCOL_VERSION, Cow::Owned(version.to_string()))];
        if let Some(error) = error {
            attributes.push(KeyValue::new(attr::ERROR_TYPE, error));
        }
        self.session.record(elapsed.as_secs_f64(), &attributes);
    }
}

impl std::fmt::Debug for Instruments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instruments").finish_non_exhaustive()
    }
}
