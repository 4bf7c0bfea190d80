//! Criterion benchmarks: the JSON-RPC codec, and a full `tools/call` round trip between a client
//! and a server connected by an in-process duplex pair (real framing, both engines).

use std::hint::black_box;
use std::sync::Arc;

use bytes::BytesMut;
use criterion::{Criterion, criterion_group, criterion_main};
use rmcp_core::handler::{ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, Implementation, JsonObject, JsonRpcMessage, ServerCapabilities,
};
use rmcp_core::service::{McpError, RequestContext, RoleServer, ServiceExt};
use rmcp_core::transport::{JsonLinesCodec, duplex};
use tokio_util::codec::{Decoder, Encoder};

const CALL: &str =
    r#"{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}"#;

fn codec(c: &mut Criterion) {
    let mut group = c.benchmark_group("codec");
    group.bench_function("decode tools/call", |b| {
        let mut codec = JsonLinesCodec::default();
        let line = format!("{CALL}\n");
        b.iter(|| {
            let mut buf = BytesMut::from(line.as_bytes());
            black_box(codec.decode(&mut buf).unwrap())
        })
    });
    group.bench_function("encode result", |b| {
        let mut codec = JsonLinesCodec::default();
        let result = CallToolResult::success(vec![ContentBlock::text("3")]);
        let mut buf = BytesMut::with_capacity(256);
        b.iter(|| {
            buf.clear();
            let msg = JsonRpcMessage::response(42.into(), &result).unwrap();
            codec.encode(&msg, &mut buf).unwrap();
            black_box(buf.len())
        })
    });
    group.finish();
}

struct Adder;

impl ServerHandler for Adder {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("bench", "0"), ServerCapabilities::builder().enable_tools().build())
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let args = params.arguments.unwrap_or_default();
        let sum =
            args.get("a").and_then(|v| v.as_i64()).unwrap_or(0) + args.get("b").and_then(|v| v.as_i64()).unwrap_or(0);
        Ok(CallToolResult::success(vec![ContentBlock::text(sum.to_string())]))
    }
}

struct Client;

impl rmcp_core::ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(ProtocolPreference::Stateful(rmcp_core::ProtocolVersion::V2025_11_25))
    }
}

fn round_trip(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (client, _server) = rt.block_on(async {
        let (a, b) = duplex(1 << 16);
        let server = Adder.serve(a).await.unwrap();
        let client = Client.serve(b).await.unwrap();
        (client, server)
    });
    let args: Arc<JsonObject> = Arc::new(serde_json::json!({"a": 1, "b": 2}).as_object().unwrap().clone());
    c.bench_function("tools/call round trip (duplex, sequential)", |b| {
        b.to_async(&rt).iter(|| async {
            let r = client.call_tool(CallToolRequestParams::new("add").with_arguments((*args).clone())).await.unwrap();
            black_box(r)
        })
    });
    c.bench_function("tools/call round trip (duplex, 64 in flight) per call", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let client = client.peer().clone();
            let args = args.clone();
            async move {
                let start = std::time::Instant::now();
                let mut done = 0;
                while done < iters {
                    let n = (iters - done).min(64);
                    let calls = (0..n)
                        .map(|_| client.call_tool(CallToolRequestParams::new("add").with_arguments((*args).clone())));
                    for r in futures_util::future::join_all(calls).await {
                        black_box(r.unwrap());
                    }
                    done += n;
                }
                start.elapsed()
            }
        })
    });
}

criterion_group!(benches, codec, round_trip);
criterion_main!(benches);
