//! Starting a service on a transport, and the handle to a running one.

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::{CancellationToken, DropGuard};

#[cfg(feature = "http-server")]
use super::dispatch::{self, DirectAnswerer, DirectOutput};
use super::engine::{BoxSink, BoxStream, COMMAND_QUEUE, Engine, QuitReason, WIRE_QUEUE};
use super::options::RequestDefaults;
use super::peer::{Command, LocalHandler};
use super::{
    AtomicCounter, McpError, NotificationContext, Peer, ProgressTokenProvider, RequestContext, RequestIdProvider,
    ServeError, ServiceRole,
};
use crate::transport::{IntoTransport, Transport};

/// Something that answers a peer's requests and notifications in one role.
///
/// Users implement [`ServerHandler`](crate::handler::ServerHandler) or
/// [`ClientHandler`](crate::handler::ClientHandler), which are `Service`s; implement this directly
/// only to take over dispatch entirely.
pub trait Service<R: ServiceRole>: Send + Sync + 'static {
    /// Answer a request.
    fn handle_request(
        &self,
        request: R::PeerRequest,
        ctx: RequestContext<R>,
    ) -> impl Future<Output = Result<R::Result, McpError>> + Send + '_;
    /// React to a notification.
    fn handle_notification(
        &self,
        notification: R::PeerNotification,
        ctx: NotificationContext<R>,
    ) -> impl Future<Output = ()> + Send + '_;
    /// How this side describes itself.
    fn get_info(&self) -> R::Info;
}

/// The object-safe form of [`Service`], so services of different types fit in one collection.
pub trait DynService<R: ServiceRole>: Send + Sync + 'static {
    /// See [`Service::handle_request`].
    fn handle_request_dyn(
        &self,
        request: R::PeerRequest,
        ctx: RequestContext<R>,
    ) -> BoxFuture<'_, Result<R::Result, McpError>>;
    /// See [`Service::handle_notification`].
    fn handle_notification_dyn(
        &self,
        notification: R::PeerNotification,
        ctx: NotificationContext<R>,
    ) -> BoxFuture<'_, ()>;
    /// See [`Service::get_info`].
    fn get_info_dyn(&self) -> R::Info;
}

impl<R: ServiceRole, S: Service<R>> DynService<R> for S {
    fn handle_request_dyn(
        &self,
        request: R::PeerRequest,
        ctx: RequestContext<R>,
    ) -> BoxFuture<'_, Result<R::Result, McpError>> {
        Box::pin(self.handle_request(request, ctx))
    }
    fn handle_notification_dyn(
        &self,
        notification: R::PeerNotification,
        ctx: NotificationContext<R>,
    ) -> BoxFuture<'_, ()> {
        Box::pin(self.handle_notification(notification, ctx))
    }
    fn get_info_dyn(&self) -> R::Info {
        self.get_info()
    }
}

impl<R: ServiceRole> Service<R> for Box<dyn DynService<R>> {
    fn handle_request(
        &self,
        request: R::PeerRequest,
        ctx: RequestContext<R>,
    ) -> impl Future<Output = Result<R::Result, McpError>> + Send + '_ {
        (**self).handle_request_dyn(request, ctx)
    }
    fn handle_notification(
        &self,
        notification: R::PeerNotification,
        ctx: NotificationContext<R>,
    ) -> impl Future<Output = ()> + Send + '_ {
        (**self).handle_notification_dyn(notification, ctx)
    }
    fn get_info(&self) -> R::Info {
        (**self).get_info_dyn()
    }
}

/// How to run a service.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeOptions {
    /// Ids of outgoing requests.
    pub request_ids: Arc<dyn RequestIdProvider>,
    /// Progress tokens of outgoing requests.
    pub progress_tokens: Arc<dyn ProgressTokenProvider>,
    /// Cancels the service (and everything it runs) from outside.
    pub ct: CancellationToken,
    /// When the peer closes its side, how long in-flight requests may still run.
    pub drain_timeout: Duration,
    /// How many of the peer's requests may run at once; more are refused with an error.
    pub max_in_flight: usize,
    /// Poll each request once on the connection's own task before giving it a task of its
    /// own (default `true`): a handler that needs no waiting is answered without a spawn.
    ///
    /// A handler must then not block before its first `.await` on something only the
    /// connection can deliver, such as `block_on(ctx.peer.create_message(..))` inside
    /// `block_in_place`: the connection's task would wait for itself. Await it instead, or turn
    /// this off.
    pub inline_requests: bool,
    /// For a server: how long a request it sends to its client (sampling, elicitation, roots,
    /// ping) waits for the answer when the call sets no timeout of its own
    /// ([`RequestOptions::timeout`](super::RequestOptions::timeout)); then the call fails with
    /// [`ServiceError::Timeout`](super::ServiceError::Timeout) and the client gets
    /// `notifications/cancelled`. A client that never answers cannot hold the handler that
    /// asked (and what it holds) forever. A client's own requests are not affected: a tool may
    /// rightly run for long. Default: [`DEFAULT_CLIENT_REQUEST_TIMEOUT`]; `None`: wait forever.
    pub client_request_timeout: Option<Duration>,
    /// For a client: how long each request it sends waits for its answer when the call sets
    /// no timeout of its own ([`RequestOptions::timeout`](super::RequestOptions::timeout)); then
    /// the call fails with [`ServiceError::Timeout`](super::ServiceError::Timeout) and the server
    /// gets `notifications/cancelled`. Default: `None` (a tool may rightly run for long).
    pub request_timeout: Option<Duration>,
    /// The longest any request this side sends may take in all, when the call sets no
    /// [`RequestOptions::max_total_timeout`](super::RequestOptions::max_total_timeout): it holds
    /// even when progress keeps restarting the timeout
    /// ([`reset_timeout_on_progress`](super::RequestOptions::reset_timeout_on_progress)), and
    /// bounds calls that have no timeout at all. Default: `None` (10 times the call's timeout).
    pub max_total_timeout: Option<Duration>,
}

/// The default [`ServeOptions::client_request_timeout`]: 5 minutes, time for a person to read
/// and answer an elicitation or approve a sampling request, yet a bound on what an abandoned
/// request holds.
pub const DEFAULT_CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5 * 60);

impl Default for ServeOptions {
    fn default() -> Self {
        let counter = Arc::new(AtomicCounter::default());
        Self {
            request_ids: counter.clone(),
            progress_tokens: counter,
            ct: CancellationToken::new(),
            drain_timeout: Duration::from_secs(10),
            max_in_flight: 8192,
            inline_requests: true,
            client_request_timeout: Some(DEFAULT_CLIENT_REQUEST_TIMEOUT),
            request_timeout: None,
            max_total_timeout: None,
        }
    }
}

impl ServeOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }
    /// Use this cancellation token.
    pub fn with_ct(mut self, ct: CancellationToken) -> Self {
        self.ct = ct;
        self
    }
    /// Use this request id provider.
    pub fn with_request_ids(mut self, ids: Arc<dyn RequestIdProvider>) -> Self {
        self.request_ids = ids;
        self
    }
    /// Use this progress token provider.
    pub fn with_progress_tokens(mut self, tokens: Arc<dyn ProgressTokenProvider>) -> Self {
        self.progress_tokens = tokens;
        self
    }
    /// How many of the peer's requests may run at once.
    pub fn with_max_in_flight(mut self, max: usize) -> Self {
        self.max_in_flight = max.max(1);
        self
    }
    /// Whether requests are first polled on the connection's task (see
    /// [`inline_requests`](Self::inline_requests)).
    pub fn with_inline_requests(mut self, inline: bool) -> Self {
        self.inline_requests = inline;
        self
    }
    /// For a server: how long a request to the client waits for its answer when the call sets no
    /// timeout (see [`client_request_timeout`](Self::client_request_timeout); `None`: forever).
    pub fn with_client_request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.client_request_timeout = timeout;
        self
    }
    /// For a client: the timeout of every request whose call sets none (see
    /// [`request_timeout`](Self::request_timeout)).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// use rmcp_core::service::ServeOptions;
    ///
    /// // Calls give up after 30 s without an answer (or 30 s after their last progress, for
    /// // calls that ask progress to restart the timeout), and after 10 minutes whatever happens.
    /// let options = ServeOptions::new()
    ///     .with_request_timeout(Some(Duration::from_secs(30)))
    ///     .with_max_total_timeout(Some(Duration::from_secs(600)));
    /// # let _ = options;
    /// ```
    pub fn with_request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }
    /// The bound on the whole of every request whose call sets none (see
    /// [`max_total_timeout`](Self::max_total_timeout)).
    pub fn with_max_total_timeout(mut self, max: Option<Duration>) -> Self {
        self.max_total_timeout = max;
        self
    }
    /// How long in-flight requests may run after the peer closes its side.
    pub fn with_drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }
}

/// Run services on transports.
pub trait ServiceExt<R: ServiceRole>: Service<R> + Sized {
    /// Serve on `transport`. A client performs its handshake before this returns.
    ///
    /// A server and a client in one process, over an in-memory [`duplex`](crate::transport::duplex)
    /// pair (`()` is a client that answers nothing):
    ///
    /// ```
    /// use rmcp_core::handler::{ServerHandler, ServerInfo};
    /// use rmcp_core::model::{Implementation, ServerCapabilities};
    /// use rmcp_core::service::ServiceExt;
    ///
    /// struct Hello;
    /// impl ServerHandler for Hello {
    ///     fn get_info(&self) -> ServerInfo {
    ///         ServerInfo::new(Implementation::new("hello", "1.0.0"), ServerCapabilities::default())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let (server_end, client_end) = rmcp_core::transport::duplex(64 * 1024);
    /// let server = tokio::spawn(Hello.serve(server_end));
    /// let client = ().serve(client_end).await?;
    /// assert_eq!(client.server_info().unwrap().server_info.name, "hello");
    /// client.cancel().await;
    /// server.await??.waiting().await; // ends once the client has left
    /// # Ok(())
    /// # }
    /// ```
    fn serve<T, M>(self, transport: T) -> impl Future<Output = Result<RunningService<R, Self>, ServeError>> + Send
    where
        T: IntoTransport<M>,
    {
        self.serve_with_options(transport, ServeOptions::default())
    }

    /// Serve until `ct` is cancelled (or the peer goes away).
    fn serve_with_ct<T, M>(
        self,
        transport: T,
        ct: CancellationToken,
    ) -> impl Future<Output = Result<RunningService<R, Self>, ServeError>> + Send
    where
        T: IntoTransport<M>,
    {
        self.serve_with_options(transport, ServeOptions::default().with_ct(ct))
    }

    /// Serve with explicit options.
    fn serve_with_options<T, M>(
        self,
        transport: T,
        options: ServeOptions,
    ) -> impl Future<Output = Result<RunningService<R, Self>, ServeError>> + Send
    where
        T: IntoTransport<M>,
    {
        let running = start(self, transport.into_transport(), options);
        async move {
            let info = running.service.get_info();
            R::start(running.peer.clone(), info).await?;
            Ok(running)
        }
    }

    /// Erase the service's type.
    fn into_dyn(self) -> Box<dyn DynService<R>> {
        Box::new(self)
    }
}

impl<R: ServiceRole, S: Service<R>> ServiceExt<R> for S {}

fn start<R: ServiceRole, S: Service<R>, T: Transport>(
    service: S,
    transport: T,
    options: ServeOptions,
) -> RunningService<R, S> {
    let service = Arc::new(service);
    let (sink, stream) = transport.split();
    // From here on nothing depends on the service's or the transport's type: the engine is
    // compiled once, in this crate, for each role, and not again in every program that serves.
    let Launched { peer, handle, ct } = R::launch(service.clone(), Box::pin(sink), Box::pin(stream), options);
    RunningService { service, peer, handle: Some(handle), ct: ct.clone(), _guard: ct.drop_guard() }
}

/// What [`ServiceRole::launch`] started: the connection's peer, its engine's task, and the token
/// that stops it.
#[doc(hidden)]
#[derive(Debug)]
pub struct Launched<R: ServiceRole> {
    pub(crate) peer: Peer<R>,
    pub(crate) handle: JoinHandle<QuitReason>,
    pub(crate) ct: CancellationToken,
}

/// Start the engine of `service` on a transport's two halves (see [`ServiceRole::launch`]).
pub(crate) fn launch<R: ServiceRole>(
    service: Arc<dyn DynService<R>>,
    sink: BoxSink,
    stream: BoxStream,
    options: ServeOptions,
) -> Launched<R> {
    let (commands_tx, commands) = mpsc::channel(COMMAND_QUEUE);
    let (wire, wire_rx) = mpsc::channel(WIRE_QUEUE);
    // Each role has its own default timeout: a server's requests wait for a person at most
    // (`client_request_timeout`), a client's for a tool (`request_timeout`, none by default).
    let defaults = RequestDefaults {
        timeout: if R::IS_SERVER { options.client_request_timeout } else { options.request_timeout },
        max_total_timeout: options.max_total_timeout,
    };
    let peer = Peer::new(commands_tx, wire.clone(), options.request_ids, options.progress_tokens, defaults);
    let _ = peer.shared.info.set(service.get_info_dyn());
    let weak = Arc::downgrade(&service);
    let local: LocalHandler<R> = Arc::new(move |request, ctx| {
        let service = weak.upgrade();
        Box::pin(async move {
            match service {
                Some(service) => service.handle_request_dyn(request, ctx).await,
                None => Err(McpError::internal_error("the service has stopped")),
            }
        })
    });
    let _ = peer.shared.local.set(local);
    // A child token: the engine cancels its own token when it ends, which must not cancel a
    // token the caller shares between services.
    let ct = options.ct.child_token();
    let engine = Engine {
        service,
        peer: peer.clone(),
        commands,
        wire,
        wire_rx,
        ct: ct.clone(),
        drain_timeout: options.drain_timeout,
        max_in_flight: options.max_in_flight,
        inline_requests: options.inline_requests,
    };
    let handle = tokio::spawn(engine.run(sink, stream));
    Launched { peer, handle, ct }
}

/// A service running on a connection. Dereferences to its [`Peer`].
///
/// Dropping it cancels the service; [`waiting`](Self::waiting) lets it run until the peer leaves.
///
/// ```no_run
/// use rmcp_core::service::ServiceExt;
/// use rmcp_core::transport::ChildProcess;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = ().serve(ChildProcess::new(tokio::process::Command::new("my-server"))?).await?;
/// let name = client.server_info().map(|info| info.server_info.name.clone());
/// let tools = client.list_all_tools().await?; // a `Peer<RoleClient>` method
/// let reason = client.cancel().await; // close the connection and wait for it to end
/// println!("{name:?}: {} tools; closed: {reason:?}", tools.len());
/// # Ok(())
/// # }
/// ```
pub struct RunningService<R: ServiceRole, S> {
    service: Arc<S>,
    peer: Peer<R>,
    handle: Option<JoinHandle<QuitReason>>,
    ct: CancellationToken,
    _guard: DropGuard,
}

impl<R: ServiceRole, S> fmt::Debug for RunningService<R, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningService").field("peer", &self.peer).finish_non_exhaustive()
    }
}

impl<R: ServiceRole, S> Deref for RunningService<R, S> {
    type Target = Peer<R>;
    fn deref(&self) -> &Peer<R> {
        &self.peer
    }
}

impl<R: ServiceRole, S> RunningService<R, S> {
    /// The handle to the peer.
    pub fn peer(&self) -> &Peer<R> {
        &self.peer
    }
    /// The service.
    pub fn service(&self) -> &S {
        &self.service
    }
    /// The token that cancels this service.
    pub fn cancellation_token(&self) -> CancellationToken {
        self.ct.clone()
    }

    /// Serve requests of this connection directly, without the engine (see [`DirectAnswerer`]).
    #[cfg(feature = "http-server")]
    pub(crate) fn direct_answerer(&self, direct: Arc<dyn DirectOutput>) -> DirectAnswerer
    where
        S: Service<R>,
    {
        dispatch::direct_answerer(self.service.clone(), self.peer.clone(), direct)
    }

    async fn join(&mut self) -> QuitReason {
        match self.handle.take() {
            Some(h) => h.await.unwrap_or_else(QuitReason::JoinError),
            None => QuitReason::Cancelled,
        }
    }

    /// Run until the connection ends.
    pub async fn waiting(mut self) -> QuitReason {
        self.join().await
    }

    /// Stop now: cancel everything in flight and close the transport.
    pub async fn cancel(mut self) -> QuitReason {
        self.ct.cancel();
        self.join().await
    }

    /// Stop reading, let in-flight requests finish for at most `timeout` (their responses are
    /// still written), fail the requests we sent that are still waiting, then close.
    pub async fn close_with_timeout(mut self, timeout: Duration) -> QuitReason {
        if self.peer.commands().send(Box::new(Command::Close(timeout))).await.is_err() {
            self.ct.cancel();
        }
        self.join().await
    }
}
