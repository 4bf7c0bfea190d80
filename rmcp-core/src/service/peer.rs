//! The `Peer` handle: send requests and notifications to the other side from any task.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::sync::{mpsc, oneshot};

use crate::transport::Outbound;

use super::dispatch::DirectOutput;
use super::options::RequestDefaults;
use super::{ProgressTokenProvider, RequestIdProvider, RequestOptions, ServiceError, ServiceRole};
use crate::model::{
    JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, Meta, ProgressNotificationParams, ProgressToken,
    ProtocolVersion, RequestId, meta_keys,
};

/// What a [`Peer`] asks the engine to do.
pub(crate) enum Command {
    /// Send a request and route its response to `responder`.
    Request {
        request: JsonRpcRequest,
        related: Option<RequestId>,
        responder: oneshot::Sender<Result<Box<RawValue>, ServiceError>>,
        progress: Option<(ProgressToken, mpsc::UnboundedSender<ProgressNotificationParams>)>,
    },
    /// The caller gave up on a pending request: forget it and tell the peer.
    Cancel(Cancel),
    /// Stop reading, let in-flight work finish for at most this long, then stop.
    Close(Duration),
    /// Report the sizes of the engine's tables ([`Peer::stats`]).
    Stats(oneshot::Sender<super::EngineStats>),
}

/// A pending request the caller gave up on.
pub(crate) struct Cancel {
    pub id: RequestId,
    pub reason: Option<String>,
}

/// What every handle to one connection shares. The engine's queues live here too, so cloning a
/// handle (once per incoming request) is one reference count.
pub(crate) struct PeerShared<R: ServiceRole> {
    /// Outgoing requests and cancellations, to the engine (which owns the pending table).
    pub commands: mpsc::Sender<Box<Command>>,
    /// Notifications and responses, straight to the writer.
    pub wire: mpsc::Sender<Box<Outbound>>,
    pub ids: Arc<dyn RequestIdProvider>,
    pub progress_tokens: Arc<dyn ProgressTokenProvider>,
    pub peer_info: OnceLock<R::PeerInfo>,
    pub protocol_version: OnceLock<ProtocolVersion>,
    /// `_meta` entries added to every outgoing request (the 2026 client's per-request metadata).
    pub request_meta: OnceLock<Meta>,
    pub info: OnceLock<R::Info>,
    /// This side's own service, to answer requests locally: a 2026-07-28 client fulfils a
    /// server's `input_required` requests with the same handler that answers 2025 requests.
    pub local: OnceLock<LocalHandler<R>>,
    /// The least severe log level the peer wants (2025 `logging/setLevel`): 0 = not set, else
    /// the level's index + 1.
    #[cfg(feature = "server")]
    pub log_level: std::sync::atomic::AtomicU8,
    /// What a request's options leave unset (the connection's timeouts, from `ServeOptions`).
    pub request_defaults: RequestDefaults,
    /// A client's list cache and listen streams, made on first use (`client_state.rs`).
    #[cfg(feature = "client")]
    pub client_state: OnceLock<Arc<super::client_state::ClientState>>,
    /// The connection's duration histograms.
    #[cfg(feature = "otel")]
    pub telemetry: super::telemetry::Instruments,
}

/// A type-erased call into this side's service. It holds the service weakly, so a service that
/// keeps its own peer does not keep itself alive.
pub(crate) type LocalHandler<R> = Arc<
    dyn Fn(
            <R as ServiceRole>::PeerRequest,
            super::RequestContext<R>,
        ) -> futures_util::future::BoxFuture<'static, Result<<R as ServiceRole>::Result, super::McpError>>
        + Send
        + Sync,
>;

/// A handle to the other side of a connection. Cheap to clone; usable from any task.
///
/// Typed methods for each request and notification of the role live on `Peer<RoleClient>` and
/// `Peer<RoleServer>`; [`Peer::send_request`] and [`Peer::send_notification`] send anything.
/// A [`RunningService`](super::RunningService) dereferences to its peer; handlers get one in
/// their [`RequestContext`](super::RequestContext).
///
/// ```no_run
/// use rmcp_core::model::CallToolRequestParams;
/// use rmcp_core::service::ServiceExt;
/// use rmcp_core::transport::ChildProcess;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = ().serve(ChildProcess::new(tokio::process::Command::new("my-server"))?).await?;
/// // Requests from any task share the connection; answers are matched by id.
/// let peer = client.peer().clone();
/// let slow = tokio::spawn(async move { peer.call_tool(CallToolRequestParams::new("slow")).await });
/// let tools = client.list_all_tools().await?;
/// let result = slow.await??;
/// # Ok(())
/// # }
/// ```
pub struct Peer<R: ServiceRole> {
    /// The peer's request this handle was given for: what it sends belongs to that request.
    related: Option<RequestId>,
    /// Set on handles given to 2026-07-28 requests: that protocol has no server-to-client
    /// requests (servers return `input_required` results instead).
    no_requests: bool,
    /// Set on handles given to requests a transport serves directly, taking their messages
    /// itself: notifications go there rather than to the writer, in order with the answer.
    direct: Option<Arc<dyn DirectOutput>>,
    pub(crate) shared: Arc<PeerShared<R>>,
}

impl<R: ServiceRole> Clone for Peer<R> {
    fn clone(&self) -> Self {
        Self {
            related: self.related.clone(),
            no_requests: self.no_requests,
            direct: self.direct.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<R: ServiceRole> fmt::Debug for Peer<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Peer")
            .field("role", &R::default())
            .field("protocol_version", &self.shared.protocol_version.get())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<R: ServiceRole> Peer<R> {
    pub(crate) fn new(
        commands: mpsc::Sender<Box<Command>>,
        wire: mpsc::Sender<Box<Outbound>>,
        ids: Arc<dyn RequestIdProvider>,
        progress_tokens: Arc<dyn ProgressTokenProvider>,
        request_defaults: RequestDefaults,
    ) -> Self {
        Self {
            related: None,
            no_requests: false,
            direct: None,
            shared: Arc::new(PeerShared {
                commands,
                wire,
                ids,
                progress_tokens,
                peer_info: OnceLock::new(),
                protocol_version: OnceLock::new(),
                request_meta: OnceLock::new(),
                info: OnceLock::new(),
                local: OnceLock::new(),
                #[cfg(feature = "server")]
                log_level: Default::default(),
                request_defaults,
                #[cfg(feature = "client")]
                client_state: OnceLock::new(),
                #[cfg(feature = "otel")]
                telemetry: super::telemetry::Instruments::new(R::IS_SERVER),
            }),
        }
    }

    /// A handle connected to nothing: every send fails with [`ServiceError::TransportClosed`].
    /// Useful to call handlers directly, in tests and benchmarks.
    pub fn detached() -> Self {
        let (commands, _) = mpsc::channel(1);
        let (wire, _) = mpsc::channel(1);
        let counter = Arc::new(super::AtomicCounter::default());
        Self::new(commands, wire, counter.clone(), counter, RequestDefaults::default())
    }

    /// What the peer said about itself at the handshake (2025 era), if it happened.
    pub fn peer_info(&self) -> Option<&R::PeerInfo> {
        self.shared.peer_info.get()
    }

    /// The protocol version of the connection, once known.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.shared.protocol_version.get().cloned()
    }

    /// How this side described itself when the service started.
    #[cfg(any(feature = "server", feature = "client"))]
    pub(crate) fn own_info(&self) -> Option<&R::Info> {
        self.shared.info.get()
    }

    /// A handle whose messages belong to the peer's request `id` (what handlers get).
    pub(crate) fn related_to(&self, id: RequestId) -> Self {
        let mut peer = self.clone();
        peer.related = Some(id);
        peer
    }

    /// A handle that refuses to send requests (for requests served under 2026-07-28).
    pub(crate) fn without_requests(mut self) -> Self {
        self.no_requests = true;
        self
    }

    /// A handle whose notifications go to `direct` (for requests served directly).
    #[cfg(feature = "http-server")]
    pub(crate) fn with_direct_output(mut self, direct: Arc<dyn DirectOutput>) -> Self {
        self.direct = Some(direct);
        self
    }

    /// Whether two handles reach the same connection.
    pub fn same_connection(&self, other: &Peer<R>) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Whether the connection is gone.
    pub fn is_closed(&self) -> bool {
        self.shared.commands.is_closed()
    }

    /// Wait until the connection is gone (at once if it is already).
    pub async fn closed(&self) {
        self.shared.commands.closed().await
    }

    /// A number naming the connection: equal for handles that reach the same one. It is unique
    /// among open connections, and stays so while a handle to it is kept (a registry keyed by it
    /// keeps the handle beside the key).
    #[cfg(feature = "server")] // its users: subscriptions and the tool router
    pub(crate) fn connection_key(&self) -> usize {
        Arc::as_ptr(&self.shared) as *const () as usize
    }

    #[cfg(any(feature = "server", feature = "client"))]
    pub(crate) fn set_peer_info(&self, info: R::PeerInfo, version: ProtocolVersion) {
        let _ = self.shared.peer_info.set(info);
        let _ = self.shared.protocol_version.set(version);
    }

    #[cfg(feature = "client")]
    pub(crate) fn set_request_meta(&self, meta: Meta) {
        let _ = self.shared.request_meta.set(meta);
    }

    pub(crate) fn commands(&self) -> &mpsc::Sender<Box<Command>> {
        &self.shared.commands
    }

    /// Send a request and wait for its result.
    ///
    /// Dropping the returned future before it completes cancels the request: the peer gets
    /// `notifications/cancelled`. A timeout does the same and returns [`ServiceError::Timeout`];
    /// what [`RequestOptions`] leave unset comes from the connection's
    /// [`ServeOptions`](super::ServeOptions) (`request_timeout`, `client_request_timeout`,
    /// `max_total_timeout`).
    pub async fn send_request<T: DeserializeOwned>(
        &self,
        method: impl Into<Cow<'static, str>>,
        params: &impl Serialize,
        options: RequestOptions,
    ) -> Result<T, ServiceError> {
        let method = method.into();
        let raw = self.send_request_raw(method.clone(), params, options).await?;
        serde_json::from_str(raw.get())
            .map_err(|e| ServiceError::UnexpectedResponse(format!("the result of `{method}` does not parse: {e}")))
    }

    /// Send a request and return its raw JSON result.
    pub async fn send_request_raw(
        &self,
        method: impl Into<Cow<'static, str>>,
        params: &impl Serialize,
        mut options: RequestOptions,
    ) -> Result<Box<RawValue>, ServiceError> {
        if self.no_requests {
            return Err(ServiceError::Unsupported(
                "a 2026-07-28 request cannot send requests to the client; return an input_required result instead",
            ));
        }
        // The connection's defaults (`ServeOptions`) where the call sets none.
        self.shared.request_defaults.apply(&mut options);
        // The timeout covers the whole call, including waiting for room in the engine's queue;
        // with the time it names, for the error.
        let start = tokio::time::Instant::now();
        let deadline = options.deadline(start, start);
        let id = self.shared.ids.next_request_id();
        // Progress is asked for when someone listens, or when it keeps the timeout alive.
        let wants_progress =
            options.progress.is_some() || (options.reset_timeout_on_progress && options.timeout.is_some());
        let progress = wants_progress.then(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            (self.shared.progress_tokens.next_progress_token(), tx, rx)
        });
        let params = self.encode_params(params, progress.as_ref().map(|p| &p.0))?;
        let method = method.into();
        // The request's span starts here, and its context goes into the params.
        #[cfg(feature = "otel")]
        let (mut observed, params) = {
            let version = self.shared.protocol_version.get();
            let (observed, carried) =
                super::telemetry::Outgoing::start(&self.shared.telemetry, &method, Some(&id), Some(&params), version);
            (observed, carried.unwrap_or(params))
        };
        let (responder, response) = oneshot::channel();
        let (progress_tx, progress_rx) = match progress {
            Some((token, tx, rx)) => (Some((token, tx)), Some(rx)),
            None => (None, None),
        };
        let request = JsonRpcRequest { id: id.clone(), method, params: Some(params) };
        let command = Command::Request { request, related: self.related.clone(), responder, progress: progress_tx };
        let result = self.exchange(command, response, id, &options, start, deadline, progress_rx).await;
        #[cfg(feature = "otel")]
        observed.ended(&result);
        result
    }

    /// Hand a request to the engine and wait for its `response` (and its progress), within the
    /// `deadline` the `options` give from `start`; cancel it if the wait ends otherwise.
    #[allow(clippy::too_many_arguments)] // the parts of one call, split off only to observe its end
    async fn exchange(
        &self,
        command: Command,
        mut response: oneshot::Receiver<Result<Box<RawValue>, ServiceError>>,
        id: RequestId,
        options: &RequestOptions,
        start: tokio::time::Instant,
        mut deadline: Option<(tokio::time::Instant, Duration)>,
        mut progress_rx: Option<mpsc::UnboundedReceiver<ProgressNotificationParams>>,
    ) -> Result<Box<RawValue>, ServiceError> {
        let enqueue = self.shared.commands.send(Box::new(command));
        match deadline {
            Some((d, timeout)) => match tokio::time::timeout_at(d, enqueue).await {
                Ok(sent) => sent.map_err(|_| ServiceError::TransportClosed)?,
                Err(_) => return Err(ServiceError::Timeout { timeout }),
            },
            None => enqueue.await.map_err(|_| ServiceError::TransportClosed)?,
        }
        let mut guard = CancelOnDrop { id: Some(id), commands: &self.shared.commands };

        loop {
            let sleep = async {
                match deadline {
                    Some((d, _)) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            let progress_next = async {
                match progress_rx.as_mut() {
                    Some(rx) => rx.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                result = &mut response => {
                    guard.id = None;
                    // Progress sent before the response is delivered before the call returns.
                    if let (Some(rx), Some(cb)) = (progress_rx.as_mut(), &options.progress) {
                        while let Ok(p) = rx.try_recv() {
                            cb(p);
                        }
                    }
                    return result.unwrap_or(Err(ServiceError::TransportClosed));
                }
                Some(p) = progress_next => {
                    if let Some(cb) = &options.progress {
                        cb(p);
                    }
                    if options.reset_timeout_on_progress {
                        // Never past the bound on the whole call (`options.deadline`).
                        deadline = options.deadline(start, tokio::time::Instant::now());
                    }
                }
                () = sleep => {
                    let timeout = deadline.map_or(Duration::ZERO, |(_, t)| t);
                    guard.cancel(Some(format!("timed out after {timeout:?}")));
                    return Err(ServiceError::Timeout { timeout });
                }
            }
        }
    }

    /// Send a notification.
    pub async fn send_notification(
        &self,
        method: impl Into<Cow<'static, str>>,
        params: &impl Serialize,
    ) -> Result<(), ServiceError> {
        let params = serde_json::value::to_raw_value(params)
            .map_err(|e| ServiceError::TransportSend(std::io::Error::other(e)))?;
        let method = method.into();
        #[cfg(feature = "otel")]
        let (mut observed, params) = {
            let version = self.shared.protocol_version.get();
            let (observed, carried) =
                super::telemetry::Outgoing::start(&self.shared.telemetry, &method, None, Some(&params), version);
            (observed, carried.unwrap_or(params))
        };
        let msg = JsonRpcMessage::Notification(JsonRpcNotification { method, params: Some(params) });
        let out = Outbound::related(msg, self.related.clone());
        let sent = match &self.direct {
            Some(direct) => direct.send(out).await,
            None => self.shared.wire.send(Box::new(out)).await.is_ok(),
        };
        #[cfg(feature = "otel")]
        if !sent {
            observed.not_sent();
        }
        if sent { Ok(()) } else { Err(ServiceError::TransportClosed) }
    }

    /// Serialize params, adding the progress token and the connection's per-request `_meta`.
    fn encode_params(
        &self,
        params: &impl Serialize,
        progress: Option<&ProgressToken>,
    ) -> Result<Box<RawValue>, ServiceError> {
        let encode_err = |e: serde_json::Error| ServiceError::TransportSend(std::io::Error::other(e));
        let extra = self.shared.request_meta.get();
        if progress.is_none() && extra.is_none() {
            return serde_json::value::to_raw_value(params).map_err(encode_err);
        }
        let mut value = serde_json::to_value(params).map_err(encode_err)?;
        if value.is_null() {
            value = Value::Object(Default::default());
        }
        let Value::Object(obj) = &mut value else {
            return serde_json::value::to_raw_value(&value).map_err(encode_err);
        };
        let meta = obj.entry("_meta").or_insert_with(|| Value::Object(Default::default()));
        if let Value::Object(meta) = meta {
            if let Some(extra) = extra {
                for (k, v) in extra {
                    meta.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            if let Some(token) = progress {
                meta.insert(meta_keys::PROGRESS_TOKEN.into(), serde_json::to_value(token).map_err(encode_err)?);
            }
        }
        serde_json::value::to_raw_value(&value).map_err(encode_err)
    }
}

struct CancelOnDrop<'a> {
    id: Option<RequestId>,
    commands: &'a mpsc::Sender<Box<Command>>,
}

impl CancelOnDrop<'_> {
    /// Queue the cancellation behind the request itself (so the engine never sees them out of
    /// order). This runs in `Drop`, which cannot wait: when the queue is full, a task waits for
    /// room; without a runtime the cancellation is lost, and the late response is ignored.
    fn cancel(&mut self, reason: Option<String>) {
        let Some(id) = self.id.take() else { return };
        let command = Box::new(Command::Cancel(Cancel { id, reason }));
        if let Err(mpsc::error::TrySendError::Full(command)) = self.commands.try_send(command)
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let commands = self.commands.clone();
            runtime.spawn(async move {
                let _ = commands.send(command).await;
            });
        }
    }
}

impl Drop for CancelOnDrop<'_> {
    fn drop(&mut self) {
        self.cancel(Some("the request was dropped by its sender".into()));
    }
}
