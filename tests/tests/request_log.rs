//! The request log over an in-process duplex pair, captured by a scoped `tracing` subscriber.
//!
//! This test has a binary of its own: `tracing` caches a callsite's interest the first time any
//! thread reaches it, so a parallel test without a subscriber reaching the request log's
//! callsites first would make them silent for this test's scoped subscriber too.

mod middleware_support;

use std::sync::Arc;

use middleware_support::{Client, Office, call};
use rmcp_core::handler::middleware::RequestLogLayer;
use rmcp_core::handler::{ProtocolPreference, ServerHandler};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::duplex;
use serde_json::json;

/// The request log writes one event per request, naming the method, the tool and the outcome.
#[tokio::test]
async fn the_request_log_records_each_request() {
    #[derive(Clone, Default)]
    struct Capture(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Capture {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let lines = Capture::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
    // This test's runtime has one thread, so the server's tasks log to this subscriber too.
    let _default = tracing::subscriber::set_default(subscriber);

    let (server_end, client_end) = duplex(64 * 1024);
    tokio::spawn(async move {
        let server = Office::new().layer(RequestLogLayer::new()).serve(server_end).await.unwrap();
        server.waiting().await;
    });
    let client = Client(ProtocolPreference::Auto).serve(client_end).await.unwrap();
    client.call_tool(call("greet", json!({}))).await.unwrap();
    client.call_tool(call("whoami", json!({}))).await.unwrap_err();
    client.cancel().await;

    let log = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    let requests: Vec<&str> = log.lines().filter(|l| l.contains("rmcp_core::request_log")).collect();
    assert_eq!(requests.len(), 3, "{log}");
    assert!(requests[0].contains("method=\"server/discover\"") && requests[0].contains("outcome=\"ok\""), "{log}");
    assert!(requests[1].contains("target=\"greet\"") && requests[1].contains("outcome=\"ok\""), "{log}");
    assert!(requests[2].contains("target=\"whoami\"") && requests[2].contains("outcome=\"-32600\""), "{log}");
}
