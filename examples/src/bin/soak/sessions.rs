//! The sessions phases: open and close sessions many times, one call each.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::future::join_all;
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};

use crate::calls::{Era, add, era};
use crate::record::{Phase, Probe, Verdict};
use crate::server::Soak;
use crate::{Options, http_child, raw};

/// 2025-11-25 sessions over HTTP against a child server: three in four raw (`initialize`,
/// `notifications/initialized`, one call, `DELETE`), one in four the SDK client (which also
/// opens the standalone GET stream, and DELETEs on close).
pub async fn http(opts: &Options) -> anyhow::Result<Verdict> {
    let mut phase = Phase::new("http-sessions", &opts.out, "sessions", opts.sessions)?;
    let counters = phase.counters.clone();
    let server = http_child(opts).await?;
    let probe = Probe::Children(vec![(server.pid, server.reports.clone())]);
    let url = server.url.clone();
    let tickets = Arc::new(AtomicU64::new(0));
    let target = opts.sessions;
    let workers = (0..opts.clients).map(|_| {
        let (counters, tickets, url) = (counters.clone(), tickets.clone(), url.clone());
        async move {
            let http = reqwest::Client::new();
            loop {
                let n = tickets.fetch_add(1, Ordering::Relaxed);
                if n >= target {
                    break;
                }
                if n % 4 == 3 {
                    let config = StreamableHttpClientConfig::new(url.as_str());
                    match Era(era(0)).serve(StreamableHttpClientTransport::with_config(config)).await {
                        Ok(client) => {
                            add(&client, n, &counters).await;
                            crate::calls::close(client, &counters).await;
                        }
                        Err(e) => counters.error(format!("opening an HTTP session: {e}")),
                    }
                    continue;
                }
                let session = async {
                    let session = raw::open(&http, &url).await?;
                    raw::add(&http, &url, &session, n).await?;
                    raw::delete(&http, &url, &session).await
                };
                if let Err(e) = session.await {
                    counters.error(format!("raw session: {e:#}"));
                }
                counters.calls.fetch_add(1, Ordering::Relaxed);
                counters.sessions.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    phase.sample_until(&probe, opts.interval, join_all(workers)).await?;
    let verdict = phase.finish(&probe, opts.drain, opts.warmup, opts.tolerance).await?;
    drop(server);
    Ok(verdict)
}

/// The stdio equivalent: a stdio session is a process, and a new process cannot inherit a
/// leak, so what can leak is the engine and framing of the process that opens connection after
/// connection. Here both ends live in this process, over an in-memory byte pipe speaking the
/// same newline-delimited JSON as stdio; the RSS sampled is this process's.
pub async fn in_process(opts: &Options) -> anyhow::Result<Verdict> {
    let mut phase = Phase::new("inproc-sessions", &opts.out, "sessions", opts.sessions)?;
    let counters = phase.counters.clone();
    let open = Arc::new(AtomicU64::new(0));
    let probe = Probe::InProcess(open.clone());
    let tickets = Arc::new(AtomicU64::new(0));
    let target = opts.sessions;
    let workers = (0..opts.clients).map(|_| {
        let (counters, tickets, open) = (counters.clone(), tickets.clone(), open.clone());
        async move {
            loop {
                let n = tickets.fetch_add(1, Ordering::Relaxed);
                if n >= target {
                    break;
                }
                let (server_end, client_end) = rmcp_core::transport::duplex(64 * 1024);
                open.fetch_add(1, Ordering::SeqCst);
                let server = tokio::spawn({
                    let open = open.clone();
                    async move {
                        if let Ok(running) = Soak::new().serve(server_end).await {
                            running.waiting().await;
                        }
                        open.fetch_sub(1, Ordering::SeqCst);
                    }
                });
                match Era(era(n)).serve(client_end).await {
                    Ok(client) => {
                        add(&client, n, &counters).await;
                        crate::calls::close(client, &counters).await;
                    }
                    Err(e) => counters.error(format!("opening an in-process connection: {e}")),
                }
                if let Err(e) = server.await {
                    counters.error(format!("the server task: {e}"));
                }
            }
        }
    });
    phase.sample_until(&probe, opts.interval, join_all(workers)).await?;
    phase.finish(&probe, opts.drain, opts.warmup, opts.tolerance).await
}
