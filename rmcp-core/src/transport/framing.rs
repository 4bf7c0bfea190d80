//! Newline-delimited JSON framing with a bounded line length.
//!
//! One JSON-RPC message per line. A line that is not a valid message becomes a
//! [`Frame::Malformed`] carrying the error response to send back, so the connection keeps
//! serving; a line longer than the limit is dropped without ever being buffered whole, which
//! keeps memory bounded whatever the peer sends.

use std::io;

use bytes::{BufMut, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use super::Extensions;
use super::Outbound;
use crate::model::{ErrorData, JsonRpcError, JsonRpcMessage};

/// The default maximum line length: 16 MiB.
pub const DEFAULT_MAX_LINE_LENGTH: usize = 16 * 1024 * 1024;

/// One frame read from a transport. More kinds may come (a transport may learn more about its
/// messages), so a wrapping transport passes on the ones it does not know.
#[derive(Debug)]
#[non_exhaustive]
pub enum Frame {
    /// A well-formed JSON-RPC message, with values the transport attaches to it (for example
    /// the HTTP request it came in; empty for byte streams).
    Message(JsonRpcMessage, Extensions),
    /// Input that is not a message: the error response that answers it.
    Malformed(JsonRpcError),
    /// The transport knows that the answer to request `id` can no longer arrive (an HTTP
    /// stream's replay reported a gap and ended without it): the request fails with
    /// [`ServiceError::AnswerLost`](crate::service::ServiceError::AnswerLost) at once.
    AnswerLost {
        /// The request whose answer is lost.
        id: crate::model::RequestId,
        /// What the transport saw.
        reason: String,
    },
}

impl Frame {
    /// Parse one frame from a line of JSON text (without the newline).
    pub fn parse(line: &[u8]) -> Frame {
        match JsonRpcMessage::from_slice(line) {
            Ok(m) => Frame::Message(m, Extensions::new()),
            Err(e) => Frame::Malformed(e),
        }
    }
}

/// A [`Decoder`] and [`Encoder`] for newline-delimited JSON-RPC.
#[derive(Debug, Clone)]
pub struct JsonLinesCodec {
    max_line_length: usize,
    /// Where to resume the newline search: bytes before it hold no newline.
    next_index: usize,
    /// Inside an over-long line: drop bytes until the next newline.
    discarding: bool,
}

impl Default for JsonLinesCodec {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINE_LENGTH)
    }
}

impl JsonLinesCodec {
    /// A codec that rejects lines longer than `max_line_length` bytes.
    pub fn new(max_line_length: usize) -> Self {
        Self { max_line_length, next_index: 0, discarding: false }
    }

    /// The maximum line length in bytes.
    pub fn max_line_length(&self) -> usize {
        self.max_line_length
    }

    fn too_long(&self) -> Frame {
        Frame::Malformed(JsonRpcError {
            id: None,
            error: ErrorData::invalid_request(format!(
                "Message exceeds the maximum line length of {} bytes",
                self.max_line_length
            )),
        })
    }
}

fn trim(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

impl Decoder for JsonLinesCodec {
    type Item = Frame;
    type Error = io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> io::Result<Option<Frame>> {
        loop {
            // Look no further than the limit: a line cannot be longer, so never buffer more.
            let scan_end =
                if self.discarding { buf.len() } else { buf.len().min(self.max_line_length.saturating_add(1)) };
            let newline = buf[self.next_index..scan_end].iter().position(|b| *b == b'\n');
            match newline {
                Some(offset) => {
                    let end = self.next_index + offset;
                    self.next_index = 0;
                    let line = buf.split_to(end + 1);
                    if self.discarding {
                        self.discarding = false;
                        continue;
                    }
                    let line = trim(&line[..end]);
                    if line.is_empty() {
                        continue;
                    }
                    return Ok(Some(Frame::parse(line)));
                }
                None if self.discarding => {
                    buf.clear();
                    self.next_index = 0;
                    return Ok(None);
                }
                None if buf.len() > self.max_line_length => {
                    // Drop only the part known to be inside the long line: whatever follows may
                    // already hold its end and the next messages.
                    let _ = buf.split_to(scan_end);
                    self.next_index = 0;
                    self.discarding = true;
                    return Ok(Some(self.too_long()));
                }
                None => {
                    self.next_index = scan_end;
                    return Ok(None);
                }
            }
        }
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> io::Result<Option<Frame>> {
        if let Some(frame) = self.decode(buf)? {
            return Ok(Some(frame));
        }
        // A last line without a trailing newline still counts.
        self.next_index = 0;
        if self.discarding || buf.is_empty() {
            self.discarding = false;
            buf.clear();
            return Ok(None);
        }
        let line = buf.split();
        let line = trim(&line);
        if line.is_empty() { Ok(None) } else { Ok(Some(Frame::parse(line))) }
    }
}

impl Encoder<Outbound> for JsonLinesCodec {
    type Error = io::Error;

    fn encode(&mut self, out: Outbound, buf: &mut BytesMut) -> io::Result<()> {
        self.encode(&out.message, buf)
    }
}

impl Encoder<&JsonRpcMessage> for JsonLinesCodec {
    type Error = io::Error;

    fn encode(&mut self, msg: &JsonRpcMessage, buf: &mut BytesMut) -> io::Result<()> {
        serde_json::to_writer(buf.writer(), msg).map_err(io::Error::other)?;
        buf.put_u8(b'\n');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(codec: &mut JsonLinesCodec, input: &[u8]) -> Vec<Frame> {
        let mut buf = BytesMut::from(input);
        let mut out = Vec::new();
        while let Some(f) = codec.decode(&mut buf).unwrap() {
            out.push(f);
        }
        while let Some(f) = codec.decode_eof(&mut buf).unwrap() {
            out.push(f);
        }
        out
    }

    #[test]
    fn splits_lines_and_skips_blank_ones() {
        let mut c = JsonLinesCodec::default();
        let frames = decode_all(
            &mut c,
            b"{\"jsonrpc\":\"2.0\",\"method\":\"a\"}\r\n\n  \n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"b\"}",
        );
        assert_eq!(frames.len(), 2);
        assert!(matches!(&frames[0], Frame::Message(JsonRpcMessage::Notification(n), _) if n.method == "a"));
        assert!(matches!(&frames[1], Frame::Message(JsonRpcMessage::Request(r), _) if r.method == "b"));
    }

    #[test]
    fn over_long_line_is_dropped_and_the_next_one_served() {
        let mut c = JsonLinesCodec::new(64);
        let mut buf = BytesMut::new();
        buf.extend_from_slice(&[b'x'; 100]);
        let first = c.decode(&mut buf).unwrap();
        assert!(
            matches!(first, Some(Frame::Malformed(ref e)) if e.error.code == crate::model::ErrorCode::INVALID_REQUEST)
        );
        assert!(buf.len() <= 64, "at most the tail past the limit stays buffered");
        assert!(c.decode(&mut buf).unwrap().is_none());
        assert!(buf.is_empty(), "the rest of the long line is dropped as it arrives");
        buf.extend_from_slice(&[b'y'; 1000]);
        assert!(c.decode(&mut buf).unwrap().is_none());
        assert!(buf.is_empty());
        buf.extend_from_slice(b"zz\n{\"jsonrpc\":\"2.0\",\"method\":\"ok\"}\n");
        let next = c.decode(&mut buf).unwrap();
        assert!(matches!(next, Some(Frame::Message(JsonRpcMessage::Notification(ref n), _)) if n.method == "ok"));
    }

    #[test]
    fn messages_behind_an_over_long_line_in_the_same_read_survive() {
        let mut c = JsonLinesCodec::new(64);
        let mut input = vec![b'x'; 200];
        input.extend_from_slice(b"\n{\"jsonrpc\":\"2.0\",\"method\":\"after\"}\n");
        let frames = decode_all(&mut c, &input);
        assert_eq!(frames.len(), 2, "{frames:?}");
        assert!(matches!(&frames[0], Frame::Malformed(_)));
        assert!(matches!(&frames[1], Frame::Message(JsonRpcMessage::Notification(n), _) if n.method == "after"));
    }

    #[test]
    fn garbage_is_a_parse_error_with_null_id() {
        let mut c = JsonLinesCodec::default();
        let frames = decode_all(&mut c, b"{not json\n");
        match &frames[..] {
            [Frame::Malformed(e)] => {
                assert_eq!(e.id, None);
                assert_eq!(e.error.code, crate::model::ErrorCode::PARSE_ERROR);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn encodes_one_line_per_message() {
        let mut c = JsonLinesCodec::default();
        let mut buf = BytesMut::new();
        let msg = JsonRpcMessage::notification("x", &serde_json::json!({"a": 1})).unwrap();
        c.encode(&msg, &mut buf).unwrap();
        assert_eq!(&buf[..], b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"a\":1}}\n");
    }
}
