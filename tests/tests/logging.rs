//! Log messages reach the client only when it wants them: on a 2025 session from the level set
//! with `logging/setLevel` up (all before it is set); on 2026-07-28 only for requests whose
//! `_meta` carries a `logLevel`, from that level up.

use std::time::Duration;

use rmcp_core::handler::{ClientHandler, ClientInfo, ProtocolPreference, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, Implementation, LoggingLevel, LoggingMessageNotificationParams, Meta, ProtocolVersion,
    ServerCapabilities, SetLevelRequestParams, meta_keys,
};
use rmcp_core::router::ToolRouter;
use rmcp_core::service::{McpError, NotificationContext, RequestContext, ServiceExt};
use rmcp_core::transport::duplex;
use rmcp_core::{RoleClient, RoleServer, tool, tool_handler, tool_router};
use tokio::sync::mpsc;

#[derive(Clone)]
struct Server {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Server {
    /// Logs at three levels.
    #[tool]
    async fn chatty(&self, ctx: RequestContext<RoleServer>) -> Result<String, McpError> {
        for level in [LoggingLevel::Debug, LoggingLevel::Info, LoggingLevel::Error] {
            ctx.log(level, format!("{level:?}")).await.map_err(|e| McpError::internal_error(e.to_string()))?;
        }
        Ok("done".into())
    }
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("logs", "1"), ServerCapabilities::builder().enable_logging().build())
    }
}

struct Client(ProtocolPreference, mpsc::UnboundedSender<LoggingLevel>);

impl ClientHandler for Client {
    fn get_info(&self) -> ClientInfo {
        ClientInfo::default().with_protocol(self.0.clone())
    }
    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        let _ = self.1.send(params.level);
    }
}

async fn connect(
    protocol: ProtocolPreference,
) -> (rmcp_core::RunningService<RoleClient, Client>, mpsc::UnboundedReceiver<LoggingLevel>) {
    let (a, b) = duplex(1 << 16);
    tokio::spawn(Server { tool_router: Server::tool_router() }.serve(a).await.unwrap().waiting());
    let (tx, rx) = mpsc::unbounded_channel();
    (Client(protocol, tx).serve(b).await.unwrap(), rx)
}

/// Call `chatty` and collect the levels that arrived (notifications are handled after the call
/// returns, so wait a little for stragglers).
async fn levels_of(
    client: &rmcp_core::Peer<RoleClient>,
    rx: &mut mpsc::UnboundedReceiver<LoggingLevel>,
    params: CallToolRequestParams,
) -> Vec<LoggingLevel> {
    client.call_tool(params).await.unwrap();
    let mut got = Vec::new();
    while let Ok(Some(level)) = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
        got.push(level);
    }
    got
}

#[tokio::test]
async fn a_2025_session_filters_by_set_level() {
    let (client, mut rx) = connect(ProtocolPreference::Stateful(ProtocolVersion::V2025_11_25)).await;
    let all = levels_of(&client, &mut rx, CallToolRequestParams::new("chatty")).await;
    assert_eq!(all, [LoggingLevel::Debug, LoggingLevel::Info, LoggingLevel::Error]);
    client.set_level(SetLevelRequestParams::new(LoggingLevel::Warning)).await.unwrap();
    let filtered = levels_of(&client, &mut rx, CallToolRequestParams::new("chatty")).await;
    assert_eq!(filtered, [LoggingLevel::Error]);
}

#[tokio::test]
async fn a_2026_request_gets_logs_only_if_its_meta_asks() {
    let (client, mut rx) = connect(ProtocolPreference::Stateless).await;
    let none = levels_of(&client, &mut rx, CallToolRequestParams::new("chatty")).await;
    assert_eq!(none, []);
    let mut meta = Meta::new();
    meta.insert(meta_keys::LOG_LEVEL.to_owned(), "info".into());
    let asked = levels_of(&client, &mut rx, CallToolRequestParams::new("chatty").with_meta(meta)).await;
    assert_eq!(asked, [LoggingLevel::Info, LoggingLevel::Error]);
}
