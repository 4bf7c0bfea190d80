//! What a client connection keeps beside its engine: the list cache and the listen streams
//! waiting for notifications. The engine shows it every notification before the handler gets
//! it (`Engine::on_notification`), so neither depends on what the user's `ClientHandler` does.
//!
//! It is made on first use (a list call, a listen stream): a server's connections, and clients
//! that use neither, never allocate it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use foldhash::HashMap;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::dispatch::probe_meta;
use super::list_cache::ListCache;
use crate::model::{RequestId, meta_keys};

/// Where a listen stream's notifications go: called on the engine's task, so it must not block.
pub(crate) type NotificationSink = Arc<dyn Fn(&str, Option<&RawValue>) + Send + Sync>;

/// Which notifications a sink gets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum SinkKey {
    /// Those tagged with this `subscriptions/listen` request's id (2026-07-28).
    Subscription(RequestId),
    /// Every untagged one, on a 2025-era connection (number: which sink).
    Connection(u64),
}

#[derive(Default)]
pub(crate) struct ClientState {
    pub(crate) list_cache: ListCache,
    sinks: Mutex<HashMap<SinkKey, NotificationSink>>,
    /// How many sinks there are: a notification nobody listens for costs one atomic read.
    listening: AtomicUsize,
    next_connection_sink: AtomicUsize,
    /// 2025 era: how many listen streams watch each URI subscribed with `resources/subscribe`,
    /// so the last one to go unsubscribes.
    pub(crate) watched_uris: Mutex<HashMap<String, usize>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ClientState {
    /// A notification arrived: drop the lists it says changed and hand it to its listen stream.
    pub(crate) fn observe(&self, method: &str, params: Option<&RawValue>) {
        self.list_cache.observe(method);
        if self.listening.load(Ordering::Acquire) == 0 {
            return;
        }
        let subscription =
            probe_meta(params).and_then(|meta| RequestId::deserialize(meta.get(meta_keys::SUBSCRIPTION_ID)?).ok());
        let sinks: Vec<NotificationSink> = {
            let sinks = lock(&self.sinks);
            match subscription {
                Some(id) => sinks.get(&SinkKey::Subscription(id)).cloned().into_iter().collect(),
                None => sinks
                    .iter()
                    .filter(|(key, _)| matches!(key, SinkKey::Connection(_)))
                    .map(|(_, sink)| sink.clone())
                    .collect(),
            }
        };
        for sink in sinks {
            sink(method, params);
        }
    }

    /// A key for a new connection-wide sink.
    pub(crate) fn connection_sink_key(&self) -> SinkKey {
        SinkKey::Connection(self.next_connection_sink.fetch_add(1, Ordering::Relaxed) as u64)
    }

    /// Send the notifications `key` selects to `sink` until the returned guard is dropped.
    pub(crate) fn add_sink(self: &Arc<Self>, key: SinkKey, sink: NotificationSink) -> SinkGuard {
        if lock(&self.sinks).insert(key.clone(), sink).is_none() {
            self.listening.fetch_add(1, Ordering::Release);
        }
        SinkGuard { state: self.clone(), key }
    }
}

/// Removes its sink when dropped.
pub(crate) struct SinkGuard {
    state: Arc<ClientState>,
    key: SinkKey,
}

impl Drop for SinkGuard {
    fn drop(&mut self) {
        if lock(&self.state.sinks).remove(&self.key).is_some() {
            self.state.listening.fetch_sub(1, Ordering::Release);
        }
    }
}
