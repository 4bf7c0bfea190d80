//! Which keys each attribute takes: one table per place a key can be written, in the order
//! messages list them. The parser reads keys by the same symbols, and `check` reports whatever
//! was written beyond the table.

use std::fmt::{self, Display};

use syn::Ident;

use super::args::Unread;
use super::kind::{ImplAttr, RouteKind};
use crate::symbol::{
    ANNOTATIONS, ARGUMENT, CRATE, DESCRIPTION, DESTRUCTIVE_HINT, ICONS, IDEMPOTENT_HINT, META, MIME_TYPE, NAME,
    OPEN_WORLD_HINT, PROMPT, READ_ONLY_HINT, RESOURCE, ROUTER, SIZE, Symbol, TITLE, URI, URI_TEMPLATE, VIS,
};

/// The keys of a tool's `annotations(...)`.
pub(crate) const ANNOTATION_KEYS: &[Symbol] =
    &[TITLE, READ_ONLY_HINT, DESTRUCTIVE_HINT, IDEMPOTENT_HINT, OPEN_WORLD_HINT];

/// A place keys are written: an attribute, or the nested `annotations(...)` of `#[tool]`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum KeySite {
    Route(RouteKind),
    Annotations,
    Impl(ImplAttr),
}

impl KeySite {
    pub(crate) fn keys(self) -> &'static [Symbol] {
        match self {
            Self::Route(RouteKind::Tool) => &[NAME, TITLE, DESCRIPTION, ANNOTATIONS, ICONS, META, CRATE],
            Self::Route(RouteKind::Prompt) => &[NAME, TITLE, DESCRIPTION, ICONS, META, CRATE],
            Self::Route(RouteKind::Resource) => &[URI, NAME, TITLE, DESCRIPTION, MIME_TYPE, SIZE, ICONS, META, CRATE],
            Self::Route(RouteKind::ResourceTemplate) => {
                &[URI_TEMPLATE, NAME, TITLE, DESCRIPTION, MIME_TYPE, ICONS, META, CRATE]
            }
            Self::Route(RouteKind::Completion) => &[PROMPT, RESOURCE, ARGUMENT, CRATE],
            Self::Annotations => ANNOTATION_KEYS,
            Self::Impl(ImplAttr::Router(_)) => &[ROUTER, VIS, CRATE],
            Self::Impl(ImplAttr::Handler(_)) => &[ROUTER, CRATE],
        }
    }
}

/// As written in messages: `#[tool]`, `annotations(...)`, `#[tool_router]`.
impl Display for KeySite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Route(kind) => write!(f, "#[{}]", kind.attr_name()),
            Self::Annotations => f.write_str("annotations(...)"),
            Self::Impl(attr) => write!(f, "#[{}]", attr.attr_name()),
        }
    }
}

/// Keys that were not allowed at `site`, or given twice; `check` turns them into errors.
pub(crate) struct Leftover {
    pub(crate) site: KeySite,
    pub(crate) unknown: Vec<Ident>,
    pub(crate) duplicate: Vec<Ident>,
}

impl Leftover {
    pub(crate) fn new(site: KeySite, unread: Unread) -> Self {
        Self { site, unknown: unread.unknown, duplicate: unread.duplicate }
    }
}
