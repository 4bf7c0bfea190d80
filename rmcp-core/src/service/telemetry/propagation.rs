//! W3C trace context (`traceparent`, `tracestate`) carried in a message's `params._meta`, as the
//! MCP semantic conventions place it: MCP messages share one HTTP request or one pipe, so the
//! transport's own headers cannot say which message belongs to which trace.

use opentelemetry::Context;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::model::Meta;

/// Writes trace context into a `_meta` map: an OpenTelemetry [`Injector`].
///
/// ```
/// use opentelemetry::propagation::TextMapPropagator;
/// use opentelemetry_sdk::propagation::TraceContextPropagator;
/// use rmcp_core::model::Meta;
/// use rmcp_core::service::telemetry::MetaInjector;
///
/// let mut meta = Meta::new();
/// // With no span in the context nothing is written.
/// TraceContextPropagator::new().inject_context(&opentelemetry::Context::new(), &mut MetaInjector(&mut meta));
/// assert!(meta.is_empty());
/// ```
#[derive(Debug)]
pub struct MetaInjector<'a>(pub &'a mut Meta);

impl Injector for MetaInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), Value::String(value));
    }
}

/// Reads trace context from a `_meta` map: an OpenTelemetry [`Extractor`]. Entries that are not
/// strings are not trace context and are skipped.
///
/// ```
/// use opentelemetry::propagation::TextMapPropagator;
/// use opentelemetry::trace::TraceContextExt;
/// use opentelemetry_sdk::propagation::TraceContextPropagator;
/// use rmcp_core::model::Meta;
/// use rmcp_core::service::telemetry::MetaExtractor;
///
/// let meta: Meta = serde_json::from_str(
///     r#"{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}"#,
/// ).unwrap();
/// let cx = TraceContextPropagator::new().extract(&MetaExtractor(&meta));
/// assert_eq!(cx.span().span_context().trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// ```
#[derive(Debug)]
pub struct MetaExtractor<'a>(pub &'a Meta);

impl Extractor for MetaExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
}

/// The remote context `meta` carries, if it carries a valid one.
pub(crate) fn extract(meta: &Meta) -> Option<Context> {
    let cx = TraceContextPropagator::new().extract(&MetaExtractor(meta));
    cx.span().span_context().is_valid().then_some(cx)
}

/// `params` with `cx`'s trace context added to their `_meta` (made if absent); absent params
/// become an object. `None` when there is nothing to carry or the params are not an object. A
/// `traceparent` the caller put in `_meta` is kept.
pub(crate) fn inject(params: Option<&RawValue>, cx: &Context) -> Option<Box<RawValue>> {
    let mut carried = Meta::new();
    TraceContextPropagator::new().inject_context(cx, &mut MetaInjector(&mut carried));
    if carried.is_empty() {
        return None;
    }
    let mut value = match params {
        Some(raw) => serde_json::from_str::<Value>(raw.get()).ok()?,
        None => Value::Object(Default::default()),
    };
    let Value::Object(obj) = &mut value else { return None };
    let Value::Object(meta) = obj.entry("_meta").or_insert_with(|| Value::Object(Default::default())) else {
        return None;
    };
    for (key, v) in carried {
        meta.entry(key).or_insert(v);
    }
    serde_json::value::to_raw_value(&value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};

    fn remote() -> Context {
        let sc = SpanContext::new(
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
            SpanId::from_hex("00f067aa0ba902b7").unwrap(),
            TraceFlags::SAMPLED,
            true,
            TraceState::from_key_value([("rojo", "00f067aa0ba902b7")]).unwrap(),
        );
        Context::new().with_remote_span_context(sc)
    }

    #[test]
    fn context_goes_into_meta_and_comes_back() {
        let params = RawValue::from_string(r#"{"name":"add","_meta":{"progressToken":1}}"#.into()).unwrap();
        let injected = inject(Some(&params), &remote()).unwrap();
        let value: Value = serde_json::from_str(injected.get()).unwrap();
        assert_eq!(value["name"], "add");
        assert_eq!(value["_meta"]["progressToken"], 1);
        assert_eq!(value["_meta"]["traceparent"], "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assert_eq!(value["_meta"]["tracestate"], "rojo=00f067aa0ba902b7");
        let meta: Meta = serde_json::from_value(value["_meta"].clone()).unwrap();
        let cx = extract(&meta).unwrap();
        assert_eq!(cx.span().span_context().span_id(), SpanId::from_hex("00f067aa0ba902b7").unwrap());
        assert!(cx.span().span_context().is_remote());
    }

    #[test]
    fn nothing_to_carry_leaves_params_alone() {
        assert!(inject(None, &Context::new()).is_none());
        let mut meta = Meta::new();
        meta.insert("traceparent".into(), Value::String("not a trace parent".into()));
        assert!(extract(&meta).is_none());
        meta.insert("traceparent".into(), Value::Bool(true));
        assert!(extract(&meta).is_none());
    }

    #[test]
    fn params_without_an_object_get_one() {
        let injected = inject(None, &remote()).unwrap();
        let value: Value = serde_json::from_str(injected.get()).unwrap();
        assert!(value["_meta"]["traceparent"].is_string());
    }
}
