//! A listen stream on a 2025-era connection, which has no `subscriptions/listen`: the server
//! sends list changes on the connection to every client, and resource updates to those that
//! asked with `resources/subscribe`. The stream subscribes to its URIs (counted per connection,
//! so the last stream watching a URI unsubscribes), and picks from what arrives what its filter
//! selects. The transport keeps the connection; there is nothing to reconnect here. Task ids
//! are not watched: 2025 task status notifications are not per-subscription.

use std::sync::Arc;

use super::{EventTx, ListenEvent, event_of};
use crate::model::{SubscribeRequestParams, SubscriptionFilter, UnsubscribeRequestParams};
use crate::service::{Peer, RoleClient, ServiceError};

/// Unsubscribes the URIs it holds (the last watcher of each) when the stream goes.
struct Watching {
    peer: Peer<RoleClient>,
    uris: Vec<String>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        let state = self.peer.client_state().clone();
        let last: Vec<String> = {
            let mut counts = state.watched_uris.lock().unwrap_or_else(|e| e.into_inner());
            self.uris
                .drain(..)
                .filter(|uri| {
                    let count = counts.entry(uri.clone()).or_default();
                    *count = count.saturating_sub(1);
                    let last = *count == 0;
                    if last {
                        counts.remove(uri);
                    }
                    last
                })
                .collect()
        };
        if last.is_empty() || self.peer.is_closed() {
            return;
        }
        // Drop cannot wait; without a runtime the subscriptions end with the connection.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let peer = self.peer.clone();
            runtime.spawn(async move {
                for uri in last {
                    let _ = peer.unsubscribe(UnsubscribeRequestParams::new(uri)).await;
                }
            });
        }
    }
}

pub(super) async fn drive(peer: Peer<RoleClient>, filter: SubscriptionFilter, tx: EventTx) {
    let state = peer.client_state().clone();
    let capabilities = peer.server_info().map(|info| info.capabilities.clone()).unwrap_or_default();
    // What the server will send: the list changes it announces, the URIs it took.
    let mut honoured = SubscriptionFilter::new();
    let announces = |list_changed: Option<Option<bool>>| list_changed.flatten() == Some(true);
    if filter.tools_list_changed == Some(true) && announces(capabilities.tools.as_ref().map(|c| c.list_changed)) {
        honoured.tools_list_changed = Some(true);
    }
    if filter.prompts_list_changed == Some(true) && announces(capabilities.prompts.as_ref().map(|c| c.list_changed)) {
        honoured.prompts_list_changed = Some(true);
    }
    if filter.resources_list_changed == Some(true) && announces(capabilities.resources.as_ref().map(|c| c.list_changed))
    {
        honoured.resources_list_changed = Some(true);
    }
    let mut watching = Watching { peer: peer.clone(), uris: Vec::new() };
    for uri in filter.resource_subscriptions.iter().flatten() {
        if watching.uris.contains(uri) {
            continue;
        }
        let first = {
            let mut counts = state.watched_uris.lock().unwrap_or_else(|e| e.into_inner());
            let count = counts.entry(uri.clone()).or_default();
            *count += 1;
            *count == 1
        };
        // Counted before the request: a stream dropped meanwhile leaves a balanced count.
        watching.uris.push(uri.clone());
        if first && let Err(e) = peer.subscribe(SubscribeRequestParams::new(uri.clone())).await {
            tracing::debug!(uri, error = %e, "the server refused a resource subscription");
            watching.uris.pop();
            let mut counts = state.watched_uris.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(count) = counts.get_mut(uri) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    counts.remove(uri);
                }
            }
            drop(counts);
            if matches!(e, ServiceError::TransportClosed) {
                let _ = tx.send(Err(e));
                return;
            }
            continue;
        }
        honoured.resource_subscriptions.get_or_insert_with(Vec::new).push(uri.clone());
    }
    let sink_filter = honoured.clone();
    let events = tx.clone();
    let key = state.connection_sink_key();
    let _sink = state.add_sink(
        key,
        Arc::new(move |method, params| {
            if let Some(event) = event_of(&sink_filter, method, params) {
                let _ = events.send(Ok(event));
            }
        }),
    );
    let _ = tx.send(Ok(ListenEvent::Acknowledged(honoured)));
    peer.closed().await;
    let _ = tx.send(Err(ServiceError::TransportClosed));
    drop(watching);
}
