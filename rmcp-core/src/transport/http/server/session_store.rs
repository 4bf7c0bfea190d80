//! Where 2025-era sessions are kept when several instances of a server share them: what a
//! session needs to continue on another instance ([`SessionRecord`]), saved when `initialize`
//! succeeds and when the client changes it, read by an instance that gets a request for a
//! session it does not hold.
//!
//! Without a store (the default) a session lives in the process that opened it, as before.

use std::fmt;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::model::{InitializeRequestParams, LoggingLevel, ProtocolVersion};

/// What a 2025-era session needs to continue on another instance: what `initialize`
/// negotiated, the client's log level and resource subscriptions, and whose session it is.
///
/// A handler's own per-session state is not in it: a session restored elsewhere gets a fresh
/// handler from the service's factory, so state that must follow a session belongs in shared
/// storage of the application's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionRecord {
    /// The negotiated protocol version.
    pub protocol_version: ProtocolVersion,
    /// What the client sent in `initialize`: its identity and capabilities.
    pub client: InitializeRequestParams,
    /// The level the client asked for with `logging/setLevel`, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_level: Option<LoggingLevel>,
    /// The subject of the access token that opened the session, when one did: requests with
    /// another subject's token do not find it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_subject: Option<String>,
    /// The OAuth client of that token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_client: Option<String>,
    /// The resource URIs the client subscribed to (`resources/subscribe`), which
    /// [`StreamableHttpService::notify_resource_updated`](super::StreamableHttpService::notify_resource_updated)
    /// tells it of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscriptions: Vec<String>,
}

impl SessionRecord {
    /// A record of a session negotiated at `protocol_version` with `client`.
    pub fn new(protocol_version: ProtocolVersion, client: InitializeRequestParams) -> Self {
        Self {
            protocol_version,
            client,
            log_level: None,
            owner_subject: None,
            owner_client: None,
            subscriptions: Vec::new(),
        }
    }
}

/// Why a [`SessionStore`] could not do what it was asked. The service answers the request with
/// 503 and a message saying the session store is unreachable, and serves again once it is back.
#[derive(Debug)]
pub struct SessionStoreError(pub Box<dyn std::error::Error + Send + Sync>);

impl SessionStoreError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into().into())
    }
}

impl fmt::Display for SessionStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the session store failed: {}", self.0)
    }
}

impl std::error::Error for SessionStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// Storage for 2025-era sessions shared by the instances of a server
/// ([`StreamableHttpConfig::session_store`](super::StreamableHttpConfig::session_store)).
///
/// Each record lives for `ttl` after it was last saved or touched; the service touches the
/// records of the sessions it serves at most once a quarter of `ttl`, so an idle session
/// expires everywhere at about the same time, and a busy one costs the store almost nothing
/// per request. `rmcp-redis` has a Redis implementation.
///
/// # Example
///
/// A store in one process's memory (only useful in tests: instances in other processes see
/// nothing of it):
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use std::time::Duration;
///
/// use futures::future::BoxFuture;
/// use rmcp_core::transport::http::{SessionRecord, SessionStore, SessionStoreError};
///
/// #[derive(Debug, Default)]
/// struct Local(Mutex<HashMap<String, SessionRecord>>);
///
/// impl SessionStore for Local {
///     fn save<'a>(&'a self, id: &'a str, record: &'a SessionRecord, _: Duration) -> BoxFuture<'a, Result<(), SessionStoreError>> {
///         self.0.lock().unwrap().insert(id.to_owned(), record.clone());
///         Box::pin(async { Ok(()) })
///     }
///     fn load<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<SessionRecord>, SessionStoreError>> {
///         let record = self.0.lock().unwrap().get(id).cloned();
///         Box::pin(async move { Ok(record) })
///     }
///     fn touch<'a>(&'a self, _: &'a str, _: Duration) -> BoxFuture<'a, Result<(), SessionStoreError>> {
///         Box::pin(async { Ok(()) })
///     }
///     fn remove<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), SessionStoreError>> {
///         self.0.lock().unwrap().remove(id);
///         Box::pin(async { Ok(()) })
///     }
/// }
/// ```
pub trait SessionStore: Send + Sync + fmt::Debug + 'static {
    /// Keep `record` as session `id`'s for `ttl` (replacing what was there).
    fn save<'a>(
        &'a self,
        id: &'a str,
        record: &'a SessionRecord,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), SessionStoreError>>;

    /// Session `id`'s record; `None` when there is none (never saved, expired or removed).
    fn load<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<SessionRecord>, SessionStoreError>>;

    /// Keep session `id`'s record for another `ttl`: it is in use.
    fn touch<'a>(&'a self, id: &'a str, ttl: Duration) -> BoxFuture<'a, Result<(), SessionStoreError>>;

    /// Forget session `id`: it was deleted.
    fn remove<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), SessionStoreError>>;
}
