//! Fault injection for the engine tests: a transport that delays, drops, truncates, duplicates,
//! reorders and fails at chosen points, every choice drawn from a seed so that a failure
//! reproduces; futures dropped after some polls; and the checks every run ends with.
#![allow(dead_code)]

pub mod handlers;
pub mod http;

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::{Sink, Stream, StreamExt};
use rmcp_core::model::{JsonRpcMessage, RequestId};
use rmcp_core::service::{EngineStats, Peer, ServiceError, ServiceRole};
use rmcp_core::transport::{Frame, Outbound, Transport};

/// splitmix64: small, fast, and the same sequence for the same seed everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5eed_f00d_cafe_d00d)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
    /// True with `percent` % probability.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < u64::from(percent)
    }
    /// A child generator, for a part of the run that must not shift the others' draws.
    pub fn fork(&mut self) -> Self {
        Self(self.next_u64())
    }
}

/// What goes wrong with the frames one side reads (and the writes it makes).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Each frame waits up to this long before it is read.
    pub max_delay: Duration,
    /// Chance, in percent, that a frame is delayed.
    pub delay_pct: u32,
    /// Chance a frame is lost.
    pub drop_pct: u32,
    /// Chance a frame is cut short (read as the malformed line it would be).
    pub truncate_pct: u32,
    /// Chance a message is read twice.
    pub duplicate_pct: u32,
    /// Chance a message swaps places with the next one when the protocol allows it (two
    /// responses, or two requests other than `initialize`).
    pub reorder_pct: u32,
    /// After this many frames, the read fails and the stream ends.
    pub fail_read_at: Option<usize>,
    /// After this many writes, writing fails.
    pub fail_write_at: Option<usize>,
    /// Chance a written message is written twice (the peer reads it twice).
    pub duplicate_write_pct: u32,
    /// Requests are duplicated too. A duplicate of a request still running is refused under
    /// its id, and the sender takes that refusal as the answer: it never cancels the original,
    /// which (if it waits for a cancellation) then runs until the connection ends.
    pub duplicate_requests: bool,
}

impl Faults {
    /// A random mix for `rng`: most runs have a little of everything, some a hard failure.
    pub fn random(rng: &mut Rng, lossy: bool) -> Self {
        let pct = |rng: &mut Rng, max: u64| rng.below(max + 1) as u32;
        Self {
            max_delay: Duration::from_millis(rng.below(4)),
            delay_pct: pct(rng, 30),
            drop_pct: if lossy { pct(rng, 8) } else { 0 },
            truncate_pct: if lossy { pct(rng, 8) } else { 0 },
            duplicate_pct: pct(rng, 15),
            reorder_pct: pct(rng, 30),
            fail_read_at: (lossy && rng.chance(15)).then(|| rng.below(60) as usize),
            fail_write_at: (lossy && rng.chance(15)).then(|| rng.below(60) as usize),
            duplicate_write_pct: pct(rng, 10),
            duplicate_requests: lossy,
        }
    }
}

/// How each request id fared on one side: how often it was read, and answered.
#[derive(Debug, Default)]
pub struct Ledger {
    ids: Mutex<HashMap<String, (usize, usize)>>,
    /// With `FAULT_TRACE` set: every message read (`<`) and written (`>`), to explain a failure.
    trace: Mutex<Vec<String>>,
    /// By id, on the wire (before the read faults, after the write faults): requests this side
    /// sent, and answers the peer sent back.
    wire: Mutex<HashMap<String, (usize, usize)>>,
}

impl Ledger {
    fn log(&self, dir: char, msg: &JsonRpcMessage) {
        if std::env::var_os("FAULT_TRACE").is_some() {
            let mut line = msg.to_json();
            line.truncate(160);
            self.trace.lock().unwrap().push(format!("{dir} {line}"));
        }
    }
    /// The trace (empty without `FAULT_TRACE`).
    pub fn trace(&self) -> String {
        self.trace.lock().unwrap().join("\n")
    }
    fn read(&self, msg: &JsonRpcMessage) {
        self.log('<', msg);
        if let JsonRpcMessage::Request(r) = msg {
            self.ids.lock().unwrap().entry(r.id.to_string()).or_default().0 += 1;
        }
    }
    fn wrote(&self, msg: &JsonRpcMessage) {
        self.log('>', msg);
        let id = match msg {
            JsonRpcMessage::Response(r) => Some(&r.id),
            JsonRpcMessage::Error(e) => e.id.as_ref(),
            _ => None,
        };
        if let Some(id) = id {
            self.ids.lock().unwrap().entry(id.to_string()).or_default().1 += 1;
        }
    }
    fn sent(&self, msg: &JsonRpcMessage) {
        if let JsonRpcMessage::Request(r) = msg {
            self.wire.lock().unwrap().entry(r.id.to_string()).or_default().0 += 1;
        }
    }
    fn arrived(&self, frame: &Option<io::Result<Frame>>) {
        let id = match frame {
            Some(Ok(Frame::Message(JsonRpcMessage::Response(r), _))) => Some(&r.id),
            Some(Ok(Frame::Message(JsonRpcMessage::Error(e), _))) => e.id.as_ref(),
            _ => None,
        };
        if let Some(id) = id {
            self.wire.lock().unwrap().entry(id.to_string()).or_default().1 += 1;
        }
    }
    /// Ids the peer answered more often than this side sent them.
    pub fn peer_over_answered(&self) -> Vec<(String, usize, usize)> {
        let ids = self.wire.lock().unwrap();
        let mut bad: Vec<_> = ids.iter().filter(|(_, (s, a))| a > s).map(|(id, (s, a))| (id.clone(), *s, *a)).collect();
        bad.sort();
        bad
    }
    /// Ids answered more often than they were read (a double answer, or an answer to nothing).
    pub fn over_answered(&self) -> Vec<(String, usize, usize)> {
        let ids = self.ids.lock().unwrap();
        let mut bad: Vec<_> = ids.iter().filter(|(_, (r, a))| a > r).map(|(id, (r, a))| (id.clone(), *r, *a)).collect();
        bad.sort();
        bad
    }
}

/// A transport whose reads (and writes) go wrong as its [`Faults`] say, once armed (the
/// handshake passes untouched, so every run gets to the interesting part).
pub struct Faulty<T> {
    inner: T,
    faults: Faults,
    rng: Rng,
    armed: Arc<AtomicBool>,
    ledger: Arc<Ledger>,
}

impl<T: Transport> Faulty<T> {
    pub fn new(inner: T, faults: Faults, rng: Rng, armed: Arc<AtomicBool>) -> Self {
        Self { inner, faults, rng, armed, ledger: Arc::default() }
    }
    pub fn ledger(&self) -> Arc<Ledger> {
        self.ledger.clone()
    }
}

type FrameStream = Pin<Box<dyn Stream<Item = io::Result<Frame>> + Send>>;

impl<T: Transport> Transport for Faulty<T> {
    type Sink = FaultySink<T::Sink>;
    type Stream = FrameStream;

    fn split(self) -> (Self::Sink, Self::Stream) {
        let (sink, stream) = self.inner.split();
        let sink = FaultySink {
            inner: sink,
            writes: 0,
            fail_at: self.faults.fail_write_at,
            duplicate_pct: self.faults.duplicate_write_pct,
            duplicate_requests: self.faults.duplicate_requests,
            rng: self.rng.clone().fork(),
            again: None,
            armed: self.armed.clone(),
            ledger: self.ledger.clone(),
        };
        let reader = Reader {
            inner: stream,
            faults: self.faults,
            rng: self.rng,
            armed: self.armed,
            ledger: self.ledger,
            queue: VecDeque::new(),
            frames: 0,
            done: false,
        };
        (sink, Box::pin(futures::stream::unfold(reader, |mut r| async move { r.next().await.map(|f| (f, r)) })))
    }
}

struct Reader<S> {
    inner: S,
    faults: Faults,
    rng: Rng,
    armed: Arc<AtomicBool>,
    ledger: Arc<Ledger>,
    /// Frames due before the next read (duplicates, and the second of a swapped pair).
    queue: VecDeque<io::Result<Frame>>,
    frames: usize,
    /// The inner stream ended (or the injected failure happened): the queue, then the end.
    done: bool,
}

/// Two messages the protocol lets arrive in either order.
fn swappable(a: &JsonRpcMessage, b: &JsonRpcMessage) -> bool {
    use JsonRpcMessage::*;
    match (a, b) {
        (Response(_) | Error(_), Response(_) | Error(_)) => true,
        (Request(x), Request(y)) => x.method != "initialize" && y.method != "initialize",
        _ => false,
    }
}

impl<S: Stream<Item = io::Result<Frame>> + Send + Unpin> Reader<S> {
    async fn read(&mut self) -> Option<io::Result<Frame>> {
        if let Some(queued) = self.queue.pop_front() {
            return Some(queued);
        }
        if self.done {
            return None;
        }
        let next = self.inner.next().await;
        self.ledger.arrived(&next);
        if next.is_none() {
            self.done = true;
        }
        next
    }

    async fn next(&mut self) -> Option<io::Result<Frame>> {
        loop {
            let frame = match self.read().await? {
                Ok(f) => f,
                Err(e) => return Some(Err(e)),
            };
            if !self.armed.load(Ordering::Relaxed) {
                return Some(Ok(self.seen(frame)));
            }
            self.frames += 1;
            if self.faults.fail_read_at == Some(self.frames) {
                self.done = true;
                self.queue.clear();
                return Some(Err(io::Error::new(io::ErrorKind::ConnectionReset, "injected read failure")));
            }
            let f = &self.faults;
            if f.delay_pct > 0 && self.rng.chance(f.delay_pct) {
                let ms = self.rng.below(f.max_delay.as_millis() as u64 + 1);
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            let Frame::Message(msg, ext) = frame else { return Some(Ok(frame)) };
            if self.rng.chance(f.drop_pct) {
                continue;
            }
            if self.rng.chance(f.truncate_pct) {
                let json = msg.to_json();
                let cut = 1 + self.rng.below(json.len().saturating_sub(1) as u64) as usize;
                return Some(Ok(Frame::parse(&json.as_bytes()[..cut])));
            }
            let may_duplicate = f.duplicate_requests || !matches!(msg, JsonRpcMessage::Request(_));
            if self.rng.chance(f.duplicate_pct) && may_duplicate {
                self.queue.push_back(Ok(Frame::Message(msg.clone(), rmcp_core::transport::Extensions::new())));
            }
            if self.queue.is_empty() && !self.done && self.rng.chance(f.reorder_pct) {
                // Only what comes at once: reordering must never hold a message back waiting
                // for one that may never come.
                let next = tokio::time::timeout(Duration::from_millis(2), self.inner.next()).await;
                if let Ok(next) = &next {
                    self.ledger.arrived(next);
                }
                match next {
                    Ok(Some(Ok(Frame::Message(other, other_ext)))) if swappable(&msg, &other) => {
                        self.queue.push_back(Ok(Frame::Message(msg, ext)));
                        return Some(Ok(self.seen(Frame::Message(other, other_ext))));
                    }
                    Ok(Some(other)) => self.queue.push_back(other),
                    Ok(None) => self.done = true,
                    Err(_) => {}
                }
            }
            return Some(Ok(self.seen(Frame::Message(msg, ext))));
        }
    }

    fn seen(&self, frame: Frame) -> Frame {
        if let Frame::Message(msg, _) = &frame {
            self.ledger.read(msg);
        }
        frame
    }
}

/// The write half: records answers, writes some messages twice, and fails at the chosen write.
pub struct FaultySink<S> {
    inner: S,
    writes: usize,
    fail_at: Option<usize>,
    duplicate_pct: u32,
    duplicate_requests: bool,
    rng: Rng,
    /// A message to write again before the next one (a sink takes one item per readiness).
    again: Option<Outbound>,
    armed: Arc<AtomicBool>,
    ledger: Arc<Ledger>,
}

impl<S: Sink<Outbound, Error = io::Error> + Unpin> FaultySink<S> {
    /// Write the duplicate waiting, if any.
    fn poll_again(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.again.is_some() {
            std::task::ready!(Pin::new(&mut self.inner).poll_ready(cx))?;
            let again = self.again.take().expect("checked");
            self.ledger.sent(&again.message);
            Pin::new(&mut self.inner).start_send(again)?;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: Sink<Outbound, Error = io::Error> + Unpin> Sink<Outbound> for FaultySink<S> {
    type Error = io::Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_again(cx))?;
        Pin::new(&mut self.inner).poll_ready(cx)
    }
    fn start_send(mut self: Pin<&mut Self>, item: Outbound) -> io::Result<()> {
        if self.armed.load(Ordering::Relaxed) {
            self.writes += 1;
            if self.fail_at == Some(self.writes) {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "injected write failure"));
            }
            let pct = self.duplicate_pct;
            let may_duplicate = self.duplicate_requests || !matches!(item.message, JsonRpcMessage::Request(_));
            if self.rng.chance(pct) && may_duplicate {
                self.again = Some(item.clone());
            }
        }
        self.ledger.wrote(&item.message);
        self.ledger.sent(&item.message);
        Pin::new(&mut self.inner).start_send(item)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_again(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_again(cx))?;
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

/// `inner`, dropped (unfinished) at its `polls`-th poll: a caller that gives up at an arbitrary
/// point of the call.
pub struct DropAfterPolls<F> {
    inner: Option<Pin<Box<F>>>,
    polls: usize,
}

impl<F: Future> DropAfterPolls<F> {
    pub fn new(inner: F, polls: usize) -> Self {
        Self { inner: Some(Box::pin(inner)), polls }
    }
}

impl<F: Future> Future for DropAfterPolls<F> {
    type Output = Option<F::Output>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.polls == 0 {
            self.inner = None;
            return Poll::Ready(None);
        }
        self.polls -= 1;
        match self.inner.as_mut().expect("polled after completion").as_mut().poll(cx) {
            Poll::Ready(v) => {
                self.inner = None;
                Poll::Ready(Some(v))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// How one call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Answered,
    ErrorAnswer,
    Timeout,
    Closed,
    Cancelled,
    /// The transport knows the answer cannot arrive any more (a resumed stream lost it).
    Lost,
    /// Its caller gave up (dropped the future).
    Dropped,
}

/// The outcome of a call, or what is wrong with it: every error must be one a caller can act
/// on, never a sign of a mixed-up answer.
pub fn classify<T>(r: Result<T, ServiceError>) -> Result<Outcome, String> {
    match r {
        Ok(_) => Ok(Outcome::Answered),
        Err(ServiceError::ErrorResponse(_)) => Ok(Outcome::ErrorAnswer),
        Err(ServiceError::Timeout { .. }) => Ok(Outcome::Timeout),
        Err(ServiceError::TransportClosed | ServiceError::TransportSend(_)) => Ok(Outcome::Closed),
        Err(ServiceError::Cancelled { .. }) => Ok(Outcome::Cancelled),
        Err(ServiceError::AnswerLost { .. }) => Ok(Outcome::Lost),
        Err(e) => Err(format!("undefined failure: {e:?}")),
    }
}

/// Keep the injected panics (their message says "injected") out of the test output; any other
/// panic is reported as usual.
pub fn quiet_injected_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message =
                payload.downcast_ref::<&str>().copied().or(payload.downcast_ref::<String>().map(String::as_str));
            if !message.is_some_and(|m| m.contains("injected")) {
                report(info);
            }
        }));
    });
}

/// How many tasks the runtime has.
pub fn alive_tasks() -> usize {
    tokio::runtime::Handle::current().metrics().num_alive_tasks()
}

/// Wait until the runtime is back to `baseline` tasks (at most `limit`); the count left if not.
pub async fn tasks_back_to(baseline: usize, limit: Duration) -> Result<(), usize> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let now = alive_tasks();
        if now <= baseline {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(now);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Wait until the engine behind `peer` holds nothing (at most `limit`): `Ok` also when the
/// engine has stopped (it holds nothing then either); the last stats if not.
pub async fn engine_idle<R: ServiceRole>(peer: &Peer<R>, limit: Duration) -> Result<(), EngineStats> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let stats = match tokio::time::timeout(limit, peer.stats()).await {
            Ok(Some(stats)) => stats,
            Ok(None) => return Ok(()),
            Err(_) => return Err(EngineStats::default()),
        };
        if stats.is_idle() {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(stats);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The seeds of a scenario, `first..first + count`: `FAULT_SEED=n` runs that one only (to
/// reproduce a failure), in the scenario whose range holds it; `FAULT_SCALE=k` runs `k` times
/// as many (for a longer hunt).
pub fn seeds(first: u64, count: u64) -> Vec<u64> {
    let scale = std::env::var("FAULT_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let all = first..first + count * scale;
    match std::env::var("FAULT_SEED").ok().and_then(|s| s.parse().ok()) {
        Some(seed) if all.contains(&seed) => vec![seed],
        Some(_) => Vec::new(),
        None => all.collect(),
    }
}

/// A request id as the ledger writes it.
pub fn id_key(id: &RequestId) -> String {
    id.to_string()
}
