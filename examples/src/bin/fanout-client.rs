//! A client of several servers at once: one namespaced tool list, and 100 calls fanned out
//! across them.
//!
//! Demonstrates [`ClientGroup`]: two `calculator` child processes, one speaking the 2025-11-25
//! protocol (`old`) and one 2026-07-28 (`new`), plus, with `--url URL`, a server over Streamable
//! HTTP (`remote`, either era). Their tools are listed as one list, each name prefixed with its
//! server (`old__add`, `new__add`, ...), and `call_tools` sends 100 `add` calls round-robin to
//! every server that has an `add` tool, at most 16 in flight, results in call order. Each result
//! is checked (`i + 1`), and the summary counts results, errors and wrong answers; any error or
//! wrong answer makes the client exit with a failure.
//!
//! Run it with `cargo build -p examples --bins && target/debug/fanout-client`; to add an HTTP
//! server, start `cargo run -p examples --bin calculator -- --http 127.0.0.1:8000` and pass
//! `--url http://127.0.0.1:8000/mcp`.

use std::time::Instant;

use rmcp_core::ClientHandler;
use rmcp_core::client::ClientGroup;
use rmcp_core::handler::{ClientInfo, ProtocolPreference};
use rmcp_core::model::{CallToolRequestParams, JsonObject, ProtocolVersion};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::ChildProcess;
use rmcp_core::transport::http::StreamableHttpClientTransport;
use tokio::process::Command;

/// How many calls to fan out, and how many may be in flight at once across all servers.
const CALLS: usize = 100;
const CONCURRENCY: usize = 16;

/// The separator `ClientGroup` puts between a server's name and its tool's.
const SEPARATOR: &str = "__";

/// A client that speaks the given era and answers no requests.
struct Era(ProtocolPreference);

impl ClientHandler for Era {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.0.clone())
    }
}

fn add(tool: &str, a: usize, b: usize) -> CallToolRequestParams {
    let mut arguments = JsonObject::new();
    arguments.insert("a".into(), a.into());
    arguments.insert("b".into(), b.into());
    CallToolRequestParams::new(tool).with_arguments(arguments)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let calculator = examples::sibling_binary("calculator")?;
    let mut group = ClientGroup::new().with_separator(SEPARATOR);
    for (name, era) in
        [("old", ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)), ("new", ProtocolPreference::Stateless)]
    {
        let client = Era(era).serve(ChildProcess::new(Command::new(&calculator))?).await?;
        let version = client.protocol_version().map_or_else(|| "unknown".to_owned(), |v| v.to_string());
        println!("server {name}: calculator over stdio, protocol {version}");
        // The group keeps the client (and so the child process) alive until it is dropped.
        group.add(name, client)?;
    }
    if let Some(url) = examples::flag("--url")? {
        // Auto: the 2026-07-28 protocol if the server speaks it, else the 2025 handshake.
        let client = ().serve(StreamableHttpClientTransport::new(url.as_str())).await?;
        let version = client.protocol_version().map_or_else(|| "unknown".to_owned(), |v| v.to_string());
        println!("server remote: {url}, protocol {version}");
        group.add("remote", client)?;
    }

    let tools = group.list_all_tools().await?;
    println!("{} tools:", tools.len());
    for tool in &tools {
        println!("  {}", tool.name);
    }

    // Every server with an `add` tool takes its share of the calls.
    let adders: Vec<&str> = tools
        .iter()
        .map(|t| t.name.as_str())
        .filter(|name| name.split_once(SEPARATOR).is_some_and(|(_, tool)| tool == "add"))
        .collect();
    anyhow::ensure!(!adders.is_empty(), "no server in the group has an `add` tool");
    let targets: Vec<&str> = (0..CALLS).map(|i| adders[i % adders.len()]).collect();

    let started = Instant::now();
    let calls = targets.iter().enumerate().map(|(i, tool)| add(tool, i, 1));
    let results = group.call_tools(calls, CONCURRENCY).await;
    let took = started.elapsed();

    // Per server, in the group's order: calls, errors (JSON-RPC or tool errors), wrong answers.
    let mut per_server: Vec<(&str, [usize; 3])> = group.servers().map(|server| (server, [0; 3])).collect();
    for (i, (tool, result)) in targets.iter().zip(&results).enumerate() {
        let server = tool.split_once(SEPARATOR).map_or(*tool, |(server, _)| server);
        let Some((_, counts)) = per_server.iter_mut().find(|(name, _)| *name == server) else {
            anyhow::bail!("call {i} went to `{tool}`, of no server in the group");
        };
        counts[0] += 1;
        match result {
            Ok(r) if r.is_error() => {
                counts[1] += 1;
                eprintln!("call {i} ({tool}): tool error: {}", examples::text_of(r));
            }
            Ok(r) if examples::text_of(r) != (i + 1).to_string() => {
                counts[2] += 1;
                eprintln!("call {i} ({tool}): {i} + 1 = {}?", examples::text_of(r));
            }
            Ok(_) => {}
            Err(e) => {
                counts[1] += 1;
                eprintln!("call {i} ({tool}): {e}");
            }
        }
    }
    // Servers without an `add` tool took no calls.
    per_server.retain(|(_, [calls, _, _])| *calls > 0);
    for (server, [calls, errors, wrong]) in &per_server {
        println!("  {server}: {calls} calls, {errors} errors, {wrong} wrong");
    }
    let errors: usize = per_server.iter().map(|(_, c)| c[1]).sum();
    let wrong: usize = per_server.iter().map(|(_, c)| c[2]).sum();
    println!(
        "fanned out {CALLS} calls over {} servers ({CONCURRENCY} in flight) in {} ms: {} results, {errors} errors, {wrong} wrong",
        per_server.len(),
        took.as_millis(),
        results.len(),
    );
    anyhow::ensure!(errors == 0 && wrong == 0, "{errors} calls failed and {wrong} were wrong");
    Ok(())
}
