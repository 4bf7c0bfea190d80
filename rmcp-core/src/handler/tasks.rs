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

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use futures::FutureExt;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::model::tasks_ext::{self, CreateTaskResult, DetailedTask, GetTaskResult, Task};
use crate::model::{
    CallToolResult, ClientCapabilities, ErrorData, InputRequest, InputRequests, InputResponses, JsonObject, TaskStatus,
};
use crate::service::input::{check_capability, elicit_outcome, elicit_request, parse_answer};
use crate::service::{Elicitation, McpError, RequestContext, RoleServer};
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
#[derive(Clone)]
pub struct TaskStore {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for TaskStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskStore")
            .field("tasks", &self.lock().entries.len())
            .field("ttl", &self.inner.ttl)
            .field("poll_interval", &self.inner.poll_interval)
            .finish()
    }
}

struct Inner {
    tasks: Mutex<Tasks>,
    ttl: Duration,
    poll_interval: Duration,
    max_tasks: usize,
    /// How many tasks one principal may hold; an atomic so that the builder works on a store
    /// already shared.
    max_per_principal: AtomicUsize,
}

/// The tasks, and how many each principal holds (under one lock, so the two always agree).
#[derive(Default)]
struct Tasks {
    entries: HashMap<String, Entry>,
    /// Principals with at least one task in the store; an entry goes at zero.
    held: ahash::HashMap<PrincipalKey, usize>,
}

struct Entry {
    task: Task,
    /// Who created the task, when the request was authenticated: only they may see or steer it.
    owner: Option<Owner>,
    /// The principal whose share the task holds until it leaves the store.
    counted: Option<PrincipalKey>,
    expires: Instant,
    ct: CancellationToken,
    result: Option<JsonObject>,
    error: Option<ErrorData>,
    waiting: Option<Waiting>,
}

/// The subject and client of an authenticated request.
type Owner = (Option<String>, Option<String>);

/// Who a request acts for, when an authentication layer in front of the transport said so (the
/// OAuth resource layer leaves a [`Principal`] in the request's extensions).
fn principal(ctx: &RequestContext<RoleServer>) -> Option<Owner> {
    let principal = ctx.extensions.get::<http::request::Parts>()?.extensions.get::<Principal>()?;
    Some((principal.subject.clone(), principal.client_id.clone()))
}

/// Whose share a request's task counts against, by the rule of the HTTP server's fair shares.
fn share_of(ctx: &RequestContext<RoleServer>) -> Option<PrincipalKey> {
    PrincipalKey::of(&ctx.extensions.get::<http::request::Parts>()?.extensions)
}

/// Give back the share `entry` holds: it leaves the store.
fn release(held: &mut ahash::HashMap<PrincipalKey, usize>, entry: &mut Entry) {
    let Some(key) = entry.counted.take() else { return };
    if let Some(count) = held.get_mut(&key) {
        *count -= 1;
        if *count == 0 {
            held.remove(&key);
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

/// A task parked on input: what is still unanswered, what came in, and whom to wake.
struct Waiting {
    pending: InputRequests,
    answered: JsonObject,
    wake: Option<oneshot::Sender<JsonObject>>,
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
        let max_per_principal = AtomicUsize::new((max_tasks / 4).max(1));
        let tasks = Mutex::new(Tasks::default());
        Self { inner: Arc::new(Inner { tasks, ttl, poll_interval, max_tasks, max_per_principal }) }
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

    fn lock(&self) -> MutexGuard<'_, Tasks> {
        self.inner.tasks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Run `work` for the tool call of `ctx`: as a task if the request opted into the extension
    /// (the call is answered at once with a `CreateTaskResult`), inline otherwise (the call is
    /// answered with `work`'s result), or not at all for [`TaskSupport::Required`] without opt-in
    /// (-32021).
    ///
    /// `work` gets a [`TaskContext`] to ask the client for input in either mode.
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
        let (id, ct) = self.create(principal(ctx), share_of(ctx))?;
        let task = self
            .lock()
            .entries
            .get(&id)
            .map(|e| e.task.clone())
            .ok_or_else(|| McpError::internal_error("lost task"))?;
        let capabilities = Box::new(ctx.client_capabilities().unwrap_or_default());
        let mode = Mode::Task { store: self.clone(), id: id.clone(), ct: ct.clone(), capabilities };
        let work = work(TaskContext { mode });
        let store = self.clone();
        tokio::spawn(async move {
            let outcome = tokio::select! {
                outcome = std::panic::AssertUnwindSafe(work).catch_unwind() => outcome,
                () = ct.cancelled() => return,
            };
            let outcome = outcome.unwrap_or_else(|_| Err(McpError::internal_error("the task panicked")));
            store.finish(&id, outcome);
        });
        Err(McpError::TaskCreated(Box::new(CreateTaskResult::new(task))))
    }

    /// Register a new `working` task, counted against `share` when the request has a principal;
    /// it is retrievable before its id is handed out.
    fn create(
        &self,
        owner: Option<Owner>,
        share: Option<PrincipalKey>,
    ) -> Result<(String, CancellationToken), McpError> {
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
        if let Some(key) = &share {
            let limit = self.inner.max_per_principal.load(Ordering::Relaxed);
            if held.get(key).is_some_and(|&count| count >= limit) {
                let Some(mut oldest) = oldest_finished.and_then(|(_, id)| entries.remove(&id)) else {
                    return Err(McpError::internal_error(format!(
                        "this client has too many tasks in progress (limit {limit}); try again later"
                    )));
                };
                release(held, &mut oldest);
            }
        }
        if entries.len() >= self.inner.max_tasks {
            return Err(McpError::internal_error("too many tasks; try again later"));
        }
        if let Some(key) = &share {
            *held.entry(*key).or_default() += 1;
        }
        let id = task_id();
        let stamp = timestamp();
        let ttl_ms = u64::try_from(self.inner.ttl.as_millis()).unwrap_or(u64::MAX);
        let poll_ms = u64::try_from(self.inner.poll_interval.as_millis()).unwrap_or(u64::MAX);
        let task = Task::new(id.clone(), TaskStatus::Working, stamp.clone(), stamp, Some(ttl_ms))
            .with_poll_interval_ms(poll_ms);
        let ct = CancellationToken::new();
        let entry = Entry {
            task,
            owner,
            counted: share,
            expires: now + self.inner.ttl,
            ct: ct.clone(),
            result: None,
            error: None,
            waiting: None,
        };
        entries.insert(id.clone(), entry);
        Ok((id, ct))
    }

    /// Record how the work ended, unless the task was cancelled meanwhile.
    fn finish(&self, id: &str, outcome: Result<CallToolResult, McpError>) {
        let mut tasks = self.lock();
        let Some(entry) = tasks.entries.get_mut(id) else { return };
        if entry.task.status.is_terminal() {
            return;
        }
        entry.waiting = None;
        match outcome.map(serde_json::to_value) {
            Ok(Ok(serde_json::Value::Object(result))) => {
                entry.task.status = TaskStatus::Completed;
                entry.result = Some(result);
            }
            Ok(Ok(_) | Err(_)) => {
                entry.task.status = TaskStatus::Failed;
                entry.error = Some(ErrorData::internal_error("the task's result does not serialize"));
            }
            Err(e) => {
                entry.task.status = TaskStatus::Failed;
                entry.error = Some(match e {
                    McpError::Rpc(e) => e,
                    McpError::InvalidArguments(m) => ErrorData::invalid_params(m),
                    other => ErrorData::internal_error(other.to_string()),
                });
            }
        }
        entry.task.last_updated_at = timestamp();
    }

    /// `tasks/get` for the request `ctx`: the task with what its status carries inlined; -32602
    /// for an unknown id, or a task another principal created.
    pub fn get(&self, task_id: &str, ctx: &RequestContext<RoleServer>) -> Result<GetTaskResult, McpError> {
        let tasks = self.lock();
        let entry = owned(live(&tasks.entries, task_id)?, ctx, task_id)?;
        let task = entry.task.clone();
        let detail = match task.status {
            TaskStatus::InputRequired => DetailedTask::input_required(
                task,
                entry.waiting.as_ref().map(|w| w.pending.clone()).unwrap_or_default(),
            ),
            TaskStatus::Completed => DetailedTask::completed(task, entry.result.clone().unwrap_or_default()),
            TaskStatus::Failed => DetailedTask::failed(
                task,
                entry.error.clone().unwrap_or_else(|| ErrorData::internal_error("the task failed")),
            ),
            TaskStatus::Cancelled => DetailedTask::cancelled(task),
            _ => DetailedTask::working(task),
        };
        Ok(GetTaskResult::new(detail))
    }

    /// `tasks/update`: answers to some or all of the task's pending input requests. The task
    /// resumes once every pending request is answered; answers to keys it did not ask are ignored.
    pub fn update(
        &self,
        task_id: &str,
        responses: JsonObject,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let mut tasks = self.lock();
        let entry = owned_mut(live_mut(&mut tasks.entries, task_id)?, ctx, task_id)?;
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
            entry.task.last_updated_at = timestamp();
        }
        Ok(())
    }

    /// `tasks/cancel`: stop the task if it still runs (it is `cancelled` from now on); a task
    /// that already ended is left as it is. -32602 for an unknown id.
    pub fn cancel(&self, task_id: &str, ctx: &RequestContext<RoleServer>) -> Result<(), McpError> {
        let mut tasks = self.lock();
        let entry = owned_mut(live_mut(&mut tasks.entries, task_id)?, ctx, task_id)?;
        if !entry.task.status.is_terminal() {
            entry.ct.cancel();
            entry.waiting = None;
            entry.task.status = TaskStatus::Cancelled;
            entry.task.last_updated_at = timestamp();
        }
        Ok(())
    }

    /// Park the task on `requests` until `tasks/update` answers them all.
    async fn park(&self, id: &str, ct: &CancellationToken, requests: InputRequests) -> Result<JsonObject, McpError> {
        let (wake, woken) = oneshot::channel();
        {
            let mut tasks = self.lock();
            let entry = live_mut(&mut tasks.entries, id)?;
            if entry.waiting.is_some() {
                return Err(McpError::internal_error(
                    "the task is already waiting for input: ask for several inputs at once with `inputs`",
                ));
            }
            entry.waiting = Some(Waiting { pending: requests, answered: JsonObject::new(), wake: Some(wake) });
            entry.task.status = TaskStatus::InputRequired;
            entry.task.last_updated_at = timestamp();
        }
        tokio::select! {
            answers = woken => answers.map_err(|_| McpError::internal_error("the task was dropped")),
            () = ct.cancelled() => Err(McpError::internal_error("the task was cancelled")),
        }
    }
}

fn live<'a>(tasks: &'a HashMap<String, Entry>, id: &str) -> Result<&'a Entry, McpError> {
    tasks.get(id).filter(|e| e.expires > Instant::now()).ok_or_else(|| unknown(id))
}

fn live_mut<'a>(tasks: &'a mut HashMap<String, Entry>, id: &str) -> Result<&'a mut Entry, McpError> {
    tasks.get_mut(id).filter(|e| e.expires > Instant::now()).ok_or_else(|| unknown(id))
}

/// The entry, if the request may touch it: a task created by an authenticated principal is
/// visible to that principal only (to anyone else it does not exist).
fn owned<'a>(entry: &'a Entry, ctx: &RequestContext<RoleServer>, id: &str) -> Result<&'a Entry, McpError> {
    match &entry.owner {
        Some(owner) if principal(ctx).as_ref() != Some(owner) => Err(unknown(id)),
        _ => Ok(entry),
    }
}

fn owned_mut<'a>(entry: &'a mut Entry, ctx: &RequestContext<RoleServer>, id: &str) -> Result<&'a mut Entry, McpError> {
    owned(entry, ctx, id)?;
    Ok(entry)
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

/// What a task's work uses to ask the client for input: inside a task, the task parks in
/// `input_required` until `tasks/update` answers; inline, the request's own input API is used
/// (MRTR on 2026-07-28, requests to the client on 2025).
#[derive(Debug)]
pub struct TaskContext {
    mode: Mode,
}

#[derive(Debug)]
enum Mode {
    Inline(RequestContext<RoleServer>),
    /// The capabilities the creating request declared: a task asks only for what they allow.
    Task {
        store: TaskStore,
        id: String,
        ct: CancellationToken,
        capabilities: Box<ClientCapabilities>,
    },
}

impl TaskContext {
    /// The task's id, or `None` when the work runs inline.
    pub fn task_id(&self) -> Option<&str> {
        match &self.mode {
            Mode::Task { id, .. } => Some(id),
            Mode::Inline(_) => None,
        }
    }

    /// Cancelled when the task (or the inline request) is cancelled.
    pub fn cancellation_token(&self) -> CancellationToken {
        match &self.mode {
            Mode::Task { ct, .. } => ct.clone(),
            Mode::Inline(ctx) => ctx.ct.clone(),
        }
    }

    /// Ask for several inputs at once; answers come back under the same keys.
    pub async fn inputs(&self, requests: InputRequests) -> Result<InputResponses, McpError> {
        match &self.mode {
            Mode::Inline(ctx) => ctx.inputs(requests).await,
            Mode::Task { store, id, ct, capabilities } => {
                for request in requests.values() {
                    check_capability(request, capabilities)?;
                }
                let asked = requests.clone();
                let raw = store.park(id, ct, requests).await?;
                let mut answers = InputResponses::new();
                for (key, request) in &asked {
                    let answer =
                        raw.get(key).ok_or_else(|| McpError::invalid_params(format!("no answer to `{key}`")))?;
                    let value = serde_json::to_value(answer).map_err(|e| McpError::internal_error(e.to_string()))?;
                    answers.insert(key.clone(), parse_answer(key, request, &value)?);
                }
                Ok(answers)
            }
        }
    }

    /// Ask the user to fill in a form derived from `T`, under `key`
    /// (see [`RequestContext::elicit`]).
    pub async fn elicit<T: DeserializeOwned + JsonSchema + 'static>(
        &self,
        key: &str,
        message: impl Into<String>,
    ) -> Result<Elicitation<T>, McpError> {
        let mut requests = InputRequests::new();
        requests.insert(key.to_owned(), InputRequest::Elicit(elicit_request::<T>(message)?));
        let mut answers = self.inputs(requests).await?;
        match answers.remove(key) {
            Some(crate::model::InputResponse::Elicit(result)) => elicit_outcome(key, result),
            _ => Err(McpError::invalid_params(format!("inputResponses.{key} answers a different request"))),
        }
    }
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
        assert!(store.get(&id, &request(Some("alice"))).is_ok());
        for stranger in [request(Some("bob")), request(None)] {
            let err = store.get(&id, &stranger).unwrap_err();
            assert_eq!(err.as_rpc().map(|e| e.code), Some(crate::model::ErrorCode::INVALID_PARAMS));
            assert!(store.cancel(&id, &stranger).is_err());
            assert!(store.update(&id, JsonObject::new(), &stranger).is_err());
        }
        // An anonymous task stays open to anyone, as without authentication there is no one to bind.
        let anonymous = request(None);
        let open = store.run(&anonymous, TaskSupport::Required, |_| async { Ok(CallToolResult::success(vec![])) });
        let Err(McpError::TaskCreated(open)) = open.await else { panic!("no task") };
        assert!(store.get(&open.task.task_id, &request(Some("bob"))).is_ok());
    }
}
