//! 2025-era sessions spoken in raw HTTP, for what the SDK client does not do on purpose: drop
//! a POST's SSE stream mid-call and resume it, and open sessions at the lowest cost.

use std::time::Duration;

use anyhow::Context;
use serde_json::{Value, json};

const ACCEPT: &str = "application/json, text/event-stream";
const VERSION: &str = "2025-11-25";
/// No single exchange of the soak takes this long unless something is wrong.
const LIMIT: Duration = Duration::from_secs(30);

fn post(http: &reqwest::Client, url: &str, session: Option<&str>, body: &Value) -> reqwest::RequestBuilder {
    let mut request =
        http.post(url).header("content-type", "application/json").header("accept", ACCEPT).body(body.to_string());
    if let Some(session) = session {
        request = request.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION);
    }
    request
}

/// The whole body of an answer, in time.
async fn body(response: reqwest::Response) -> anyhow::Result<String> {
    Ok(tokio::time::timeout(LIMIT, response.text()).await.context("the body did not end")??)
}

/// `initialize` and `notifications/initialized`: the new session's id.
pub async fn open(http: &reqwest::Client, url: &str) -> anyhow::Result<String> {
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "soak-raw", "version": "0"}}});
    let response = post(http, url, None, &init).send().await?;
    anyhow::ensure!(response.status().is_success(), "initialize: {}", response.status());
    let session = response.headers().get("mcp-session-id").context("no Mcp-Session-Id")?.to_str()?.to_owned();
    let answer = body(response).await?;
    anyhow::ensure!(answer.contains(VERSION), "initialize answered {answer}");
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let response = post(http, url, Some(&session), &initialized).send().await?;
    anyhow::ensure!(response.status().as_u16() == 202, "initialized: {}", response.status());
    Ok(session)
}

/// `tools/call add(n, 1)` on `session`, checking the answer.
pub async fn add(http: &reqwest::Client, url: &str, session: &str, n: u64) -> anyhow::Result<()> {
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "add", "arguments": {"a": n, "b": 1}}});
    let answer = body(post(http, url, Some(session), &call).send().await?).await?;
    anyhow::ensure!(answer.contains(&format!("\"text\":\"{}\"", n + 1)), "add answered {answer}");
    Ok(())
}

/// `DELETE` the session.
pub async fn delete(http: &reqwest::Client, url: &str, session: &str) -> anyhow::Result<()> {
    let response =
        http.delete(url).header("Mcp-Session-Id", session).header("MCP-Protocol-Version", VERSION).send().await?;
    anyhow::ensure!(response.status().is_success(), "DELETE: {}", response.status());
    Ok(())
}

/// One session whose client drops its call's SSE stream after the priming event and gets the
/// answer by resuming with `GET` and `Last-Event-ID`; then DELETE.
pub async fn resumed_call(http: &reqwest::Client, url: &str, n: u64) -> anyhow::Result<()> {
    let session = open(http, url).await?;
    let resumed = drop_and_resume(http, url, &session, n).await;
    // A failed exchange must not leave its session behind (the maps would not be empty).
    let deleted = delete(http, url, &session).await;
    resumed.and(deleted)
}

async fn drop_and_resume(http: &reqwest::Client, url: &str, session: &str, n: u64) -> anyhow::Result<()> {
    // The progress token makes the server report progress first, which opens the SSE stream
    // before the answer (a lone answer would come as plain JSON, with nothing to resume).
    let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "wait", "arguments": {"ms": 20 + n % 20}, "_meta": {"progressToken": n}}});
    let mut response = post(http, url, Some(session), &call).send().await?;
    anyhow::ensure!(response.status().is_success(), "tools/call: {}", response.status());
    let mut seen = String::new();
    let last_id = loop {
        let chunk = tokio::time::timeout(LIMIT, response.chunk()).await.context("no priming event")??;
        let chunk = chunk.with_context(|| format!("the stream ended before an event id: {seen:?}"))?;
        seen.push_str(std::str::from_utf8(&chunk)?);
        if let Some(id) = seen.lines().find_map(|l| l.strip_prefix("id:")) {
            break id.trim().to_owned();
        }
    };
    anyhow::ensure!(!seen.contains("\"result\""), "the answer came before the drop: {seen}");
    // The client goes away mid-call: on 2025, a disconnect is not a cancellation.
    drop(response);
    let resumed = http
        .get(url)
        .header("accept", "text/event-stream")
        .header("Mcp-Session-Id", session)
        .header("MCP-Protocol-Version", VERSION)
        .header("Last-Event-ID", &last_id)
        .send()
        .await?;
    anyhow::ensure!(resumed.status().is_success(), "resuming GET: {}", resumed.status());
    let replay = body(resumed).await?;
    anyhow::ensure!(replay.contains("\"id\":7") && replay.contains("waited"), "the resumed stream brought {replay:?}");
    Ok(())
}
