//! Redis-backed stores for [`rmcp_core`] servers, so that state outlives one process and is
//! shared by every instance pointed at the same Redis.
//!
//! - [`RedisSessionStore`]: 2025-era sessions, restored by any instance
//!   ([`SessionStore`](rmcp_core::transport::http::SessionStore));
//! - [`RedisEventStore`]: the events of resumable SSE streams, so a client that lost its
//!   connection resumes with `Last-Event-ID` on any instance
//!   ([`EventStore`](rmcp_core::transport::http::EventStore));
//! - [`RedisMessageBus`]: how the instances reach each other
//!   ([`MessageBus`](rmcp_core::transport::http::MessageBus));
//! - [`RedisTaskBackend`]: tasks of the tasks extension
//!   ([`TaskBackend`](rmcp_core::handler::tasks::TaskBackend)): a task created on one instance
//!   is polled, answered and cancelled through any other, its result is served by all of them,
//!   and a task whose instance died is reported `failed` rather than `working` for ever.
//!
//! The [`scaling_out`] module is the guide: configuration, what happens where, nginx.
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
//!
//! Tasks, with the same limits on every instance:
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use rmcp_core::handler::tasks::TaskStore;
//! use rmcp_redis::{RedisTaskBackend, RedisTaskOptions};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // Starts this instance's heartbeat and subscription on the current Tokio runtime.
//! let backend = RedisTaskBackend::connect("redis://127.0.0.1:6379/", RedisTaskOptions::default())?;
//! let tasks = TaskStore::with_backend(backend, Duration::from_secs(3600), Duration::from_secs(1), 10_000)
//!     .with_max_tasks_per_principal(100);
//! // Return `tasks` from `ServerHandler::task_store`, and run tools with `tasks.run(..)`.
//! # let _ = tasks;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod bus;
mod connect;
mod event_store;
mod lane;
mod session_store;
mod task_scripts;
mod task_store;

/// The guide to running many instances, with its examples compiled as doctests.
#[doc = include_str!("../../docs/scaling-out.md")]
pub mod scaling_out {}

pub use bus::RedisMessageBus;
pub use event_store::{RedisEventStore, RedisEventStoreOptions};
pub use session_store::RedisSessionStore;
pub use task_store::{RedisTaskBackend, RedisTaskOptions};
