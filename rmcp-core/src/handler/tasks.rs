//! Server-side tasks of the `io.modelcontextprotocol/tasks` extension (SEP-2663, 2026-07-28).
//!
//! A tool that may take long runs its work through [`TaskStore::run`]. When the request opted into
//! the extension (its `_meta` client capabilities list it), the store creates a task, answers the
//! call at once with a `CreateTaskResult` and runs the work in the background; the client polls
//! `tasks/get`, answers input requests with `tasks/update` and may `tasks/cancel`. Without the
//! opt-in the work runs inline and the call returns its result as usual, or, for a tool that
//! *requires* tasks, fails with -32021 naming the extension.
//!
//! Return the store from [`ServerHandler::task_store`](super::ServerHandler::task_store): the
//! handler then declares the extension and serves the `tasks/*` methods from it.
//!
//! The store holds at most `max_tasks` tasks, and each principal at most its share of them (a
//! quarter of `max_tasks` by default, see
//! [`with_max_tasks_per_principal`](TaskStore::with_max_tasks_per_principal)), so that one client
//! cannot take every task slot, neither with work that runs nor with finished tasks kept until
//! they expire. A principal is whom the HTTP server's fair shares count a request
//! against: the subject of its [`Principal`], else its peer's address
//! ([`RemoteAddr`](crate::transport::RemoteAddr)); a request with neither (a stdio or in-process
//! connection) has no share, and only `max_tasks` applies to it.
//!
//! Tasks live in this process's memory by default. To serve them from several server instances
//! (behind a load balancer), give the store a shared [`TaskBackend`] with
//! [`TaskStore::with_backend`] (`rmcp_redis::RedisTaskBackend` keeps them in Redis): a task's work
//! runs on the instance that created it, and any instance answers `tasks/get`, `tasks/update` and
//! `tasks/cancel` for it.

mod backend;
mod context;
mod memory;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use futures_util::FutureExt;
use tokio_util::sync::CancellationToken;

pub use self::backend::{NewTask, TaskBackend, TaskBackendError, TaskOwner, TaskPage, TaskRecord};
use self::context::Mode;
pub use self::context::TaskContext;
use self::memory::MemoryTasks;
use crate::model::tasks_ext::{self, CreateTaskResult, GetTaskResult, Task};
use crate::model::{CallToolResult, ErrorData, InputRequests, JsonObject, TaskStatus};
use crate::service::input::parse_answer;
use crate::service::{McpError, RequestContext, RoleServer};
use crate::transport::Principal;
use crate::transport::principal_key::PrincipalKey;

/// Whether a tool must run as a task or merely may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskSupport {
    /// A task when the client opted in, inline otherwise.
    Optional,
    /// Only as a task: a client that did not opt in gets -32021.
    Required,
}

/// The tasks of a server: created by [`run`](Self::run), kept for their TTL, served to
/// `tasks/get`, `tasks/update` and `tasks/cancel`. Cheap to clone (shared).
///
/// In memory by default; on a shared [`TaskBackend`] with [`with_backend`](Self::with_backend).
#[derive(Clone)]
pub struct TaskStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TaskStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("TaskStore");
        match &self.inner.storage {
            Storage::Memory(tasks) => s.field("tasks", &tasks.len()),
            Storage::Shared(backend) => s.field("backend", backend),
        };
        s.field("ttl", &self.inner.ttl).field("poll_interval", &self.inner.poll_interval).finish()
    }
}

struct Inner {
    storage: Storage,
    ttl: Duration,
    poll_interval: Duration,
    max_tasks: usize,
    /// How many tasks one principal may hold; an atomic so that the builder works on a store
    /// already shared.
    max_per_principal: AtomicUsize,
}

/// Where the tasks are. An enum rather than a trait object for both: the in-memory path, that
/// of every server sharing nothing, takes no boxed future and no virtual call.
enum Storage {
    Memory(MemoryTasks),
    Shared(Box<dyn TaskBackend>),
}

/// The limits a task creation must respect, read once per creation.
#[derive(Debug, Clone, Copy)]
struct Limits {
    ttl: Duration,
    max_tasks: usize,
    max_per_principal: usize,
}

/// How many tasks [`TaskStore::list`] returns per page.
const PAGE: usize = 100;

/// Whether a task owned by `owner` may be seen and steered by `caller`: a task created by an
/// authenticated principal is visible to that principal only (to anyone else it does not exist);
/// an anonymous task stays open to anyone, as without authentication there is no one to bind.
fn visible(owner: Option<&TaskOwner>, caller: Option<&Principal>) -> bool {
    owner.is_none_or(|o| caller.is_some_and(|p| p.subject == o.subject && p.client_id == o.client_id))
}

/// The same share by a name that means the same in every process, for a shared backend:
/// `s:<subject>`, `c:<client id>` or `a:<address>` (an IPv6 address by its /64).
fn share_name(ctx: &RequestContext<RoleServer>) -> Option<String> {
    match ctx.principal_key()? {
        PrincipalKey::Address(ip) => Some(format!("a:{ip}")),
        PrincipalKey::Named(_) => {
            let principal = ctx.principal()?;
            match (&principal.subject, &principal.client_id) {
                (Some(subject), _) => Some(format!("s:{subject}")),
                (None, Some(client)) => Some(format!("c:{client}")),
                (None, None) => None,
            }
        }
    }
}

/// A fresh task id: 128 random bits in hex. Ids are bearer-like (whoever knows one may poll the
/// task when no principal owns it), so they come from the operating system's random source.
fn task_id() -> String {
    use std::fmt::Write;
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes.iter().fold(String::with_capacity(32), |mut id, b| {
        let _ = write!(id, "{b:02x}");
        id
    })
}

/// How a task's work ended, as a backend records it: the result object, or the JSON-RPC error.
fn outcome(outcome: Result<CallToolResult, McpError>) -> Result<JsonObject, ErrorData> {
    match outcome.map(serde_json::to_value) {
        Ok(Ok(serde_json::Value::Object(result))) => Ok(result),
        Ok(Ok(_) | Err(_)) => Err(ErrorData::internal_error("the task's result does not serialize")),
        Err(McpError::Rpc(e)) => Err(e),
        Err(McpError::InvalidArguments(m)) => Err(ErrorData::invalid_params(m)),
        Err(other) => Err(ErrorData::internal_error(other.to_string())),
    }
}

/// The status a task ends in with `outcome`.
fn outcome_state(outcome: &Result<JsonObject, ErrorData>) -> TaskStatus {
    if outcome.is_ok() { TaskStatus::Completed } else { TaskStatus::Failed }
}

impl Default for TaskStore {
    fn default() -> Self {
        Self::new()
    }
}

impl TaskStore {
    /// A store keeping tasks for an hour, suggesting polls every second, holding at most 10,000,
    /// and at most 2,500 per principal.
    pub fn new() -> Self {
        Self::with_limits(Duration::from_secs(3600), Duration::from_secs(1), 10_000)
    }

    /// A store keeping each task for `ttl` after creation, suggesting `poll_interval`, and holding
    /// at most `max_tasks` (further task creation fails with -32603 until some expire), and at
    /// most a quarter of `max_tasks` (at least 1) per principal (see
    /// [`with_max_tasks_per_principal`](Self::with_max_tasks_per_principal)).
    pub fn with_limits(ttl: Duration, poll_interval: Duration, max_tasks: usize) -> Self {
        Self::on(Storage::Memory(MemoryTasks::default()), ttl, poll_interval, max_tasks)
    }

    /// A store keeping its tasks in `backend`, shared by every server instance on the same
    /// backend, with the limits of [`with_limits`](Self::with_limits) (enforced by the backend
    /// across all those instances). A task's work runs on the instance that created it; any
    /// instance answers `tasks/get`, `tasks/update` and `tasks/cancel` for it, and a
    /// cancellation through any of them stops the work.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use rmcp_core::handler::tasks::{TaskBackend, TaskStore};
    ///
    /// fn store(backend: impl TaskBackend) -> TaskStore {
    ///     TaskStore::with_backend(backend, Duration::from_secs(600), Duration::from_secs(1), 10_000)
    ///         .with_max_tasks_per_principal(100)
    /// }
    /// ```
    pub fn with_backend(backend: impl TaskBackend, ttl: Duration, poll_interval: Duration, max_tasks: usize) -> Self {
        Self::on(Storage::Shared(Box::new(backend)), ttl, poll_interval, max_tasks)
    }

    fn on(storage: Storage, ttl: Duration, poll_interval: Duration, max_tasks: usize) -> Self {
        let max_per_principal = AtomicUsize::new((max_tasks / 4).max(1));
        Self { inner: Arc::new(Inner { storage, ttl, poll_interval, max_tasks, max_per_principal }) }
    }

    /// Let one principal hold at most `max` tasks in the store. At that limit a new task first
    /// takes the place of the principal's own oldest finished (completed, failed or cancelled)
    /// task, whose result then goes before it expires; when all of them still run (or wait for
    /// input), creating one more fails with -32603 and a message naming the limit, while other
    /// principals are still served. So a client cannot fill the store, neither with work nor
    /// with results kept for the whole `ttl`.
    /// Default: a quarter of `max_tasks` (2,500 for [`new`](Self::new)), as the HTTP server's
    /// `*_per_principal` shares are: one client cannot take every slot, and many clients behind
    /// one address still fit.
    ///
    /// ```
    /// use std::time::Duration;
    /// use rmcp_core::handler::tasks::TaskStore;
    ///
    /// let tasks = TaskStore::with_limits(Duration::from_secs(600), Duration::from_secs(1), 1_000)
    ///     .with_max_tasks_per_principal(50);
    /// # let _ = tasks;
    /// ```
    pub fn with_max_tasks_per_principal(self, max: usize) -> Self {
        self.inner.max_per_principal.store(max.max(1), Ordering::Relaxed);
        self
    }

    fn limits(&self) -> Limits {
        Limits {
            ttl: self.inner.ttl,
            max_tasks: self.inner.max_tasks,
            max_per_principal: self.inner.max_per_principal.load(Ordering::Relaxed),
        }
    }

    /// Run `work` for the tool call of `ctx`: as a task if the request opted into the extension
    /// (the call is answered at once with a `CreateTaskResult`), inline otherwise (the call is
    /// answered with `work`'s result), or not at all for [`TaskSupport::Required`] without opt-in
    /// (-32021).
    ///
    /// `work` gets a [`TaskContext`] to ask the client for input in either mode.
    ///
    /// # Errors
    ///
    /// -32603 when the store is full, the principal holds its whole share in unfinished tasks,
    /// or a shared backend failed (its message says which).
    ///
    /// ```
    /// use rmcp_core::handler::tasks::{TaskStore, TaskSupport};
    /// use rmcp_core::model::{CallToolResult, ContentBlock};
    /// use rmcp_core::service::{McpError, RequestContext};
    /// use rmcp_core::RoleServer;
    ///
    /// async fn slow(tasks: &TaskStore, ctx: RequestContext<RoleServer>) -> Result<CallToolResult, McpError> {
    ///     tasks
    ///         .run(&ctx, TaskSupport::Optional, |_task| async move {
    ///             tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    ///             Ok(CallToolResult::success(vec![ContentBlock::text("done")]))
    ///         })
    ///         .await
    /// }
    /// ```
    pub async fn run<F, Fut>(
        &self,
        ctx: &RequestContext<RoleServer>,
        support: TaskSupport,
        work: F,
    ) -> Result<CallToolResult, McpError>
    where
        F: FnOnce(TaskContext) -> Fut,
        Fut: Future<Output = Result<CallToolResult, McpError>> + Send + 'static,
    {
        if !opted_in(ctx) {
            return match support {
                TaskSupport::Required => Err(missing_extension()),
                TaskSupport::Optional => work(TaskContext { mode: Mode::Inline(ctx.clone()) }).await,
            };
        }
        let limits = self.limits();
        let id = task_id();
        let stamp = timestamp();
        let ttl_ms = u64::try_from(limits.ttl.as_millis()).unwrap_or(u64::MAX);
        let poll_ms = u64::try_from(self.inner.poll_interval.as_millis()).unwrap_or(u64::MAX);
        let task = Task::new(id.clone(), TaskStatus::Working, stamp.clone(), stamp, Some(ttl_ms))
            .with_poll_interval_ms(poll_ms);
        let ct = CancellationToken::new();
        let owner = ctx.principal().map(|p| TaskOwner { subject: p.subject.clone(), client_id: p.client_id.clone() });
        match &self.inner.storage {
            Storage::Memory(tasks) => tasks.create(task.clone(), owner, ctx.principal_key(), &limits, ct.clone())?,
            Storage::Shared(backend) => {
                let new = NewTask {
                    task: task.clone(),
                    owner,
                    principal: share_name(ctx),
                    ttl: limits.ttl,
                    max_tasks: limits.max_tasks,
                    max_per_principal: limits.max_per_principal,
                };
                backend.create(new, ct.clone()).await?;
            }
        }
        let capabilities = Box::new(ctx.client_capabilities().unwrap_or_default());
        let mode = Mode::Task { store: self.clone(), id: id.clone(), ct: ct.clone(), capabilities };
        let work = work(TaskContext { mode });
        let store = self.clone();
        // A shared backend forgets an expired task by itself: its work stops at the TTL here.
        let expiry = match &self.inner.storage {
            Storage::Memory(_) => None,
            Storage::Shared(_) => Some(limits.ttl),
        };
        tokio::spawn(async move {
            let expired = async {
                match expiry {
                    Some(ttl) => tokio::time::sleep(ttl).await,
                    None => std::future::pending().await,
                }
            };
            let outcome = tokio::select! {
                outcome = std::panic::AssertUnwindSafe(work).catch_unwind() => outcome,
                () = ct.cancelled() => return,
                () = expired => return ct.cancel(),
            };
            let outcome = outcome.unwrap_or_else(|_| Err(McpError::internal_error("the task panicked")));
            store.finish(&id, outcome).await;
        });
        Err(McpError::TaskCreated(Box::new(CreateTaskResult::new(task))))
    }

    /// Record how the work ended, unless the task was cancelled meanwhile.
    async fn finish(&self, id: &str, work: Result<CallToolResult, McpError>) {
        match &self.inner.storage {
            Storage::Memory(tasks) => tasks.finish(id, outcome(work)),
            Storage::Shared(backend) => {
                // The work is done and cannot be redone: a backend that failed (unreachable for a
                // moment) gets a few more tries over about 4 s before the outcome is given up.
                let outcome = outcome(work);
                let mut delay = Duration::from_millis(250);
                loop {
                    match backend.finish(id, &outcome).await {
                        Ok(()) => return,
                        Err(TaskBackendError::Failed(e)) if delay <= Duration::from_secs(2) => {
                            tracing::debug!(task = id, error = %e, "recording a task's outcome failed; retrying");
                        }
                        Err(e) => {
                            return tracing::warn!(task = id, error = %e, "a task's outcome was not recorded");
                        }
                    }
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
            }
        }
    }

    /// `tasks/get` for the request `ctx`: the task with what its status carries inlined; -32602
    /// for an unknown id, or a task another principal created.
    pub async fn get(&self, task_id: &str, ctx: &RequestContext<RoleServer>) -> Result<GetTaskResult, McpError> {
        let detail = match &self.inner.storage {
            Storage::Memory(tasks) => tasks.get(task_id, ctx.principal())?,
            // Boxed (as in `update`, `cancel` and `list`): the server awaits these methods in the
            // future of every request, which the shared path must not widen.
            Storage::Shared(backend) => Box::pin(shared::get(&**backend, task_id, ctx)).await?.state,
        };
        Ok(GetTaskResult::new(detail))
    }

    /// The tasks of `ctx`'s principal (those it may see and that count against its share, or,
    /// for a request without a principal, the tasks created without one), oldest first, a page
    /// at a time from `cursor` (the `next_cursor` of the page before). The `tasks/*` methods of
    /// the extension do not list tasks; this is for servers that show them otherwise.
    ///
    /// # Errors
    ///
    /// -32602 for a cursor this store did not hand out; -32603 when a shared backend failed.
    pub async fn list(&self, ctx: &RequestContext<RoleServer>, cursor: Option<&str>) -> Result<TaskPage, McpError> {
        match &self.inner.storage {
            Storage::Memory(tasks) => {
                let start = match cursor {
                    None => 0,
                    Some(c) => c.parse().map_err(|_| McpError::invalid_params(format!("unknown cursor `{c}`")))?,
                };
                Ok(tasks.list(ctx.principal(), ctx.principal_key(), start, PAGE))
            }
            Storage::Shared(backend) => Box::pin(shared::list(&**backend, ctx, cursor)).await,
        }
    }

    /// `tasks/update`: answers to some or all of the task's pending input requests. The task
    /// resumes once every pending request is answered; answers to keys it did not ask are ignored.
    pub async fn update(
        &self,
        task_id: &str,
        responses: JsonObject,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        match &self.inner.storage {
            Storage::Memory(tasks) => tasks.update(task_id, responses, ctx.principal()),
            Storage::Shared(backend) => Box::pin(shared::update(&**backend, task_id, responses, ctx)).await,
        }
    }

    /// `tasks/cancel`: stop the task if it still runs (it is `cancelled` from now on); a task
    /// that already ended is left as it is. -32602 for an unknown id.
    pub async fn cancel(&self, task_id: &str, ctx: &RequestContext<RoleServer>) -> Result<(), McpError> {
        match &self.inner.storage {
            Storage::Memory(tasks) => tasks.cancel(task_id, ctx.principal()),
            Storage::Shared(backend) => Box::pin(shared::cancel(&**backend, task_id, ctx)).await,
        }
    }

    /// Park the task on `requests` until `tasks/update` answers them all.
    async fn park(&self, id: &str, ct: &CancellationToken, requests: InputRequests) -> Result<JsonObject, McpError> {
        match &self.inner.storage {
            Storage::Memory(tasks) => {
                let woken = tasks.park(id, requests)?;
                tokio::select! {
                    answers = woken => answers.map_err(|_| McpError::internal_error("the task was dropped")),
                    () = ct.cancelled() => Err(McpError::internal_error("the task was cancelled")),
                }
            }
            Storage::Shared(backend) => tokio::select! {
                answers = backend.ask(id, requests) => Ok(answers?),
                () = ct.cancelled() => Err(McpError::internal_error("the task was cancelled")),
            },
        }
    }
}

/// The `tasks/*` requests on a shared backend: the same rules as in memory (who may see a task,
/// which answers fit), a step or two of the backend each.
mod shared {
    use super::*;

    /// The live task `id`, if `ctx`'s principal may see it.
    pub(super) async fn get(
        backend: &dyn TaskBackend,
        id: &str,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<TaskRecord, McpError> {
        let record = backend.get(id).await?;
        record.filter(|r| visible(r.owner.as_ref(), ctx.principal())).ok_or_else(|| unknown(id))
    }

    pub(super) async fn list(
        backend: &dyn TaskBackend,
        ctx: &RequestContext<RoleServer>,
        cursor: Option<&str>,
    ) -> Result<TaskPage, McpError> {
        let mut page = backend.list(share_name(ctx).as_deref(), cursor, PAGE).await?;
        page.tasks.retain(|r| visible(r.owner.as_ref(), ctx.principal()));
        Ok(page)
    }

    pub(super) async fn update(
        backend: &dyn TaskBackend,
        id: &str,
        responses: JsonObject,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let state = get(backend, id, ctx).await?.state;
        let waiting = state.task.status == TaskStatus::InputRequired;
        let Some(pending) = state.input_requests.filter(|_| waiting) else { return Ok(()) };
        // Checked here, before the backend takes any, as in memory: a malformed answer is
        // refused (-32602) rather than failing the task later.
        for (key, answer) in &responses {
            if let Some(request) = pending.get(key) {
                parse_answer(key, request, answer)?;
            }
        }
        Ok(backend.answer(id, responses).await?)
    }

    pub(super) async fn cancel(
        backend: &dyn TaskBackend,
        id: &str,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        get(backend, id, ctx).await?;
        Ok(backend.cancel(id).await?)
    }
}

fn unknown(id: &str) -> McpError {
    McpError::invalid_params(format!("unknown task `{id}`"))
}

/// -32021 naming the extension the request lacks.
pub(crate) fn missing_extension() -> McpError {
    McpError::Rpc(ErrorData::missing_client_capability(
        serde_json::json!({ "extensions": { tasks_ext::EXTENSION_ID: {} } }),
    ))
}

/// Whether this request opted into the tasks extension (per request, from its `_meta`).
pub(crate) fn opted_in(ctx: &RequestContext<RoleServer>) -> bool {
    ctx.is_stateless() && ctx.client_capabilities().is_some_and(|c| c.has_extension(tasks_ext::EXTENSION_ID))
}

fn timestamp() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ProtocolVersion, meta_keys};
    use crate::service::Peer;

    /// A 2026 request that opted into tasks, authenticated as `subject` when given.
    fn request(subject: Option<&str>) -> RequestContext<RoleServer> {
        let mut ctx = RequestContext::new(crate::model::RequestId::Number(1), Peer::detached());
        ctx.protocol_version = ProtocolVersion::V2026_07_28;
        let caps = serde_json::json!({"extensions": {tasks_ext::EXTENSION_ID: {}}});
        ctx.meta.insert(meta_keys::CLIENT_CAPABILITIES.to_owned(), caps);
        if let Some(subject) = subject {
            let (mut parts, ()) = http::Request::new(()).into_parts();
            parts.extensions.insert(Principal::new(subject));
            ctx.extensions.insert(parts);
        }
        ctx
    }

    #[tokio::test]
    async fn a_task_is_visible_to_its_creator_only() {
        let store = TaskStore::new();
        let created = store
            .run(&request(Some("alice")), TaskSupport::Required, |_| async { Ok(CallToolResult::success(vec![])) })
            .await;
        let Err(McpError::TaskCreated(created)) = created else { panic!("no task: {created:?}") };
        let id = created.task.task_id;
        assert!(store.get(&id, &request(Some("alice"))).await.is_ok());
        for stranger in [request(Some("bob")), request(None)] {
            let err = store.get(&id, &stranger).await.unwrap_err();
            assert_eq!(err.as_rpc().map(|e| e.code), Some(crate::model::ErrorCode::INVALID_PARAMS));
            assert!(store.cancel(&id, &stranger).await.is_err());
            assert!(store.update(&id, JsonObject::new(), &stranger).await.is_err());
        }
        // An anonymous task stays open to anyone, as without authentication there is no one to bind.
        let anonymous = request(None);
        let open = store.run(&anonymous, TaskSupport::Required, |_| async { Ok(CallToolResult::success(vec![])) });
        let Err(McpError::TaskCreated(open)) = open.await else { panic!("no task") };
        assert!(store.get(&open.task.task_id, &request(Some("bob"))).await.is_ok());
    }

    #[tokio::test]
    async fn list_pages_through_the_callers_tasks_only() {
        let store = TaskStore::new();
        let work = |_| std::future::pending::<Result<CallToolResult, McpError>>();
        let mut created = Vec::new();
        for _ in 0..105 {
            let Err(McpError::TaskCreated(task)) =
                store.run(&request(Some("alice")), TaskSupport::Required, work).await
            else {
                panic!("no task")
            };
            created.push(task.task.task_id);
        }
        let _ = store.run(&request(Some("bob")), TaskSupport::Required, work).await;
        let first = store.list(&request(Some("alice")), None).await.unwrap();
        assert_eq!(first.tasks.len(), PAGE);
        let cursor = first.next_cursor.expect("a second page");
        let second = store.list(&request(Some("alice")), Some(&cursor)).await.unwrap();
        assert!(second.next_cursor.is_none());
        let mut listed: Vec<String> =
            first.tasks.iter().chain(&second.tasks).map(|t| t.state.task.task_id.clone()).collect();
        listed.sort();
        created.sort();
        assert_eq!(listed, created, "every task of alice's, none of bob's");
        assert_eq!(store.list(&request(Some("bob")), None).await.unwrap().tasks.len(), 1);
        let err = store.list(&request(Some("alice")), Some("x")).await.unwrap_err();
        assert_eq!(err.as_rpc().map(|e| e.code), Some(crate::model::ErrorCode::INVALID_PARAMS));
    }
}
