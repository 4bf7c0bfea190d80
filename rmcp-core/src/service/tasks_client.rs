//! The client's side of the tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28): a
//! client that declares the extension may get a task handle instead of a tool result. The
//! methods that poll, update and cancel a task are on [`Peer`] (`client_peer.rs`);
//! [`Peer::call_tool`] does all of that itself and returns the final result. This module holds
//! the polling loop.

use std::time::Duration;

use super::input_retry::fulfil;
use super::{Peer, RoleClient, ServiceError};
use crate::model::{JsonObject, TaskStatus};

/// How long to wait between polls when the server suggests nothing, and the bounds put on what
/// it suggests (a zero interval would make the client spin).
const DEFAULT_POLL: Duration = Duration::from_millis(500);
const MIN_POLL: Duration = Duration::from_millis(20);
const MAX_POLL: Duration = Duration::from_secs(30);

/// Poll task `task_id` until it ends, answering its input requests with `peer`'s own handler on
/// the way; see [`Peer::wait_for_task`].
pub(super) async fn wait_for_task(peer: &Peer<RoleClient>, task_id: &str) -> Result<JsonObject, ServiceError> {
    // Keys already answered: a server that still lists them (it resumes asynchronously) must
    // not make the client ask its user twice.
    let mut answered = std::collections::HashSet::new();
    loop {
        let state = peer.get_task(task_id).await?.task;
        let poll = state.task.poll_interval_ms.map_or(DEFAULT_POLL, Duration::from_millis).clamp(MIN_POLL, MAX_POLL);
        match state.task.status {
            TaskStatus::Completed => return Ok(state.result.unwrap_or_default()),
            TaskStatus::Failed => {
                let error = state.error.unwrap_or_else(|| crate::model::ErrorData::internal_error("task failed"));
                return Err(ServiceError::ErrorResponse(error));
            }
            TaskStatus::Cancelled => {
                return Err(ServiceError::Cancelled { reason: Some(format!("task {task_id} was cancelled")) });
            }
            TaskStatus::InputRequired => {
                let mut asked = state.input_requests.unwrap_or_default();
                asked.retain(|key, _| !answered.contains(key));
                if !asked.is_empty() {
                    answered.extend(asked.keys().cloned());
                    let answers = fulfil(peer, asked).await?;
                    peer.update_task(task_id, answers).await?;
                }
                tokio::time::sleep(poll).await;
            }
            _ => tokio::time::sleep(poll).await,
        }
    }
}
