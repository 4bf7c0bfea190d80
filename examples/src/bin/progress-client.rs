//! A client that watches a long tool call's progress, gives it a timeout that progress keeps
//! alive, and cancels it.
//!
//! Demonstrates [`RequestOptions`] on `call_tool_with`, against the `countdown` tool of the
//! `assistant` server (one step every 100 ms):
//! 1. a progress stream (`with_progress_stream`): every `notifications/progress` of the call,
//!    printed as it arrives;
//! 2. a timeout shorter than the whole call that progress restarts (`reset_timeout_on_progress`),
//!    so the call completes, and the same timeout without the reset, which expires;
//! 3. cancelling by dropping the call's future (here: losing a `tokio::select!` after three
//!    progress notifications). Dropping sends `notifications/cancelled`; the tool's
//!    `CancellationToken` fires, it stops, and the server writes why on its stderr, which this
//!    client reads to show the server saw it. No result ever arrives for a dropped call.
//!
//! Run it with `cargo build -p examples --bins && target/debug/progress-client [--era 2025|2026]`:
//! it starts `assistant` from its own directory as a child process.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rmcp_core::ClientHandler;
use rmcp_core::handler::{ClientInfo, ProtocolPreference};
use rmcp_core::model::{CallToolRequestParams, CallToolResult, JsonObject, ProgressNotificationParams};
use rmcp_core::service::{RequestOptions, ServiceExt};
use rmcp_core::transport::ChildProcess;
use rmcp_core::{Peer, RoleClient, ServiceError};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{ChildStderr, Command};
use tokio::sync::mpsc;

/// A timeout shorter than the 1.5 s countdown below, yet ten steps (100 ms each) long, so a
/// progress notification comes in time to restart it even on a loaded machine.
const TIMEOUT: Duration = Duration::from_millis(1000);

/// How long to wait for the server to report a cancellation on its stderr.
const SERVER_REPORT_WAIT: Duration = Duration::from_secs(5);

/// A client of the chosen era that answers no requests: progress needs none.
struct Era(ProtocolPreference);

impl ClientHandler for Era {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.0.clone())
    }
}

fn countdown(from: u32) -> CallToolRequestParams {
    let mut arguments = JsonObject::new();
    arguments.insert("from".into(), from.into());
    CallToolRequestParams::new("countdown").with_arguments(arguments)
}

fn show(p: &ProgressNotificationParams) -> String {
    let total = p.total.map(|t| format!("/{t}")).unwrap_or_default();
    let message = p.message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default();
    format!("progress {}{total}{message}", p.progress)
}

/// Forward the server's stderr to ours, line by line, and hand every line to the returned
/// receiver too, so the client can wait for what the server reports.
fn watch_server_log(stderr: ChildStderr) -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("[assistant] {line}");
            let _ = tx.send(line);
        }
    });
    rx
}

/// The next line of the server's log that mentions a cancellation.
async fn server_saw_cancellation(log: &mut mpsc::UnboundedReceiver<String>) -> anyhow::Result<String> {
    let found = tokio::time::timeout(SERVER_REPORT_WAIT, async {
        while let Some(line) = log.recv().await {
            if line.contains("cancelled") {
                return Some(line);
            }
        }
        None
    });
    match found.await {
        Ok(Some(line)) => Ok(line),
        Ok(None) => anyhow::bail!("the server exited without reporting the cancellation"),
        Err(_) => anyhow::bail!("the server did not report the cancellation within {SERVER_REPORT_WAIT:?}"),
    }
}

/// The call's text, or an error if the tool failed.
fn completed(result: CallToolResult) -> anyhow::Result<String> {
    let text = examples::text_of(&result);
    anyhow::ensure!(!result.is_error(), "the countdown failed: {text}");
    Ok(text)
}

/// 1. Every progress notification of a call, printed while the call runs.
async fn progress_stream(client: &Peer<RoleClient>) -> anyhow::Result<()> {
    println!("countdown(5) with a progress stream:");
    let (options, mut progress) = RequestOptions::new().with_progress_stream();
    let call = client.call_tool_with(countdown(5), options);
    tokio::pin!(call);
    let mut seen = 0;
    let result = loop {
        tokio::select! {
            result = &mut call => break result?,
            Some(p) = progress.recv() => {
                seen += 1;
                println!("  {}", show(&p));
            }
        }
    };
    // The SDK delivers every progress notification that came before the result before the call
    // returns; some may still sit in the stream.
    while let Ok(p) = progress.try_recv() {
        seen += 1;
        println!("  {}", show(&p));
    }
    println!("  => {} ({seen} progress notifications)", completed(result)?);
    Ok(())
}

/// 2. A timeout that progress restarts, then the same timeout without the restart.
async fn timeout_reset_by_progress(
    client: &Peer<RoleClient>,
    log: &mut mpsc::UnboundedReceiver<String>,
) -> anyhow::Result<()> {
    println!("countdown(15), about 1.5 s, with a {TIMEOUT:?} timeout reset by progress:");
    // The timeout restarts on progress the call receives, and the client only asks for progress
    // (sends a progress token) when it has somewhere to deliver it: hence the counting callback.
    let seen = Arc::new(AtomicUsize::new(0));
    let options = RequestOptions::new().with_timeout(TIMEOUT).reset_timeout_on_progress().on_progress({
        let seen = seen.clone();
        move |_| {
            seen.fetch_add(1, Ordering::Relaxed);
        }
    });
    let started = Instant::now();
    let text = completed(client.call_tool_with(countdown(15), options).await?)?;
    // Round to tenths: the exact time varies from run to run.
    let took = (started.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    println!("  => {text} after about {took} s, {} progress notifications", seen.load(Ordering::Relaxed));

    println!("countdown(15) with a {TIMEOUT:?} timeout and no reset:");
    let options = RequestOptions::new().with_timeout(TIMEOUT).on_progress(|_| {});
    match client.call_tool_with(countdown(15), options).await {
        // On timeout the SDK also cancels the request at the server.
        Err(ServiceError::Timeout { timeout }) => println!("  => timed out after {timeout:?}"),
        Ok(result) => anyhow::bail!("the countdown should have timed out, but returned {}", examples::text_of(&result)),
        Err(e) => return Err(e.into()),
    }
    println!("  the server saw the cancellation: {}", server_saw_cancellation(log).await?);
    Ok(())
}

/// 3. Cancel a call by dropping its future, once three progress notifications have come.
async fn cancel_by_dropping(
    client: &Peer<RoleClient>,
    log: &mut mpsc::UnboundedReceiver<String>,
) -> anyhow::Result<()> {
    println!("countdown(50), dropped after 3 progress notifications:");
    let (options, mut progress) = RequestOptions::new().with_progress_stream();
    let three = async {
        for _ in 0..3 {
            match progress.recv().await {
                Some(p) => println!("  {}", show(&p)),
                // The call ended (and dropped the sender): let the other branch report it.
                None => std::future::pending().await,
            }
        }
    };
    // Whichever branch loses is dropped: here that is the call, which cancels it.
    tokio::select! {
        result = client.call_tool_with(countdown(50), options) => {
            anyhow::bail!("the countdown should have been cancelled, but ended: {result:?}");
        }
        () = three => println!("  dropped the call: its result will never arrive"),
    }
    println!("  the server saw the cancellation: {}", server_saw_cancellation(log).await?);

    // The connection is unharmed: the next call works.
    let text = completed(client.call_tool(countdown(1)).await?)?;
    println!("countdown(1) afterwards: {text}");
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let protocol = examples::era_from_args()?;
    let server = Command::new(examples::sibling_binary("assistant")?);
    let mut child = ChildProcess::builder(server).capture_stderr().spawn()?;
    let stderr = child.take_stderr().ok_or_else(|| anyhow::anyhow!("the server's stderr was not captured"))?;
    let mut log = watch_server_log(stderr);
    let client = Era(protocol).serve(child).await?;
    let version = client.protocol_version().map_or_else(|| "unknown".to_owned(), |v| v.to_string());
    println!("connected to assistant over stdio, protocol {version}");

    progress_stream(client.peer()).await?;
    timeout_reset_by_progress(client.peer(), &mut log).await?;
    cancel_by_dropping(client.peer(), &mut log).await?;

    client.cancel().await;
    Ok(())
}
