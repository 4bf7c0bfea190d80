//! What the tests of the guide's examples share: starting an example (as a stdio child served
//! by a given client, as an HTTP server, or to completion) while keeping what it writes on
//! stderr, and building tool calls. Each test file uses part of it.
#![allow(dead_code)]

use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rmcp_core::ClientHandler;
use rmcp_core::model::{CallToolRequestParams, CallToolResult, JsonObject};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::ChildProcess;
use rmcp_core::{RoleClient, RunningService};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

/// The lines a child wrote on stderr so far, read by a task of their own (so the child never
/// blocks on a full pipe).
#[derive(Clone, Default)]
pub struct Stderr(Arc<Mutex<Vec<String>>>);

impl Stderr {
    fn collect(stream: impl AsyncRead + Send + Unpin + 'static) -> Self {
        let lines = Self::default();
        let sink = lines.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stream).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                sink.0.lock().unwrap_or_else(PoisonError::into_inner).push(line);
            }
        });
        lines
    }

    /// Everything so far, one line per line.
    pub fn text(&self) -> String {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).join("\n")
    }

    /// Wait (at most 5 s) until `n` lines contain `needle`.
    pub async fn wait_for_count(&self, needle: &str, n: usize) {
        for _ in 0..250 {
            if self.text().matches(needle).count() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("not {n} stderr lines with {needle:?} within 5 s; stderr:\n{}", self.text());
    }

    /// Wait (at most 5 s) for a line containing `needle`, and return it.
    pub async fn wait_for(&self, needle: &str) -> String {
        for _ in 0..250 {
            let found =
                self.0.lock().unwrap_or_else(PoisonError::into_inner).iter().find(|l| l.contains(needle)).cloned();
            if let Some(line) = found {
                return line;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no stderr line with {needle:?} within 5 s; stderr:\n{}", self.text());
    }
}

/// `binary args...` as a stdio server served by `handler`, with its stderr kept.
pub async fn stdio_child<H: ClientHandler>(
    binary: &str,
    args: &[&str],
    handler: H,
) -> (RunningService<RoleClient, H>, Stderr) {
    let mut command = Command::new(binary);
    command.args(args);
    let mut child = ChildProcess::builder(command).capture_stderr().spawn().unwrap();
    let stderr = Stderr::collect(child.take_stderr().unwrap());
    let client = handler.serve(child).await.unwrap_or_else(|e| panic!("{binary}: {e}\nstderr:\n{}", stderr.text()));
    (client, stderr)
}

/// `binary --http 127.0.0.1:0 args...` with `env`, and the endpoint URL it prints on stderr.
/// The child is killed when the returned handle drops.
pub async fn http_server(binary: &str, args: &[&str], env: &[(&str, &str)]) -> (Child, String, Stderr) {
    let mut child = Command::new(binary)
        .args(["--http", "127.0.0.1:0"])
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stderr = Stderr::collect(child.stderr.take().unwrap());
    let line = stderr.wait_for("serving Streamable HTTP at ").await;
    let url = line.rsplit(' ').next().unwrap().to_owned();
    (child, url, stderr)
}

/// Run `program args...` with `env` to completion (at most 60 s) and return its stdout; panics,
/// showing both streams, unless it succeeds.
pub async fn run_to_end(program: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = Command::new(program);
    command.args(args).envs(env.iter().copied()).stdin(Stdio::null()).kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .unwrap_or_else(|_| panic!("{program} {args:?} did not finish in 60 s"))
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{program} {args:?}: {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}", out.status);
    stdout
}

/// A `tools/call` of `name` with `arguments` (a JSON object).
pub fn call(name: &str, arguments: Value) -> CallToolRequestParams {
    let Value::Object(arguments) = arguments else { panic!("arguments must be an object: {arguments}") };
    CallToolRequestParams::new(name.to_owned()).with_arguments(arguments)
}

/// The arguments object of `value`.
pub fn object(value: Value) -> JsonObject {
    let Value::Object(map) = value else { panic!("not an object: {value}") };
    map
}

/// The text blocks of a result, joined by newlines.
pub fn text(result: &CallToolResult) -> String {
    result.content.iter().filter_map(|c| c.as_text()).collect::<Vec<_>>().join("\n")
}
