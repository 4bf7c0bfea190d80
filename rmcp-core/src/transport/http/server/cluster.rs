//! Many instances of one server, sharing a session store and a message bus
//! ([`StreamableHttpConfig::session_store`](super::StreamableHttpConfig::session_store)): a session
//! is saved when `initialize` succeeds, restored by any instance that gets a request for it, kept
//! alive in the store while used and ended everywhere when deleted; the client's messages for
//! another instance go there, and what the bus brings is handed to the session it is for.

use std::sync::{Arc, Weak};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http::StatusCode;
use http::request::Parts;
use tokio::sync::mpsc;

use super::body::Rejection;
use super::event_store::{EventKind, EventStore};
use super::message_bus::{BusMessage, BusMessageKind, BusTarget, InstanceId, MessageBus, StreamNews};
use super::session::{Owner, Session, Sessions};
use super::session_store::SessionRecord;
use super::sse::{EventId, Item, ItemTx, items};
use super::stateless_requests::StatelessRequests;
use super::stream_delivery::replay_head;
use super::sync::lock_ignoring_poison;
use crate::handler::ServerHandler;
use crate::model::{
    CancelledNotificationParams, ErrorData, JsonRpcMessage, RequestId, ResourceUpdatedNotificationParams, methods,
};

/// How long the session store and the bus may take to answer before the request that waits is
/// refused with 503.
const STORE_TIMEOUT: Duration = Duration::from_secs(5);
/// How often an instance following another's stream checks that the other is alive.
const LIVENESS_CHECK: Duration = Duration::from_secs(1);
/// How long a record lives after its session's last use, when sessions never expire here.
const DEFAULT_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// The 503 for a request that needs the session store (or the bus) while it cannot be reached.
fn unreachable(what: &str, error: impl std::fmt::Display) -> Rejection {
    tracing::warn!(error = %error, "the {what} could not be reached");
    let e = ErrorData::internal_error(format!("the {what} is unreachable; retry in a moment"));
    Rejection::new(StatusCode::SERVICE_UNAVAILABLE, e).with_header(http::header::RETRY_AFTER, "1")
}

/// `future`, or the 503 of `what` after [`STORE_TIMEOUT`].
async fn in_time<T, E: std::fmt::Display>(
    what: &str,
    future: impl Future<Output = Result<T, E>>,
) -> Result<T, Rejection> {
    match tokio::time::timeout(STORE_TIMEOUT, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(unreachable(what, e)),
        Err(_) => Err(unreachable(what, "timed out")),
    }
}

impl Sessions {
    /// How long a session's record lives after its last use: the idle timeout.
    fn record_ttl(&self) -> Duration {
        self.idle_timeout().unwrap_or(DEFAULT_TTL)
    }

    /// Restore session `id`, opened on another instance, for the request `parts`: `None` when
    /// the store has no such session, or it belongs to another user (as if it did not exist).
    pub(crate) async fn restore<S: ServerHandler>(
        self: &Arc<Self>,
        handler: impl FnOnce() -> S,
        id: &str,
        parts: &Parts,
    ) -> Result<Option<Arc<Session>>, Rejection> {
        let Some(store) = &self.session_store else { return Ok(None) };
        let Some(record) = in_time("session store", store.load(id)).await? else { return Ok(None) };
        if !Owner::admits(Owner::of_record(&record).as_ref(), parts) {
            tracing::debug!("a request for a stored session opened by another user; refused");
            return Ok(None);
        }
        tracing::debug!(session = %id, "session restored from the session store");
        self.start(handler(), id.into(), parts, Some(record)).await.map(Some)
    }

    /// Save a session whose `initialize` succeeded, so other instances can restore it.
    pub(crate) async fn save(&self, session: &Session) -> Result<(), Rejection> {
        let Some(store) = &self.session_store else { return Ok(()) };
        let Some(record) = record_of(session) else { return Ok(()) };
        in_time("session store", store.save(&session.id, &record, self.record_ttl())).await
    }

    /// After a POST that may change what the session's record holds (its log level, its
    /// resource subscriptions): keep the change, save the record again and have the other
    /// instances that hold the session read it. `refused`: the request was answered with an
    /// error.
    pub(crate) async fn record_changed(&self, session: &Session, change: RecordChange, refused: bool) {
        let changed = match change {
            RecordChange::LogLevel(before) => session.peer().log_level() != before,
            RecordChange::Subscribe(uri) if !refused => lock_ignoring_poison(&session.subscriptions).insert(uri),
            RecordChange::Unsubscribe(uri) if !refused => lock_ignoring_poison(&session.subscriptions).remove(&uri),
            RecordChange::Subscribe(_) | RecordChange::Unsubscribe(_) => false,
        };
        let (Some(store), true) = (&self.session_store, changed) else { return };
        let Some(record) = record_of(session) else { return };
        if in_time("session store", store.save(&session.id, &record, self.record_ttl())).await.is_err() {
            return;
        }
        if let Some(bus) = &self.bus {
            let changed = BusMessage::new(bus.as_ref(), &session.id, BusMessageKind::Changed, String::new());
            let _ = in_time("message bus", bus.publish(BusTarget::All, changed)).await;
        }
    }

    /// The resource at `uri` changed: tell this instance's sessions that subscribed to it and
    /// whose GET stream it holds (one instance holds it, so each client hears it once), and
    /// its listen streams watching it; with `relay`, have every other instance do the same.
    pub(crate) async fn resource_updated(&self, uri: &str, relay: bool) {
        if relay && let Some(bus) = &self.bus {
            let updated = BusMessage::new(bus.as_ref(), "", BusMessageKind::ResourceUpdated, uri.to_owned());
            if let Err(e) = bus.publish(BusTarget::All, updated).await {
                tracing::warn!(error = %e, "a resource update did not reach the other instances");
            }
        }
        if let Some(requests) = self.listeners.get().and_then(Weak::upgrade) {
            requests.resource_updated(uri);
        }
        let told: Vec<Arc<Session>> = self
            .all()
            .into_iter()
            .filter(|s| lock_ignoring_poison(&s.subscriptions).contains(uri) && s.streams.holds_standalone())
            .collect();
        let params = ResourceUpdatedNotificationParams::new(uri);
        futures_util::future::join_all(told.iter().map(|s| s.peer().notify_resource_updated(params.clone()))).await;
    }

    /// Keep the session's record alive: at most once a quarter of its lifetime, from a task of
    /// its own, so that a busy session costs the store one command per few minutes.
    pub(crate) fn keep_alive(&self, session: &Session) {
        let Some(store) = &self.session_store else { return };
        let ttl = self.record_ttl();
        let now = session.now();
        let last = session.touched.load(std::sync::atomic::Ordering::Relaxed);
        if now.saturating_sub(last) < (ttl / 4).as_millis() as u64 {
            return;
        }
        session.touched.store(now, std::sync::atomic::Ordering::Relaxed);
        let (store, id) = (store.clone(), session.id.clone());
        tokio::spawn(async move {
            if let Err(e) = in_time("session store", store.touch(&id, ttl)).await {
                drop(e);
            }
        });
    }

    /// A DELETE: end session `id` here, in the store and on every other instance. `false`
    /// when there is no such session (or it is another user's).
    pub(crate) async fn end(&self, id: &str, parts: &Parts) -> Result<bool, Rejection> {
        let Some(store) = &self.session_store else {
            let found = self.get_for(id, parts);
            return Ok(found.is_some_and(|s| self.remove(&s.id)));
        };
        let owner = match self.get(id) {
            Some(session) => session.owner.clone(),
            None => match in_time("session store", store.load(id)).await? {
                Some(record) => Owner::of_record(&record),
                None => return Ok(false),
            },
        };
        if !Owner::admits(owner.as_ref(), parts) {
            return Ok(false);
        }
        in_time("session store", store.remove(id)).await?;
        match self.get(id) {
            Some(session) => {
                session.streams.forget_events_on_close();
                self.remove(id);
            }
            // Held elsewhere, or nowhere: its events go here (the instances holding it keep
            // theirs when their copies close).
            None => {
                if let Some(events) = &self.store {
                    events.remove_session(id).await;
                }
            }
        }
        if let Some(bus) = &self.bus {
            let closed = BusMessage::new(bus.as_ref(), id, BusMessageKind::Closed, String::new());
            in_time("message bus", bus.publish(BusTarget::All, closed)).await?;
        }
        Ok(true)
    }

    /// The client's messages of a POST that are for other instances go there: an answer to a
    /// request another instance sent, and every notification (a cancellation may name a
    /// request running elsewhere; this instance handles it too). Returns the messages for this
    /// instance.
    pub(crate) async fn relay(
        &self,
        session: &Session,
        messages: Vec<JsonRpcMessage>,
    ) -> Result<Vec<JsonRpcMessage>, Rejection> {
        let Some(bus) = &self.bus else { return Ok(messages) };
        let here = bus.instance();
        let mut local = Vec::with_capacity(messages.len());
        for m in messages {
            let to = match &m {
                JsonRpcMessage::Response(r) => answered_elsewhere(&r.id, here),
                JsonRpcMessage::Error(e) => e.id.as_ref().and_then(|id| answered_elsewhere(id, here)),
                JsonRpcMessage::Notification(_) => Some(BusTarget::All),
                JsonRpcMessage::Request(_) => None,
            };
            if let Some(to) = to {
                let relayed = BusMessage::new(bus.as_ref(), &session.id, BusMessageKind::FromClient, m.to_json());
                in_time("message bus", bus.publish(to, relayed)).await?;
            }
            if !matches!(to, Some(BusTarget::Instance(_))) {
                local.push(m);
            }
        }
        Ok(local)
    }

    /// The stateless engine started: list changes from other instances go to its listen
    /// streams, so the bus is read from now on even if no session ever opens here.
    pub(crate) fn set_listeners(self: &Arc<Self>, requests: &Arc<StatelessRequests>) {
        let _ = self.listeners.set(Arc::downgrade(requests));
        self.start_bus_listener();
    }

    /// Start reading the bus (once, with the first session or the stateless engine).
    pub(crate) fn start_bus_listener(self: &Arc<Self>) {
        let Some(bus) = &self.bus else { return };
        if self.bus_started.swap(true, std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let mut incoming = bus.subscribe();
        let here = bus.instance();
        let weak: Weak<Self> = Arc::downgrade(self);
        let ct = self.cancellation_token().clone();
        tokio::spawn(async move {
            loop {
                let next = tokio::select! {
                    () = ct.cancelled() => break,
                    next = incoming.next() => next,
                };
                let Some(message) = next else { break };
                let Some(sessions) = weak.upgrade() else { break };
                if message.from != here {
                    sessions.on_bus_message(message);
                }
            }
        });
    }

    /// Hand a message from another instance to the session it is for, if this instance holds
    /// it. Each is handled on a task of its own, so that one slow session holds up no other.
    fn on_bus_message(self: &Arc<Self>, message: BusMessage) {
        match message.kind {
            BusMessageKind::Follow => return self.on_follow(message),
            BusMessageKind::StreamNews => return self.on_stream_news(&message),
            BusMessageKind::Unfollow => return self.on_unfollow(&message),
            BusMessageKind::ToListeners => {
                if let Some(requests) = self.listeners.get().and_then(Weak::upgrade) {
                    requests.broadcast_from_bus(&message.message);
                }
                return;
            }
            BusMessageKind::ResourceUpdated => {
                let this = self.clone();
                tokio::spawn(async move { this.resource_updated(&message.message, false).await });
                return;
            }
            _ => {}
        }
        let Some(session) = self.get(&message.session) else { return };
        match message.kind {
            BusMessageKind::Closed => {
                self.remove(&session.id);
            }
            BusMessageKind::Changed => {
                let Some(store) = self.session_store.clone() else { return };
                tokio::spawn(async move {
                    if let Ok(Ok(Some(record))) = tokio::time::timeout(STORE_TIMEOUT, store.load(&session.id)).await {
                        if let Some(level) = record.log_level {
                            session.peer().set_log_level(level);
                        }
                        *lock_ignoring_poison(&session.subscriptions) = record.subscriptions.into_iter().collect();
                    }
                });
            }
            BusMessageKind::Follow
            | BusMessageKind::StreamNews
            | BusMessageKind::Unfollow
            | BusMessageKind::ToListeners
            | BusMessageKind::ResourceUpdated => {}
            BusMessageKind::FromClient | BusMessageKind::ToClient => {
                let Ok(parsed) = JsonRpcMessage::from_slice(message.message.as_bytes()) else {
                    tracing::debug!("a malformed message on the bus; dropped");
                    return;
                };
                let to_client = message.kind == BusMessageKind::ToClient;
                tokio::spawn(async move {
                    if to_client {
                        session.streams.forward_from_bus(parsed).await;
                        return;
                    }
                    if let Some(request) = cancelled_request(&parsed) {
                        session.streams.cancelled(&request);
                    }
                    session.send_to_engine(parsed, crate::transport::Extensions::new()).await;
                });
            }
        }
    }
}

impl Sessions {
    /// A client resumed (`Last-Event-ID`) stream `stream` of `session`, which instance `owner`
    /// opened: the head of the response is what the event store holds after `after`; if the
    /// stream is not over, `owner` is asked to send what it delivers from now on, which goes to
    /// `tx`, and if `owner` dies first, the stream's requests are answered with an error.
    pub(crate) async fn resume_elsewhere(
        self: &Arc<Self>,
        session: &Session,
        owner: InstanceId,
        stream: u64,
        after: u64,
        tx: ItemTx,
    ) -> Vec<Bytes> {
        let receipts = session.streams.receipts();
        let (Some(store), Some(bus)) = (self.store.clone(), self.bus.clone()) else {
            return replay_head(stream, after, None, None, receipts);
        };
        let events = match tokio::time::timeout(STORE_TIMEOUT, store.replay(&session.id, stream, after)).await {
            Ok(Ok(events)) => events,
            _ => return replay_head(stream, after, None, None, receipts),
        };
        if events.iter().any(|e| e.kind == EventKind::Response) {
            // Over: its answer is in the store.
            return replay_head(stream, after, None, Some(events), receipts);
        }
        let last = events.iter().map(|e| e.seq).max().unwrap_or(after);
        let (news_tx, news) = mpsc::unbounded_channel();
        let key = (session.id.clone(), stream);
        lock_ignoring_poison(&self.following).insert(key.clone(), news_tx);
        let ask = BusMessage::about_stream(bus.as_ref(), &session.id, BusMessageKind::Follow, stream);
        if let Err(e) = bus.publish(BusTarget::Instance(owner), ask).await {
            tracing::warn!(error = %e, "could not ask another instance for a resumed stream");
        }
        let follower = Follower { sessions: Arc::downgrade(self), key, owner, sent: last, store, bus, tx };
        tokio::spawn(follower.run(news));
        replay_head(stream, after, Some(last), Some(events), receipts)
    }

    /// Another instance resumed one of this instance's streams: relay what the stream delivers
    /// from now on.
    fn on_follow(self: &Arc<Self>, message: BusMessage) {
        let (Some(bus), Some(stream)) = (self.bus.clone(), stream_of(&message.message)) else { return };
        let session = self.get(&message.session);
        let (relay, mut delivered) = items();
        let taken = session.as_ref().and_then(|s| s.streams.follow(stream, relay.clone()));
        let key: (Arc<str>, u64) = (message.session.as_str().into(), stream);
        let to = BusTarget::Instance(message.from);
        let this = Arc::downgrade(self);
        tokio::spawn(async move {
            let send = async |news: StreamNews| {
                let news = serde_json::to_string(&news).unwrap_or_default();
                let m = BusMessage::new(bus.as_ref(), &key.0, BusMessageKind::StreamNews, news);
                if let Err(e) = bus.publish(to, m).await {
                    tracing::warn!(error = %e, "could not relay a stream to the instance following it");
                }
            };
            let Some((upto, parked)) = taken else { return send(StreamNews::Gone { stream }).await };
            send(StreamNews::Taken { stream, upto }).await;
            if let Some(answer) = parked {
                return send(news_of(stream, &answer)).await;
            }
            if let Some(sessions) = this.upgrade() {
                lock_ignoring_poison(&sessions.relays).insert(key.clone(), relay);
            }
            while let Some(item) = delivered.recv().await {
                let last = item.last || item.is_end();
                send(news_of(stream, &item)).await;
                if last {
                    break;
                }
            }
            if let Some(sessions) = this.upgrade() {
                lock_ignoring_poison(&sessions.relays).remove(&key);
            }
        });
    }

    /// News of a stream this instance follows.
    fn on_stream_news(&self, message: &BusMessage) {
        let Ok(news) = serde_json::from_str::<StreamNews>(&message.message) else { return };
        let key: (Arc<str>, u64) = (message.session.as_str().into(), news.stream());
        if let Some(follower) = lock_ignoring_poison(&self.following).get(&key) {
            let _ = follower.send(news);
        }
    }

    /// The instance following one of this instance's streams no longer does.
    fn on_unfollow(&self, message: &BusMessage) {
        let Some(stream) = stream_of(&message.message) else { return };
        let key: (Arc<str>, u64) = (message.session.as_str().into(), stream);
        let relay = lock_ignoring_poison(&self.relays).remove(&key);
        if let (Some(relay), Some(session)) = (relay, self.get(&message.session)) {
            session.streams.unfollow(stream, &relay);
        }
    }
}

/// The stream a `Follow` or `Unfollow` names.
fn stream_of(message: &str) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Named {
        stream: u64,
    }
    serde_json::from_str::<Named>(message).ok().map(|n| n.stream)
}

/// An item of a stream, as news for the instance following it.
fn news_of(stream: u64, item: &Item) -> StreamNews {
    if item.is_end() {
        return StreamNews::Ended { stream };
    }
    let seq = item.event_id.map_or(0, |id| id.seq);
    StreamNews::Event { stream, seq, data: String::from_utf8_lossy(&item.data).into_owned(), last: item.last }
}

/// How following another instance's stream ended.
enum Followed {
    /// The stream ended (its answer came), or its client went away.
    Done,
    /// The other instance no longer has the stream: the rest is in the store.
    Gone,
    /// The other instance died: the rest of what it stored, then errors for what it never
    /// answered.
    Dead,
}

/// Following a stream of another instance for the client that resumed it here.
struct Follower {
    sessions: Weak<Sessions>,
    key: (Arc<str>, u64),
    owner: InstanceId,
    /// The last event sent to the client.
    sent: u64,
    store: Arc<dyn EventStore>,
    bus: Arc<dyn MessageBus>,
    tx: ItemTx,
}

impl Follower {
    async fn run(mut self, mut news: mpsc::UnboundedReceiver<StreamNews>) {
        let mut liveness = tokio::time::interval(LIVENESS_CHECK);
        liveness.tick().await;
        let outcome = loop {
            tokio::select! {
                next = news.recv() => match next {
                    Some(StreamNews::Taken { upto, .. }) => {
                        if upto > self.sent {
                            self.send_stored(Some(upto)).await;
                        }
                    }
                    Some(StreamNews::Event { seq, data, last, .. }) => {
                        if seq == 0 || seq > self.sent {
                            self.send(seq, Bytes::from(data), last).await;
                        }
                        if last {
                            break Followed::Done;
                        }
                    }
                    Some(StreamNews::Ended { .. }) | None => break Followed::Done,
                    Some(StreamNews::Gone { .. }) => break Followed::Gone,
                },
                _ = liveness.tick() => {
                    if matches!(self.bus.is_alive(self.owner).await, Ok(false)) {
                        break Followed::Dead;
                    }
                }
                () = self.tx.closed() => {
                    let stream = self.key.1;
                    let m = BusMessage::about_stream(self.bus.as_ref(), &self.key.0, BusMessageKind::Unfollow, stream);
                    let _ = self.bus.publish(BusTarget::Instance(self.owner), m).await;
                    break Followed::Done;
                }
            }
        };
        if let Some(sessions) = self.sessions.upgrade() {
            lock_ignoring_poison(&sessions.following).remove(&self.key);
        }
        if matches!(outcome, Followed::Gone | Followed::Dead) && !self.send_stored(None).await {
            self.fail_unanswered(matches!(outcome, Followed::Dead)).await;
        }
        // Dropping `tx` ends the client's response.
    }

    /// Send the stored events after the last one sent (up to `upto`); whether an answer was
    /// among them.
    async fn send_stored(&mut self, upto: Option<u64>) -> bool {
        let (session, stream) = (&self.key.0, self.key.1);
        let replayed = tokio::time::timeout(STORE_TIMEOUT, self.store.replay(session, stream, self.sent)).await;
        let Ok(Ok(mut events)) = replayed else { return false };
        events.retain(|e| e.seq > self.sent && upto.is_none_or(|upto| e.seq <= upto));
        events.sort_unstable_by_key(|e| e.seq);
        let mut answered = false;
        for event in events {
            let answer = event.kind == EventKind::Response;
            answered |= answer;
            self.send(event.seq, event.data, answer).await;
        }
        answered
    }

    /// Send an event to the client.
    async fn send(&mut self, seq: u64, data: Bytes, last: bool) {
        let Ok(message) = JsonRpcMessage::from_slice(&data) else { return };
        let id = (seq != 0).then_some(EventId { stream: self.key.1, seq });
        if seq != 0 {
            self.sent = seq;
        }
        let _ = self.tx.send(Item::new(id, data, &message, last)).await;
    }

    /// Answer the stream's requests with an error: the instance running them died (or lost
    /// them) before answering.
    async fn fail_unanswered(&mut self, died: bool) {
        let (session, stream) = (&self.key.0, self.key.1);
        let recorded = tokio::time::timeout(STORE_TIMEOUT, self.store.stream_requests(session, stream)).await;
        let Ok(Ok(requests)) = recorded else { return };
        let why = if died {
            "the server instance running this request stopped before answering it; send the request again"
        } else {
            "the server instance running this request lost it before answering; send the request again"
        };
        let count = requests.len();
        for (i, id) in requests.into_iter().enumerate() {
            let error = JsonRpcMessage::error(Some(id), ErrorData::internal_error(why));
            self.send(0, Bytes::from(error.to_json()), i + 1 == count).await;
        }
    }
}

/// The record of an initialized session.
fn record_of(session: &Session) -> Option<SessionRecord> {
    let peer = session.peer();
    let mut record = SessionRecord::new(peer.protocol_version()?, peer.peer_info()?.clone());
    record.log_level = peer.log_level();
    record.subscriptions = lock_ignoring_poison(&session.subscriptions).iter().cloned().collect();
    record.subscriptions.sort_unstable();
    Owner::record_in(session.owner.as_ref(), &mut record);
    Some(record)
}

/// A change a POST may make to its session's record.
#[derive(Debug)]
pub(crate) enum RecordChange {
    /// `logging/setLevel`; the level before.
    LogLevel(Option<crate::model::LoggingLevel>),
    /// `resources/subscribe` to this URI.
    Subscribe(String),
    /// `resources/unsubscribe` from this URI.
    Unsubscribe(String),
}

impl RecordChange {
    /// The change the first of `messages` that makes one would make.
    pub(crate) fn of(messages: &[JsonRpcMessage], session: &Session) -> Option<Self> {
        messages.iter().find_map(|m| {
            let JsonRpcMessage::Request(r) = m else { return None };
            let uri = || {
                #[derive(serde::Deserialize)]
                struct Uri {
                    uri: String,
                }
                serde_json::from_str::<Uri>(r.params.as_deref()?.get()).ok().map(|p| p.uri)
            };
            match &*r.method {
                methods::LOGGING_SET_LEVEL => Some(Self::LogLevel(session.peer().log_level())),
                methods::RESOURCES_SUBSCRIBE => uri().map(Self::Subscribe),
                methods::RESOURCES_UNSUBSCRIBE => uri().map(Self::Unsubscribe),
                _ => None,
            }
        })
    }
}

/// Where the answer to request `id` goes, when another instance sent that request.
fn answered_elsewhere(id: &RequestId, here: InstanceId) -> Option<BusTarget> {
    InstanceId::of_request(id).filter(|&i| i != here).map(BusTarget::Instance)
}

/// The request a `notifications/cancelled` names.
pub(crate) fn cancelled_request(message: &JsonRpcMessage) -> Option<RequestId> {
    let JsonRpcMessage::Notification(n) = message else { return None };
    if n.method != methods::NOTIFICATION_CANCELLED {
        return None;
    }
    serde_json::from_str::<CancelledNotificationParams>(n.params.as_deref()?.get()).ok()?.request_id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_go_to_the_instance_that_asked() {
        let here = InstanceId::new(3).unwrap();
        let theirs = RequestId::Number((5 << 32) + 9);
        assert_eq!(answered_elsewhere(&theirs, here), Some(BusTarget::Instance(InstanceId::new(5).unwrap())));
        assert_eq!(answered_elsewhere(&RequestId::Number((3 << 32) + 9), here), None, "our own");
        assert_eq!(answered_elsewhere(&RequestId::Number(9), here), None, "untagged: ours");
    }
}
