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

/// The parser; feed it chunks as they arrive.
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    buf: Vec<u8>,
    /// The previous chunk ended in CR: a leading LF in the next chunk belongs to it.
    after_cr: bool,
    started: bool,
    data: String,
    event: Option<String>,
    /// The last event id seen (what `Last-Event-ID` sends on reconnection).
    pub last_event_id: Option<String>,
    /// The reconnection delay the server asked for, in milliseconds.
    pub retry_ms: Option<u64>,
}

impl SseParser {
    /// Feed a chunk; returns the events it completes.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut chunk = chunk;
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        self.buf.extend_from_slice(chunk);
        let mut events = Vec::new();
        let mut start = 0;
        let mut i = 0;
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
        events
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
        let mut got = p.push(b"id: 1-0\r\nretry: 500\r\ndata:\r\n\r\n: comment\n");
        assert!(got.is_empty(), "the priming event has no data");
        assert_eq!(p.last_event_id.as_deref(), Some("1-0"));
        assert_eq!(p.retry_ms, Some(500));
        got.extend(p.push(b"id: 1-1\rdata: {\"a\""));
        got.extend(p.push(b":1}\r"));
        got.extend(p.push(b"\n\r\n"));
        assert_eq!(got, vec![SseEvent { event: None, data: "{\"a\":1}".into() }]);
        assert_eq!(p.last_event_id.as_deref(), Some("1-1"));
        let got = p.push(b"event: x\ndata: a\ndata: b\n\n");
        assert_eq!(got, vec![SseEvent { event: Some("x".into()), data: "a\nb".into() }]);
    }
}
