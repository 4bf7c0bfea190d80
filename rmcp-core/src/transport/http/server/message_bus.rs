//! The messages the instances of a server send each other, so that any instance serves any
//! request of any session ([`StreamableHttpConfig::message_bus`](super::StreamableHttpConfig::message_bus)):
//!
//! - the client's answer to a request an instance sent it (elicitation, sampling, roots) goes
//!   to that instance, wherever the client POSTed it: the ids of requests to clients carry
//!   their instance ([`InstanceId::of_request`]);
//! - the client's notifications (a cancellation may name a request running elsewhere) go to
//!   every instance, as do the messages for a session's standalone (GET) stream, taken by the
//!   instance that holds the stream;
//! - list changes and resource updates go to every instance's `subscriptions/listen` streams
//!   (2026-07-28);
//! - a session deleted, or changed (`logging/setLevel`), on one instance is dropped or
//!   reloaded by the others.
//!
//! Stream ids carry their instance too, so that the events of streams opened for one session
//! on different instances never share an id in a shared event store.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};

use crate::model::RequestId;
use crate::service::RequestIdProvider;

/// One instance of a server among those sharing a [`MessageBus`]: a number from 1 to
/// 2<sup>20</sup> − 1, unique among the live instances (the bus hands it out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InstanceId(u32);

impl InstanceId {
    /// The largest instance number: ids tagged with it stay below 2<sup>53</sup>, which every
    /// JSON number parser (JavaScript's included) reads exactly.
    pub const MAX: u32 = (1 << 20) - 1;

    /// Instance `n`; `None` unless `1 <= n <= MAX`.
    pub fn new(n: u32) -> Option<Self> {
        (1..=Self::MAX).contains(&n).then_some(Self(n))
    }

    /// Its number.
    pub fn get(self) -> u32 {
        self.0
    }

    /// The instance that sent the request to the client answered by an id: with a bus, the
    /// numeric ids of requests to clients carry their instance's number in bits 32 to 51.
    /// `None` for any other id.
    pub fn of_request(id: &RequestId) -> Option<Self> {
        match *id {
            RequestId::Number(n) if n > 0 => u32::try_from(n >> 32).ok().and_then(Self::new),
            _ => None,
        }
    }

    /// The instance that opened stream `stream` (with a bus, stream ids carry it as request
    /// ids do). `None` for a stream numbered without a bus.
    pub(crate) fn of_stream(stream: u64) -> Option<Self> {
        u32::try_from(stream >> 32).ok().and_then(Self::new)
    }

    /// The first id of the ids this instance hands out (for requests to clients, and for
    /// streams): its number in the high bits, so that they are unique among instances.
    pub(crate) fn base(self) -> u64 {
        u64::from(self.0) << 32
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Ids of requests to clients that name the instance sending them: the instance's number in
/// bits 32 to 51, a counter below.
#[derive(Debug)]
pub(crate) struct TaggedRequestIds {
    base: i64,
    /// Wraps within its 32 bits: 4 billion requests of one session later.
    next: AtomicU32,
}

impl TaggedRequestIds {
    pub(crate) fn new(instance: InstanceId) -> Self {
        Self { base: instance.base() as i64, next: AtomicU32::new(1) }
    }
}

impl RequestIdProvider for TaggedRequestIds {
    fn next_request_id(&self) -> RequestId {
        RequestId::Number(self.base | i64::from(self.next.fetch_add(1, Ordering::Relaxed)))
    }
}

/// Where a [`BusMessage`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusTarget {
    /// One instance.
    Instance(InstanceId),
    /// Every instance (the sender's own subscription may see it too; it ignores it).
    All,
}

/// What a [`BusMessage`] asks of the instance receiving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum BusMessageKind {
    /// A message of the client's for the session's engine, if the instance holds the session:
    /// an answer to a request it sent, or a notification.
    FromClient,
    /// A message for the session's standalone (GET) stream, if the instance holds it.
    ToClient,
    /// The session was deleted: drop it.
    Closed,
    /// The session's record changed: read it again.
    Changed,
    /// The sender resumed one of this instance's streams for its client (`Last-Event-ID`):
    /// send it what the stream delivers from now on.
    Follow,
    /// News of a stream the receiver follows.
    StreamNews,
    /// The sender no longer follows the stream.
    Unfollow,
    /// A list change or resource update for the 2026-07-28 `subscriptions/listen` streams of
    /// every instance (`session` is empty).
    ToListeners,
    /// The resource whose URI is the message changed: every instance tells the sessions that
    /// subscribed to it and whose GET stream it holds, and its listen streams watching it
    /// (`session` is empty).
    ResourceUpdated,
}

/// What a stream's instance tells the instance following it
/// ([`BusMessageKind::StreamNews`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "news", rename_all = "camelCase")]
pub(crate) enum StreamNews {
    /// The follower took the stream over; events up to `upto` were delivered before (they are
    /// in the event store), later ones follow.
    Taken { stream: u64, upto: u64 },
    /// An event of the stream (`seq` 0: one not stored).
    Event { stream: u64, seq: u64, data: String, last: bool },
    /// The stream ended without an answer (its requests were cancelled).
    Ended { stream: u64 },
    /// The stream is not here (any more): what it delivered is in the event store.
    Gone { stream: u64 },
}

impl StreamNews {
    pub(crate) fn stream(&self) -> u64 {
        match *self {
            Self::Taken { stream, .. }
            | Self::Event { stream, .. }
            | Self::Ended { stream }
            | Self::Gone { stream } => stream,
        }
    }
}

/// A message between the instances of a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusMessage {
    /// The instance that sent it.
    pub from: InstanceId,
    /// The session it is about.
    pub session: String,
    /// What it asks.
    pub kind: BusMessageKind,
    /// The JSON-RPC message, serialized (empty for `Closed` and `Changed`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

impl BusMessage {
    /// A message from `bus`'s instance about `session`.
    pub(crate) fn new(bus: &dyn MessageBus, session: &str, kind: BusMessageKind, message: String) -> Self {
        Self { from: bus.instance(), session: session.to_owned(), kind, message }
    }

    /// A `Follow` or `Unfollow` of stream `stream`.
    pub(crate) fn about_stream(bus: &dyn MessageBus, session: &str, kind: BusMessageKind, stream: u64) -> Self {
        Self::new(bus, session, kind, format!(r#"{{"stream":{stream}}}"#))
    }
}

/// Publish `message` to `to` from a task of its own (callers run under a lock or on an engine's
/// writer, which must not wait); `what` names it in the warning if it fails.
pub(crate) fn publish_in_background(bus: &Arc<dyn MessageBus>, to: BusTarget, message: BusMessage, what: &'static str) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let bus = bus.clone();
    runtime.spawn(async move {
        if let Err(e) = bus.publish(to, message).await {
            tracing::warn!(error = %e, "{what} did not reach the other instances");
        }
    });
}

/// Why a [`MessageBus`] could not do what it was asked.
#[derive(Debug)]
pub struct BusError(pub Box<dyn std::error::Error + Send + Sync>);

impl fmt::Display for BusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the message bus failed: {}", self.0)
    }
}

impl std::error::Error for BusError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// How the instances of a server reach each other. `rmcp-redis` has one on Redis pub/sub.
///
/// A bus delivers at most once and in order per sender; a message to an instance that is gone
/// is dropped. What must survive an instance (responses, events) is in the stores; the bus only
/// carries what is in flight.
pub trait MessageBus: Send + Sync + fmt::Debug + 'static {
    /// This instance.
    fn instance(&self) -> InstanceId;

    /// Send `message` to `to`.
    fn publish(&self, to: BusTarget, message: BusMessage) -> BoxFuture<'_, Result<(), BusError>>;

    /// The messages for this instance, and those for all: called once, by the service, which
    /// reads it for as long as it runs.
    fn subscribe(&self) -> BoxStream<'static, BusMessage>;

    /// Whether `instance` is alive (it renews its liveness within a few seconds, and has not
    /// stopped).
    fn is_alive(&self, instance: InstanceId) -> BoxFuture<'_, Result<bool, BusError>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_name_their_instance() {
        let instance = InstanceId::new(InstanceId::MAX).unwrap();
        let ids = TaggedRequestIds::new(instance);
        let first = ids.next_request_id();
        assert_eq!(first, RequestId::Number((i64::from(InstanceId::MAX) << 32) + 1));
        assert_eq!(InstanceId::of_request(&first), Some(instance));
        assert!(matches!(first, RequestId::Number(n) if n < 1 << 53), "exact in JavaScript");
        assert_eq!(InstanceId::of_request(&RequestId::Number(7)), None, "an untagged id");
        assert_eq!(InstanceId::of_request(&RequestId::Number(-1)), None);
        assert_eq!(InstanceId::of_request(&RequestId::String("1".into())), None);
        assert_eq!(InstanceId::new(0), None);
        assert_eq!(InstanceId::new(InstanceId::MAX + 1), None);
    }
}
