//! `conformance-client`: the everything-client the MCP conformance suite drives.
//!
//! Invoked as `conformance-client <server-url>` with `MCP_CONFORMANCE_SCENARIO`,
//! `MCP_CONFORMANCE_PROTOCOL_VERSION` (2025-11-25: stateful handshake; 2026-07-28: stateless) and,
//! for some scenarios, `MCP_CONFORMANCE_CONTEXT` (JSON). Logs go to stderr (`RUST_LOG` filters
//! them); the process exits by itself well within the harness's 30 s.

mod args;
mod auth;
mod handler;
mod scenarios;
mod session;
mod synth;

use std::process::ExitCode;
use std::time::Duration;

use tracing_subscriber::EnvFilter;

/// The harness kills the client after 30 s; give up before that.
const DEADLINE: Duration = Duration::from_secs(25);

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,rmcp_core=debug"));
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter).with_ansi(false).init();

    let cfg = match args::Config::from_env() {
        Ok(cfg) => cfg,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "bad invocation");
            return ExitCode::from(2);
        }
    };
    tracing::info!(scenario = %cfg.scenario, version = %cfg.version, stateless = cfg.stateless(), url = %cfg.url, "start");

    match tokio::time::timeout(DEADLINE, scenarios::run(&cfg)).await {
        Ok(Ok(())) => {
            tracing::info!("scenario flow completed");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            tracing::error!(error = format!("{e:#}"), "scenario flow failed");
            ExitCode::FAILURE
        }
        Err(_) => {
            tracing::error!("gave up after {DEADLINE:?}");
            ExitCode::from(3)
        }
    }
}
