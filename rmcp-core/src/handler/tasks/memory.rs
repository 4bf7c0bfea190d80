//! The default task storage: this process's memory, one lock over the tasks and the count each
//! principal holds. [`TaskStore`](super::TaskStore) calls it directly (no boxed future, no
//! trait object): it is the path of every server that shares no tasks.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::backend::{TaskBackendError, TaskOwner, TaskPage, TaskRecord};
use super::{Limits, outcome_state, unknown};
use crate::model::tasks_ext::{DetailedTask, Task};
use crate::model::{ErrorData, InputRequests, JsonObject, TaskStatus};
use crate::service::McpError;
use crate::service::input::parse_answer;
use crate::transport::Principal;
use crate::transport::principal_key::PrincipalKey;

#[derive(Default)]
pub(super) struct MemoryTasks {
    tasks: Mutex<Tasks>,
}

/// The tasks, and how many each principal holds (under one lock, so the two always agree).
#[derive(Default)]
struct Tasks {
    entries: HashMap<String, Entry>,
    /// Principals with at least one task in the store; an entry goes at zero.
    held: foldhash::HashMap<PrincipalKey, usize>,
}

struct Entry {
    task: Task,
    /// Who created the task, when the request was authenticated: only they may see or steer it.
    owner: Option<TaskOwner>,
    /// The principal whose share the task holds until it leaves the store.
    counted: Option<PrincipalKey>,
    expires: Instant,
    ct: CancellationToken,
    result: Option<JsonObject>,
    error: Option<ErrorData>,
    waiting: Option<Waiting>,
}

/// A task parked on input: what is still unanswered, what came in, and whom to wake.
struct Waiting {
    pending: InputRequests,
    answered: JsonObject,
    wake: Option<oneshot::Sender<JsonObject>>,
}

/// Give back the share `entry` holds: it leaves the store.
fn release(held: &mut foldhash::HashMap<PrincipalKey, usize>, entry: &mut Entry) {
    let Some(key) = entry.counted.take() else { return };
    if let Some(count) = held.get_mut(&key) {
        *count -= 1;
        if *count == 0 {
            held.remove(&key);
        }
    }
}

impl MemoryTasks {
    fn lock(&self) -> MutexGuard<'_, Tasks> {
        self.tasks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Register `task` (`working`), counted against `share`; retrievable before its id is handed
    /// out. `ct` is cancelled when the task is cancelled or expires.
    pub(super) fn create(
        &self,
        task: Task,
        owner: Option<TaskOwner>,
        share: Option<PrincipalKey>,
        limits: &Limits,
        ct: CancellationToken,
    ) -> Result<(), McpError> {
        let now = Instant::now();
        let mut tasks = self.lock();
        let Tasks { entries, held } = &mut *tasks;
        // An expired task's work is stopped too, so the limit bounds running work, not just
        // entries. The same pass finds the principal's oldest finished task, in case it must go.
        let mut oldest_finished: Option<(Instant, String)> = None;
        entries.retain(|id, e| {
            if e.expires <= now {
                e.ct.cancel();
                release(held, e);
                return false;
            }
            let theirs = share.is_some() && e.counted == share && e.task.status.is_terminal();
            if theirs && oldest_finished.as_ref().is_none_or(|(expires, _)| e.expires < *expires) {
                oldest_finished = Some((e.expires, id.clone()));
            }
            true
        });
        // A principal at its share makes room from its own finished tasks first: their results
        // go before their time rather than its new work being refused, and never another's.
        if let Some(key) = &share
            && held.get(key).is_some_and(|&count| count >= limits.max_per_principal)
        {
            let Some(mut oldest) = oldest_finished.and_then(|(_, id)| entries.remove(&id)) else {
                return Err(TaskBackendError::principal_limit(limits.max_per_principal).into());
            };
            release(held, &mut oldest);
        }
        if entries.len() >= limits.max_tasks {
            return Err(TaskBackendError::full().into());
        }
        if let Some(key) = &share {
            *held.entry(*key).or_default() += 1;
        }
        let entry = Entry {
            owner,
            counted: share,
            expires: now + limits.ttl,
            ct,
            result: None,
            error: None,
            waiting: None,
            task,
        };
        entries.insert(entry.task.task_id.clone(), entry);
        Ok(())
    }

    /// Record how the work ended, unless the task was cancelled meanwhile.
    pub(super) fn finish(&self, id: &str, outcome: Result<JsonObject, ErrorData>) {
        let mut tasks = self.lock();
        let Some(entry) = tasks.entries.get_mut(id) else { return };
        if entry.task.status.is_terminal() {
            return;
        }
        entry.waiting = None;
        entry.task.status = outcome_state(&outcome);
        match outcome {
            Ok(result) => entry.result = Some(result),
            Err(error) => entry.error = Some(error),
        }
        entry.task.last_updated_at = super::timestamp();
    }

    /// The task `id` as `tasks/get` shows it to `caller`.
    pub(super) fn get(&self, id: &str, caller: Option<&Principal>) -> Result<DetailedTask, McpError> {
        let tasks = self.lock();
        let entry = owned(live(&tasks.entries, id)?, caller, id)?;
        Ok(detail(entry))
    }

    /// `caller`'s tasks (those counted against `share`), oldest first, from the `cursor`-th on.
    pub(super) fn list(
        &self,
        caller: Option<&Principal>,
        share: Option<PrincipalKey>,
        cursor: usize,
        limit: usize,
    ) -> TaskPage {
        let now = Instant::now();
        let tasks = self.lock();
        let mut mine: Vec<&Entry> = tasks
            .entries
            .values()
            .filter(|e| e.expires > now && e.counted == share && super::visible(e.owner.as_ref(), caller))
            .collect();
        mine.sort_unstable_by(|a, b| (a.expires, &a.task.task_id).cmp(&(b.expires, &b.task.task_id)));
        let page: Vec<TaskRecord> =
            mine.iter().skip(cursor).take(limit).map(|e| TaskRecord::new(detail(e), e.owner.clone())).collect();
        let next = cursor + page.len();
        TaskPage::new(page, (next < mine.len()).then(|| next.to_string()))
    }

    /// `tasks/update`: see [`TaskStore::update`](super::TaskStore::update).
    pub(super) fn update(&self, id: &str, responses: JsonObject, caller: Option<&Principal>) -> Result<(), McpError> {
        let mut tasks = self.lock();
        let entry = owned_mut(live_mut(&mut tasks.entries, id)?, caller, id)?;
        let Some(waiting) = entry.waiting.as_mut() else { return Ok(()) };
        // Answers are checked against what was asked before any is taken, so a malformed one
        // is refused here (-32602) rather than failing the task later.
        for (key, answer) in &responses {
            if let Some(request) = waiting.pending.get(key) {
                parse_answer(key, request, answer)?;
            }
        }
        for (key, answer) in responses {
            if waiting.pending.remove(&key).is_some() {
                waiting.answered.insert(key, answer);
            }
        }
        if waiting.pending.is_empty() {
            let waiting = entry.waiting.take().expect("checked above");
            if let Some(wake) = waiting.wake {
                let _ = wake.send(waiting.answered);
            }
            entry.task.status = TaskStatus::Working;
            entry.task.last_updated_at = super::timestamp();
        }
        Ok(())
    }

    /// `tasks/cancel`: see [`TaskStore::cancel`](super::TaskStore::cancel).
    pub(super) fn cancel(&self, id: &str, caller: Option<&Principal>) -> Result<(), McpError> {
        let mut tasks = self.lock();
        let entry = owned_mut(live_mut(&mut tasks.entries, id)?, caller, id)?;
        if !entry.task.status.is_terminal() {
            entry.ct.cancel();
            entry.waiting = None;
            entry.task.status = TaskStatus::Cancelled;
            entry.task.last_updated_at = super::timestamp();
        }
        Ok(())
    }

    /// Park the task on `requests`; the receiver gets the answers once `tasks/update` has them all.
    pub(super) fn park(&self, id: &str, requests: InputRequests) -> Result<oneshot::Receiver<JsonObject>, McpError> {
        let (wake, woken) = oneshot::channel();
        let mut tasks = self.lock();
        let entry = live_mut(&mut tasks.entries, id)?;
        if entry.waiting.is_some() {
            return Err(TaskBackendError::already_waiting().into());
        }
        entry.waiting = Some(Waiting { pending: requests, answered: JsonObject::new(), wake: Some(wake) });
        entry.task.status = TaskStatus::InputRequired;
        entry.task.last_updated_at = super::timestamp();
        Ok(woken)
    }
}

/// The entry's state with what its status carries inlined.
fn detail(entry: &Entry) -> DetailedTask {
    let task = entry.task.clone();
    match task.status {
        TaskStatus::InputRequired => {
            DetailedTask::input_required(task, entry.waiting.as_ref().map(|w| w.pending.clone()).unwrap_or_default())
        }
        TaskStatus::Completed => DetailedTask::completed(task, entry.result.clone().unwrap_or_default()),
        TaskStatus::Failed => DetailedTask::failed(
            task,
            entry.error.clone().unwrap_or_else(|| ErrorData::internal_error("the task failed")),
        ),
        TaskStatus::Cancelled => DetailedTask::cancelled(task),
        _ => DetailedTask::working(task),
    }
}

fn live<'a>(tasks: &'a HashMap<String, Entry>, id: &str) -> Result<&'a Entry, McpError> {
    tasks.get(id).filter(|e| e.expires > Instant::now()).ok_or_else(|| unknown(id))
}

fn live_mut<'a>(tasks: &'a mut HashMap<String, Entry>, id: &str) -> Result<&'a mut Entry, McpError> {
    tasks.get_mut(id).filter(|e| e.expires > Instant::now()).ok_or_else(|| unknown(id))
}

/// The entry, if `caller` may touch it (see [`super::visible`]).
fn owned<'a>(entry: &'a Entry, caller: Option<&Principal>, id: &str) -> Result<&'a Entry, McpError> {
    if super::visible(entry.owner.as_ref(), caller) { Ok(entry) } else { Err(unknown(id)) }
}

fn owned_mut<'a>(entry: &'a mut Entry, caller: Option<&Principal>, id: &str) -> Result<&'a mut Entry, McpError> {
    owned(entry, caller, id)?;
    Ok(entry)
}
