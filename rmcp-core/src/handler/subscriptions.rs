//! Resource subscriptions of stateful (2025-era) clients: who asked with `resources/subscribe`
//! for which URI, so a server can tell them with `notifications/resources/updated`.
//!
//! Return a [`ResourceSubscriptions`] from
//! [`ServerHandler::resource_subscriptions`](super::ServerHandler::resource_subscriptions): the
//! handler then declares `resources.subscribe` and records subscriptions itself. (On 2026-07-28
//! clients subscribe per `subscriptions/listen` stream instead, which the HTTP server filters.)
//!
//! The URIs are the client's choice, so the registry is bounded: a connection watches at most
//! 1000 URIs of at most 4096 bytes each (both configurable), and everything a connection watched is forgotten as soon as it closes (its
//! HTTP session is deleted or expires, its pipe ends), not at the next update of one of its URIs.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use foldhash::{HashMap, HashSet};
use futures_util::future::join_all;

use crate::model::{ErrorData, ResourceUpdatedNotificationParams};
use crate::service::{Peer, RoleServer};

/// How many resource URIs one connection may watch unless configured otherwise.
const DEFAULT_MAX_PER_CONNECTION: usize = 1000;
/// How long (in bytes) a watched resource URI may be unless configured otherwise.
const DEFAULT_MAX_URI_BYTES: usize = 4096;

/// Which connections subscribed to which resource URIs. Cheap to clone (clones share the
/// subscriptions).
///
/// ```
/// use rmcp_core::handler::ResourceSubscriptions;
///
/// // Each connection may watch at most 100 resources; `resources/subscribe` beyond that is
/// // refused with -32602 until the client unsubscribes from one.
/// let subscriptions = ResourceSubscriptions::new().with_max_per_connection(100);
/// assert!(subscriptions.is_empty());
/// ```
#[derive(Clone)]
pub struct ResourceSubscriptions {
    registry: Arc<Mutex<Registry>>,
    max_per_connection: usize,
    max_uri_bytes: usize,
}

/// The subscriptions, indexed both ways.
#[derive(Default)]
struct Registry {
    /// URI -> the connections watching it: what an update reads.
    by_uri: HashMap<Arc<str>, HashSet<usize>>,
    /// Connection -> its handle and its URIs: what the cap counts and what its end removes. A
    /// connection stays here until it closes, even with no URI left, so that it is watched for
    /// its end once however often it subscribes and unsubscribes.
    by_connection: HashMap<usize, Watching>,
    /// Subscriptions in all.
    total: usize,
}

/// One connection's subscriptions.
struct Watching {
    peer: Peer<RoleServer>,
    uris: HashSet<Arc<str>>,
}

impl Registry {
    /// Forget connection `key` and everything it watched.
    fn forget(&mut self, key: usize) {
        let Some(watching) = self.by_connection.remove(&key) else { return };
        self.total -= watching.uris.len();
        for uri in &watching.uris {
            self.drop_watcher(uri, key);
        }
    }

    /// Take `key` off the watchers of `uri`, and the URI off the index once nobody watches it.
    fn drop_watcher(&mut self, uri: &str, key: usize) {
        if let Some(watchers) = self.by_uri.get_mut(uri) {
            watchers.remove(&key);
            if watchers.is_empty() {
                self.by_uri.remove(uri);
            }
        }
    }
}

impl Default for ResourceSubscriptions {
    fn default() -> Self {
        Self {
            registry: Arc::default(),
            max_per_connection: DEFAULT_MAX_PER_CONNECTION,
            max_uri_bytes: DEFAULT_MAX_URI_BYTES,
        }
    }
}

impl std::fmt::Debug for ResourceSubscriptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let registry = self.lock();
        f.debug_struct("ResourceSubscriptions")
            .field("uris", &registry.by_uri.len())
            .field("subscriptions", &registry.total)
            .field("connections", &registry.by_connection.len())
            .finish()
    }
}

impl ResourceSubscriptions {
    /// No subscriptions yet, with the default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Let each connection watch at most `max` resource URIs. Default: 1000.
    pub fn with_max_per_connection(mut self, max: usize) -> Self {
        self.max_per_connection = max;
        self
    }

    /// Refuse resource URIs longer than `max` bytes. Default: 4096.
    pub fn with_max_uri_bytes(mut self, max: usize) -> Self {
        self.max_uri_bytes = max;
        self
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        lock(&self.registry)
    }

    /// Record that `peer`'s connection wants updates of `uri` (again: no effect).
    ///
    /// # Errors
    ///
    /// -32602 (invalid params) when the URI is too long, or when the connection already watches
    /// as many URIs as it may.
    pub fn subscribe(&self, uri: &str, peer: &Peer<RoleServer>) -> Result<(), ErrorData> {
        if uri.len() > self.max_uri_bytes {
            return Err(ErrorData::invalid_params(format!(
                "the resource URI is longer than {} bytes, the limit for a subscription",
                self.max_uri_bytes
            )));
        }
        let key = peer.connection_key();
        let mut registry = self.lock();
        let Registry { by_uri, by_connection, total } = &mut *registry;
        let watching = match by_connection.entry(key) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                if peer.is_closed() {
                    // Nobody is left to tell.
                    return Ok(());
                }
                self.forget_when_closed(peer);
                entry.insert(Watching { peer: peer.clone(), uris: HashSet::default() })
            }
        };
        if watching.uris.contains(uri) {
            return Ok(());
        }
        if watching.uris.len() >= self.max_per_connection {
            return Err(ErrorData::invalid_params(format!(
                "too many resource subscriptions: this connection already watches {} resources, the limit; \
                 unsubscribe from one first",
                self.max_per_connection
            )));
        }
        // One copy of each URI, however many connections watch it.
        let uri: Arc<str> = by_uri.get_key_value(uri).map_or_else(|| Arc::from(uri), |(shared, _)| shared.clone());
        by_uri.entry(uri.clone()).or_default().insert(key);
        watching.uris.insert(uri);
        *total += 1;
        Ok(())
    }

    /// Forget `peer`'s connection's subscriptions once it closes. Without a runtime (a handler
    /// called by hand) the closed connection is forgotten at the next update of one of its URIs.
    fn forget_when_closed(&self, peer: &Peer<RoleServer>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let registry: Weak<Mutex<Registry>> = Arc::downgrade(&self.registry);
        let peer = peer.clone();
        runtime.spawn(async move {
            peer.closed().await;
            if let Some(registry) = registry.upgrade() {
                lock(&registry).forget(peer.connection_key());
            }
        });
    }

    /// Forget `peer`'s subscription to `uri`; whether there was one.
    pub fn unsubscribe(&self, uri: &str, peer: &Peer<RoleServer>) -> bool {
        let key = peer.connection_key();
        let mut registry = self.lock();
        let Some(watching) = registry.by_connection.get_mut(&key) else { return false };
        if !watching.uris.remove(uri) {
            return false;
        }
        registry.total -= 1;
        registry.drop_watcher(uri, key);
        true
    }

    /// How many open connections are subscribed to `uri`.
    pub fn subscribers(&self, uri: &str) -> usize {
        let registry = self.lock();
        let Some(watchers) = registry.by_uri.get(uri) else { return 0 };
        watchers.iter().filter(|key| registry.by_connection.get(key).is_some_and(|w| !w.peer.is_closed())).count()
    }

    /// How many subscriptions there are, over all connections.
    pub fn len(&self) -> usize {
        self.lock().total
    }

    /// Whether there is no subscription at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many connections are followed: those that subscribed since they opened, until they
    /// close.
    pub fn connections(&self) -> usize {
        self.lock().by_connection.len()
    }

    /// Send `notifications/resources/updated` for `uri` to every connection subscribed to it and
    /// return how many were told. They are told concurrently: a connection slow to take the
    /// notification does not hold up the others. Connections that have closed are forgotten on
    /// the way.
    pub async fn notify_updated(&self, uri: &str) -> usize {
        let peers: Vec<Peer<RoleServer>> = {
            let mut registry = self.lock();
            let Some(watchers) = registry.by_uri.get(uri) else { return 0 };
            let mut peers = Vec::with_capacity(watchers.len());
            let mut closed = Vec::new();
            for key in watchers {
                match registry.by_connection.get(key) {
                    Some(w) if !w.peer.is_closed() => peers.push(w.peer.clone()),
                    _ => closed.push(*key),
                }
            }
            for key in closed {
                registry.forget(key);
            }
            peers
        };
        let params = ResourceUpdatedNotificationParams::new(uri);
        let sent = join_all(peers.iter().map(|peer| peer.notify_resource_updated(params.clone()))).await;
        sent.iter().filter(|sent| sent.is_ok()).count()
    }
}

fn lock(registry: &Mutex<Registry>) -> MutexGuard<'_, Registry> {
    registry.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(all(test, feature = "client", feature = "stdio"))]
mod tests {
    use super::*;
    use crate::handler::ServerHandler;
    use crate::service::{RunningService, ServiceExt};

    struct Server;
    impl ServerHandler for Server {}

    /// A live connection: its server side, and the client whose end closes it when cancelled.
    async fn connect() -> (RunningService<RoleServer, Server>, RunningService<crate::service::RoleClient, ()>) {
        let (a, b) = crate::transport::duplex(1 << 12);
        let (server, client) = tokio::join!(Server.serve(a), ().serve(b));
        (server.unwrap(), client.unwrap())
    }

    #[tokio::test]
    async fn limits_and_index() {
        let subscriptions = ResourceSubscriptions::new().with_max_per_connection(2).with_max_uri_bytes(16);
        let ((alice, _a), (bob, _b)) = (connect().await, connect().await);
        subscriptions.subscribe("a://1", &alice).unwrap();
        subscriptions.subscribe("a://1", &alice).unwrap();
        subscriptions.subscribe("a://2", &alice).unwrap();
        assert!(subscriptions.subscribe("a://3", &alice).unwrap_err().message.contains("limit"));
        assert!(subscriptions.subscribe("a://very-long-uri-indeed", &bob).is_err());
        subscriptions.subscribe("a://1", &bob).unwrap();
        assert_eq!((subscriptions.len(), subscriptions.subscribers("a://1")), (3, 2));
        assert!(subscriptions.unsubscribe("a://1", &alice));
        assert!(!subscriptions.unsubscribe("a://1", &alice));
        subscriptions.subscribe("a://3", &alice).unwrap();
        assert_eq!((subscriptions.len(), subscriptions.connections()), (3, 2));
    }

    #[tokio::test]
    async fn a_closed_connection_is_forgotten() {
        let subscriptions = ResourceSubscriptions::new();
        let (server, client) = connect().await;
        subscriptions.subscribe("a://1", &server).unwrap();
        client.cancel().await;
        for _ in 0..200 {
            if subscriptions.connections() == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert_eq!((subscriptions.len(), subscriptions.connections()), (0, 0), "{subscriptions:?}");
        assert_eq!(subscriptions.subscribers("a://1"), 0);
    }
}
