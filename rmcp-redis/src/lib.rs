//! Redis-backed stores for [`rmcp_core`] servers, so that state outlives one process and is
//! shared by every instance pointed at the same Redis.
//!
//! Today this crate holds [`RedisEventStore`], an
//! [`EventStore`](rmcp_core::transport::http::EventStore) for the Streamable HTTP server: the
//! events of resumable SSE streams are kept in Redis, so a client that lost its connection
//! resumes with `Last-Event-ID` and gets what it missed, replayed from Redis.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use rmcp_core::transport::http::StreamableHttpConfig;
//! use rmcp_redis::{RedisEventStore, RedisEventStoreOptions};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let options = RedisEventStoreOptions::default()
//!     .with_key_prefix("myapp:events:")
//!     .with_session_ttl(Duration::from_secs(30 * 60));
//! // Connects lazily: the server starts even while Redis is down, and its streams then
//! // work unstored until Redis is back.
//! let store = RedisEventStore::connect("redis://127.0.0.1:6379/", options)?;
//! let config = StreamableHttpConfig::default().with_event_store(Some(Arc::new(store)));
//! # let _ = config;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod event_store;
mod lane;

pub use event_store::{RedisEventStore, RedisEventStoreOptions};
