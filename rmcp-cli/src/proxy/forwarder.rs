//! A `ServerHandler` that serves what another server offers, by forwarding every request to it
//! through our client, and the `ClientHandler` that carries that server's own requests and
//! notifications back to the clients being served.
//!
//! One upstream connection serves every downstream session. Requests the upstream server sends
//! (sampling, elicitation, roots) go to the session of the most recent forwarded call still in
//! flight (else the session heard from last): stdio carries no link between a server's request
//! and the call it serves, so with calls of several sessions in flight at once this is a guess.
//! Its notifications (logs, list changes, resource updates) go to every open session.

use std::sync::{Arc, Mutex};

use rmcp_core::handler::{ClientHandler, ClientInfo, ServerHandler, ServerInfo};
use rmcp_core::model::{
    CallToolRequestParams, CallToolResult, CompleteRequestParams, CompleteResult, CreateMessageRequestParams,
    CreateMessageResult, ElicitRequestParams, ElicitResult, EmptyResult, GetPromptRequestParams, GetPromptResult,
    InitializeResult, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListRootsResult,
    ListToolsResult, LoggingMessageNotificationParams, PaginatedRequestParams, ProgressNotificationParams,
    ReadResourceRequestParams, ReadResourceResult, ResourceUpdatedNotificationParams, SetLevelRequestParams,
    SubscribeRequestParams, UnsubscribeRequestParams,
};
use rmcp_core::service::{McpError, NotificationContext, RequestContext, RequestOptions, ServiceError};
use rmcp_core::{Peer, RoleClient, RoleServer};

/// The downstream sessions: where the upstream server's messages go.
#[derive(Debug, Default)]
pub struct Downstream {
    sessions: Mutex<Vec<Peer<RoleServer>>>,
    latest: Mutex<Option<Peer<RoleServer>>>,
    /// The sessions of the calls being forwarded, oldest first, each under its call's number.
    in_flight: Mutex<Vec<(u64, Peer<RoleServer>)>>,
    next_call: std::sync::atomic::AtomicU64,
}

/// A forwarded call's place in [`Downstream::in_flight`], given up when the call ends.
struct InFlight<'a> {
    downstream: &'a Downstream,
    number: u64,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut calls) = self.downstream.in_flight.lock() {
            calls.retain(|(n, _)| *n != self.number);
        }
    }
}

impl Downstream {
    /// Note the session a request came from (2026 requests have none: they cannot be asked).
    fn seen(&self, ctx: &RequestContext<RoleServer>) {
        if ctx.is_stateless() {
            return;
        }
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.retain(|p| !p.is_closed());
            if !sessions.iter().any(|p| p.same_connection(&ctx.peer)) {
                sessions.push(ctx.peer.clone());
            }
        }
        if let Ok(mut latest) = self.latest.lock() {
            *latest = Some(ctx.peer.clone());
        }
    }

    /// Note a call from `ctx`'s session as in flight until the returned guard drops.
    fn call_from(&self, ctx: &RequestContext<RoleServer>) -> Option<InFlight<'_>> {
        self.seen(ctx);
        if ctx.is_stateless() {
            return None;
        }
        let number = self.next_call.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.in_flight.lock().ok()?.push((number, ctx.peer.clone()));
        Some(InFlight { downstream: self, number })
    }

    /// Where a request of the upstream server goes.
    fn latest(&self) -> Result<Peer<RoleServer>, McpError> {
        let calling =
            self.in_flight.lock().ok().and_then(|c| c.iter().rev().map(|(_, p)| p.clone()).find(|p| !p.is_closed()));
        let heard = || self.latest.lock().ok().and_then(|l| l.clone()).filter(|p| !p.is_closed());
        calling.or_else(heard).ok_or_else(|| {
            McpError::internal_error("rmcp proxy: no client session (2025 era) is connected to answer this request")
        })
    }

    fn open_sessions(&self) -> Vec<Peer<RoleServer>> {
        self.sessions.lock().map(|s| s.iter().filter(|p| !p.is_closed()).cloned().collect()).unwrap_or_default()
    }
}

/// The upstream server's error, passed on as it was (a JSON-RPC error stays one).
fn relayed(error: ServiceError) -> McpError {
    match error {
        ServiceError::ErrorResponse(e) => McpError::Rpc(e),
        other => McpError::internal_error(format!("rmcp proxy: the upstream server failed: {other}")),
    }
}

/// The client side, towards the upstream server.
#[derive(Debug)]
pub struct UpstreamClient {
    /// Where the upstream server's requests and notifications go.
    pub downstream: Arc<Downstream>,
    /// How we present ourselves upstream.
    pub info: ClientInfo,
}

impl ClientHandler for UpstreamClient {
    fn get_info(&self) -> ClientInfo {
        self.info.clone()
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, McpError> {
        self.downstream.latest()?.create_message(params).await.map_err(relayed)
    }

    async fn create_elicitation(
        &self,
        params: ElicitRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, McpError> {
        self.downstream.latest()?.create_elicitation(params).await.map_err(relayed)
    }

    async fn list_roots(&self, _ctx: RequestContext<RoleClient>) -> Result<ListRootsResult, McpError> {
        self.downstream.latest()?.list_roots().await.map_err(relayed)
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        for peer in self.downstream.open_sessions() {
            let _ = peer.notify_logging_message(params.clone()).await;
        }
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParams,
        _ctx: NotificationContext<RoleClient>,
    ) {
        for peer in self.downstream.open_sessions() {
            let _ = peer.notify_resource_updated(params.clone()).await;
        }
    }

    async fn on_resource_list_changed(&self, _ctx: NotificationContext<RoleClient>) {
        for peer in self.downstream.open_sessions() {
            let _ = peer.notify_resource_list_changed().await;
        }
    }

    async fn on_tool_list_changed(&self, _ctx: NotificationContext<RoleClient>) {
        for peer in self.downstream.open_sessions() {
            let _ = peer.notify_tool_list_changed().await;
        }
    }

    async fn on_prompt_list_changed(&self, _ctx: NotificationContext<RoleClient>) {
        for peer in self.downstream.open_sessions() {
            let _ = peer.notify_prompt_list_changed().await;
        }
    }
}

/// The server side, towards our HTTP clients: every request goes upstream.
#[derive(Debug, Clone)]
pub struct Forwarder {
    upstream: Peer<RoleClient>,
    info: InitializeResult,
    downstream: Arc<Downstream>,
}

impl Forwarder {
    /// Serve what `upstream` offers (its identity, capabilities and instructions are ours).
    pub fn new(upstream: Peer<RoleClient>, downstream: Arc<Downstream>) -> anyhow::Result<Self> {
        let info = upstream
            .server_info()
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("the upstream server did not describe itself"))?;
        Ok(Self { upstream, info, downstream })
    }
}

impl ServerHandler for Forwarder {
    fn get_info(&self) -> ServerInfo {
        let info = ServerInfo::new(self.info.server_info.clone(), self.info.capabilities.clone());
        match &self.info.instructions {
            Some(i) => info.with_instructions(i.clone()),
            None => info,
        }
    }

    async fn ping(&self, ctx: RequestContext<RoleServer>) -> Result<EmptyResult, McpError> {
        self.downstream.seen(&ctx);
        Ok(EmptyResult::default())
    }

    async fn list_tools(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        self.downstream.seen(&ctx);
        self.upstream.list_tools(Some(params)).await.map_err(relayed)
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let _in_flight = self.downstream.call_from(&ctx);
        let mut options = RequestOptions::new();
        // Progress upstream is passed on under the token our client gave.
        if let Some(token) = ctx.progress_token() {
            let peer = ctx.peer.clone();
            options = options.on_progress(move |mut p: ProgressNotificationParams| {
                p.progress_token = token.clone();
                let peer = peer.clone();
                tokio::spawn(async move {
                    let _ = peer.notify_progress(p).await;
                });
            });
        }
        // Cancelled downstream: the upstream call is dropped, which cancels it there too.
        tokio::select! {
            result = self.upstream.call_tool_with(params, options) => result.map_err(relayed),
            () = ctx.ct.cancelled() => Err(McpError::internal_error("cancelled by the client")),
        }
    }

    async fn list_resources(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        self.downstream.seen(&ctx);
        self.upstream.list_resources(Some(params)).await.map_err(relayed)
    }

    async fn list_resource_templates(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        self.downstream.seen(&ctx);
        self.upstream.list_resource_templates(Some(params)).await.map_err(relayed)
    }

    async fn read_resource(
        &self,
        params: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResult, McpError> {
        let _in_flight = self.downstream.call_from(&ctx);
        self.upstream.read_resource(params).await.map_err(relayed)
    }

    async fn subscribe(
        &self,
        params: SubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<EmptyResult, McpError> {
        self.downstream.seen(&ctx);
        self.upstream.subscribe(params).await.map_err(relayed)
    }

    async fn unsubscribe(
        &self,
        params: UnsubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<EmptyResult, McpError> {
        self.downstream.seen(&ctx);
        self.upstream.unsubscribe(params).await.map_err(relayed)
    }

    async fn list_prompts(
        &self,
        params: PaginatedRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        self.downstream.seen(&ctx);
        self.upstream.list_prompts(Some(params)).await.map_err(relayed)
    }

    async fn get_prompt(
        &self,
        params: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, McpError> {
        let _in_flight = self.downstream.call_from(&ctx);
        self.upstream.get_prompt(params).await.map_err(relayed)
    }

    async fn complete(
        &self,
        params: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        self.downstream.seen(&ctx);
        self.upstream.complete(params).await.map_err(relayed)
    }

    async fn set_level(
        &self,
        params: SetLevelRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<EmptyResult, McpError> {
        self.downstream.seen(&ctx);
        self.upstream.set_level(params).await.map_err(relayed)
    }
}
