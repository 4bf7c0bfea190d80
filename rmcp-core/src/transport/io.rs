//! Newline-delimited JSON over any `AsyncRead` + `AsyncWrite`.

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::codec::{FramedRead, FramedWrite};

use super::{IntoTransport, JsonLinesCodec, Transport};

/// Newline-delimited JSON-RPC over a reader and a writer.
#[derive(Debug)]
pub struct AsyncRwTransport<R, W> {
    reader: FramedRead<R, JsonLinesCodec>,
    writer: FramedWrite<W, JsonLinesCodec>,
}

impl<R: AsyncRead, W: AsyncWrite> AsyncRwTransport<R, W> {
    /// A transport with the default maximum line length.
    pub fn new(reader: R, writer: W) -> Self {
        Self::with_codec(reader, writer, JsonLinesCodec::default())
    }

    /// A transport whose incoming lines may be at most `max_line_length` bytes.
    pub fn with_max_line_length(reader: R, writer: W, max_line_length: usize) -> Self {
        Self::with_codec(reader, writer, JsonLinesCodec::new(max_line_length))
    }

    fn with_codec(reader: R, writer: W, codec: JsonLinesCodec) -> Self {
        Self { reader: FramedRead::new(reader, codec.clone()), writer: FramedWrite::new(writer, codec) }
    }
}

impl<R, W> Transport for AsyncRwTransport<R, W>
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    type Sink = FramedWrite<W, JsonLinesCodec>;
    type Stream = FramedRead<R, JsonLinesCodec>;

    fn split(self) -> (Self::Sink, Self::Stream) {
        (self.writer, self.reader)
    }
}

/// Marker for [`IntoTransport`] on a `(reader, writer)` pair.
#[derive(Debug)]
pub enum AsyncRwMarker {}

impl<R, W> IntoTransport<AsyncRwMarker> for (R, W)
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    type Transport = AsyncRwTransport<R, W>;
    fn into_transport(self) -> Self::Transport {
        AsyncRwTransport::new(self.0, self.1)
    }
}
