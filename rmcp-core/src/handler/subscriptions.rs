//! Resource subscriptions of stateful (2025-era) clients: who asked with `resources/subscribe`
//! for which URI, so a server can tell them with `notifications/resources/updated`.
//!
//! Return a [`ResourceSubscriptions`] from
//! [`ServerHandler::resource_subscriptions`](super::ServerHandler::resource_subscriptions): the
//! handler then declares `resources.subscribe` and records subscriptions itself. (On 2026-07-28
//! clients subscribe per `subscriptions/listen` stream instead, which the HTTP server filters.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::service::{Peer, RoleServer};

/// Which connections subscribed to which resource URIs. Cheap to clone (shared).
#[derive(Clone, Default)]
pub struct ResourceSubscriptions {
    by_uri: Arc<Mutex<HashMap<String, Vec<Peer<RoleServer>>>>>,
}

impl std::fmt::Debug for ResourceSubscriptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceSubscriptions").field("uris", &self.lock().len()).finish()
    }
}

impl ResourceSubscriptions {
    /// No subscriptions yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Vec<Peer<RoleServer>>>> {
        self.by_uri.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Record that `peer`'s connection wants updates of `uri` (again: no effect).
    pub fn subscribe(&self, uri: &str, peer: &Peer<RoleServer>) {
        let mut by_uri = self.lock();
        let peers = by_uri.entry(uri.to_owned()).or_default();
        peers.retain(|p| !p.is_closed());
        if !peers.iter().any(|p| p.same_connection(peer)) {
            peers.push(peer.clone());
        }
    }

    /// Forget `peer`'s subscription to `uri`; whether there was one.
    pub fn unsubscribe(&self, uri: &str, peer: &Peer<RoleServer>) -> bool {
        let mut by_uri = self.lock();
        let Some(peers) = by_uri.get_mut(uri) else { return false };
        let before = peers.len();
        peers.retain(|p| !p.same_connection(peer) && !p.is_closed());
        let removed = peers.len() != before;
        if peers.is_empty() {
            by_uri.remove(uri);
        }
        removed
    }

    /// How many open connections are subscribed to `uri`.
    pub fn subscribers(&self, uri: &str) -> usize {
        self.lock().get(uri).map_or(0, |peers| peers.iter().filter(|p| !p.is_closed()).count())
    }

    /// Send `notifications/resources/updated` for `uri` to every connection subscribed to it and
    /// return how many were told. Connections that have closed are forgotten on the way.
    pub async fn notify_updated(&self, uri: &str) -> usize {
        let peers: Vec<Peer<RoleServer>> = {
            let mut by_uri = self.lock();
            let Some(peers) = by_uri.get_mut(uri) else { return 0 };
            peers.retain(|p| !p.is_closed());
            peers.clone()
        };
        let mut told = 0;
        for peer in peers {
            let params = crate::model::ResourceUpdatedNotificationParams::new(uri);
            if peer.notify_resource_updated(params).await.is_ok() {
                told += 1;
            }
        }
        told
    }
}
