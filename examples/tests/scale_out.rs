//! Three `assistant --http ... --redis ...` processes behind a real nginx balancing round-robin,
//! one Redis between them, and our client through nginx: an instance is killed with SIGKILL in
//! the middle of a call's stream, twenty times over, and every call is answered (its result, or
//! an error saying the instance running it stopped), none left hanging; the session goes on on
//! the instances that remain, and on the one started in the dead one's place.

#[path = "../../rmcp-redis/tests/support/mod.rs"]
mod redis_support;

use std::process::Stdio;
use std::time::Duration;

use redis_support::RedisServer;
use redis_support::nginx::Nginx;
use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference};
use rmcp_core::model::{CallToolRequestParams, Implementation, ProtocolVersion};
use rmcp_core::service::{RequestOptions, ServiceExt};
use rmcp_core::transport::http::StreamableHttpClientTransport;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

/// How many times an instance is killed mid-stream.
const KILLS: usize = 20;

/// A 2025-era client (sessions: what there is to share between instances).
struct Client;

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::new(Implementation::new("scale-out-kill", "0"), Default::default())
            .with_protocol(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
    }
}

/// One `assistant` process on a fixed port; what it logs of its countdowns goes to `steps`,
/// tagged with its index.
struct Instance {
    child: Child,
}

async fn start(index: usize, port: u16, redis: &str, steps: mpsc::UnboundedSender<usize>) -> Instance {
    let binary = env!("CARGO_BIN_EXE_assistant");
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(binary)
        .args(["--http", &addr, "--redis", redis])
        .env("RUST_LOG", "assistant=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("assistant starts");
    let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(line) = lines.next_line().await.expect("stderr") {
            if line.starts_with("serving Streamable HTTP at ") {
                return;
            }
        }
        panic!("assistant exited before serving");
    })
    .await
    .expect("assistant serves within 10 s");
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("countdown step") {
                let _ = steps.send(index);
            }
        }
    });
    Instance { child }
}

/// How the calls whose instance was killed were answered.
#[derive(Debug, Default)]
struct Outcomes {
    /// With their result (the kill came too late to matter).
    result: usize,
    /// With a JSON-RPC error from the instance the client resumed the stream on, once the dead
    /// one's liveness expired.
    error_from_another_instance: usize,
    /// With the balancer's 502: the instance died before its response began.
    bad_gateway_before_the_stream: usize,
}

fn countdown(from: u32) -> CallToolRequestParams {
    let arguments = serde_json::json!({ "from": from }).as_object().cloned().unwrap();
    CallToolRequestParams::new("countdown").with_arguments(arguments)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_an_instance_mid_stream_loses_no_answer() {
    let Some(redis) = RedisServer::start() else { return };
    let (steps_tx, mut steps) = mpsc::unbounded_channel();
    let ports: Vec<u16> = (0..3).map(|_| redis_support::free_port()).collect();
    let mut instances = Vec::new();
    for (i, &port) in ports.iter().enumerate() {
        instances.push(start(i, port, &redis.url(), steps_tx.clone()).await);
    }
    let Some(nginx) = Nginx::start(&ports) else { return };
    let client = Client.serve(StreamableHttpClientTransport::new(nginx.url())).await.expect("initialize through nginx");

    let mut outcomes = Outcomes::default();
    for round in 0..KILLS {
        while steps.try_recv().is_ok() {}
        // Two seconds of countdown with progress: an SSE stream, stored step by step.
        let (progressed_tx, mut progressed) = mpsc::unbounded_channel();
        let options = RequestOptions::new().on_progress(move |_| {
            let _ = progressed_tx.send(());
        });
        let call = client.call_tool_with(countdown(20), options);
        tokio::pin!(call);
        // The instance that logs a step runs the call: kill it (SIGKILL). On even rounds once
        // the client has seen progress (its stream began: it resumes on another instance); on
        // odd ones at once, maybe before the response began (the balancer answers 502).
        let victim = tokio::select! {
            victim = steps.recv() => victim.expect("the instances log their steps"),
            result = &mut call => panic!("round {round}: the call ended before any step: {result:?}"),
        };
        if round % 2 == 0 {
            tokio::select! {
                _ = progressed.recv() => {}
                result = &mut call => panic!("round {round}: the call ended before any progress: {result:?}"),
            }
        }
        instances[victim].child.start_kill().expect("SIGKILL");
        let _ = instances[victim].child.wait().await;
        // Answered, one way or the other, well within the liveness timeout: never left hanging.
        let result = tokio::time::timeout(Duration::from_secs(20), &mut call)
            .await
            .unwrap_or_else(|_| panic!("round {round}: the call was left hanging after its instance died"));
        match result {
            Ok(result) => {
                assert!(!result.is_error(), "round {round}: {result:?}");
                outcomes.result += 1;
            }
            Err(e) => {
                let said = e.to_string();
                if said.contains("stopped before answering") {
                    outcomes.error_from_another_instance += 1;
                } else if said.contains("502") {
                    outcomes.bad_gateway_before_the_stream += 1;
                } else {
                    panic!("round {round}: a clear error, not {said}");
                }
            }
        }
        // A new instance in the dead one's place; the session goes on through every instance.
        instances[victim] = start(victim, ports[victim], &redis.url(), steps_tx.clone()).await;
        for _ in 0..3 {
            let result = client.call_tool(countdown(1)).await.expect("the session goes on");
            assert!(!result.is_error(), "round {round}: {result:?}");
        }
    }
    println!("{KILLS} instances killed mid-call: {outcomes:?}");
    assert_eq!(outcomes.result + outcomes.error_from_another_instance + outcomes.bad_gateway_before_the_stream, KILLS);
    assert!(outcomes.error_from_another_instance >= KILLS / 2, "every resumed stream got its error: {outcomes:?}");
}
