//! The Streamable HTTP server's resource limits and timers: session slots, stream budgets,
//! connection limits, body and header deadlines, and what the event store keeps.

mod http_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use http_support::raw::{ACCEPT, expect_error, json_of, open_session, post, ready_session, stateless, tool_call};
use http_support::{meta, sse_events, start};
use reqwest::StatusCode;
use rmcp_core::transport::http::{EventStore, EventStoreError, InMemoryEventStore, StoredEvent, StreamableHttpConfig};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Wait until `check` holds, at most three seconds.
async fn eventually(mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..300 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    check()
}

fn get(url: &str, session: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new().get(url).header("accept", "text/event-stream").header("Mcp-Session-Id", session)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_that_never_follow_up_on_initialize_are_closed_early() {
    let config = StreamableHttpConfig::default().with_session_init_timeout(Some(Duration::from_millis(300)));
    let server = start(config).await;
    let url = &server.url;
    let abandoned = open_session(url).await;
    // A standalone stream does not count as using the session.
    let _stream = get(url, &abandoned).send().await.unwrap();
    let used = ready_session(url, "2025-11-25").await;
    assert_eq!(server.service.session_count(), 2);
    assert!(eventually(|| server.service.session_count() == 1).await, "the abandoned session was closed");
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let r = post(url, &list).header("Mcp-Session-Id", &abandoned).send().await.unwrap();
    expect_error(r, StatusCode::NOT_FOUND, -32600, json!(2)).await;
    let r = post(url, &list).header("Mcp-Session-Id", &used).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_lived_streams_have_a_budget_of_their_own() {
    let config = StreamableHttpConfig::default().with_max_concurrent_streams(1).with_max_long_lived_streams(1);
    let server = start(config).await;
    let url = &server.url;
    let (a, b) = (ready_session(url, "2025-11-25").await, ready_session(url, "2025-11-25").await);
    let open = get(url, &a).send().await.unwrap();
    assert_eq!(open.status(), StatusCode::OK);
    // The long-lived budget is spent...
    let r = get(url, &b).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "1");
    let listen = json!({"jsonrpc": "2.0", "id": "l", "method": "subscriptions/listen",
        "params": {"notifications": {"toolsListChanged": true}, "_meta": meta()}});
    let r = stateless(url, &listen).send().await.unwrap();
    expect_error(r, StatusCode::SERVICE_UNAVAILABLE, -32603, json!("l")).await;
    // ...but requests still have theirs.
    let r = post(url, &tool_call(json!(3), "echo", json!({"text": "x"}))).header("Mcp-Session-Id", &b);
    assert_eq!(json_of(r.send().await.unwrap()).await["result"]["content"][0]["text"], "x");
    drop(open);
    let mut freed = false;
    for _ in 0..100 {
        if get(url, &b).send().await.unwrap().status() == StatusCode::OK {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(freed, "closing a stream frees its slot");
}

/// Send raw bytes on a new connection; returns the connection.
async fn raw(addr: std::net::SocketAddr, bytes: &str) -> TcpStream {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    tcp.write_all(bytes.as_bytes()).await.unwrap();
    tcp
}

/// Read until the server closes the connection (or three seconds pass); returns what came.
async fn read_to_close(tcp: &mut TcpStream) -> Option<String> {
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(3), async {
        let mut buf = [0u8; 1024];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    });
    read.await.ok().map(|()| String::from_utf8_lossy(&out).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_does_not_arrive_in_time_is_refused_with_408() {
    let server = start(StreamableHttpConfig::default().with_body_read_timeout(Some(Duration::from_millis(200)))).await;
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: {ACCEPT}\r\n\
         Content-Length: 100\r\n\r\n{{\"jsonrpc\"",
        server.addr
    );
    let mut tcp = raw(server.addr, &head).await;
    let answer = read_to_close(&mut tcp).await.expect("answered, and the connection closed");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_that_do_not_arrive_in_time_close_the_connection() {
    let server =
        start(StreamableHttpConfig::default().with_header_read_timeout(Some(Duration::from_millis(200)))).await;
    let mut tcp = raw(server.addr, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n").await;
    let answer = read_to_close(&mut tcp).await;
    assert!(answer.is_some(), "the connection was closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let server = start(StreamableHttpConfig::default().with_max_connections(1)).await;
    let idle = raw(server.addr, "").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta()}});
    let waiting = stateless(&server.url, &list).timeout(Duration::from_millis(400)).send().await;
    assert!(waiting.is_err(), "not served while the only slot is taken");
    drop(idle);
    let served = stateless(&server.url, &list).timeout(Duration::from_secs(3)).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
}

/// An event store counting what it is given.
#[derive(Debug, Default)]
struct Counting {
    stored: AtomicUsize,
    inner: InMemoryEventStore,
}

impl EventStore for Counting {
    fn store<'a>(&'a self, session: &'a str, event: StoredEvent) -> BoxFuture<'a, Result<(), EventStoreError>> {
        self.stored.fetch_add(1, Ordering::SeqCst);
        self.inner.store(session, event)
    }
    fn delivered(&self, session: &str, stream: u64, seq: u64) {
        self.inner.delivered(session, stream, seq);
    }
    fn replay<'a>(
        &'a self,
        session: &'a str,
        stream: u64,
        after: u64,
    ) -> BoxFuture<'a, Result<Vec<StoredEvent>, EventStoreError>> {
        self.inner.replay(session, stream, after)
    }
    fn remove_session<'a>(&'a self, session: &'a str) -> BoxFuture<'a, ()> {
        self.inner.remove_session(session)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_answers_are_not_kept_for_resumption() {
    let store = Arc::new(Counting::default());
    let config = StreamableHttpConfig::default().with_json_response(true).with_event_store(Some(store.clone()));
    let server = start(config).await;
    let session = ready_session(&server.url, "2025-11-25").await;
    let call = tool_call(json!(1), "echo", json!({"text": "x"}));
    let r = post(&server.url, &call).header("Mcp-Session-Id", &session).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(store.stored.load(Ordering::SeqCst), 0, "a JSON answer cannot be resumed");

    // An SSE answer is kept.
    let config = StreamableHttpConfig::default().with_event_store(Some(store.clone()));
    let server = start(config).await;
    let session = ready_session(&server.url, "2025-11-25").await;
    let mut call = tool_call(json!(2), "progress", json!({"steps": 1}));
    call["params"]["_meta"] = json!({"progressToken": "p"});
    let mut r = post(&server.url, &call).header("Mcp-Session-Id", &session).send().await.unwrap();
    let events: Vec<Value> = sse_events(&mut r, &mut String::new(), 2).await;
    assert_eq!(events[1]["id"], 2);
    assert_eq!(store.stored.load(Ordering::SeqCst), 2);
}
