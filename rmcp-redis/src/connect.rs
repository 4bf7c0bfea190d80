//! Connections to Redis, made alike for every store of the crate.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ErrorKind, RedisError};

/// A connection manager for the Redis at `url`: connecting lazily, reconnecting by itself,
/// each attempt and response bounded by `timeout`. Needs a Tokio runtime.
pub(crate) fn connection(url: &str, timeout: Duration) -> Result<ConnectionManager, RedisError> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(RedisError::from((ErrorKind::Client, "connecting to Redis needs a Tokio runtime")));
    }
    let client = redis::Client::open(url)?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout))
        // Few, short retries: a command waits for a reconnection at most its own timeout, and
        // the next command starts another.
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_millis(200));
    ConnectionManager::new_lazy_with_config(client, config)
}

/// `command`, failed with a timeout error after `timeout`.
pub(crate) async fn with_timeout<T>(
    timeout: Duration,
    command: impl Future<Output = Result<T, RedisError>>,
) -> Result<T, RedisError> {
    tokio::time::timeout(timeout, command)
        .await
        .unwrap_or_else(|_| Err(RedisError::from((ErrorKind::Io, "Redis did not answer in time"))))
}
