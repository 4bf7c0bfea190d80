//! The calls phases: tool calls over stdio (child servers) and over Streamable HTTP (a child
//! HTTP server), with both eras, bursts, cancellations and, on HTTP, sessions opened and closed
//! and SSE resumptions.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::future::join_all;
use rmcp_core::RoleClient;
use rmcp_core::handler::{ClientInfo, ProtocolPreference};
use rmcp_core::model::{CallToolRequestParams, JsonObject, ProtocolVersion};
use rmcp_core::service::{Peer, RunningService, ServiceExt};
use rmcp_core::transport::ChildProcess;
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};
use tokio::process::Command;

use crate::record::{Counters, Phase, Probe, Verdict};
use crate::stats::ChildReports;
use crate::{Options, http_child, raw};

/// One op in this many is a cancelled call, one in [`BURST_EVERY`] a burst of [`BURST`]
/// concurrent calls, one in [`POLL_EVERY`] (2025-era HTTP) a call whose stream the server cuts.
const CANCEL_EVERY: u64 = 200;
const BURST_EVERY: u64 = 50;
const BURST: u64 = 8;
const POLL_EVERY: u64 = 2_000;

/// A client of one era that answers nothing.
pub struct Era(pub ProtocolPreference);

impl rmcp_core::ClientHandler for Era {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.0.clone())
    }
}

/// Era `n % 2`: 2025-11-25 sessions for even `n`, 2026-07-28 stateless for odd.
pub fn era(n: u64) -> ProtocolPreference {
    if n.is_multiple_of(2) {
        ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)
    } else {
        ProtocolPreference::Stateless
    }
}

pub type Client = RunningService<RoleClient, Era>;

fn add_call(a: u64, b: u64) -> CallToolRequestParams {
    let mut args = JsonObject::new();
    args.insert("a".into(), a.into());
    args.insert("b".into(), b.into());
    CallToolRequestParams::new("add").with_arguments(args)
}

fn ms_call(tool: &str, ms: u64) -> CallToolRequestParams {
    let mut args = JsonObject::new();
    args.insert("ms".into(), ms.into());
    CallToolRequestParams::new(tool).with_arguments(args)
}

/// `add(i, 7)`, checking the answer.
pub async fn add(peer: &Peer<RoleClient>, i: u64, counters: &Counters) {
    match peer.call_tool(add_call(i, 7)).await {
        Ok(r) if r.content.first().and_then(|c| c.as_text()) == Some((i + 7).to_string().as_str()) => {}
        Ok(r) => counters.error(format!("add({i}, 7) answered {r:?}")),
        Err(e) => counters.error(format!("add({i}, 7) failed: {e}")),
    }
    counters.calls.fetch_add(1, Ordering::Relaxed);
}

/// Op number `i` on `peer`: mostly one `add`; sometimes a burst, a call dropped after 1-5 ms
/// while the server waits on it, or (`poll`) a call whose SSE connection the server closes.
async fn op(peer: &Peer<RoleClient>, i: u64, poll: bool, counters: &Counters) {
    if i % CANCEL_EVERY == CANCEL_EVERY / 2 {
        let call = peer.call_tool(ms_call("wait", 50));
        match tokio::time::timeout(Duration::from_millis(1 + i % 5), call).await {
            Err(_) => {
                counters.cancelled.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => counters.error(format!("wait failed: {e}")),
        }
        counters.calls.fetch_add(1, Ordering::Relaxed);
    } else if i % BURST_EVERY == 1 {
        join_all((0..BURST).map(|k| add(peer, i + k, counters))).await;
    } else if poll && i % POLL_EVERY == 3 {
        match peer.call_tool(ms_call("poll", 5)).await {
            Ok(r) if r.content.first().and_then(|c| c.as_text()) == Some("polled") => {
                counters.resumed.fetch_add(1, Ordering::Relaxed);
            }
            Ok(r) => counters.error(format!("poll answered {r:?}")),
            Err(e) => counters.error(format!("poll failed: {e}")),
        }
        counters.calls.fetch_add(1, Ordering::Relaxed);
    } else {
        add(peer, i, counters).await;
    }
}

/// Check that a client holds nothing before it closes.
pub async fn close(client: Client, counters: &Counters) {
    match client.stats().await {
        Some(s) if s.is_idle() => {}
        other => counters.error(format!("a client still holds something at close: {other:?}")),
    }
    client.cancel().await;
    counters.sessions.fetch_add(1, Ordering::Relaxed);
}

/// A `soak serve stdio` child and its client of era `era`.
async fn stdio_child(opts: &Options, era: ProtocolPreference) -> anyhow::Result<(u32, ChildReports, Client)> {
    let mut cmd = Command::new(&opts.exe);
    cmd.args(["serve", "stdio"]);
    let mut child = ChildProcess::builder(cmd).capture_stderr().spawn()?;
    let pid = child.id().ok_or_else(|| anyhow::anyhow!("the child has no pid"))?;
    let reports = ChildReports::default();
    reports.follow(child.take_stderr().ok_or_else(|| anyhow::anyhow!("no stderr"))?);
    let client = Era(era).serve(child).await?;
    Ok((pid, reports, client))
}

/// Tool calls over stdio: `clients` long-lived child servers (eras alternating) whose RSS is
/// sampled, and beside them a client that starts short-lived children (sessions opened and
/// closed; their RSS is not counted, they do not live long enough to leak).
pub async fn stdio(opts: &Options) -> anyhow::Result<Verdict> {
    let mut phase = Phase::new("stdio-calls", &opts.out, "calls", opts.calls)?;
    let counters = phase.counters.clone();
    let mut children = Vec::new();
    let mut clients = Vec::new();
    for w in 0..opts.clients {
        let (pid, reports, client) = stdio_child(opts, era(w)).await?;
        children.push((pid, reports));
        clients.push(Arc::new(client));
    }
    let probe = Probe::Children(children);
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let target = opts.calls;
    let workers = clients.iter().cloned().map(|client| {
        let (counters, next) = (counters.clone(), next.clone());
        async move {
            while counters.calls.load(Ordering::Relaxed) < target {
                op(&client, next.fetch_add(1, Ordering::Relaxed), false, &counters).await;
            }
        }
    });
    let churn = {
        let counters = counters.clone();
        let every = (target / 500).max(100);
        async move {
            let mut n = 0;
            while counters.calls.load(Ordering::Relaxed) < target {
                match stdio_child(opts, era(n)).await {
                    Ok((_, _, client)) => {
                        for i in 0..20 {
                            add(&client, i, &counters).await;
                        }
                        close(client, &counters).await;
                    }
                    Err(e) => counters.error(format!("a short-lived child: {e}")),
                }
                n += 1;
                let seen = counters.calls.load(Ordering::Relaxed);
                while counters.calls.load(Ordering::Relaxed) < (seen + every).min(target) {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    };
    let load = async {
        tokio::join!(join_all(workers), churn);
    };
    phase.sample_until(&probe, opts.interval, load).await?;
    // The clients' maps are judged now; they close after the final sample, which must see
    // their servers still running.
    for client in &clients {
        match client.stats().await {
            Some(s) if s.is_idle() => {}
            other => counters.error(format!("a client still holds something after the load: {other:?}")),
        }
    }
    let verdict = phase.finish(&probe, opts.drain, opts.warmup, opts.tolerance).await?;
    for client in clients {
        if let Ok(client) = Arc::try_unwrap(client) {
            client.cancel().await;
        }
    }
    Ok(verdict)
}

/// Calls of one HTTP session: between 100 and 500, varying from session to session.
fn session_length(n: u64) -> u64 {
    100 + (n * 37) % 400
}

/// Tool calls over Streamable HTTP: `clients` workers, each opening sessions one after the
/// other (eras alternating; 2025 sessions with their GET stream), a few hundred calls each, then
/// closing them (DELETE); one 2025 session in ten is raw HTTP whose client drops the POST's SSE
/// stream and resumes it with `GET` + `Last-Event-ID`.
pub async fn http(opts: &Options) -> anyhow::Result<Verdict> {
    let mut phase = Phase::new("http-calls", &opts.out, "calls", opts.calls)?;
    let counters = phase.counters.clone();
    let server = http_child(opts).await?;
    let probe = Probe::Children(vec![(server.pid, server.reports.clone())]);
    let url = server.url.clone();
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sessions = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let target = opts.calls;
    let workers = (0..opts.clients).map(|_| {
        let (counters, next, sessions, url) = (counters.clone(), next.clone(), sessions.clone(), url.clone());
        async move {
            let http = reqwest::Client::new();
            while counters.calls.load(Ordering::Relaxed) < target {
                let n = sessions.fetch_add(1, Ordering::Relaxed);
                if n % 20 == 4 {
                    match raw::resumed_call(&http, &url, n).await {
                        Ok(()) => {
                            counters.resumed.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => counters.error(format!("raw resumption: {e:#}")),
                    }
                    counters.calls.fetch_add(1, Ordering::Relaxed);
                    counters.sessions.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let config = StreamableHttpClientConfig::new(url.as_str());
                let client = match Era(era(n)).serve(StreamableHttpClientTransport::with_config(config)).await {
                    Ok(client) => client,
                    Err(e) => {
                        counters.error(format!("opening an HTTP session: {e}"));
                        continue;
                    }
                };
                for _ in 0..session_length(n) {
                    if counters.calls.load(Ordering::Relaxed) >= target {
                        break;
                    }
                    op(&client, next.fetch_add(1, Ordering::Relaxed), n % 2 == 0, &counters).await;
                }
                close(client, &counters).await;
            }
        }
    });
    phase.sample_until(&probe, opts.interval, join_all(workers)).await?;
    let verdict = phase.finish(&probe, opts.drain, opts.warmup, opts.tolerance).await?;
    drop(server);
    Ok(verdict)
}
