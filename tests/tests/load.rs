//! Load: 1,000 calls in flight on one connection, and 50 HTTP clients x 200 calls each. Every
//! answer must match its request (none lost, none duplicated, none crossed), and memory must
//! come back: a second identical wave may not grow the process by more than a few MB, and the
//! server must hold no sessions once the clients are gone.

mod common;
mod http_support;

use std::time::Duration;

use common::{TestServer, call, text_of};
use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference};
use rmcp_core::model::ProtocolVersion;
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::duplex;
use rmcp_core::transport::http::{StreamableHttpClientTransport, StreamableHttpConfig};
use serde_json::json;

struct Client(ProtocolPreference);

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.0.clone())
    }
}

/// Held by each test for its whole run: memory is measured for the process, so the tests of
/// this file must not overlap.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Resident memory of this process in kB.
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// `n` echo calls with all of them in flight at once; each answer must carry its own payload.
async fn wave_in_flight(client: &rmcp_core::Peer<rmcp_core::RoleClient>, n: usize, tag: &str) {
    let calls = (0..n).map(|i| call("echo", json!({"text": format!("{tag}-{i}")})));
    let results = client.call_tools(calls, n).await;
    assert_eq!(results.len(), n);
    for (i, r) in results.into_iter().enumerate() {
        assert_eq!(text_of(&r.unwrap()), format!("{tag}-{i}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_in_flight_on_one_connection() {
    let _alone = ONE_AT_A_TIME.lock().await;
    for protocol in [ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25), ProtocolPreference::Stateless] {
        let (a, b) = duplex(1 << 16);
        let (server, _events) = TestServer::new();
        let _server = server.serve(a).await.unwrap();
        let client = Client(protocol).serve(b).await.unwrap();
        wave_in_flight(&client, 1000, "warm").await;
        let before = rss_kb();
        for round in 0..3 {
            wave_in_flight(&client, 1000, &format!("r{round}")).await;
        }
        let grown = rss_kb().saturating_sub(before);
        assert!(grown < 8 * 1024, "3,000 more calls grew the process by {grown} kB");
        client.cancel().await;
    }
}

/// 50 clients with their own HTTP sessions, 200 sequential calls each, all clients at once.
async fn http_wave(url: &str, protocol: &ProtocolPreference, wave: usize) {
    let clients = (0..50).map(|c| {
        let (url, protocol) = (url.to_owned(), protocol.clone());
        tokio::spawn(async move {
            let client = Client(protocol).serve(StreamableHttpClientTransport::new(url)).await.unwrap();
            for i in 0..200 {
                let text = format!("w{wave}-c{c}-{i}");
                let r = client.call_tool(call("echo", json!({"text": text}))).await.unwrap();
                assert_eq!(http_support::text_of(&r), text);
            }
            client.cancel().await;
        })
    });
    for c in futures::future::join_all(clients).await {
        c.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_http_clients_times_two_hundred_calls() {
    let _alone = ONE_AT_A_TIME.lock().await;
    for protocol in [ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25), ProtocolPreference::Stateless] {
        let server = http_support::start(StreamableHttpConfig::default()).await;
        http_wave(&server.url, &protocol, 0).await;
        // The memory check needs a second wave; sessions are the state that could pile up, so
        // it runs on the stateful era (the stateless one keeps no per-client state at all).
        if matches!(protocol, ProtocolPreference::Stateful(_)) {
            let before = rss_kb();
            http_wave(&server.url, &protocol, 1).await;
            let grown = rss_kb().saturating_sub(before);
            assert!(grown < 8 * 1024, "10,000 more calls over HTTP grew the process by {grown} kB");
        }
        // Closed clients delete their sessions: the server holds none afterwards.
        tokio::time::timeout(Duration::from_secs(5), async {
            while server.service.session_count() > 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{} sessions left after the clients closed", server.service.session_count()));
    }
}
