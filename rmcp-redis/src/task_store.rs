//! [`RedisTaskBackend`]: the tasks of a [`TaskStore`](rmcp_core::handler::tasks::TaskStore) in
//! Redis, shared by every server instance on the same Redis (the scripts in `task_scripts`
//! describe the hash of a task).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use futures::future::BoxFuture;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, RedisError, Script, ToRedisArgs, Value};
use rmcp_core::handler::tasks::{NewTask, TaskBackend, TaskBackendError, TaskOwner, TaskPage, TaskRecord};
use rmcp_core::model::tasks_ext::{DetailedTask, Task};
use rmcp_core::model::{ErrorData, InputRequests, JsonObject, TaskStatus};
use tokio::sync::Notify;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::lane::Lane;
use crate::task_scripts as scripts;

/// How a [`RedisTaskBackend`] names its keys, how it tells that an instance is alive, and how
/// long it waits for Redis.
#[derive(Debug, Clone)]
pub struct RedisTaskOptions {
    key_prefix: String,
    heartbeat: Duration,
    liveness: Duration,
    command_timeout: Duration,
}

impl Default for RedisTaskOptions {
    /// Keys under `rmcp:tasks:`; a heartbeat every second, an instance presumed dead 5 s after
    /// its last one; 2 s per command.
    fn default() -> Self {
        Self {
            key_prefix: "rmcp:tasks:".to_owned(),
            heartbeat: Duration::from_secs(1),
            liveness: Duration::from_secs(5),
            command_timeout: Duration::from_secs(2),
        }
    }
}

impl RedisTaskOptions {
    /// Put every key under `prefix` (to share one Redis between applications). With Redis
    /// Cluster, give it a hash tag (`{myapp-tasks}:`): the scripts touch several keys at once.
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// Refresh this instance's liveness key every `heartbeat` (at least 10 ms), and presume an
    /// instance dead, its running tasks `failed`, when its key is `liveness` old (at least twice
    /// the heartbeat). The heartbeat also catches a cancellation whose message was lost.
    pub fn with_heartbeat(mut self, heartbeat: Duration, liveness: Duration) -> Self {
        self.heartbeat = heartbeat.max(Duration::from_millis(10));
        self.liveness = liveness.max(2 * self.heartbeat);
        self
    }

    /// Give up on a command (and on connecting) after `timeout` (at least 1 ms): the request
    /// then fails with a JSON-RPC internal error saying the task store failed.
    pub fn with_command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout.max(Duration::from_millis(1));
        self
    }
}

/// A [`TaskBackend`] in Redis: give it to
/// [`TaskStore::with_backend`](rmcp_core::handler::tasks::TaskStore::with_backend) on every
/// instance, and any of them serves `tasks/get`, `tasks/update` and `tasks/cancel` for a task
/// created on any other.
///
/// # How
///
/// Under the [key prefix](RedisTaskOptions::with_key_prefix) `P`:
///
/// - `P t:<id>`: a hash per task (status, timestamps, owner, result or error, pending input
///   requests and answers, and the instance running it), expiring with the task's TTL, so every
///   instance answers `tasks/get` with the result, not only the one that ran it.
/// - `P all` and `P p:<principal>` (`P anon` for tasks without a principal): the live tasks, in
///   sorted sets by expiry time. Creating a task is one script that drops the expired, applies
///   `max_tasks` and the principal's share (replacing its oldest finished task at the limit) and
///   writes the task, so the limits hold across instances.
/// - `P i:<instance>`: the liveness key of each instance, refreshed by its
///   [heartbeat](RedisTaskOptions::with_heartbeat). A task whose instance's key is gone is
///   reported, and recorded, as `failed` ("the server instance running this task stopped"),
///   instead of `working` for ever.
/// - `P c:<instance>`: the pub/sub channel of each instance. Cancelling a task (through any
///   instance) marks it `cancelled` and publishes to the channel of the instance running it,
///   which cancels the task's work; the last answer of a `tasks/update` wakes a task waiting for
///   input the same way. The heartbeat re-reads the status of every task the instance runs, so
///   a message lost while the subscription reconnected costs at most one heartbeat.
///
/// Every command is bounded by the [command timeout](RedisTaskOptions::with_command_timeout):
/// with Redis unreachable each task request fails with a JSON-RPC internal error ("the task
/// store failed: ..."), and the store works again once Redis is back (tasks kept in a Redis that
/// lost its data are gone). The instance's heartbeat and subscription stop when the backend is
/// dropped.
///
/// ```no_run
/// use std::time::Duration;
///
/// use rmcp_core::handler::tasks::TaskStore;
/// use rmcp_redis::{RedisTaskBackend, RedisTaskOptions};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let backend = RedisTaskBackend::connect("redis://127.0.0.1:6379/", RedisTaskOptions::default())?;
/// let tasks = TaskStore::with_backend(backend, Duration::from_secs(3600), Duration::from_secs(1), 10_000);
/// # let _ = tasks;
/// # Ok(())
/// # }
/// ```
pub struct RedisTaskBackend {
    shared: Arc<Shared>,
    /// Stops the heartbeat and the subscription when the backend goes.
    _stop: DropGuard,
}

impl fmt::Debug for RedisTaskBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTaskBackend")
            .field("instance", &self.shared.instance)
            .field("options", &self.shared.options)
            .finish_non_exhaustive()
    }
}

/// What the backend and its two background tasks share.
struct Shared {
    lane: Lane,
    options: RedisTaskOptions,
    /// This instance's id: random, so a restarted process is another instance.
    instance: String,
    /// The error recorded for a task whose instance stopped, as JSON.
    orphaned: String,
    /// The tasks this instance runs.
    running: Mutex<HashMap<String, Running>>,
    create: Script,
    get: Script,
    list: Script,
    finish: Script,
    ask: Script,
    answer: Script,
    take: Script,
    cancel: Script,
    heartbeat: Script,
}

/// A task this instance runs: its work's token, and what wakes it when its answers came in.
struct Running {
    ct: CancellationToken,
    answered: Arc<Notify>,
}

/// The error recorded for a task whose instance stopped.
const ORPHANED: &str = "the server instance running this task stopped";

impl RedisTaskBackend {
    /// A backend on the Redis at `url` (`redis://host:port/db`), connecting lazily and
    /// reconnecting by itself. Call it within a Tokio runtime: it starts the instance's heartbeat
    /// and its subscription there.
    pub fn connect(url: &str, options: RedisTaskOptions) -> Result<Self, RedisError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(options.command_timeout))
            .set_response_timeout(Some(options.command_timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(200));
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return Err(RedisError::from((
                redis::ErrorKind::Client,
                "RedisTaskBackend::connect needs a Tokio runtime",
            )));
        };
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)?;
        let shared = Arc::new(Shared {
            lane: Lane::new(conn, options.command_timeout, scripts::ALL),
            // Random, so that a restarted process is a new instance.
            instance: uuid::Uuid::new_v4().simple().to_string(),
            orphaned: serde_json::to_string(&ErrorData::internal_error(ORPHANED)).unwrap_or_default(),
            options,
            running: Mutex::default(),
            create: Script::new(scripts::CREATE),
            get: Script::new(scripts::GET),
            list: Script::new(scripts::LIST),
            finish: Script::new(scripts::FINISH),
            ask: Script::new(scripts::ASK),
            answer: Script::new(scripts::ANSWER),
            take: Script::new(scripts::TAKE),
            cancel: Script::new(scripts::CANCEL),
            heartbeat: Script::new(scripts::HEARTBEAT),
        });
        let stop = CancellationToken::new();
        runtime.spawn(heartbeat(shared.clone(), stop.clone()));
        runtime.spawn(listen(shared.clone(), client, stop.clone()));
        Ok(Self { shared, _stop: stop.drop_guard() })
    }

    /// This instance's id, as recorded with the tasks it runs.
    pub fn instance(&self) -> &str {
        &self.shared.instance
    }

    /// The options the backend was made with.
    pub fn options(&self) -> &RedisTaskOptions {
        &self.shared.options
    }
}

impl Shared {
    fn key(&self, what: &str, name: &str) -> String {
        format!("{}{what}:{name}", self.options.key_prefix)
    }

    fn task_key(&self, id: &str) -> String {
        self.key("t", id)
    }

    fn principal_key(&self, principal: Option<&str>) -> String {
        match principal {
            Some(name) => self.key("p", name),
            None => format!("{}anon", self.options.key_prefix),
        }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, Running>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `EVALSHA` of `script` on `keys` with the common arguments (prefix, timestamp, the error of
    /// an orphaned task) followed by `args`, sent through the lane.
    fn eval(
        &self,
        script: &Script,
        keys: &[String],
        args: impl ToRedisArgs,
    ) -> impl Future<Output = Result<Value, TaskBackendError>> + Send + 'static {
        let mut cmd: Cmd = redis::cmd("EVALSHA");
        cmd.arg(script.get_hash()).arg(keys.len()).arg(keys);
        cmd.arg(&self.options.key_prefix).arg(timestamp()).arg(&self.orphaned).arg(args);
        let answer = self.lane.send(cmd);
        async move { answer.await.map_err(failed) }
    }

    /// Take the answers of task `id`, if it resumed.
    async fn take_answers(&self, id: &str) -> Result<Option<JsonObject>, TaskBackendError> {
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(self.take.get_hash()).arg(1).arg(self.task_key(id));
        match self.lane.send(cmd).await.map_err(failed)? {
            Value::BulkString(json) => serde_json::from_slice(&json).map(Some).map_err(corrupt),
            _ => Ok(None),
        }
    }
}

fn timestamp() -> String {
    // The in-memory store's format: RFC 3339, milliseconds, UTC.
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

/// The text of a script's answer (`ok`, a status, ...).
fn text_of(value: &Value) -> Option<&[u8]> {
    match value {
        Value::SimpleString(s) => Some(s.as_bytes()),
        Value::BulkString(s) => Some(s),
        _ => None,
    }
}

fn failed(e: RedisError) -> TaskBackendError {
    TaskBackendError::Failed(Box::new(e))
}

fn corrupt(e: impl fmt::Display) -> TaskBackendError {
    TaskBackendError::Failed(format!("a task in Redis does not parse: {e}").into())
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

fn status_name(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Working => "working",
        TaskStatus::InputRequired => "input_required",
        TaskStatus::Completed => "completed",
        TaskStatus::Failed => "failed",
        _ => "cancelled",
    }
}

fn parse_status(name: &[u8]) -> Option<TaskStatus> {
    Some(match name {
        b"working" => TaskStatus::Working,
        b"input_required" => TaskStatus::InputRequired,
        b"completed" => TaskStatus::Completed,
        b"failed" => TaskStatus::Failed,
        b"cancelled" => TaskStatus::Cancelled,
        _ => return None,
    })
}

/// A task from its hash (`HGETALL`'s flat array), or `None` for an empty one (gone).
fn parse_record(hash: Value) -> Result<Option<TaskRecord>, TaskBackendError> {
    let Value::Array(fields) = hash else { return Err(corrupt("not a hash")) };
    if fields.is_empty() {
        return Ok(None);
    }
    let mut get = HashMap::new();
    let mut pending = InputRequests::new();
    let mut pairs = fields.into_iter();
    while let (Some(Value::BulkString(name)), Some(Value::BulkString(value))) = (pairs.next(), pairs.next()) {
        if let Some(key) = name.strip_prefix(b"q:") {
            let key: String = serde_json::from_slice(key).map_err(corrupt)?;
            pending.insert(key, serde_json::from_slice(&value).map_err(corrupt)?);
        } else {
            get.insert(name, value);
        }
    }
    let field = |name: &str| get.get(name.as_bytes());
    let mut task: Task = serde_json::from_slice(field("task").ok_or_else(|| corrupt("no task"))?).map_err(corrupt)?;
    task.status = field("status").and_then(|s| parse_status(s)).ok_or_else(|| corrupt("no status"))?;
    if let Some(updated) = field("updated") {
        task.last_updated_at = String::from_utf8_lossy(updated).into_owned();
    }
    let state = match task.status {
        TaskStatus::InputRequired => DetailedTask::input_required(task, pending),
        TaskStatus::Completed => {
            let result = field("result").map(|r| serde_json::from_slice(r)).transpose().map_err(corrupt)?;
            DetailedTask::completed(task, result.unwrap_or_default())
        }
        TaskStatus::Failed => {
            let error = field("error").map(|e| serde_json::from_slice(e)).transpose().map_err(corrupt)?;
            DetailedTask::failed(task, error.unwrap_or_else(|| ErrorData::internal_error("the task failed")))
        }
        TaskStatus::Cancelled => DetailedTask::cancelled(task),
        _ => DetailedTask::working(task),
    };
    let text = |name: &str| field(name).map(|v| String::from_utf8_lossy(v).into_owned()).filter(|v| !v.is_empty());
    let owner = field("owned").map(|_| TaskOwner { subject: text("os"), client_id: text("oc") });
    Ok(Some(TaskRecord::new(state, owner)))
}

/// Key and value pairs as the scripts take them: the key as a JSON string, the value as JSON.
fn json_pairs<V: serde::Serialize>(
    map: impl IntoIterator<Item = (String, V)>,
) -> Result<Vec<String>, TaskBackendError> {
    let mut args = Vec::new();
    for (key, value) in map {
        args.push(serde_json::to_string(&key).map_err(corrupt)?);
        args.push(serde_json::to_string(&value).map_err(corrupt)?);
    }
    Ok(args)
}

impl TaskBackend for RedisTaskBackend {
    fn create(&self, new: NewTask, running: CancellationToken) -> BoxFuture<'_, Result<(), TaskBackendError>> {
        Box::pin(async move {
            let s = &*self.shared;
            let id = new.task.task_id.clone();
            let task_json = serde_json::to_string(&new.task).map_err(corrupt)?;
            let keys = [
                s.task_key(&id),
                format!("{}all", s.options.key_prefix),
                s.principal_key(new.principal.as_deref()),
                s.key("i", &s.instance),
            ];
            let per = if new.principal.is_some() { new.max_per_principal.max(1) } else { 0 };
            let (owned, subject, client) = match &new.owner {
                Some(o) => ("1", o.subject.clone().unwrap_or_default(), o.client_id.clone().unwrap_or_default()),
                None => ("", String::new(), String::new()),
            };
            let args = (
                &id,
                ms(new.ttl),
                new.max_tasks,
                per,
                task_json,
                &s.instance,
                ms(s.options.liveness),
                new.principal.as_deref().unwrap_or(""),
                owned,
                subject,
                client,
            );
            // Registered first, so that a cancellation arriving at once finds the task.
            let answered = Arc::new(Notify::new());
            s.running().insert(id.clone(), Running { ct: running, answered });
            let outcome = s.eval(&s.create, &keys, args).await;
            let refused = match outcome.as_ref().map(text_of) {
                Ok(Some(b"ok")) | Err(_) => None,
                Ok(Some(b"principal")) => Some(TaskBackendError::principal_limit(new.max_per_principal)),
                Ok(Some(b"full")) => Some(TaskBackendError::full()),
                Ok(_) => Some(corrupt(format!("unexpected answer {outcome:?}"))),
            };
            if refused.is_some() || outcome.is_err() {
                s.running().remove(&id);
            }
            match refused {
                Some(e) => Err(e),
                None => outcome.map(drop),
            }
        })
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<TaskRecord>, TaskBackendError>> {
        let s = &*self.shared;
        let answer = s.eval(&s.get, &[s.task_key(id)], Vec::<String>::new());
        Box::pin(async move { parse_record(answer.await?) })
    }

    fn list<'a>(
        &'a self,
        principal: Option<&'a str>,
        cursor: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<TaskPage, TaskBackendError>> {
        Box::pin(async move {
            let s = &*self.shared;
            let first: usize = match cursor {
                None => 0,
                Some(c) => c.parse().map_err(|_| TaskBackendError::UnknownCursor(c.to_owned()))?,
            };
            let Value::Array(answer) = s.eval(&s.list, &[s.principal_key(principal)], (first, limit)).await? else {
                return Err(corrupt("not a page"));
            };
            let mut answer = answer.into_iter();
            let total = match answer.next() {
                Some(Value::Int(n)) => usize::try_from(n).unwrap_or(0),
                _ => return Err(corrupt("not a page")),
            };
            let mut tasks = Vec::new();
            for hash in answer {
                tasks.extend(parse_record(hash)?);
            }
            let next = first + limit;
            Ok(TaskPage::new(tasks, (next < total).then(|| next.to_string())))
        })
    }

    fn finish<'a>(
        &'a self,
        id: &'a str,
        outcome: &'a Result<JsonObject, ErrorData>,
    ) -> BoxFuture<'a, Result<(), TaskBackendError>> {
        Box::pin(async move {
            let s = &*self.shared;
            s.running().remove(id);
            let (status, field, json) = match outcome {
                Ok(result) => (TaskStatus::Completed, "result", serde_json::to_string(result)),
                Err(error) => (TaskStatus::Failed, "error", serde_json::to_string(error)),
            };
            let args = (status_name(status), field, json.map_err(corrupt)?);
            s.eval(&s.finish, &[s.task_key(id)], args).await.map(drop)
        })
    }

    fn ask<'a>(&'a self, id: &'a str, requests: InputRequests) -> BoxFuture<'a, Result<JsonObject, TaskBackendError>> {
        Box::pin(async move {
            let s = &*self.shared;
            let answered = s.running().get(id).map(|r| r.answered.clone());
            let answered =
                answered.ok_or_else(|| TaskBackendError::Refused(format!("task `{id}` is not running here")))?;
            let asked = s.eval(&s.ask, &[s.task_key(id)], json_pairs(requests)?).await?;
            match text_of(&asked) {
                Some(b"ok") => {}
                Some(b"input_required") => return Err(TaskBackendError::already_waiting()),
                _ => return Err(TaskBackendError::Refused("the task no longer runs".to_owned())),
            }
            // Woken by the instance's subscription; the heartbeat's pace is the fallback when a
            // message was lost.
            loop {
                let woken = answered.notified();
                if let Some(answers) = s.take_answers(id).await? {
                    return Ok(answers);
                }
                let _ = tokio::time::timeout(s.options.heartbeat, woken).await;
            }
        })
    }

    fn answer<'a>(&'a self, id: &'a str, answers: JsonObject) -> BoxFuture<'a, Result<(), TaskBackendError>> {
        Box::pin(async move {
            let s = &*self.shared;
            let mut args = vec![id.to_owned()];
            args.extend(json_pairs(answers)?);
            s.eval(&s.answer, &[s.task_key(id)], args).await.map(drop)
        })
    }

    fn cancel<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), TaskBackendError>> {
        let s = &*self.shared;
        let answer = s.eval(&s.cancel, &[s.task_key(id)], id);
        Box::pin(async move {
            answer.await?;
            // Running here: no need to wait for the message.
            if let Some(running) = self.shared.running().remove(id) {
                running.ct.cancel();
            }
            Ok(())
        })
    }
}

/// Refresh the instance's liveness key, and stop the work of the tasks it runs that were
/// cancelled (or expired) meanwhile, until `stop`.
async fn heartbeat(shared: Arc<Shared>, stop: CancellationToken) {
    let mut tick = tokio::time::interval(shared.options.heartbeat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = stop.cancelled() => return,
        }
        let ids: Vec<String> = {
            let mut running = shared.running();
            // Work stopped here (its TTL passed) leaves nothing to watch.
            running.retain(|_, r| !r.ct.is_cancelled());
            running.keys().cloned().collect()
        };
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(shared.heartbeat.get_hash()).arg(1).arg(shared.key("i", &shared.instance));
        cmd.arg(&shared.options.key_prefix).arg(ms(shared.options.liveness)).arg(&ids);
        let statuses = match shared.lane.send(cmd).await {
            Ok(Value::Array(statuses)) => statuses,
            Ok(_) => continue,
            Err(e) => {
                tracing::debug!(error = %e, "the task heartbeat failed; the next one tries again");
                continue;
            }
        };
        let mut running = shared.running();
        for (id, status) in ids.iter().zip(statuses) {
            let Value::BulkString(status) = status else { continue };
            // Ended elsewhere (cancelled, or failed as an orphan while this instance could not
            // reach Redis), or gone (expired, or lost with Redis's data): no one reads its result.
            if matches!(&status[..], b"cancelled" | b"failed" | b"completed" | b"gone")
                && let Some(task) = running.remove(id)
            {
                task.ct.cancel();
            } else if status == b"working" {
                // Answers may have come in with their message lost: the waiting task looks.
                if let Some(task) = running.get(id) {
                    task.answered.notify_one();
                }
            }
        }
    }
}

/// Follow the instance's channel until `stop`, reconnecting when the subscription fails.
async fn listen(shared: Arc<Shared>, client: redis::Client, stop: CancellationToken) {
    let channel = shared.key("c", &shared.instance);
    let mut delay = Duration::from_millis(50);
    loop {
        let subscribed = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, RedisError>(pubsub)
        };
        let subscribed = tokio::select! {
            s = tokio::time::timeout(shared.options.command_timeout, subscribed) => s,
            () = stop.cancelled() => return,
        };
        match subscribed {
            Ok(Ok(pubsub)) => {
                delay = Duration::from_millis(50);
                let mut messages = pubsub.into_on_message();
                loop {
                    let message = tokio::select! {
                        m = messages.next() => m,
                        () = stop.cancelled() => return,
                    };
                    let Some(message) = message else { break };
                    handle_message(&shared, message.get_payload_bytes());
                }
            }
            Ok(Err(e)) => tracing::debug!(error = %e, "the task subscription failed; retrying"),
            Err(_) => tracing::debug!("the task subscription timed out; retrying"),
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = stop.cancelled() => return,
        }
        delay = (delay * 2).min(Duration::from_secs(1));
    }
}

/// `c <id>`: the task was cancelled; `a <id>`: its answers came in.
fn handle_message(shared: &Shared, payload: &[u8]) {
    let Ok(payload) = std::str::from_utf8(payload) else { return };
    match payload.split_once(' ') {
        Some(("c", id)) => {
            if let Some(task) = shared.running().remove(id) {
                task.ct.cancel();
            }
        }
        Some(("a", id)) => {
            if let Some(task) = shared.running().get(id) {
                task.answered.notify_one();
            }
        }
        _ => {}
    }
}
