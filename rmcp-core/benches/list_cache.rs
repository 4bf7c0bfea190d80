//! The client's list cache: `tools/list` of a 2026-07-28 client over real Streamable HTTP on
//! 127.0.0.1, with the cache off (every call a POST) and on (the server's `ttlMs` of a minute:
//! after the first call, none reaches the server). One call at a time, so calls/s is the
//! inverse of the latency criterion reports. The server lists `TOOLS` tools.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CacheScope, Implementation, ListToolsResult, PaginatedRequestParams, ServerCapabilities, Tool, ToolList,
};
use rmcp_core::schema::empty_object_schema;
use rmcp_core::service::{ListCaching, McpError, RequestContext, RoleServer, ServiceExt};
use rmcp_core::transport::http::{StreamableHttpClientTransport, StreamableHttpConfig, StreamableHttpService};

/// How many tools the server lists: a mid-sized server.
const TOOLS: usize = 50;

#[derive(Clone)]
struct Catalog(ToolList);

impl ServerHandler for Catalog {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("bench", "0"), ServerCapabilities::builder().enable_tools().build())
            .with_cache_hints(60_000, CacheScope::Public)
    }

    async fn list_tools(
        &self,
        _params: PaginatedRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::new(self.0.clone()))
    }
}

/// A 2026-07-28 client.
struct Stateless;

impl ClientHandler for Stateless {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(ProtocolPreference::Stateless)
    }
}

fn list_tools_over_http(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let tools: Vec<Tool> = (0..TOOLS)
        .map(|i| {
            Tool::new(format!("tool_{i}"), format!("The tool number {i}, which does one thing."), empty_object_schema())
        })
        .collect();
    let catalog = Catalog(ToolList::from(tools));
    let client = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        let service = StreamableHttpService::new(move || catalog.clone(), StreamableHttpConfig::default());
        tokio::spawn(service.serve_listener(listener, rmcp_core::CancellationToken::new()));
        Stateless.serve(StreamableHttpClientTransport::new(url)).await.unwrap()
    });

    let mut group = c.benchmark_group("client_list_cache");
    group.measurement_time(Duration::from_secs(5));
    for (name, caching) in [("list_tools uncached", ListCaching::Off), ("list_tools cached", ListCaching::Hints)] {
        client.set_list_caching(caching);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        black_box(client.list_tools(None).await.unwrap());
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
    let stats = client.list_cache_stats();
    eprintln!("list cache: {} hits, {} misses", stats.hits, stats.misses);
}

criterion_group!(benches, list_tools_over_http);
criterion_main!(benches);
