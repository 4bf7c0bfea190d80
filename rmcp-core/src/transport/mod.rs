//! Transports carry JSON-RPC messages; they know nothing of MCP methods.
//!
//! A [`Transport`] splits into a [`Sink`] of outgoing messages and a [`Stream`] of incoming
//! [`Frame`]s, so the engine can read and write at the same time (a peer that writes while we
//! write can never deadlock us). [`IntoTransport`] lets `serve` take anything that can become one:
//! a `(reader, writer)` pair, a [`ChildProcess`], or a transport itself.

#[cfg(all(feature = "client", feature = "stdio"))]
mod child_process;
#[cfg(feature = "stdio")]
mod duplex;
mod extensions;
mod framing;
#[cfg(any(feature = "http-server", feature = "http-client"))]
pub mod http;
#[cfg(feature = "stdio")]
mod io;
mod principal;
#[cfg(feature = "server")]
pub(crate) mod principal_key;
#[cfg(feature = "stdio")]
mod stdio;

use futures_util::{Sink, Stream};

#[cfg(all(feature = "client", feature = "stdio"))]
pub use child_process::{ChildExit, ChildProcess, ChildProcessBuilder, DEFAULT_KILL_AFTER, DEFAULT_SHUTDOWN_GRACE};
#[cfg(feature = "stdio")]
pub use duplex::{DuplexTransport, duplex};
pub use extensions::Extensions;
pub use framing::{DEFAULT_MAX_LINE_LENGTH, Frame, JsonLinesCodec};
#[cfg(feature = "stdio")]
pub use io::AsyncRwTransport;
pub use principal::Principal;
#[cfg(feature = "server")]
pub use principal_key::RemoteAddr;
#[cfg(feature = "stdio")]
pub use stdio::{StdinReader, StdoutWriter, stdio};

use crate::model::{JsonRpcMessage, RequestId};

/// A message on its way out, with the incoming request it belongs to (a response, or a
/// notification or request sent while handling it). Transports that multiplex, like Streamable
/// HTTP, route by it; byte-stream transports ignore it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Outbound {
    /// The message.
    pub message: JsonRpcMessage,
    /// The peer's request this message belongs to, if any.
    pub related_request: Option<RequestId>,
}

impl Outbound {
    /// A message that belongs to no request.
    pub fn new(message: JsonRpcMessage) -> Self {
        Self { message, related_request: None }
    }
    /// A message that belongs to the peer's request `id`.
    pub fn related(message: JsonRpcMessage, id: Option<RequestId>) -> Self {
        Self { message, related_request: id }
    }
}

/// A bidirectional message channel to one peer.
pub trait Transport: Send + 'static {
    /// Where outgoing messages go.
    type Sink: Sink<Outbound, Error = std::io::Error> + Send + Unpin + 'static;
    /// Where incoming frames come from; the stream ends when the peer is gone.
    type Stream: Stream<Item = std::io::Result<Frame>> + Send + Unpin + 'static;

    /// Split into the two halves the engine drives.
    fn split(self) -> (Self::Sink, Self::Stream);
}

/// Conversion into a [`Transport`]. The marker `M` only keeps the blanket impls apart.
pub trait IntoTransport<M>: Send + 'static {
    /// The transport this becomes.
    type Transport: Transport;
    /// Convert.
    fn into_transport(self) -> Self::Transport;
}

/// Marker for [`IntoTransport`] on a type that already is a [`Transport`].
#[derive(Debug)]
pub enum TransportMarker {}

impl<T: Transport> IntoTransport<TransportMarker> for T {
    type Transport = T;
    fn into_transport(self) -> T {
        self
    }
}

/// A transport from any sink/stream pair (for example the two ends of a channel).
#[derive(Debug)]
pub struct SinkStreamTransport<Si, St> {
    sink: Si,
    stream: St,
}

impl<Si, St> SinkStreamTransport<Si, St> {
    /// Pair a sink and a stream.
    pub fn new(sink: Si, stream: St) -> Self {
        Self { sink, stream }
    }
}

impl<Si, St> Transport for SinkStreamTransport<Si, St>
where
    Si: Sink<Outbound, Error = std::io::Error> + Send + Unpin + 'static,
    St: Stream<Item = std::io::Result<Frame>> + Send + Unpin + 'static,
{
    type Sink = Si;
    type Stream = St;
    fn split(self) -> (Si, St) {
        (self.sink, self.stream)
    }
}
