//! One incoming request from the wire to its answer: read and admit it, build its context, run
//! the handler, send the answer.
//!
//! The engine does this for the requests it reads. A transport that already has a task per
//! request (HTTP) can instead serve a request *directly*: on that task, without the engine
//! ([`DirectAnswerer`]), the request's messages going straight into the transport
//! ([`DirectOutput`]) rather than through the engine's writer. That saves the hop into the engine,
//! the hop out through its writer and a spawn: a call that needs no waiting is answered without a
//! single task switch.
//!
//! Either way, unless [`ServeOptions::inline_requests`](super::ServeOptions::inline_requests) is
//! off, a request is served *inline* first: polled once on the task that received it
//! ([`poll_once`]), and given a task of its own only if it must wait.
//!
//! # Future sizes
//!
//! A future is copied whole each time it moves (built, spawned, first polled), so the futures of
//! the request path are kept small:
//! - they are built by plain functions returning `impl Future` rather than by `async fn`s (hence
//!   `#[allow(clippy::manual_async_fn)]`): an `async fn`'s future keeps its arguments twice, as
//!   arguments and as the locals they are moved into; for the same reason a future is chained
//!   with `then` rather than awaited inside an `async` block;
//! - what can be done before the future is built is done then, so that the future holds only
//!   what it still needs when polled;
//! - a large future, or one on a rare path, is boxed ([`out_of_line`]), so that its size does not
//!   add to the future of every request that might await it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Either};
use serde_json::value::RawValue;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{DynService, McpError, Peer, RequestContext, ServiceRole};
use crate::model::{ErrorCode, ErrorData, InboundMessage, JsonRpcMessage, JsonRpcRequest, Meta, RequestId};
use crate::transport::{Extensions, Outbound};

/// What telemetry keeps of an incoming message while it is served (its span, its start): nothing
/// without the `otel` feature.
#[cfg(feature = "otel")]
pub(crate) type Observed = super::telemetry::Incoming;
/// What telemetry keeps of an incoming message while it is served: nothing without `otel`.
#[cfg(not(feature = "otel"))]
pub(crate) type Observed = ();

/// A request ready for its handler: the request, its context, and what telemetry keeps of it.
pub(crate) type Prepared<R> = (<R as ServiceRole>::PeerRequest, RequestContext<R>, Observed);

/// Read a request, admit it under the connection's protocol rules, and build its context. On
/// refusal, the error to answer it with.
pub(crate) fn prepare<R: ServiceRole>(
    peer: &Peer<R>,
    req: JsonRpcRequest,
    extensions: Extensions,
    ct: CancellationToken,
) -> Result<Prepared<R>, (RequestId, ErrorData)> {
    let JsonRpcRequest { id, method, params } = req;
    let parsed = R::PeerRequest::parse(&method, params.as_deref());
    // `_meta` decides the era before the params are judged, so it is read on its own.
    let meta = probe_meta(params.as_deref());
    #[cfg(feature = "otel")]
    let mut observed = super::telemetry::Incoming::request(
        &peer.shared.telemetry,
        &method,
        &id,
        parsed.as_ref().ok(),
        meta.as_ref(),
        &extensions,
    );
    #[cfg(not(feature = "otel"))]
    let observed = ();
    let method_known = !matches!(&parsed, Err(e) if e.code == ErrorCode::METHOD_NOT_FOUND);
    let (request, protocol_version) = match (R::admit(peer, &method, meta.as_ref(), method_known), parsed) {
        (Ok(version), Ok(request)) => (request, version),
        (Err(e), _) | (Ok(_), Err(e)) => {
            #[cfg(feature = "otel")]
            observed.refused(&e);
            return Err((id, e));
        }
    };
    #[cfg(feature = "otel")]
    observed.admitted(&protocol_version);
    let stateless = protocol_version.is_stateless();
    let mut peer = peer.related_to(id.clone());
    if stateless {
        peer = peer.without_requests();
    }
    let ctx = RequestContext {
        id,
        meta: meta.unwrap_or_default(),
        protocol_version,
        ct,
        peer,
        extensions,
        #[cfg(feature = "server")]
        input: None,
        // Kept only where a handler may read them again (2026-07-28 input rounds).
        raw_params: if stateless { params } else { None },
    };
    Ok((request, ctx, observed))
}

/// Where a transport takes the messages of a request served directly (its notifications, then
/// its answer, in the order the handler makes them), from any task, without the engine's writer.
pub(crate) trait DirectOutput: Send + Sync + 'static {
    /// Put `out` on its way to the peer; `false` when the connection is gone.
    fn send(&self, out: Outbound) -> BoxFuture<'_, bool>;
}

/// Where a request's messages go.
#[derive(Clone)]
pub(crate) enum Output {
    /// The engine's writer, through its queue.
    Writer(mpsc::Sender<Box<Outbound>>),
    /// The transport itself, for a request served directly.
    #[cfg_attr(not(feature = "http-server"), allow(dead_code))]
    Direct(Arc<dyn DirectOutput>),
}

impl Output {
    /// Send `out`; `false` when the connection is gone.
    pub(crate) fn send(&self, out: Outbound) -> impl Future<Output = bool> + Send + '_ {
        match self {
            Output::Writer(writer) => Either::Left(writer.send(Box::new(out)).map(|sent| sent.is_ok())),
            Output::Direct(direct) => Either::Right(direct.send(out)),
        }
    }
}

/// Run one request's handler and send its answer, unless the request was cancelled meanwhile.
/// The future holds nothing of the handler's result while the answer is sent.
pub(crate) fn answer<R: ServiceRole>(
    service: Arc<dyn DynService<R>>,
    request: R::PeerRequest,
    ctx: RequestContext<R>,
    output: Output,
    #[allow(unused_mut)] mut observed: Observed,
) -> impl Future<Output = ()> + Send + 'static {
    #[cfg(not(feature = "otel"))]
    let () = observed;
    let id = ctx.id.clone();
    let ct = ctx.ct.clone();
    async move {
        // Cancellation is cooperative: the handler sees its token and stops when it likes;
        // whatever it returns after a cancellation is dropped, as the peer no longer waits for it.
        //
        // The handler's future comes boxed (`DynService`): it is as large as the largest of
        // every method's future (kilobytes), and copying it each time this future moved would
        // cost more than the allocation.
        let msg = {
            let handling = service.handle_request_dyn(request, ctx);
            // The handler runs in the request's span: its logs, and the requests it sends, are
            // the span's children.
            #[cfg(feature = "otel")]
            let handling = observed.instrument(handling);
            let outcome = handling.await;
            if ct.is_cancelled() {
                #[cfg(feature = "otel")]
                observed.failed("cancelled");
                return;
            }
            #[cfg(feature = "otel")]
            observed.handled(&outcome);
            response_to::<R>(id.clone(), outcome)
        };
        // The operation ends once its answer is handed on, when `observed` goes with this future.
        output.send(Outbound::related(msg, Some(id))).await;
    }
}

/// The message answering request `id` with a handler's `outcome`.
fn response_to<R: ServiceRole>(id: RequestId, outcome: Result<R::Result, McpError>) -> JsonRpcMessage {
    match outcome {
        Ok(result) => R::response(id.clone(), &result).unwrap_or_else(|e| unserializable(id, e)),
        Err(e) => error_response(id, e),
    }
}

/// The message answering request `id` with a handler's error (or its MRTR or task result). Not
/// generic, so compiled once.
fn error_response(id: RequestId, error: McpError) -> JsonRpcMessage {
    let serialized = match error {
        McpError::InputRequired(r) => JsonRpcMessage::response(id.clone(), &r),
        McpError::TaskCreated(r) => JsonRpcMessage::response(id.clone(), &r),
        McpError::Rpc(e) => return JsonRpcMessage::error(Some(id), e),
        McpError::InvalidArguments(m) => return JsonRpcMessage::error(Some(id), ErrorData::invalid_params(m)),
    };
    serialized.unwrap_or_else(|e| unserializable(id, e))
}

fn unserializable(id: RequestId, error: serde_json::Error) -> JsonRpcMessage {
    JsonRpcMessage::error(Some(id), ErrorData::internal_error(format!("result does not serialize: {error}")))
}

/// Read only the `_meta` of a message's params.
pub(crate) fn probe_meta(params: Option<&RawValue>) -> Option<Meta> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "_meta")]
        meta: Option<Meta>,
    }
    let params = params?.get();
    if !may_contain_meta(params) {
        return None;
    }
    serde_json::from_str::<Probe>(params).ok().and_then(|p| p.meta)
}

/// Whether JSON `params` may hold a `_meta` key, without parsing them: params without the key
/// need no second parse to find it. A key can only be spelled otherwise with an escape, so
/// params with one may hold it.
#[inline] // twice a request, from two modules: out of line it measured 150 Ir more a request
pub(crate) fn may_contain_meta(params: &str) -> bool {
    params.contains("_meta") || params.contains('\\')
}

/// Serves a running service's requests directly (see the module docs): given a request, its
/// extensions and its own token, the returned future reads, runs and answers it, sending its
/// messages (notifications, then the answer) to the transport's [`DirectOutput`], in order.
///
/// The caller polls the future once on its own task ([`poll_once`]) and spawns it if it must
/// wait. The engine does not see these requests: the caller owns what the engine would do for
/// them (cancelling the token on `notifications/cancelled`, refusing an id already in flight,
/// bounding how many run), and only hands over requests of an initialized connection.
#[cfg(feature = "http-server")]
pub(crate) type DirectAnswerer =
    Arc<dyn Fn(JsonRpcRequest, Extensions, CancellationToken) -> BoxFuture<'static, ()> + Send + Sync>;

/// The [`DirectAnswerer`] of `service` on the connection of `peer`, sending to `direct`.
#[cfg(feature = "http-server")]
pub(crate) fn direct_answerer<R: ServiceRole>(
    service: Arc<dyn DynService<R>>,
    peer: Peer<R>,
    direct: Arc<dyn DirectOutput>,
) -> DirectAnswerer {
    Arc::new(move |req, extensions, ct| {
        let output = Output::Direct(direct.clone());
        // Everything up to the handler is done before the future is built.
        let (request, mut ctx, observed) = match prepare(&peer, req, extensions, ct) {
            Ok(prepared) => prepared,
            Err((id, e)) => {
                let msg = JsonRpcMessage::error(Some(id.clone()), e);
                return Box::pin(async move {
                    output.send(Outbound::related(msg, Some(id))).await;
                });
            }
        };
        ctx.peer = ctx.peer.with_direct_output(direct.clone());
        let id = ctx.id.clone();
        // A panic would otherwise end the caller's task (an HTTP connection) and leave the
        // request unanswered; the engine catches its own through the task's join.
        let answering = std::panic::AssertUnwindSafe(answer(service.clone(), request, ctx, output.clone(), observed))
            .catch_unwind();
        Box::pin(answering.then(move |answered| async move {
            if answered.is_err() {
                tracing::error!(%id, "a request handler panicked");
                let msg =
                    JsonRpcMessage::error(Some(id.clone()), ErrorData::internal_error("the request handler failed"));
                output.send(Outbound::related(msg, Some(id))).await;
            }
        }))
    })
}

/// Poll `future` once on the current task, with a waker that does nothing: a request whose
/// handler needs no waiting is answered right there, without a task, a wake-up or any
/// bookkeeping.
///
/// On `Pending` the caller must give the future to a task, whose first poll (at once) registers
/// the task's waker: a wake-up that came in between is not lost, as that poll sees its effect.
pub(crate) fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// `future`, boxed: for a large future, or one on a rare path, so that its size does not add to
/// the future of every request that might await it (see "Future sizes" in the module docs).
#[cfg(feature = "http-server")]
pub(crate) fn out_of_line<F: Future>(future: F) -> Pin<Box<F>> {
    Box::pin(future)
}

#[cfg(test)]
mod tests {
    use super::probe_meta;
    use serde_json::value::RawValue;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn meta_is_found_however_its_key_is_spelled() {
        let plain = probe_meta(Some(&raw(r#"{"a": 1, "_meta": {"k": "v"}}"#))).unwrap();
        assert_eq!(plain.get("k").unwrap(), "v");
        let escaped = probe_meta(Some(&raw(r#"{"\u005fmeta": {"k": "w"}}"#))).unwrap();
        assert_eq!(escaped.get("k").unwrap(), "w");
        assert!(probe_meta(Some(&raw(r#"{"a": "no meta here"}"#))).is_none());
        assert!(probe_meta(None).is_none());
    }
}
