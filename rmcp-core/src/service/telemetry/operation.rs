//! What an incoming and an outgoing message have in common under observation: a span, a start
//! time and the attributes of its duration point, all ended when the operation is dropped.

use std::time::Instant;

use opentelemetry::KeyValue;
use opentelemetry::metrics::Histogram;

use super::attributes::{self as attr, Failure, Target};
use crate::model::methods;

/// One operation (request or notification, either way). Dropping it closes its span and records
/// its duration, with `error.type` if it failed: a handler that panicked or a caller that gave
/// up ends it too.
pub(crate) struct Operation {
    pub span: tracing::Span,
    started: Instant,
    /// A `tools/call`, whose result may report a tool error.
    pub is_tool_call: bool,
    /// The duration point's attributes gathered so far.
    pub attributes: Vec<KeyValue>,
    pub failure: Option<Failure>,
    histogram: Histogram<f64>,
}

impl Operation {
    /// The operation of `method` on `target`, started at `started`, observed in `span`: the span
    /// is named for the target (before anything reads its context, which fixes its name).
    pub(crate) fn new(
        span: tracing::Span,
        started: Instant,
        method: &str,
        target: Target,
        histogram: &Histogram<f64>,
    ) -> Self {
        if !span.is_disabled() {
            span.record("otel.name", target.span_name(method));
            record_target(&span, &target);
        }
        Self {
            span,
            started,
            is_tool_call: method == methods::TOOLS_CALL,
            attributes: target.into_metric_attributes(method),
            failure: None,
            histogram: histogram.clone(),
        }
    }
}

/// Put the attributes of `target` on `span`.
fn record_target(span: &tracing::Span, target: &Target) {
    if let Some(tool) = &target.tool {
        span.record("gen_ai.tool.name", tool.as_str());
        span.record("gen_ai.operation.name", attr::EXECUTE_TOOL);
    }
    if let Some(prompt) = &target.prompt {
        span.record("gen_ai.prompt.name", prompt.as_str());
    }
    if let Some(uri) = &target.uri {
        span.record("mcp.resource.uri", uri.as_str());
    }
}

impl Drop for Operation {
    fn drop(&mut self) {
        if let Some(failure) = &self.failure {
            let error_type = failure.error_type();
            if !self.span.is_disabled() {
                self.span.record("error.type", error_type.as_ref());
                match failure {
                    // The status is ERROR with the error's message, as the conventions ask.
                    Failure::Rpc { code, message } => {
                        self.span.record("rpc.response.status_code", code.to_string());
                        self.span.record("otel.status_description", message.as_str());
                    }
                    Failure::Other(_) => {
                        self.span.record("otel.status_code", "ERROR");
                    }
                }
            }
            if let Failure::Rpc { code, .. } = failure {
                self.attributes.push(KeyValue::new(attr::RPC_RESPONSE_STATUS_CODE, code.to_string()));
            }
            self.attributes.push(KeyValue::new(attr::ERROR_TYPE, error_type));
        }
        self.histogram.record(self.started.elapsed().as_secs_f64(), &self.attributes);
    }
}

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operation").field("span", &self.span).finish_non_exhaustive()
    }
}
