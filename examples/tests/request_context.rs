//! The guide's request-context examples as real child processes over stdio, in both protocol
//! eras where the era matters: logging, cancellation, elicitation (with the 2026 retry), roots
//! (the filesystem server) and a long task with progress and cancellation.

mod guide_support;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use guide_support::{call, stdio_child, text};
use rmcp_core::handler::{ClientInfo, ProtocolPreference};
use rmcp_core::model::{
    ClientCapabilities, ElicitRequestParams, ElicitResult, Implementation, ListRootsResult, LoggingLevel,
    LoggingMessageNotificationParams, Meta, ProtocolVersion, Root, SetLevelRequestParams, TaskStatus, meta_keys,
};
use rmcp_core::service::{McpError, NotificationContext, RequestContext, RequestOptions};
use rmcp_core::{ClientHandler, RoleClient, ServiceError};
use serde_json::{Value, json};
use tokio::sync::mpsc;

const ERAS: [ProtocolPreference; 2] =
    [ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25), ProtocolPreference::Stateless];

/// A client of one era that records the log messages it gets.
struct LogReader(ProtocolPreference, mpsc::UnboundedSender<(LoggingLevel, Value)>);

impl ClientHandler for LogReader {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.0.clone())
    }
    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        let _ = self.1.send((params.level, params.data));
    }
}

/// The levels that arrived for one `deploy` call: the `expected` number of them (notifications
/// may trail the answer; each may take up to 5 s on a loaded machine), then whatever else comes
/// within 300 ms.
async fn deploy_logs(
    client: &rmcp_core::Peer<RoleClient>,
    rx: &mut mpsc::UnboundedReceiver<(LoggingLevel, Value)>,
    meta: Option<Meta>,
    expected: usize,
) -> Vec<LoggingLevel> {
    let mut params = call("deploy", json!({"service": "web"}));
    if let Some(meta) = meta {
        params = params.with_meta(meta);
    }
    assert_eq!(text(&client.call_tool(params).await.unwrap()), "web deployed");
    let mut levels = Vec::new();
    while levels.len() < expected {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some((level, _))) => levels.push(level),
            _ => break,
        }
    }
    while let Ok(Some((level, _))) = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await {
        levels.push(level);
    }
    levels
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_reach_the_client_at_the_levels_it_asked_for() {
    use LoggingLevel::{Debug, Info, Warning};
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (client, _) = stdio_child(env!("CARGO_BIN_EXE_logging"), &[], LogReader(ERAS[0].clone(), tx)).await;
    assert!(client.server_info().unwrap().capabilities.logging.is_some());
    // 2025: everything until a level is set, then from that level up.
    assert_eq!(deploy_logs(&client, &mut rx, None, 5).await, [Debug, Info, Info, Info, Warning]);
    client.set_level(SetLevelRequestParams::new(Warning)).await.unwrap();
    assert_eq!(deploy_logs(&client, &mut rx, None, 1).await, [Warning]);

    // 2026: nothing unless the request's _meta asks.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (client, _) = stdio_child(env!("CARGO_BIN_EXE_logging"), &[], LogReader(ERAS[1].clone(), tx)).await;
    assert_eq!(deploy_logs(&client, &mut rx, None, 0).await, []);
    let mut meta = Meta::new();
    meta.insert(meta_keys::LOG_LEVEL.to_owned(), "info".into());
    assert_eq!(deploy_logs(&client, &mut rx, Some(meta), 4).await, [Info, Info, Info, Warning]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_call_stops_the_tool_at_the_server() {
    let (client, stderr) = stdio_child(env!("CARGO_BIN_EXE_cancellation"), &[], ()).await;
    let options = RequestOptions::new().with_timeout(Duration::from_millis(300));
    let err = client.call_tool_with(call("crunch", json!({"steps": 200})), options).await.unwrap_err();
    assert!(matches!(err, ServiceError::Timeout { .. }), "{err}");
    // The client sent notifications/cancelled with the timeout: the 10 s job stopped early.
    let line = stderr.wait_for("crunch: cancelled after").await;
    let done: u32 = line.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(done < 200, "the tool ran to its end: {line}");
    assert!(text(&client.call_tool(call("status", json!({}))).await.unwrap()).starts_with("cancelled after"));

    // A dropped call future cancels too.
    let dropped =
        tokio::time::timeout(Duration::from_millis(200), client.call_tool(call("crunch", json!({"steps": 100}))));
    assert!(dropped.await.is_err());
    stderr.wait_for_count("crunch: cancelled after", 2).await;
    let done = client.call_tool(call("crunch", json!({"steps": 2}))).await.unwrap();
    assert_eq!(text(&done), "crunched 2 steps");
    client.cancel().await;
}

/// A client whose "user" answers the booking form with `answer` (or declines when `None`).
struct Diner {
    era: ProtocolPreference,
    answer: Option<Value>,
    asked: Arc<AtomicUsize>,
}

impl ClientHandler for Diner {
    fn get_info(&self) -> ClientInfo {
        let capabilities = ClientCapabilities::builder().enable_elicitation().build();
        ClientInfo::new(Implementation::new("diner", "1"), capabilities).with_protocol(self.era.clone())
    }
    async fn create_elicitation(
        &self,
        params: ElicitRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, McpError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let ElicitRequestParams::Form(form) = params else { return Ok(ElicitResult::decline()) };
        // The form derived from the server's struct: its fields and the enum's choices.
        assert!(form.requested_schema.property("people").is_some());
        assert!(form.requested_schema.property("seating").is_some());
        let Some(Value::Object(answer)) = &self.answer else { return Ok(ElicitResult::decline()) };
        let content = answer
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    Value::Bool(b) => (*b).into(),
                    Value::Number(n) => n.as_i64().unwrap().into(),
                    other => other.as_str().unwrap().into(),
                };
                (k.clone(), value)
            })
            .collect();
        Ok(ElicitResult::accept(content))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn elicitation_books_once_in_both_eras() {
    for era in ERAS {
        let asked = Arc::new(AtomicUsize::new(0));
        let answer = Some(json!({"people": 4, "seating": "terrace", "occasion": true}));
        let diner = Diner { era: era.clone(), answer, asked: asked.clone() };
        let (client, _) = stdio_child(env!("CARGO_BIN_EXE_elicitation"), &[], diner).await;
        let booked = client.call_tool(call("book_table", json!({"day": "Friday"}))).await.unwrap();
        assert_eq!(text(&booked), "booking #1: Friday, 4 people, Terrace, with a candle", "{era:?}");
        assert_eq!(asked.load(Ordering::SeqCst), 1, "{era:?}: one question");
        // On 2026 the tool runs again with the answer, yet books once: it asks first.
        assert_eq!(text(&client.call_tool(call("bookings", json!({}))).await.unwrap()), "1", "{era:?}");

        let too_many = Diner { era: era.clone(), answer: Some(json!({"people": 40, "seating": "inside"})), asked };
        let (client, _) = stdio_child(env!("CARGO_BIN_EXE_elicitation"), &[], too_many).await;
        let refused = client.call_tool(call("book_table", json!({"day": "Monday"}))).await.unwrap();
        assert!(refused.is_error() && text(&refused).contains("tables seat 1 to 12"), "{era:?}: {refused:?}");

        let declines = Diner { era: era.clone(), answer: None, asked: Arc::default() };
        let (client, _) = stdio_child(env!("CARGO_BIN_EXE_elicitation"), &[], declines).await;
        let declined = client.call_tool(call("book_table", json!({"day": "Sunday"}))).await.unwrap();
        assert_eq!(text(&declined), "no table booked: the user declined", "{era:?}");
        assert_eq!(text(&client.call_tool(call("bookings", json!({}))).await.unwrap()), "0");
    }
}

/// A client sharing one folder as its root.
struct Workspace(ProtocolPreference, Vec<Root>);

impl ClientHandler for Workspace {
    fn get_info(&self) -> ClientInfo {
        let capabilities = ClientCapabilities::builder().enable_roots().build();
        ClientInfo::new(Implementation::new("workspace", "1"), capabilities).with_protocol(self.0.clone())
    }
    async fn list_roots(&self, _ctx: RequestContext<RoleClient>) -> Result<ListRootsResult, McpError> {
        Ok(ListRootsResult::new(self.1.clone()))
    }
}

/// `dir` as a `file://` URI, spaces percent-encoded.
fn file_uri(dir: &Path) -> String {
    format!("file://{}", dir.display()).replace(' ', "%20")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_filesystem_server_stays_within_the_roots() {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("filesystem example");
    let shared = base.join("shared folder");
    std::fs::create_dir_all(shared.join("docs")).unwrap();
    std::fs::write(shared.join("hello.txt"), "hello from the root").unwrap();
    std::fs::write(base.join("secret.txt"), "not shared").unwrap();

    for era in ERAS {
        let root = Root::new(file_uri(&shared)).with_name("shared");
        let (client, _) = stdio_child(env!("CARGO_BIN_EXE_filesystem"), &[], Workspace(era.clone(), vec![root])).await;
        let listing = client.call_tool(call("list_dir", json!({"path": "."}))).await.unwrap();
        assert_eq!(text(&listing), "docs/\nhello.txt", "{era:?}");
        let read = client.call_tool(call("read_file", json!({"path": "hello.txt"}))).await.unwrap();
        assert_eq!(text(&read), "hello from the root", "{era:?}");
        let absolute = shared.join("hello.txt").display().to_string();
        assert!(!client.call_tool(call("read_file", json!({"path": absolute}))).await.unwrap().is_error());

        for outside in ["../secret.txt", base.join("secret.txt").to_str().unwrap(), "/etc/hostname"] {
            let refused = client.call_tool(call("read_file", json!({"path": outside}))).await.unwrap();
            assert!(refused.is_error(), "{era:?}: {outside} was read");
            assert!(!text(&refused).contains("not shared"), "{era:?}");
        }
        let missing = client.call_tool(call("read_file", json!({"path": "nope.txt"}))).await.unwrap();
        assert!(missing.is_error() && text(&missing).contains("nope.txt"), "{era:?}");

        let (client, _) = stdio_child(env!("CARGO_BIN_EXE_filesystem"), &[], Workspace(era.clone(), vec![])).await;
        let none = client.call_tool(call("list_dir", json!({"path": "."}))).await.unwrap();
        assert!(none.is_error() && text(&none).contains("shares no folder"), "{era:?}");
    }
}

/// A 2026-07-28 client that may opt into the tasks extension.
struct Tasks(bool);

impl ClientHandler for Tasks {
    fn get_info(&self) -> ClientInfo {
        let mut capabilities = ClientCapabilities::builder();
        if self.0 {
            capabilities = capabilities.enable_tasks_extension();
        }
        ClientInfo::new(Implementation::new("tasks", "1"), capabilities.build())
            .with_protocol(ProtocolPreference::Stateless)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_task_reports_progress_inline_and_is_cancelled_as_a_task() {
    // Without the extension: inline, with progress.
    let (client, stderr) = stdio_child(env!("CARGO_BIN_EXE_long-task"), &[], Tasks(false)).await;
    let (options, mut progress) = RequestOptions::new().with_progress_stream();
    let done = client.call_tool_with(call("export", json!({"batches": 5})), options).await.unwrap();
    assert_eq!(text(&done), "exported 5 batches");
    let mut seen = Vec::new();
    while seen.len() < 5
        && let Ok(Some(p)) = tokio::time::timeout(Duration::from_secs(5), progress.recv()).await
    {
        seen.push((p.progress, p.total));
    }
    assert_eq!(seen, (1..=5).map(|i| (f64::from(i), Some(5.0))).collect::<Vec<_>>());
    stderr.wait_for("export (inline): finished 5 batches").await;

    // With it: a task, answered at once, polled by call_tool until done.
    let (client, stderr) = stdio_child(env!("CARGO_BIN_EXE_long-task"), &[], Tasks(true)).await;
    let done = client.call_tool(call("export", json!({"batches": 3}))).await.unwrap();
    assert_eq!(text(&done), "exported 3 batches");
    stderr.wait_for("export (task ").await;

    // By hand: create the task, see it work, cancel it.
    let created: Value =
        client.send_request("tools/call", &call("export", json!({"batches": 500})), Default::default()).await.unwrap();
    assert_eq!(created["resultType"], "task", "{created}");
    let id = created["taskId"].as_str().unwrap().to_owned();
    assert_eq!(client.get_task(&id).await.unwrap().task.task.status, TaskStatus::Working);
    client.cancel_task(&id).await.unwrap();
    stderr.wait_for(&format!("export (task {id}): cancelled after")).await;
    assert_eq!(client.get_task(&id).await.unwrap().task.task.status, TaskStatus::Cancelled);
}
