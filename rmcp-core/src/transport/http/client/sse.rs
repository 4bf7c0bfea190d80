//! An incremental Server-Sent Events parser, as the HTML standard's event-stream interpretation
//! describes it: lines end with CRLF, LF or CR; `data` lines accumulate; a blank line dispatches;
//! `id` and `retry` persist across events (they are what reconnection needs).

/// One dispatched event with non-empty data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The event type (`message` when absent).
    pub event: Option<String>,
    /// The data lines, joined with `\n`.
    pub data: String,
}

/// An event (or a line) longer than the parser's limit: the stream cannot be read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EventTooLarge(pub usize);

impl std::fmt::Display for EventTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "an SSE event exceeds the limit of {} bytes", self.0)
    }
}

/// The parser; feed it chunks as they arrive.
#[derive(Debug)]
pub(crate) struct SseParser {
    /// Bytes of the line not yet ended.
    buf: Vec<u8>,
    /// How much of `buf` was scanned for a line end already (none found).
    scanned: usize,
    /// The largest event (data lines and the line being read) accepted.
    max_event: usize,
    /// An event dispatched while reading the last chunk was larger than `max_event`.
    overflow: bool,
    /// The previous chunk ended in CR: a leading LF in the next chunk belongs to it.
    after_cr: bool,
    started: bool,
    data: String,
    event: Option<String>,
    /// The last event id seen (what `Last-Event-ID` sends on reconnection).
    pub last_event_id: Option<String>,
    /// The reconnection delay the server asked for, in milliseconds: as sent, untrusted
    /// (`reconnect::delay` keeps it within bounds).
    pub retry_ms: Option<u64>,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::new(super::DEFAULT_MAX_MESSAGE_BYTES)
    }
}

impl SseParser {
    /// A parser accepting events of at most `max_event` bytes.
    pub(crate) fn new(max_event: usize) -> Self {
        Self {
            buf: Vec::new(),
            scanned: 0,
            max_event,
            overflow: false,
            after_cr: false,
            started: false,
            data: String::new(),
            event: None,
            last_event_id: None,
            retry_ms: None,
        }
    }

    /// Start reading another stream (a resumption): what the last one left unfinished (a line,
    /// an event's data) is dropped, as a stream's end drops it; the last event id and `retry`
    /// carry over.
    pub(crate) fn new_stream(&mut self) {
        let (last_event_id, retry_ms) = (self.last_event_id.take(), self.retry_ms);
        *self = Self { last_event_id, retry_ms, ..Self::new(self.max_event) };
    }

    /// Feed a chunk; returns the events it completes, or an error once an event is larger than
    /// the limit (the parser is then of no further use). Each byte is scanned once, however the
    /// chunks split the lines.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>, EventTooLarge> {
        let mut chunk = chunk;
        // An empty read (an HTTP/2 DATA frame may be empty) leaves a pending CR pending: the LF
        // after it would otherwise read as a blank line and dispatch the event early.
        if self.after_cr && !chunk.is_empty() {
            self.after_cr = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        self.buf.extend_from_slice(chunk);
        let mut events = Vec::new();
        let mut start = 0;
        let mut i = self.scanned;
        while i < self.buf.len() {
            match self.buf[i] {
                b'\n' | b'\r' => {
                    let cr = self.buf[i] == b'\r';
                    let line = self.buf[start..i].to_vec();
                    let mut next = i + 1;
                    if cr {
                        if next < self.buf.len() {
                            if self.buf[next] == b'\n' {
                                next += 1;
                            }
                        } else {
                            self.after_cr = true;
                        }
                    }
                    if let Some(e) = self.line(&line) {
                        events.push(e);
                    }
                    start = next;
                    i = next;
                }
                _ => i += 1,
            }
        }
        self.buf.drain(..start);
        self.scanned = self.buf.len();
        if self.overflow || self.buf.len() + self.data.len() > self.max_event {
            return Err(EventTooLarge(self.max_event));
        }
        Ok(events)
    }

    fn line(&mut self, line: &[u8]) -> Option<SseEvent> {
        let mut line = String::from_utf8_lossy(line).into_owned();
        if !self.started {
            self.started = true;
            if let Some(rest) = line.strip_prefix('\u{feff}') {
                line = rest.to_owned();
            }
        }
        if line.is_empty() {
            let event = self.event.take();
            if self.data.is_empty() {
                return None;
            }
            let mut data = std::mem::take(&mut self.data);
            data.pop();
            if data.len() > self.max_event {
                self.overflow = true;
                return None;
            }
            // An event with empty data (a priming event) carries only its id: nothing to hand on.
            return (!data.is_empty()).then_some(SseEvent { event, data });
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_str(), ""),
        };
        match field {
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            "event" => self.event = Some(value.to_owned()),
            "id" if !value.contains('\0') => self.last_event_id = Some(value.to_owned()),
            "retry" => {
                if let Ok(ms) = value.parse() {
                    self.retry_ms = Some(ms);
                }
            }
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_split_chunks_and_line_endings() {
        let mut p = SseParser::default();
        let mut got = p.push(b"id: 1-0\r\nretry: 500\r\ndata:\r\n\r\n: comment\n").unwrap();
        assert!(got.is_empty(), "the priming event has no data");
        assert_eq!(p.last_event_id.as_deref(), Some("1-0"));
        assert_eq!(p.retry_ms, Some(500));
        got.extend(p.push(b"id: 1-1\rdata: {\"a\"").unwrap());
        got.extend(p.push(b":1}\r").unwrap());
        got.extend(p.push(b"\n\r\n").unwrap());
        assert_eq!(got, vec![SseEvent { event: None, data: "{\"a\":1}".into() }]);
        assert_eq!(p.last_event_id.as_deref(), Some("1-1"));
        let got = p.push(b"event: x\ndata: a\ndata: b\n\n").unwrap();
        assert_eq!(got, vec![SseEvent { event: Some("x".into()), data: "a\nb".into() }]);
    }

    #[test]
    fn a_line_split_over_many_chunks_is_scanned_once() {
        let mut p = SseParser::new(1 << 20);
        p.push(b"data: ").unwrap();
        for _ in 0..10_000 {
            assert!(p.push(b"xxxxxxxxxx").unwrap().is_empty());
            assert_eq!(p.scanned, p.buf.len(), "the scan resumes where it stopped");
        }
        let got = p.push(b"\n\n").unwrap();
        assert_eq!(got[0].data.len(), 100_000);
    }

    #[test]
    fn events_beyond_the_limit_fail() {
        // One event in a single chunk.
        let mut p = SseParser::new(16);
        assert_eq!(p.push(b"data: 0123456789abcdefXYZ\n\n"), Err(EventTooLarge(16)));
        // An unterminated line growing past the limit.
        let mut p = SseParser::new(16);
        assert!(p.push(b"data: 0123456").is_ok());
        assert!(p.push(b"789abcdefXYZ").is_err());
        // Many data lines adding up.
        let mut p = SseParser::new(16);
        assert!(p.push(b"data: 0123456789\n").is_ok());
        assert!(p.push(b"data: 0123456789\n").is_err());
        // At the limit is fine.
        let mut p = SseParser::new(16);
        assert_eq!(p.push(b"data: 0123456789abcdef\n\n").unwrap()[0].data.len(), 16);
    }
}
