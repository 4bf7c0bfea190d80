//! Server-Sent Events: encoding events, and the body stream that writes a response's events as
//! the router hands them over (with keep-alive comments while nothing happens).

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use futures::Stream;
use http::StatusCode;
use tokio::sync::mpsc;
use tokio::time::{Instant, Interval, MissedTickBehavior};

/// One serialized message on its way to an HTTP response.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// The SSE event id, on resumable (2025) streams.
    pub event_id: Option<String>,
    /// The JSON-RPC message.
    pub data: Bytes,
    /// The response that ends the request the stream serves: nothing follows it.
    pub last: bool,
    /// The HTTP status the response gets if it is answered as plain JSON.
    pub status: StatusCode,
}

/// How many items may wait for one HTTP response before the router stops feeding it.
pub(crate) const ITEM_QUEUE: usize = 256;

/// One event: `id:` (when resumable) and one `data:` line. Compact JSON holds no newline, so a
/// message always fits one line, and the whole event is one buffer: one write.
pub(crate) fn event(id: Option<&str>, data: &[u8]) -> Bytes {
    let mut buf = BytesMut::with_capacity(data.len() + id.map_or(0, |i| i.len() + 5) + 8);
    if let Some(id) = id {
        buf.put_slice(b"id: ");
        buf.put_slice(id.as_bytes());
        buf.put_u8(b'\n');
    }
    buf.put_slice(b"data: ");
    buf.put_slice(data);
    buf.put_slice(b"\n\n");
    buf.freeze()
}

/// The priming event a resumable stream starts with: an id to resume from, an empty `data`, and
/// the reconnection delay. Clients do not dispatch it, but remember its id.
pub(crate) fn priming(id: &str, retry: Option<Duration>) -> Bytes {
    let mut buf = BytesMut::with_capacity(id.len() + 40);
    buf.put_slice(b"id: ");
    buf.put_slice(id.as_bytes());
    buf.put_u8(b'\n');
    if let Some(retry) = retry {
        buf.put_slice(format!("retry: {}\n", retry.as_millis()).as_bytes());
    }
    buf.put_slice(b"data:\n\n");
    buf.freeze()
}

/// An SSE comment: ignored by clients, it keeps idle connections from being cut by proxies and
/// lets the server notice a client that went away.
const KEEP_ALIVE: &[u8] = b":\n\n";

/// The body of an SSE response: first the events already known, then the router's items until
/// the last one (or until the router drops its end).
pub(crate) struct EventStream {
    head: VecDeque<Bytes>,
    rx: Option<mpsc::Receiver<Item>>,
    keep_alive: Option<Interval>,
    /// Held while the response is open; dropping it releases limits, marks activity, or cancels
    /// a stateless request whose client went away.
    _guard: Box<dyn Any + Send>,
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream").field("queued", &self.head.len()).field("open", &self.rx.is_some()).finish()
    }
}

impl EventStream {
    pub fn new(
        head: impl IntoIterator<Item = Bytes>,
        rx: Option<mpsc::Receiver<Item>>,
        keep_alive: Option<Duration>,
        guard: impl Any + Send,
    ) -> Self {
        let keep_alive = keep_alive.filter(|_| rx.is_some()).map(|period| {
            let mut interval = tokio::time::interval_at(Instant::now() + period, period);
            interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
            interval
        });
        Self { head: head.into_iter().collect(), rx, keep_alive, _guard: Box::new(guard) }
    }
}

impl Stream for EventStream {
    type Item = Bytes;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        let this = &mut *self;
        if let Some(chunk) = this.head.pop_front() {
            return Poll::Ready(Some(chunk));
        }
        let Some(rx) = this.rx.as_mut() else { return Poll::Ready(None) };
        match rx.poll_recv(cx) {
            Poll::Ready(Some(item)) => {
                if item.last {
                    this.rx = None;
                    this.keep_alive = None;
                } else if let Some(k) = this.keep_alive.as_mut() {
                    k.reset();
                }
                Poll::Ready(Some(event(item.event_id.as_deref(), &item.data)))
            }
            Poll::Ready(None) => {
                this.rx = None;
                Poll::Ready(None)
            }
            Poll::Pending => match this.keep_alive.as_mut().map(|k| k.poll_tick(cx)) {
                Some(Poll::Ready(_)) => Poll::Ready(Some(Bytes::from_static(KEEP_ALIVE))),
                _ => Poll::Pending,
            },
        }
    }
}

/// Hand an item to a response without ever blocking the router: a full queue drops a
/// notification (the client reads too slowly), but a last response always gets through.
/// Returns `false` when the response is gone.
pub(crate) fn deliver(tx: &mpsc::Sender<Item>, item: Item) -> bool {
    match tx.try_send(item) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Closed(_)) => false,
        Err(mpsc::error::TrySendError::Full(item)) if item.last => {
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
        assert_eq!(&event(Some("3-1"), b"{}")[..], b"id: 3-1\ndata: {}\n\n");
        assert_eq!(&event(None, b"{}")[..], b"data: {}\n\n");
        assert_eq!(&priming("3-0", Some(Duration::from_millis(500)))[..], b"id: 3-0\nretry: 500\ndata:\n\n");
    }
}
