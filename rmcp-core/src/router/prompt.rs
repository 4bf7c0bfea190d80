//! Prompts: routes and the router that lists and renders them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use foldhash::HashMap;
use futures_util::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::completion::{CompletionFn, CompletionTable};
use super::pagination::page;
use super::tool::DuplicateName;
use crate::model::{
    CompleteRequestParams, CompleteResult, GetPromptRequestParams, GetPromptResult, ListPromptsResult,
    PaginatedRequestParams, Prompt, PromptArgument,
};
use crate::schema::schema_for;
use crate::service::{McpError, RequestContext, RoleServer};

/// The future a prompt handler returns.
pub type PromptFuture<'a> = BoxFuture<'a, Result<GetPromptResult, McpError>>;

/// Everything a prompt handler gets about its request.
#[derive(Debug)]
#[non_exhaustive]
pub struct PromptCallContext {
    /// The request's context.
    pub request: RequestContext<RoleServer>,
    /// The prompt's name.
    pub name: String,
    /// The arguments (strings on the wire).
    pub arguments: Option<BTreeMap<String, String>>,
}

impl PromptCallContext {
    /// A context for rendering `name`.
    pub fn new(request: RequestContext<RoleServer>, name: String, arguments: Option<BTreeMap<String, String>>) -> Self {
        Self { request, name, arguments }
    }

    /// Deserialize the arguments into `T` (a struct of string fields); a mismatch is -32602
    /// naming the argument.
    pub fn arguments<T: DeserializeOwned>(&mut self) -> Result<T, McpError> {
        let map: serde_json::Map<String, Value> =
            self.arguments.take().unwrap_or_default().into_iter().map(|(k, v)| (k, Value::String(v))).collect();
        serde_path_to_error::deserialize(Value::Object(map)).map_err(|e| {
            McpError::invalid_params(format!(
                "invalid arguments for prompt `{}`: {}: {}",
                self.name,
                e.path(),
                e.inner()
            ))
        })
    }

    /// One argument by name: `Some` if given.
    pub fn argument(&self, name: &str) -> Option<String> {
        self.arguments.as_ref().and_then(|a| a.get(name).cloned())
    }

    /// A required argument; missing is -32602 naming it.
    pub fn required_argument(&self, name: &str) -> Result<String, McpError> {
        self.argument(name)
            .ok_or_else(|| McpError::invalid_params(format!("prompt `{}` needs argument `{name}`", self.name)))
    }
}

/// The arguments a prompt taking `T` shows in `prompts/list`: `T`'s properties, with their
/// descriptions and whether they are required.
pub fn prompt_arguments_of<T: schemars::JsonSchema + 'static>() -> Vec<PromptArgument> {
    let schema = schema_for::<T>();
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else { return Vec::new() };
    props
        .iter()
        .map(|(name, prop)| {
            let mut arg = PromptArgument::new(name.clone());
            arg.description = prop.get("description").and_then(Value::as_str).map(str::to_owned);
            arg.required = Some(required.contains(&name.as_str()));
            arg
        })
        .collect()
}

type DynPromptFn<S> = dyn for<'a> Fn(&'a S, PromptCallContext) -> PromptFuture<'a> + Send + Sync;

/// One prompt: what `prompts/list` shows, and the function that renders it.
pub struct PromptRoute<S> {
    prompt: Arc<Prompt>,
    call: Arc<DynPromptFn<S>>,
}

impl<S> Clone for PromptRoute<S> {
    fn clone(&self) -> Self {
        Self { prompt: self.prompt.clone(), call: self.call.clone() }
    }
}

impl<S> fmt::Debug for PromptRoute<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromptRoute").field("prompt", &self.prompt.name).finish_non_exhaustive()
    }
}

impl<S: Send + Sync + 'static> PromptRoute<S> {
    /// A route to a function (what `#[prompt]` generates).
    pub fn new(prompt: Prompt, call: for<'a> fn(&'a S, PromptCallContext) -> PromptFuture<'a>) -> Self {
        Self::new_dyn(prompt, call)
    }

    /// A route to any closure, for prompts known only at run time.
    pub fn new_dyn(
        prompt: Prompt,
        call: impl for<'a> Fn(&'a S, PromptCallContext) -> PromptFuture<'a> + Send + Sync + 'static,
    ) -> Self {
        Self { prompt: Arc::new(prompt), call: Arc::new(call) }
    }

    /// The prompt's metadata.
    pub fn prompt(&self) -> &Prompt {
        &self.prompt
    }
}

/// Lists and renders a server's prompts, and completes their arguments.
///
/// `#[prompt_router]` builds one from an impl block's `#[prompt]` (and `#[completion]`) methods,
/// and `#[prompt_handler]` serves the handler's `prompt_router` field. Prompt arguments are
/// strings on the wire: `String` is a required one, `Option<String>` an optional one.
///
/// ```
/// use rmcp_core::handler::{ServerHandler, ServerInfo};
/// use rmcp_core::model::{Implementation, ServerCapabilities};
/// use rmcp_core::router::PromptRouter;
/// use rmcp_core::{prompt, prompt_handler, prompt_router};
///
/// struct Writer {
///     prompt_router: PromptRouter<Self>,
/// }
///
/// #[prompt_router]
/// impl Writer {
///     /// Ask for a review of some code.
///     #[prompt]
///     fn review(&self, code: String, focus: Option<String>) -> String {
///         let focus = focus.unwrap_or_else(|| "correctness".to_owned());
///         format!("Review this code for {focus}:\n\n{code}")
///     }
/// }
///
/// #[prompt_handler]
/// impl ServerHandler for Writer {
///     fn get_info(&self) -> ServerInfo {
///         ServerInfo::new(Implementation::new("writer", "1.0.0"), ServerCapabilities::default())
///     }
/// }
///
/// let writer = Writer { prompt_router: Writer::prompt_router() };
/// let prompts = writer.prompt_router.list_prompts().prompts;
/// assert_eq!(prompts[0].name, "review");
/// ```
pub struct PromptRouter<S> {
    routes: Vec<PromptRoute<S>>,
    index: HashMap<String, usize>,
    list: Arc<ListPromptsResult>,
    completions: CompletionTable<S>,
    /// Prompts per `prompts/list` page; `None`: one page.
    page_size: Option<usize>,
}

impl<S> Clone for PromptRouter<S> {
    fn clone(&self) -> Self {
        Self {
            routes: self.routes.clone(),
            index: self.index.clone(),
            list: self.list.clone(),
            completions: self.completions.clone(),
            page_size: self.page_size,
        }
    }
}

impl<S> fmt::Debug for PromptRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromptRouter").field("prompts", &self.index.keys().collect::<Vec<_>>()).finish()
    }
}

impl<S: Send + Sync + 'static> Default for PromptRouter<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Send + Sync + 'static> PromptRouter<S> {
    /// A router without prompts.
    pub fn new() -> Self {
        Self {
            routes: Vec::new(),
            index: HashMap::default(),
            list: Arc::new(ListPromptsResult::new(Vec::new())),
            completions: CompletionTable::default(),
            page_size: None,
        }
    }

    fn rebuild(mut self) -> Self {
        self.index = self.routes.iter().enumerate().map(|(i, r)| (r.prompt.name.clone(), i)).collect();
        self.list = Arc::new(ListPromptsResult::new(self.routes.iter().map(|r| (*r.prompt).clone()).collect()));
        self
    }

    /// Add a route; one with the name of an existing route replaces it.
    pub fn with_route(mut self, route: PromptRoute<S>) -> Self {
        match self.index.get(&route.prompt.name) {
            Some(&i) => self.routes[i] = route,
            None => self.routes.push(route),
        }
        self.rebuild()
    }

    /// Register a completion handler for `argument` of prompt `prompt`.
    pub fn with_completion(mut self, prompt: &str, argument: &str, complete: CompletionFn<S>) -> Self {
        self.completions.insert(prompt, argument, complete);
        self
    }

    /// Combine two routers; fails on the first prompt name both have.
    pub fn merge(mut self, other: PromptRouter<S>) -> Result<Self, DuplicateName> {
        if let Some(r) = other.routes.iter().find(|r| self.index.contains_key(&r.prompt.name)) {
            return Err(DuplicateName { kind: "prompt", name: r.prompt.name.clone() });
        }
        self.routes.extend(other.routes);
        self.completions.extend(other.completions);
        Ok(self.rebuild())
    }

    /// Whether there are no prompts.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Whether any argument completions are registered.
    pub fn has_completions(&self) -> bool {
        !self.completions.is_empty()
    }

    /// Answer `prompts/list`.
    pub fn list_prompts(&self) -> ListPromptsResult {
        (*self.list).clone()
    }

    /// Answer `prompts/list` in pages of `page_size` prompts (the default is one page).
    pub fn with_page_size(mut self, page_size: usize) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Answer `prompts/list` for the page `params` asks for.
    pub fn list_prompts_page(&self, params: &PaginatedRequestParams) -> Result<ListPromptsResult, McpError> {
        if self.page_size.is_none() && params.cursor.is_none() {
            return Ok(self.list_prompts());
        }
        let (range, next) = page(self.list.prompts.len(), params.cursor.as_ref(), self.page_size)?;
        let mut result = ListPromptsResult::new(self.list.prompts[range].to_vec());
        result.next_cursor = next;
        Ok(result)
    }

    /// Answer `prompts/get`; an unknown prompt is -32602.
    pub async fn get_prompt(
        &self,
        service: &S,
        params: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResult, McpError> {
        let route = match self.index.get(&params.name) {
            Some(&i) => self.routes[i].clone(),
            None => return Err(McpError::invalid_params(format!("Unknown prompt: {}", params.name))),
        };
        let required = route.prompt.arguments.iter().flatten().filter(|a| a.required == Some(true));
        for arg in required {
            if !params.arguments.as_ref().is_some_and(|a| a.contains_key(&arg.name)) {
                return Err(McpError::invalid_params(format!(
                    "prompt `{}` needs argument `{}`",
                    params.name, arg.name
                )));
            }
        }
        (route.call)(service, PromptCallContext::new(ctx, params.name, params.arguments)).await
    }

    /// Answer `completion/complete` for a prompt argument (empty when nothing is registered).
    pub async fn complete(
        &self,
        service: &S,
        prompt: &str,
        params: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        self.completions.complete(service, prompt, params, ctx).await
    }
}
