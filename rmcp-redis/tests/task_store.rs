//! `TaskStore` on `RedisTaskBackend` against a real Redis (a `redis-server` child per test, see
//! `support`), with two stores on one Redis standing for two server instances: a task created on
//! A is polled, answered, listed and cancelled through B; the shares and `max_tasks` hold across
//! both; tasks expire; a dead instance's task is reported failed; Redis dying gives errors, and
//! the stores work again when it is back.

mod support;

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use rmcp_core::RoleServer;
use rmcp_core::handler::tasks::{TaskContext, TaskStore, TaskSupport};
use rmcp_core::model::{
    CallToolResult, ClientCapabilities, ContentBlock, ErrorCode, ProtocolVersion, RequestId, TaskStatus, meta_keys,
};
use rmcp_core::service::{Elicitation, McpError, Peer, RequestContext};
use rmcp_core::transport::Principal;
use rmcp_redis::{RedisTaskBackend, RedisTaskOptions};
use serde_json::json;
use tokio::sync::oneshot;

/// A 2026 request that opted into tasks (and may be asked for a form), authenticated as
/// `subject` when given.
fn request(subject: Option<&str>) -> RequestContext<RoleServer> {
    let mut ctx = RequestContext::new(RequestId::Number(1), Peer::detached());
    ctx.protocol_version = ProtocolVersion::V2026_07_28;
    let caps = ClientCapabilities::builder().enable_elicitation().enable_tasks_extension().build();
    ctx.meta.insert(meta_keys::CLIENT_CAPABILITIES.to_owned(), serde_json::to_value(caps).unwrap());
    if let Some(subject) = subject {
        let (mut parts, ()) = http::Request::new(()).into_parts();
        parts.extensions.insert(Principal::new(subject));
        ctx.extensions.insert(parts);
    }
    ctx
}

fn options() -> RedisTaskOptions {
    RedisTaskOptions::default().with_command_timeout(Duration::from_millis(500))
}

/// An instance's store on `redis`.
fn instance(redis: &support::RedisServer, options: RedisTaskOptions, max_tasks: usize) -> TaskStore {
    let backend = RedisTaskBackend::connect(&redis.url(), options).expect("a valid URL");
    TaskStore::with_backend(backend, Duration::from_secs(60), Duration::from_millis(10), max_tasks)
}

/// Bounded: a store call that hangs fails the test instead of the run.
async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), f).await.expect("the store answered within 10 s")
}

/// Start `work` as a task of `store` for `ctx`: its id, or the refusal.
async fn start<F, Fut>(store: &TaskStore, ctx: &RequestContext<RoleServer>, work: F) -> Result<String, McpError>
where
    F: FnOnce(TaskContext) -> Fut,
    Fut: Future<Output = Result<CallToolResult, McpError>> + Send + 'static,
{
    match within(store.run(ctx, TaskSupport::Required, work)).await {
        Err(McpError::TaskCreated(created)) => Ok(created.task.task_id),
        Err(refused) => Err(refused),
        Ok(result) => panic!("ran inline: {result:?}"),
    }
}

/// Work that runs until it is stopped: `stopped` then resolves (its sender is dropped with the
/// work, which is how a task's work is stopped).
fn until_stopped(
    stopped: oneshot::Sender<()>,
) -> impl FnOnce(TaskContext) -> BoxFuture<'static, Result<CallToolResult, McpError>> {
    move |_| {
        Box::pin(async move {
            let _held = stopped;
            std::future::pending().await
        })
    }
}

/// Work that never ends on its own.
async fn forever(_: TaskContext) -> Result<CallToolResult, McpError> {
    std::future::pending().await
}

async fn status(store: &TaskStore, id: &str, ctx: &RequestContext<RoleServer>) -> TaskStatus {
    within(store.get(id, ctx)).await.unwrap().task.task.status
}

/// Poll `id` on `store` until its status is `want` (or 5 s pass).
async fn wait_for(store: &TaskStore, id: &str, ctx: &RequestContext<RoleServer>, want: TaskStatus) {
    for _ in 0..500 {
        if status(store, id, ctx).await == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("task {id} never became {want:?}: {:?}", within(store.get(id, ctx)).await);
}

fn code(e: &McpError) -> Option<ErrorCode> {
    e.as_rpc().map(|e| e.code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_created_on_a_is_polled_listed_and_answered_on_b() {
    let redis = redis_or_skip!();
    let (a, b) = (instance(&redis, options(), 100), instance(&redis, options(), 100));
    let alice = request(Some("alice"));
    let (release, released) = oneshot::channel::<()>();
    let id = start(&a, &alice, |_| async move {
        let _ = released.await;
        Ok(CallToolResult::success(vec![ContentBlock::text("done on A")]))
    })
    .await
    .unwrap();

    let seen = within(b.get(&id, &alice)).await.unwrap();
    assert_eq!(seen.task.task.status, TaskStatus::Working);
    assert_eq!(seen.task.task.task_id, id);
    assert_eq!(seen.task.task.poll_interval_ms, Some(10));
    assert_eq!(seen.task.task.ttl_ms, Some(60_000));
    // Another principal, or none, does not see it, on either instance.
    for (store, stranger) in [(&b, request(Some("bob"))), (&a, request(None))] {
        let err = within(store.get(&id, &stranger)).await.unwrap_err();
        assert_eq!(code(&err), Some(ErrorCode::INVALID_PARAMS), "{err:?}");
        assert!(within(store.cancel(&id, &stranger)).await.is_err());
    }
    let listed = within(b.list(&alice, None)).await.unwrap();
    assert_eq!(listed.tasks.iter().map(|t| t.state.task.task_id.as_str()).collect::<Vec<_>>(), [id.as_str()]);
    assert!(within(b.list(&request(Some("bob")), None)).await.unwrap().tasks.is_empty());

    release.send(()).unwrap();
    wait_for(&b, &id, &alice, TaskStatus::Completed).await;
    let done = within(b.get(&id, &alice)).await.unwrap();
    assert_eq!(done.task.result.unwrap()["content"][0]["text"], "done on A", "B answers with A's result");
    // Cancelling an ended task leaves it as it is.
    within(b.cancel(&id, &alice)).await.unwrap();
    assert_eq!(status(&a, &id, &alice).await, TaskStatus::Completed);

    let err = within(b.get("no-such-task", &alice)).await.unwrap_err();
    assert_eq!(code(&err), Some(ErrorCode::INVALID_PARAMS));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_failing_on_a_shows_its_error_on_b() {
    let redis = redis_or_skip!();
    let (a, b) = (instance(&redis, options(), 100), instance(&redis, options(), 100));
    let ctx = request(None);
    let id = start(&a, &ctx, |_| async { Err(McpError::internal_error("boom")) }).await.unwrap();
    wait_for(&b, &id, &ctx, TaskStatus::Failed).await;
    assert_eq!(within(b.get(&id, &ctx)).await.unwrap().task.error.unwrap().message, "boom");
}

/// The cancellation reaches A through pub/sub: A's heartbeat (which would also catch it) is
/// slowed to a minute here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_through_b_stops_the_work_on_a() {
    let redis = redis_or_skip!();
    let slow_heartbeat = options().with_heartbeat(Duration::from_secs(60), Duration::from_secs(120));
    let a = instance(&redis, slow_heartbeat, 100);
    let b = instance(&redis, options(), 100);
    let ctx = request(Some("alice"));
    // Let A's subscription start before the cancellation is published.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (observed, cancelled) = oneshot::channel();
    let id = start(&a, &ctx, until_stopped(observed)).await.unwrap();
    within(b.cancel(&id, &ctx)).await.unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(2), cancelled).await.expect("A's work stopped");
    assert_eq!(status(&a, &id, &ctx).await, TaskStatus::Cancelled);
    assert_eq!(status(&b, &id, &ctx).await, TaskStatus::Cancelled);
    within(a.cancel(&id, &ctx)).await.unwrap(); // idempotent
    assert!(within(b.get(&id, &ctx)).await.unwrap().task.result.is_none());
}

/// A task on A asks for input; B shows the request, refuses a malformed answer, and takes the
/// right one, which resumes the work on A.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_asked_on_a_is_answered_through_b() {
    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Confirm {
        ok: bool,
    }
    let redis = redis_or_skip!();
    let (a, b) = (instance(&redis, options(), 100), instance(&redis, options(), 100));
    let ctx = request(Some("alice"));
    let id = start(&a, &ctx, |task| async move {
        let ok = matches!(task.elicit::<Confirm>("confirm", "Go?").await?, Elicitation::Accepted(Confirm { ok: true }));
        Ok(CallToolResult::success(vec![ContentBlock::text(format!("confirmed={ok}"))]))
    })
    .await
    .unwrap();
    wait_for(&b, &id, &ctx, TaskStatus::InputRequired).await;
    let waiting = within(b.get(&id, &ctx)).await.unwrap();
    assert!(waiting.task.input_requests.unwrap().contains_key("confirm"));

    let bad = json!({"confirm": 12345}).as_object().unwrap().clone();
    let err = within(b.update(&id, bad, &ctx)).await.unwrap_err();
    assert_eq!(code(&err), Some(ErrorCode::INVALID_PARAMS), "{err:?}");
    assert_eq!(status(&b, &id, &ctx).await, TaskStatus::InputRequired, "still waiting");
    // Another principal's answer goes nowhere.
    let answer = json!({"confirm": {"action": "accept", "content": {"ok": true}}, "ignored": 1});
    assert!(within(b.update(&id, answer.as_object().unwrap().clone(), &request(Some("bob")))).await.is_err());
    assert_eq!(status(&b, &id, &ctx).await, TaskStatus::InputRequired);

    within(b.update(&id, answer.as_object().unwrap().clone(), &ctx)).await.unwrap();
    wait_for(&b, &id, &ctx, TaskStatus::Completed).await;
    let done = within(b.get(&id, &ctx)).await.unwrap();
    assert_eq!(done.task.result.unwrap()["content"][0]["text"], "confirmed=true");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shares_and_max_tasks_hold_across_instances() {
    let redis = redis_or_skip!();
    let a = instance(&redis, options(), 4).with_max_tasks_per_principal(2);
    let b = instance(&redis, options(), 4).with_max_tasks_per_principal(2);
    let alice = request(Some("alice"));
    start(&a, &alice, forever).await.unwrap();
    start(&b, &alice, forever).await.unwrap();
    for store in [&a, &b] {
        let err = start(store, &alice, forever).await.unwrap_err();
        assert_eq!(code(&err), Some(ErrorCode::INTERNAL_ERROR));
        assert!(err.to_string().contains("limit 2"), "{err}");
    }
    // Others are still served, up to `max_tasks` in all.
    start(&a, &request(Some("bob")), forever).await.unwrap();
    start(&b, &request(Some("carol")), forever).await.unwrap();
    let err = start(&a, &request(Some("dave")), forever).await.unwrap_err();
    assert!(err.to_string().contains("too many tasks"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_its_share_a_principal_replaces_its_oldest_finished_task() {
    let redis = redis_or_skip!();
    let a = instance(&redis, options(), 100).with_max_tasks_per_principal(2);
    let b = instance(&redis, options(), 100).with_max_tasks_per_principal(2);
    let alice = request(Some("alice"));
    let done = start(&a, &alice, |_| async { Ok(CallToolResult::success(vec![])) }).await.unwrap();
    wait_for(&b, &done, &alice, TaskStatus::Completed).await;
    let running = start(&b, &alice, forever).await.unwrap();
    // At the limit: the finished task makes room, the running one stays.
    let third = start(&b, &alice, forever).await.unwrap();
    assert_eq!(code(&within(a.get(&done, &alice)).await.unwrap_err()), Some(ErrorCode::INVALID_PARAMS));
    assert_eq!(status(&a, &running, &alice).await, TaskStatus::Working);
    assert_eq!(status(&a, &third, &alice).await, TaskStatus::Working);
    assert!(start(&a, &alice, forever).await.is_err(), "nothing finished is left to replace");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_expire_after_their_ttl_and_their_work_stops() {
    let redis = redis_or_skip!();
    let ttl = Duration::from_millis(300);
    let backend = |r: &support::RedisServer| RedisTaskBackend::connect(&r.url(), options()).unwrap();
    let a = TaskStore::with_backend(backend(&redis), ttl, Duration::from_millis(10), 100);
    let b = TaskStore::with_backend(backend(&redis), ttl, Duration::from_millis(10), 100);
    let ctx = request(None);
    let (observed, stopped) = oneshot::channel();
    let id = start(&a, &ctx, until_stopped(observed)).await.unwrap();
    assert_eq!(status(&b, &id, &ctx).await, TaskStatus::Working);
    let _ = tokio::time::timeout(Duration::from_secs(2), stopped).await.expect("the work stopped at its TTL");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(code(&within(b.get(&id, &ctx)).await.unwrap_err()), Some(ErrorCode::INVALID_PARAMS));
    let mut conn = redis.inspect().await;
    let left: bool = redis::AsyncCommands::exists(&mut conn, format!("rmcp:tasks:t:{id}")).await.unwrap();
    assert!(!left, "the task's hash expired in Redis");
}

/// Instance A runs on a runtime of its own, shut down mid-task as a killed process would stop:
/// its heartbeat stops, and B reports the task failed once A's liveness key expired.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_task_of_a_dead_instance_is_reported_failed() {
    let redis = redis_or_skip!();
    let url = redis.url();
    let quick = options().with_heartbeat(Duration::from_millis(50), Duration::from_millis(300));
    let (id, runtime) = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let id = runtime.block_on(async {
            let backend = RedisTaskBackend::connect(&url, quick).unwrap();
            let a = TaskStore::with_backend(backend, Duration::from_secs(60), Duration::from_millis(10), 100);
            let id = start(&a, &request(Some("alice")), forever).await.unwrap();
            // A few heartbeats: A is alive while they go on.
            tokio::time::sleep(Duration::from_millis(400)).await;
            id
        });
        (id, runtime)
    })
    .join()
    .unwrap();
    let b = instance(&redis, options(), 100).with_max_tasks_per_principal(1);
    let alice = request(Some("alice"));
    assert_eq!(status(&b, &id, &alice).await, TaskStatus::Working, "A's heartbeat keeps it alive");
    assert!(start(&b, &alice, forever).await.is_err(), "alice's one task still runs");
    runtime.shutdown_background();
    wait_for(&b, &id, &alice, TaskStatus::Failed).await;
    let failed = within(b.get(&id, &alice)).await.unwrap();
    let message = failed.task.error.unwrap().message;
    assert!(message.contains("instance running this task stopped"), "{message}");
    // Recorded: it stays failed, and it counts as finished for the share, making room.
    assert_eq!(status(&b, &id, &alice).await, TaskStatus::Failed);
    let next = start(&b, &alice, forever).await.unwrap();
    assert_eq!(status(&b, &next, &alice).await, TaskStatus::Working);
    assert_eq!(code(&within(b.get(&id, &alice)).await.unwrap_err()), Some(ErrorCode::INVALID_PARAMS));
}

/// `TaskStore::list` pages through a principal's tasks across instances, oldest first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_through_a_principals_tasks_on_any_instance() {
    let redis = redis_or_skip!();
    let (a, b) = (instance(&redis, options(), 1000), instance(&redis, options(), 1000));
    let alice = request(Some("alice"));
    let mut created = Vec::new();
    for i in 0..105 {
        created.push(start(if i % 2 == 0 { &a } else { &b }, &alice, forever).await.unwrap());
    }
    start(&a, &request(Some("bob")), forever).await.unwrap();
    let first = within(b.list(&alice, None)).await.unwrap();
    assert_eq!(first.tasks.len(), 100);
    let cursor = first.next_cursor.expect("a second page");
    let second = within(a.list(&alice, Some(&cursor))).await.unwrap();
    assert!(second.next_cursor.is_none());
    let tasks: Vec<_> = first.tasks.iter().chain(&second.tasks).map(|t| &t.state.task).collect();
    assert!(tasks.windows(2).all(|w| w[0].created_at <= w[1].created_at), "oldest first");
    let mut listed: Vec<String> = tasks.iter().map(|t| t.task_id.clone()).collect();
    listed.sort();
    created.sort();
    assert_eq!(listed, created, "every task of alice's, none of bob's");
    let err = within(a.list(&alice, Some("not-a-cursor"))).await.unwrap_err();
    assert_eq!(code(&err), Some(ErrorCode::INVALID_PARAMS), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_gives_errors_and_the_stores_recover() {
    let mut redis = redis_or_skip!();
    let (a, b) = (Arc::new(instance(&redis, options(), 100)), instance(&redis, options(), 100));
    let ctx = request(None);
    let id = start(&a, &ctx, forever).await.unwrap();
    redis.kill();
    let err = within(b.get(&id, &ctx)).await.unwrap_err();
    assert_eq!(code(&err), Some(ErrorCode::INTERNAL_ERROR), "{err:?}");
    assert!(err.to_string().contains("task store failed"), "{err}");
    let err = start(&a, &ctx, forever).await.unwrap_err();
    assert!(err.to_string().contains("task store failed"), "{err}");
    assert!(within(b.cancel(&id, &ctx)).await.is_err());
    assert!(within(b.list(&ctx, None)).await.is_err());

    // Back, empty: what it held is gone, and new tasks work across both instances again.
    redis.restart();
    let mut created = None;
    for _ in 0..50 {
        if let Ok(id) = start(&a, &ctx, forever).await {
            created = Some(id);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let created = created.expect("the store reconnected");
    let mut seen = Err(McpError::internal_error("not yet"));
    for _ in 0..50 {
        seen = within(b.get(&created, &ctx)).await;
        if seen.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen.unwrap().task.task.status, TaskStatus::Working);
    assert_eq!(code(&within(b.get(&id, &ctx)).await.unwrap_err()), Some(ErrorCode::INVALID_PARAMS));
}

/// Redis refuses the store's scripts for a moment (an ACL takes `EVALSHA` away) just as a
/// task's work ends: the store retries recording the outcome, and B serves the result once Redis
/// takes them again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outcome_is_recorded_after_redis_refused_it_for_a_moment() {
    let redis = redis_or_skip!();
    let (a, b) = (instance(&redis, options(), 100), instance(&redis, options(), 100));
    let ctx = request(None);
    let (release, released) = oneshot::channel::<()>();
    let id = start(&a, &ctx, |_| async move {
        let _ = released.await;
        Ok(CallToolResult::success(vec![ContentBlock::text("kept")]))
    })
    .await
    .unwrap();
    let mut conn = redis.inspect().await;
    let acl = async |conn: &mut redis::aio::MultiplexedConnection, rule: &str| {
        let _: () = redis::cmd("ACL").arg("SETUSER").arg("default").arg(rule).query_async(conn).await.unwrap();
    };
    acl(&mut conn, "-evalsha").await;
    release.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    acl(&mut conn, "+evalsha").await;
    wait_for(&b, &id, &ctx, TaskStatus::Completed).await;
    assert_eq!(within(b.get(&id, &ctx)).await.unwrap().task.result.unwrap()["content"][0]["text"], "kept");
}
