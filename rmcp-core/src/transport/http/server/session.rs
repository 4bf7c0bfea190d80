//! 2025-era sessions: each is an engine reading from a channel and writing into the session's
//! streams ([`SessionStreams`]), and serving the lone requests of established sessions directly.
//! The manager, [`Sessions`], creates them (with ids from a CSPRNG), finds them, enforces the
//! session limits (of the service, and of each principal) and removes the ones idle for too long.

use std::any::Any;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use foldhash::HashMap;
use futures_util::FutureExt;
use http::StatusCode;
use http::request::Parts;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::body::Rejection;
use super::config::StreamableHttpConfig;
use super::event_store::{EventStore, SessionPrincipal};
use super::message_bus::{MessageBus, StreamNews, TaggedRequestIds};
use super::quota::{Pool, QuotaGuard, Quotas};
use super::session_sink::SessionStreamsSink;
use super::session_store::{SessionRecord, SessionStore};
use super::session_streams::{SessionStreams, SharedSessionStreams};
use super::sse::ItemTx;
use super::stateless_requests::StatelessRequests;
use super::sync::{UnboxingReceiver, lock_ignoring_poison};
use crate::handler::ServerHandler;
use crate::model::{ErrorData, JsonRpcMessage, JsonRpcRequest, ProtocolVersion};
use crate::service::dispatch::{DirectAnswerer, poll_once};
use crate::service::{Peer, RoleServer, ServeOptions, ServiceExt};
use crate::transport::{Extensions, Frame, Principal, SinkStreamTransport};

/// The protocol versions served on sessions.
pub(crate) const SESSION_VERSIONS: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

/// How many messages from the HTTP side may wait for a session's engine.
const INPUT_QUEUE: usize = 64;
/// How many requests of a session may be served directly at once (the engine's default
/// in-flight limit).
const DIRECT_LIMIT: usize = 8192;

/// The error for a request naming a session that does not exist (any more, or for this user).
pub(crate) fn session_gone() -> ErrorData {
    ErrorData::invalid_request("Session not found: it expired or was closed; start a new one with `initialize`")
}

/// Serving a session's lone requests directly: on their POST's own task, without the engine.
struct DirectRequests {
    answerer: DirectAnswerer,
    /// The engine's token: requests served directly stop with the engine.
    engine_ct: CancellationToken,
    /// Requests served directly whose handlers still run: a client that disconnects leaves its
    /// handler running, so without a bound it could pile up handlers without end.
    running: Arc<AtomicUsize>,
}

/// Counts a request served directly until its handler is done.
struct DirectRunning(Arc<AtomicUsize>);

impl Drop for DirectRunning {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Who opened a session: the subject and client of the [`Principal`] its `initialize` carried
/// (an authentication layer in front, such as the OAuth resource layer, put it in the request's
/// extensions). A session
/// id is a bearer of its own: bound to its owner, it is of no use to another user's token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Owner {
    subject: Option<String>,
    client_id: Option<String>,
}

impl Owner {
    /// The owner a request speaks for; `None` without a principal (no authentication layer).
    pub(crate) fn of(parts: &Parts) -> Option<Self> {
        let principal = parts.extensions.get::<Principal>()?;
        Some(Self { subject: principal.subject.clone(), client_id: principal.client_id.clone() })
    }

    /// The owner a stored session names; `None` when no token opened it.
    pub(crate) fn of_record(record: &SessionRecord) -> Option<Self> {
        (record.owner_subject.is_some() || record.owner_client.is_some())
            .then(|| Self { subject: record.owner_subject.clone(), client_id: record.owner_client.clone() })
    }

    /// Write the owner into a session's record.
    pub(crate) fn record_in(owner: Option<&Self>, record: &mut SessionRecord) {
        record.owner_subject = owner.and_then(|o| o.subject.clone());
        record.owner_client = owner.and_then(|o| o.client_id.clone());
    }

    /// Whether the request `parts` may use a session owned by `owner`.
    pub(crate) fn admits(owner: Option<&Self>, parts: &Parts) -> bool {
        owner.is_none_or(|owner| Owner::of(parts).as_ref() == Some(owner))
    }
}

/// One 2025-era session.
pub(crate) struct Session {
    pub(crate) id: Arc<str>,
    input: mpsc::Sender<Box<io::Result<Frame>>>,
    /// Where the session's messages go: the streams of its POSTs and GETs.
    pub(crate) streams: SharedSessionStreams,
    next_stream: Arc<AtomicU64>,
    /// HTTP requests and streams of the session now open; a session is idle only at zero.
    open: AtomicUsize,
    /// When the session was last active, in milliseconds since the manager's epoch.
    last_active: AtomicU64,
    /// When the session was created, in milliseconds since the manager's epoch.
    created: u64,
    /// The client sent something after `initialize`.
    established: AtomicBool,
    /// Whose session it is, when it was opened with an access token.
    pub(crate) owner: Option<Owner>,
    /// When the session's record in the session store was last kept alive, in milliseconds
    /// since the manager's epoch.
    pub(crate) touched: AtomicU64,
    /// The resource URIs its client subscribed to (`resources/subscribe`), for
    /// `StreamableHttpService::notify_resource_updated`.
    pub(crate) subscriptions: Mutex<foldhash::HashSet<String>>,
    epoch: Instant,
    ct: CancellationToken,
    /// The engine's handle to the client, for the negotiated protocol version.
    peer: Peer<RoleServer>,
    /// Serves lone requests directly, unless inline serving is turned off.
    direct: Option<DirectRequests>,
    /// The running engine; dropping it stops the engine.
    _engine: Box<dyn Any + Send + Sync>,
    /// The owner's share of the sessions, given back when the session is gone.
    _quota: Option<QuotaGuard>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session").field("id", &self.id).field("open", &self.open.load(Ordering::Relaxed)).finish()
    }
}

impl Session {
    /// Hand a message to the session's engine; `false` when the session is gone.
    pub(crate) async fn send_to_engine(&self, message: JsonRpcMessage, extensions: Extensions) -> bool {
        self.input.send(Box::new(Ok(Frame::Message(message, extensions)))).await.is_ok()
    }

    /// A fresh stream id (unique within the session, so event ids are too).
    pub(crate) fn next_stream(&self) -> u64 {
        self.next_stream.fetch_add(1, Ordering::Relaxed)
    }

    /// Mark the session busy until the guard drops.
    pub(crate) fn activity(self: &Arc<Self>) -> ActivityGuard {
        self.open.fetch_add(1, Ordering::Relaxed);
        ActivityGuard(self.clone())
    }

    /// Milliseconds since the manager's epoch.
    pub(crate) fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn touch(&self) {
        self.last_active.store(self.epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    /// The client sent a message after `initialize`: the session is in use, not an abandoned
    /// handshake.
    pub(crate) fn establish(&self) {
        self.established.store(true, Ordering::Relaxed);
    }

    /// Whether the session has ended (deleted, expired, or its engine stopped).
    pub(crate) fn is_closed(&self) -> bool {
        self.ct.is_cancelled() || self.input.is_closed()
    }

    /// The token of a request about to be served directly; `None` when inline serving is off,
    /// or when [`DIRECT_LIMIT`] requests are served directly already (the request then goes
    /// through the engine, which refuses those beyond its own in-flight limit).
    pub(crate) fn direct_request_token(&self) -> Option<CancellationToken> {
        let direct = self.direct.as_ref()?;
        (direct.running.load(Ordering::Relaxed) < DIRECT_LIMIT).then(|| direct.engine_ct.child_token())
    }

    /// Serve `request` directly: on the caller's task as far as it can go without waiting
    /// ([`poll_once`]), then on a task of its own (a client that disconnects does not cancel a
    /// 2025 request). Only for requests after `initialize`, registered with the session's
    /// streams under `ct`, which [`direct_request_token`](Self::direct_request_token) made.
    pub(crate) fn serve_direct(&self, request: JsonRpcRequest, extensions: Extensions, ct: CancellationToken) {
        let Some(direct) = &self.direct else { return };
        direct.running.fetch_add(1, Ordering::Relaxed);
        let running = DirectRunning(direct.running.clone());
        let mut answer = (direct.answerer)(request, extensions, ct).map(move |()| drop(running));
        if poll_once(Pin::new(&mut answer)).is_pending() {
            // Like the engine's own tasks, it ends with the session (the token only asks).
            let engine = direct.engine_ct.clone();
            tokio::spawn(async move {
                tokio::select! {
                    biased;
                    () = answer => {}
                    () = engine.cancelled() => {}
                }
            });
        }
    }

    /// How many handlers of requests served directly still run.
    pub(crate) fn direct_running(&self) -> usize {
        self.direct.as_ref().map_or(0, |d| d.running.load(Ordering::Relaxed))
    }

    /// The engine's handle to the client.
    pub(crate) fn peer(&self) -> &Peer<RoleServer> {
        &self.peer
    }

    /// The protocol version negotiated by `initialize`, once done.
    pub(crate) fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.peer.protocol_version()
    }
}

/// Keeps a session from expiring while an HTTP request or stream of it is open.
#[derive(Debug)]
pub(crate) struct ActivityGuard(Arc<Session>);

impl Drop for ActivityGuard {
    fn drop(&mut self) {
        self.0.touch();
        self.0.open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A stream of a session: the session's id and the stream's.
pub(crate) type StreamKey = (Arc<str>, u64);

/// All sessions of a service.
pub(crate) struct Sessions {
    map: Mutex<HashMap<Arc<str>, Arc<Session>>>,
    max: usize,
    /// Each principal's share of the sessions.
    quotas: Arc<Quotas>,
    idle_timeout: Option<Duration>,
    init_timeout: Option<Duration>,
    pub(crate) store: Option<Arc<dyn EventStore>>,
    /// Where sessions are kept for the other instances (`session_store`).
    pub(crate) session_store: Option<Arc<dyn SessionStore>>,
    /// How the instances reach each other (`message_bus`).
    pub(crate) bus: Option<Arc<dyn MessageBus>>,
    /// With a bus, the stream ids of all the sessions of this instance, tagged with it; without,
    /// each session counts its own.
    stream_ids: Option<Arc<AtomicU64>>,
    pub(crate) bus_started: AtomicBool,
    /// The streams of other instances this one follows for its clients, by session and stream:
    /// where the news the bus brings of each goes.
    pub(crate) following: Mutex<HashMap<StreamKey, mpsc::UnboundedSender<StreamNews>>>,
    /// This instance's streams that others follow: the relay each delivers to.
    pub(crate) relays: Mutex<HashMap<StreamKey, ItemTx>>,
    /// The requests of the stateless engine, once started: where list changes from other
    /// instances go.
    pub(crate) listeners: std::sync::OnceLock<Weak<StatelessRequests>>,
    /// How long the event store may take (`event_store_timeout`).
    store_timeout: Option<Duration>,
    /// What the sessions of one principal may keep in the store (`max_event_bytes_per_principal`).
    store_bytes_per_principal: usize,
    /// Sessions serve requests inline, and lone ones directly
    /// (`StreamableHttpConfig::inline_requests`).
    inline_requests: bool,
    /// At most this many requests of a session in flight (`max_requests_per_session`).
    max_requests: usize,
    /// The default timeout of a session's requests to its client (`client_request_timeout`).
    client_request_timeout: Option<Duration>,
    reaper_started: AtomicBool,
    epoch: Instant,
    ct: CancellationToken,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions").field("count", &self.len()).field("max", &self.max).finish()
    }
}

impl Sessions {
    /// No session yet; at most `max_sessions` of `config` (and each principal its share of
    /// `quotas`), each closed after the idle timeout without an open request or stream, or the
    /// init timeout after an `initialize` its client did not follow up.
    pub(crate) fn new(config: &StreamableHttpConfig, quotas: Arc<Quotas>, ct: CancellationToken) -> Self {
        Self {
            map: Mutex::new(HashMap::default()),
            max: config.max_sessions,
            quotas,
            idle_timeout: config.session_idle_timeout,
            init_timeout: config.session_init_timeout,
            store: config.event_store.clone(),
            session_store: config.session_store.clone(),
            bus: config.message_bus.clone(),
            stream_ids: config.message_bus.as_ref().map(|bus| Arc::new(AtomicU64::new(bus.instance().base() + 1))),
            bus_started: AtomicBool::new(false),
            following: Mutex::default(),
            relays: Mutex::default(),
            listeners: std::sync::OnceLock::new(),
            store_timeout: config.event_store_timeout,
            store_bytes_per_principal: config.max_event_bytes_per_principal,
            inline_requests: config.inline_requests,
            max_requests: config.max_requests_per_session.max(1),
            client_request_timeout: config.client_request_timeout,
            reaper_started: AtomicBool::new(false),
            epoch: Instant::now(),
            ct,
        }
    }

    /// How long a session may stay idle here.
    pub(crate) fn idle_timeout(&self) -> Option<Duration> {
        self.idle_timeout
    }

    /// The token that stops every session.
    pub(crate) fn cancellation_token(&self) -> &CancellationToken {
        &self.ct
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, Arc<Session>>> {
        lock_ignoring_poison(&self.map)
    }

    /// How many sessions are open.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    /// The session `id`, whoever owns it.
    pub(crate) fn get(&self, id: &str) -> Option<Arc<Session>> {
        self.lock().get(id).cloned()
    }

    /// The session `id`, for the request `parts`: `None` when there is none, or when it is
    /// bound to an owner the request does not speak for (answered as if it did not exist, so
    /// another user cannot even learn that the id is live).
    pub(crate) fn get_for(&self, id: &str, parts: &Parts) -> Option<Arc<Session>> {
        let session = self.get(id)?;
        if !Owner::admits(session.owner.as_ref(), parts) {
            tracing::debug!("a request for a session opened by another user; refused");
            return None;
        }
        Some(session)
    }

    /// Start a session serving `handler` for the `initialize` request `parts`: bound to its
    /// [`Owner`] when it has one, and counted against its principal's share of the sessions.
    pub(crate) async fn create<S: ServerHandler>(
        self: &Arc<Self>,
        handler: S,
        parts: &Parts,
    ) -> Result<Arc<Session>, Rejection> {
        self.start(handler, new_session_id().into(), parts, None).await
    }

    /// Start session `id` serving `handler`: a new one, or with `restored`, one that another
    /// instance opened, initialized as its record says (its owner, checked by the caller, from
    /// there too). A session restored concurrently by another request is the one returned.
    pub(crate) async fn start<S: ServerHandler>(
        self: &Arc<Self>,
        handler: S,
        id: Arc<str>,
        parts: &Parts,
        restored: Option<SessionRecord>,
    ) -> Result<Arc<Session>, Rejection> {
        if self.ct.is_cancelled() {
            let e = ErrorData::internal_error("the server is shutting down");
            return Err(Rejection::new(StatusCode::SERVICE_UNAVAILABLE, e));
        }
        if self.len() >= self.max {
            return Err(full(self.max));
        }
        let quota = self.quotas.take(parts, Pool::Sessions)?;
        let (input, input_rx) = mpsc::channel(INPUT_QUEUE);
        let next_stream = self.stream_ids.clone().unwrap_or_else(|| Arc::new(AtomicU64::new(1)));
        let streams = SessionStreams::new(id.clone(), self.store.clone(), next_stream.clone(), input.downgrade())
            .with_max_requests(self.max_requests)
            .with_store_timeout(self.store_timeout)
            .with_bus(self.bus.clone())
            .with_kept_events(self.session_store.is_some());
        let streams: SharedSessionStreams = Arc::new(streams);
        let transport = SinkStreamTransport::new(SessionStreamsSink::new(streams.clone()), UnboxingReceiver(input_rx));
        let ct = self.ct.child_token();
        let mut options = ServeOptions::default()
            .with_ct(ct.clone())
            .with_inline_requests(self.inline_requests)
            .with_client_request_timeout(self.client_request_timeout);
        if let Some(bus) = &self.bus {
            options = options.with_request_ids(Arc::new(TaggedRequestIds::new(bus.instance())));
        }
        let running = handler.serve_with_options(transport, options).await.map_err(|e| {
            Rejection::new(StatusCode::INTERNAL_SERVER_ERROR, ErrorData::internal_error(format!("{e}")))
        })?;
        let owner = match &restored {
            Some(record) => {
                let owner = Owner::of_record(record);
                running.peer().set_peer_info(record.client.clone(), record.protocol_version.clone());
                if let Some(level) = record.log_level {
                    running.peer().set_log_level(level);
                }
                owner
            }
            None => Owner::of(parts),
        };
        // Before the session's first event (its engine has had no message yet); forgotten with
        // the session's events when it ends.
        if let (Some(store), Some(principal)) = (&self.store, SessionPrincipal::of(&parts.extensions)) {
            store.open_session(&id, principal, self.store_bytes_per_principal);
        }
        let now = self.epoch.elapsed().as_millis() as u64;
        let session = Arc::new(Session {
            id: id.clone(),
            input,
            streams: streams.clone(),
            next_stream,
            open: AtomicUsize::new(0),
            last_active: AtomicU64::new(now),
            created: now,
            established: AtomicBool::new(restored.is_some()),
            owner,
            touched: AtomicU64::new(now),
            subscriptions: Mutex::new(
                restored.as_ref().map(|r| r.subscriptions.iter().cloned().collect()).unwrap_or_default(),
            ),
            epoch: self.epoch,
            ct,
            peer: running.peer().clone(),
            direct: self.inline_requests.then(|| DirectRequests {
                answerer: running.direct_answerer(streams.clone()),
                engine_ct: running.cancellation_token(),
                running: Arc::default(),
            }),
            _engine: Box::new(running),
            _quota: quota,
        });
        {
            let mut map = self.lock();
            // Checked again: sessions created concurrently since the first check count too.
            if let Some(other) = map.get(&id) {
                // Restored by another request meanwhile.
                session.streams.keep_events();
                session.ct.cancel();
                return Ok(other.clone());
            }
            if map.len() >= self.max {
                session.streams.keep_events();
                session.ct.cancel();
                return Err(full(self.max));
            }
            map.insert(id, session.clone());
        }
        self.start_reaper();
        self.start_bus_listener();
        Ok(session)
    }

    /// End a session here; `false` if there was none with this id. With a session store, the
    /// session goes on for the other instances (see [`Sessions::end`] to end it for all).
    pub(crate) fn remove(&self, id: &str) -> bool {
        let Some(session) = self.lock().remove(id) else { return false };
        // The engine stops, its writer closes the session's streams, which ends every one of them
        // and forgets the session's events (unless other instances may still want them).
        session.ct.cancel();
        true
    }

    /// Every open session (for the shutdown, which visits each).
    pub(crate) fn all(&self) -> Vec<Arc<Session>> {
        self.lock().values().cloned().collect()
    }

    /// End every session.
    pub(crate) fn clear(&self) {
        let all: Vec<_> = self.lock().drain().map(|(_, s)| s).collect();
        for s in all {
            s.ct.cancel();
        }
    }

    fn start_reaper(self: &Arc<Self>) {
        let shortest = match (self.idle_timeout, self.init_timeout) {
            (Some(a), Some(b)) => a.min(b),
            (Some(t), None) | (None, Some(t)) => t,
            (None, None) => return,
        };
        if self.reaper_started.swap(true, Ordering::Relaxed) {
            return;
        }
        let weak: Weak<Self> = Arc::downgrade(self);
        let ct = self.ct.clone();
        let period = (shortest / 4).clamp(Duration::from_millis(10), Duration::from_secs(30));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = ct.cancelled() => break,
                    _ = tick.tick() => {}
                }
                let Some(sessions) = weak.upgrade() else { break };
                sessions.reap();
            }
        });
    }

    /// Close the sessions idle for too long, and those whose client never followed up on
    /// `initialize` (open streams or not: a GET does not count as using the session).
    fn reap(&self) {
        let now = self.epoch.elapsed().as_millis() as u64;
        let millis = |d: Option<Duration>| d.map(|d| d.as_millis() as u64);
        let (idle, init) = (millis(self.idle_timeout), millis(self.init_timeout));
        let expired: Vec<Arc<str>> = self
            .lock()
            .values()
            .filter(|s| {
                let idle_expired = idle.is_some_and(|idle| {
                    s.open.load(Ordering::Relaxed) == 0
                        && now.saturating_sub(s.last_active.load(Ordering::Relaxed)) >= idle
                });
                let abandoned = init.is_some_and(|init| {
                    !s.established.load(Ordering::Relaxed) && now.saturating_sub(s.created) >= init
                });
                idle_expired || abandoned
            })
            .map(|s| s.id.clone())
            .collect();
        for id in expired {
            // With a session store this is this instance's copy only: the record expires by
            // itself, at the same idle timeout, unless another instance uses the session.
            tracing::debug!(session = %id, "session expired");
            self.remove(&id);
        }
    }
}

fn full(max: usize) -> Rejection {
    Rejection::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorData::internal_error(format!("the server has reached its limit of {max} sessions; retry later")),
    )
    .with_header(http::header::RETRY_AFTER, "1")
}

/// A session id: a random (v4) UUID, 122 bits from the operating system's CSPRNG, written in
/// visible ASCII as the transport requires.
fn new_session_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
