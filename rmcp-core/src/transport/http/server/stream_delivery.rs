//! One SSE stream of a 2025-era session, as its session's streams ([`SessionStreams`]) deliver
//! it: its events in the order of their numbers, to its connection, or for its client's return;
//! and the head of its response when a client resumes it, with a gap event when the replay
//! misses events.
//!
//! [`SessionStreams`]: super::session_streams::SessionStreams

use bytes::Bytes;
use tokio::sync::mpsc;

use super::event_store::{EventKind, StoredEvent};
use super::sse::{self, EventId, Item, ItemTx, Receipts, enqueue};
use crate::model::RequestId;

/// One SSE stream of the session: a POST's, or the standalone one a GET opens.
pub(super) struct StreamState {
    /// The live connection, if any.
    pub(super) tx: Option<ItemTx>,
    /// The last event's number.
    pub(super) seq: u64,
    /// Every event numbered up to this one was delivered: put on the connection, or (without
    /// one) left to the store.
    pub(super) delivered: u64,
    /// Events whose store was done before that of an earlier event of the stream: they wait for
    /// it, so that the stream stays in order.
    pub(super) waiting: Vec<Placed>,
    /// Answered as JSON: only responses go here (unless upgraded to SSE).
    pub(super) json: bool,
    /// The client accepts an SSE answer: a JSON answer not yet given may become one.
    pub(super) sse_ok: bool,
    /// Requests of the POST not answered yet; the stream ends with the last answer.
    pub(super) pending: usize,
    /// The client was given an event id of this stream (its connection was closed for SSE
    /// polling), so it may resume it.
    pub(super) primed: bool,
    /// The session's standalone stream (opened by a GET); it never ends with an answer.
    pub(super) standalone: bool,
    /// The response that ended the stream while its client was away, which the store did not
    /// take: handed to the client when it resumes.
    pub(super) parked: Option<Box<Item>>,
}

impl StreamState {
    pub(super) fn new(tx: ItemTx, json: bool, sse_ok: bool, pending: usize, standalone: bool) -> Self {
        Self {
            tx: Some(tx),
            seq: 0,
            delivered: 0,
            waiting: Vec::new(),
            json,
            sse_ok,
            pending,
            primed: standalone,
            standalone,
            parked: None,
        }
    }

    /// Put an event on the stream's connection. Returns whether it reached anyone (the
    /// connection, or the store for a later one), and whether the stream is over.
    pub(super) fn hand_over(&mut self, placed: Placed) -> (bool, bool) {
        let Placed { seq, item, stored, .. } = placed;
        let (last, answer) = (item.last, item.kind.is_answer());
        let mut reached = stored;
        let mut unsent = None;
        match &self.tx {
            Some(tx) => {
                let alive = match tx.try_send(item) {
                    Ok(()) => true,
                    Err(mpsc::error::TrySendError::Closed(item)) => {
                        unsent = Some(item);
                        false
                    }
                    // The client reads too slowly: a stored notification or request to the client
                    // drops the connection, and the client resumes from the store. What the store
                    // does not have, and a response, wait for room instead.
                    Err(mpsc::error::TrySendError::Full(_)) if stored && !answer => false,
                    Err(mpsc::error::TrySendError::Full(item)) => enqueue(tx, item),
                };
                reached |= alive;
                if !alive {
                    self.tx = None;
                }
            }
            None => unsent = Some(item),
        }
        if let Some(item) = unsent.filter(|_| last && answer && !reached && seq != 0) {
            self.parked = Some(item);
            return (true, false);
        }
        (reached, last)
    }
}

/// A message placed on its stream: numbered, serialized, delivered once its store is done.
pub(super) struct Placed {
    pub(super) stream: u64,
    /// Its number in the stream; 0 for an event that cannot be resumed (a JSON answer, or any
    /// event without an event store).
    pub(super) seq: u64,
    pub(super) item: Box<Item>,
    /// The id of a request to the client, which fails at once if it reaches no one.
    pub(super) request: Option<RequestId>,
    /// The event store kept it.
    pub(super) stored: bool,
}

/// The head of a resumed stream's response: the events replayed after `after` (a gap event
/// first if some are missing), or `None` when the store could not replay them. `upto` is the
/// last event delivered before the new connection took a stream still going over: the later ones
/// come live. The store is told of each response written (`receipts`).
pub(super) fn replay_head(
    stream: u64,
    after: u64,
    upto: Option<u64>,
    replayed: Option<Vec<StoredEvent>>,
    receipts: Option<Receipts>,
) -> Vec<Bytes> {
    let complete = replayed.is_some();
    let mut events = replayed.unwrap_or_default();
    events.retain(|e| e.seq > after && upto.is_none_or(|upto| e.seq <= upto));
    events.sort_unstable_by_key(|e| e.seq);
    events.dedup_by_key(|e| e.seq);
    let mut head = Vec::with_capacity(events.len() + 1);
    if !complete || !replays_all(after, upto, &events) {
        head.push(sse::gap(EventId { stream, seq: after }));
    }
    for event in events {
        let id = EventId { stream, seq: event.seq };
        if event.kind == EventKind::Response
            && let Some(receipts) = &receipts
        {
            receipts.delivered(id);
        }
        head.push(sse::event(Some(id), &event.data));
    }
    head
}

/// Whether the sorted `events` are all the events of a stream after `after`: numbered on from
/// `after + 1` without a hole, up to `upto` for a stream still going, or up to its response for
/// a stream that is over.
fn replays_all(after: u64, upto: Option<u64>, events: &[StoredEvent]) -> bool {
    let unbroken = events.iter().zip(after + 1..).all(|(e, n)| e.seq == n);
    unbroken
        && match upto {
            Some(upto) => events.last().map_or(after, |e| e.seq) >= upto,
            None => events.last().is_some_and(|e| e.kind == EventKind::Response),
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(seqs: &[u64], last_is_response: bool) -> Vec<StoredEvent> {
        let kind = |i| if last_is_response && i + 1 == seqs.len() { EventKind::Response } else { EventKind::Message };
        seqs.iter()
            .enumerate()
            .map(|(i, &seq)| StoredEvent { stream: 1, seq, kind: kind(i), data: Bytes::new() })
            .collect()
    }

    #[test]
    fn a_replay_with_a_missing_number_has_a_gap() {
        // A stream still going: every event up to the last delivered one.
        assert!(replays_all(2, Some(4), &events(&[3, 4], false)));
        assert!(replays_all(4, Some(4), &[]));
        assert!(!replays_all(2, Some(4), &events(&[4], false)), "3 is missing");
        assert!(!replays_all(2, Some(4), &events(&[3], false)), "4 is missing");
        assert!(!replays_all(0, Some(3), &events(&[1, 3], false)), "2 is missing");
        // A stream that is over ends with its response.
        assert!(replays_all(0, None, &events(&[1, 2], true)));
        assert!(!replays_all(0, None, &events(&[1, 2], false)), "the end is missing");
        assert!(!replays_all(0, None, &[]), "nothing left of it");
    }
}
