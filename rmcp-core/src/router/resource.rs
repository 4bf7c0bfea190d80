//! Resources and resource templates: routes and the router that lists and reads them.

use std::collections::BTreeMap;
use std::fmt::{self, Display};
use std::str::FromStr;
use std::sync::Arc;

use foldhash::HashMap;
use futures_util::future::BoxFuture;

use super::completion::{CompletionFn, CompletionTable};
use super::pagination::page;
use super::tool::DuplicateName;
use super::uri_template::UriTemplate;
use crate::model::{
    CompleteRequestParams, CompleteResult, ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResult, Resource, ResourceTemplate,
};
use crate::service::{McpError, RequestContext, RoleServer};

/// The future a resource handler returns.
pub type ResourceFuture<'a> = BoxFuture<'a, Result<ReadResourceResult, McpError>>;

/// Everything a resource handler gets about its read.
#[derive(Debug)]
#[non_exhaustive]
pub struct ResourceCallContext {
    /// The request's context.
    pub request: RequestContext<RoleServer>,
    /// The URI being read.
    pub uri: String,
    /// The template's variables, for a template route.
    pub variables: BTreeMap<String, String>,
}

impl ResourceCallContext {
    /// Template variable `name`, parsed; a missing or unparsable value is -32602.
    pub fn variable<T: FromStr>(&self, name: &str) -> Result<T, McpError>
    where
        T::Err: Display,
    {
        let raw = self
            .variables
            .get(name)
            .ok_or_else(|| McpError::invalid_params(format!("`{}` has no variable `{name}`", self.uri)))?;
        raw.parse()
            .map_err(|e| McpError::invalid_params(format!("variable `{name}` of `{}` is invalid: {e}", self.uri)))
    }
}

type DynResourceFn<S> = dyn for<'a> Fn(&'a S, ResourceCallContext) -> ResourceFuture<'a> + Send + Sync;

enum Target {
    Static(Resource),
    Template(ResourceTemplate, UriTemplate),
}

/// One resource or resource template and the function that reads it.
pub struct ResourceRoute<S> {
    target: Arc<Target>,
    call: Arc<DynResourceFn<S>>,
}

impl<S> Clone for ResourceRoute<S> {
    fn clone(&self) -> Self {
        Self { target: self.target.clone(), call: self.call.clone() }
    }
}

impl<S> fmt::Debug for ResourceRoute<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceRoute").field("uri", &self.key()).finish_non_exhaustive()
    }
}

impl<S: Send + Sync + 'static> ResourceRoute<S> {
    /// A route to a fixed resource (what `#[resource]` generates).
    pub fn new(resource: Resource, call: for<'a> fn(&'a S, ResourceCallContext) -> ResourceFuture<'a>) -> Self {
        Self::new_dyn(resource, call)
    }

    /// A fixed resource served by any closure.
    pub fn new_dyn(
        resource: Resource,
        call: impl for<'a> Fn(&'a S, ResourceCallContext) -> ResourceFuture<'a> + Send + Sync + 'static,
    ) -> Self {
        Self { target: Arc::new(Target::Static(resource)), call: Arc::new(call) }
    }

    /// A route to a resource template (what `#[resource_template]` generates).
    ///
    /// # Panics
    /// If the template does not parse (the macro checks this at compile time).
    pub fn template(
        template: ResourceTemplate,
        call: for<'a> fn(&'a S, ResourceCallContext) -> ResourceFuture<'a>,
    ) -> Self {
        Self::template_dyn(template, call)
    }

    /// A template served by any closure.
    ///
    /// # Panics
    /// If the template does not parse.
    pub fn template_dyn(
        template: ResourceTemplate,
        call: impl for<'a> Fn(&'a S, ResourceCallContext) -> ResourceFuture<'a> + Send + Sync + 'static,
    ) -> Self {
        let parsed = UriTemplate::parse(&template.uri_template)
            .unwrap_or_else(|e| panic!("invalid URI template `{}`: {e}", template.uri_template));
        Self { target: Arc::new(Target::Template(template, parsed)), call: Arc::new(call) }
    }
}

impl<S> ResourceRoute<S> {
    /// The URI of a fixed resource, or the template.
    fn key(&self) -> &str {
        match &*self.target {
            Target::Static(r) => &r.uri,
            Target::Template(t, _) => &t.uri_template,
        }
    }
}

/// Lists and reads a server's resources and templates, and completes template variables.
///
/// `#[resource_router]` builds one from an impl block's `#[resource]` and
/// `#[resource_template]` methods (a template's `{variables}` arrive as arguments of the same
/// name), and `#[resource_handler]` serves the handler's `resource_router` field.
///
/// ```
/// use rmcp_core::handler::{ServerHandler, ServerInfo};
/// use rmcp_core::model::{Implementation, ServerCapabilities};
/// use rmcp_core::router::ResourceRouter;
/// use rmcp_core::service::McpError;
/// use rmcp_core::{resource, resource_handler, resource_router, resource_template};
///
/// struct Docs {
///     resource_router: ResourceRouter<Self>,
/// }
///
/// #[resource_router]
/// impl Docs {
///     /// The table of contents.
///     #[resource(uri = "docs://index", name = "index", mime_type = "text/plain")]
///     fn index(&self) -> String {
///         "intro\nusage\n".to_owned()
///     }
///
///     /// One page.
///     #[resource_template(uri_template = "docs://page/{name}", name = "page", mime_type = "text/plain")]
///     fn page(&self, name: String) -> Result<String, McpError> {
///         match name.as_str() {
///             "intro" | "usage" => Ok(format!("the {name} page")),
///             _ => Err(McpError::resource_not_found(&format!("docs://page/{name}"))),
///         }
///     }
/// }
///
/// #[resource_handler]
/// impl ServerHandler for Docs {
///     fn get_info(&self) -> ServerInfo {
///         ServerInfo::new(Implementation::new("docs", "1.0.0"), ServerCapabilities::default())
///     }
/// }
///
/// let docs = Docs { resource_router: Docs::resource_router() };
/// assert_eq!(docs.resource_router.list_resources().resources[0].uri, "docs://index");
/// assert_eq!(docs.resource_router.list_resource_templates().resource_templates.len(), 1);
/// ```
pub struct ResourceRouter<S> {
    routes: Vec<ResourceRoute<S>>,
    by_uri: HashMap<String, usize>,
    resources: Arc<ListResourcesResult>,
    templates: Arc<ListResourceTemplatesResult>,
    completions: CompletionTable<S>,
    /// Entries per `resources/list` and `resources/templates/list` page; `None`: one page.
    page_size: Option<usize>,
}

impl<S> Clone for ResourceRouter<S> {
    fn clone(&self) -> Self {
        Self {
            routes: self.routes.clone(),
            by_uri: self.by_uri.clone(),
            resources: self.resources.clone(),
            templates: self.templates.clone(),
            completions: self.completions.clone(),
            page_size: self.page_size,
        }
    }
}

impl<S> fmt::Debug for ResourceRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceRouter").field("routes", &self.routes).finish()
    }
}

impl<S: Send + Sync + 'static> Default for ResourceRouter<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Send + Sync + 'static> ResourceRouter<S> {
    /// A router without resources.
    pub fn new() -> Self {
        Self {
            routes: Vec::new(),
            by_uri: HashMap::default(),
            resources: Arc::new(ListResourcesResult::new(Vec::new())),
            templates: Arc::new(ListResourceTemplatesResult::new(Vec::new())),
            completions: CompletionTable::default(),
            page_size: None,
        }
    }

    fn rebuild(mut self) -> Self {
        self.by_uri.clear();
        let mut resources = Vec::new();
        let mut templates = Vec::new();
        for (i, r) in self.routes.iter().enumerate() {
            match &*r.target {
                Target::Static(res) => {
                    self.by_uri.insert(res.uri.clone(), i);
                    resources.push(res.clone());
                }
                Target::Template(t, _) => templates.push(t.clone()),
            }
        }
        self.resources = Arc::new(ListResourcesResult::new(resources));
        self.templates = Arc::new(ListResourceTemplatesResult::new(templates));
        self
    }

    /// Add a route; one with the URI (or template) of an existing route replaces it.
    pub fn with_route(mut self, route: ResourceRoute<S>) -> Self {
        match self.routes.iter().position(|r| r.key() == route.key()) {
            Some(i) => self.routes[i] = route,
            None => self.routes.push(route),
        }
        self.rebuild()
    }

    /// Register a completion handler for variable `argument` of template `template`.
    pub fn with_completion(mut self, template: &str, argument: &str, complete: CompletionFn<S>) -> Self {
        self.completions.insert(template, argument, complete);
        self
    }

    /// Combine two routers; fails on the first URI or template both have.
    pub fn merge(mut self, other: ResourceRouter<S>) -> Result<Self, DuplicateName> {
        if let Some(r) = other.routes.iter().find(|r| self.routes.iter().any(|o| o.key() == r.key())) {
            return Err(DuplicateName { kind: "resource", name: r.key().to_owned() });
        }
        self.routes.extend(other.routes);
        self.completions.extend(other.completions);
        Ok(self.rebuild())
    }

    /// Whether there are no resources and no templates.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Answer `resources/list`.
    pub fn list_resources(&self) -> ListResourcesResult {
        (*self.resources).clone()
    }

    /// Answer `resources/templates/list`.
    pub fn list_resource_templates(&self) -> ListResourceTemplatesResult {
        (*self.templates).clone()
    }

    /// Answer the resource lists in pages of `page_size` entries (the default is one page).
    pub fn with_page_size(mut self, page_size: usize) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// Answer `resources/list` for the page `params` asks for.
    pub fn list_resources_page(&self, params: &PaginatedRequestParams) -> Result<ListResourcesResult, McpError> {
        if self.page_size.is_none() && params.cursor.is_none() {
            return Ok(self.list_resources());
        }
        let (range, next) = page(self.resources.resources.len(), params.cursor.as_ref(), self.page_size)?;
        let mut result = ListResourcesResult::new(self.resources.resources[range].to_vec());
        result.next_cursor = next;
        Ok(result)
    }

    /// Answer `resources/templates/list` for the page `params` asks for.
    pub fn list_resource_templates_page(
        &self,
        params: &PaginatedRequestParams,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        if self.page_size.is_none() && params.cursor.is_none() {
            return Ok(self.list_resource_templates());
        }
        let templates = &self.templates.resource_templates;
        let (range, next) = page(templates.len(), params.cursor.as_ref(), self.page_size)?;
        let mut result = ListResourceTemplatesResult::new(templates[range].to_vec());
        result.next_cursor = next;
        Ok(result)
    }

    /// Answer `resources/read`: an exact URI first, then the templates in order. An unknown URI
    /// is -32602 with `data.uri`.
    pub async fn read_resource(
        &self,
        service: &S,
        params: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResult, McpError> {
        let uri = params.uri;
        if let Some(&i) = self.by_uri.get(&uri) {
            let cx = ResourceCallContext { request: ctx, uri, variables: BTreeMap::new() };
            return (self.routes[i].call)(service, cx).await;
        }
        for route in &self.routes {
            if let Target::Template(_, template) = &*route.target
                && let Some(variables) = template.matches(&uri)
            {
                return (route.call)(service, ResourceCallContext { request: ctx, uri, variables }).await;
            }
        }
        Err(McpError::resource_not_found(&uri))
    }

    /// Answer `completion/complete` for a template variable.
    pub async fn complete(
        &self,
        service: &S,
        template: &str,
        params: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        self.completions.complete(service, template, params, ctx).await
    }
}
