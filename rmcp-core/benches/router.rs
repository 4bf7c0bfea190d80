//! Criterion benchmarks of the tool router: `tools/list` for a 150-tool server and the cost of
//! `tools/call` dispatch over the tool body. Routes are built exactly as `#[tool_router]` builds
//! them (a `Tool` plus a function pointer).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, JsonObject, JsonRpcMessage, ListToolsResult, Tool,
};
use rmcp_core::router::{ToolCallContext, ToolFuture, ToolRoute, ToolRouter};
use rmcp_core::service::{Peer, RequestContext, RoleServer};

struct Server;

fn body() -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text("3")])
}

fn call<'a>(_s: &'a Server, _cx: ToolCallContext) -> ToolFuture<'a> {
    Box::pin(async { Ok(body()) })
}

fn router(n: usize) -> ToolRouter<Server> {
    router_with(n, true)
}

fn router_with(n: usize, validate: bool) -> ToolRouter<Server> {
    let mut schema = JsonObject::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), serde_json::json!({"a": {"type": "integer"}, "b": {"type": "integer"}}));
    let schema = Arc::new(schema);
    (0..n).fold(ToolRouter::new(), |r, i| {
        let route = ToolRoute::new(Tool::new(format!("tool_{i}"), "A trivial tool", schema.clone()), call);
        r.with_route(if validate { route } else { route.without_validation() })
    })
}

/// `tools/list` as the server answers it: the router hands out its prebuilt `ToolList` (shared,
/// JSON cached), so building is a reference-count increment and serializing copies cached bytes.
/// The last benchmark is the uncached path for comparison: a fresh list of 150 tools, copied and
/// serialized (what every call cost before the list was shared).
fn list(c: &mut Criterion) {
    let router = router(150);
    let ctx = RequestContext::<RoleServer>::new(1.into(), Peer::detached());
    c.bench_function("tools/list 150 tools: build the result", |b| b.iter(|| black_box(router.list_tools(&ctx))));
    c.bench_function("tools/list 150 tools: build and serialize the response", |b| {
        b.iter(|| black_box(JsonRpcMessage::response(1.into(), &router.list_tools(&ctx)).unwrap().to_json()))
    });
    let tools: Vec<Tool> = router.list().tools.to_vec();
    c.bench_function("tools/list 150 tools: uncached (copy the tools, build and serialize)", |b| {
        b.iter(|| {
            let result = ListToolsResult::new(black_box(&tools).clone());
            black_box(JsonRpcMessage::response(1.into(), &result).unwrap().to_json())
        })
    });
}

fn dispatch(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let router = router(150);
    let no_validation = router_with(150, false);
    let peer = Peer::<RoleServer>::detached();
    let params = || CallToolRequestParams::new("tool_75");
    c.bench_function("tool body alone", |b| b.iter(|| black_box(body())));
    c.bench_function("tools/call dispatch + body (schema validation on)", |b| {
        b.iter(|| {
            let ctx = RequestContext::new(1.into(), peer.clone());
            black_box(rt.block_on(router.call_tool(&Server, params(), ctx)).unwrap())
        })
    });
    c.bench_function("tools/call dispatch + body (validation off)", |b| {
        b.iter(|| {
            let ctx = RequestContext::new(1.into(), peer.clone());
            black_box(rt.block_on(no_validation.call_tool(&Server, params(), ctx)).unwrap())
        })
    });
}

criterion_group!(benches, list, dispatch);
criterion_main!(benches);
