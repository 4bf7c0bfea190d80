//! Server-Sent Events: encoding events, the queue of each HTTP response, and the body stream that
//! writes a response's events as they are queued (with keep-alive comments while nothing
//! happens).

use std::any::Any;
use std::collections::VecDeque;
use std::fmt::{self, Write as _};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::Stream;
use http::StatusCode;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, Interval, MissedTickBehavior};

use super::config::StreamableHttpConfig;
use super::event_store::EventStore;
use super::sync::lock_ignoring_poison;
use crate::model::JsonRpcMessage;

/// The id of an event of a resumable (2025) stream: `<stream>-<seq>` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EventId {
    pub(crate) stream: u64,
    pub(crate) seq: u64,
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.stream, self.seq)
    }
}

/// One serialized message on its way to an HTTP response.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// The SSE event id, on resumable (2025) streams.
    pub(crate) event_id: Option<EventId>,
    /// The JSON-RPC message; empty for the [end marker](ItemKind::End).
    pub(crate) data: Bytes,
    /// What the message is.
    pub(crate) kind: ItemKind,
    /// Nothing follows this item: it ends the response.
    pub(crate) last: bool,
    /// The HTTP status the response gets if it is answered as plain JSON.
    pub(crate) status: StatusCode,
}

/// What an [`Item`] carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemKind {
    /// A JSON-RPC response answering a request of the client.
    Response,
    /// A JSON-RPC error answering a request of the client.
    Error,
    /// A notification: the one kind of message that may be dropped when a client reads too
    /// slowly.
    Notification,
    /// A request to the client.
    Request,
    /// Every request the response served was cancelled, so no answer comes: the response ends
    /// here without writing anything.
    End,
}

impl ItemKind {
    fn of_message(message: &JsonRpcMessage) -> Self {
        match message {
            JsonRpcMessage::Response(_) => Self::Response,
            JsonRpcMessage::Error(_) => Self::Error,
            JsonRpcMessage::Notification(_) => Self::Notification,
            JsonRpcMessage::Request(_) => Self::Request,
        }
    }

    /// Whether the item answers a request of the client (a response or an error).
    pub(crate) fn is_answer(self) -> bool {
        matches!(self, Self::Response | Self::Error)
    }
}

// Items are made boxed, as they travel (see [`items`]).
impl Item {
    /// `message`, serialized as `data`.
    pub(crate) fn new(event_id: Option<EventId>, data: Bytes, message: &JsonRpcMessage, last: bool) -> Box<Self> {
        let kind = ItemKind::of_message(message);
        Box::new(Self { event_id, data, kind, last, status: StatusCode::OK })
    }

    /// `message`, serialized.
    pub(crate) fn from_message(message: &JsonRpcMessage, last: bool) -> Box<Self> {
        Self::new(None, Bytes::from(message.to_json()), message, last)
    }

    /// Set the HTTP status of a JSON answer.
    pub(crate) fn with_status(mut self: Box<Self>, status: StatusCode) -> Box<Self> {
        self.status = status;
        self
    }

    /// The [end marker](ItemKind::End).
    pub(crate) fn end() -> Box<Self> {
        Box::new(Self { event_id: None, data: Bytes::new(), kind: ItemKind::End, last: true, status: StatusCode::OK })
    }

    /// Whether this is the [end marker](ItemKind::End).
    pub(crate) fn is_end(&self) -> bool {
        self.kind == ItemKind::End
    }
}

/// How many items may wait for one HTTP response whose client does not read.
const ITEM_QUEUE: usize = 256;

/// The sending side of the queue of one HTTP response.
pub(crate) type ItemTx = mpsc::Sender<Box<Item>>;
/// The receiving side of the queue of one HTTP response.
pub(crate) type ItemRx = mpsc::Receiver<Box<Item>>;

/// The queue of one HTTP response. Its items travel boxed, as on every queue of the server (see
/// [`UnboxingReceiver`](super::sync::UnboxingReceiver) for why).
pub(crate) fn items() -> (ItemTx, ItemRx) {
    mpsc::channel(ITEM_QUEUE)
}

/// Room for `id: <u64>-<u64>\n`.
const ID_LINE: usize = 4 + 20 + 1 + 20 + 1;

/// One event: `id:` (when resumable) and one `data:` line. Compact JSON holds no newline, so a
/// message always fits one line, and the whole event is one buffer: one write.
pub(crate) fn event(id: Option<EventId>, data: &[u8]) -> Bytes {
    let mut buf = BytesMut::with_capacity(data.len() + ID_LINE + 8);
    if let Some(id) = id {
        // Written in place: writing to a `BytesMut` does not fail.
        let _ = writeln!(buf, "id: {id}");
    }
    buf.put_slice(b"data: ");
    buf.put_slice(data);
    buf.put_slice(b"\n\n");
    buf.freeze()
}

/// The priming event a resumable stream starts with: an id to resume from, an empty `data`, and
/// the reconnection delay. Clients do not dispatch it, but remember its id.
pub(crate) fn priming(id: EventId, retry: Option<Duration>) -> Bytes {
    let mut buf = BytesMut::with_capacity(ID_LINE + 40);
    let _ = writeln!(buf, "id: {id}");
    if let Some(retry) = retry {
        let _ = writeln!(buf, "retry: {}", retry.as_millis());
    }
    buf.put_slice(b"data:\n\n");
    buf.freeze()
}

/// The event a resumed stream starts with when its replay misses events after `after`, the
/// client's `Last-Event-ID` (evicted, or never stored): `event: gap`, with
/// `{"lastEventId":"<after>"}` as data. Clients that know it learn that notifications or
/// requests of the stream were lost (a response never is); the others ignore an event of a
/// type they do not know, as the SSE standard has them do. It has no id, so the client's
/// `Last-Event-ID` stays where it was.
pub(crate) fn gap(after: EventId) -> Bytes {
    let mut buf = BytesMut::with_capacity(ID_LINE + 48);
    let _ = write!(buf, "event: gap\ndata: {{\"lastEventId\":\"{after}\"}}\n\n");
    buf.freeze()
}

/// Tells the event store which responses were written to their connection, so that it need keep
/// them no longer ([`EventStore::delivered`]).
#[derive(Clone)]
pub(crate) struct Receipts {
    store: Arc<dyn EventStore>,
    session: Arc<str>,
}

impl Receipts {
    /// Receipts for the events of `session` kept in `store`.
    pub(crate) fn new(store: Arc<dyn EventStore>, session: Arc<str>) -> Self {
        Self { store, session }
    }

    /// The response `id` was handed to its connection.
    pub(crate) fn delivered(&self, id: EventId) {
        self.store.delivered(&self.session, id.stream, id.seq);
    }
}

/// An SSE comment: ignored by clients, it keeps idle connections from being cut by proxies and
/// lets the server notice a client that went away.
const KEEP_ALIVE: &[u8] = b":\n\n";

/// The timers of an SSE body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    /// How often an idle stream gets a keep-alive comment.
    pub(crate) keep_alive: Option<Duration>,
    /// How long the stream may go without being read before it gives up its guard.
    pub(crate) write_timeout: Option<Duration>,
}

impl Timing {
    /// The timers `config` sets.
    pub(crate) fn from_config(config: &StreamableHttpConfig) -> Self {
        // A zero period means none: a timer cannot tick every zero seconds (tokio's `interval`
        // panics on it).
        let keep_alive = config.sse_keep_alive.filter(|period| !period.is_zero());
        Self { keep_alive, write_timeout: config.sse_write_timeout }
    }
}

/// What an SSE body shares with its watchdog: when the HTTP server last asked it for data, and
/// the guard it holds.
struct Watch {
    epoch: Instant,
    /// Milliseconds since `epoch` of the last poll.
    last_polled: AtomicU64,
    /// Held while the response is open; dropping it releases limits, marks activity, or cancels
    /// a stateless request whose client went away.
    guard: Mutex<Option<Box<dyn Any + Send>>>,
}

impl Watch {
    fn touch(&self) {
        self.last_polled.store(self.epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    fn idle(&self) -> Duration {
        let last = self.last_polled.load(Ordering::Relaxed);
        Duration::from_millis((self.epoch.elapsed().as_millis() as u64).saturating_sub(last))
    }

    fn lock(&self) -> MutexGuard<'_, Option<Box<dyn Any + Send>>> {
        lock_ignoring_poison(&self.guard)
    }
}

/// The body of an SSE response: first the events already known, then the items of its queue
/// until the last one (or until the sending end is dropped).
///
/// With a write timeout, a timer wakes the body regularly; the HTTP server polls it whenever it
/// can write. A body not polled for the whole timeout belongs to a client that does not read:
/// its watchdog then drops the guard (freeing the stream's slot), and the body ends when next
/// polled.
pub(crate) struct EventStream {
    head: VecDeque<Bytes>,
    rx: Option<ItemRx>,
    keep_alive: Option<Interval>,
    liveness: Option<Interval>,
    watch: Arc<Watch>,
    /// Dropped when the body ends or goes, which ends its watchdog at once rather than at the
    /// watchdog's next tick (a quarter of the write timeout later).
    watchdog: Option<oneshot::Sender<()>>,
    /// For resumable streams: tells the event store of each response written.
    receipts: Option<Receipts>,
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream").field("queued", &self.head.len()).field("open", &self.rx.is_some()).finish()
    }
}

fn interval(period: Duration) -> Interval {
    let mut interval = tokio::time::interval_at(Instant::now() + period, period);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    interval
}

impl EventStream {
    /// A body writing `head`, then the items of `rx`, holding `guard` while the response is open.
    pub(crate) fn new(
        head: impl IntoIterator<Item = Bytes>,
        rx: Option<ItemRx>,
        timing: Timing,
        guard: impl Any + Send,
    ) -> Self {
        let keep_alive = timing.keep_alive.filter(|_| rx.is_some()).map(interval);
        let watch = Arc::new(Watch {
            epoch: Instant::now(),
            last_polled: AtomicU64::new(0),
            guard: Mutex::new(Some(Box::new(guard))),
        });
        let write_timeout = timing.write_timeout.filter(|t| !t.is_zero());
        let liveness = write_timeout.map(|t| interval((t / 3).max(Duration::from_millis(5))));
        let watchdog = write_timeout.map(|timeout| {
            let (body_gone, gone) = oneshot::channel();
            spawn_watchdog(Arc::downgrade(&watch), timeout, gone);
            body_gone
        });
        Self { head: head.into_iter().collect(), rx, keep_alive, liveness, watch, watchdog, receipts: None }
    }

    /// Tell the event store, through `receipts`, of each stored response the body writes.
    pub(crate) fn with_receipts(mut self, receipts: Option<Receipts>) -> Self {
        self.receipts = receipts;
        self
    }

    fn finish(&mut self) -> Poll<Option<Bytes>> {
        self.rx = None;
        self.keep_alive = None;
        self.liveness = None;
        self.watchdog = None;
        self.watch.lock().take();
        Poll::Ready(None)
    }
}

/// Drop the guard of a body that has not been polled for `timeout`.
fn spawn_watchdog(watch: Weak<Watch>, timeout: Duration, mut body_gone: oneshot::Receiver<()>) {
    let period = (timeout / 4).max(Duration::from_millis(5));
    tokio::spawn(async move {
        loop {
            tokio::select! {
                biased;
                _ = &mut body_gone => break,
                () = tokio::time::sleep(period) => {}
            }
            let Some(watch) = watch.upgrade() else { break };
            if watch.lock().is_none() {
                break;
            }
            if watch.idle() >= timeout {
                tracing::debug!("an SSE client has not read for {timeout:?}: its stream ends");
                let guard = watch.lock().take();
                drop(guard);
                break;
            }
        }
    });
}

impl Stream for EventStream {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let this = &mut *self;
        this.watch.touch();
        if this.watch.lock().is_none() {
            // Ended: the watchdog gave up on the client, or the last item went out.
            return this.finish();
        }
        if let Some(chunk) = this.head.pop_front() {
            return Poll::Ready(Some(chunk));
        }
        let Some(rx) = this.rx.as_mut() else { return this.finish() };
        if let Some(liveness) = this.liveness.as_mut() {
            // Only wakes the body up, so that a client that reads gets polled regularly.
            while liveness.poll_tick(cx).is_ready() {}
        }
        match rx.poll_recv(cx) {
            Poll::Ready(Some(item)) if item.is_end() => this.finish(),
            Poll::Ready(Some(item)) => {
                if let (Some(receipts), Some(id)) = (&this.receipts, item.event_id)
                    && item.kind.is_answer()
                {
                    receipts.delivered(id);
                }
                if item.last {
                    this.rx = None;
                    this.keep_alive = None;
                    this.liveness = None;
                } else if let Some(k) = this.keep_alive.as_mut() {
                    k.reset();
                }
                Poll::Ready(Some(event(item.event_id, &item.data)))
            }
            Poll::Ready(None) => this.finish(),
            Poll::Pending => match this.keep_alive.as_mut().map(|k| k.poll_tick(cx)) {
                Some(Poll::Ready(_)) => Poll::Ready(Some(Bytes::from_static(KEEP_ALIVE))),
                _ => Poll::Pending,
            },
        }
    }
}

/// Queue an item for a response without ever making the caller (an engine's writer) wait: a full
/// queue drops a notification (the client reads too slowly), but anything else always gets
/// through. Returns `false` when the response is gone.
pub(crate) fn enqueue(tx: &ItemTx, item: Box<Item>) -> bool {
    match tx.try_send(item) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Closed(_)) => false,
        Err(mpsc::error::TrySendError::Full(item)) if item.kind != ItemKind::Notification => {
            let tx = tx.clone();
            tokio::spawn(async move {
                let _ = tx.send(item).await;
            });
            true
        }
        Err(mpsc::error::TrySendError::Full(_)) => {
            tracing::debug!("an SSE response reads too slowly: a notification was dropped");
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_and_priming_layout() {
        let id = |seq| EventId { stream: 3, seq };
        assert_eq!(&event(Some(id(1)), b"{}")[..], b"id: 3-1\ndata: {}\n\n");
        assert_eq!(&event(None, b"{}")[..], b"data: {}\n\n");
        assert_eq!(&priming(id(0), Some(Duration::from_millis(500)))[..], b"id: 3-0\nretry: 500\ndata:\n\n");
        assert_eq!(&gap(id(7))[..], b"event: gap\ndata: {\"lastEventId\":\"3-7\"}\n\n");
    }

    /// A guard that records being dropped.
    struct Flag(Arc<std::sync::atomic::AtomicBool>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    fn watched() -> (EventStream, ItemTx, Arc<std::sync::atomic::AtomicBool>) {
        let (tx, rx) = mpsc::channel(4);
        let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let timing = Timing { keep_alive: None, write_timeout: Some(Duration::from_millis(150)) };
        let stream = EventStream::new([Bytes::from_static(b"head")], Some(rx), timing, Flag(dropped.clone()));
        (stream, tx, dropped)
    }

    fn note() -> Box<Item> {
        Item::from_message(&JsonRpcMessage::notification("notifications/x", &serde_json::json!({})).unwrap(), false)
    }

    #[tokio::test]
    async fn a_stream_its_client_does_not_read_gives_up_its_slot() {
        use futures_util::StreamExt;
        let (mut stream, tx, dropped) = watched();
        assert_eq!(stream.next().await.as_deref(), Some(&b"head"[..]));
        // Data waits, and nobody asks for it.
        tx.send(note()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(dropped.load(Ordering::SeqCst), "the guard (the stream's slot) was released");
        assert_eq!(stream.next().await, None, "the stream ended");
    }

    #[tokio::test]
    async fn a_stream_that_is_read_keeps_its_slot_however_idle() {
        use futures_util::StreamExt;
        let (mut stream, tx, dropped) = watched();
        let reader = tokio::spawn(async move {
            let mut got = 0;
            while stream.next().await.is_some() {
                got += 1;
            }
            got
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!dropped.load(Ordering::SeqCst), "an idle stream that is read stays");
        tx.send(note()).await.unwrap();
        tx.send(Item::end()).await.unwrap();
        assert_eq!(reader.await.unwrap(), 2, "the head and the notification; the end marker writes nothing");
        assert!(dropped.load(Ordering::SeqCst));
    }
}
