//! Impl blocks and their methods as a typed model: which methods a router claims, their
//! receivers, arguments (classified), return types and docs. The impl itself is stripped of the
//! attributes that are ours, so it can be emitted unchanged otherwise.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{
    Attribute, Expr, ExprLit, FnArg, GenericArgument, GenericParam, Ident, ImplItem, ImplItemFn, ItemImpl, Lit, Meta,
    Pat, PathArguments, ReceiverKind, ReturnType, Safety, Type, TypeParamBound,
};

use super::args::{AttrArgs, attr_ident};
use super::attr::RouteAttr;
use super::kind::RouteKind;
use crate::errors::Errors;
use crate::symbol::{CFG, DOC, SCHEMARS, SERDE};

/// The extractors: arguments built from the request rather than read from the input,
/// recognised by the last segment of their type's path. Everything else beside `Parameters<T>`
/// is a plain input.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Extractor {
    RequestContext,
    Peer,
    CancellationToken,
    Meta,
    ProgressReporter,
    /// The authenticated caller; the call fails without one.
    Principal,
    /// `Option<Principal>`: the caller if there is one.
    OptionalPrincipal,
}

impl Extractor {
    /// The extractors recognised by their own name (`Option<Principal>` is recognised apart).
    const ALL: [Self; 6] = [
        Self::RequestContext,
        Self::Peer,
        Self::CancellationToken,
        Self::Meta,
        Self::ProgressReporter,
        Self::Principal,
    ];

    /// The type's name, as users import it.
    fn type_name(self) -> &'static str {
        match self {
            Self::RequestContext => "RequestContext",
            Self::Peer => "Peer",
            Self::CancellationToken => "CancellationToken",
            Self::Meta => "Meta",
            Self::ProgressReporter => "ProgressReporter",
            Self::Principal => "Principal",
            Self::OptionalPrincipal => "Option<Principal>",
        }
    }

    fn from_type_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.type_name() == name)
    }
}

/// An impl block under a router attribute.
pub(crate) struct RouterImpl {
    /// The impl with our attributes removed.
    pub(crate) item: ItemImpl,
    pub(crate) routes: Vec<Route>,
    /// Our attributes on items that are not methods.
    pub(crate) misplaced: Vec<Misplaced>,
    /// Names of the impl's type and const parameters (hidden argument structs cannot use them).
    pub(crate) generic_params: Vec<Ident>,
    /// The self type's name, to name hidden items.
    pub(crate) self_name: String,
}

/// A method marked with one of the router's attributes.
pub(crate) struct Route {
    pub(crate) attr: RouteAttr,
    pub(crate) method: Method,
    /// Further route attributes on the same method (an error).
    pub(crate) repeated: Vec<(RouteKind, Span)>,
}

impl Route {
    /// The route's programmatic name and the span to blame for it: `name = "..."` if given, else
    /// the method's name (without `r#`).
    pub(crate) fn name(&self) -> (String, Span) {
        match &self.attr.name {
            Some(lit) => (lit.value(), lit.span()),
            None => (self.method.ident.unraw().to_string(), self.method.ident.span()),
        }
    }
}

pub(crate) struct Misplaced {
    pub(crate) kind: RouteKind,
    pub(crate) span: Span,
    /// "a constant", "an associated type", ...
    pub(crate) item: &'static str,
}

pub(crate) struct Method {
    pub(crate) ident: Ident,
    /// `async fn`, or a plain fn returning `impl Future`: the call is awaited.
    pub(crate) awaited: bool,
    pub(crate) unsafety: Option<Span>,
    pub(crate) receiver: Receiver,
    /// Type and const parameters, and `impl Trait` arguments: things a router cannot name.
    pub(crate) generics: Vec<Span>,
    pub(crate) args: Vec<Arg>,
    /// What the call yields (after `.await` if awaited); `()` when no return type is written.
    pub(crate) ret: Type,
    pub(crate) docs: Vec<DocPiece>,
    /// `#[cfg(...)]` on the method: the generated items and the registration carry them too.
    pub(crate) cfgs: Vec<Attribute>,
}

pub(crate) enum Receiver {
    /// `&self` (any lifetime).
    Shared,
    /// `&mut self`.
    Mut(Span),
    /// `self` or `mut self`.
    Value(Span),
    /// `self: Box<Self>` and the like.
    Typed(Span),
    /// No receiver at all.
    Missing,
}

pub(crate) struct Arg {
    /// The parameter's name when its pattern is a plain identifier.
    pub(crate) ident: Option<Ident>,
    pub(crate) pat_span: Span,
    pub(crate) ty: Type,
    pub(crate) kind: ArgKind,
    pub(crate) docs: Vec<DocPiece>,
    /// `#[serde(...)]` and `#[schemars(...)]`, moved onto the hidden argument struct's field.
    pub(crate) forwarded: Vec<Attribute>,
}

pub(crate) enum ArgKind {
    /// Built from the request context (`RequestContext<RoleServer>`, `Peer<RoleServer>`, ...).
    Extractor(Extractor),
    /// `Parameters<T>`: the whole input; `T` when written with one type argument.
    Parameters(Option<Box<Type>>),
    /// A plain input (`a: i64`): a property of the arguments object, a prompt argument or a
    /// template variable.
    Plain,
}

/// One `#[doc = ...]` line: usually a literal, possibly a macro call such as `include_str!`.
#[derive(Clone)]
pub(crate) enum DocPiece {
    Lit(String),
    Expr(Expr),
}

/// Parse `item` as the impl a router attribute is on, claiming methods whose attributes satisfy
/// `claims`. Attribute syntax errors go to `errors`; the model is built regardless.
pub(crate) fn parse_router_impl(
    mut item: ItemImpl,
    claims: &dyn Fn(RouteKind, &Attribute) -> bool,
    errors: &mut Errors,
) -> RouterImpl {
    let generic_params = item
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(t.ident.clone()),
            GenericParam::Const(c) => Some(c.ident.clone()),
            GenericParam::Lifetime(_) => None,
        })
        .collect();
    let self_name = match &*item.self_ty {
        Type::Path(p) => p.path.segments.last().map_or("Self".to_owned(), |s| s.ident.to_string()),
        _ => "Self".to_owned(),
    };
    let mut routes = Vec::new();
    let mut misplaced = Vec::new();
    for impl_item in &mut item.items {
        match impl_item {
            ImplItem::Fn(f) => {
                if let Some(route) = claim_method(f, claims, errors) {
                    routes.push(route);
                }
            }
            other => {
                let (attrs, what) = match other {
                    ImplItem::Const(c) => (&mut c.attrs, "a constant"),
                    ImplItem::Type(t) => (&mut t.attrs, "an associated type"),
                    ImplItem::Macro(m) => (&mut m.attrs, "a macro invocation"),
                    _ => continue,
                };
                for (kind, attr) in take_claimed(attrs, claims) {
                    misplaced.push(Misplaced { kind, span: name_span(&attr), item: what });
                }
            }
        }
    }
    RouterImpl { item, routes, misplaced, generic_params, self_name }
}

/// Take the attributes `claims` accepts, leaving each as the marker `#[tool(__rmcp_routed)]`
/// under the path the user wrote: the attribute still resolves (so `use rmcp_core::tool` is not
/// an unused import) and then expands to the item unchanged.
fn take_claimed(
    attrs: &mut [Attribute],
    claims: &dyn Fn(RouteKind, &Attribute) -> bool,
) -> Vec<(RouteKind, Attribute)> {
    let mut taken = Vec::new();
    for a in attrs.iter_mut() {
        let Some(kind) = attr_ident(a).as_deref().and_then(RouteKind::from_attr_name) else { continue };
        if is_routed_marker(a) || !claims(kind, a) {
            continue;
        }
        let path = a.path().clone();
        let marker: Attribute = syn::parse_quote_spanned!(a.span()=> #[#path(#ROUTED_MARKER)]);
        taken.push((kind, std::mem::replace(a, marker)));
    }
    taken
}

/// The attribute's name (`tool` of `#[rmcp_core::tool(...)]`), to blame the attribute as a whole:
/// its own span would be only the `#`.
fn name_span(attr: &Attribute) -> Span {
    attr.path().segments.last().map_or_else(|| attr.span(), |s| s.ident.span())
}

/// The argument of a route attribute a router has already consumed.
pub(crate) const ROUTED_MARKER: MarkerIdent = MarkerIdent;

/// `__rmcp_routed`, as a token.
#[derive(Clone, Copy)]
pub(crate) struct MarkerIdent;

impl MarkerIdent {
    pub(crate) const NAME: &'static str = "__rmcp_routed";
}

impl quote::ToTokens for MarkerIdent {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        tokens.extend([proc_macro2::TokenTree::Ident(Ident::new(Self::NAME, Span::call_site()))]);
    }
}

/// Whether `attr` is `#[x(__rmcp_routed)]`.
pub(crate) fn is_routed_marker(attr: &Attribute) -> bool {
    matches!(&attr.meta, Meta::List(l) if l.tokens.to_string() == MarkerIdent::NAME)
}

fn claim_method(
    f: &mut ImplItemFn,
    claims: &dyn Fn(RouteKind, &Attribute) -> bool,
    errors: &mut Errors,
) -> Option<Route> {
    let mut claimed = take_claimed(&mut f.attrs, claims).into_iter();
    let (kind, first) = claimed.next()?;
    let repeated = claimed.map(|(k, a)| (k, name_span(&a))).collect();
    let args = AttrArgs::from_attribute(&first).unwrap_or_else(|e| {
        errors.push(e);
        AttrArgs::default()
    });
    let attr = RouteAttr::parse(kind, name_span(&first), args, errors);
    // The router demands `&self` and owned arguments; pedantic lints against exactly that shape
    // would blame the user for our rule.
    f.attrs.push(syn::parse_quote!(#[allow(clippy::unused_self, clippy::needless_pass_by_value)]));
    let method = parse_method(f);
    Some(Route { attr, method, repeated })
}

/// Read a method's signature, and strip its parameters of the attributes the router consumes
/// (docs, `serde`, `schemars`), which would not compile on a parameter.
fn parse_method(f: &mut ImplItemFn) -> Method {
    let sig = &mut f.sig;
    let mut receiver = Receiver::Missing;
    let mut args = Vec::new();
    let mut generics: Vec<Span> =
        sig.generics.params.iter().filter(|p| !matches!(p, GenericParam::Lifetime(_))).map(Spanned::span).collect();
    for input in &mut sig.inputs {
        match input {
            FnArg::Receiver(r) => {
                // Point at the token that is wrong (`mut`, `self`, the type): on stable a span
                // cannot cover `&mut self` whole.
                receiver = match &r.kind {
                    ReceiverKind::Reference(_, _, None) => Receiver::Shared,
                    ReceiverKind::Reference(_, _, Some(m)) => Receiver::Mut(m.span),
                    ReceiverKind::Value => Receiver::Value(r.self_token.span),
                    ReceiverKind::Typed(_, ty) => Receiver::Typed(ty.span()),
                    // A receiver syntax newer than this parser: not one a route can take.
                    _ => Receiver::Typed(r.self_token.span),
                };
            }
            FnArg::Typed(pt) => {
                let mut docs = Vec::new();
                let mut forwarded = Vec::new();
                pt.attrs.retain(|a| {
                    if a.path() == DOC {
                        docs.extend(doc_piece(a));
                        false
                    } else if a.path() == SERDE || a.path() == SCHEMARS {
                        forwarded.push(a.clone());
                        false
                    } else {
                        true
                    }
                });
                if let Type::ImplTrait(t) = &*pt.ty {
                    generics.push(t.span());
                }
                let ident = match &*pt.pat {
                    Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => Some(pi.ident.clone()),
                    _ => None,
                };
                args.push(Arg {
                    ident,
                    pat_span: pt.pat.span(),
                    kind: classify(&pt.ty),
                    ty: (*pt.ty).clone(),
                    docs,
                    forwarded,
                });
            }
        }
    }
    let (ret, awaited) = match &sig.output {
        ReturnType::Default => (syn::parse_quote!(()), sig.asyncness.is_some()),
        ReturnType::Type(_, ty) if sig.asyncness.is_some() => ((**ty).clone(), true),
        ReturnType::Type(_, ty) => match future_output(ty) {
            Some(output) => (output, true),
            None => ((**ty).clone(), false),
        },
    };
    Method {
        ident: sig.ident.clone(),
        awaited,
        unsafety: match sig.safety {
            Safety::Unsafe(u) => Some(u.span),
            _ => None,
        },
        receiver,
        generics,
        args,
        ret,
        docs: f.attrs.iter().flat_map(doc_piece).collect(),
        cfgs: f.attrs.iter().filter(|a| a.path() == CFG).cloned().collect(),
    }
}

/// Classify an argument by its type's last path segment.
pub(crate) fn classify(ty: &Type) -> ArgKind {
    let Type::Path(p) = ty else { return ArgKind::Plain };
    let Some(last) = p.path.segments.last() else { return ArgKind::Plain };
    let name = last.ident.to_string();
    if name == "Parameters" {
        let inner = match &last.arguments {
            PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
                GenericArgument::Type(t) => Some(Box::new(t.clone())),
                _ => None,
            },
            _ => None,
        };
        return ArgKind::Parameters(inner);
    }
    if name == "Option" && single_type_argument(&last.arguments).is_some_and(is_principal) {
        return ArgKind::Extractor(Extractor::OptionalPrincipal);
    }
    Extractor::from_type_name(&name).map_or(ArgKind::Plain, ArgKind::Extractor)
}

/// `T` of `Name<T>`.
fn single_type_argument(arguments: &PathArguments) -> Option<&Type> {
    match arguments {
        PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `ty` names `Principal` (by its last segment, as every extractor is recognised).
fn is_principal(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Principal"))
}

/// `X` of `impl Future<Output = X> (+ Send ...)`.
fn future_output(ty: &Type) -> Option<Type> {
    let Type::ImplTrait(t) = ty else { return None };
    t.bounds.iter().find_map(|b| {
        let TypeParamBound::Trait(tb) = b else { return None };
        let last = tb.path.segments.last()?;
        if last.ident != "Future" {
            return None;
        }
        let PathArguments::AngleBracketed(a) = &last.arguments else { return None };
        a.args.iter().find_map(|g| match g {
            GenericArgument::AssocType(at) if at.ident == "Output" => Some(at.ty.clone()),
            _ => None,
        })
    })
}

fn doc_piece(attr: &Attribute) -> Option<DocPiece> {
    if attr.path() != DOC {
        return None;
    }
    match &attr.meta {
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(DocPiece::Lit(s.value())),
            other => Some(DocPiece::Expr(other.clone())),
        },
        _ => None,
    }
}

/// Join doc lines the way rustdoc shows them: one leading space dropped per line, blank edges
/// trimmed. `None` when there are no docs.
pub(crate) fn join_docs(docs: &[DocPiece]) -> Option<String> {
    if docs.iter().any(|d| matches!(d, DocPiece::Expr(_))) {
        return None;
    }
    let lines: Vec<&str> = docs
        .iter()
        .filter_map(|d| match d {
            DocPiece::Lit(s) => Some(s.as_str()),
            DocPiece::Expr(_) => None,
        })
        .flat_map(|s| s.split('\n'))
        .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end())
        .collect();
    let text = lines.join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
