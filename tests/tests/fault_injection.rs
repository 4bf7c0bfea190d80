//! Fault injection: connections that delay, lose, cut, duplicate, reorder and fail; callers
//! that give up at any point or disconnect; handlers that panic, hang or block; an event store
//! that is slow or fails. Every choice comes from a seed (`FAULT_SEED=n` reruns one). After each
//! run: every call ended once, with an answer or a defined error; no side answered a request
//! more often than it read it; the engines' and the HTTP server's tables are empty again; and
//! the runtime is back to the tasks it had.

mod fault_support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use fault_support::handlers::{Misbehaving, SamplingClient, random_call};
use fault_support::http::FlakyStore;
use fault_support::{
    DropAfterPolls, Faults, Faulty, Outcome, Rng, alive_tasks, classify, engine_idle, seeds, tasks_back_to,
};
use futures::future::join_all;
use rmcp_core::CancellationToken;
use rmcp_core::handler::ProtocolPreference;
use rmcp_core::model::ProtocolVersion;
use rmcp_core::service::{Peer, RequestOptions, RoleClient, ServeOptions, ServiceError, ServiceExt};
use rmcp_core::transport::duplex;
use rmcp_core::transport::http::{
    EventStore, StreamableHttpClientConfig, StreamableHttpClientTransport, StreamableHttpConfig, StreamableHttpService,
    StreamableHttpStats,
};
use tokio::net::TcpListener;

/// How long anything may take before the run counts as hung.
const BOUND: Duration = Duration::from_secs(10);

/// A `hang` that only a cancellation ends (as far as the run is concerned).
const HANG_FOREVER: Duration = Duration::from_secs(3600);

type Tally = BTreeMap<Outcome, usize>;

/// A random batch of calls on `peer`, run at once: some given up after a few polls or a few
/// milliseconds, the rest awaited (each with a timeout); now and then the client disconnects
/// (`ct`) in the middle of it. Every call must end with an answer or a defined error.
async fn calls(rng: &mut Rng, peer: &Peer<RoleClient>, ct: CancellationToken) -> Result<Tally, String> {
    let calls: Vec<_> = (0..4 + rng.below(16))
        .map(|_| {
            let params = random_call(rng);
            let peer = peer.clone();
            let options = RequestOptions::new().with_timeout(Duration::from_millis(200 + rng.below(400)));
            let how = rng.below(4);
            let polls = 1 + rng.below(4) as usize;
            let give_up = Duration::from_millis(rng.below(30));
            async move {
                let call = peer.call_tool_with(params, options);
                match how {
                    0 => DropAfterPolls::new(call, polls).await.map(classify),
                    1 => tokio::time::timeout(give_up, call).await.ok().map(classify),
                    _ => Some(classify(call.await)),
                }
            }
        })
        .collect();
    let disconnect = rng.chance(15).then(|| Duration::from_millis(rng.below(20)));
    let disconnecting = async move {
        if let Some(after) = disconnect {
            tokio::time::sleep(after).await;
            ct.cancel();
        }
    };
    let (outcomes, ()) = tokio::time::timeout(BOUND, futures::future::join(join_all(calls), disconnecting))
        .await
        .map_err(|_| "a call never ended".to_owned())?;
    let mut tally = Tally::new();
    for outcome in outcomes {
        *tally.entry(outcome.unwrap_or(Ok(Outcome::Dropped))?).or_default() += 1;
    }
    Ok(tally)
}

/// One run over a duplex pair, both ends faulty as the seed says.
async fn engine_run(seed: u64, lossy: bool) -> Result<Tally, String> {
    let mut rng = Rng::new(seed);
    let protocol = if rng.chance(60) {
        ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)
    } else {
        ProtocolPreference::Stateless
    };
    let armed = Arc::new(AtomicBool::new(false));
    // A small pipe now and then, so that writers wait for room.
    let (a, b) = duplex(if rng.chance(30) { 256 } else { 64 * 1024 });
    let server_end = Faulty::new(a, Faults::random(&mut rng, lossy), rng.fork(), armed.clone());
    let client_end = Faulty::new(b, Faults::random(&mut rng, lossy), rng.fork(), armed.clone());
    let (server_ledger, client_ledger) = (server_end.ledger(), client_end.ledger());
    // Without loss every cancellation arrives, so `hang` waits for it (a leak if it never comes);
    // a lost one is a real possibility otherwise, so there it gives up after a while.
    let hang_cap = if lossy { Duration::from_millis(300) } else { HANG_FOREVER };
    let handler = Misbehaving { hang_cap, ..Default::default() };
    let handlers = handler.tally.clone();
    let options = ServeOptions::default()
        .with_drain_timeout(Duration::from_millis(200))
        .with_client_request_timeout(Some(Duration::from_millis(300)))
        .with_inline_requests(rng.chance(70))
        // A few requests at a time now and then, so that some are refused.
        .with_max_in_flight(if rng.chance(20) { 1 + rng.below(4) as usize } else { 8192 });
    let server = tokio::spawn(handler.serve_with_options(server_end, options));
    let client = tokio::time::timeout(BOUND, SamplingClient { protocol }.serve(client_end))
        .await
        .map_err(|_| "the handshake hung".to_owned())?
        .map_err(|e| format!("handshake: {e}"))?;
    let server = server.await.map_err(|e| format!("{e}"))?.map_err(|e| format!("server start: {e}"))?;
    armed.store(true, Ordering::SeqCst);

    // Now and then the server goes away in the middle of it all.
    let server_stop = rng.chance(10).then(|| Duration::from_millis(rng.below(20)));
    let server_ct = server.cancellation_token();
    let stopping = async move {
        if let Some(after) = server_stop {
            tokio::time::sleep(after).await;
            server_ct.cancel();
        }
    };
    let (tally, ()) =
        futures::future::join(calls(&mut rng, client.peer(), client.cancellation_token()), stopping).await;
    let tally = tally?;

    engine_idle(client.peer(), Duration::from_secs(3)).await.map_err(|s| format!("client engine holds {s:?}"))?;
    engine_idle(server.peer(), Duration::from_secs(3))
        .await
        .map_err(|s| format!("server engine holds {s:?}\n{}", server_ledger.trace()))?;
    let over = server_ledger.over_answered();
    if !over.is_empty() {
        return Err(format!("the server answered more often than asked (id, read, answered): {over:?}"));
    }
    let over = client_ledger.over_answered();
    if !over.is_empty() {
        return Err(format!("the client answered more often than asked (id, read, answered): {over:?}"));
    }
    // Closing lets what runs finish (for a moment); cancelling cuts it short.
    let closing = if rng.chance(50) {
        futures::future::Either::Left(client.close_with_timeout(Duration::from_millis(rng.below(50))))
    } else {
        futures::future::Either::Right(client.cancel())
    };
    tokio::time::timeout(BOUND, closing).await.map_err(|_| "the client did not stop".to_owned())?;
    tokio::time::timeout(BOUND, server.waiting()).await.map_err(|_| "the server did not stop".to_owned())?;
    handlers.all_ended(Duration::from_secs(3)).await?;
    Ok(tally)
}

/// One run against a Streamable HTTP server on 127.0.0.1 whose event store is slow or fails, with
/// a few clients of both eras whose transports are faulty.
async fn http_run(seed: u64) -> Result<Tally, String> {
    let mut rng = Rng::new(seed);
    let store: Arc<dyn EventStore> = FlakyStore::new(&mut rng);
    let config = StreamableHttpConfig::default()
        .with_event_store(rng.chance(70).then_some(store))
        .with_event_store_timeout(rng.chance(50).then(|| Duration::from_millis(1 + rng.below(20))))
        .with_inline_requests(rng.chance(70))
        .with_json_response(rng.chance(30))
        .with_client_request_timeout(Some(Duration::from_millis(300)))
        .with_session_idle_timeout(Some(Duration::from_millis(300)))
        .with_sse_retry(Some(Duration::from_millis(100)))
        .with_shutdown_drain(Duration::from_millis(200));
    // Whatever happens to a client, its hanging requests must be cancelled: by a cancellation,
    // by the end of the response stream, or with the session when it expires.
    let handler = Misbehaving { hang_cap: HANG_FOREVER, ..Default::default() };
    let handlers = handler.tally.clone();
    let service = StreamableHttpService::new(move || handler.clone(), config);
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| format!("bind: {e}"))?;
    let url = format!("http://{}/mcp", listener.local_addr().map_err(|e| format!("{e}"))?);
    let stop = CancellationToken::new();
    let serving = tokio::spawn(service.clone().serve_listener(listener, stop.clone()));
    // Now and then the server shuts down (gracefully: drain, then stop) in the middle of it all.
    let shutdown = rng.chance(20).then(|| Duration::from_millis(rng.below(60)));
    let stopping = {
        let stop = stop.clone();
        async move {
            if let Some(after) = shutdown {
                tokio::time::sleep(after).await;
                stop.cancel();
            }
        }
    };

    let clients: Vec<_> = (0..1 + rng.below(3))
        .map(|_| {
            let mut rng = rng.fork();
            let url = url.clone();
            async move {
                let protocol = if rng.chance(60) {
                    ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)
                } else {
                    ProtocolPreference::Stateless
                };
                let config = StreamableHttpClientConfig::new(url).with_delete_session_on_close(rng.chance(70));
                let armed = Arc::new(AtomicBool::new(false));
                let lossy = rng.chance(40);
                let transport = Faulty::new(
                    StreamableHttpClientTransport::with_config(config),
                    Faults::random(&mut rng, lossy),
                    rng.fork(),
                    armed.clone(),
                );
                let ledger = transport.ledger();
                let client = match tokio::time::timeout(BOUND, SamplingClient { protocol }.serve(transport)).await {
                    Ok(Ok(client)) => client,
                    // Refused by a server shutting down.
                    Ok(Err(_)) if shutdown.is_some() => return Ok(Tally::new()),
                    Ok(Err(e)) => return Err(format!("handshake: {e}")),
                    Err(_) => return Err("the handshake hung".to_owned()),
                };
                armed.store(true, Ordering::SeqCst);
                let tally = calls(&mut rng, client.peer(), client.cancellation_token()).await?;
                engine_idle(client.peer(), Duration::from_secs(3))
                    .await
                    .map_err(|s| format!("client engine holds {s:?}"))?;
                let over = ledger.over_answered();
                if !over.is_empty() {
                    return Err(format!("the client answered more often than asked: {over:?}"));
                }
                let over = ledger.peer_over_answered();
                if !over.is_empty() {
                    return Err(format!("the server answered more often than asked (id, sent, answers): {over:?}"));
                }
                tokio::time::timeout(BOUND, client.cancel()).await.map_err(|_| "the client did not stop".to_owned())?;
                Ok::<_, String>(tally)
            }
        })
        .collect();
    let mut tally = Tally::new();
    let (results, ()) = futures::future::join(join_all(clients), stopping).await;
    for result in results {
        for (k, v) in result? {
            *tally.entry(k).or_default() += v;
        }
    }

    // Sessions left without a DELETE expire; everything else must be gone by then.
    let quiet = StreamableHttpStats::is_idle;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(4);
    while !quiet(&service.stats()) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stats = service.stats();
    if !quiet(&stats) {
        return Err(format!("the HTTP server still holds {stats:?}"));
    }
    // A handler whose request was cancelled may still be winding down (`hang` until its cap).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let mut engines = service.engine_stats().await;
    while !engines.is_idle() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
        engines = service.engine_stats().await;
    }
    if !engines.is_idle() {
        return Err(format!("the server's engines still hold {engines:?}"));
    }
    stop.cancel();
    match tokio::time::timeout(BOUND, serving).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => return Err(format!("the server failed: {e}")),
        Ok(Err(e)) => return Err(format!("the server task: {e}")),
        Err(_) => return Err("the server did not stop".to_owned()),
    }
    handlers.all_ended(Duration::from_secs(3)).await?;
    Ok(tally)
}

/// Run `seeds` through `run`, `batch` at a time; after each batch the runtime must be back to
/// the tasks it had.
async fn many<F, Fut>(name: &str, seeds: Vec<u64>, batch: usize, run: F) -> Tally
where
    F: Fn(u64) -> Fut,
    Fut: std::future::Future<Output = Result<Tally, String>>,
{
    fault_support::quiet_injected_panics();
    let baseline = alive_tasks();
    let mut total = Tally::new();
    for chunk in seeds.chunks(batch) {
        let results = join_all(chunk.iter().map(|&seed| {
            let run = run(seed);
            async move { (seed, run.await) }
        }))
        .await;
        for (seed, result) in results {
            match result {
                Ok(tally) => {
                    for (k, v) in tally {
                        *total.entry(k).or_default() += v;
                    }
                }
                Err(e) => panic!("{name}, seed {seed} (rerun with FAULT_SEED={seed}): {e}"),
            }
        }
        if let Err(left) = tasks_back_to(baseline, Duration::from_secs(5)).await {
            panic!("{name}, seeds {chunk:?}: {left} tasks alive, {baseline} before");
        }
    }
    eprintln!("{name}: {} seeds, outcomes {total:?}", seeds.len());
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_under_reordering_duplication_and_delay() {
    let total = many("lossless", seeds(0, 96), 12, |seed| engine_run(seed, false)).await;
    assert!(seeds(0, 96).is_empty() || total.contains_key(&Outcome::Answered), "some calls got through: {total:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_under_loss_truncation_and_failing_io() {
    many("lossy", seeds(1_000_000, 96), 12, |seed| engine_run(seed, true)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_server_with_a_slow_or_failing_event_store() {
    many("http", seeds(2_000_000, 40), 8, http_run).await;
}

/// Found by the HTTP runs: each SSE answer left its write watchdog behind as an idle task for a
/// quarter of `sse_write_timeout` (7.5 s by default) after the stream had ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sse_answer_leaves_no_task_behind() {
    let baseline = alive_tasks();
    let service = StreamableHttpService::new(Misbehaving::default, StreamableHttpConfig::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/mcp", listener.local_addr().expect("address"));
    let stop = CancellationToken::new();
    let serving = tokio::spawn(service.clone().serve_listener(listener, stop.clone()));
    let protocol = ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25);
    let client = SamplingClient { protocol }.serve(StreamableHttpClientTransport::new(url)).await.expect("connects");
    // It waits before answering, so the answer comes as SSE; sampling opens a second stream.
    for tool in ["sleep", "sample"] {
        client.call_tool(rmcp_core::model::CallToolRequestParams::new(tool)).await.expect("answered");
    }
    client.cancel().await;
    stop.cancel();
    serving.await.expect("joins").expect("serves");
    tasks_back_to(baseline, Duration::from_secs(2)).await.expect("no task outlives the server");
}

/// Wait until `check` holds (at most 5 s).
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The stats see work in flight (the runs above would pass on stats that always said zero).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_the_work_in_flight() {
    let (a, b) = duplex(64 * 1024);
    let server = tokio::spawn(Misbehaving { hang_cap: HANG_FOREVER, ..Default::default() }.serve(a));
    let protocol = ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25);
    let client = SamplingClient { protocol }.serve(b).await.expect("connects");
    let server = server.await.expect("joins").expect("serves");
    let hanging = tokio::spawn({
        let peer = client.peer().clone();
        let progress = RequestOptions::new().on_progress(|_| {});
        async move { peer.call_tool_with(rmcp_core::model::CallToolRequestParams::new("hang"), progress).await }
    });
    eventually("the call is counted on both sides", async || {
        let (c, s) = (client.stats().await.expect("runs"), server.stats().await.expect("runs"));
        c.pending_requests == 1 && c.progress_subscriptions == 1 && s.requests_running == 1 && s.tasks == 1
    })
    .await;
    hanging.abort();
    eventually("the cancelled call is forgotten", async || {
        client.stats().await.expect("runs").is_idle() && server.stats().await.expect("runs").is_idle()
    })
    .await;
    let peer = client.peer().clone();
    client.cancel().await;
    server.waiting().await;
    assert_eq!(peer.stats().await, None, "no stats once the engine is gone");

    let service = StreamableHttpService::new(
        || Misbehaving { hang_cap: HANG_FOREVER, ..Default::default() },
        StreamableHttpConfig::default(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/mcp", listener.local_addr().expect("address"));
    let stop = CancellationToken::new();
    let serving = tokio::spawn(service.clone().serve_listener(listener, stop.clone()));
    let client = SamplingClient { protocol: ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25) }
        .serve(StreamableHttpClientTransport::new(url))
        .await
        .expect("connects");
    let hanging = tokio::spawn({
        let peer = client.peer().clone();
        async move { peer.call_tool(rmcp_core::model::CallToolRequestParams::new("hang")).await }
    });
    eventually("the HTTP request is counted", async || {
        let s = service.stats();
        s.sessions == 1 && s.session_requests_in_flight == 1 && s.post_streams == 1 && s.posts_open == 1
    })
    .await;
    hanging.abort();
    eventually("the cancelled HTTP request is forgotten", async || {
        let s = service.stats();
        s.sessions == 1 && s.session_requests_in_flight == 0 && s.post_streams == 0 && s.direct_handlers_running == 0
    })
    .await;
    client.cancel().await;
    eventually("the deleted session is gone", async || service.stats().is_idle()).await;
    stop.cancel();
    serving.await.expect("joins").expect("serves");
}

/// Found by the lossy runs: once an engine had stopped serving, it still took requests (and
/// stats queries) into its queue for as long as its writer took to give up on a peer that does
/// not read (5 s), and only then failed them. They now fail at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_engine_refuses_at_once() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    // A server that answers the handshake, then never reads again, through a small pipe.
    let (client_end, server_end) = tokio::io::duplex(64);
    let (read, mut write) = tokio::io::split(server_end);
    let mut lines = BufReader::new(read).lines();
    let server = tokio::spawn(async move {
        let line = lines.next_line().await.expect("reads").expect("an initialize request");
        let id = serde_json::from_str::<serde_json::Value>(&line).expect("json")["id"].clone();
        let result = serde_json::json!({"protocolVersion": "2025-11-25", "capabilities": {},
            "serverInfo": {"name": "deaf", "version": "0"}});
        let answer = serde_json::json!({"jsonrpc": "2.0", "id": id, "result": result});
        write.write_all(format!("{answer}\n").as_bytes()).await.expect("writes");
        lines.next_line().await.expect("reads").expect("the initialized notification");
        // Stop reading, without closing.
        std::future::pending::<()>().await;
    });
    let protocol = ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25);
    let (read, write) = tokio::io::split(client_end);
    let client = SamplingClient { protocol }.serve((read, write)).await.expect("connects");
    let peer = client.peer().clone();
    // Its request fills the pipe: the writer is stuck until the engine gives up on it.
    let stuck = tokio::spawn({
        let peer = peer.clone();
        async move { peer.call_tool(rmcp_core::model::CallToolRequestParams::new("echo")).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let stopping = tokio::spawn(client.cancel());
    tokio::time::sleep(Duration::from_millis(50)).await;
    let quick = Duration::from_secs(1);
    assert_eq!(tokio::time::timeout(quick, peer.stats()).await, Ok(None), "no stats from a stopping engine");
    let late = tokio::time::timeout(quick, peer.call_tool(rmcp_core::model::CallToolRequestParams::new("echo"))).await;
    assert!(matches!(late, Ok(Err(ServiceError::TransportClosed))), "{late:?}");
    assert!(tokio::time::timeout(quick, stuck).await.is_ok(), "the call in flight ended");
    // The engine itself still gives its writer its time; the test does not wait for it.
    drop(stopping);
    server.abort();
}
