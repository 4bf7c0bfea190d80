//! The engine: one task per connection that reads frames, routes responses to the requests
//! waiting for them, serves incoming requests, and writes.
//!
//! An incoming request is polled once on the engine's task: a handler that needs no waiting is
//! answered there, without a task of its own; one that waits is spawned and tracked (for
//! cancellation and the in-flight limit) until it ends. Responses and notifications go straight
//! from the task that made them to the writer; only outgoing requests pass through the engine,
//! which owns the table of pending requests, so no lock is taken on the hot path.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use foldhash::HashMap;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use serde_json::value::RawValue;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::dispatch;
use super::peer::{Cancel, Command};
use super::{DynService, EngineStats, NotificationContext, Peer, ServiceError, ServiceRole};
use crate::model::{
    CancelledNotificationParams, ErrorData, InboundMessage, JsonRpcError, JsonRpcMessage, JsonRpcNotification,
    JsonRpcRequest, ProgressNotificationParams, ProgressToken, RequestId, methods,
};
use crate::transport::{Extensions, Frame, Outbound};

/// How many outgoing messages may queue for the writer before senders wait.
pub(crate) const WIRE_QUEUE: usize = 4096;
/// How many outgoing requests may queue for the engine before senders wait.
pub(crate) const COMMAND_QUEUE: usize = 1024;

/// A transport's sending half, its type erased.
pub(crate) type BoxSink = Pin<Box<dyn Sink<Outbound, Error = std::io::Error> + Send>>;
/// A transport's receiving half, its type erased.
pub(crate) type BoxStream = Pin<Box<dyn Stream<Item = std::io::Result<Frame>> + Send>>;

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

impl QuitReason {
    /// `error.type` of a session that ended so, if it ended badly.
    #[cfg(feature = "otel")]
    fn error_type(&self) -> Option<&'static str> {
        match self {
            QuitReason::Closed | QuitReason::Cancelled => None,
            QuitReason::TransportError(_) => Some("transport_error"),
            QuitReason::JoinError(_) => Some("_OTHER"),
        }
    }
}

struct Pending {
    responder: oneshot::Sender<Result<Box<RawValue>, ServiceError>>,
    progress: Option<ProgressToken>,
}

/// The engine's queues carry boxed items: a tokio channel allocates its first block of 32 slots
/// when it is created, so boxing keeps an idle connection's queues at 8 bytes a slot (this is
/// most of what an idle HTTP session costs) for one small allocation per message.
pub(crate) struct Engine<R: ServiceRole> {
    pub service: Arc<dyn DynService<R>>,
    pub peer: Peer<R>,
    pub commands: mpsc::Receiver<Box<Command>>,
    pub wire: mpsc::Sender<Box<Outbound>>,
    pub wire_rx: mpsc::Receiver<Box<Outbound>>,
    pub ct: CancellationToken,
    pub drain_timeout: Duration,
    pub max_in_flight: usize,
    pub inline_requests: bool,
}

/// A notification of the peer's waiting for the service, with what telemetry keeps of it.
type QueuedNotification<R> = Box<(<R as ServiceRole>::PeerNotification, NotificationContext<R>, dispatch::Observed)>;

/// A request of the peer's that a handler is serving.
struct Running {
    ct: CancellationToken,
}

/// State of the read loop.
struct Loop<R: ServiceRole> {
    service: Arc<dyn DynService<R>>,
    peer: Peer<R>,
    wire: mpsc::Sender<Box<Outbound>>,
    /// Messages the engine itself produced while the writer's queue was full. The loop never
    /// waits on the queue, so it keeps reading (responses our handlers wait for still arrive)
    /// and stays responsive to cancellation.
    overflow: VecDeque<Box<Outbound>>,
    ct: CancellationToken,
    pending: HashMap<RequestId, Pending>,
    progress: HashMap<ProgressToken, mpsc::UnboundedSender<ProgressNotificationParams>>,
    /// Requests whose handlers run; an entry stays until its task ends, even when cancelled, so
    /// the in-flight limit counts work that really runs.
    running: HashMap<RequestId, Running>,
    tasks: JoinSet<()>,
    task_ids: HashMap<tokio::task::Id, RequestId>,
    /// While this task (the handshake) runs, the peer's requests and notifications are held
    /// back, so those pipelined behind `initialize` are served after it; responses still flow,
    /// so the handshake itself may talk to the peer.
    ordered: Option<tokio::task::Id>,
    held: VecDeque<(JsonRpcMessage, Extensions)>,
    /// The task handing a notification to the service, if one runs: notifications are handled
    /// one at a time, in the order they came, without a task standing by on an idle connection.
    notifying: Option<tokio::task::Id>,
    /// Notifications waiting for it.
    notifications: VecDeque<QueuedNotification<R>>,
    max_in_flight: usize,
    /// How many requests from now go straight to tasks of their own, rather than being polled
    /// on the engine's task first (see [`Loop::answer_inline`]).
    spawn_next: u32,
    /// Inline polling is on for this connection ([`ServeOptions::inline_requests`](super::ServeOptions::inline_requests)).
    inline_requests: bool,
}

/// How long a handler may compute on the engine's task before requests go to tasks of their own.
const INLINE_BUDGET: Duration = Duration::from_micros(500);
/// How many requests go to tasks of their own after a handler overran [`INLINE_BUDGET`].
const SPAWN_AFTER_SLOW: u32 = 256;

/// Stop reading while this many of the engine's own messages wait for the writer.
const OVERFLOW_PAUSE: usize = 1024;
/// How many notifications may wait for the service before new ones are dropped.
const NOTIFICATION_QUEUE: usize = 256;
/// How many frames are read at most before the writer gets its turn.
const READ_BURST: u32 = 32;
/// How long the writer may take to flush at shutdown before it is abandoned.
const WRITER_SHUTDOWN: Duration = Duration::from_secs(5);

impl<R: ServiceRole> Engine<R> {
    pub(crate) async fn run(self, sink: BoxSink, mut stream: BoxStream) -> QuitReason {
        let Engine { service, peer, mut commands, wire, wire_rx, ct, drain_timeout, max_in_flight, inline_requests } =
            self;
        #[cfg(feature = "otel")]
        let started = Instant::now();
        let writer_stop = CancellationToken::new();
        // The writer runs on this task, polled beside the reading: an answer made here is
        // written in the same wake-up, without handing it to another thread. It never holds up
        // reading: a blocked write is just a pending branch.
        let writer = write_loop(sink, wire_rx, writer_stop.clone());
        tokio::pin!(writer);
        let mut st = Loop {
            service,
            peer,
            wire,
            overflow: VecDeque::new(),
            ct: ct.clone(),
            pending: HashMap::default(),
            progress: HashMap::default(),
            running: HashMap::default(),
            tasks: JoinSet::new(),
            task_ids: HashMap::default(),
            ordered: None,
            held: VecDeque::new(),
            notifying: None,
            notifications: VecDeque::new(),
            max_in_flight,
            spawn_next: 0,
            inline_requests,
        };

        let mut reading = true;
        let mut writer_done = false;
        // Frames read since the writer last had its turn.
        let mut burst = 0;
        let mut drain_deadline: Option<tokio::time::Instant> = None;
        let mut reason = QuitReason::Closed;
        loop {
            // Requests still running are waited for (up to the drain deadline); a notification
            // handler is not, as nobody waits for its outcome.
            if !reading && st.running.is_empty() && st.overflow.is_empty() {
                break;
            }
            let drain_sleep = async {
                match drain_deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            let may_read = reading && st.held.len() < OVERFLOW_PAUSE && st.overflow.len() < OVERFLOW_PAUSE;
            // Only while messages overflow: wait for room in the writer's queue.
            let spare = (!st.overflow.is_empty()).then(|| st.wire.clone());
            let room = async {
                match &spare {
                    Some(wire) => wire.reserve().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = ct.cancelled() => {
                    reason = QuitReason::Cancelled;
                    break;
                }
                Ok(permit) = room => {
                    if let Some(msg) = st.overflow.pop_front() {
                        permit.send(msg);
                    }
                }
                Some(joined) = st.tasks.join_next_with_id(), if !st.tasks.is_empty() => st.on_joined(joined),
                Some(command) = commands.recv() => match *command {
                    Command::Request { request, related, responder, progress } => {
                        if reading {
                            st.send_request(request, related, responder, progress);
                        } else {
                            let _ = responder.send(Err(ServiceError::TransportClosed));
                        }
                    }
                    Command::Cancel(cancel) => st.cancel_outgoing(cancel),
                    Command::Stats(reply) => {
                        let _ = reply.send(st.stats());
                    }
                    Command::Close(timeout) => {
                        reading = false;
                        st.fail_pending(|| ServiceError::Cancelled { reason: Some("the service is closing".into()) });
                        drain_deadline = Some(tokio::time::Instant::now() + timeout);
                    }
                },
                frame = stream.next(), if may_read && burst < READ_BURST => match frame {
                    Some(Ok(Frame::Message(msg, extensions))) => {
                        burst += 1;
                        st.on_message(msg, extensions);
                    }
                    Some(Ok(Frame::Malformed(err))) => {
                        burst += 1;
                        tracing::debug!(error = %err.error, "malformed input");
                        st.write(Outbound::new(JsonRpcMessage::Error(err)));
                    }
                    Some(Ok(Frame::AnswerLost { id, reason })) => {
                        burst += 1;
                        st.resolve(id, Err(ServiceError::AnswerLost { reason }));
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
                // Written once nothing more is ready to read (or after a burst of reads), so
                // that pipelined answers leave in one write.
                written = &mut writer, if !writer_done => {
                    writer_done = true;
                    let e = match written {
                        Ok(()) => std::io::Error::other("the writer stopped"),
                        Err(e) => e,
                    };
                    tracing::debug!(error = %e, "transport write failed");
                    reason = QuitReason::TransportError(e);
                    break;
                }
                () = std::future::ready(()), if burst >= READ_BURST => burst = 0,
                () = drain_sleep => break,
            }
        }

        // No command is served from here on: refuse new ones at once, and fail those queued,
        // rather than leave them waiting while the writer takes its time to give up.
        commands.close();
        while let Ok(command) = commands.try_recv() {
            if let Command::Request { responder, .. } = *command {
                let _ = responder.send(Err(ServiceError::TransportClosed));
            }
        }
        // Whatever is still running now is cut short.
        for running in st.running.values() {
            running.ct.cancel();
        }
        st.tasks.shutdown().await;
        if matches!(reason, QuitReason::Cancelled) {
            st.fail_pending(|| ServiceError::Cancelled { reason: Some("the service was cancelled".into()) });
        } else {
            st.fail_pending(|| ServiceError::TransportClosed);
        }
        ct.cancel();
        // Hand the writer what is left, then give it a bounded time to flush.
        for msg in st.overflow.drain(..) {
            if st.wire.try_send(msg).is_err() {
                break;
            }
        }
        writer_stop.cancel();
        if !writer_done {
            match tokio::time::timeout(WRITER_SHUTDOWN, &mut writer).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::debug!(error = %e, "transport write failed at shutdown"),
                Err(_) => tracing::debug!("the writer did not finish in time; abandoning it"),
            }
        }
        #[cfg(feature = "otel")]
        st.peer.shared.telemetry.session_ended(started.elapsed(), st.peer.protocol_version(), reason.error_type());
        reason
    }
}

impl<R: ServiceRole> Loop<R> {
    fn stats(&self) -> EngineStats {
        EngineStats {
            pending_requests: self.pending.len(),
            progress_subscriptions: self.progress.len(),
            requests_running: self.running.len(),
            tasks: self.tasks.len(),
            task_ids: self.task_ids.len(),
            held_messages: self.held.len(),
            queued_notifications: self.notifications.len(),
            overflow_messages: self.overflow.len(),
        }
    }

    /// Queue a message for the writer without waiting.
    fn write(&mut self, msg: Outbound) {
        let msg = Box::new(msg);
        if !self.overflow.is_empty() {
            self.overflow.push_back(msg);
            return;
        }
        match self.wire.try_send(msg) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(msg)) => self.overflow.push_back(msg),
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    fn write_error(&mut self, id: RequestId, error: ErrorData) {
        self.write(Outbound::related(JsonRpcMessage::error(Some(id.clone()), error), Some(id)));
    }

    /// Fail every request still waiting for the peer: the transport is gone, or we stop.
    fn fail_pending(&mut self, error: impl Fn() -> ServiceError) {
        for (_, p) in self.pending.drain() {
            let _ = p.responder.send(Err(error()));
        }
        self.progress.clear();
    }

    fn send_request(
        &mut self,
        request: JsonRpcRequest,
        related: Option<RequestId>,
        responder: oneshot::Sender<Result<Box<RawValue>, ServiceError>>,
        progress: Option<(ProgressToken, mpsc::UnboundedSender<ProgressNotificationParams>)>,
    ) {
        if responder.is_closed() {
            // The caller gave up (dropped or timed out) before we got to send it.
            return;
        }
        let progress_token = progress.map(|(token, tx)| {
            self.progress.insert(token.clone(), tx);
            token
        });
        self.pending.insert(request.id.clone(), Pending { responder, progress: progress_token });
        self.write(Outbound::related(JsonRpcMessage::Request(request), related));
    }

    fn cancel_outgoing(&mut self, cancel: Cancel) {
        let Some(p) = self.pending.remove(&cancel.id) else { return };
        if let Some(token) = p.progress {
            self.progress.remove(&token);
        }
        let mut params = CancelledNotificationParams::new(cancel.id);
        params.reason = cancel.reason;
        if let Ok(msg) = JsonRpcMessage::notification(methods::NOTIFICATION_CANCELLED, &params) {
            self.write(Outbound::new(msg));
        }
    }

    fn on_joined(&mut self, joined: Result<(tokio::task::Id, ()), tokio::task::JoinError>) {
        let (task, panicked) = match joined {
            Ok((task, ())) => (task, false),
            Err(e) => (e.id(), e.is_panic()),
        };
        if self.ordered == Some(task) {
            self.ordered = None;
            while self.ordered.is_none()
                && let Some((msg, extensions)) = self.held.pop_front()
            {
                self.on_message(msg, extensions);
            }
        }
        if self.notifying == Some(task) {
            self.notifying = None;
            if let Some(next) = self.notifications.pop_front() {
                self.notify(next);
            }
            return;
        }
        let Some(id) = self.task_ids.remove(&task) else { return };
        let Some(running) = self.running.remove(&id) else { return };
        if panicked && !running.ct.is_cancelled() {
            tracing::error!(%id, "a request handler panicked");
            self.write_error(id, ErrorData::internal_error("the request handler failed"));
        }
    }

    fn on_message(&mut self, msg: JsonRpcMessage, extensions: Extensions) {
        if self.ordered.is_some() && matches!(msg, JsonRpcMessage::Request(_) | JsonRpcMessage::Notification(_)) {
            self.held.push_back((msg, extensions));
            return;
        }
        match msg {
            JsonRpcMessage::Request(req) => self.on_request(req, extensions),
            JsonRpcMessage::Notification(n) => self.on_notification(n, extensions),
            JsonRpcMessage::Response(resp) => self.resolve(resp.id, Ok(resp.result)),
            JsonRpcMessage::Error(JsonRpcError { id: Some(id), error }) => {
                self.resolve(id, Err(ServiceError::ErrorResponse(error)))
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

    fn on_request(&mut self, req: JsonRpcRequest, extensions: Extensions) {
        if self.running.contains_key(&req.id) {
            let e =
                ErrorData::invalid_request(format!("request id {} is already in use by a request in flight", req.id));
            return self.write_error(req.id, e);
        }
        if self.running.len() >= self.max_in_flight {
            // Refuse rather than queue: memory stays bounded, and we keep reading, so the
            // responses our running handlers wait for still get through.
            let e = ErrorData::internal_error(format!(
                "too many requests in flight (limit {}); retry later",
                self.max_in_flight
            ));
            return self.write_error(req.id, e);
        }
        let ordered = R::is_ordered(&req.method);
        let ct = self.ct.child_token();
        let (request, ctx, observed) = match dispatch::prepare(&self.peer, req, extensions, ct.clone()) {
            Ok(prepared) => prepared,
            Err((id, e)) => return self.write_error(id, e),
        };
        let id = ctx.id.clone();
        let output = dispatch::Output::Writer(self.wire.clone());
        let mut reply = Box::pin(dispatch::answer(self.service.clone(), request, ctx, output, observed));
        let inline = self.inline_requests && self.spawn_next == 0;
        self.spawn_next = self.spawn_next.saturating_sub(1);
        if inline && self.answer_inline(&id, reply.as_mut()) {
            return;
        }
        let handle = self.tasks.spawn(reply);
        if ordered {
            self.ordered = Some(handle.id());
        }
        self.task_ids.insert(handle.id(), id.clone());
        self.running.insert(id, Running { ct });
    }

    /// Poll a request's answer once on the engine's own task ([`dispatch::poll_once`]). `false`
    /// when it must wait: the caller then spawns it.
    ///
    /// A handler that computes for long before its first wait holds up the reading of every
    /// later message; after one takes over [`INLINE_BUDGET`] (a slow tool, or a first call
    /// building its schema validator), the next [`SPAWN_AFTER_SLOW`] requests get tasks at once.
    fn answer_inline(&mut self, id: &RequestId, reply: Pin<&mut (dyn Future<Output = ()> + Send)>) -> bool {
        let started = Instant::now();
        let polled = std::panic::catch_unwind(AssertUnwindSafe(|| dispatch::poll_once(reply)));
        if started.elapsed() > INLINE_BUDGET {
            self.spawn_next = SPAWN_AFTER_SLOW;
        }
        match polled {
            Ok(Poll::Ready(())) => true,
            Ok(Poll::Pending) => false,
            Err(_) => {
                tracing::error!(%id, "a request handler panicked");
                self.write_error(id.clone(), ErrorData::internal_error("the request handler failed"));
                true
            }
        }
    }

    fn on_notification(&mut self, n: JsonRpcNotification, extensions: Extensions) {
        let JsonRpcNotification { method, params } = n;
        #[cfg(feature = "otel")]
        let mut observed = super::telemetry::Incoming::notification(
            &self.peer.shared.telemetry,
            &method,
            params.as_deref(),
            dispatch::probe_meta(params.as_deref()).as_ref(),
            &extensions,
        );
        #[cfg(not(feature = "otel"))]
        let observed = ();
        match method.as_ref() {
            methods::NOTIFICATION_CANCELLED => {
                match params.as_deref().map(|p| serde_json::from_str::<CancelledNotificationParams>(p.get())) {
                    Some(Ok(p)) => {
                        if let Some(id) = &p.request_id
                            && let Some(running) = self.running.get(id)
                        {
                            tracing::debug!(%id, reason = ?p.reason, "the peer cancelled a request");
                            running.ct.cancel();
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
        // A client's list cache and listen streams see it first, whatever the handler does.
        #[cfg(feature = "client")]
        if let Some(state) = self.peer.shared.client_state.get() {
            state.observe(&method, params.as_deref());
        }
        let notification = match R::PeerNotification::parse(&method, params.as_deref()) {
            Ok(n) => n,
            Err(e) => {
                tracing::debug!(%method, error = %e, "ignoring a notification");
                #[cfg(feature = "otel")]
                observed.refused(&e);
                return;
            }
        };
        let ctx = NotificationContext {
            meta: dispatch::probe_meta(params.as_deref()).unwrap_or_default(),
            peer: self.peer.clone(),
            extensions,
        };
        let notification = Box::new((notification, ctx, observed));
        if self.notifying.is_none() {
            self.notify(notification);
        } else if self.notifications.len() < NOTIFICATION_QUEUE {
            self.notifications.push_back(notification);
        } else {
            tracing::warn!(%method, "dropping a notification: the handler is not keeping up");
        }
    }

    /// Hand a notification to the service on a task of its own (the read loop never waits for
    /// a handler); the next one starts when it is done.
    fn notify(&mut self, notification: QueuedNotification<R>) {
        let service = self.service.clone();
        let handle = self.tasks.spawn(async move {
            let (notification, ctx, observed) = *notification;
            let handling = service.handle_notification_dyn(notification, ctx);
            // The handler runs in the notification's span, whose operation ends with it.
            #[cfg(feature = "otel")]
            {
                observed.instrument(handling).await;
                drop(observed);
            }
            #[cfg(not(feature = "otel"))]
            {
                let () = observed;
                handling.await;
            }
        });
        self.notifying = Some(handle.id());
    }
}

/// Write messages, batching: everything queued is fed before one flush.
async fn write_loop<W>(
    mut sink: W,
    mut rx: mpsc::Receiver<Box<Outbound>>,
    stop: CancellationToken,
) -> std::io::Result<()>
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
        sink.feed(*first).await?;
        while let Ok(more) = rx.try_recv() {
            sink.feed(*more).await?;
        }
        sink.flush().await?;
    }
    sink.close().await
}
