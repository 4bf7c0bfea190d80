//! One incoming request from the wire to its answer: read and admit it, build its context, run
//! the handler, write the answer. The engine does this on a task per request; a transport that
//! already has a task per request (HTTP) can do it on that task instead, through
//! [`InlineAnswerer`], and save the engine's hop and a spawn; when it can also take the request's
//! messages itself ([`Deliver`]), they skip the writer's hop too.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::{BoxFuture, Either};
use serde_json::value::RawValue;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{McpError, Peer, RequestContext, Service, ServiceRole};
use crate::model::{ErrorCode, ErrorData, InboundMessage, JsonRpcMessage, JsonRpcRequest, Meta, RequestId};
use crate::transport::Outbound;

/// Read a request, admit it under the connection's protocol rules, and build its context. On
/// refusal, the error to answer it with.
pub(crate) fn prepare<R: ServiceRole>(
    peer: &Peer<R>,
    req: JsonRpcRequest,
    extensions: http::Extensions,
    ct: CancellationToken,
) -> Result<(R::PeerRequest, RequestContext<R>), (RequestId, ErrorData)> {
    let JsonRpcRequest { id, method, params } = req;
    let parsed = R::PeerRequest::parse(&method, params.as_deref());
    // `_meta` decides the era before the params are judged, so it is read on its own.
    let meta = probe_meta(params.as_deref());
    let method_known = !matches!(&parsed, Err(e) if e.code == ErrorCode::METHOD_NOT_FOUND);
    let (request, protocol_version) = match (R::admit(peer, &method, meta.as_ref(), method_known), parsed) {
        (Ok(version), Ok(request)) => (request, version),
        (Err(e), _) | (Ok(_), Err(e)) => return Err((id, e)),
    };
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
        input: None,
        // Kept only where a handler may read them again (2026-07-28 input rounds).
        raw_params: if stateless { params } else { None },
    };
    Ok((request, ctx))
}

/// Where a transport takes messages from any task, without the engine's writer: for a request
/// served inline, its notifications and its answer, in the order the handler makes them.
pub(crate) trait Deliver: Send + Sync + 'static {
    /// Put `out` on its way to the peer; `false` when the connection is gone.
    fn deliver(&self, out: Outbound) -> BoxFuture<'_, bool>;
}

/// Where a request's messages go: the writer's queue, or a transport's [`Deliver`].
#[derive(Clone)]
pub(crate) enum Output {
    Wire(mpsc::Sender<Box<Outbound>>),
    Direct(Arc<dyn Deliver>),
}

impl Output {
    /// Send `out`; `false` when the connection is gone. (Not an `async fn`, which would hold
    /// the message twice: once as its argument, once in the send it awaits.)
    pub fn send(&self, out: Outbound) -> impl Future<Output = bool> + Send + '_ {
        match self {
            Output::Wire(wire) => Either::Left(wire.send(Box::new(out)).map(|sent| sent.is_ok())),
            Output::Direct(direct) => Either::Right(direct.deliver(out)),
        }
    }
}

/// Run one request's handler and write its answer, unless the request was cancelled meanwhile.
///
/// A plain function returning a future, not an `async fn`: the future then holds the request
/// and its context once (an `async fn` keeps its arguments twice), and nothing of the handler's
/// result while the answer is written.
pub(crate) fn answer<R: ServiceRole, S: Service<R>>(
    service: Arc<S>,
    request: R::PeerRequest,
    ctx: RequestContext<R>,
    output: Output,
) -> impl Future<Output = ()> + Send + 'static {
    let id = ctx.id.clone();
    let ct = ctx.ct.clone();
    async move {
        // Cancellation is cooperative: the handler sees its token and stops when it likes;
        // whatever it returns after a cancellation is dropped, as the peer no longer waits for it.
        //
        // The handler's future is boxed: it is as large as the largest of every method's future
        // (kilobytes), and unboxed it would be copied each time this future moves (built,
        // spawned, first polled), which cost more than the allocation.
        let msg = {
            let outcome = Box::pin(service.handle_request(request, ctx)).await;
            if ct.is_cancelled() {
                return;
            }
            response_to(id.clone(), outcome)
        };
        output.send(Outbound::related(msg, Some(id))).await;
    }
}

/// The message answering request `id` with a handler's `outcome`.
fn response_to<T: serde::Serialize>(id: RequestId, outcome: Result<T, McpError>) -> JsonRpcMessage {
    let serialized = match outcome {
        Ok(result) => JsonRpcMessage::response(id.clone(), &result),
        Err(McpError::InputRequired(r)) => JsonRpcMessage::response(id.clone(), &r),
        Err(McpError::TaskCreated(r)) => JsonRpcMessage::response(id.clone(), &r),
        Err(McpError::Rpc(e)) => return JsonRpcMessage::error(Some(id), e),
        Err(McpError::InvalidArguments(m)) => return JsonRpcMessage::error(Some(id), ErrorData::invalid_params(m)),
    };
    serialized.unwrap_or_else(|e| {
        JsonRpcMessage::error(Some(id), ErrorData::internal_error(format!("result does not serialize: {e}")))
    })
}

/// Read only the `_meta` of a message's params.
pub(crate) fn probe_meta(params: Option<&RawValue>) -> Option<Meta> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "_meta")]
        meta: Option<Meta>,
    }
    let params = params?.get();
    if !may_hold_meta(params) {
        return None;
    }
    serde_json::from_str::<Probe>(params).ok().and_then(|p| p.meta)
}

/// Whether JSON `params` may hold a `_meta` key, without parsing them: params without the key
/// need no second parse to find it. A key can only be spelled otherwise with an escape, so
/// params with one may hold it.
pub(crate) fn may_hold_meta(params: &str) -> bool {
    params.contains("_meta") || params.contains('\\')
}

/// Serves a running service's requests outside its engine: the returned future reads, runs
/// and answers one request. Its messages (notifications, then the answer) go to the transport's
/// [`Deliver`], in order. `ct` is the request's own token.
///
/// The caller polls the future once on its own task, where a handler that needs no waiting
/// completes, and spawns it otherwise. The engine does not see these requests: the caller owns
/// what the engine would do for them (cancelling `ct` on `notifications/cancelled`, refusing
/// an id already in flight, bounding how many run), and only hands over requests of an
/// initialized connection.
pub(crate) type InlineAnswerer =
    Arc<dyn Fn(JsonRpcRequest, http::Extensions, CancellationToken) -> BoxFuture<'static, ()> + Send + Sync>;

/// The [`InlineAnswerer`] of `service` on the connection of `peer`, delivering through `direct`.
pub(crate) fn inline_answerer<R: ServiceRole, S: Service<R>>(
    service: Arc<S>,
    peer: Peer<R>,
    direct: Arc<dyn Deliver>,
) -> InlineAnswerer {
    Arc::new(move |req, extensions, ct| {
        let output = Output::Direct(direct.clone());
        // Everything up to the handler is done here, before the future is built: the future
        // holds only what it still needs when it is polled.
        let (request, mut ctx) = match prepare(&peer, req, extensions, ct) {
            Ok(prepared) => prepared,
            Err((id, e)) => {
                let msg = JsonRpcMessage::error(Some(id.clone()), e);
                return Box::pin(async move {
                    output.send(Outbound::related(msg, Some(id))).await;
                });
            }
        };
        ctx.peer = ctx.peer.delivering_to(direct.clone());
        let id = ctx.id.clone();
        // A panic would otherwise end the caller's task (an HTTP connection) and leave the
        // request unanswered; the engine catches its own through the task's join. (`then`
        // rather than an `async` block awaiting it: the block would hold the answer twice.)
        let answering = AssertUnwindSafe(answer(service.clone(), request, ctx, output.clone())).catch_unwind();
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
