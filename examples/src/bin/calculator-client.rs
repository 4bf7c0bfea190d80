//! A client that starts the `calculator` server as a child process, lists its tools and calls them.
//!
//! Run it with `cargo run -p examples --bin calculator-client` (it looks for `calculator` next to
//! its own executable, or takes a server command as its arguments). With `--url URL` it connects
//! to a server over Streamable HTTP instead, for example to
//! `cargo run -p examples --bin calculator -- --http 127.0.0.1:8000` at
//! `--url http://127.0.0.1:8000/mcp`.

use rmcp_core::model::{CallToolRequestParams, JsonObject};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::ChildProcess;
use rmcp_core::transport::http::StreamableHttpClientTransport;
use tokio::process::Command;

fn server_command() -> anyhow::Result<Command> {
    let mut args = std::env::args().skip(1);
    if let Some(program) = args.next() {
        let mut cmd = Command::new(program);
        cmd.args(args);
        return Ok(cmd);
    }
    let exe = std::env::current_exe()?;
    let dir = exe.parent().ok_or_else(|| anyhow::anyhow!("no directory for {exe:?}"))?;
    Ok(Command::new(dir.join("calculator")))
}

fn args(a: f64, b: f64) -> JsonObject {
    let mut o = JsonObject::new();
    o.insert("a".into(), a.into());
    o.insert("b".into(), b.into());
    o
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli: Vec<String> = std::env::args().collect();
    let client = match cli.get(1).map(String::as_str) {
        Some("--url") => {
            let url = cli.get(2).ok_or_else(|| anyhow::anyhow!("--url needs a URL"))?;
            ().serve(StreamableHttpClientTransport::new(url.as_str())).await?
        }
        _ => ().serve(ChildProcess::new(server_command()?)?).await?,
    };
    if let Some(info) = client.server_info() {
        println!("connected to {} {} ({})", info.server_info.name, info.server_info.version, info.protocol_version);
    }
    for tool in client.list_all_tools().await? {
        println!("tool {}: {}", tool.name, tool.description.as_deref().unwrap_or(""));
    }
    for (name, a, b) in [("add", 2.0, 3.0), ("sub", 2.0, 3.0), ("mul", 4.0, 2.5), ("div", 1.0, 0.0)] {
        let result = client.call_tool(CallToolRequestParams::new(name).with_arguments(args(a, b))).await?;
        let text = result.content.iter().filter_map(|c| c.as_text()).collect::<Vec<_>>().join(" ");
        let marker = if result.is_error() { " (tool error)" } else { "" };
        println!("{name}({a}, {b}) = {text}{marker}");
    }
    client.cancel().await;
    Ok(())
}
