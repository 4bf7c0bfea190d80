//! One file per command group; this one holds what they share: the connected session and the
//! words for a failed request.

pub mod auth;
pub mod info;
pub mod misc;
pub mod prompts;
pub mod proxy;
pub mod resources;
pub mod tools;
pub mod watch;

use std::future::Future;
use std::time::Duration;

use anyhow::anyhow;
use rmcp_core::model::ErrorCode;
use rmcp_core::service::{RunningService, ServiceError};
use rmcp_core::{Peer, RoleClient};
use tokio::process::Child;

use crate::cli::ConnectArgs;
use crate::client::CliClient;
use crate::connect;
use crate::output::Output;

/// The exit status of a command stopped with Ctrl-C (128 + SIGINT), as shells report it.
pub const INTERRUPTED: u8 = 130;

/// How long a closing connection may take to send what it still has (a cancellation, a
/// session's DELETE) before the process ends.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// A connected client and how to print.
pub struct Session {
    /// The running client.
    pub client: RunningService<RoleClient, CliClient>,
    /// How results are printed.
    pub out: Output,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// The server process, when we started it.
    child: Option<Child>,
}

impl Session {
    /// Connect as the flags say.
    pub async fn open(conn: &ConnectArgs, handler: CliClient, out: Output) -> anyhow::Result<Self> {
        let timeout = conn.timeout.map(Duration::from_secs_f64);
        let (client, child) = connect::connect(conn, handler).await?;
        Ok(Self { client, out, timeout, child })
    }

    /// The peer, for requests.
    pub fn peer(&self) -> &Peer<RoleClient> {
        self.client.peer()
    }

    /// Run one request (`what` names it in errors), within `--timeout`.
    pub async fn request<T>(
        &self,
        what: &str,
        request: impl Future<Output = Result<T, ServiceError>>,
    ) -> anyhow::Result<T> {
        let result = match self.timeout {
            Some(t) => tokio::time::timeout(t, request).await.unwrap_or(Err(ServiceError::Timeout { timeout: t })),
            None => request.await,
        };
        result.map_err(|e| explain(what, e))
    }

    /// Take the progress bar of a call off the screen.
    pub fn clear_progress(&self) {
        let slot = self.client.service().progress_slot();
        if let Some(bar) = slot.lock().ok().and_then(|mut s| s.take()) {
            bar.finish_and_clear();
        }
    }

    /// Close the connection, letting queued messages (a cancellation) go out first, and give a
    /// server we started the same time to exit.
    pub async fn close(self) {
        let closing = self.client.close_with_timeout(CLOSE_GRACE);
        let _ = tokio::time::timeout(CLOSE_GRACE + Duration::from_secs(1), closing).await;
        if let Some(child) = self.child {
            connect::stop_child(child, CLOSE_GRACE).await;
        }
    }
}

/// A failed request, in words that say what to do.
pub fn explain(what: &str, error: ServiceError) -> anyhow::Error {
    match error {
        ServiceError::ErrorResponse(e) if e.code == ErrorCode::METHOD_NOT_FOUND => {
            anyhow!("the server does not support {what} ({}); `rmcp info` shows what it offers", e.message)
        }
        ServiceError::ErrorResponse(e) if e.code == ErrorCode::INVALID_PARAMS => {
            let data = e.data.map(|d| format!(" {d}")).unwrap_or_default();
            anyhow!("the server refused {what}: {}{data}", e.message)
        }
        ServiceError::ErrorResponse(e) => {
            let data = e.data.map(|d| format!(" {d}")).unwrap_or_default();
            anyhow!("{what} failed: {} (error {}){data}", e.message, e.code.0)
        }
        ServiceError::Timeout { timeout } => {
            anyhow!("{what} got no answer within {timeout:?}; raise --timeout or check the server")
        }
        ServiceError::TransportClosed => anyhow!("the server closed the connection during {what}"),
        ServiceError::Unsupported(reason) => anyhow!("{what} is not possible here: {reason}"),
        other => anyhow!("{what} failed: {other}"),
    }
}
