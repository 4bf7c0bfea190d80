//! The one-call server (`serve_listener`) against peers that would hold its connections: idle
//! and half-open connections, HTTP/2 preface stalls, HTTP/2 streams whose window never opens,
//! HTTP/2 peers that went away or sit idle, and too many connections from one address. Each test
//! checks that the peer's connection (or stream) is let go, and most that a legitimate client is
//! still served meanwhile.

mod http_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_support::raw::{ready_session, stateless};
use http_support::{Running, meta, start};
use reqwest::StatusCode;
use rmcp_core::transport::http::StreamableHttpConfig;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The timeouts of these tests.
const SHORT: Duration = Duration::from_millis(300);

/// The client preface of HTTP/2, and an empty SETTINGS frame.
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const SETTINGS: &[u8] = &[0, 0, 0, 4, 0, 0, 0, 0, 0];

/// A stateless `tools/list`, as a legitimate client sends it (on a connection of its own).
async fn served(server: &Running, within: Duration) -> bool {
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta()}});
    match stateless(&server.url, &list).timeout(within).send().await {
        Ok(response) => response.status() == StatusCode::OK,
        Err(_) => false,
    }
}

/// Open `n` connections, each sending `bytes` (maybe nothing) and then nothing more. The server
/// must accept them as they come: only 128 may wait in its listen backlog.
async fn open(addr: SocketAddr, n: usize, bytes: &[u8]) -> Vec<TcpStream> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let connect = tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr));
        let mut tcp = connect.await.expect("connected in time").expect("connect");
        if !bytes.is_empty() {
            tcp.write_all(bytes).await.unwrap();
        }
        out.push(tcp);
    }
    out
}

/// Whether the server has closed `tcp` (or does within `within`): a read ends or fails.
async fn closed(tcp: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 256];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, tcp.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return true,
            // A GOAWAY, a 408 and the like: what comes before the close.
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

/// How many of `conns` the server has not closed within `within` (all of them together).
async fn still_open(conns: &mut [TcpStream], within: Duration) -> usize {
    let deadline = tokio::time::Instant::now() + within;
    let mut open = 0;
    for tcp in conns {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if !closed(tcp, left.max(Duration::from_millis(1))).await {
            open += 1;
        }
    }
    open
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_connections_that_send_nothing_do_not_lock_out_a_client() {
    let config = StreamableHttpConfig::default().with_max_connections(1000).with_header_read_timeout(Some(SHORT));
    let server = start(config).await;
    // Every connection slot, held by a peer that sends nothing; the client waits in the backlog
    // until the first-request deadline gives the slots back.
    let mut idle = open(server.addr, 1000, b"").await;
    assert!(served(&server, Duration::from_secs(3)).await, "the client was served");
    assert_eq!(still_open(&mut idle, Duration::from_secs(2)).await, 0, "every idle connection was closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_requests_and_http2_preface_stalls_do_not_lock_out_a_client() {
    let config = StreamableHttpConfig::default().with_max_connections(200).with_header_read_timeout(Some(SHORT));
    let server = start(config).await;
    let mut stalled = Vec::new();
    // HTTP/1 headers that never end (hyper's own header deadline closes these)...
    stalled.extend(open(server.addr, 100, b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: applic").await);
    // ...then every slot, held by HTTP/2 preface stalls. Part of the preface: the server cannot
    // even tell the protocol yet.
    stalled.extend(open(server.addr, 100, &PREFACE[..16]).await);
    // The whole preface and SETTINGS, then no stream.
    stalled.extend(open(server.addr, 100, &[PREFACE, SETTINGS].concat()).await);
    assert!(served(&server, Duration::from_secs(3)).await, "the client was served");
    assert_eq!(still_open(&mut stalled, Duration::from_secs(2)).await, 0, "every stalled connection was closed");
}

/// An HTTP/2 connection to `server` whose streams get `window` bytes of flow-control window; the
/// caller drives the connection (it answers pings only while driven).
async fn h2_client(
    server: &Running,
    window: u32,
) -> (h2::client::SendRequest<Bytes>, h2::client::Connection<TcpStream, Bytes>) {
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    h2::client::Builder::new().initial_window_size(window).handshake(tcp).await.expect("an HTTP/2 handshake")
}

/// A GET opening the standalone SSE stream of `session`.
fn sse_get(server: &Running, session: &str) -> http::Request<()> {
    http::Request::get(&server.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", session)
        .body(())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_stream_whose_window_never_opens_is_reset_and_its_connection_let_go() {
    let config = StreamableHttpConfig::default()
        .with_max_connections(2)
        .with_sse_write_timeout(Some(SHORT))
        .with_http2_idle_timeout(Some(SHORT));
    let server = start(config).await;
    let session = ready_session(&server.url, "2025-11-25").await;
    // A live peer (its connection answers pings) that grants its streams no window at all.
    let (h2, connection) = h2_client(&server, 0).await;
    let connection = tokio::spawn(connection);
    let mut h2 = h2.ready().await.unwrap();
    let (response, _) = h2.send_request(sse_get(&server, &session), true).unwrap();
    let response = response.await.expect("the stream's headers (not flow-controlled)");
    assert_eq!(response.status(), StatusCode::OK);
    let opened = Instant::now();
    let mut body = response.into_body();
    // The priming event waits for a window that never opens.
    let data = tokio::time::timeout(Duration::from_secs(3), body.data()).await.expect("the stream was ended");
    let error = data.expect("no data came").expect_err("the stream was reset");
    assert_eq!(error.reason(), Some(h2::Reason::CANCEL), "{error}");
    assert!(opened.elapsed() >= SHORT);
    // With its last stream gone, the connection is idle, and the server closes it (the client
    // keeps its handle, which alone would keep the connection open).
    drop(body);
    let ended = tokio::time::timeout(Duration::from_secs(3), connection).await;
    assert!(ended.is_ok(), "the server closed the connection");
    assert!(served(&server, Duration::from_secs(3)).await);
    drop(h2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_peer_that_stops_answering_pings_is_let_go() {
    let config = StreamableHttpConfig::default()
        .with_max_connections(1)
        .with_http2_keep_alive(Some(SHORT), SHORT)
        .with_http2_idle_timeout(None);
    let server = start(config).await;
    let session = ready_session(&server.url, "2025-11-25").await;
    let (h2, mut connection) = h2_client(&server, 65_535).await;
    let mut h2 = h2.ready().await.unwrap();
    let (response, _) = h2.send_request(sse_get(&server, &session), true).unwrap();
    // Drive the connection until the stream is open, then never again: the peer "went away"
    // without closing its socket, and holds an open stream.
    let response = tokio::select! {
        response = response => response.unwrap(),
        _ = &mut connection => panic!("the connection ended"),
    };
    assert_eq!(response.status(), StatusCode::OK);
    // The one connection slot is taken until the unanswered pings give the peer up.
    assert!(served(&server, Duration::from_secs(3)).await, "the client was served after the pings timed out");
    // Read at last: the server has gone.
    let ended = tokio::time::timeout(Duration::from_secs(1), connection).await;
    assert!(ended.is_ok(), "the server closed the connection");
    drop(response);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_http2_connection_is_closed_and_its_stream_count_is_bounded() {
    let config =
        StreamableHttpConfig::default().with_http2_idle_timeout(Some(SHORT)).with_http2_max_concurrent_streams(7);
    let server = start(config).await;
    let (h2, connection) = h2_client(&server, 65_535).await;
    let connection = tokio::spawn(connection);
    let mut h2 = h2.ready().await.unwrap();
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta()}});
    let request = http::Request::post(&server.url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/list")
        .body(())
        .unwrap();
    let (response, mut send) = h2.send_request(request, false).unwrap();
    send.send_data(Bytes::from(list.to_string()), true).unwrap();
    let response = response.await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(h2.current_max_send_streams(), 7, "the server's SETTINGS bound the streams");
    let mut body = response.into_body();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.unwrap();
        let _ = body.flow_control().release_capacity(chunk.len());
    }
    let idle = Instant::now();
    // The client keeps the connection and answers pings; the server closes it when idle.
    let ended = tokio::time::timeout(Duration::from_secs(3), connection).await;
    assert!(ended.is_ok(), "the idle connection was closed");
    assert!(idle.elapsed() >= SHORT - Duration::from_millis(50), "{:?}", idle.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_per_address_cap_are_closed_at_once() {
    let server = start(StreamableHttpConfig::default().with_max_connections_per_ip(3)).await;
    let mut held = open(server.addr, 3, b"").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Accepted and closed, not left waiting: the address has its three.
    let mut extra = open(server.addr, 5, b"").await;
    assert_eq!(still_open(&mut extra, Duration::from_millis(500)).await, 0, "closed at once");
    assert!(!served(&server, Duration::from_secs(1)).await, "refused while the address holds its three");
    // The held connections are served as any other, and one going frees a place.
    assert!(!closed(&mut held[0], Duration::from_millis(10)).await, "the first three are kept");
    drop(held.remove(0));
    let mut freed = false;
    for _ in 0..50 {
        if served(&server, Duration::from_secs(1)).await {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(freed, "a closed connection gives its address's place back");
}

/// HTTP/1 needs nothing of ours between requests: hyper times the wait for each next request's
/// headers (a regression guard: this held before the first-request deadline existed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_http1_connection_is_closed() {
    let server = start(StreamableHttpConfig::default().with_header_read_timeout(Some(SHORT))).await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(b"GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 1024];
    let n = tcp.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 "), "answered: {}", String::from_utf8_lossy(&buf[..n]));
    let answered = Instant::now();
    assert!(closed(&mut tcp, Duration::from_secs(3)).await, "closed when idle");
    assert!(answered.elapsed() >= SHORT - Duration::from_millis(50));
}
