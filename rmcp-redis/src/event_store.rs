//! [`RedisEventStore`]: the events of resumable SSE streams in Redis (its documentation
//! describes the keys).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use redis::aio::ConnectionManager;
use redis::{Cmd, RedisError, Script, ToRedisArgs, Value};
use rmcp_core::model::RequestId;
use rmcp_core::transport::http::{EventKind, EventStore, EventStoreError, StoredEvent};

use crate::lane::Lane;

/// Appends an event to its stream, indexes the stream, pins a response, refreshes the TTLs.
/// KEYS: stream, index, pending. ARGV: seq, kind, data, trim (`~` or `=`), max length, TTL in
/// milliseconds, stream number.
const STORE: &str = r"
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[4], ARGV[5], ARGV[1] .. '-0', 'k', ARGV[2], 'd', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('SADD', KEYS[2], KEYS[1])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
if ARGV[2] == 'r' then
  redis.call('HSET', KEYS[3], ARGV[7] .. ':' .. ARGV[1], ARGV[3])
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
end
return 1
";

/// The stream's events from id ARGV[1] on, and the session's pinned responses; refreshes the
/// TTLs. KEYS: stream, index, pending. ARGV: first id, TTL in milliseconds.
const REPLAY: &str = r"
local events = redis.call('XRANGE', KEYS[1], ARGV[1], '+')
local pending = redis.call('HGETALL', KEYS[3])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
return {events, pending}
";

/// Deletes the session's streams (found in its index), its index, its pinned responses and the
/// requests of its streams. KEYS: index, pending, requests.
const REMOVE: &str = r"
local streams = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(streams) do redis.call('DEL', key) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return #streams
";

/// How a [`RedisEventStore`] names, bounds and ages its keys, and how long it waits for Redis.
#[derive(Debug, Clone)]
pub struct RedisEventStoreOptions {
    key_prefix: String,
    max_stream_len: usize,
    exact_trim: bool,
    session_ttl: Duration,
    command_timeout: Duration,
}

impl Default for RedisEventStoreOptions {
    /// Keys under `rmcp:events:`; at most about 1000 events per stream (`MAXLEN ~ 1000`); a
    /// session's keys expire an hour after their last store or replay; 2 s per command.
    fn default() -> Self {
        Self {
            key_prefix: "rmcp:events:".to_owned(),
            max_stream_len: 1000,
            exact_trim: false,
            session_ttl: Duration::from_secs(3600),
            command_timeout: Duration::from_secs(2),
        }
    }
}

impl RedisEventStoreOptions {
    /// Put every key under `prefix` (to share one Redis between applications).
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// Keep about `max` events per stream (at least 1). Trimming is approximate (`MAXLEN ~`,
    /// whole nodes of the stream at a time, so a stream may hold up to a hundred or so more)
    /// unless [`with_exact_trim`](Self::with_exact_trim). Responses not yet delivered are kept
    /// beyond it.
    pub fn with_max_stream_len(mut self, max: usize) -> Self {
        self.max_stream_len = max.max(1);
        self
    }

    /// Trim streams to exactly their maximum length (`MAXLEN =`), which costs Redis more work
    /// per event than the default approximate trim.
    pub fn with_exact_trim(mut self, exact: bool) -> Self {
        self.exact_trim = exact;
        self
    }

    /// Let a session's keys expire `ttl` after its last store or replay (at least 1 ms).
    pub fn with_session_ttl(mut self, ttl: Duration) -> Self {
        self.session_ttl = ttl.max(Duration::from_millis(1));
        self
    }

    /// Give up on a command (and on connecting, for [`RedisEventStore::connect`]) after
    /// `timeout` (at least 1 ms): the event then counts as not stored, or the replay as failed.
    pub fn with_command_timeout(mut self, timeout: Duration) -> Self {
        // A zero timeout would fail every command.
        self.command_timeout = timeout.max(Duration::from_millis(1));
        self
    }
}

/// An [`EventStore`] in Redis, shared by every server instance using the same Redis and key
/// prefix.
///
/// # Layout
///
/// All the keys of session `S` share the hash tag `{S}` (one cluster slot, so each script below
/// touches one node), under the [key prefix](RedisEventStoreOptions::with_key_prefix) `P`:
///
/// - `P{S}:s:<stream>`: a Redis Stream per SSE stream, one entry per event, with the explicit
///   id `<seq>-0` (so a replay after `seq` is one `XRANGE`), fields `k` (`r` for a response, `m`
///   otherwise) and `d` (the message). Capped with `MAXLEN` (`~` by default): the oldest events
///   go first, whatever they carry.
/// - `P{S}:p`: a hash of the session's responses not yet delivered, field `<stream>:<seq>`.
///   A response is written to both; trimming the stream never touches the hash, and
///   [`delivered`](EventStore::delivered) deletes the field, after which the response lives on
///   in its stream like any other event until trimmed. This keeps the stream's cheap, ordered
///   `XRANGE` replay and its `MAXLEN` bound for the events that may be lost, at the cost of
///   holding each response twice until it was written to its client (a session has few: one
///   per request in flight).
/// - `P{S}:q`: a hash of the requests each stream answers (field `<stream>`, a JSON array of
///   ids), written before a stream's first event when the instances share a message bus, so
///   that another instance can answer them with an error if the one running them dies.
/// - `P{S}:i`: the set of the session's stream keys, so that
///   [`remove_session`](EventStore::remove_session) finds them without `SCAN`.
///
/// Every key gets the [session TTL](RedisEventStoreOptions::with_session_ttl), refreshed by each
/// store and replay: a session its server forgot to remove (the instance died) goes by itself.
///
/// Each `store`, `replay` and `remove_session` is one `EVALSHA` (atomic, so the index never
/// misses a stream); `delivered` is one `HDEL`, sent in the background. Commands queued while a
/// pipeline is out go together in the next one, so there is at most one round trip per command,
/// and fewer under load. In `INFO commandstats` a notification stored counts 5 commands
/// (`EVALSHA`, `XADD`, `SADD`, two `PEXPIRE`), a response 7 (and `HSET`, `PEXPIRE`), a replay 6
/// (`EVALSHA`, `XRANGE`, `HGETALL`, three `PEXPIRE`).
///
/// # Bounds
///
/// Bounded per stream ([`with_max_stream_len`](RedisEventStoreOptions::with_max_stream_len)) and
/// in time ([`with_session_ttl`](RedisEventStoreOptions::with_session_ttl)); it does not apply the
/// per-principal budget of [`EventStore::open_session`] (Redis's own `maxmemory` is the bound
/// across sessions). Every command is bounded by
/// [`with_command_timeout`](RedisEventStoreOptions::with_command_timeout): with Redis unreachable,
/// events are refused with [`EventStoreError::Failed`] and the server serves its streams live only,
/// until the connection manager reconnects.
///
/// The events of one stream must reach Redis in the order of their numbers (stream ids only
/// grow): the transport hands them over in order, and the store queues each command as it is
/// called, then sends what queued as one pipeline per round trip, in order. A store, replay or
/// removal called outside a Tokio runtime fails.
pub struct RedisEventStore {
    lane: Lane,
    options: RedisEventStoreOptions,
    store: Script,
    replay: Script,
    remove: Script,
}

impl fmt::Debug for RedisEventStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisEventStore").field("options", &self.options).finish_non_exhaustive()
    }
}

impl RedisEventStore {
    /// A store on `conn`. Its own timeouts apply to each command whatever `conn`'s are.
    pub fn new(conn: ConnectionManager, options: RedisEventStoreOptions) -> Self {
        Self {
            lane: Lane::new(conn, options.command_timeout, &[STORE, REPLAY, REMOVE]),
            options,
            store: Script::new(STORE),
            replay: Script::new(REPLAY),
            remove: Script::new(REMOVE),
        }
    }

    /// A store on the Redis at `url` (`redis://host:port/db`), connecting lazily and
    /// reconnecting by itself, each attempt bounded by the command timeout. Call it within a
    /// Tokio runtime (the connection manager's tasks run on it).
    pub fn connect(url: &str, options: RedisEventStoreOptions) -> Result<Self, RedisError> {
        let conn = crate::connect::connection(url, options.command_timeout)?;
        Ok(Self::new(conn, options))
    }

    /// The options the store was made with.
    pub fn options(&self) -> &RedisEventStoreOptions {
        &self.options
    }

    /// The key `suffix` of `session`.
    fn key(&self, session: &str, suffix: &str) -> String {
        format!("{}{{{session}}}:{suffix}", self.options.key_prefix)
    }

    fn stream_key(&self, session: &str, stream: u64) -> String {
        self.key(session, &format!("s:{stream}"))
    }

    fn ttl_ms(&self) -> u64 {
        u64::try_from(self.options.session_ttl.as_millis()).unwrap_or(u64::MAX)
    }

    /// `EVALSHA` of `script` with `keys` and `args`.
    fn evalsha(script: &Script, keys: &[String], args: impl ToRedisArgs) -> Cmd {
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(script.get_hash()).arg(keys.len()).arg(keys).arg(args);
        cmd
    }
}

/// A failed command as the store's error.
fn failed(e: RedisError) -> EventStoreError {
    EventStoreError::Failed(Box::new(e))
}

impl EventStore for RedisEventStore {
    fn store<'a>(&'a self, session: &'a str, event: StoredEvent) -> BoxFuture<'a, Result<(), EventStoreError>> {
        let kind = if event.kind == EventKind::Response { "r" } else { "m" };
        let keys = [self.stream_key(session, event.stream), self.key(session, "i"), self.key(session, "p")];
        let trim = if self.options.exact_trim { "=" } else { "~" };
        let args = (event.seq, kind, &event.data[..], trim, self.options.max_stream_len, self.ttl_ms(), event.stream);
        // Queued now, in the order of the calls: see `Lane`.
        let answer = self.lane.send(Self::evalsha(&self.store, &keys, args));
        Box::pin(async move { answer.await.map(drop).map_err(failed) })
    }

    fn delivered(&self, session: &str, stream: u64, seq: u64) {
        let mut hdel = redis::cmd("HDEL");
        hdel.arg(self.key(session, "p")).arg(format!("{stream}:{seq}"));
        if let Err(e) = self.lane.send_and_forget(hdel) {
            tracing::debug!(error = %e, "a delivered response stays in Redis until its session expires");
        }
    }

    fn replay<'a>(
        &'a self,
        session: &'a str,
        stream: u64,
        after: u64,
    ) -> BoxFuture<'a, Result<Vec<StoredEvent>, EventStoreError>> {
        let Some(first) = after.checked_add(1) else { return Box::pin(async { Ok(Vec::new()) }) };
        let keys = [self.stream_key(session, stream), self.key(session, "i"), self.key(session, "p")];
        let answer = self.lane.send(Self::evalsha(&self.replay, &keys, (format!("{first}-0"), self.ttl_ms())));
        Box::pin(async move {
            let found = answer.await.map_err(failed)?;
            parse_replay(found, stream, after).map_err(|e| EventStoreError::Failed(e.into()))
        })
    }

    fn record_stream_requests(&self, session: &str, stream: u64, requests: &[RequestId]) {
        let Ok(ids) = serde_json::to_string(requests) else { return };
        let key = self.key(session, "q");
        let mut hset = redis::cmd("HSET");
        hset.arg(&key).arg(stream).arg(ids);
        let mut expire = redis::cmd("PEXPIRE");
        expire.arg(&key).arg(self.ttl_ms());
        // In the lane, so before the stream's first event.
        for cmd in [hset, expire] {
            if let Err(e) = self.lane.send_and_forget(cmd) {
                tracing::debug!(error = %e, "a stream's requests were not recorded");
            }
        }
    }

    fn stream_requests<'a>(
        &'a self,
        session: &'a str,
        stream: u64,
    ) -> BoxFuture<'a, Result<Vec<RequestId>, EventStoreError>> {
        let mut hget = redis::cmd("HGET");
        hget.arg(self.key(session, "q")).arg(stream);
        let answer = self.lane.send(hget);
        Box::pin(async move {
            match answer.await.map_err(failed)? {
                Value::BulkString(ids) => serde_json::from_slice(&ids).map_err(|e| EventStoreError::Failed(e.into())),
                _ => Ok(Vec::new()),
            }
        })
    }

    fn remove_session<'a>(&'a self, session: &'a str) -> BoxFuture<'a, ()> {
        // After the session's stores in the lane, so none of them comes back after the removal.
        let answer = self.lane.send(Self::evalsha(
            &self.remove,
            &[self.key(session, "i"), self.key(session, "p"), self.key(session, "q")],
            Vec::<String>::new(),
        ));
        Box::pin(async move {
            if let Err(e) = answer.await {
                tracing::warn!(error = %e, "a removed session's events stay in Redis until they expire");
            }
        })
    }
}

/// The events of `stream` after `after` in the answer of [`REPLAY`]: the stream's entries, and
/// the pinned responses the stream was trimmed of, by number.
fn parse_replay(found: Value, stream: u64, after: u64) -> Result<Vec<StoredEvent>, String> {
    let Value::Array(mut parts) = found else { return Err(format!("unexpected replay answer: {found:?}")) };
    let (Some(Value::Array(pending)), Some(Value::Array(entries))) = (parts.pop(), parts.pop()) else {
        return Err("unexpected replay answer".to_owned());
    };
    let mut events = Vec::with_capacity(entries.len());
    for entry in entries {
        let Value::Array(entry) = entry else { return Err("unexpected stream entry".to_owned()) };
        let mut entry = entry.into_iter();
        let (Some(Value::BulkString(id)), Some(Value::Array(fields))) = (entry.next(), entry.next()) else {
            return Err("unexpected stream entry".to_owned());
        };
        let seq = std::str::from_utf8(&id)
            .ok()
            .and_then(|id| id.split_once('-'))
            .and_then(|(seq, _)| seq.parse().ok())
            .ok_or("unexpected stream entry id")?;
        let (mut kind, mut data) = (EventKind::Message, None);
        for pair in fields.chunks(2) {
            match pair {
                [Value::BulkString(k), Value::BulkString(v)] if k == b"k" && v == b"r" => kind = EventKind::Response,
                [Value::BulkString(k), Value::BulkString(v)] if k == b"d" => data = Some(Bytes::from(v.clone())),
                _ => {}
            }
        }
        let data = data.ok_or("a stream entry without data")?;
        events.push(StoredEvent { stream, seq, kind, data });
    }
    let prefix = format!("{stream}:");
    let mut pending = pending.into_iter();
    while let (Some(Value::BulkString(field)), Some(Value::BulkString(data))) = (pending.next(), pending.next()) {
        let seq = std::str::from_utf8(&field).ok().and_then(|f| f.strip_prefix(&prefix)).and_then(|s| s.parse().ok());
        if let Some(seq) = seq.filter(|&seq| seq > after)
            && !events.iter().any(|e| e.seq == seq)
        {
            events.push(StoredEvent { stream, seq, kind: EventKind::Response, data: Bytes::from(data) });
        }
    }
    events.sort_unstable_by_key(|e| e.seq);
    Ok(events)
}
