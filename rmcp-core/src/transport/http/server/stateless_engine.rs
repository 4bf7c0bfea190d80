//! The engine of the 2026-07-28 era, which every stateless request of the service shares: its
//! start, the checks of a request in the order the transport rules give, and
//! `subscriptions/listen` streams.

use std::any::Any;
use std::io;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use http::StatusCode;
use http::request::Parts;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::body::{self, HttpResponse, Rejection};
use super::config::StreamableHttpConfig;
use super::headers::{self, ParamsProbe};
use super::sse::{self, EventStream, Timing};
use super::stateless_requests::{ClientRequestId, StatelessRequests, StatelessSink};
use super::sync::UnboxingReceiver;
use super::tool_table::ToolTable;
use crate::handler::ServerHandler;
use crate::model::{
    ClientRequest, ErrorCode, ErrorData, InboundMessage, JsonObject, JsonRpcMessage, JsonRpcRequest, Meta,
    ProtocolVersion, RequestId, ServerCapabilities, SubscriptionFilter, SubscriptionsAcknowledgedNotificationParams,
    SubscriptionsListenRequestParams, meta_keys, methods,
};
use crate::service::{
    Peer, RequestContext, RoleServer, RunningService, ServeOptions, Service, ServiceExt, dispatch, lifecycle,
};
use crate::transport::SinkStreamTransport;
use crate::transport::http::wire;

/// How many stateless requests may queue for the shared engine.
const INPUT_QUEUE: usize = 1024;

/// The shared engine of the stateless path.
pub(crate) struct StatelessEngine {
    /// Its requests in flight, and the HTTP responses waiting for them.
    pub(crate) requests: Arc<StatelessRequests>,
    /// The change notifications a listen stream can get (from the server's capabilities).
    offered: SubscriptionFilter,
    /// The tools with `x-mcp-header` parameters.
    tools: ToolTable,
    /// The running engine, which owns the handler; dropping it stops the engine.
    engine: Box<dyn EngineHandler>,
}

/// What the HTTP side asks of the handler the shared engine owns: a listen stream is served
/// here, not by the engine, yet the handler decides which resources it may watch.
trait EngineHandler: Send + Sync {
    /// The handler's [`ServerHandler::check_subscription`].
    fn check_subscription<'a>(
        &'a self,
        uri: &'a str,
        ctx: &'a RequestContext<RoleServer>,
    ) -> BoxFuture<'a, Result<(), ErrorData>>;
    /// The engine's peer, for the context of those checks.
    fn peer(&self) -> &Peer<RoleServer>;
}

impl<S: ServerHandler> EngineHandler for RunningService<RoleServer, S> {
    fn check_subscription<'a>(
        &'a self,
        uri: &'a str,
        ctx: &'a RequestContext<RoleServer>,
    ) -> BoxFuture<'a, Result<(), ErrorData>> {
        Box::pin(self.service().check_subscription(uri, ctx))
    }
    fn peer(&self) -> &Peer<RoleServer> {
        RunningService::peer(self)
    }
}

impl std::fmt::Debug for StatelessEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatelessEngine").field("offered", &self.offered).finish_non_exhaustive()
    }
}

/// What a listen stream can get: the list changes the server declares it announces.
fn offered(caps: &ServerCapabilities) -> SubscriptionFilter {
    let mut f = SubscriptionFilter::new();
    f.tools_list_changed = caps.tools.as_ref().and_then(|t| t.list_changed).filter(|x| *x);
    f.prompts_list_changed = caps.prompts.as_ref().and_then(|p| p.list_changed).filter(|x| *x);
    f.resources_list_changed = caps.resources.as_ref().and_then(|r| r.list_changed).filter(|x| *x);
    if caps.resources.as_ref().and_then(|r| r.subscribe) == Some(true) {
        f.resource_subscriptions = Some(Vec::new());
    }
    f
}

/// The part of `asked` the server honours.
fn honoured(asked: &SubscriptionFilter, offered: &SubscriptionFilter) -> SubscriptionFilter {
    let both = |a: Option<bool>, o: Option<bool>| (a == Some(true) && o == Some(true)).then_some(true);
    let mut f = SubscriptionFilter::new();
    f.tools_list_changed = both(asked.tools_list_changed, offered.tools_list_changed);
    f.prompts_list_changed = both(asked.prompts_list_changed, offered.prompts_list_changed);
    f.resources_list_changed = both(asked.resources_list_changed, offered.resources_list_changed);
    if offered.resource_subscriptions.is_some() {
        f.resource_subscriptions = asked.resource_subscriptions.clone();
    }
    f
}

impl StatelessEngine {
    /// Start the shared engine on `handler`, serving at most `max_stateless_in_flight` requests
    /// at once.
    pub(crate) async fn start<S: ServerHandler>(
        handler: S,
        config: &StreamableHttpConfig,
        ct: CancellationToken,
    ) -> io::Result<Arc<Self>> {
        let (input, input_rx) = mpsc::channel(INPUT_QUEUE);
        let max_in_flight = config.max_stateless_in_flight.max(1);
        let requests = Arc::new(StatelessRequests::new(input, max_in_flight).with_bus(config.message_bus.clone()));
        let transport = SinkStreamTransport::new(StatelessSink(requests.clone()), UnboxingReceiver(input_rx));
        let offered = offered(&Service::<RoleServer>::get_info(&handler).capabilities);
        // Room above the requests' limit for the transport's own (single-flight) `tools/list`.
        let options = ServeOptions::default()
            .with_ct(ct.clone())
            .with_max_in_flight(max_in_flight.saturating_add(2))
            .with_inline_requests(config.inline_requests)
            .with_client_request_timeout(config.client_request_timeout);
        let running = handler.serve_with_options(transport, options).await.map_err(io::Error::other)?;
        let on_stop = requests.clone();
        tokio::spawn(async move {
            ct.cancelled().await;
            on_stop.close_listeners();
            // No answer comes from a stopped engine: the requests still waiting (even one that
            // started the engine as the service stopped) get an error instead.
            on_stop.fail_all();
        });
        let tools = ToolTable::new(requests.clone());
        Ok(Arc::new(Self { requests, offered, tools, engine: Box::new(running) }))
    }

    /// The shared engine's handle to its clients.
    pub(crate) fn peer(&self) -> &Peer<RoleServer> {
        self.engine.peer()
    }

    /// The checks of a stateless request, in the order of the 2026-07-28 transport rules.
    pub(crate) async fn validate(&self, parts: &Parts, request: &JsonRpcRequest) -> Result<(), Rejection> {
        let bad = |e: ErrorData| Rejection::new(StatusCode::BAD_REQUEST, e);
        let header_version = match parts.headers.get(&wire::PROTOCOL_VERSION).map(|v| v.to_str()) {
            Some(Ok(v)) => v.trim(),
            Some(Err(_)) => {
                return Err(bad(ErrorData::header_mismatch("Header mismatch: MCP-Protocol-Version is not text")));
            }
            None => {
                return Err(bad(ErrorData::header_mismatch(
                    "Header mismatch: the MCP-Protocol-Version header is missing",
                )));
            }
        };
        let meta = dispatch::probe_meta(request.params.as_deref());
        let admitted = lifecycle::validate_stateless_request(&request.method, meta.as_ref());
        if let Err(e) = &admitted
            && e.code == ErrorCode::INVALID_PARAMS
        {
            return Err(bad(e.clone()));
        }
        let body_version = meta.as_ref().and_then(|m| m.get(meta_keys::PROTOCOL_VERSION)).and_then(|v| v.as_str());
        if body_version != Some(header_version) {
            return Err(bad(ErrorData::header_mismatch(format!(
                "Header mismatch: MCP-Protocol-Version header value '{header_version}' does not match body value '{}'",
                body_version.unwrap_or_default()
            ))));
        }
        admitted.map_err(|e| Rejection::new(body::status_of_error(&e), e))?;

        let probe = ParamsProbe::read(request.params.as_deref());
        if let Err(e) = headers::check_standard(&parts.headers, &request.method, &probe) {
            // An unknown method is reported as such whatever its headers say (404 comes first).
            if matches!(ClientRequest::parse(&request.method, None), Err(ref u) if u.code == ErrorCode::METHOD_NOT_FOUND)
            {
                return Err(Rejection::new(StatusCode::NOT_FOUND, ErrorData::method_not_found(&request.method)));
            }
            return Err(bad(e));
        }
        if request.method == methods::TOOLS_CALL
            && let Some(name) = probe.name()
        {
            let tools = self.tools.get().await?;
            if let Some(params) = tools.get(name).filter(|p| !p.is_empty()) {
                let arguments: Option<JsonObject> = probe.arguments.and_then(|a| serde_json::from_str(a.get()).ok());
                headers::check_params(&parts.headers, params, arguments.as_ref()).map_err(bad)?;
            }
        }
        Ok(())
    }

    /// `subscriptions/listen`: a stream that stays open and carries the list changes asked for,
    /// starting with the acknowledgement, holding `slot` (its long-lived stream slot) while open.
    /// It watches at most `max_listen_uris` resources, each one the handler's
    /// [`check_subscription`](ServerHandler::check_subscription) accepted for this request.
    pub(crate) async fn listen(
        &self,
        config: &StreamableHttpConfig,
        parts: Parts,
        request: JsonRpcRequest,
        slot: impl Any + Send,
    ) -> HttpResponse {
        let params: SubscriptionsListenRequestParams =
            match crate::model::parse_params(methods::SUBSCRIPTIONS_LISTEN, request.params.as_deref()) {
                Ok(p) => p,
                Err(e) => return Rejection::new(StatusCode::BAD_REQUEST, e).with_id(Some(request.id)).into_response(),
            };
        let mut filter = honoured(&params.notifications, &self.offered);
        if let Some(asked) = filter.resource_subscriptions.take() {
            let asked = distinct(asked);
            if asked.len() > config.max_listen_uris {
                let e = ErrorData::invalid_params(format!(
                    "a listen stream may watch at most {} resources; this one asks for {}",
                    config.max_listen_uris,
                    asked.len()
                ));
                return Rejection::new(StatusCode::BAD_REQUEST, e).with_id(Some(request.id)).into_response();
            }
            let ctx = self.check_context(&request.id, params.meta, parts);
            filter.resource_subscriptions = Some(self.allowed(asked, &ctx).await);
        }
        let ack = SubscriptionsAcknowledgedNotificationParams::new(&request.id, filter.clone());
        let ack = match JsonRpcMessage::notification(methods::NOTIFICATION_SUBSCRIPTIONS_ACKNOWLEDGED, &ack) {
            Ok(m) => m.to_json(),
            Err(e) => {
                let e = ErrorData::internal_error(e.to_string());
                return Rejection::new(StatusCode::INTERNAL_SERVER_ERROR, e).with_id(Some(request.id)).into_response();
            }
        };
        let (tx, rx) = sse::items();
        let guard = self.requests.listen(request.id, &filter, tx);
        let head = [sse::event(None, ack.as_bytes())];
        body::sse(EventStream::new(head, Some(rx), Timing::from_config(config), (slot, guard)))
    }

    /// The context the handler's subscription checks see: the listen request's id and `_meta`,
    /// and the HTTP request (with any principal) in its extensions, as a stateless request has.
    fn check_context(&self, id: &RequestId, meta: Option<Meta>, parts: Parts) -> RequestContext<RoleServer> {
        let mut ctx = RequestContext::new(id.clone(), self.engine.peer().clone().without_requests());
        ctx.meta = meta.unwrap_or_default();
        ctx.protocol_version = ctx
            .meta
            .get(meta_keys::PROTOCOL_VERSION)
            .and_then(|v| v.as_str())
            .map_or(ProtocolVersion::LATEST, ProtocolVersion::parse);
        ctx.extensions.insert(ClientRequestId(id.clone()));
        ctx.extensions.insert(parts);
        ctx
    }

    /// The URIs of `asked` the handler lets this listen request watch; it is not told of the
    /// others (the acknowledgement lists what the stream honours).
    async fn allowed(&self, asked: Vec<String>, ctx: &RequestContext<RoleServer>) -> Vec<String> {
        let mut allowed = Vec::with_capacity(asked.len());
        for uri in asked {
            match self.engine.check_subscription(&uri, ctx).await {
                Ok(()) => allowed.push(uri),
                Err(refused) => {
                    tracing::debug!(uri, reason = %refused.message, "a listen stream may not watch this resource")
                }
            }
        }
        allowed
    }
}

/// `uris` without repetitions, in their first order: a URI asked for twice counts once.
fn distinct(uris: Vec<String>) -> Vec<String> {
    let first: Vec<bool> = {
        let mut seen = foldhash::HashSet::default();
        uris.iter().map(|uri| seen.insert(uri.as_str())).collect()
    };
    uris.into_iter().zip(first).filter_map(|(uri, first)| first.then_some(uri)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn listen_filters_are_cut_to_what_the_server_announces() {
        let caps: ServerCapabilities = serde_json::from_value(json!({
            "tools": {"listChanged": true}, "prompts": {}, "resources": {"subscribe": true}
        }))
        .unwrap();
        let asked = SubscriptionFilter::new()
            .with_tools_list_changed()
            .with_prompts_list_changed()
            .with_resource_subscription("test://a");
        let got = honoured(&asked, &offered(&caps));
        assert_eq!(got.tools_list_changed, Some(true));
        assert_eq!(got.prompts_list_changed, None);
        assert_eq!(got.resource_subscriptions, Some(vec!["test://a".to_owned()]));
    }
}
