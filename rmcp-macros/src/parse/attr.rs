//! The typed attributes: each reads its keys (declared in `keys`) from the parsed arguments, as
//! the type each key takes.

use proc_macro2::Span;
use syn::{Expr, Ident, LitBool, LitInt, LitStr, Path, Visibility};

use super::args::{AttrArgs, Icons, KeyReader, MetaValue};
use super::keys::{KeySite, Leftover};
use super::kind::{ImplAttr, RouteKind, RouterKind};
use crate::errors::Errors;
use crate::symbol::{
    ANNOTATIONS, ARGUMENT, CRATE, DESCRIPTION, DESTRUCTIVE_HINT, ICONS, IDEMPOTENT_HINT, META, MIME_TYPE, NAME,
    OPEN_WORLD_HINT, PROMPT, READ_ONLY_HINT, RESOURCE, ROUTER, SIZE, TITLE, URI, URI_TEMPLATE, VIS,
};

/// Read `args` as the keys `site` takes, into `read`; the rest goes to `leftovers`.
fn read_keys<T>(
    site: KeySite,
    args: AttrArgs,
    leftovers: &mut Vec<Leftover>,
    read: impl FnOnce(&mut KeyReader) -> T,
) -> T {
    let mut reader = KeyReader::new(args, site.keys());
    let value = read(&mut reader);
    leftovers.push(Leftover::new(site, reader.finish()));
    value
}

/// `annotations(...)` of a tool.
#[derive(Default)]
pub(crate) struct AnnotationsAttr {
    pub(crate) title: Option<Expr>,
    pub(crate) read_only_hint: Option<LitBool>,
    pub(crate) destructive_hint: Option<LitBool>,
    pub(crate) idempotent_hint: Option<LitBool>,
    pub(crate) open_world_hint: Option<LitBool>,
}

/// The arguments of a route attribute; which fields can be set depends on `kind`.
pub(crate) struct RouteAttr {
    pub(crate) kind: RouteKind,
    /// The attribute itself, for errors about it as a whole.
    pub(crate) span: Span,
    pub(crate) name: Option<LitStr>,
    pub(crate) title: Option<Expr>,
    pub(crate) description: Option<Expr>,
    pub(crate) annotations: Option<AnnotationsAttr>,
    pub(crate) icons: Option<Icons>,
    pub(crate) meta: Option<MetaValue>,
    pub(crate) uri: Option<LitStr>,
    pub(crate) uri_template: Option<LitStr>,
    pub(crate) mime_type: Option<Expr>,
    pub(crate) size: Option<LitInt>,
    pub(crate) prompt: Option<LitStr>,
    pub(crate) resource: Option<LitStr>,
    pub(crate) argument: Option<LitStr>,
    pub(crate) krate: Option<Path>,
    pub(crate) leftovers: Vec<Leftover>,
}

impl RouteAttr {
    pub(crate) fn parse(kind: RouteKind, span: Span, args: AttrArgs, errors: &mut Errors) -> Self {
        let mut leftovers = Vec::new();
        let (mut attr, annotations) = read_keys(KeySite::Route(kind), args, &mut leftovers, |r| {
            let annotations = r.nested(ANNOTATIONS, errors);
            let attr = Self {
                kind,
                span,
                name: r.str(NAME, errors),
                title: r.text(TITLE, errors),
                description: r.text(DESCRIPTION, errors),
                annotations: None,
                icons: r.icons(ICONS),
                meta: r.meta(META),
                uri: r.str(URI, errors),
                uri_template: r.str(URI_TEMPLATE, errors),
                mime_type: r.text(MIME_TYPE, errors),
                size: r.int(SIZE, errors),
                prompt: r.str(PROMPT, errors),
                resource: r.str(RESOURCE, errors),
                argument: r.str(ARGUMENT, errors),
                krate: r.path(CRATE, errors),
                leftovers: Vec::new(),
            };
            (attr, annotations)
        });
        attr.annotations = annotations.map(|args| {
            read_keys(KeySite::Annotations, args, &mut leftovers, |a| AnnotationsAttr {
                title: a.text(TITLE, errors),
                read_only_hint: a.bool(READ_ONLY_HINT, errors),
                destructive_hint: a.bool(DESTRUCTIVE_HINT, errors),
                idempotent_hint: a.bool(IDEMPOTENT_HINT, errors),
                open_world_hint: a.bool(OPEN_WORLD_HINT, errors),
            })
        });
        attr.leftovers = leftovers;
        attr
    }
}

/// `#[tool_router(...)]`, `#[prompt_router(...)]`, `#[resource_router(...)]`.
pub(crate) struct RouterAttr {
    pub(crate) router: Option<Ident>,
    pub(crate) vis: Option<Visibility>,
    pub(crate) krate: Option<Path>,
    pub(crate) leftovers: Vec<Leftover>,
}

impl RouterAttr {
    pub(crate) fn parse(kind: RouterKind, args: AttrArgs, errors: &mut Errors) -> Self {
        let mut leftovers = Vec::new();
        let (router, vis, krate) = read_keys(KeySite::Impl(ImplAttr::Router(kind)), args, &mut leftovers, |r| {
            (r.ident(ROUTER, errors), r.vis(VIS, errors), r.path(CRATE, errors))
        });
        Self { router, vis, krate, leftovers }
    }
}

/// `#[tool_handler(...)]` and friends.
pub(crate) struct HandlerAttr {
    /// Where the router is: an expression evaluated with `self` in scope.
    pub(crate) router: Option<Expr>,
    pub(crate) krate: Option<Path>,
    pub(crate) leftovers: Vec<Leftover>,
}

impl HandlerAttr {
    pub(crate) fn parse(kind: RouterKind, args: AttrArgs, errors: &mut Errors) -> Self {
        let mut leftovers = Vec::new();
        let site = KeySite::Impl(ImplAttr::Handler(kind));
        let (router, krate) =
            read_keys(site, args, &mut leftovers, |r| (r.place(ROUTER, errors), r.path(CRATE, errors)));
        Self { router, krate, leftovers }
    }
}
