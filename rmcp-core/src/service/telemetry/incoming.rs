//! The span and the `mcp.server.operation.duration` point of a request or notification this side
//! receives (span kind SERVER, whichever role this side plays).

use std::future::Future;
use std::time::Instant;

use futures_util::future::Either;

use opentelemetry::KeyValue;
use opentelemetry::trace::TraceContextExt;
use serde_json::value::RawValue;
use tracing::field::Empty;
use tracing::instrument::{Instrument, Instrumented};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::attributes::{self as attr, Failure, Target};
use super::metrics::Instruments;
use super::operation::Operation;
use super::propagation;
use crate::model::{Meta, ProtocolVersion, RequestId, ServerResult};
use crate::service::McpError;
use crate::transport::Extensions;

/// One incoming message under observation.
#[derive(Debug)]
pub(crate) struct Incoming(Operation);

impl Incoming {
    /// Start observing request `id` of `method`, `parsed` if it could be, with this `_meta` and
    /// transport `extensions`; its span is parented on the trace context in `_meta`.
    pub(crate) fn request<T: 'static>(
        instruments: &Instruments,
        method: &str,
        id: &RequestId,
        parsed: Option<&T>,
        meta: Option<&Meta>,
        extensions: &Extensions,
    ) -> Self {
        let target = parsed.map(Target::of_request).unwrap_or_default();
        Self::start(instruments, method, Some(id), target, meta, extensions)
    }

    /// Start observing a notification of `method` with these raw `params`.
    pub(crate) fn notification(
        instruments: &Instruments,
        method: &str,
        params: Option<&RawValue>,
        meta: Option<&Meta>,
        extensions: &Extensions,
    ) -> Self {
        Self::start(instruments, method, None, Target::of(method, params), meta, extensions)
    }

    fn start(
        instruments: &Instruments,
        method: &str,
        id: Option<&RequestId>,
        target: Target,
        meta: Option<&Meta>,
        extensions: &Extensions,
    ) -> Self {
        let started = Instant::now();
        let span = tracing::info_span!(
            "mcp.server",
            otel.name = Empty,
            otel.kind = "server",
            otel.status_code = Empty,
            otel.status_description = Empty,
            mcp.method.name = method,
            mcp.session.id = Empty,
            mcp.protocol.version = Empty,
            mcp.resource.uri = Empty,
            jsonrpc.request.id = Empty,
            gen_ai.tool.name = Empty,
            gen_ai.prompt.name = Empty,
            gen_ai.operation.name = Empty,
            error.type = Empty,
            rpc.response.status_code = Empty,
            network.transport = Empty,
            network.protocol.name = Empty,
            network.protocol.version = Empty,
            client.address = Empty,
            client.port = Empty,
        );
        let mut op = Operation::new(span, started, method, target, &instruments.incoming);
        let transport = Transport::of(extensions);
        transport.metric_attributes(&mut op.attributes);
        // Without a subscriber that wants it the span is disabled, and none of this runs.
        let span = &op.span;
        if !span.is_disabled() {
            if let Some(id) = id {
                span.record("jsonrpc.request.id", attr::request_id(id));
            }
            transport.record(span);
            // The sender's span is the parent, as the conventions ask; the context this runs in
            // (an HTTP request's span, say) is linked.
            if let Some(remote) = meta.and_then(propagation::extract) {
                let ambient = tracing::Span::current().context().span().span_context().clone();
                let _ = span.set_parent(remote);
                if ambient.is_valid() {
                    span.add_link(ambient);
                }
            }
        }
        Self(op)
    }

    /// `handling` (the handler's future) run in the message's span, when there is one.
    pub(crate) fn instrument<F: Future>(&self, handling: F) -> Either<F, Instrumented<F>> {
        if self.0.span.is_disabled() {
            Either::Left(handling)
        } else {
            Either::Right(handling.instrument(self.0.span.clone()))
        }
    }

    /// The message was admitted under `version`.
    pub(crate) fn admitted(&mut self, version: &ProtocolVersion) {
        self.0.span.record("mcp.protocol.version", version.as_str());
        self.0.attributes.push(KeyValue::new(attr::MCP_PROTOCOL_VERSION, attr::interned(version.as_str())));
    }

    /// The handler ended with `outcome`: an error answer, or a tool result with `isError`, is a
    /// failure. Read from the typed result, before it is serialized.
    pub(crate) fn handled<T: 'static>(&mut self, outcome: &Result<T, McpError>) {
        self.0.failure = match outcome {
            Ok(result) => match (result as &dyn std::any::Any).downcast_ref::<ServerResult>() {
                Some(ServerResult::CallTool(r)) if r.is_error == Some(true) => Some(Failure::Other(attr::TOOL_ERROR)),
                _ => None,
            },
            Err(McpError::Rpc(e)) => Some(Failure::rpc(e)),
            Err(McpError::InvalidArguments(m)) => {
                Some(Failure::Rpc { code: crate::model::ErrorCode::INVALID_PARAMS.0, message: m.clone() })
            }
            // Answers of their own kind (the 2026 input rounds, a task's handle), not failures.
            Err(_) => None,
        };
    }

    /// The request is refused with `error` before its handler runs.
    pub(crate) fn refused(&mut self, error: &crate::model::ErrorData) {
        self.0.failure = Some(Failure::rpc(error));
    }

    /// The operation ended without an answer, for `reason` (an `error.type`).
    pub(crate) fn failed(&mut self, reason: &'static str) {
        self.0.failure = Some(Failure::Other(reason));
    }
}

/// What the transport tells of a message: a Streamable HTTP request leaves its parts (and the
/// listener the peer's address) in the message's extensions; any other transport is a pipe.
struct Transport<'a> {
    http: Option<&'a http::request::Parts>,
}

impl<'a> Transport<'a> {
    fn of(extensions: &'a Extensions) -> Self {
        Self { http: extensions.get::<http::request::Parts>() }
    }

    fn metric_attributes(&self, attributes: &mut Vec<KeyValue>) {
        match self.http {
            Some(parts) => {
                attributes.push(KeyValue::new(attr::NETWORK_TRANSPORT, "tcp"));
                attributes.push(KeyValue::new(attr::NETWORK_PROTOCOL_NAME, "http"));
                attributes.push(KeyValue::new(attr::NETWORK_PROTOCOL_VERSION, http_version(parts.version)));
            }
            None => attributes.push(KeyValue::new(attr::NETWORK_TRANSPORT, "pipe")),
        }
    }

    fn record(&self, span: &tracing::Span) {
        let Some(parts) = self.http else {
            span.record("network.transport", "pipe");
            return;
        };
        span.record("network.transport", "tcp");
        span.record("network.protocol.name", "http");
        span.record("network.protocol.version", http_version(parts.version));
        if let Some(session) = parts.headers.get("mcp-session-id").and_then(|v| v.to_str().ok()) {
            span.record("mcp.session.id", session);
        }
        #[cfg(feature = "server")] // where the listener's `RemoteAddr` is
        if let Some(crate::transport::RemoteAddr(addr)) = parts.extensions.get() {
            span.record("client.address", addr.ip().to_string());
            span.record("client.port", i64::from(addr.port()));
        }
    }
}

/// `network.protocol.version` of an HTTP version.
fn http_version(version: http::Version) -> &'static str {
    match version {
        http::Version::HTTP_09 => "0.9",
        http::Version::HTTP_10 => "1.0",
        http::Version::HTTP_11 => "1.1",
        http::Version::HTTP_2 => "2",
        http::Version::HTTP_3 => "3",
        _ => "_OTHER",
    }
}
