//! The engine: one task per connection that reads frames, routes responses to the requests
//! waiting for them, spawns a task per incoming request, and feeds a writer task.
//!
//! Responses and notifications go straight from the task that made them to the writer; only
//! outgoing requests pass through the engine, which owns the table of pending requests, so no
//! lock is taken on the hot path.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::{Sink, SinkExt, StreamExt};
use serde_json::value::RawValue;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::peer::{Cancel, Command};
use super::{McpError, NotificationContext, Peer, RequestContext, Service, ServiceError, ServiceRole};
use crate::model::{
    CancelledNotificationParams, ErrorData, InboundMessage, JsonRpcError, JsonRpcMessage, JsonRpcNotification,
    JsonRpcRequest, Meta, ProgressNotificationParams, ProgressToken, RequestId, methods,
};
use crate::transport::{Frame, Outbound, Transport};

/// How many outgoing messages may queue for the writer before senders wait.
pub(crate) const WIRE_QUEUE: usize = 4096;
/// How many outgoing requests may queue for the engine before senders wait.
pub(crate) const COMMAND_QUEUE: usize = 1024;

/// Why a connection ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum QuitReason {
    /// The peer closed its side (for a stdio server: stdin reached EOF).
    Closed,
    /// The service was cancelled.
    Cancelled,
    /// The transport failed.
    TransportError(std::io::Error),
    /// The engine task panicked or was aborted.
    JoinError(tokio::task::JoinError),
}

struct Pending {
    responder: oneshot::Sender<Result<Box<RawValue>, ServiceError>>,
    progress: Option<ProgressToken>,
}

pub(crate) struct Engine<R: ServiceRole, S> {
    pub service: Arc<S>,
    pub peer: Peer<R>,
    pub commands: mpsc::Receiver<Command>,
    pub cancels: mpsc::UnboundedReceiver<Cancel>,
    pub wire: mpsc::Sender<Outbound>,
    pub wire_rx: mpsc::Receiver<Outbound>,
    pub ct: CancellationToken,
    pub drain_timeout: Duration,
    pub max_in_flight: usize,
}

/// State of the read loop.
struct Loop<R: ServiceRole, S> {
    service: Arc<S>,
    peer: Peer<R>,
    wire: mpsc::Sender<Outbound>,
    ct: CancellationToken,
    pending: HashMap<RequestId, Pending>,
    progress: HashMap<ProgressToken, mpsc::UnboundedSender<ProgressNotificationParams>>,
    running: HashMap<RequestId, CancellationToken>,
    tasks: JoinSet<Option<RequestId>>,
    max_in_flight: usize,
}

impl<R: ServiceRole, S: Service<R>> Engine<R, S> {
    pub(crate) async fn run<T: Transport>(self, transport: T) -> QuitReason {
        let Engine { service, peer, mut commands, mut cancels, wire, wire_rx, ct, drain_timeout, max_in_flight } = self;
        let (sink, mut stream) = transport.split();
        let writer_stop = CancellationToken::new();
        let writer = tokio::spawn(write_loop(sink, wire_rx, writer_stop.clone()));
        let mut st = Loop {
            service,
            peer,
            wire,
            ct: ct.clone(),
            pending: HashMap::new(),
            progress: HashMap::new(),
            running: HashMap::new(),
            tasks: JoinSet::new(),
            max_in_flight,
        };

        let mut reading = true;
        let mut drain_deadline: Option<tokio::time::Instant> = None;
        let mut reason = QuitReason::Closed;
        loop {
            if !reading && st.tasks.is_empty() {
                break;
            }
            let drain_sleep = async {
                match drain_deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = ct.cancelled() => {
                    reason = QuitReason::Cancelled;
                    break;
                }
                Some(cancel) = cancels.recv() => st.cancel_outgoing(cancel).await,
                Some(command) = commands.recv() => match command {
                    Command::Request { request, related, responder, progress } => {
                        if reading {
                            st.send_request(request, related, responder, progress).await;
                        } else {
                            let _ = responder.send(Err(ServiceError::TransportClosed));
                        }
                    }
                    Command::Close(timeout) => {
                        reading = false;
                        st.fail_pending(|| ServiceError::Cancelled { reason: Some("the service is closing".into()) });
                        drain_deadline = Some(tokio::time::Instant::now() + timeout);
                    }
                },
                Some(joined) = st.tasks.join_next(), if !st.tasks.is_empty() => {
                    if let Ok(Some(id)) = joined {
                        st.running.remove(&id);
                    }
                }
                frame = stream.next(), if reading => match frame {
                    Some(Ok(Frame::Message(msg, extensions))) => st.on_message(msg, extensions).await,
                    Some(Ok(Frame::Malformed(err))) => {
                        tracing::debug!(error = %err.error, "malformed input");
                        st.write(Outbound::new(JsonRpcMessage::Error(err))).await;
                    }
                    Some(Err(e)) => {
                        tracing::debug!(error = %e, "transport read failed");
                        reason = QuitReason::TransportError(e);
                        reading = false;
                        st.fail_pending(|| ServiceError::TransportClosed);
                        drain_deadline = Some(tokio::time::Instant::now() + drain_timeout);
                    }
                    None => {
                        reading = false;
                        st.fail_pending(|| ServiceError::TransportClosed);
                        drain_deadline = Some(tokio::time::Instant::now() + drain_timeout);
                    }
                },
                () = drain_sleep => break,
            }
        }

        // Whatever is still running now is cut short.
        for token in st.running.values() {
            token.cancel();
        }
        st.tasks.shutdown().await;
        if matches!(reason, QuitReason::Cancelled) {
            st.fail_pending(|| ServiceError::Cancelled { reason: Some("the service was cancelled".into()) });
        } else {
            st.fail_pending(|| ServiceError::TransportClosed);
        }
        ct.cancel();
        writer_stop.cancel();
        match writer.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::debug!(error = %e, "transport write failed at shutdown"),
            Err(e) => tracing::debug!(error = %e, "writer task failed"),
        }
        reason
    }
}

impl<R: ServiceRole, S: Service<R>> Loop<R, S> {
    async fn write(&self, msg: Outbound) {
        let _ = self.wire.send(msg).await;
    }

    /// Fail every request still waiting for the peer: the transport is gone, or we stop.
    fn fail_pending(&mut self, error: impl Fn() -> ServiceError) {
        for (_, p) in self.pending.drain() {
            let _ = p.responder.send(Err(error()));
        }
        self.progress.clear();
    }

    async fn send_request(
        &mut self,
        request: JsonRpcRequest,
        related: Option<RequestId>,
        responder: oneshot::Sender<Result<Box<RawValue>, ServiceError>>,
        progress: Option<(ProgressToken, mpsc::UnboundedSender<ProgressNotificationParams>)>,
    ) {
        let progress_token = progress.map(|(token, tx)| {
            self.progress.insert(token.clone(), tx);
            token
        });
        self.pending.insert(request.id.clone(), Pending { responder, progress: progress_token });
        if self.wire.send(Outbound::related(JsonRpcMessage::Request(request), related)).await.is_err() {
            self.fail_pending(|| ServiceError::TransportClosed);
        }
    }

    async fn cancel_outgoing(&mut self, cancel: Cancel) {
        let Some(p) = self.pending.remove(&cancel.id) else { return };
        if let Some(token) = p.progress {
            self.progress.remove(&token);
        }
        let mut params = CancelledNotificationParams::new(cancel.id);
        params.reason = cancel.reason;
        if let Ok(msg) = JsonRpcMessage::notification(methods::NOTIFICATION_CANCELLED, &params) {
            self.write(Outbound::new(msg)).await;
        }
    }

    async fn on_message(&mut self, msg: JsonRpcMessage, extensions: http::Extensions) {
        match msg {
            JsonRpcMessage::Request(req) => self.on_request(req, extensions).await,
            JsonRpcMessage::Notification(n) => self.on_notification(n, extensions),
            JsonRpcMessage::Response(resp) => self.resolve(resp.id, Ok(resp.result)),
            JsonRpcMessage::Error(JsonRpcError { id: Some(id), error }) => {
                self.resolve(id, Err(ServiceError::McpError(error)))
            }
            JsonRpcMessage::Error(JsonRpcError { id: None, error }) => {
                tracing::warn!(%error, "the peer reported an error about a message it could not read");
            }
        }
    }

    fn resolve(&mut self, id: RequestId, result: Result<Box<RawValue>, ServiceError>) {
        match self.pending.remove(&id) {
            Some(p) => {
                if let Some(token) = p.progress {
                    self.progress.remove(&token);
                }
                let _ = p.responder.send(result);
            }
            None => tracing::debug!(%id, "response to an unknown or cancelled request"),
        }
    }

    async fn on_request(&mut self, req: JsonRpcRequest, extensions: http::Extensions) {
        let JsonRpcRequest { id, method, params } = req;
        let parsed = R::PeerRequest::parse(&method, params.as_deref());
        // `_meta` decides the era before the params are judged, so it is read on its own.
        let meta = probe_meta(params.as_deref());
        let method_known = !matches!(&parsed, Err(e) if e.code == crate::model::ErrorCode::METHOD_NOT_FOUND);
        let admitted = R::admit(&self.peer, &method, meta.as_ref(), method_known);
        let (request, protocol_version) = match (admitted, parsed) {
            (Ok(version), Ok(request)) => (request, version),
            (Err(e), _) | (Ok(_), Err(e)) => {
                self.write(Outbound::related(JsonRpcMessage::error(Some(id.clone()), e), Some(id))).await;
                return;
            }
        };
        if self.running.len() >= self.max_in_flight {
            // Refuse rather than queue: memory stays bounded, and we keep reading, so the
            // responses our running handlers wait for still get through.
            let e = ErrorData::internal_error(format!(
                "too many requests in flight (limit {}); retry later",
                self.max_in_flight
            ));
            self.write(Outbound::related(JsonRpcMessage::error(Some(id.clone()), e), Some(id))).await;
            return;
        }
        let ct = self.ct.child_token();
        self.running.insert(id.clone(), ct.clone());
        let ctx = RequestContext {
            id: id.clone(),
            meta: meta.unwrap_or_default(),
            protocol_version,
            ct: ct.clone(),
            peer: self.peer.related_to(id.clone()),
            extensions,
        };
        let reply = answer(self.service.clone(), request, ctx, ct, self.wire.clone(), id);
        if R::is_ordered(&method) {
            // The handshake must finish before the next message is read, so a client that
            // pipelines requests right behind `initialize` is served in order.
            reply.await;
        } else {
            self.tasks.spawn(reply);
        }
    }

    fn on_notification(&mut self, n: JsonRpcNotification, extensions: http::Extensions) {
        let JsonRpcNotification { method, params } = n;
        match method.as_ref() {
            methods::NOTIFICATION_CANCELLED => {
                match params.as_deref().map(|p| serde_json::from_str::<CancelledNotificationParams>(p.get())) {
                    Some(Ok(p)) => {
                        if let Some(id) = &p.request_id
                            && let Some(token) = self.running.remove(id)
                        {
                            tracing::debug!(%id, reason = ?p.reason, "the peer cancelled a request");
                            token.cancel();
                        }
                    }
                    _ => tracing::debug!("ignoring a malformed cancellation"),
                }
                return;
            }
            methods::NOTIFICATION_PROGRESS => {
                if let Some(Ok(p)) =
                    params.as_deref().map(|p| serde_json::from_str::<ProgressNotificationParams>(p.get()))
                    && let Some(tx) = self.progress.get(&p.progress_token)
                {
                    let _ = tx.send(p);
                    return;
                }
            }
            _ => {}
        }
        let notification = match R::PeerNotification::parse(&method, params.as_deref()) {
            Ok(n) => n,
            Err(e) => {
                tracing::debug!(%method, error = %e, "ignoring a notification");
                return;
            }
        };
        let ctx = NotificationContext {
            meta: probe_meta(params.as_deref()).unwrap_or_default(),
            peer: self.peer.clone(),
            extensions,
        };
        let service = self.service.clone();
        self.tasks.spawn(async move {
            service.handle_notification(notification, ctx).await;
            None
        });
    }
}

/// Run one request's handler and write its answer, unless the request was cancelled meanwhile.
async fn answer<R: ServiceRole, S: Service<R>>(
    service: Arc<S>,
    request: R::PeerRequest,
    ctx: RequestContext<R>,
    ct: CancellationToken,
    wire: mpsc::Sender<Outbound>,
    id: RequestId,
) -> Option<RequestId> {
    // Cancellation is cooperative: the handler sees its token and stops when it likes; whatever
    // it returns after a cancellation is dropped, as the peer no longer waits for it.
    let outcome = service.handle_request(request, ctx).await;
    if ct.is_cancelled() {
        return Some(id);
    }
    let msg = match outcome {
        Ok(result) => JsonRpcMessage::response(id.clone(), &result),
        Err(McpError::InputRequired(r)) => JsonRpcMessage::response(id.clone(), &r),
        Err(McpError::Rpc(e)) => Ok(JsonRpcMessage::error(Some(id.clone()), e)),
        Err(McpError::InvalidArguments(m)) => Ok(JsonRpcMessage::error(Some(id.clone()), ErrorData::invalid_params(m))),
    };
    let msg = msg.unwrap_or_else(|e| {
        JsonRpcMessage::error(Some(id.clone()), ErrorData::internal_error(format!("result does not serialize: {e}")))
    });
    let _ = wire.send(Outbound::related(msg, Some(id.clone()))).await;
    Some(id)
}

/// Read only the `_meta` of a message's params.
fn probe_meta(params: Option<&RawValue>) -> Option<Meta> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "_meta")]
        meta: Option<Meta>,
    }
    params.and_then(|p| serde_json::from_str::<Probe>(p.get()).ok()).and_then(|p| p.meta)
}

/// Write messages, batching: everything queued is fed before one flush.
async fn write_loop<W>(mut sink: W, mut rx: mpsc::Receiver<Outbound>, stop: CancellationToken) -> std::io::Result<()>
where
    W: Sink<Outbound, Error = std::io::Error> + Unpin,
{
    loop {
        let first = tokio::select! {
            biased;
            m = rx.recv() => m,
            () = stop.cancelled() => rx.try_recv().ok(),
        };
        let Some(first) = first else { break };
        sink.feed(first).await?;
        while let Ok(more) = rx.try_recv() {
            sink.feed(more).await?;
        }
        sink.flush().await?;
    }
    sink.close().await
}
