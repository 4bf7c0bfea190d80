//! An in-process connected pair, for tests and for embedding a server in its client's process.

use tokio::io::{DuplexStream, ReadHalf, WriteHalf};

use super::AsyncRwTransport;

/// One end of an in-process [`duplex`] pair.
pub type DuplexTransport = AsyncRwTransport<ReadHalf<DuplexStream>, WriteHalf<DuplexStream>>;

/// Two connected transports speaking real newline-delimited JSON through an in-memory pipe of
/// `buffer` bytes in each direction.
pub fn duplex(buffer: usize) -> (DuplexTransport, DuplexTransport) {
    let (a, b) = tokio::io::duplex(buffer);
    let (ar, aw) = tokio::io::split(a);
    let (br, bw) = tokio::io::split(b);
    (AsyncRwTransport::new(ar, aw), AsyncRwTransport::new(br, bw))
}
