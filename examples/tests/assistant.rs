//! The `assistant` server and the clients of issue #5 as real child processes: `sampling-client`
//! in both eras (same answers), `progress-client` in both eras (progress, timeout, cancellation)
//! and `fanout-client` over stdio and HTTP calculators; plus `assistant` driven directly by an
//! in-test client, to see the 2026-07-28 `input_required` round the clients never show.

mod support;

use std::process::Stdio;
use std::time::Duration;

use rmcp_core::ClientHandler;
use rmcp_core::handler::{ClientInfo, ProtocolPreference};
use rmcp_core::model::{CallToolRequestParams, ClientCapabilities, ErrorCode, Implementation, ProtocolVersion};
use rmcp_core::service::{RoleClient, RunningService, ServiceExt};
use rmcp_core::transport::ChildProcess;
use serde_json::{Value, json};
use tokio::process::Command;

const ASSISTANT: &str = env!("CARGO_BIN_EXE_assistant");

/// Run an example binary to completion (at most 60 s) and return its stdout; panics, showing
/// both streams, unless it succeeds.
async fn run(program: &str, args: &[&str], dir: Option<&std::path::Path>) -> String {
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(Stdio::null()).kill_on_drop(true);
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .unwrap_or_else(|_| panic!("{program} {args:?} did not finish in 60 s"))
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{program} {args:?}: {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}", out.status);
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sampling_client_gets_the_same_answers_in_both_eras() {
    // A working directory whose name needs percent-encoding in the root's URI.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sampling client root");
    std::fs::create_dir_all(&dir).unwrap();
    let mut outputs = Vec::new();
    for (era, version) in [("2025", "2025-11-25"), ("2026", "2026-07-28")] {
        let out = run(env!("CARGO_BIN_EXE_sampling-client"), &["--era", era], Some(&dir)).await;
        let (first, rest) = out.split_once('\n').unwrap();
        assert_eq!(first, format!("connected to assistant over stdio, protocol {version}"), "{out}");
        for expected in [
            // The stand-in model's answer, returned by the tool as its result.
            "  => summary: The Model Context Protocol lets…\n",
            "  [user] asked \"What is your name?\", answers \"Ada\"\n",
            "  => Hello, Ada!\n",
            "  [client] shares 1 root\n",
        ] {
            assert!(rest.contains(expected), "era {era}: {expected:?} missing from\n{out}");
        }
        let root = rest.lines().find(|l| l.starts_with("  => sampling client root: file:///")).unwrap_or_else(|| {
            panic!("era {era}: no root line in\n{out}");
        });
        assert!(root.ends_with("/sampling%20client%20root"), "{root}");
        assert!(!rest.contains("tool error"), "{out}");
        outputs.push(rest.to_owned());
    }
    // Same handler code, same answers, same number of questions: only the protocol line differs.
    assert_eq!(outputs[0], outputs[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_client_sees_progress_a_timeout_kept_alive_and_cancellations_in_both_eras() {
    for era in ["2025", "2026"] {
        let out = run(env!("CARGO_BIN_EXE_progress-client"), &["--era", era], None).await;
        let progress = out.lines().filter(|l| l.trim_start().starts_with("progress ")).count();
        // 5 from the first countdown, 3 before dropping the last one.
        assert!(progress >= 3, "era {era}: {progress} progress lines in\n{out}");
        for expected in [
            "  progress 1/5 (4 to go)\n  progress 2/5 (3 to go)\n  progress 3/5 (2 to go)\n",
            "  => counted down from 5: liftoff (5 progress notifications)\n",
            // 1.5 s of countdown under a 1 s timeout: only the resets let it finish.
            "  => counted down from 15: liftoff after about",
            "  => timed out after 1s\n",
            "  dropped the call: its result will never arrive\n",
            "countdown(1) afterwards: counted down from 1: liftoff\n",
        ] {
            assert!(out.contains(expected), "era {era}: {expected:?} missing from\n{out}");
        }
        // Both the timed-out call and the dropped one were seen cancelled by the server itself.
        // Both stopped early: the server counted only part of the way.
        let prefix = "  the server saw the cancellation: countdown: cancelled by the client after ";
        let stopped: Vec<(u32, u32)> = out
            .lines()
            .filter_map(|l| l.strip_prefix(prefix)?.strip_suffix(" steps")?.split_once(" of "))
            .map(|(done, of)| (done.parse().unwrap(), of.parse().unwrap()))
            .collect();
        assert_eq!(stopped.len(), 2, "era {era}:\n{out}");
        let (timed_out, dropped) = (stopped[0], stopped[1]);
        assert!(timed_out.1 == 15 && timed_out.0 < 15, "era {era}: {timed_out:?}");
        assert!(dropped.1 == 50 && (3..50).contains(&dropped.0), "era {era}: {dropped:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fanout_client_reports_100_results_and_no_errors() {
    let out = run(env!("CARGO_BIN_EXE_fanout-client"), &[], None).await;
    assert!(out.contains("server old: calculator over stdio, protocol 2025-11-25\n"), "{out}");
    assert!(out.contains("server new: calculator over stdio, protocol 2026-07-28\n"), "{out}");
    assert!(out.contains("8 tools:\n  old__add\n"), "{out}");
    assert!(out.contains("\n  new__div\n"), "{out}");
    assert!(out.contains("  old: 50 calls, 0 errors, 0 wrong\n  new: 50 calls, 0 errors, 0 wrong\n"), "{out}");
    assert!(out.contains("fanned out 100 calls over 2 servers"), "{out}");
    assert!(out.contains(": 100 results, 0 errors, 0 wrong\n"), "{out}");

    let (_server, url) = support::serve_over_http(env!("CARGO_BIN_EXE_calculator")).await;
    let out = run(env!("CARGO_BIN_EXE_fanout-client"), &["--url", &url], None).await;
    assert!(out.contains(&format!("server remote: {url}, protocol 2026-07-28\n")), "{out}");
    assert!(out.contains("12 tools:\n"), "{out}");
    assert!(out.contains("\n  remote__add\n"), "{out}");
    assert!(out.contains("  old: 34 calls, 0 errors, 0 wrong\n"), "{out}");
    assert!(out.contains("  remote: 33 calls, 0 errors, 0 wrong\n"), "{out}");
    assert!(out.contains("fanned out 100 calls over 3 servers"), "{out}");
    assert!(out.contains(": 100 results, 0 errors, 0 wrong\n"), "{out}");
}

/// An in-test client of the given era and capabilities that answers nothing itself.
struct Bare(ProtocolPreference, ClientCapabilities);

impl ClientHandler for Bare {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::new(Implementation::new("assistant-test", "0"), self.1.clone()).with_protocol(self.0.clone())
    }
}

async fn assistant(protocol: ProtocolPreference, capabilities: ClientCapabilities) -> RunningService<RoleClient, Bare> {
    let child = ChildProcess::builder(Command::new(ASSISTANT)).discard_stderr().spawn().unwrap();
    Bare(protocol, capabilities).serve(child).await.unwrap()
}

fn call(name: &str, arguments: Value) -> CallToolRequestParams {
    let params = CallToolRequestParams::new(name);
    match arguments {
        Value::Object(arguments) => params.with_arguments(arguments),
        _ => params,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn greet_on_2026_is_an_input_required_round_then_a_greeting() {
    let caps = ClientCapabilities::builder().enable_elicitation().build();
    let client = assistant(ProtocolPreference::Stateless, caps).await;
    // The raw request, bypassing `call_tool`'s retry driver, to see the round it hides.
    let first: Value =
        client.send_request("tools/call", &call("greet", Value::Null), Default::default()).await.unwrap();
    assert_eq!(first["resultType"], "input_required", "{first}");
    let asked = &first["inputRequests"]["name"];
    assert_eq!(asked["method"], "elicitation/create", "{first}");
    assert_eq!(asked["params"]["message"], "What is your name?", "{first}");
    assert_eq!(asked["params"]["requestedSchema"]["properties"]["name"]["type"], "string", "{first}");

    let answers = json!({"name": {"action": "accept", "content": {"name": "Grace"}}});
    let mut retry = call("greet", Value::Null).with_input_responses(answers.as_object().unwrap().clone());
    if let Some(state) = first["requestState"].as_str() {
        retry = retry.with_request_state(state);
    }
    let done: Value = client.send_request("tools/call", &retry, Default::default()).await.unwrap();
    assert_eq!(done["resultType"], "complete", "{done}");
    assert_eq!(done["content"][0]["text"], "Hello, Grace!", "{done}");

    let declined = json!({"name": {"action": "decline"}});
    let retry = call("greet", Value::Null).with_input_responses(declined.as_object().unwrap().clone());
    let done: Value = client.send_request("tools/call", &retry, Default::default()).await.unwrap();
    assert_eq!(done["content"][0]["text"], "Hello, stranger who keeps their name!", "{done}");
    client.cancel().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_refuse_a_client_without_the_capabilities_in_both_eras() {
    for (protocol, version) in [
        (ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25), ProtocolVersion::V2025_11_25),
        (ProtocolPreference::Stateless, ProtocolVersion::V2026_07_28),
    ] {
        let client = assistant(protocol, ClientCapabilities::default()).await;
        assert_eq!(client.protocol_version(), Some(version.clone()));
        let names: Vec<String> = client.list_all_tools().await.unwrap().into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["summarize", "greet", "workspace", "countdown"], "{version}");

        for (tool, arguments, capability) in [
            ("summarize", json!({"text": "hello"}), "sampling"),
            ("greet", Value::Null, "elicitation"),
            ("workspace", Value::Null, "roots"),
        ] {
            let err = client.call_tool(call(tool, arguments)).await.unwrap_err();
            let e = err.as_error_response().unwrap_or_else(|| panic!("{version} {tool}: {err:?}"));
            assert_eq!(e.code, ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY, "{version} {tool}");
            assert_eq!(e.data.as_ref().unwrap()["requiredCapabilities"], json!({capability: {}}), "{version} {tool}");
        }

        // `countdown` needs nothing from the client; without a progress token it just counts.
        let r = client.call_tool(call("countdown", json!({"from": 2}))).await.unwrap();
        assert_eq!(examples::text_of(&r), "counted down from 2: liftoff", "{version}");
        let r = client.call_tool(call("countdown", json!({"from": 601}))).await.unwrap();
        assert!(r.is_error(), "{version}");
        assert_eq!(examples::text_of(&r), "`from` is 601; the most is 600", "{version}");
        client.cancel().await;
    }
}
