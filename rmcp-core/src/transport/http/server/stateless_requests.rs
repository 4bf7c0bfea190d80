//! The requests in flight on the shared 2026-07-28 engine, and where its messages go.
//!
//! Every stateless request gets a unique internal id on its way into the engine (many HTTP
//! clients may use the same JSON-RPC ids); [`StatelessRequests`] maps it back to the client's id
//! and to the HTTP response waiting for it. List-change notifications go instead to the open
//! `subscriptions/listen` streams that asked for them.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::task::{Context, Poll};

use foldhash::HashMap;
use futures_util::Sink;
use http::StatusCode;
use serde_json::Value;
use tokio::sync::mpsc;

use super::body::{shutting_down_error, status_of_error};
use super::listen_streams::ListenStreams;
use super::message_bus::{BusMessage, BusMessageKind, BusTarget, MessageBus, publish_in_background};
use super::sse::{Item, ItemTx, enqueue};
use super::sync::lock_ignoring_poison;
use crate::model::{
    CancelledNotificationParams, ErrorCode, ErrorData, JsonRpcMessage, JsonRpcNotification, RequestId,
    SubscriptionFilter, SubscriptionsListenResult, meta_keys, methods,
};
use crate::transport::{Extensions, Frame, Outbound};

/// The id a 2026-07-28 client gave its request, found in the handler's
/// [`RequestContext::extensions`](crate::service::RequestContext): the engine serves every
/// stateless request under an internal id of its own (many clients may use the same ids), which
/// is what `RequestContext::id` holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientRequestId(pub RequestId);

/// The HTTP response waiting for one request.
struct WaitingResponse {
    /// The id the client used.
    client_id: RequestId,
    tx: ItemTx,
}

/// The requests in flight on the shared stateless engine, by internal id, and its open listen
/// streams.
pub(crate) struct StatelessRequests {
    requests: Mutex<HashMap<i64, WaitingResponse>>,
    /// The service is shutting down and answered every request waiting (`fail_all`): a request
    /// registered from now on is answered at once. Set and read under the `requests` lock.
    failed_all: AtomicBool,
    /// At most this many client requests in `requests` (internal ones are not counted).
    max_in_flight: usize,
    in_flight: std::sync::atomic::AtomicUsize,
    listeners: ListenStreams,
    next_id: AtomicI64,
    /// Bumped by every tool list change, so cached tool schemas are read again.
    pub(crate) tools_generation: AtomicU64,
    /// The engine's input, to cancel requests and refuse server-to-client requests.
    input: mpsc::Sender<Box<io::Result<Frame>>>,
    /// The other instances, whose listen streams get this engine's list changes too.
    bus: Option<Arc<dyn MessageBus>>,
}

impl std::fmt::Debug for StatelessRequests {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatelessRequests").finish_non_exhaustive()
    }
}

impl StatelessRequests {
    /// No request in flight yet; at most `max_in_flight` of the clients' at once; the engine
    /// reads from `input`.
    pub(crate) fn new(input: mpsc::Sender<Box<io::Result<Frame>>>, max_in_flight: usize) -> Self {
        Self {
            requests: Mutex::new(HashMap::default()),
            failed_all: AtomicBool::new(false),
            max_in_flight,
            in_flight: std::sync::atomic::AtomicUsize::new(0),
            listeners: ListenStreams::default(),
            next_id: AtomicI64::new(1),
            tools_generation: AtomicU64::new(0),
            input,
            bus: None,
        }
    }

    /// Send list changes to the listen streams of the other instances on `bus` too.
    pub(crate) fn with_bus(mut self, bus: Option<Arc<dyn MessageBus>>) -> Self {
        self.bus = bus;
        self
    }

    /// A list change or resource update another instance's engine sent: to this instance's
    /// listen streams (never relayed again).
    pub(crate) fn broadcast_from_bus(&self, message: &str) {
        match JsonRpcMessage::from_slice(message.as_bytes()) {
            Ok(JsonRpcMessage::Notification(n)) if is_list_change(&n.method) => self.broadcast(&n),
            _ => tracing::debug!("a malformed list change on the bus; dropped"),
        }
    }

    /// Tell this instance's listen streams watching `uri` that the resource changed.
    pub(crate) fn resource_updated(&self, uri: &str) {
        let params = crate::model::ResourceUpdatedNotificationParams::new(uri);
        if let Ok(JsonRpcMessage::Notification(n)) =
            JsonRpcMessage::notification(methods::NOTIFICATION_RESOURCES_UPDATED, &params)
        {
            self.broadcast(&n);
        }
    }

    /// Send a list change to the other instances' listen streams, from a task of its own (this
    /// runs on the engine's writer).
    fn relay(&self, n: &JsonRpcMessage) {
        let Some(bus) = &self.bus else { return };
        let relayed = BusMessage::new(bus.as_ref(), "", BusMessageKind::ToListeners, n.to_json());
        publish_in_background(bus, BusTarget::All, relayed, "a list change");
    }

    /// Register a client's request under a fresh internal id; the guard cancels it if the HTTP
    /// response goes away before the answer (closing the stream is the 2026 way to cancel).
    /// `None` when `max_in_flight` requests are being served already.
    pub(crate) fn register(self: &Arc<Self>, client_id: RequestId, tx: ItemTx) -> Option<RequestGuard> {
        let taken = self.in_flight.fetch_add(1, Ordering::AcqRel);
        if taken >= self.max_in_flight {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        let mut guard = self.register_internal(client_id, tx);
        guard.counted = true;
        Some(guard)
    }

    /// Register a request the transport itself makes (not counted against the limit).
    pub(crate) fn register_internal(self: &Arc<Self>, client_id: RequestId, tx: ItemTx) -> RequestGuard {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut requests = lock_ignoring_poison(&self.requests);
        if self.failed_all.load(Ordering::Relaxed) {
            drop(requests);
            // Its answer would never come: the engine is stopping.
            enqueue(&tx, shutting_down_answer(client_id));
        } else {
            requests.insert(id, WaitingResponse { client_id, tx });
        }
        RequestGuard { requests: self.clone(), id, counted: false }
    }

    /// The service is shutting down and waits no longer: answer every request waiting, and any
    /// registered from now on, with a 503 error, so that no response waits for an engine that
    /// is about to stop.
    pub(crate) fn fail_all(&self) {
        let waiting: Vec<WaitingResponse> = {
            let mut requests = lock_ignoring_poison(&self.requests);
            self.failed_all.store(true, Ordering::Relaxed);
            requests.drain().map(|(_, waiting)| waiting).collect()
        };
        for waiting in waiting {
            enqueue(&waiting.tx, shutting_down_answer(waiting.client_id));
        }
    }

    /// How many requests wait for their answers, and the listen streams' counts.
    pub(crate) fn counts(&self) -> (usize, usize, usize) {
        let requests = lock_ignoring_poison(&self.requests).len();
        let (streams, uris) = self.listeners.counts();
        (requests, streams, uris)
    }

    /// Open a listen stream.
    pub(crate) fn listen(self: &Arc<Self>, id: RequestId, filter: &SubscriptionFilter, tx: ItemTx) -> ListenerGuard {
        let key = self.listeners.open(id, filter, tx);
        ListenerGuard { requests: self.clone(), key }
    }

    /// End every listen stream with its closing result (the service is shutting down).
    pub(crate) fn close_listeners(&self) {
        for (id, tx) in self.listeners.close_all() {
            let result = SubscriptionsListenResult::new(&id);
            if let Ok(msg) = JsonRpcMessage::response(id, &result) {
                enqueue(&tx, Item::from_message(&msg, true));
            }
        }
    }

    /// Put one of the engine's outgoing messages where it belongs.
    fn forward(&self, out: Outbound) {
        let Outbound { message, related_request, .. } = out;
        match &message {
            JsonRpcMessage::Notification(n) if is_list_change(&n.method) => {
                self.relay(&message);
                return self.broadcast(n);
            }
            JsonRpcMessage::Request(r) => return self.refuse_request(r.id.clone()),
            _ => {}
        }
        let Some(RequestId::Number(internal)) = related_request else {
            tracing::debug!("a stateless message related to no request; dropped");
            return;
        };
        let last = match &message {
            JsonRpcMessage::Response(r) => r.id == RequestId::Number(internal),
            JsonRpcMessage::Error(e) => e.id == Some(RequestId::Number(internal)),
            _ => false,
        };
        let target = {
            let mut requests = lock_ignoring_poison(&self.requests);
            if last {
                requests.remove(&internal).map(|r| (r.client_id, r.tx))
            } else {
                requests.get(&internal).map(|r| (r.client_id.clone(), r.tx.clone()))
            }
        };
        // Gone: the client closed the response, and the request was cancelled.
        let Some((client_id, tx)) = target else { return };
        let (message, status) = match message {
            JsonRpcMessage::Response(mut r) => {
                r.id = client_id;
                (JsonRpcMessage::Response(r), StatusCode::OK)
            }
            JsonRpcMessage::Error(mut e) => {
                let status =
                    if is_saturation(&e.error) { StatusCode::SERVICE_UNAVAILABLE } else { status_of_error(&e.error) };
                e.id = Some(client_id);
                (JsonRpcMessage::Error(e), status)
            }
            other => (other, StatusCode::OK),
        };
        enqueue(&tx, Item::from_message(&message, last).with_status(status));
    }

    /// Send a list change (or resource update) to every listen stream that asked for it, with
    /// the stream's subscription id in `_meta`.
    fn broadcast(&self, n: &JsonRpcNotification) {
        let mut params = n
            .params
            .as_deref()
            .and_then(|p| serde_json::from_str::<serde_json::Map<String, Value>>(p.get()).ok())
            .unwrap_or_default();
        if n.method == methods::NOTIFICATION_TOOLS_LIST_CHANGED {
            self.tools_generation.fetch_add(1, Ordering::Relaxed);
        }
        let uri = params.get("uri").and_then(Value::as_str).map(str::to_owned);
        for (id, tx) in self.listeners.wanting(&n.method, uri.as_deref()) {
            let meta = params.entry("_meta").or_insert_with(|| Value::Object(Default::default()));
            if let Value::Object(meta) = meta {
                meta.insert(meta_keys::SUBSCRIPTION_ID.to_owned(), serde_json::to_value(&id).unwrap_or_default());
            }
            if let Ok(msg) = JsonRpcMessage::notification(n.method.clone(), &params) {
                enqueue(&tx, Item::from_message(&msg, false));
            }
        }
    }

    /// A handler asked the client something on the 2026 path, where server-to-client requests do
    /// not exist: answer it at once with an error rather than let it wait forever.
    fn refuse_request(&self, id: RequestId) {
        let error = ErrorData::invalid_request(
            "a 2026-07-28 server cannot send requests to its client: return an input_required result instead",
        );
        self.feed_engine(JsonRpcMessage::error(Some(id), error));
    }

    /// Hand the engine a message of the transport's own without waiting (from a drop, or from
    /// the engine's writer): when its input is full, a task waits for room.
    fn feed_engine(&self, message: JsonRpcMessage) {
        let frame = Box::new(Ok(Frame::Message(message, Extensions::new())));
        if let Err(mpsc::error::TrySendError::Full(frame)) = self.input.try_send(frame)
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            let input = self.input.clone();
            rt.spawn(async move {
                let _ = input.send(frame).await;
            });
        }
    }

    /// Hand a request to the engine under its internal id; `false` when the engine is gone.
    pub(crate) async fn send_to_engine(&self, message: JsonRpcMessage, extensions: Extensions) -> bool {
        self.input.send(Box::new(Ok(Frame::Message(message, extensions)))).await.is_ok()
    }
}

/// The last item of a response the service will not finish, as it shuts down: a 503 error.
fn shutting_down_answer(client_id: RequestId) -> Box<Item> {
    let error = JsonRpcMessage::error(Some(client_id), shutting_down_error());
    Item::from_message(&error, true).with_status(StatusCode::SERVICE_UNAVAILABLE)
}

/// The engine's refusal of a request beyond its in-flight limit ([`StatelessRequests::register`]
/// refuses before it does; this catches the races): the server is saturated, which is a 503.
fn is_saturation(error: &ErrorData) -> bool {
    error.code == ErrorCode::INTERNAL_ERROR && error.message.starts_with("too many requests in flight")
}

fn is_list_change(method: &str) -> bool {
    matches!(
        method,
        methods::NOTIFICATION_TOOLS_LIST_CHANGED
            | methods::NOTIFICATION_PROMPTS_LIST_CHANGED
            | methods::NOTIFICATION_RESOURCES_LIST_CHANGED
            | methods::NOTIFICATION_RESOURCES_UPDATED
    )
}

/// A stateless request in flight; dropping it before the answer cancels the request.
#[derive(Debug)]
pub(crate) struct RequestGuard {
    requests: Arc<StatelessRequests>,
    id: i64,
    /// Counted against the in-flight limit.
    counted: bool,
}

impl RequestGuard {
    /// The request's id inside the engine.
    pub(crate) fn internal_id(&self) -> RequestId {
        RequestId::Number(self.id)
    }
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        if self.counted {
            self.requests.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
        if lock_ignoring_poison(&self.requests.requests).remove(&self.id).is_some() {
            let mut params = CancelledNotificationParams::new(RequestId::Number(self.id));
            params.reason = Some("the client closed the response stream".to_owned());
            if let Ok(msg) = JsonRpcMessage::notification(methods::NOTIFICATION_CANCELLED, &params) {
                self.requests.feed_engine(msg);
            }
        }
    }
}

/// An open listen stream; dropping it unsubscribes.
#[derive(Debug)]
pub(crate) struct ListenerGuard {
    requests: Arc<StatelessRequests>,
    key: u64,
}

impl Drop for ListenerGuard {
    fn drop(&mut self) {
        self.requests.listeners.close(self.key);
    }
}

/// The shared engine's sink: forwards every outgoing message at once, never waiting on a client.
#[derive(Debug)]
pub(crate) struct StatelessSink(pub(crate) Arc<StatelessRequests>);

impl Sink<Outbound> for StatelessSink {
    type Error = io::Error;

    fn poll_ready(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn start_send(self: Pin<&mut Self>, out: Outbound) -> io::Result<()> {
        self.0.forward(out);
        Ok(())
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
