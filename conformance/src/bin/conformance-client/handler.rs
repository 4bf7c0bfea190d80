//! The client's side of server-to-client requests: elicitation is accepted with every field
//! filled (schema `default` first), sampling gets a fixed stand-in reply, roots are one folder.

use std::collections::BTreeMap;
use std::time::Duration;

use rmcp_core::ClientHandler;
use rmcp_core::handler::{ClientInfo, ProtocolPreference};
use rmcp_core::model::{
    ClientCapabilities, CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    ElicitValue, Implementation, ListRootsResult, Role, Root, SamplingMessageContentBlock, TextContent, stop_reason,
};
use rmcp_core::service::{McpError, RequestContext, RoleClient};
use serde_json::Value;

use crate::synth;

/// The root every `roots/list` gets.
pub const ROOT_URI: &str = "file:///tmp/conformance";

/// The everything-client's handler.
#[derive(Debug, Clone)]
pub struct ConformanceClient {
    protocol: ProtocolPreference,
}

impl ConformanceClient {
    /// A client speaking this era.
    pub fn new(protocol: ProtocolPreference) -> Self {
        Self { protocol }
    }
}

impl ClientHandler for ConformanceClient {
    fn get_info(&self) -> ClientInfo {
        let capabilities = ClientCapabilities::builder().enable_elicitation().enable_sampling().enable_roots().build();
        let identity = Implementation::new("rmcp-conformance-client", env!("CARGO_PKG_VERSION"));
        let mut info = ClientInfo::new(identity, capabilities).with_protocol(self.protocol.clone());
        info.handshake_timeout = Some(Duration::from_secs(15));
        info
    }

    async fn create_elicitation(
        &self,
        params: ElicitRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, McpError> {
        tracing::info!(message = params.message(), "elicitation/create");
        let ElicitRequestParams::Form(form) = params else {
            // URL mode: pretend the user went there.
            return Ok(ElicitResult::accept_url());
        };
        let root = serde_json::to_value(&form.requested_schema).unwrap_or(Value::Null);
        let mut content = BTreeMap::new();
        for (name, field) in &form.requested_schema.properties {
            let schema = serde_json::to_value(field).unwrap_or(Value::Null);
            if let Some(v) = elicit_value(synth::value(&schema, &root)) {
                content.insert(name.clone(), v);
            }
        }
        tracing::info!(?content, "accepting the elicitation");
        Ok(ElicitResult::accept(content))
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, McpError> {
        tracing::info!(messages = params.messages.len(), "sampling/createMessage");
        let text = SamplingMessageContentBlock::from(TextContent::new("This is a deterministic conformance reply."));
        Ok(CreateMessageResult::new(Role::Assistant, text, "conformance-stand-in")
            .with_stop_reason(stop_reason::END_TURN))
    }

    async fn list_roots(&self, _ctx: RequestContext<RoleClient>) -> Result<ListRootsResult, McpError> {
        tracing::info!("roots/list");
        Ok(ListRootsResult::new(vec![Root::new(ROOT_URI).with_name("conformance")]))
    }
}

/// A JSON value as a form answer (`None` for what a form cannot hold).
fn elicit_value(v: Value) -> Option<ElicitValue> {
    match v {
        Value::String(s) => Some(ElicitValue::String(s)),
        Value::Bool(b) => Some(ElicitValue::Boolean(b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Some(ElicitValue::Integer(i)),
            None => n.as_f64().map(ElicitValue::Number),
        },
        Value::Array(items) => {
            Some(ElicitValue::StringArray(items.into_iter().filter_map(|i| i.as_str().map(str::to_owned)).collect()))
        }
        Value::Null | Value::Object(_) => None,
    }
}
