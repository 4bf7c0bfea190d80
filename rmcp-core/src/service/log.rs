//! Log messages from a request to the client, sent only when the client wants them. The
//! session's level (`logging/setLevel`) is kept on the peer: [`Peer::log_level`](super::Peer::log_level).

use serde_json::Value;

use super::{RequestContext, RoleServer, ServiceError};
use crate::model::{LoggingLevel, LoggingMessageNotificationParams};

impl RequestContext<RoleServer> {
    /// Whether the client wants log messages of `level` from this request: on 2026-07-28 only
    /// if the request's `_meta` asked (`io.modelcontextprotocol/logLevel`) for this level or a
    /// less severe one; on a 2025 session if `level` is at least the one set with
    /// `logging/setLevel` (every level before one is set).
    pub fn wants_log(&self, level: LoggingLevel) -> bool {
        let threshold = if self.is_stateless() { self.log_level() } else { self.peer.log_level() };
        match threshold {
            Some(threshold) => level >= threshold,
            None => !self.is_stateless(),
        }
    }

    /// Send `notifications/message` with `data` at `level`, as part of this request, if the
    /// client [wants it](Self::wants_log); otherwise do nothing.
    pub async fn log(&self, level: LoggingLevel, data: impl Into<Value>) -> Result<(), ServiceError> {
        self.log_with(LoggingMessageNotificationParams::new(level, data)).await
    }

    /// [`log`](Self::log) with a logger name or `_meta`.
    pub async fn log_with(&self, params: LoggingMessageNotificationParams) -> Result<(), ServiceError> {
        if !self.wants_log(params.level) {
            return Ok(());
        }
        self.peer.notify_logging_message(params).await
    }
}
