//! Tools: routes (metadata + handler), and the router that lists and dispatches them.
//!
//! The table is built once; `tools/list` answers from a prebuilt list and `tools/call` is a hash
//! lookup and one indirect call. Tools can be added, removed, enabled and disabled while serving:
//! a change swaps in a new table (readers never lock) and tells connected clients the list changed.

use std::fmt;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use foldhash::HashMap;
use futures_util::future::{BoxFuture, Either, join_all};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::pagination::page;
use crate::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, JsonObject, ListToolsResult, PaginatedRequestParams, Tool,
    ToolList,
};
use crate::schema::{LazyValidator, ValidationError};
use crate::service::{McpError, Peer, RequestContext, RoleServer};

/// The future a tool handler returns.
pub type ToolFuture<'a> = BoxFuture<'a, Result<CallToolResult, McpError>>;

/// Everything a tool handler gets about its call.
#[derive(Debug)]
#[non_exhaustive]
pub struct ToolCallContext {
    /// The request's context: id, `_meta`, cancellation, peer.
    pub request: RequestContext<RoleServer>,
    /// The tool's name.
    pub name: String,
    /// The arguments object.
    pub arguments: Option<JsonObject>,
}

impl ToolCallContext {
    /// A context for calling `name` with `arguments`.
    pub fn new(request: RequestContext<RoleServer>, name: String, arguments: Option<JsonObject>) -> Self {
        Self { request, name, arguments }
    }

    /// Deserialize the arguments (absent reads as `{}`). A mismatch is
    /// [`McpError::InvalidArguments`] naming the field, which the router answers with a tool
    /// result marked `isError`.
    pub fn arguments<T: DeserializeOwned>(&mut self) -> Result<T, McpError> {
        let value = Value::Object(self.arguments.take().unwrap_or_default());
        // Arguments nearly always fit: read them plainly, and pay for tracking the path to a
        // mismatch only once there is one.
        if let Ok(arguments) = T::deserialize(&value) {
            return Ok(arguments);
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            if path == "." {
                McpError::InvalidArguments(format!("invalid arguments for tool `{}`: {}", self.name, e.inner()))
            } else {
                McpError::InvalidArguments(format!(
                    "invalid arguments for tool `{}`: `{path}`: {}",
                    self.name,
                    e.inner()
                ))
            }
        })
    }
}

type DynToolFn<S> = dyn for<'a> Fn(&'a S, ToolCallContext) -> ToolFuture<'a> + Send + Sync;

/// One tool: what `tools/list` shows, and the function that runs it.
pub struct ToolRoute<S> {
    tool: Arc<Tool>,
    call: Arc<DynToolFn<S>>,
    validate: bool,
    input_validator: LazyValidator,
    output_validator: LazyValidator,
}

impl<S> Clone for ToolRoute<S> {
    fn clone(&self) -> Self {
        Self {
            tool: self.tool.clone(),
            call: self.call.clone(),
            validate: self.validate,
            input_validator: self.input_validator.clone(),
            output_validator: self.output_validator.clone(),
        }
    }
}

impl<S> fmt::Debug for ToolRoute<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolRoute").field("tool", &self.tool.name).finish_non_exhaustive()
    }
}

impl<S: Send + Sync + 'static> ToolRoute<S> {
    /// A route to a function (what the `#[tool]` macro generates).
    pub fn new(tool: Tool, call: for<'a> fn(&'a S, ToolCallContext) -> ToolFuture<'a>) -> Self {
        Self::new_dyn(tool, call)
    }

    /// A route to any closure: the builder API for tools known only at run time.
    ///
    /// ```
    /// use rmcp_core::model::{CallToolResult, ContentBlock, Tool};
    /// use rmcp_core::router::{ToolRoute, ToolRouter};
    /// use rmcp_core::schema::empty_object_schema;
    ///
    /// struct Server;
    /// let route = ToolRoute::<Server>::new_dyn(Tool::new("ping", "Answers pong", empty_object_schema()), |_s, _cx| {
    ///     Box::pin(async { Ok(CallToolResult::success(vec![ContentBlock::text("pong")])) })
    /// });
    /// let router = ToolRouter::new().with_route(route);
    /// assert_eq!(router.list().tools[0].name, "ping");
    /// ```
    pub fn new_dyn(
        tool: Tool,
        call: impl for<'a> Fn(&'a S, ToolCallContext) -> ToolFuture<'a> + Send + Sync + 'static,
    ) -> Self {
        Self {
            tool: Arc::new(tool),
            call: Arc::new(call),
            validate: true,
            input_validator: LazyValidator::default(),
            output_validator: LazyValidator::default(),
        }
    }

    /// Skip JSON Schema validation of this tool's arguments (serde still checks them).
    pub fn without_validation(mut self) -> Self {
        self.validate = false;
        self
    }

    /// The tool's metadata.
    pub fn tool(&self) -> &Tool {
        &self.tool
    }

    /// Validate the arguments against the input schema, handing them back untouched.
    fn check_arguments(&self, arguments: Option<JsonObject>) -> (Option<JsonObject>, Result<(), String>) {
        if !self.validate {
            return (arguments, Ok(()));
        }
        // Validation wants a `Value`: move the map in and back out rather than copy it.
        let present = arguments.is_some();
        let value = Value::Object(arguments.unwrap_or_default());
        let verdict = self.input_validator.validate(&self.tool.input_schema, &value).map_err(|e| match e {
            // An input schema that does not compile must not silently let everything through.
            ValidationError::BadSchema(e) => format!("the tool's inputSchema is not a valid JSON Schema: {e}"),
            ValidationError::Invalid(problems) => problems,
        });
        let Value::Object(map) = value else { unreachable!("built as an object above") };
        (present.then_some(map), verdict)
    }
}

impl<S> ToolRoute<S> {
    /// Check `structuredContent` against the declared `outputSchema`.
    fn check_output(&self, tool: &str, result: &CallToolResult) -> Result<(), McpError> {
        let (Some(schema), Some(content)) = (&self.tool.output_schema, &result.structured_content) else {
            return Ok(());
        };
        if result.is_error() {
            return Ok(());
        }
        self.output_validator.validate(schema, content).map_err(|e| match e {
            ValidationError::BadSchema(e) => McpError::internal_error(e),
            ValidationError::Invalid(problems) => McpError::internal_error(format!(
                "tool `{tool}` returned structuredContent that does not match its outputSchema: {problems}"
            )),
        })
    }
}

/// Two routes with one name where names must be unique.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("duplicate {kind} name `{name}`")]
pub struct DuplicateName {
    /// "tool", "prompt" or "resource".
    pub kind: &'static str,
    /// The name.
    pub name: String,
}

struct Entry<S> {
    route: ToolRoute<S>,
    enabled: bool,
}

struct ToolTable<S> {
    entries: Vec<Entry<S>>,
    index: HashMap<String, usize>,
    list: Arc<ListToolsResult>,
}

impl<S> ToolTable<S> {
    fn build(entries: Vec<Entry<S>>) -> Self {
        let index = entries.iter().enumerate().map(|(i, e)| (e.route.tool.name.clone(), i)).collect();
        let tools: ToolList = entries.iter().filter(|e| e.enabled).map(|e| (*e.route.tool).clone()).collect();
        // Serialize the list now, once per table version, rather than on the first `tools/list`.
        let _ = tools.to_raw_json();
        Self { entries, index, list: Arc::new(ListToolsResult::new(tools)) }
    }

    fn clone_entries(&self) -> Vec<Entry<S>> {
        self.entries.iter().map(|e| Entry { route: e.route.clone(), enabled: e.enabled }).collect()
    }
}

/// Lists and dispatches a server's tools. Cheap to clone: clones share the table.
///
/// `#[tool_router]` builds one from an impl block's `#[tool]` methods, and `#[tool_handler]`
/// serves the handler's `tool_router` field. Tools can also be added, removed, enabled and
/// disabled while serving; clients are told the list changed.
///
/// ```
/// use rmcp_core::handler::{ServerHandler, ServerInfo};
/// use rmcp_core::model::{Implementation, ServerCapabilities};
/// use rmcp_core::router::ToolRouter;
/// use rmcp_core::{tool, tool_handler, tool_router};
///
/// struct Calculator {
///     tool_router: ToolRouter<Self>,
/// }
///
/// #[tool_router]
/// impl Calculator {
///     /// Add two numbers.
///     #[tool]
///     fn add(&self, a: f64, b: f64) -> String {
///         (a + b).to_string()
///     }
/// }
///
/// #[tool_handler]
/// impl ServerHandler for Calculator {
///     fn get_info(&self) -> ServerInfo {
///         ServerInfo::new(Implementation::new("calculator", "1.0.0"), ServerCapabilities::default())
///     }
/// }
///
/// let calculator = Calculator { tool_router: Calculator::tool_router() };
/// assert_eq!(calculator.tool_router.list().tools[0].name, "add");
/// calculator.tool_router.disable("add"); // hidden from `tools/list`, calls refused
/// assert!(calculator.tool_router.list().tools.is_empty());
/// ```
pub struct ToolRouter<S> {
    table: Arc<ArcSwap<ToolTable<S>>>,
    peers: Arc<Mutex<TrackedPeers>>,
    /// Tools per `tools/list` page; `None`: one page.
    page_size: Option<usize>,
}

impl<S> Clone for ToolRouter<S> {
    fn clone(&self) -> Self {
        Self { table: self.table.clone(), peers: self.peers.clone(), page_size: self.page_size }
    }
}

impl<S> fmt::Debug for ToolRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.table.load().entries.iter().map(|e| e.route.tool.name.clone()).collect();
        f.debug_struct("ToolRouter").field("tools", &names).finish()
    }
}

impl<S: Send + Sync + 'static> Default for ToolRouter<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Send + Sync + 'static> ToolRouter<S> {
    /// A router without tools.
    pub fn new() -> Self {
        Self {
            table: Arc::new(ArcSwap::from_pointee(ToolTable::build(Vec::new()))),
            peers: Arc::default(),
            page_size: None,
        }
    }

    /// Answer `tools/list` in pages of `page_size` tools (the default is one page).
    pub fn with_page_size(mut self, page_size: usize) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Add a route while building; a route with the name of an existing one replaces it.
    ///
    /// Building methods (`with_route`, `merge`, `+`) make a new table; clones made earlier keep
    /// theirs. Only the run-time methods (`add_route`, `remove_route`, `enable`, `disable`)
    /// change a table that clones share.
    pub fn with_route(self, route: ToolRoute<S>) -> Self {
        let entries = with_entry(self.table.load().clone_entries(), route);
        self.rebuilt(entries)
    }

    fn rebuilt(self, entries: Vec<Entry<S>>) -> Self {
        Self { table: Arc::new(ArcSwap::from_pointee(ToolTable::build(entries))), ..self }
    }

    /// Combine two routers; fails on the first name both have.
    pub fn merge(self, other: ToolRouter<S>) -> Result<Self, DuplicateName> {
        let theirs = other.table.load().clone_entries();
        let ours = self.table.load().clone_entries();
        if let Some(e) = theirs.iter().find(|e| ours.iter().any(|o| o.route.tool.name == e.route.tool.name)) {
            return Err(DuplicateName { kind: "tool", name: e.route.tool.name.clone() });
        }
        let mut entries = ours;
        entries.extend(theirs);
        Ok(self.rebuilt(entries))
    }

    /// The tools currently listed (enabled ones), in registration order.
    pub fn list(&self) -> Arc<ListToolsResult> {
        self.table.load().list.clone()
    }

    /// Whether there are any tools at all (enabled or not).
    pub fn is_empty(&self) -> bool {
        self.table.load().entries.is_empty()
    }

    /// The metadata of tool `name`, if registered.
    pub fn get(&self, name: &str) -> Option<Tool> {
        let t = self.table.load();
        t.index.get(name).map(|&i| (*t.entries[i].route.tool).clone())
    }

    /// Add (or replace) a tool while serving, and tell connected clients.
    pub fn add_route(&self, route: ToolRoute<S>) {
        self.table.rcu(|t| ToolTable::build(with_entry(t.clone_entries(), route.clone())));
        self.notify_changed();
    }

    /// Remove a tool while serving; returns whether it existed.
    pub fn remove_route(&self, name: &str) -> bool {
        let mut removed = false;
        self.table.rcu(|t| {
            let mut entries = t.clone_entries();
            let before = entries.len();
            entries.retain(|e| e.route.tool.name != name);
            removed = entries.len() != before;
            ToolTable::build(entries)
        });
        if removed {
            self.notify_changed();
        }
        removed
    }

    /// Show tool `name` in listings and accept calls to it; returns whether it exists.
    pub fn enable(&self, name: &str) -> bool {
        self.set_enabled(name, true)
    }

    /// Hide tool `name` and refuse calls to it; returns whether it exists.
    pub fn disable(&self, name: &str) -> bool {
        self.set_enabled(name, false)
    }

    fn set_enabled(&self, name: &str, enabled: bool) -> bool {
        let mut changed = false;
        let mut found = false;
        self.table.rcu(|t| {
            let mut entries = t.clone_entries();
            changed = false;
            found = false;
            if let Some(&i) = t.index.get(name) {
                found = true;
                changed = entries[i].enabled != enabled;
                entries[i].enabled = enabled;
            }
            ToolTable::build(entries)
        });
        if changed {
            self.notify_changed();
        }
        found
    }

    /// Remember a connection to tell it when the list changes (2025-era sessions; 2026-07-28
    /// clients learn of changes through `subscriptions/listen`). Every call and listing does
    /// this, so it is one hash lookup for a connection already known.
    pub fn track_peer(&self, peer: &Peer<RoleServer>) {
        if peer.protocol_version().is_none_or(|v| v.is_stateless()) {
            return;
        }
        self.lock_peers().track(peer);
    }

    fn lock_peers(&self) -> std::sync::MutexGuard<'_, TrackedPeers> {
        self.peers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Send `notifications/tools/list_changed` to every tracked connection, all at once: one
    /// slow to take it does not hold up the others.
    pub fn notify_changed(&self) {
        let peers = self.lock_peers().open();
        if peers.is_empty() {
            return;
        }
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                join_all(peers.iter().map(|peer| peer.notify_tool_list_changed())).await;
            });
        }
    }

    /// Answer `tools/list`. The result shares the table's prebuilt [`ToolList`] (and its
    /// serialized JSON), so answering copies no tool.
    pub fn list_tools(&self, ctx: &RequestContext<RoleServer>) -> ListToolsResult {
        self.track_peer(&ctx.peer);
        (*self.list()).clone()
    }

    /// Answer `tools/list` for the page `params` asks for. Without a page size the whole list is
    /// one page, answered like [`list_tools`](Self::list_tools); a page is copied from it.
    pub fn list_tools_page(
        &self,
        params: &PaginatedRequestParams,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        if self.page_size.is_none() && params.cursor.is_none() {
            return Ok(self.list_tools(ctx));
        }
        self.track_peer(&ctx.peer);
        let list = self.list();
        let (range, next) = page(list.tools.len(), params.cursor.as_ref(), self.page_size)?;
        let mut result = ListToolsResult::new(list.tools[range].to_vec());
        result.next_cursor = next;
        Ok(result)
    }

    /// Answer `tools/call`: look the tool up, check its arguments, run it. Argument problems are
    /// tool results with `isError: true` naming the field; an unknown tool is -32602.
    ///
    /// The lookup, the argument check and the start of the tool (up to its first `.await`)
    /// happen in this call, not when the future is first polled: the future then holds only
    /// the running tool, not the request. It borrows `service`, not the router.
    pub fn call_tool<'a>(
        &self,
        service: &'a S,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CallToolResult, McpError>> + Send + use<'a, S> {
        let (route, running) = match self.start_call(service, params, ctx) {
            Ok(started) => started,
            Err(answer) => return Either::Left(std::future::ready(answer)),
        };
        Either::Right(async move {
            let result = match running.await {
                Err(McpError::InvalidArguments(message)) => {
                    return Ok(CallToolResult::error(vec![ContentBlock::text(message)]));
                }
                other => other?,
            };
            // A tool that declares an output schema must keep its promise; checking costs a
            // validation per call, so only debug builds (and so tests) pay for it.
            if cfg!(debug_assertions) {
                route.check_output(&route.tool.name, &result)?;
            }
            Ok(result)
        })
    }

    /// Look the tool up, check the arguments and start the tool; `Err` holds the answer when
    /// the tool is not run.
    #[allow(clippy::type_complexity)]
    fn start_call<'a>(
        &self,
        service: &'a S,
        params: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<(ToolRoute<S>, ToolFuture<'a>), Result<CallToolResult, McpError>> {
        self.track_peer(&ctx.peer);
        let route = {
            let table = self.table.load();
            match table.index.get(&params.name).map(|&i| &table.entries[i]) {
                Some(e) if e.enabled => e.route.clone(),
                _ => return Err(Err(McpError::invalid_params(format!("Unknown tool: {}", params.name)))),
            }
        };
        let (arguments, verdict) = route.check_arguments(params.arguments);
        if let Err(problems) = verdict {
            return Err(Ok(invalid_arguments(&params.name, &problems)));
        }
        let running = (route.call)(service, ToolCallContext::new(ctx, params.name, arguments));
        Ok((route, running))
    }
}

/// The connections a router tells of list changes, by [`Peer::connection_key`].
#[derive(Default)]
struct TrackedPeers {
    by_connection: HashMap<usize, Peer<RoleServer>>,
    /// Closed connections are swept out when the map reaches this size, which then doubles what
    /// is left: a sweep's cost is spread over the connections that filled the map.
    sweep_at: usize,
}

/// The smallest map [`TrackedPeers`] sweeps.
const MIN_SWEEP: usize = 64;

impl TrackedPeers {
    fn track(&mut self, peer: &Peer<RoleServer>) {
        let key = peer.connection_key();
        if self.by_connection.contains_key(&key) {
            return;
        }
        if self.by_connection.len() >= self.sweep_at {
            self.by_connection.retain(|_, p| !p.is_closed());
            self.sweep_at = (self.by_connection.len() * 2).max(MIN_SWEEP);
        }
        self.by_connection.insert(key, peer.clone());
    }

    /// The open connections, forgetting the closed ones.
    fn open(&mut self) -> Vec<Peer<RoleServer>> {
        self.by_connection.retain(|_, p| !p.is_closed());
        self.by_connection.values().cloned().collect()
    }
}

/// `entries` with `route` added, or replacing the route of the same name.
fn with_entry<S>(mut entries: Vec<Entry<S>>, route: ToolRoute<S>) -> Vec<Entry<S>> {
    match entries.iter().position(|e| e.route.tool.name == route.tool.name) {
        Some(i) => entries[i] = Entry { route, enabled: true },
        None => entries.push(Entry { route, enabled: true }),
    }
    entries
}

fn invalid_arguments(tool: &str, problems: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(format!("invalid arguments for tool `{tool}`: {problems}"))])
}

impl<S: Send + Sync + 'static> std::ops::Add for ToolRouter<S> {
    type Output = Self;
    /// Combine two routers; on a duplicate name the right-hand tool wins. Use
    /// [`ToolRouter::merge`] to reject duplicates instead.
    fn add(self, other: Self) -> Self {
        let mut entries = self.table.load().clone_entries();
        for e in other.table.load().entries.iter() {
            entries = with_entry(entries, e.route.clone());
        }
        self.rebuilt(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_connections_are_swept_as_new_ones_come() {
        let mut tracked = TrackedPeers::default();
        for _ in 0..1000 {
            // A detached handle reaches no connection: it counts as closed.
            tracked.track(&Peer::detached());
            assert!(tracked.by_connection.len() <= MIN_SWEEP, "{}", tracked.by_connection.len());
        }
        assert!(tracked.open().is_empty());
        assert!(tracked.by_connection.is_empty());
    }
}
