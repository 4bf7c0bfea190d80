//! Attributes and items into a typed model. Nothing here decides whether the model is valid
//! beyond syntax; `check` does.

pub mod attr;
pub mod item;

use proc_macro2::Span;
use syn::Attribute;
use syn::ext::IdentExt;

use attr::{AttrArgs, RouteKind};
use item::Route;

/// The three router attributes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RouterKind {
    Tool,
    Prompt,
    Resource,
}

impl RouterKind {
    /// `tool_router`: the attribute's name, and the default name of the generated function.
    pub fn attr_name(self) -> &'static str {
        match self {
            Self::Tool => "tool_router",
            Self::Prompt => "prompt_router",
            Self::Resource => "resource_router",
        }
    }

    /// The handler attribute that plugs this router into `ServerHandler`.
    pub fn handler_name(self) -> &'static str {
        match self {
            Self::Tool => "tool_handler",
            Self::Prompt => "prompt_handler",
            Self::Resource => "resource_handler",
        }
    }

    /// The route attributes this router collects, for messages.
    pub fn route_attrs(self) -> &'static str {
        match self {
            Self::Tool => "#[tool]",
            Self::Prompt => "#[prompt] and #[completion(prompt = ...)]",
            Self::Resource => "#[resource], #[resource_template] and #[completion(resource = ...)]",
        }
    }

    /// Whether this router takes the method attribute `attr` (of kind `kind`). A completion
    /// belongs to the prompt router unless it names only a resource template; one naming both
    /// is claimed by either router, which then reports that it must name one.
    pub fn claims(self, kind: RouteKind, attr: &Attribute) -> bool {
        match (self, kind) {
            (Self::Tool, RouteKind::Tool) => true,
            (Self::Prompt, RouteKind::Prompt) => true,
            (Self::Resource, RouteKind::Resource | RouteKind::ResourceTemplate) => true,
            (Self::Prompt, RouteKind::Completion) => {
                !completion_names(attr, "resource") || completion_names(attr, "prompt")
            }
            (Self::Resource, RouteKind::Completion) => completion_names(attr, "resource"),
            _ => false,
        }
    }
}

/// Whether `#[completion(...)]` has a `key = ...` entry (`prompt` or `resource`).
pub fn completion_names(attr: &Attribute, key: &str) -> bool {
    AttrArgs::from_attribute(attr).is_ok_and(|a| a.entries.iter().any(|e| e.key.unraw() == key))
}

/// The route's programmatic name and the span to blame for it: `name = "..."` if given, else the
/// method's name (without `r#`).
pub fn route_name(route: &Route) -> (String, Span) {
    match &route.attr.name {
        Some(lit) => (lit.value(), lit.span()),
        None => (route.method.ident.unraw().to_string(), route.method.ident.span()),
    }
}
