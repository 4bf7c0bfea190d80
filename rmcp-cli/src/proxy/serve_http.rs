//! A stdio server command served over Streamable HTTP (`rmcp proxy --listen ADDR -- CMD`).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use rmcp_core::handler::ClientInfo;
use rmcp_core::model::{ClientCapabilities, Implementation};
use rmcp_core::service::ServiceExt;
use rmcp_core::transport::http::{StreamableHttpConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::forwarder::{Downstream, Forwarder, UpstreamClient};
use crate::cli::ConnectArgs;
use crate::connect::{self, Target};

/// Start the command, then serve it at `addr` until Ctrl-C or until the command exits.
pub async fn serve(conn: &ConnectArgs, addr: &str, interrupted: CancellationToken) -> anyhow::Result<()> {
    let Target::Command { program, args, env } = connect::resolve(conn)? else {
        anyhow::bail!(
            "proxy --listen serves a stdio server: give its command after `--` (or a config entry with \"command\")"
        );
    };
    let downstream = Arc::new(Downstream::default());
    // We pass on what our own clients can do: sampling, elicitation and roots are asked of them.
    let capabilities = ClientCapabilities::builder().enable_sampling().enable_elicitation().enable_roots().build();
    let info = ClientInfo::new(Implementation::new("rmcp-proxy", env!("CARGO_PKG_VERSION")), capabilities)
        .with_protocol(connect::protocol(conn.era));
    let (transport, child) = connect::spawn_child(&program, &args, &env)?;
    let upstream = UpstreamClient { downstream: downstream.clone(), info }
        .serve(transport)
        .await
        .with_context(|| format!("could not start an MCP session with `{program}`"))?;
    let forwarder = Forwarder::new(upstream.peer().clone(), downstream)?;
    let service = StreamableHttpService::new(move || forwarder.clone(), StreamableHttpConfig::default());
    let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    // Tests and scripts read this line to learn the port when ADDR ends in :0.
    eprintln!("rmcp proxy: serving `{program}` at http://{local}/mcp");
    let ct = CancellationToken::new();
    let server = tokio::spawn(service.serve_listener(listener, ct.clone()));
    tokio::select! {
        () = interrupted.cancelled() => {}
        () = upstream.peer().closed() => eprintln!("rmcp proxy: `{program}` exited"),
    }
    ct.cancel();
    let _ = server.await;
    let _ = tokio::time::timeout(Duration::from_secs(3), upstream.close_with_timeout(Duration::from_secs(2))).await;
    connect::stop_child(child, Duration::from_secs(2)).await;
    Ok(())
}
