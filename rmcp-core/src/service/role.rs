//! The two roles one engine plays: server and client.

use std::fmt::Debug;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::Serialize;

use super::engine::{BoxSink, BoxStream};
#[cfg(feature = "client")]
use super::info::ClientInfo;
#[cfg(feature = "server")]
use super::info::ServerInfo;
#[cfg(feature = "server")]
use super::lifecycle;
use super::running::Launched;
use super::{DynService, Peer, ServeError, ServeOptions};
#[cfg(feature = "server")]
use crate::model::{ClientNotification, ClientRequest, InitializeRequestParams, ServerResult};
#[cfg(feature = "client")]
use crate::model::{ClientResult, InitializeResult, ServerNotification, ServerRequest};
use crate::model::{ErrorData, InboundMessage, JsonRpcMessage, Meta, ProtocolVersion, RequestId};

/// A side of an MCP connection. The engine is generic over it; everything that differs between
/// a server and a client is an associated type or function here.
pub trait ServiceRole: Debug + Copy + Default + Send + Sync + 'static {
    /// Requests this side receives.
    type PeerRequest: InboundMessage;
    /// Notifications this side receives.
    type PeerNotification: InboundMessage;
    /// Results this side answers with.
    type Result: Serialize + Send + 'static;
    /// How this side describes itself.
    type Info: Clone + Send + Sync + Debug + 'static;
    /// What this side learns of its peer at the handshake.
    type PeerInfo: Clone + Send + Sync + Debug + 'static;
    /// `true` for the server.
    const IS_SERVER: bool;

    /// `result` as the answer to request `id`. A function of the role rather than generic code
    /// in the engine, so that a role's results are serialized by code compiled once, here, and
    /// not again in every program that serves.
    fn response(id: RequestId, result: &Self::Result) -> Result<JsonRpcMessage, serde_json::Error>;

    /// Decide under which protocol version an incoming request is served, or reject it.
    fn admit(
        peer: &Peer<Self>,
        method: &str,
        meta: Option<&Meta>,
        method_known: bool,
    ) -> Result<ProtocolVersion, ErrorData>;

    /// Whether a request must be answered before the next incoming message is read.
    fn is_ordered(method: &str) -> bool {
        let _ = method;
        false
    }

    /// What must happen once the engine runs and before `serve` returns (the client's handshake).
    fn start(peer: Peer<Self>, info: Self::Info) -> BoxFuture<'static, Result<(), ServeError>>;

    /// Start the engine of `service` on a transport's sink and stream. A function of the role,
    /// so that the engine is compiled once, here, rather than in every program that serves.
    #[doc(hidden)]
    fn launch(
        service: Arc<dyn DynService<Self>>,
        sink: BoxSink,
        stream: BoxStream,
        options: ServeOptions,
    ) -> Launched<Self>;
}

/// The server role.
#[cfg(feature = "server")]
#[derive(Debug, Clone, Copy, Default)]
pub struct RoleServer;

/// The client role.
#[cfg(feature = "client")]
#[derive(Debug, Clone, Copy, Default)]
pub struct RoleClient;

#[cfg(feature = "server")]
impl ServiceRole for RoleServer {
    type PeerRequest = ClientRequest;
    type PeerNotification = ClientNotification;
    type Result = ServerResult;
    type Info = ServerInfo;
    type PeerInfo = InitializeRequestParams;
    const IS_SERVER: bool = true;

    fn response(id: RequestId, result: &ServerResult) -> Result<JsonRpcMessage, serde_json::Error> {
        JsonRpcMessage::response(id, result)
    }

    fn admit(
        peer: &Peer<Self>,
        method: &str,
        meta: Option<&Meta>,
        method_known: bool,
    ) -> Result<ProtocolVersion, ErrorData> {
        lifecycle::admit_server_request(peer, method, meta, method_known)
    }

    fn is_ordered(method: &str) -> bool {
        method == crate::model::methods::INITIALIZE
    }

    fn launch(
        service: Arc<dyn DynService<Self>>,
        sink: BoxSink,
        stream: BoxStream,
        options: ServeOptions,
    ) -> Launched<Self> {
        super::running::launch(service, sink, stream, options)
    }

    fn start(_peer: Peer<Self>, _info: ServerInfo) -> BoxFuture<'static, Result<(), ServeError>> {
        // A server waits for its client: a 2025 client sends `initialize`, a 2026 one just asks.
        Box::pin(async { Ok(()) })
    }
}

#[cfg(feature = "client")]
impl ServiceRole for RoleClient {
    type PeerRequest = ServerRequest;
    type PeerNotification = ServerNotification;
    type Result = ClientResult;
    type Info = ClientInfo;
    type PeerInfo = InitializeResult;
    const IS_SERVER: bool = false;

    fn response(id: RequestId, result: &ClientResult) -> Result<JsonRpcMessage, serde_json::Error> {
        JsonRpcMessage::response(id, result)
    }

    fn admit(
        peer: &Peer<Self>,
        method: &str,
        _meta: Option<&Meta>,
        method_known: bool,
    ) -> Result<ProtocolVersion, ErrorData> {
        if !method_known {
            return Err(ErrorData::method_not_found(method));
        }
        Ok(peer.protocol_version().unwrap_or(ProtocolVersion::LATEST_STATEFUL))
    }

    fn launch(
        service: Arc<dyn DynService<Self>>,
        sink: BoxSink,
        stream: BoxStream,
        options: ServeOptions,
    ) -> Launched<Self> {
        super::running::launch(service, sink, stream, options)
    }

    fn start(peer: Peer<Self>, info: ClientInfo) -> BoxFuture<'static, Result<(), ServeError>> {
        Box::pin(super::handshake::client_handshake(peer, info))
    }
}
