//! Listen streams: the change notifications a client opted in to, as a `futures::Stream` that
//! reconnects by itself.
//!
//! On 2026-07-28 a stream is one `subscriptions/listen` request, answered with a long-lived
//! stream of notifications tagged with its id. The spec keeps nothing of a broken stream (no
//! resumption): the request is sent again, with a new id, after a backoff, and the server's new
//! acknowledgement comes out as [`ListenEvent::Reconnected`], since changes made in between
//! were not told. On a 2025-era connection the same call subscribes to the resources with
//! `resources/subscribe` and picks the list changes the server sends on the connection anyway.

use std::hash::BuildHasher;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use futures_util::future::BoxFuture;
use tokio::sync::mpsc;

use crate::model::{
    ErrorCode, InboundMessage, ResourceUpdatedNotificationParams, ServerNotification, SubscriptionFilter,
    SubscriptionsListenRequestParams, TaskStatusNotificationParams, methods,
};
use crate::service::client_state::{NotificationSink, SinkKey};
use crate::service::list_cache::ListKind;
use crate::service::{Peer, RoleClient, ServiceError};

mod legacy;

/// One thing a listen stream tells.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ListenEvent {
    /// The stream is open; the server sends what this filter selects (what was asked, less what
    /// the server does not offer or lets this client watch).
    Acknowledged(SubscriptionFilter),
    /// The stream broke and is open again, with this filter. Changes made meanwhile were not
    /// told: read again what matters. (The client's cached lists of the kinds the filter
    /// selects have been dropped already.)
    Reconnected(SubscriptionFilter),
    /// `notifications/tools/list_changed`.
    ToolListChanged,
    /// `notifications/prompts/list_changed`.
    PromptListChanged,
    /// `notifications/resources/list_changed`.
    ResourceListChanged,
    /// `notifications/resources/updated` for a watched resource.
    ResourceUpdated(ResourceUpdatedNotificationParams),
    /// A status change of a watched task (tasks extension).
    TaskStatus(TaskStatusNotificationParams),
}

/// How a listen stream reconnects: after a backoff that starts at `initial_backoff`, doubles
/// with every failure in a row up to `max_backoff`, with up to a quarter of it added at random
/// (so clients that lost the same server do not all come back at once); and how many failures
/// in a row it bears before it ends with the last error.
///
/// ```
/// use std::time::Duration;
///
/// use rmcp_core::client::ListenOptions;
///
/// let options = ListenOptions::new()
///     .with_backoff(Duration::from_millis(100), Duration::from_secs(10))
///     .with_max_failures(20);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListenOptions {
    /// The wait before the first reconnection. Default: 250 ms.
    pub initial_backoff: Duration,
    /// The longest wait between reconnections. Default: 30 s.
    pub max_backoff: Duration,
    /// Failures in a row (attempts that got no acknowledgement) before the stream gives up;
    /// `None`: never. Default: `None`.
    pub max_failures: Option<u32>,
}

impl Default for ListenOptions {
    fn default() -> Self {
        Self { initial_backoff: Duration::from_millis(250), max_backoff: Duration::from_secs(30), max_failures: None }
    }
}

impl ListenOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the first and the longest wait between reconnections.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Give up after this many failures in a row.
    pub fn with_max_failures(mut self, failures: u32) -> Self {
        self.max_failures = Some(failures);
        self
    }

    /// The wait after `failures` failures in a row (at least 1).
    fn backoff(&self, failures: u32) -> Duration {
        let doubled = self.initial_backoff.saturating_mul(1 << failures.saturating_sub(1).min(16));
        let base = doubled.min(self.max_backoff);
        // Random without a dependency: foldhash's random seeds, new per hasher, hash the attempt.
        let random = foldhash::fast::RandomState::default().hash_one(failures);
        base + base / 4 * (random % 1024) as u32 / 1024
    }
}

/// The events of a listen stream ([`Peer::listen`]). It reconnects by itself when the server's
/// stream breaks, and ends with an error when it cannot go on: the connection closed, the server
/// refused the request (no `subscriptions/listen` there, a filter it rejects), or
/// [`ListenOptions::max_failures`] attempts in a row failed. Dropping it closes the stream (on
/// HTTP, the request's response stream; on a 2025-era connection, it unsubscribes).
///
/// The stream is driven as it is polled: poll it (or drop it). What arrives meanwhile is kept.
///
/// ```no_run
/// use futures::StreamExt;
/// use rmcp_core::client::ListenEvent;
/// use rmcp_core::model::SubscriptionFilter;
///
/// # async fn run(client: rmcp_core::Peer<rmcp_core::RoleClient>) -> Result<(), rmcp_core::service::ServiceError> {
/// let filter = SubscriptionFilter::new().with_tools_list_changed().with_resource_subscription("file:///notes.md");
/// let mut events = client.listen(filter);
/// while let Some(event) = events.next().await {
///     match event? {
///         ListenEvent::ToolListChanged | ListenEvent::Reconnected(_) => {
///             let tools = client.list_all_tools().await?; // fetched afresh: the change emptied the cache
///         }
///         ListenEvent::ResourceUpdated(updated) => println!("{} changed", updated.uri),
///         _ => {}
///     }
/// }
/// # Ok(())
/// # }
/// ```
pub struct ListenStream {
    events: mpsc::UnboundedReceiver<Result<ListenEvent, ServiceError>>,
    /// Sends the requests and reconnects; `None` once it ended.
    driver: Option<BoxFuture<'static, ()>>,
}

impl std::fmt::Debug for ListenStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenStream").field("running", &self.driver.is_some()).finish_non_exhaustive()
    }
}

impl Stream for ListenStream {
    type Item = Result<ListenEvent, ServiceError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(driver) = self.driver.as_mut()
            && driver.as_mut().poll(cx).is_ready()
        {
            self.driver = None;
        }
        // The driver and the notification sinks hold the senders: once the driver ended and
        // its sinks are gone, what is left is read out and the stream ends.
        self.events.poll_recv(cx)
    }
}

/// Listen streams ([`ListenStream`]).
impl Peer<RoleClient> {
    /// Open a listen stream for the notifications `filter` selects, with the default
    /// [`ListenOptions`].
    pub fn listen(&self, filter: SubscriptionFilter) -> ListenStream {
        self.listen_with(filter, ListenOptions::default())
    }

    /// Open a listen stream with these reconnection options.
    pub fn listen_with(&self, filter: SubscriptionFilter, options: ListenOptions) -> ListenStream {
        let (tx, events) = mpsc::unbounded_channel();
        let peer = self.clone();
        let driver: BoxFuture<'static, ()> = if peer.protocol_version().is_some_and(|v| !v.is_stateless()) {
            Box::pin(legacy::drive(peer, filter, tx))
        } else {
            Box::pin(drive(peer, filter, options, tx))
        };
        ListenStream { events, driver: Some(driver) }
    }
}

type EventTx = mpsc::UnboundedSender<Result<ListenEvent, ServiceError>>;

/// The lists a filter's change notifications are about.
fn watched_lists(filter: &SubscriptionFilter) -> Vec<ListKind> {
    let mut kinds = Vec::new();
    if filter.tools_list_changed == Some(true) {
        kinds.push(ListKind::Tools);
    }
    if filter.prompts_list_changed == Some(true) {
        kinds.push(ListKind::Prompts);
    }
    if filter.resources_list_changed == Some(true) {
        kinds.extend([ListKind::Resources, ListKind::ResourceTemplates]);
    }
    kinds
}

/// The event a notification makes, if `filter` selects it (a server must send nothing else;
/// what it sends anyway is dropped here).
fn event_of(
    filter: &SubscriptionFilter,
    method: &str,
    params: Option<&serde_json::value::RawValue>,
) -> Option<ListenEvent> {
    let wants = |flag: Option<bool>| flag == Some(true);
    let notification = match ServerNotification::parse(method, params) {
        Ok(n) => n,
        Err(e) => {
            tracing::debug!(method, error = %e.message, "a listen stream's notification does not parse");
            return None;
        }
    };
    match notification {
        ServerNotification::ToolListChanged(_) if wants(filter.tools_list_changed) => {
            Some(ListenEvent::ToolListChanged)
        }
        ServerNotification::PromptListChanged(_) if wants(filter.prompts_list_changed) => {
            Some(ListenEvent::PromptListChanged)
        }
        ServerNotification::ResourceListChanged(_) if wants(filter.resources_list_changed) => {
            Some(ListenEvent::ResourceListChanged)
        }
        ServerNotification::ResourceUpdated(p)
            if filter.resource_subscriptions.iter().flatten().any(|uri| *uri == p.uri) =>
        {
            Some(ListenEvent::ResourceUpdated(p))
        }
        ServerNotification::TaskStatus(p) if filter.task_ids.iter().flatten().any(|id| *id == p.task.task_id) => {
            Some(ListenEvent::TaskStatus(p))
        }
        _ => None,
    }
}

/// The sink of one `subscriptions/listen` request: its acknowledgement (noted in `acked`) and
/// the notifications tagged with its id, as events.
fn subscription_sink(
    peer: &Peer<RoleClient>,
    filter: SubscriptionFilter,
    reconnecting: bool,
    acked: Arc<AtomicBool>,
    tx: EventTx,
) -> NotificationSink {
    let state = peer.client_state().clone();
    Arc::new(move |method, params| {
        if method == methods::NOTIFICATION_SUBSCRIPTIONS_ACKNOWLEDGED {
            let Ok(ServerNotification::SubscriptionsAcknowledged(ack)) = ServerNotification::parse(method, params)
            else {
                return;
            };
            acked.store(true, Ordering::Release);
            let event = if reconnecting {
                // What changed while the stream was down is unknown: the cached lists go.
                state.list_cache.invalidate(&watched_lists(&ack.notifications));
                ListenEvent::Reconnected(ack.notifications)
            } else {
                ListenEvent::Acknowledged(ack.notifications)
            };
            let _ = tx.send(Ok(event));
        } else if let Some(event) = event_of(&filter, method, params) {
            let _ = tx.send(Ok(event));
        }
    })
}

/// Whether a listen request that ended with `error` is worth sending again: not when the
/// connection is gone or the server refused the request itself.
fn retryable(error: &ServiceError) -> bool {
    match error {
        ServiceError::TransportClosed | ServiceError::TransportSend(_) | ServiceError::Unsupported(_) => false,
        ServiceError::ErrorResponse(e) => ![
            ErrorCode::PARSE_ERROR,
            ErrorCode::INVALID_REQUEST,
            ErrorCode::METHOD_NOT_FOUND,
            ErrorCode::INVALID_PARAMS,
            ErrorCode::HEADER_MISMATCH,
            ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
            ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
        ]
        .contains(&e.code),
        _ => true,
    }
}

/// The 2026-07-28 driver: one `subscriptions/listen` request after another.
async fn drive(peer: Peer<RoleClient>, filter: SubscriptionFilter, options: ListenOptions, tx: EventTx) {
    let state = peer.client_state().clone();
    let mut connected_before = false;
    let mut failures = 0u32;
    loop {
        let acked = Arc::new(AtomicBool::new(false));
        let id = peer.next_request_id();
        // Registered before the request goes: its acknowledgement may come at once.
        let sink = subscription_sink(&peer, filter.clone(), connected_before, acked.clone(), tx.clone());
        let guard = state.add_sink(SinkKey::Subscription(id.clone()), sink);
        let params = SubscriptionsListenRequestParams::new(filter.clone());
        let outcome = match peer.send_request_with_id(id, methods::SUBSCRIPTIONS_LISTEN, &params).await {
            Ok(answer) => answer.wait().await.map(drop),
            Err(e) => Err(e),
        };
        drop(guard);
        let was_acked = acked.load(Ordering::Acquire);
        connected_before |= was_acked;
        failures = if was_acked { 1 } else { failures + 1 };
        match outcome {
            // The server ended the subscription (it is shutting down, say): its successor, or
            // the same server back, is asked again.
            Ok(()) => tracing::debug!("the server closed a listen stream; reopening it"),
            Err(e) if !retryable(&e) => {
                let _ = tx.send(Err(e));
                return;
            }
            Err(e) if options.max_failures.is_some_and(|max| failures > max) => {
                let _ = tx.send(Err(e));
                return;
            }
            Err(e) => tracing::debug!(error = %e, failures, "a listen stream broke; reopening it"),
        }
        tokio::select! {
            () = tokio::time::sleep(options.backoff(failures)) => {}
            () = peer.closed() => {
                let _ = tx.send(Err(ServiceError::TransportClosed));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap_with_a_bounded_jitter() {
        let options = ListenOptions::new().with_backoff(Duration::from_millis(100), Duration::from_secs(1));
        for (failures, base) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (40, 1000)] {
            let wait = options.backoff(failures);
            let base = Duration::from_millis(base);
            assert!(wait >= base && wait <= base + base / 4, "{failures}: {wait:?}");
        }
    }

    #[test]
    fn only_what_the_filter_selects_becomes_an_event() {
        let filter = SubscriptionFilter::new().with_tools_list_changed().with_resource_subscription("a://1");
        let raw = |json: &str| serde_json::value::RawValue::from_string(json.to_owned()).unwrap();
        assert_eq!(
            event_of(&filter, methods::NOTIFICATION_TOOLS_LIST_CHANGED, None),
            Some(ListenEvent::ToolListChanged)
        );
        assert_eq!(event_of(&filter, methods::NOTIFICATION_PROMPTS_LIST_CHANGED, None), None);
        let updated = |uri: &str| raw(&format!(r#"{{"uri":"{uri}"}}"#));
        assert!(matches!(
            event_of(&filter, methods::NOTIFICATION_RESOURCES_UPDATED, Some(&updated("a://1"))),
            Some(ListenEvent::ResourceUpdated(p)) if p.uri == "a://1"
        ));
        assert_eq!(event_of(&filter, methods::NOTIFICATION_RESOURCES_UPDATED, Some(&updated("a://2"))), None);
    }

    #[test]
    fn refusals_end_the_stream_and_breaks_do_not() {
        assert!(!retryable(&ServiceError::TransportClosed));
        assert!(!retryable(&ServiceError::ErrorResponse(crate::model::ErrorData::method_not_found("x"))));
        assert!(retryable(&ServiceError::ErrorResponse(crate::model::ErrorData::internal_error("stream ended"))));
    }
}
