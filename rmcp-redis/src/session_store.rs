//! [`RedisSessionStore`]: 2025-era sessions in Redis, so that every instance of a server
//! continues every session.

use std::fmt;
use std::time::Duration;

use futures::future::BoxFuture;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use rmcp_core::transport::http::{SessionRecord, SessionStore, SessionStoreError};

use crate::connect::{connection, with_timeout};

/// A [`SessionStore`] in Redis: each session a hash `<prefix><session id>` with one field, `r`,
/// holding its [`SessionRecord`] as JSON (a few hundred bytes: the client's `initialize`),
/// expiring as the service asks (its session idle timeout after the last use).
///
/// A save is one `HSET` and one `PEXPIRE`, pipelined (one round trip); a restore one `HGETALL`;
/// the service keeps a record alive with one `PEXPIRE` per quarter of its lifetime, so a plain
/// tool call on a session costs Redis nothing. Every command is bounded by the command timeout;
/// with Redis unreachable the service answers the requests that need it with 503, and serves
/// again once the connection manager has reconnected.
///
/// ```no_run
/// use std::sync::Arc;
///
/// use rmcp_core::transport::http::StreamableHttpConfig;
/// use rmcp_redis::RedisSessionStore;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let sessions = RedisSessionStore::connect("redis://127.0.0.1:6379/")?;
/// let config = StreamableHttpConfig::default().with_session_store(Some(Arc::new(sessions)));
/// # let _ = config;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisSessionStore {
    conn: ConnectionManager,
    key_prefix: String,
    timeout: Duration,
}

impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore").field("key_prefix", &self.key_prefix).finish_non_exhaustive()
    }
}

impl RedisSessionStore {
    /// A store on `conn`, keys under `rmcp:session:`, 2 s per command.
    pub fn new(conn: ConnectionManager) -> Self {
        Self { conn, key_prefix: "rmcp:session:".to_owned(), timeout: Duration::from_secs(2) }
    }

    /// A store on the Redis at `url`, connecting lazily and reconnecting by itself. Call it
    /// within a Tokio runtime.
    pub fn connect(url: &str) -> Result<Self, redis::RedisError> {
        Ok(Self::new(connection(url, Duration::from_secs(2))?))
    }

    /// Put every key under `prefix` (to share one Redis between applications).
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// Give up on a command after `timeout` (at least 1 ms).
    pub fn with_command_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    fn key(&self, id: &str) -> String {
        format!("{}{id}", self.key_prefix)
    }
}

fn failed(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> SessionStoreError {
    SessionStoreError(e.into())
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl SessionStore for RedisSessionStore {
    fn save<'a>(
        &'a self,
        id: &'a str,
        record: &'a SessionRecord,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), SessionStoreError>> {
        Box::pin(async move {
            let json = serde_json::to_string(record).map_err(failed)?;
            let key = self.key(id);
            let mut pipe = redis::pipe();
            pipe.hset(&key, "r", json).ignore().pexpire(&key, millis(ttl) as i64).ignore();
            let mut conn = self.conn.clone();
            with_timeout(self.timeout, pipe.query_async::<()>(&mut conn)).await.map_err(failed)
        })
    }

    fn load<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<SessionRecord>, SessionStoreError>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            let json: Option<String> =
                with_timeout(self.timeout, conn.hget(self.key(id), "r")).await.map_err(failed)?;
            match json {
                None => Ok(None),
                Some(json) => serde_json::from_str(&json).map(Some).map_err(failed),
            }
        })
    }

    fn touch<'a>(&'a self, id: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), SessionStoreError>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            with_timeout(self.timeout, conn.pexpire::<_, ()>(self.key(id), millis(ttl) as i64)).await.map_err(failed)
        })
    }

    fn remove<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), SessionStoreError>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            with_timeout(self.timeout, conn.del::<_, ()>(self.key(id))).await.map_err(failed)
        })
    }
}
