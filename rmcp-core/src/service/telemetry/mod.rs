//! OpenTelemetry for MCP, as the semantic conventions for MCP specify (feature `otel`).
//!
//! Every request and notification, sent or received, by a server or a client, over any
//! transport, gets a `tracing` span that [`tracing-opentelemetry`](tracing_opentelemetry) turns
//! into an OpenTelemetry span:
//!
//! - named `{mcp.method.name} {target}` (`tools/call add`, `prompts/get greet`, or the method
//!   alone), of kind SERVER for what this side receives and CLIENT for what it sends;
//! - with the attributes of [`attributes`]: the method, the request id, the protocol version, the
//!   tool (and `gen_ai.operation.name = execute_tool`) or prompt, the resource URI, the network
//!   transport and, on Streamable HTTP, the session id and the client's address;
//! - ending with `error.type` (and status ERROR) when the answer is an error, the tool result has
//!   `isError`, or the request timed out, was cancelled or lost its connection.
//!
//! Trace context travels in `params._meta` (`traceparent`, `tracestate`, W3C): an outgoing
//! message carries its span's context and the receiver's span is its child, so a client's call,
//! the server's handling, and the requests the server makes of the client meanwhile (sampling,
//! elicitation) are one trace.
//!
//! The four duration histograms of the conventions ([`SERVER_OPERATION_DURATION`] and the rest)
//! are recorded through the global meter provider
//! ([`opentelemetry::global::set_meter_provider`]), as it is when a connection starts.
//!
//! The spans are at `INFO` level under this module's target. Without a subscriber (or with one
//! that filters them out) they are disabled and cost a check each; nothing is injected then
//! unless the caller runs in an OpenTelemetry span of its own.
//!
//! ```no_run
//! use opentelemetry::trace::TracerProvider as _;
//! use tracing_subscriber::layer::SubscriberExt;
//!
//! # fn setup(provider: opentelemetry_sdk::trace::SdkTracerProvider) {
//! let tracer = provider.tracer("my-server");
//! let subscriber = tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
//! tracing::subscriber::set_global_default(subscriber).unwrap();
//! // Serve as usual: every message now has its span.
//! # }
//! ```
//!
//! The example `examples/src/bin/otel.rs` exports both to an OTLP collector.

pub mod attributes;
mod incoming;
mod metrics;
mod operation;
mod outgoing;
mod propagation;

pub(crate) use incoming::Incoming;
pub(crate) use metrics::Instruments;
pub use metrics::{
    CLIENT_OPERATION_DURATION, CLIENT_SESSION_DURATION, SERVER_OPERATION_DURATION, SERVER_SESSION_DURATION,
};
pub(crate) use outgoing::Outgoing;
pub use propagation::{MetaExtractor, MetaInjector};
