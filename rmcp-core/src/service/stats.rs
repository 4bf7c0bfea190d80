//! What an engine holds right now, for tests, soak runs and dashboards ([`Peer::stats`]).

use std::ops::AddAssign;

use super::{Peer, ServiceRole};

/// The sizes of one engine's tables and queues at one moment: each is zero on a connection
/// with nothing in flight, so a count that stays above zero once the traffic is over is a leak.
///
/// Read with [`Peer::stats`] (a [`RunningService`](super::RunningService) dereferences to its
/// peer, so `running.stats()` works too).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EngineStats {
    /// Requests this side sent that wait for the peer's answer.
    pub pending_requests: usize,
    /// Progress listeners of those requests, by progress token.
    pub progress_subscriptions: usize,
    /// The peer's requests whose handlers run on tasks of their own (a request answered while
    /// first polled on the engine's task is never counted). A cancelled handler stays counted
    /// until its task ends.
    pub requests_running: usize,
    /// Tasks the engine tracks: running request handlers and the notification handler.
    pub tasks: usize,
    /// Task ids mapped to the requests they serve (follows `requests_running`).
    pub task_ids: usize,
    /// The peer's requests and notifications held back while the handshake runs.
    pub held_messages: usize,
    /// Notifications waiting for the notification handler.
    pub queued_notifications: usize,
    /// The engine's own messages waiting for room in the writer's queue.
    pub overflow_messages: usize,
}

impl EngineStats {
    /// Whether every table is empty: nothing in flight, nothing queued.
    pub fn is_idle(&self) -> bool {
        *self == Self::default()
    }
}

/// Adds up the stats of several engines (an HTTP service's sessions, say).
impl AddAssign for EngineStats {
    fn add_assign(&mut self, o: Self) {
        self.pending_requests += o.pending_requests;
        self.progress_subscriptions += o.progress_subscriptions;
        self.requests_running += o.requests_running;
        self.tasks += o.tasks;
        self.task_ids += o.task_ids;
        self.held_messages += o.held_messages;
        self.queued_notifications += o.queued_notifications;
        self.overflow_messages += o.overflow_messages;
    }
}

impl<R: ServiceRole> Peer<R> {
    /// The sizes of the engine's tables, asked of the engine on its own task (it owns them, so
    /// reading costs the hot path nothing); `None` once the engine has stopped serving (it is
    /// shutting down, or gone).
    ///
    /// ```
    /// use rmcp_core::handler::{ServerHandler, ServerInfo};
    /// use rmcp_core::model::{Implementation, ServerCapabilities};
    /// use rmcp_core::service::ServiceExt;
    ///
    /// struct Quiet;
    /// impl ServerHandler for Quiet {
    ///     fn get_info(&self) -> ServerInfo {
    ///         ServerInfo::new(Implementation::new("quiet", "1.0.0"), ServerCapabilities::builder().enable_tools().build())
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let (server_end, client_end) = rmcp_core::transport::duplex(64 * 1024);
    /// let server = tokio::spawn(Quiet.serve(server_end));
    /// let client = ().serve(client_end).await?;
    /// client.list_tools(None).await?;
    /// let stats = client.stats().await.expect("the engine runs");
    /// assert_eq!(stats.pending_requests, 0); // every request was answered
    /// assert!(stats.is_idle());
    /// client.cancel().await;
    /// server.await??.waiting().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn stats(&self) -> Option<EngineStats> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.commands().send(Box::new(super::peer::Command::Stats(tx))).await.ok()?;
        rx.await.ok()
    }
}
