//! One ordered lane of commands to Redis, pipelined.
//!
//! The events of a stream must reach Redis in the order of their numbers (a Redis Stream's ids
//! only grow), and the transport hands them over in order without waiting for one store before
//! the next. The multiplexed connection does not keep that order once its own queue is full (a
//! test of 300 overlapping stores lost one), so every command goes through this lane: queued in
//! the order of the calls, and sent by one task as a pipeline of whatever queued while the
//! previous pipeline was out, which also saves round trips under load.

use std::sync::OnceLock;
use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::{Cmd, ErrorKind, RedisError, ServerErrorKind, Value};
use tokio::sync::{mpsc, oneshot};

/// At most this many commands wait for the lane; past it a command is refused at once (Redis is
/// slow or away, and waiting longer would only hold the transport's stores).
const MAX_QUEUED: usize = 16 * 1024;

/// At most this many commands in one pipeline.
const MAX_BATCH: usize = 512;

/// A command and whoever waits for its answer.
struct Job {
    cmd: Cmd,
    reply: Option<oneshot::Sender<Result<Value, RedisError>>>,
}

/// The queue to the lane's task, started on first use (within the caller's runtime).
#[derive(Debug)]
pub(crate) struct Lane {
    conn: ConnectionManager,
    timeout: Duration,
    /// The scripts to load again when Redis answers `NOSCRIPT` (it restarted).
    scripts: &'static [&'static str],
    queue: OnceLock<mpsc::Sender<Job>>,
}

impl Lane {
    pub(crate) fn new(conn: ConnectionManager, timeout: Duration, scripts: &'static [&'static str]) -> Self {
        Self { conn, timeout, scripts, queue: OnceLock::new() }
    }

    /// Queue `cmd` now (so that commands keep the order of the calls) and return its answer,
    /// within the lane's timeout.
    pub(crate) fn send(&self, cmd: Cmd) -> impl Future<Output = Result<Value, RedisError>> + Send + 'static {
        let (reply, answer) = oneshot::channel();
        let queued = self.enqueue(Job { cmd, reply: Some(reply) });
        let timeout = self.timeout;
        async move {
            queued?;
            match tokio::time::timeout(timeout, answer).await {
                Ok(Ok(answer)) => answer,
                Ok(Err(_)) => Err(RedisError::from((ErrorKind::Client, "the Redis lane stopped"))),
                Err(_) => Err(timed_out()),
            }
        }
    }

    /// Queue `cmd` without waiting for its answer.
    pub(crate) fn send_and_forget(&self, cmd: Cmd) -> Result<(), RedisError> {
        self.enqueue(Job { cmd, reply: None })
    }

    fn enqueue(&self, job: Job) -> Result<(), RedisError> {
        let queue = match self.queue.get() {
            Some(queue) => queue,
            None => {
                let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                    return Err(RedisError::from((ErrorKind::Client, "the Redis event store needs a Tokio runtime")));
                };
                self.queue.get_or_init(|| {
                    let (queue, jobs) = mpsc::channel(MAX_QUEUED);
                    runtime.spawn(run(jobs, self.conn.clone(), self.timeout, self.scripts));
                    queue
                })
            }
        };
        queue.try_send(job).map_err(|_| RedisError::from((ErrorKind::Io, "too many Redis commands waiting")))
    }
}

fn timed_out() -> RedisError {
    RedisError::from((ErrorKind::Io, "Redis did not answer in time"))
}

/// The lane's task: until the store is dropped, send what queued as one pipeline, in order.
async fn run(mut jobs: mpsc::Receiver<Job>, mut conn: ConnectionManager, timeout: Duration, scripts: &[&str]) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // A caller that gave up counts its command as failed: sending it would only add load
        // (when Redis is slow) to what it never learns of.
        batch.retain(|job| job.reply.as_ref().is_none_or(|reply| !reply.is_closed()));
        send_batch(&mut conn, timeout, scripts, std::mem::take(&mut batch)).await;
    }
}

async fn send_batch(conn: &mut ConnectionManager, timeout: Duration, scripts: &[&str], mut jobs: Vec<Job>) {
    for attempt in 0..2 {
        if jobs.is_empty() {
            return;
        }
        let mut pipe = redis::pipe();
        pipe.ignore_errors();
        for job in &jobs {
            pipe.add_command(job.cmd.clone());
        }
        let answers =
            match tokio::time::timeout(timeout, pipe.query_async::<Vec<Result<Value, RedisError>>>(conn)).await {
                Ok(Ok(answers)) => answers,
                Ok(Err(e)) => return answer_all(jobs, &e),
                Err(_) => return answer_all(jobs, &timed_out()),
            };
        // Redis restarted and lost the scripts: each command of the batch ran none, so they are
        // sent again, in order, once the scripts are loaded.
        let mut again = Vec::new();
        for (job, answer) in jobs.into_iter().zip(answers) {
            match answer {
                Err(e) if attempt == 0 && e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => again.push(job),
                answer => answer_one(job, answer),
            }
        }
        if again.is_empty() {
            return;
        }
        let mut load = redis::pipe();
        for script in scripts {
            load.cmd("SCRIPT").arg("LOAD").arg(*script);
        }
        match tokio::time::timeout(timeout, load.query_async::<Vec<String>>(conn)).await {
            Ok(Ok(_)) => jobs = again,
            Ok(Err(e)) => return answer_all(again, &e),
            Err(_) => return answer_all(again, &timed_out()),
        }
    }
}

fn answer_one(job: Job, answer: Result<Value, RedisError>) {
    if let Some(reply) = job.reply {
        let _ = reply.send(answer);
    }
}

fn answer_all(jobs: Vec<Job>, error: &RedisError) {
    for job in jobs {
        answer_one(job, Err(error.clone()));
    }
}
