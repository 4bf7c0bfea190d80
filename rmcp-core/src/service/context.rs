//! What a handler knows about the request it is serving.

use tokio_util::sync::CancellationToken;

use super::{Peer, ServiceRole};
#[cfg(feature = "server")]
use crate::model::{ClientCapabilities, Implementation};
use crate::model::{LoggingLevel, Meta, ProgressToken, ProtocolVersion, RequestId, meta_keys};
use crate::transport::{Extensions, Principal};

/// The context of one incoming request.
///
/// Handler methods receive it; a `#[tool]` or `#[prompt]` function gets it by taking a
/// `RequestContext<RoleServer>` argument. Through it a handler sees the request's `_meta` and
/// protocol version, notices cancellation, and talks back to the client.
///
/// ```
/// use rmcp_core::model::LoggingLevel;
/// use rmcp_core::service::RequestContext;
/// use rmcp_core::{RoleServer, tool, tool_router};
///
/// struct Indexer;
///
/// #[tool_router]
/// impl Indexer {
///     /// Index the files under `path`.
///     #[tool]
///     async fn index(&self, path: String, ctx: RequestContext<RoleServer>) -> Result<String, String> {
///         ctx.log(LoggingLevel::Info, format!("indexing {path}")).await.map_err(|e| e.to_string())?;
///         tokio::select! {
///             _ = ctx.ct.cancelled() => Err("cancelled".to_owned()),
///             _ = tokio::time::sleep(std::time::Duration::from_millis(10)) => Ok(format!("indexed {path}")),
///         }
///     }
/// }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RequestContext<R: ServiceRole> {
    /// The request's id.
    pub id: RequestId,
    /// The request's `_meta` (empty when it had none).
    pub meta: Meta,
    /// The protocol version this request is served under: the negotiated one on a 2025-era
    /// session, the request's own on 2026-07-28.
    pub protocol_version: ProtocolVersion,
    /// Cancelled when the peer cancels the request or the connection shuts down.
    pub ct: CancellationToken,
    /// The connection's peer, to send requests and notifications back.
    pub peer: Peer<R>,
    /// Values the transport attached to the request (for example HTTP request parts).
    pub extensions: Extensions,
    /// The answers and state a 2026-07-28 retry brought (see [`RequestContext::inputs`]).
    #[cfg(feature = "server")]
    pub(crate) input: Option<Box<super::input::InputRound>>,
    /// The request's params as received, kept (not copied) for whoever reads them lazily.
    #[cfg_attr(not(feature = "server"), allow(dead_code))]
    pub(crate) raw_params: Option<Box<serde_json::value::RawValue>>,
}

impl<R: ServiceRole> RequestContext<R> {
    /// A context for request `id` on `peer`, with no `_meta`, under the newest stateful
    /// version; the engine builds these, and tests can too (with [`Peer::detached`]).
    pub fn new(id: RequestId, peer: Peer<R>) -> Self {
        Self {
            id,
            meta: Meta::new(),
            protocol_version: ProtocolVersion::LATEST_STATEFUL,
            ct: CancellationToken::new(),
            peer,
            extensions: Extensions::new(),
            #[cfg(feature = "server")]
            input: None,
            raw_params: None,
        }
    }

    /// Whether this request uses the stateless 2026-07-28 protocol.
    pub fn is_stateless(&self) -> bool {
        self.protocol_version.is_stateless()
    }

    /// The progress token the peer attached, if it wants progress.
    pub fn progress_token(&self) -> Option<ProgressToken> {
        self.meta.get(meta_keys::PROGRESS_TOKEN).and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// The log level a 2026-07-28 request asked for; `None` means "send no log messages".
    pub fn log_level(&self) -> Option<LoggingLevel> {
        self.meta.get(meta_keys::LOG_LEVEL).and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// Who sent the request, as an authentication layer in front of the HTTP server established
    /// it (the OAuth resource layer, or any layer that puts a [`Principal`] in the HTTP request's
    /// extensions); `None` on stdio, in-process connections and unauthenticated HTTP.
    ///
    /// The HTTP server hands handlers the request's `http::request::Parts`, whose extensions
    /// hold what the layers put there; this reads them (or a `Principal` put in the context's
    /// own extensions) so handlers need not know where it travels.
    ///
    /// ```
    /// use rmcp_core::service::RequestContext;
    /// use rmcp_core::transport::Principal;
    /// use rmcp_core::RoleServer;
    ///
    /// fn greeting(ctx: &RequestContext<RoleServer>) -> String {
    ///     match ctx.principal().and_then(|p| p.subject.as_deref()) {
    ///         Some(user) => format!("Hello, {user}!"),
    ///         None => "Hello, whoever you are!".to_owned(),
    ///     }
    /// }
    /// ```
    pub fn principal(&self) -> Option<&Principal> {
        // Only the HTTP server puts the request's parts here.
        #[cfg(feature = "http-server")]
        if let Some(principal) = self.extensions.get::<http::request::Parts>().and_then(|p| p.extensions.get()) {
            return Some(principal);
        }
        self.extensions.get::<Principal>()
    }
}

#[cfg(feature = "server")]
impl RequestContext<super::RoleServer> {
    /// Whose share of a server's limits this request counts against, by the rule of
    /// [`PrincipalKey`](crate::transport::principal_key::PrincipalKey): from the HTTP request's
    /// extensions, else from the context's own (where a non-HTTP transport or a test puts them).
    pub(crate) fn principal_key(&self) -> Option<crate::transport::principal_key::PrincipalKey> {
        use crate::transport::principal_key::PrincipalKey;
        #[cfg(feature = "http-server")]
        if let Some(key) = self.extensions.get::<http::request::Parts>().and_then(|p| PrincipalKey::of(&p.extensions)) {
            return Some(key);
        }
        PrincipalKey::new(self.extensions.get(), self.extensions.get())
    }

    /// The client's capabilities for this request: from `_meta` on 2026-07-28, from the
    /// handshake on a 2025-era session.
    pub fn client_capabilities(&self) -> Option<ClientCapabilities> {
        if self.is_stateless() {
            return self.meta.get(meta_keys::CLIENT_CAPABILITIES).and_then(|v| serde_json::from_value(v.clone()).ok());
        }
        self.peer.peer_info().map(|i| i.capabilities.clone())
    }

    /// The client's self-description: from `_meta` on 2026-07-28, from the handshake otherwise.
    pub fn client_info(&self) -> Option<Implementation> {
        if self.is_stateless() {
            return self.meta.get(meta_keys::CLIENT_INFO).and_then(|v| serde_json::from_value(v.clone()).ok());
        }
        self.peer.peer_info().map(|i| i.client_info.clone())
    }
}

/// The context of one incoming notification.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NotificationContext<R: ServiceRole> {
    /// The notification's `_meta` (empty when it had none).
    pub meta: Meta,
    /// The connection's peer.
    pub peer: Peer<R>,
    /// Values the transport attached.
    pub extensions: Extensions,
}
