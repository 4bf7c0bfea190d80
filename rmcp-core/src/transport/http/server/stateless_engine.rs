//! The engine of the 2026-07-28 era, which every stateless request of the service shares: its
//! start, the checks of a request in the order the transport rules give, and
//! `subscriptions/listen` streams.

use std::any::Any;
use std::io;
use std::sync::Arc;

use http::StatusCode;
use http::request::Parts;
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio_util::sync::CancellationToken;

use super::body::{self, HttpResponse, Rejection};
use super::config::StreamableHttpConfig;
use super::headers::{self, ParamsProbe};
use super::sse::{self, EventStream, Timing};
use super::stateless_requests::{StatelessRequests, StatelessSink};
use super::sync::UnboxingReceiver;
use super::tool_table::ToolTable;
use crate::handler::ServerHandler;
use crate::model::{
    ClientRequest, ErrorCode, ErrorData, InboundMessage, JsonObject, JsonRpcMessage, JsonRpcRequest,
    ServerCapabilities, SubscriptionFilter, SubscriptionsAcknowledgedNotificationParams,
    SubscriptionsListenRequestParams, meta_keys, methods,
};
use crate::service::{RoleServer, ServeOptions, Service, ServiceExt, dispatch, lifecycle};
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
    /// The running engine; dropping it stops the engine.
    _engine: Box<dyn Any + Send + Sync>,
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
        let requests = Arc::new(StatelessRequests::new(input, max_in_flight));
        let transport = SinkStreamTransport::new(StatelessSink(requests.clone()), UnboxingReceiver(input_rx));
        let offered = offered(&Service::<RoleServer>::get_info(&handler).capabilities);
        // Room above the requests' limit for the transport's own (single-flight) `tools/list`.
        let options = ServeOptions::default()
            .with_ct(ct.clone())
            .with_max_in_flight(max_in_flight.saturating_add(2))
            .with_inline_requests(config.inline_requests);
        let running = handler.serve_with_options(transport, options).await.map_err(io::Error::other)?;
        let on_stop = requests.clone();
        tokio::spawn(async move {
            ct.cancelled().await;
            on_stop.close_listeners();
        });
        let tools = ToolTable::new(requests.clone());
        Ok(Arc::new(Self { requests, offered, tools, _engine: Box::new(running) }))
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
    /// starting with the acknowledgement.
    pub(crate) fn listen(
        &self,
        config: &StreamableHttpConfig,
        request: JsonRpcRequest,
        permit: OwnedSemaphorePermit,
    ) -> HttpResponse {
        let params: SubscriptionsListenRequestParams =
            match crate::model::parse_params(methods::SUBSCRIPTIONS_LISTEN, request.params.as_deref()) {
                Ok(p) => p,
                Err(e) => return Rejection::new(StatusCode::BAD_REQUEST, e).with_id(Some(request.id)).into_response(),
            };
        let filter = honoured(&params.notifications, &self.offered);
        let ack = SubscriptionsAcknowledgedNotificationParams::new(&request.id, filter.clone());
        let ack = match JsonRpcMessage::notification(methods::NOTIFICATION_SUBSCRIPTIONS_ACKNOWLEDGED, &ack) {
            Ok(m) => m.to_json(),
            Err(e) => {
                let e = ErrorData::internal_error(e.to_string());
                return Rejection::new(StatusCode::INTERNAL_SERVER_ERROR, e).with_id(Some(request.id)).into_response();
            }
        };
        let (tx, rx) = sse::items();
        let guard = self.requests.listen(request.id, filter, tx);
        let head = [sse::event(None, ack.as_bytes())];
        body::sse(EventStream::new(head, Some(rx), Timing::from_config(config), (permit, guard)))
    }
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
