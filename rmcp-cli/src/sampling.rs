//! `--sampling-cmd`: a shell command answers the server's `sampling/createMessage` requests.
//! It gets the request's params as JSON on stdin and prints the result JSON on stdout.

use std::process::Stdio;

use anyhow::{Context, bail};
use rmcp_core::model::{CreateMessageRequestParams, CreateMessageResult};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// Run `cmd` with `sh -c` on the request and read its answer.
pub async fn run(cmd: &str, params: &CreateMessageRequestParams) -> anyhow::Result<CreateMessageResult> {
    let request = serde_json::to_vec(params)?;
    let mut child = Command::new("sh")
        .args(["-c", cmd])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start `{cmd}`"))?;
    let mut stdin = child.stdin.take().context("no stdin for the sampling command")?;
    // Written from a task of its own: a command that prints before it reads all its input
    // must not wait for us while we wait for it.
    let writer = tokio::spawn(async move {
        let _ = stdin.write_all(&request).await;
    });
    let output = child.wait_with_output().await?;
    let _ = writer.await;
    if !output.status.success() {
        bail!("`{cmd}` exited with {}", output.status);
    }
    serde_json::from_slice(&output.stdout).with_context(|| {
        format!(
            "`{cmd}` printed no sampling result; it should print JSON like \
             {{\"role\":\"assistant\",\"content\":{{\"type\":\"text\",\"text\":\"...\"}},\"model\":\"name\"}}"
        )
    })
}
