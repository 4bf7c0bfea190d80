//! The scale-out figures of issue 17 that the load driver cannot give: what a session costs
//! Redis, how long a cold instance takes to restore one, and how many Redis commands a plain
//! tool call costs.
//!
//! ```text
//! restore-bench --redis redis://127.0.0.1:6379/ [--sessions 2000]
//! ```
//!
//! Two instances of one server in this process, both sharing the Redis (sessions, events, bus):
//! `--sessions` sessions are opened on the first (`initialize` + `notifications/initialized`);
//! Redis's `used_memory` before and after gives the bytes per idle session. Then each session's
//! first `tools/call` goes to the second instance, which has never seen it (a restore from
//! Redis, then the call), and its second call too (warm): the latencies of both, one request at
//! a time on one keep-alive connection. Last, `INFO commandstats` around 1000 warm calls gives
//! the commands per call. Prints one JSON line. Use an otherwise idle Redis: it is flushed.

use std::time::{Duration, Instant};

use anyhow::Context;
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{CallToolRequestParams, CallToolResult, ContentBlock, Implementation, ServerCapabilities};
use rmcp_core::service::{McpError, RequestContext, RoleServer};
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use serde_json::{Value, json};

/// One tool, `add(a, b)`.
#[derive(Clone)]
struct Adder;

impl ServerHandler for Adder {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("restore-bench", "0"), ServerCapabilities::builder().enable_tools().build())
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let args = params.arguments.unwrap_or_default();
        let n = |k: &str| args.get(k).and_then(Value::as_i64).unwrap_or(0);
        Ok(CallToolResult::success(vec![ContentBlock::text((n("a") + n("b")).to_string())]))
    }
}

/// An instance on a free port sharing `redis`; its URL.
async fn instance(redis: &str) -> anyhow::Result<String> {
    let config = StreamableHttpConfig::default().with_json_response(true);
    let config = examples::shared_through_redis(config, redis).await?;
    let service = StreamableHttpService::new(|| Adder, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/mcp", listener.local_addr()?);
    tokio::spawn(service.serve_listener(listener, examples::ctrl_c_token()));
    Ok(url)
}

/// POST `body` on `session`; the session id the answer names, if any.
async fn post(
    http: &reqwest::Client,
    url: &str,
    session: Option<&str>,
    body: &Value,
) -> anyhow::Result<Option<String>> {
    let mut request = http
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .body(body.to_string());
    if let Some(session) = session {
        request = request.header("mcp-session-id", session);
    }
    let response = request.send().await?;
    anyhow::ensure!(response.status().is_success(), "HTTP {}", response.status());
    let id = response.headers().get("mcp-session-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let answer: Option<Value> =
        if response.status() == 202 { None } else { Some(serde_json::from_slice(&response.bytes().await?)?) };
    if let Some(answer) = answer {
        anyhow::ensure!(answer.get("error").is_none(), "an error: {answer}");
    }
    Ok(id)
}

fn call() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add", "arguments": {"a": 2, "b": 3}}})
}

/// The `p`-th percentile of sorted `samples`, in microseconds.
fn percentile(samples: &[Duration], p: f64) -> f64 {
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1e6
}

async fn info(conn: &mut redis::aio::MultiplexedConnection, section: &str) -> anyhow::Result<String> {
    Ok(redis::cmd("INFO").arg(section).query_async(conn).await?)
}

fn field(info: &str, name: &str) -> Option<u64> {
    info.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':')?.trim().parse().ok())
}

/// Calls counted in `INFO commandstats`, but for this program's own and the heartbeats.
fn commands(stats: &str) -> u64 {
    stats
        .lines()
        .filter_map(|l| l.strip_prefix("cmdstat_")?.split_once(":calls="))
        .filter(|(name, _)| !["info", "config|resetstat", "psetex", "flushall", "memory|usage"].contains(name))
        .filter_map(|(_, rest)| rest.split(',').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let redis = examples::flag("--redis")?.context("--redis redis://HOST:PORT/ is required")?;
    let sessions: usize = examples::flag("--sessions")?.map_or(Ok(2000), |n| n.parse())?;
    let mut conn = redis::Client::open(redis.as_str())?.get_multiplexed_async_connection().await?;
    let () = redis::cmd("FLUSHALL").query_async(&mut conn).await?;
    let (first, second) = (instance(&redis).await?, instance(&redis).await?);
    let http = reqwest::Client::new();

    let before = field(&info(&mut conn, "memory").await?, "used_memory").unwrap_or(0);
    let mut ids = Vec::with_capacity(sessions);
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "restore-bench", "version": "0"}}});
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    for _ in 0..sessions {
        let id = post(&http, &first, None, &init).await?.context("initialize names the session")?;
        post(&http, &first, Some(&id), &initialized).await?;
        ids.push(id);
    }
    let after = field(&info(&mut conn, "memory").await?, "used_memory").unwrap_or(0);
    let record: u64 =
        redis::cmd("MEMORY").arg("USAGE").arg(format!("rmcp:session:{}", ids[0])).query_async(&mut conn).await?;

    let (mut cold, mut warm) = (Vec::with_capacity(sessions), Vec::with_capacity(sessions));
    for id in &ids {
        let started = Instant::now();
        post(&http, &second, Some(id), &call()).await?;
        cold.push(started.elapsed());
        let started = Instant::now();
        post(&http, &second, Some(id), &call()).await?;
        warm.push(started.elapsed());
    }
    cold.sort_unstable();
    warm.sort_unstable();

    let () = redis::cmd("CONFIG").arg("RESETSTAT").query_async(&mut conn).await?;
    let calls = 1000;
    for i in 0..calls {
        post(&http, &second, Some(&ids[i % ids.len()]), &call()).await?;
    }
    let per_call = commands(&info(&mut conn, "commandstats").await?) as f64 / calls as f64;

    let line = json!({
        "sessions": sessions,
        "redis_bytes_per_idle_session": (after.saturating_sub(before)) as f64 / sessions as f64,
        "session_record_bytes": record,
        "cold_first_call_us": {"p50": percentile(&cold, 0.5), "p99": percentile(&cold, 0.99)},
        "warm_call_us": {"p50": percentile(&warm, 0.5), "p99": percentile(&warm, 0.99)},
        "restore_cost_us": {"p50": percentile(&cold, 0.5) - percentile(&warm, 0.5), "p99": percentile(&cold, 0.99) - percentile(&warm, 0.99)},
        "redis_commands_per_warm_call": per_call,
    });
    println!("{line}");
    Ok(())
}
