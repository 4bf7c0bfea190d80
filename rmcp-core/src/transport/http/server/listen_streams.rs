//! The open `subscriptions/listen` streams of the 2026-07-28 path and what each asked for.
//!
//! The resource URIs the streams watch are indexed, so an update goes to its watchers without a
//! look at the other streams. The shared engine's writer reads this for every change it sends:
//! the lock is held only to pick the streams, and their messages are built after.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use foldhash::{HashMap, HashSet};

use super::sse::ItemTx;
use super::sync::lock_ignoring_poison;
use crate::model::{RequestId, SubscriptionFilter, methods};

/// One open listen stream.
struct ListenStream {
    /// The listen request's id: the subscription id its notifications carry.
    id: RequestId,
    tools_list_changed: bool,
    prompts_list_changed: bool,
    resources_list_changed: bool,
    /// The resource URIs it watches: its entries in the index.
    uris: Vec<Arc<str>>,
    tx: ItemTx,
}

#[derive(Default)]
struct Streams {
    by_key: HashMap<u64, ListenStream>,
    /// Resource URI -> the streams watching it.
    by_uri: HashMap<Arc<str>, HashSet<u64>>,
}

/// The open listen streams, by key, with the index of the resource URIs they watch.
#[derive(Default)]
pub(crate) struct ListenStreams {
    streams: Mutex<Streams>,
    next_key: AtomicU64,
}

impl std::fmt::Debug for ListenStreams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let streams = lock_ignoring_poison(&self.streams);
        f.debug_struct("ListenStreams")
            .field("streams", &streams.by_key.len())
            .field("uris", &streams.by_uri.len())
            .finish()
    }
}

/// A stream's subscription id and its queue: where one notification goes.
pub(crate) type Target = (RequestId, ItemTx);

impl ListenStreams {
    /// Register the stream of listen request `id`, which gets what `filter` selects (already
    /// cut to what the server honours, and capped); returns its key for [`close`](Self::close).
    pub(crate) fn open(&self, id: RequestId, filter: &SubscriptionFilter, tx: ItemTx) -> u64 {
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        let mut streams = lock_ignoring_poison(&self.streams);
        let uris = filter
            .resource_subscriptions
            .iter()
            .flatten()
            .map(|uri| {
                // One copy of each URI, however many streams watch it.
                let shared = match streams.by_uri.get_key_value(uri.as_str()) {
                    Some((shared, _)) => shared.clone(),
                    None => Arc::from(uri.as_str()),
                };
                streams.by_uri.entry(shared.clone()).or_default().insert(key);
                shared
            })
            .collect();
        let stream = ListenStream {
            id,
            tools_list_changed: filter.tools_list_changed == Some(true),
            prompts_list_changed: filter.prompts_list_changed == Some(true),
            resources_list_changed: filter.resources_list_changed == Some(true),
            uris,
            tx,
        };
        streams.by_key.insert(key, stream);
        key
    }

    /// How many streams are open, and how many URIs they watch.
    pub(crate) fn counts(&self) -> (usize, usize) {
        let streams = lock_ignoring_poison(&self.streams);
        (streams.by_key.len(), streams.by_uri.len())
    }

    /// Forget the stream `key` (it closed).
    pub(crate) fn close(&self, key: u64) {
        let mut streams = lock_ignoring_poison(&self.streams);
        let Some(stream) = streams.by_key.remove(&key) else { return };
        for uri in &stream.uris {
            if let Some(watchers) = streams.by_uri.get_mut(uri) {
                watchers.remove(&key);
                if watchers.is_empty() {
                    streams.by_uri.remove(uri);
                }
            }
        }
    }

    /// Forget every stream; returns where each one's closing result goes.
    pub(crate) fn close_all(&self) -> Vec<Target> {
        let mut streams = lock_ignoring_poison(&self.streams);
        streams.by_uri.clear();
        streams.by_key.drain().map(|(_, s)| (s.id, s.tx)).collect()
    }

    /// The streams that asked for notification `method` (for a resource update, of `uri`).
    pub(crate) fn wanting(&self, method: &str, uri: Option<&str>) -> Vec<Target> {
        let streams = lock_ignoring_poison(&self.streams);
        let target = |s: &ListenStream| (s.id.clone(), s.tx.clone());
        let with =
            |wants: fn(&ListenStream) -> bool| streams.by_key.values().filter(|s| wants(s)).map(target).collect();
        match method {
            methods::NOTIFICATION_TOOLS_LIST_CHANGED => with(|s| s.tools_list_changed),
            methods::NOTIFICATION_PROMPTS_LIST_CHANGED => with(|s| s.prompts_list_changed),
            methods::NOTIFICATION_RESOURCES_LIST_CHANGED => with(|s| s.resources_list_changed),
            methods::NOTIFICATION_RESOURCES_UPDATED => {
                let Some(watchers) = uri.and_then(|uri| streams.by_uri.get(uri)) else { return Vec::new() };
                watchers.iter().filter_map(|key| streams.by_key.get(key)).map(target).collect()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(targets: Vec<Target>) -> Vec<RequestId> {
        let mut ids: Vec<RequestId> = targets.into_iter().map(|(id, _)| id).collect();
        ids.sort_by_key(|id| id.to_string());
        ids
    }

    #[test]
    fn updates_go_to_the_watchers_of_the_uri_only() {
        let streams = ListenStreams::default();
        let (tx, _rx) = super::super::sse::items();
        let a = streams.open(
            RequestId::Number(1),
            &SubscriptionFilter::new().with_resource_subscription("x://1"),
            tx.clone(),
        );
        let both = SubscriptionFilter::new().with_tools_list_changed().with_resource_subscription("x://1");
        streams.open(RequestId::Number(2), &both.with_resource_subscription("x://2"), tx);
        let updated = |uri| ids(streams.wanting(methods::NOTIFICATION_RESOURCES_UPDATED, Some(uri)));
        assert_eq!(updated("x://1"), [RequestId::Number(1), RequestId::Number(2)]);
        assert_eq!(updated("x://2"), [RequestId::Number(2)]);
        assert_eq!(ids(streams.wanting(methods::NOTIFICATION_TOOLS_LIST_CHANGED, None)), [RequestId::Number(2)]);
        streams.close(a);
        assert_eq!(updated("x://1"), [RequestId::Number(2)]);
        assert_eq!(streams.close_all().len(), 1);
        assert!(updated("x://1").is_empty());
        assert!(lock_ignoring_poison(&streams.streams).by_uri.is_empty());
    }
}
