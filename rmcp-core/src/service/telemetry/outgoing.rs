//! The span and the `mcp.client.operation.duration` point of a request or notification this side
//! sends (span kind CLIENT, whichever role this side plays), and the trace context it carries.

use std::time::Instant;

use opentelemetry::KeyValue;
use opentelemetry::trace::TraceContextExt;
use serde_json::value::RawValue;
use tracing::field::Empty;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::attributes::{self as attr, Failure, Target};
use super::metrics::Instruments;
use super::operation::Operation;
use super::propagation;
use crate::model::{ProtocolVersion, RequestId};
use crate::service::ServiceError;

/// One outgoing message under observation. Dropped before its outcome is known, a request ends
/// as `cancelled` (its caller gave up).
#[derive(Debug)]
pub(crate) struct Outgoing(Operation);

impl Outgoing {
    /// Start observing the message `method` (a request when it has an `id`) whose encoded params
    /// are `params`. Returns the params to send instead when they now carry trace context: the
    /// span's own, or, if it is disabled, that of the span the caller runs in.
    pub(crate) fn start(
        instruments: &Instruments,
        method: &str,
        id: Option<&RequestId>,
        params: Option<&RawValue>,
        version: Option<&ProtocolVersion>,
    ) -> (Self, Option<Box<RawValue>>) {
        let started = Instant::now();
        let target = Target::of(method, params);
        let span = tracing::info_span!(
            "mcp.client",
            otel.name = Empty,
            otel.kind = "client",
            otel.status_code = Empty,
            otel.status_description = Empty,
            mcp.method.name = method,
            mcp.protocol.version = Empty,
            mcp.resource.uri = Empty,
            jsonrpc.request.id = Empty,
            gen_ai.tool.name = Empty,
            gen_ai.prompt.name = Empty,
            gen_ai.operation.name = Empty,
            error.type = Empty,
            rpc.response.status_code = Empty,
        );
        let mut op = Operation::new(span, started, method, target, &instruments.outgoing);
        if let Some(version) = version {
            op.attributes.push(KeyValue::new(attr::MCP_PROTOCOL_VERSION, attr::interned(version.as_str())));
        }
        op.failure = id.map(|_| Failure::Other("cancelled"));
        let span = &op.span;
        let carried = if !span.is_disabled() {
            if let Some(id) = id {
                span.record("jsonrpc.request.id", attr::request_id(id));
            }
            if let Some(version) = version {
                span.record("mcp.protocol.version", version.as_str());
            }
            // Read last: reading the context starts the OpenTelemetry span, whose attributes
            // given at the start (the name, the kind) are fixed from then on.
            propagation::inject(params, &span.context())
        } else if !tracing::Span::current().is_none() {
            let cx = tracing::Span::current().context();
            if cx.span().span_context().is_valid() { propagation::inject(params, &cx) } else { None }
        } else {
            None
        };
        (Self(op), carried)
    }

    /// The request ended with `result` (its raw result, or why there is none).
    pub(crate) fn ended(&mut self, result: &Result<Box<RawValue>, ServiceError>) {
        self.0.failure = match result {
            Ok(raw) if self.0.is_tool_call && attr::is_tool_error(raw) => Some(Failure::Other(attr::TOOL_ERROR)),
            Ok(_) => None,
            Err(ServiceError::ErrorResponse(e)) => Some(Failure::rpc(e)),
            Err(ServiceError::Timeout { .. }) => Some(Failure::Other("timeout")),
            Err(ServiceError::Cancelled { .. }) => Some(Failure::Other("cancelled")),
            Err(ServiceError::TransportClosed) => Some(Failure::Other("transport_closed")),
            Err(_) => Some(Failure::Other("_OTHER")),
        };
    }

    /// The notification could not be sent.
    pub(crate) fn not_sent(&mut self) {
        self.0.failure = Some(Failure::Other("transport_closed"));
    }
}
