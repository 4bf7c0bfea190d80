//! The kinds of attribute, as enums: the route attributes on methods and the three router
//! attributes on impls, with their names as users write them and which router collects which
//! route.

use syn::Attribute;

use super::args::AttrArgs;
use crate::symbol::{PROMPT, RESOURCE, Symbol};

/// What a route attribute (`#[tool]`, `#[prompt]`, ...) marks.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum RouteKind {
    Tool,
    Prompt,
    Resource,
    ResourceTemplate,
    Completion,
}

impl RouteKind {
    const ALL: [Self; 5] = [Self::Tool, Self::Prompt, Self::Resource, Self::ResourceTemplate, Self::Completion];

    /// The attribute's name as users write it.
    pub(crate) fn attr_name(self) -> &'static str {
        match self {
            Self::Tool => "tool",
            Self::Prompt => "prompt",
            Self::Resource => "resource",
            Self::ResourceTemplate => "resource_template",
            Self::Completion => "completion",
        }
    }

    pub(crate) fn from_attr_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.attr_name() == name)
    }

    /// The router attribute that collects this route, for messages. A completion belongs to
    /// the prompt router unless it names a resource template.
    pub(crate) fn router(self, names_resource: bool) -> RouterKind {
        match self {
            Self::Tool => RouterKind::Tool,
            Self::Prompt => RouterKind::Prompt,
            Self::Completion if !names_resource => RouterKind::Prompt,
            Self::Resource | Self::ResourceTemplate | Self::Completion => RouterKind::Resource,
        }
    }
}

/// The three router attributes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum RouterKind {
    Tool,
    Prompt,
    Resource,
}

impl RouterKind {
    /// `tool_router`: the attribute's name, and the default name of the generated function.
    pub(crate) fn attr_name(self) -> &'static str {
        match self {
            Self::Tool => "tool_router",
            Self::Prompt => "prompt_router",
            Self::Resource => "resource_router",
        }
    }

    /// The handler attribute that plugs this router into `ServerHandler`.
    pub(crate) fn handler_name(self) -> &'static str {
        match self {
            Self::Tool => "tool_handler",
            Self::Prompt => "prompt_handler",
            Self::Resource => "resource_handler",
        }
    }

    /// The route attributes this router collects, for messages.
    pub(crate) fn route_attrs(self) -> &'static str {
        match self {
            Self::Tool => "#[tool]",
            Self::Prompt => "#[prompt] and #[completion(prompt = ...)]",
            Self::Resource => "#[resource], #[resource_template] and #[completion(resource = ...)]",
        }
    }

    /// Whether this router takes the method attribute `attr` (of kind `kind`). A completion
    /// belongs to the prompt router unless it names only a resource template; one naming both
    /// is claimed by either router, which then reports that it must name one.
    pub(crate) fn claims(self, kind: RouteKind, attr: &Attribute) -> bool {
        match (self, kind) {
            (Self::Tool, RouteKind::Tool) => true,
            (Self::Prompt, RouteKind::Prompt) => true,
            (Self::Resource, RouteKind::Resource | RouteKind::ResourceTemplate) => true,
            (Self::Prompt, RouteKind::Completion) => !has_key(attr, RESOURCE) || has_key(attr, PROMPT),
            (Self::Resource, RouteKind::Completion) => has_key(attr, RESOURCE),
            _ => false,
        }
    }
}

/// Whether the attribute has a `key = ...` entry (`prompt` or `resource` of a completion).
fn has_key(attr: &Attribute, key: Symbol) -> bool {
    AttrArgs::from_attribute(attr).is_ok_and(|a| a.has_key(key))
}

/// An attribute that goes on an impl block: a router on an inherent impl, or a handler on
/// `impl ServerHandler for ...`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ImplAttr {
    Router(RouterKind),
    Handler(RouterKind),
}

impl ImplAttr {
    pub(crate) fn attr_name(self) -> &'static str {
        match self {
            Self::Router(kind) => kind.attr_name(),
            Self::Handler(kind) => kind.handler_name(),
        }
    }
}
