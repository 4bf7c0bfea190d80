//! `rmcp proxy`: which direction the flags ask for.

use std::process::ExitCode;

use anyhow::bail;
use tokio_util::sync::CancellationToken;

use super::INTERRUPTED;
use crate::cli::{ConnectArgs, ProxyArgs};
use crate::connect::{self, Target};
use crate::proxy::{relay, serve_http};

/// `proxy --url URL` (stdio -> HTTP) or `proxy --listen ADDR -- CMD` (HTTP -> stdio).
pub async fn proxy(conn: &ConnectArgs, args: &ProxyArgs, interrupted: CancellationToken) -> anyhow::Result<ExitCode> {
    if let Some(addr) = &args.listen {
        return serve_http::serve(conn, addr, interrupted).await.map(|()| ExitCode::SUCCESS);
    }
    match connect::resolve(conn)? {
        Target::Url { url, headers } => {
            let server = connect::http_transport(&url, &headers, conn.bearer.as_deref()).await?;
            tokio::select! {
                result = relay::relay(rmcp_core::transport::stdio(), server) => result.map(|()| ExitCode::SUCCESS),
                () = interrupted.cancelled() => Ok(ExitCode::from(INTERRUPTED)),
            }
        }
        Target::Command { .. } => bail!(
            "proxy without --listen bridges stdio to an HTTP server: give --url URL; to serve a command over HTTP, \
             add --listen 127.0.0.1:PORT"
        ),
    }
}
