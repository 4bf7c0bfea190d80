//! Where a [`TaskStore`](super::TaskStore) keeps its tasks when they must outlive one process or
//! be shared by several: the [`TaskBackend`] trait, and what goes through it.
//!
//! The default store keeps its tasks in memory and needs no backend. A backend (such as
//! `rmcp_redis::RedisTaskBackend`) lets every server instance that shares it serve any task:
//! a task created on one instance is polled, answered and cancelled through any other, while its
//! work keeps running on the instance that created it.

use std::fmt;
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use crate::model::tasks_ext::{DetailedTask, Task};
use crate::model::{ErrorData, InputRequests, JsonObject};

/// Who created a task, when its request was authenticated: only the same subject and client may
/// see or steer it. A task without an owner is open to whoever knows its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaskOwner {
    /// The authenticated subject (an OAuth token's `sub`).
    pub subject: Option<String>,
    /// The client application (an OAuth token's `client_id`).
    pub client_id: Option<String>,
}

/// A task to create: its initial (`working`) state, whom it belongs to, and the limits that
/// creating it must respect, checked and applied in one step with the creation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NewTask {
    /// The initial state: a fresh id, `working`, the timestamps, TTL and poll interval.
    pub task: Task,
    /// Who may see and steer it.
    pub owner: Option<TaskOwner>,
    /// Whose share of tasks it counts against: a name stable across processes (`s:<subject>`,
    /// `c:<client id>` or `a:<address>`), or `None` for a request with no principal (stdio,
    /// in-process), which only `max_tasks` bounds.
    pub principal: Option<String>,
    /// How long the task is kept after creation.
    pub ttl: Duration,
    /// At most this many live tasks in the whole backend: creating one more fails with
    /// [`TaskBackendError::Refused`].
    pub max_tasks: usize,
    /// At most this many live tasks per principal. At the limit the principal's oldest finished
    /// task (completed, failed or cancelled) goes to make room; when none has finished, creating
    /// one more fails with [`TaskBackendError::Refused`].
    pub max_per_principal: usize,
}

/// A task as stored: its state with what that state carries (pending input requests, result or
/// error), and its owner.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TaskRecord {
    /// The state, as `tasks/get` answers it.
    pub state: DetailedTask,
    /// Who may see and steer it.
    pub owner: Option<TaskOwner>,
}

impl TaskRecord {
    /// A record of `state`, owned by `owner`.
    pub fn new(state: DetailedTask, owner: Option<TaskOwner>) -> Self {
        Self { state, owner }
    }
}

/// One page of a principal's tasks, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct TaskPage {
    /// The tasks of this page, with their owners.
    pub tasks: Vec<TaskRecord>,
    /// Where the next page starts, when there is one.
    pub next_cursor: Option<String>,
}

impl TaskPage {
    /// A page of `tasks`, followed by the page at `next_cursor` if any.
    pub fn new(tasks: Vec<TaskRecord>, next_cursor: Option<String>) -> Self {
        Self { tasks, next_cursor }
    }
}

/// Why a [`TaskBackend`] did not do what it was asked.
#[derive(Debug)]
#[non_exhaustive]
pub enum TaskBackendError {
    /// Refused by the store's rules (a limit reached, a task already waiting for input): the
    /// message is for the client, which gets it in a JSON-RPC internal error.
    Refused(String),
    /// A [`list`](TaskBackend::list) cursor the backend did not hand out: the client gets
    /// -32602.
    UnknownCursor(String),
    /// The backend failed (for example, it could not be reached). The client gets a JSON-RPC
    /// internal error saying the task store failed.
    Failed(Box<dyn std::error::Error + Send + Sync>),
}

impl TaskBackendError {
    /// The refusal of a task beyond its principal's share of `limit` tasks, all unfinished.
    pub fn principal_limit(limit: usize) -> Self {
        Self::Refused(format!("this client has too many tasks in progress (limit {limit}); try again later"))
    }

    /// The refusal of a task beyond the store's `max_tasks`.
    pub fn full() -> Self {
        Self::Refused("too many tasks; try again later".to_owned())
    }

    /// The refusal of a second input round while one is pending.
    pub fn already_waiting() -> Self {
        Self::Refused("the task is already waiting for input: ask for several inputs at once with `inputs`".to_owned())
    }
}

impl fmt::Display for TaskBackendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(message) => f.write_str(message),
            Self::UnknownCursor(cursor) => write!(f, "unknown cursor `{cursor}`"),
            Self::Failed(e) => write!(f, "the task store failed: {e}"),
        }
    }
}

impl std::error::Error for TaskBackendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Refused(_) | Self::UnknownCursor(_) => None,
            Self::Failed(e) => Some(&**e),
        }
    }
}

impl From<TaskBackendError> for crate::service::McpError {
    fn from(e: TaskBackendError) -> Self {
        match e {
            TaskBackendError::UnknownCursor(_) => Self::invalid_params(e.to_string()),
            _ => Self::internal_error(e.to_string()),
        }
    }
}

/// Storage for the tasks of a [`TaskStore`](super::TaskStore), shared by every server instance
/// that uses the same backend (see [`TaskStore::with_backend`](super::TaskStore::with_backend)).
///
/// The store keeps the protocol's rules (who may see a task, which answers fit which input
/// request, what an expired task is); a backend keeps records and does each step atomically.
/// The work of a task runs on the instance that created it; the backend is how that instance
/// learns what happened to the task elsewhere: it cancels the token handed to
/// [`create`](Self::create) when the task is cancelled through any instance (or expires), and
/// resolves [`ask`](Self::ask) once another instance's [`answer`](Self::answer) completed the
/// answers. A backend must not panic: a failure is a [`TaskBackendError::Failed`], which the
/// client sees as a JSON-RPC internal error.
///
/// A task whose instance stopped while it ran must not stay `working` for ever: a backend that
/// spans processes reports it as `failed` (with a message saying so) once it knows that
/// instance is gone.
pub trait TaskBackend: Send + Sync + fmt::Debug + 'static {
    /// Create `task`, applying its limits (`max_tasks`, and `max_per_principal` with the
    /// replacement of the principal's oldest finished task) in the same atomic step. This
    /// instance runs the task's work: cancel `running` when the task is cancelled from any
    /// instance or expires.
    fn create(&self, task: NewTask, running: CancellationToken) -> BoxFuture<'_, Result<(), TaskBackendError>>;

    /// The live (not expired) task `id`, or `None`.
    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<TaskRecord>, TaskBackendError>>;

    /// Up to `limit` live tasks of `principal` (its tasks only; `None`: the tasks created
    /// without a principal), oldest first, from `cursor` (a `next_cursor` of an earlier page).
    fn list<'a>(
        &'a self,
        principal: Option<&'a str>,
        cursor: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<TaskPage, TaskBackendError>>;

    /// The work of task `id` ended with `outcome` (the result object, or the error): record it
    /// (`completed` or `failed`), unless the task already ended (it was cancelled meanwhile).
    /// The store calls it again, a few times, after a [`TaskBackendError::Failed`].
    fn finish<'a>(
        &'a self,
        id: &'a str,
        outcome: &'a Result<JsonObject, ErrorData>,
    ) -> BoxFuture<'a, Result<(), TaskBackendError>>;

    /// Task `id` waits for the client's answers to `requests` (`input_required`, with them as
    /// its `inputRequests`); resolves with the answers, by key, once [`answer`](Self::answer)
    /// completed them (through any instance). Refused when the task already waits for input.
    /// The caller stops waiting when the task is cancelled.
    fn ask<'a>(&'a self, id: &'a str, requests: InputRequests) -> BoxFuture<'a, Result<JsonObject, TaskBackendError>>;

    /// Answers to some of task `id`'s pending input requests, already checked against them:
    /// each answered request stops pending; when none is left the task is `working` again and
    /// its [`ask`](Self::ask) resolves. Answers to keys not pending are ignored.
    fn answer<'a>(&'a self, id: &'a str, answers: JsonObject) -> BoxFuture<'a, Result<(), TaskBackendError>>;

    /// Cancel task `id` if it has not ended (it is `cancelled` from now on, and the instance
    /// running it cancels its work); a task that ended is left as it is.
    fn cancel<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), TaskBackendError>>;
}
