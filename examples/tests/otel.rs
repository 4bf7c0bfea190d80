//! The otel example as a real child process, exporting to a stand-in collector: a small HTTP
//! listener on 127.0.0.1 that takes the OTLP/HTTP posts, and one that is not there at all.

use std::process::Stdio;
use std::time::Duration;

use rmcp_core::handler::ProtocolPreference;
use rmcp_core::model::{CallToolRequestParams, ProtocolVersion};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::{AsyncRwTransport, ChildProcess};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio::sync::mpsc;

const OTEL: &str = env!("CARGO_BIN_EXE_otel");

/// One OTLP export as the collector received it.
#[derive(Debug)]
struct Export {
    path: String,
    content_type: String,
    body: Vec<u8>,
}

/// Accept HTTP/1.1 posts on `listener`, answer each `200 OK` (an empty protobuf response is a
/// full success in OTLP), and send them to the returned channel.
fn collector(listener: TcpListener) -> mpsc::UnboundedReceiver<Export> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut stream = BufReader::new(stream);
                loop {
                    let mut line = String::new();
                    if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or_default().to_owned();
                    let (mut length, mut content_type) = (0, String::new());
                    loop {
                        let mut header = String::new();
                        stream.read_line(&mut header).await.unwrap();
                        let header = header.trim_end();
                        if header.is_empty() {
                            break;
                        }
                        let (name, value) = header.split_once(':').unwrap();
                        match name.to_ascii_lowercase().as_str() {
                            "content-length" => length = value.trim().parse().unwrap(),
                            "content-type" => content_type = value.trim().to_owned(),
                            _ => {}
                        }
                    }
                    let mut body = vec![0; length];
                    stream.read_exact(&mut body).await.unwrap();
                    // Kept before it is answered: the exporter is done, and the example may exit,
                    // only once it has the answer.
                    let _ = tx.send(Export { path, content_type, body });
                    let ok = "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
                    stream.get_mut().write_all(ok.as_bytes()).await.unwrap();
                }
            });
        }
    });
    rx
}

/// A client of the 2025 (stateful) era.
struct Stateful;

impl rmcp_core::ClientHandler for Stateful {
    fn get_info(&self) -> rmcp_core::handler::ClientInfo {
        rmcp_core::handler::ClientInfo::default()
            .with_protocol(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25))
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn add(a: i64, b: i64) -> CallToolRequestParams {
    let args = serde_json::json!({"a": a, "b": b});
    CallToolRequestParams::new("add").with_arguments(args.as_object().unwrap().clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_and_metrics_reach_the_collector() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let collector_url = format!("http://{}", listener.local_addr().unwrap());
    let mut exports = collector(listener);

    // Over the child's own pipes rather than `ChildProcess` (which kills it when the client
    // goes): the server must see its stdin close, flush its exporters and exit by itself.
    let mut child = Command::new(OTEL)
        .args(["--collector", &collector_url])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pipes = AsyncRwTransport::new(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    // A 2025 session, so that the server has a session to measure when it ends.
    let client = Stateful.serve(pipes).await.unwrap();
    let result = client.call_tool(add(2, 3)).await.unwrap();
    assert_eq!(result.content[0].as_text(), Some("5"));
    client.cancel().await;
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("the example exits").unwrap();
    assert!(status.success(), "{status}");

    let (mut traces, mut metrics) = (None, None);
    while traces.is_none() || metrics.is_none() {
        let export = exports.try_recv().expect("the example exported before it exited");
        assert_eq!(export.content_type, "application/x-protobuf");
        match export.path.as_str() {
            "/v1/traces" => traces = Some(export),
            "/v1/metrics" => metrics = Some(export),
            other => panic!("an export to {other}"),
        }
    }
    // Protobuf keeps strings as they are: the span's name and attributes can be found as bytes.
    let traces = traces.unwrap().body;
    for expected in ["tools/call add", "mcp.method.name", "gen_ai.tool.name", "execute_tool", "rmcp-otel-example"] {
        assert!(contains(&traces, expected), "{expected:?} in the exported spans");
    }
    let metrics = metrics.unwrap().body;
    for expected in ["mcp.server.operation.duration", "mcp.server.session.duration", "tools/call", "2025-11-25"] {
        assert!(contains(&metrics, expected), "{expected:?} in the exported metrics");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_collector_does_not_hold_up_the_server() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = Command::new(OTEL);
    command.args(["--collector", &format!("http://127.0.0.1:{port}")]);
    let child = ChildProcess::builder(command).discard_stderr().spawn().unwrap();
    let client = ().serve(child).await.unwrap();
    let started = std::time::Instant::now();
    for i in 0..50 {
        let result = client.call_tool(add(i, 1)).await.unwrap();
        assert_eq!(result.content[0].as_text(), Some((i + 1).to_string().as_str()));
    }
    assert!(started.elapsed() < Duration::from_secs(5), "50 calls took {:?}", started.elapsed());
    client.cancel().await;
}
