//! The guide's HTTP examples as real servers on 127.0.0.1: per-user tools behind API keys, a
//! call that survives its own dropped connection, a service mounted in axum, and a stateless
//! 2026-07-28 client.

mod guide_support;
mod support;

use std::time::Duration;

use guide_support::{call, http_server, run_to_end, text};
use rmcp_core::handler::ProtocolPreference;
use rmcp_core::model::{ErrorCode, ProtocolVersion};
use rmcp_core::service::{RequestOptions, ServiceExt};
use rmcp_core::transport::http::{StreamableHttpClientConfig, StreamableHttpClientTransport};
use rmcp_core::{RoleClient, RunningService};
use serde_json::json;
use support::Era;

const ERAS: [ProtocolPreference; 2] =
    [ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25), ProtocolPreference::Stateless];

/// A client of `era` at `url` presenting API key `key`.
async fn with_key(url: &str, key: &'static str, era: ProtocolPreference) -> RunningService<RoleClient, Era> {
    let auth = move || async move { Some(key.to_owned()) };
    let transport = StreamableHttpClientTransport::with_config(StreamableHttpClientConfig::new(url).with_auth(auth));
    Era(era).serve(transport).await.unwrap()
}

async fn tool_names(client: &RunningService<RoleClient, Era>) -> Vec<String> {
    client.list_all_tools().await.unwrap().into_iter().map(|t| t.name).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_user_gets_their_own_tools_and_notes() {
    let keys = [("API_KEYS", "alice:key-a:admin, bob:key-b")];
    let (_server, url, _) = http_server(env!("CARGO_BIN_EXE_per-user-tools"), &[], &keys).await;
    for era in ERAS {
        let alice = with_key(&url, "key-a", era.clone()).await;
        let bob = with_key(&url, "key-b", era.clone()).await;
        assert_eq!(tool_names(&alice).await, ["whoami", "add_note", "my_notes", "note_counts"], "{era:?}");
        assert_eq!(tool_names(&bob).await, ["whoami", "add_note", "my_notes"], "{era:?}");
        assert_eq!(text(&alice.call_tool(call("whoami", json!({}))).await.unwrap()), "alice");
        assert_eq!(text(&bob.call_tool(call("whoami", json!({}))).await.unwrap()), "bob");

        let note = format!("bob's note ({era:?})");
        bob.call_tool(call("add_note", json!({"text": note}))).await.unwrap();
        assert!(text(&bob.call_tool(call("my_notes", json!({}))).await.unwrap()).contains(&note));
        assert!(!text(&alice.call_tool(call("my_notes", json!({}))).await.unwrap()).contains("bob's"), "{era:?}");
        let counts = text(&alice.call_tool(call("note_counts", json!({}))).await.unwrap());
        assert!(counts.contains("bob: "), "{counts}");

        // A tool bob is not shown is unknown to him.
        let refused = bob.call_tool(call("note_counts", json!({}))).await.unwrap_err();
        assert_eq!(refused.as_error_response().map(|e| e.code), Some(ErrorCode::INVALID_PARAMS), "{era:?}");
        // Unknown and missing keys stop at the door.
        let stranger = StreamableHttpClientConfig::new(&url).with_auth(|| async { Some("key-x".to_owned()) });
        assert!(Era(era.clone()).serve(StreamableHttpClientTransport::with_config(stranger)).await.is_err());
        assert!(Era(era.clone()).serve(StreamableHttpClientTransport::new(url.as_str())).await.is_err());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_survives_its_dropped_connection() {
    let (_server, url, stderr) = http_server(env!("CARGO_BIN_EXE_resumable-server"), &[], &[]).await;
    let client = Era(ERAS[0].clone()).serve(StreamableHttpClientTransport::new(url.as_str())).await.unwrap();
    let (options, mut progress) = RequestOptions::new().with_progress_stream();
    let result = client.call_tool_with(call("report", json!({"sections": 4})), options).await.unwrap();
    assert_eq!(text(&result), "report of 4 sections written");
    stderr.wait_for("report: closing the connection after section 1").await;
    // The client came back with Last-Event-ID and got the rest, progress included.
    stderr.wait_for("resumed: GET with Last-Event-ID").await;
    let mut seen = Vec::new();
    while seen.len() < 4
        && let Ok(Some(p)) = tokio::time::timeout(Duration::from_secs(5), progress.recv()).await
    {
        seen.push(p.progress);
    }
    assert_eq!(seen, [1.0, 2.0, 3.0, 4.0]);
    assert_eq!(stderr.text().matches("resumed:").count(), 1, "{}", stderr.text());

    // A stateless request has no session to resume in: it keeps its connection.
    let client = Era(ERAS[1].clone()).serve(StreamableHttpClientTransport::new(url.as_str())).await.unwrap();
    assert_eq!(
        text(&client.call_tool(call("report", json!({"sections": 2}))).await.unwrap()),
        "report of 2 sections written"
    );
    assert_eq!(stderr.text().matches("resumed:").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mounted_service_shares_its_router_with_other_routes() {
    let (_server, url, _) = http_server(env!("CARGO_BIN_EXE_axum-mount"), &[], &[]).await;
    let base = url.trim_end_matches("/mcp");
    let health = reqwest::get(format!("{base}/health")).await.unwrap();
    assert_eq!((health.status().as_u16(), health.text().await.unwrap().as_str()), (200, "ok"));
    assert_eq!(reqwest::get(format!("{base}/elsewhere")).await.unwrap().status().as_u16(), 404);
    for era in ERAS {
        let client = Era(era.clone()).serve(StreamableHttpClientTransport::new(url.as_str())).await.unwrap();
        let seen = client.call_tool(call("client_address", json!({}))).await.unwrap();
        assert_eq!(text(&seen), "127.0.0.1", "{era:?}: the middleware's RemoteAddr reached the handler");
        client.cancel().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stateless_client_needs_no_session() {
    let (_server, url, _) = http_server(env!("CARGO_BIN_EXE_calculator"), &[], &[]).await;
    let out = run_to_end(env!("CARGO_BIN_EXE_stateless-http"), &["--url", &url], &[]).await;
    let sums: Vec<String> = (0..20).map(|i| (2 * i).to_string()).collect();
    let expected = format!(
        "by hand: HTTP 200 OK, session id: none, 2 + 3 = \"5\"\nwith the SDK: protocol 2026-07-28, 20 calls at once: {}\n",
        sums.join(" ")
    );
    assert_eq!(out, expected);
}
