//! Completion handlers for prompt arguments and resource template variables.

use std::collections::{BTreeMap, HashMap};

use futures_util::future::BoxFuture;

use crate::model::{CompleteRequestParams, CompleteResult, Completion};
use crate::service::{McpError, RequestContext, RoleServer};

/// The future a completion handler returns.
pub type CompletionFuture<'a> = BoxFuture<'a, Result<CompleteResult, McpError>>;

/// What a completion handler gets.
#[derive(Debug)]
#[non_exhaustive]
pub struct CompletionCallContext {
    /// The request's context.
    pub request: RequestContext<RoleServer>,
    /// The argument (or template variable) being completed.
    pub argument: String,
    /// What the user typed so far.
    pub value: String,
    /// Values of the other arguments already given.
    pub context: BTreeMap<String, String>,
}

/// A completion handler (what `#[completion]` generates).
pub type CompletionFn<S> = for<'a> fn(&'a S, CompletionCallContext) -> CompletionFuture<'a>;

/// Candidate values, capped at the protocol's 100 with `total` and `hasMore` set.
pub fn completion_result(values: Vec<String>) -> CompleteResult {
    CompleteResult::new(Completion::from_all(values))
}

/// Completion handlers keyed by (prompt name or template, argument).
pub(crate) struct CompletionTable<S> {
    handlers: HashMap<(String, String), CompletionFn<S>>,
}

impl<S> Default for CompletionTable<S> {
    fn default() -> Self {
        Self { handlers: HashMap::new() }
    }
}

impl<S> Clone for CompletionTable<S> {
    fn clone(&self) -> Self {
        Self { handlers: self.handlers.clone() }
    }
}

impl<S> CompletionTable<S> {
    pub(crate) fn insert(&mut self, owner: &str, argument: &str, f: CompletionFn<S>) {
        self.handlers.insert((owner.to_owned(), argument.to_owned()), f);
    }

    pub(crate) fn extend(&mut self, other: CompletionTable<S>) {
        self.handlers.extend(other.handlers);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }

    pub(crate) async fn complete(
        &self,
        service: &S,
        owner: &str,
        params: CompleteRequestParams,
        request: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        let key = (owner.to_owned(), params.argument.name.clone());
        let Some(f) = self.handlers.get(&key) else {
            return Ok(completion_result(Vec::new()));
        };
        let context = params.context.and_then(|c| c.arguments).unwrap_or_default();
        let cx =
            CompletionCallContext { request, argument: params.argument.name, value: params.argument.value, context };
        f(service, cx).await
    }
}

/// A value a completion function can return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a completion handler",
    note = "return `Vec<String>`, `CompleteResult`, or `Result<T, E>` of one of these with `E: Display`"
)]
pub trait IntoCompleteResult {
    /// Convert.
    fn into_complete_result(self) -> Result<CompleteResult, McpError>;
}

impl IntoCompleteResult for Vec<String> {
    fn into_complete_result(self) -> Result<CompleteResult, McpError> {
        Ok(completion_result(self))
    }
}

impl IntoCompleteResult for CompleteResult {
    fn into_complete_result(self) -> Result<CompleteResult, McpError> {
        Ok(self)
    }
}

impl<T: IntoCompleteResult, E: std::fmt::Display + 'static> IntoCompleteResult for Result<T, E> {
    fn into_complete_result(self) -> Result<CompleteResult, McpError> {
        match self {
            Ok(v) => v.into_complete_result(),
            Err(e) => match (&e as &dyn std::any::Any).downcast_ref::<McpError>() {
                Some(m) => Err(m.clone()),
                None => Err(McpError::internal_error(e.to_string())),
            },
        }
    }
}
