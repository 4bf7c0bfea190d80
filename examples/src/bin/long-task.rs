//! A long-running tool with progress and cancellation, run as a task when the client can.
//!
//! Demonstrates `TaskStore::run` (the 2026-07-28 tasks extension): `export` answers a client
//! that opted into tasks at once with a task id and runs in the background, where the client
//! polls it (`tasks/get`) and may cancel it (`tasks/cancel`); for any other client it runs
//! inline, reporting progress (`notifications/progress`) and stopping when the request is
//! cancelled. Both ways the work watches one cancellation token between steps; a cancelled task's
//! work may also just be dropped by the store, so what must happen at the end (here, saying on
//! stderr how the run ended, as nobody waits for a cancelled run's answer) is in a `Drop` guard.
//!
//! Run it with `cargo run -p examples --bin long-task` (stdio), or with `--http 127.0.0.1:0`.

use std::time::Duration;

use rmcp_core::handler::tasks::{TaskStore, TaskSupport};
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities};
use rmcp_core::router::{ProgressReporter, ToolRouter};
use rmcp_core::service::{McpError, RequestContext};
use rmcp_core::{RoleServer, tool, tool_handler, tool_router};

/// How long exporting one batch of rows takes.
const BATCH: Duration = Duration::from_millis(40);

/// The most batches one export may take (about 40 s).
const MAX_BATCHES: u32 = 1000;

/// Says on stderr how a run ended when it ends, however it ends: finished, stopped by its token,
/// or dropped mid-way.
struct Outcome {
    how: String,
    batches: u32,
    done: u32,
}

impl Drop for Outcome {
    fn drop(&mut self) {
        let (how, done, batches) = (&self.how, self.done, self.batches);
        if done == batches {
            eprintln!("export ({how}): finished {batches} batches");
        } else {
            eprintln!("export ({how}): cancelled after {done} of {batches} batches");
        }
    }
}

#[derive(Clone)]
struct Exporter {
    tasks: TaskStore,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Exporter {
    /// Export `batches` batches of rows to a file (40 ms a batch). Runs as a task for clients
    /// that support tasks.
    #[tool]
    async fn export(
        &self,
        /// How many batches (at most 1000).
        batches: u32,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        if batches > MAX_BATCHES {
            return Err(McpError::InvalidArguments(format!("{batches} batches: at most {MAX_BATCHES}")));
        }
        let progress = ProgressReporter::new(&ctx);
        self.tasks
            .run(&ctx, TaskSupport::Optional, move |task| async move {
                let ct = task.cancellation_token();
                let how = task.task_id().map_or_else(|| "inline".to_owned(), |id| format!("task {id}"));
                let mut outcome = Outcome { how, batches, done: 0 };
                while outcome.done < batches {
                    tokio::select! {
                        () = ct.cancelled() => return Err(McpError::internal_error("cancelled")),
                        () = tokio::time::sleep(BATCH) => outcome.done += 1,
                    }
                    // Progress belongs to a request; a task's client polls its status instead.
                    if task.task_id().is_none() {
                        let (done, message) =
                            (f64::from(outcome.done), format!("{} of {batches} batches", outcome.done));
                        progress.report(done, Some(f64::from(batches)), Some(message)).await?;
                    }
                }
                Ok(CallToolResult::success(vec![ContentBlock::text(format!("exported {batches} batches"))]))
            })
            .await
    }
}

#[tool_handler]
impl ServerHandler for Exporter {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("long-task", env!("CARGO_PKG_VERSION")), ServerCapabilities::default())
    }

    /// Serving the store declares the tasks extension and answers `tasks/*`.
    fn task_store(&self) -> Option<&TaskStore> {
        Some(&self.tasks)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // One store for all sessions, so a task outlives the request (and HTTP session) that made it.
    let exporter = Exporter { tasks: TaskStore::new(), tool_router: Exporter::tool_router() };
    examples::run("long-task", move || exporter.clone()).await
}
