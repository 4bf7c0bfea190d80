//! Attribute arguments: `key = value, key(...), key` lists parsed with their spans, then read
//! into typed attributes. Only syntax is enforced here; which keys are allowed where, and what
//! the values must satisfy, is `check`'s business (it reports unknown keys with suggestions).

use proc_macro2::{Delimiter, Group, Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitBool, LitInt, LitStr, Path, Token, Visibility};

use crate::errors::Errors;

/// One `key`, `key = value` or `key(...)` entry.
pub struct AttrEntry {
    pub key: Ident,
    pub value: AttrValue,
}

pub enum AttrValue {
    /// `key` alone.
    Flag,
    /// `key = expr`.
    Expr(Expr),
    /// `key = { ... }`: JSON written inline (for `meta`).
    Json(Group),
    /// `key = pub(crate)`.
    Vis(Visibility),
    /// `key(...)`.
    Nested(AttrArgs),
    /// `key(...)` whose contents are not `key = value` entries, such as `icons("a.png")`: kept
    /// (with the group's span and the syntax error) so the key can say what it expects.
    Malformed(Span, syn::Error),
}

/// A comma-separated list of entries.
#[derive(Default)]
pub struct AttrArgs {
    pub entries: Vec<AttrEntry>,
}

impl Parse for AttrArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let entries = Punctuated::<AttrEntry, Token![,]>::parse_terminated(input)?;
        Ok(Self { entries: entries.into_iter().collect() })
    }
}

impl Parse for AttrEntry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // `parse_any` so keywords such as `crate` work as keys.
        let key = Ident::parse_any(input)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            if input.peek(syn::token::Brace) {
                AttrValue::Json(input.parse()?)
            } else if input.peek(Token![pub]) {
                AttrValue::Vis(input.parse()?)
            } else {
                AttrValue::Expr(input.parse()?)
            }
        } else if input.peek(syn::token::Paren) {
            let content;
            let paren = syn::parenthesized!(content in input);
            let tokens: TokenStream = content.parse()?;
            match AttrArgs::parse.parse2(tokens) {
                Ok(args) => AttrValue::Nested(args),
                Err(e) => AttrValue::Malformed(paren.span.join(), e),
            }
        } else if input.is_empty() || input.peek(Token![,]) {
            AttrValue::Flag
        } else {
            return Err(input.error(format!("expected `{key} = ...`, `{key}(...)` or `,` after `{key}`")));
        };
        Ok(Self { key, value })
    }
}

impl AttrArgs {
    /// The arguments of `#[name(...)]` (or of a bare `#[name]`).
    pub fn from_attribute(attr: &Attribute) -> syn::Result<Self> {
        match &attr.meta {
            syn::Meta::Path(_) => Ok(Self::default()),
            syn::Meta::List(list) => list.parse_args(),
            syn::Meta::NameValue(nv) => {
                let name = attr_ident(attr).unwrap_or_default();
                Err(syn::Error::new(
                    nv.eq_token.span,
                    format!("expected `#[{name}(key = value, ...)]`, not `#[{name} = ...]`"),
                ))
            }
        }
    }

    /// The arguments a `#[proc_macro_attribute]` received.
    pub fn from_tokens(tokens: TokenStream) -> syn::Result<Self> {
        Self::parse.parse2(tokens)
    }
}

/// Keys that were not allowed, or given twice; `check` turns them into errors.
pub struct Leftover {
    /// Where the keys were, for messages: "#[tool]", "annotations(...)", ...
    pub attr: String,
    pub allowed: &'static [&'static str],
    pub unknown: Vec<Ident>,
    pub duplicate: Vec<Ident>,
}

/// Hands out an attribute's entries by key; what is never asked for is reported as unknown.
pub struct KeyReader {
    entries: Vec<Option<AttrEntry>>,
    leftover: Leftover,
}

impl KeyReader {
    pub fn new(args: AttrArgs, attr: String, allowed: &'static [&'static str]) -> Self {
        let mut leftover = Leftover { attr, allowed, unknown: Vec::new(), duplicate: Vec::new() };
        let mut entries: Vec<Option<AttrEntry>> = Vec::new();
        for entry in args.entries {
            let key = entry.key.unraw().to_string();
            if !allowed.contains(&key.as_str()) {
                leftover.unknown.push(entry.key);
            } else if entries.iter().flatten().any(|e| e.key.unraw() == key) {
                leftover.duplicate.push(entry.key);
            } else {
                entries.push(Some(entry));
            }
        }
        Self { entries, leftover }
    }

    fn take(&mut self, key: &str) -> Option<AttrEntry> {
        self.entries.iter_mut().find(|e| e.as_ref().is_some_and(|e| e.key.unraw() == key)).and_then(Option::take)
    }

    pub fn finish(self) -> Leftover {
        self.leftover
    }

    pub fn str(&mut self, key: &str, errors: &mut Errors) -> Option<LitStr> {
        let entry = self.take(key)?;
        match &entry.value {
            AttrValue::Expr(Expr::Lit(ExprLit { lit: Lit::Str(s), .. })) => Some(s.clone()),
            _ => {
                errors.with_help(&entry.value_tokens(), format!("`{key}` expects a string literal"), {
                    format!("write `{key} = \"...\"`")
                });
                None
            }
        }
    }

    /// A string literal or any other expression (descriptions may be `concat!(...)`).
    pub fn expr(&mut self, key: &str, errors: &mut Errors) -> Option<Expr> {
        let entry = self.take(key)?;
        match entry.value {
            AttrValue::Expr(e) => Some(e),
            _ => {
                errors.at(entry.key.span(), format!("`{key}` expects a value: `{key} = ...`"));
                None
            }
        }
    }

    /// `key = true`, `key = false`, or `key` alone meaning true.
    pub fn bool(&mut self, key: &str, errors: &mut Errors) -> Option<LitBool> {
        let entry = self.take(key)?;
        match &entry.value {
            AttrValue::Flag => Some(LitBool::new(true, entry.key.span())),
            AttrValue::Expr(Expr::Lit(ExprLit { lit: Lit::Bool(b), .. })) => Some(b.clone()),
            _ => {
                errors.with_help(
                    &entry.value_tokens(),
                    format!("`{key}` expects `true` or `false`"),
                    format!("write `{key} = true`, `{key} = false`, or `{key}` alone for `true`"),
                );
                None
            }
        }
    }

    pub fn int(&mut self, key: &str, errors: &mut Errors) -> Option<LitInt> {
        let entry = self.take(key)?;
        match &entry.value {
            AttrValue::Expr(Expr::Lit(ExprLit { lit: Lit::Int(i), .. })) => Some(i.clone()),
            _ => {
                errors.at(&entry.value_tokens(), format!("`{key}` expects an integer literal"));
                None
            }
        }
    }

    /// A path (`crate = ::my_rmcp`) or a string holding one (`crate = "my_rmcp"`).
    pub fn path(&mut self, key: &str, errors: &mut Errors) -> Option<Path> {
        let entry = self.take(key)?;
        let parsed = match &entry.value {
            AttrValue::Expr(Expr::Path(p)) if p.qself.is_none() => Ok(p.path.clone()),
            AttrValue::Expr(Expr::Lit(ExprLit { lit: Lit::Str(s), .. })) => s.parse::<Path>(),
            _ => Err(syn::Error::new(Span::call_site(), "")),
        };
        parsed
            .map_err(|_| {
                errors.at(&entry.value_tokens(), format!("`{key}` expects a path, such as `{key} = ::rmcp_core`"))
            })
            .ok()
    }

    /// An identifier (`router = my_router`) or a string holding one.
    pub fn ident(&mut self, key: &str, errors: &mut Errors) -> Option<Ident> {
        let entry = self.take(key)?;
        let parsed = match &entry.value {
            AttrValue::Expr(Expr::Path(p)) if p.qself.is_none() => p.path.get_ident().cloned(),
            AttrValue::Expr(Expr::Lit(ExprLit { lit: Lit::Str(s), .. })) => s.parse::<Ident>().ok(),
            _ => None,
        };
        if parsed.is_none() {
            errors.at(&entry.value_tokens(), format!("`{key}` expects a function name, such as `{key} = my_router`"));
        }
        parsed
    }

    /// A visibility (`vis = pub(crate)`) or a string holding one (`vis = "pub(crate)"`).
    pub fn vis(&mut self, key: &str, errors: &mut Errors) -> Option<Visibility> {
        let entry = self.take(key)?;
        let parsed = match &entry.value {
            AttrValue::Vis(v) => Some(v.clone()),
            AttrValue::Expr(Expr::Lit(ExprLit { lit: Lit::Str(s), .. })) => s.parse::<Visibility>().ok(),
            _ => None,
        };
        if parsed.is_none() {
            errors.at(&entry.value_tokens(), format!("`{key}` expects a visibility, such as `{key} = \"pub(crate)\"`"));
        }
        parsed
    }

    /// `key(...)`: the nested list.
    pub fn nested(&mut self, key: &str, errors: &mut Errors) -> Option<(Span, AttrArgs)> {
        let entry = self.take(key)?;
        let span = entry.key.span();
        match entry.value {
            AttrValue::Nested(args) => Some((span, args)),
            AttrValue::Malformed(_, e) => {
                errors.with_help(e.span(), format!("malformed `{key}(...)`: {e}"), {
                    format!("write `{key}(key = value, ...)`")
                });
                None
            }
            _ => {
                errors.with_help(span, format!("`{key}` expects a list"), format!("write `{key}(key = value, ...)`"));
                None
            }
        }
    }

    pub fn icons(&mut self, key: &str) -> Option<Icons> {
        let entry = self.take(key)?;
        Some(match entry.value {
            AttrValue::Expr(Expr::Array(array))
                if array.elems.iter().all(|e| matches!(e, Expr::Lit(ExprLit { lit: Lit::Str(_), .. }))) =>
            {
                Icons::Sources(
                    array
                        .elems
                        .into_iter()
                        .filter_map(|e| match e {
                            Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(s),
                            _ => None,
                        })
                        .collect(),
                )
            }
            AttrValue::Expr(e) => Icons::Expr(e),
            other => Icons::Invalid(value_span(&entry.key, &other)),
        })
    }

    pub fn meta(&mut self, key: &str) -> Option<MetaValue> {
        let entry = self.take(key)?;
        Some(match entry.value {
            AttrValue::Json(g) if g.delimiter() == Delimiter::Brace => MetaValue::Json(g),
            AttrValue::Expr(e) => MetaValue::Expr(e),
            other => MetaValue::Invalid(value_span(&entry.key, &other)),
        })
    }
}

impl AttrEntry {
    /// The value's tokens (the key's, for a flag or a list), for an error to underline it whole.
    fn value_tokens(&self) -> TokenStream {
        match &self.value {
            AttrValue::Flag | AttrValue::Nested(_) => self.key.to_token_stream(),
            AttrValue::Expr(e) => e.to_token_stream(),
            AttrValue::Json(g) => g.to_token_stream(),
            AttrValue::Vis(v) => v.to_token_stream(),
            AttrValue::Malformed(span, _) => quote::quote_spanned!(*span=> _),
        }
    }
}

fn value_span(key: &Ident, value: &AttrValue) -> Span {
    match value {
        AttrValue::Flag | AttrValue::Nested(_) => key.span(),
        AttrValue::Expr(e) => e.span(),
        AttrValue::Json(g) => g.span(),
        AttrValue::Vis(v) => v.span(),
        AttrValue::Malformed(span, _) => *span,
    }
}

/// `icons = ["https://...", ...]` (sources) or an expression yielding `Vec<Icon>`.
pub enum Icons {
    Sources(Vec<LitStr>),
    Expr(Expr),
    Invalid(Span),
}

/// `meta = { "key": value }` (inline JSON) or an expression yielding `Meta`.
pub enum MetaValue {
    Json(Group),
    Expr(Expr),
    Invalid(Span),
}

/// What a route attribute (`#[tool]`, `#[prompt]`, ...) marks.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum RouteKind {
    Tool,
    Prompt,
    Resource,
    ResourceTemplate,
    Completion,
}

impl RouteKind {
    /// The attribute's name as users write it.
    pub fn attr_name(self) -> &'static str {
        match self {
            Self::Tool => "tool",
            Self::Prompt => "prompt",
            Self::Resource => "resource",
            Self::ResourceTemplate => "resource_template",
            Self::Completion => "completion",
        }
    }

    pub fn from_attr_name(name: &str) -> Option<Self> {
        [Self::Tool, Self::Prompt, Self::Resource, Self::ResourceTemplate, Self::Completion]
            .into_iter()
            .find(|k| k.attr_name() == name)
    }

    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Self::Tool => &["name", "title", "description", "annotations", "icons", "meta", "crate"],
            Self::Prompt => &["name", "title", "description", "icons", "meta", "crate"],
            Self::Resource => &["uri", "name", "title", "description", "mime_type", "size", "icons", "meta", "crate"],
            Self::ResourceTemplate => {
                &["uri_template", "name", "title", "description", "mime_type", "icons", "meta", "crate"]
            }
            Self::Completion => &["prompt", "resource", "argument", "crate"],
        }
    }
}

pub const ANNOTATION_KEYS: &[&str] =
    &["title", "read_only_hint", "destructive_hint", "idempotent_hint", "open_world_hint"];
pub const ROUTER_KEYS: &[&str] = &["router", "vis", "crate"];
pub const HANDLER_KEYS: &[&str] = &["router", "crate"];

/// `annotations(...)` of a tool.
#[derive(Default)]
pub struct AnnotationsAttr {
    pub title: Option<Expr>,
    pub read_only_hint: Option<LitBool>,
    pub destructive_hint: Option<LitBool>,
    pub idempotent_hint: Option<LitBool>,
    pub open_world_hint: Option<LitBool>,
}

/// The arguments of a route attribute; which fields can be set depends on `kind`.
pub struct RouteAttr {
    pub kind: RouteKind,
    /// The attribute itself, for errors about it as a whole.
    pub span: Span,
    pub name: Option<LitStr>,
    pub title: Option<Expr>,
    pub description: Option<Expr>,
    pub annotations: Option<AnnotationsAttr>,
    pub icons: Option<Icons>,
    pub meta: Option<MetaValue>,
    pub uri: Option<LitStr>,
    pub uri_template: Option<LitStr>,
    pub mime_type: Option<Expr>,
    pub size: Option<LitInt>,
    pub prompt: Option<LitStr>,
    pub resource: Option<LitStr>,
    pub argument: Option<LitStr>,
    pub krate: Option<Path>,
    pub leftovers: Vec<Leftover>,
}

impl RouteAttr {
    pub fn parse(kind: RouteKind, span: Span, args: AttrArgs, errors: &mut Errors) -> Self {
        let mut r = KeyReader::new(args, format!("#[{}]", kind.attr_name()), kind.keys());
        let annotations = r.nested("annotations", errors);
        let mut attr = Self {
            kind,
            span,
            name: r.str("name", errors),
            title: r.expr("title", errors),
            description: r.expr("description", errors),
            annotations: None,
            icons: r.icons("icons"),
            meta: r.meta("meta"),
            uri: r.str("uri", errors),
            uri_template: r.str("uri_template", errors),
            mime_type: r.expr("mime_type", errors),
            size: r.int("size", errors),
            prompt: r.str("prompt", errors),
            resource: r.str("resource", errors),
            argument: r.str("argument", errors),
            krate: r.path("crate", errors),
            leftovers: vec![r.finish()],
        };
        if let Some((_, args)) = annotations {
            let mut a = KeyReader::new(args, "annotations(...)".to_owned(), ANNOTATION_KEYS);
            attr.annotations = Some(AnnotationsAttr {
                title: a.expr("title", errors),
                read_only_hint: a.bool("read_only_hint", errors),
                destructive_hint: a.bool("destructive_hint", errors),
                idempotent_hint: a.bool("idempotent_hint", errors),
                open_world_hint: a.bool("open_world_hint", errors),
            });
            attr.leftovers.push(a.finish());
        }
        attr
    }
}

/// `#[tool_router(...)]`, `#[prompt_router(...)]`, `#[resource_router(...)]`.
pub struct RouterAttr {
    pub router: Option<Ident>,
    pub vis: Option<Visibility>,
    pub krate: Option<Path>,
    pub leftover: Leftover,
}

impl RouterAttr {
    pub fn parse(attr_name: &'static str, args: AttrArgs, errors: &mut Errors) -> Self {
        let mut r = KeyReader::new(args, format!("#[{attr_name}]"), ROUTER_KEYS);
        Self {
            router: r.ident("router", errors),
            vis: r.vis("vis", errors),
            krate: r.path("crate", errors),
            leftover: r.finish(),
        }
    }
}

/// `#[tool_handler(...)]` and friends.
pub struct HandlerAttr {
    /// Where the router is: an expression evaluated with `self` in scope.
    pub router: Option<Expr>,
    pub krate: Option<Path>,
    pub leftover: Leftover,
}

impl HandlerAttr {
    pub fn parse(attr_name: &'static str, args: AttrArgs, errors: &mut Errors) -> Self {
        let mut r = KeyReader::new(args, format!("#[{attr_name}]"), HANDLER_KEYS);
        Self { router: r.expr("router", errors), krate: r.path("crate", errors), leftover: r.finish() }
    }
}

/// The last segment of an attribute's path: `tool` for both `#[tool]` and `#[rmcp_core::tool]`.
pub fn attr_ident(attr: &Attribute) -> Option<String> {
    attr.path().segments.last().map(|s| s.ident.to_string())
}
