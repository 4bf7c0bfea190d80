//! Attribute arguments: `key = value, key(...), key` lists parsed with their spans, and a reader
//! that hands out their values by key, each as the type the key takes. Only the value's form is
//! enforced here (a value of the wrong form is reported at the value); which keys an attribute
//! takes is `keys`' table, and what the values must satisfy is `check`'s business.

use proc_macro2::{Delimiter, Group, Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitBool, LitInt, LitStr, Path, Token, UnOp, Visibility};

use crate::errors::Errors;
use crate::symbol::Symbol;

/// One `key`, `key = value` or `key(...)` entry.
pub(crate) struct AttrEntry {
    pub(crate) key: Ident,
    pub(crate) value: AttrValue,
}

pub(crate) enum AttrValue {
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
pub(crate) struct AttrArgs {
    pub(crate) entries: Vec<AttrEntry>,
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
    pub(crate) fn from_attribute(attr: &Attribute) -> syn::Result<Self> {
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
    pub(crate) fn from_tokens(tokens: TokenStream) -> syn::Result<Self> {
        Self::parse.parse2(tokens)
    }

    /// Whether an entry has this key (written plain or raw).
    pub(crate) fn has_key(&self, key: Symbol) -> bool {
        self.entries.iter().any(|e| e.key.unraw() == key)
    }
}

/// The entries a [`KeyReader`] did not hand out: keys the attribute does not take, and keys
/// given twice (the first of each is the one read).
pub(crate) struct Unread {
    pub(crate) unknown: Vec<Ident>,
    pub(crate) duplicate: Vec<Ident>,
}

/// Hands out an attribute's entries by key, each as the type that key takes.
pub(crate) struct KeyReader {
    entries: Vec<Option<AttrEntry>>,
    unread: Unread,
}

impl KeyReader {
    /// A reader of `args`, for an attribute taking the keys `allowed`.
    pub(crate) fn new(args: AttrArgs, allowed: &[Symbol]) -> Self {
        let mut unread = Unread { unknown: Vec::new(), duplicate: Vec::new() };
        let mut entries: Vec<Option<AttrEntry>> = Vec::new();
        for entry in args.entries {
            let key = entry.key.unraw();
            if !allowed.iter().any(|allowed| key == *allowed) {
                unread.unknown.push(entry.key);
            } else if entries.iter().flatten().any(|e| e.key.unraw() == key) {
                unread.duplicate.push(entry.key);
            } else {
                entries.push(Some(entry));
            }
        }
        Self { entries, unread }
    }

    fn take(&mut self, key: Symbol) -> Option<AttrEntry> {
        self.entries.iter_mut().find(|e| e.as_ref().is_some_and(|e| e.key.unraw() == key)).and_then(Option::take)
    }

    pub(crate) fn finish(self) -> Unread {
        self.unread
    }

    /// A string literal, and nothing else (names, URIs: checked at compile time).
    pub(crate) fn str(&mut self, key: Symbol, errors: &mut Errors) -> Option<LitStr> {
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

    /// Text shown to clients: a string literal, or an expression yielding one (`concat!(...)`,
    /// `include_str!(...)`, a constant). A literal of another type (`123`, `true`) is reported
    /// here, at the value: the model's `impl Into<String>` would report it as
    /// `String: From<{integer}>`.
    pub(crate) fn text(&mut self, key: Symbol, errors: &mut Errors) -> Option<Expr> {
        let entry = self.take(key)?;
        match entry.value {
            AttrValue::Expr(e) if !is_non_string_literal(&e) => Some(e),
            AttrValue::Flag => {
                errors.at(entry.key.span(), format!("`{key}` expects a value: `{key} = ...`"));
                None
            }
            _ => {
                errors.with_help(
                    &entry.value_tokens(),
                    format!("`{key}` expects a string literal"),
                    format!(
                        "write `{key} = \"...\"`; an expression yielding a string, such as `concat!(...)`, works too"
                    ),
                );
                None
            }
        }
    }

    /// An expression evaluated with `self` in scope (where a handler finds its router): a
    /// literal cannot be one.
    pub(crate) fn place(&mut self, key: Symbol, errors: &mut Errors) -> Option<Expr> {
        let entry = self.take(key)?;
        match entry.value {
            AttrValue::Expr(e) if !matches!(peel_parens(&e), Expr::Lit(_)) => Some(e),
            AttrValue::Flag => {
                errors.at(entry.key.span(), format!("`{key}` expects a value: `{key} = ...`"));
                None
            }
            _ => {
                errors.with_help(
                    &entry.value_tokens(),
                    format!("`{key}` expects an expression, not a literal"),
                    format!("write where it is, such as `{key} = self.my_{key}`"),
                );
                None
            }
        }
    }

    /// `key = true`, `key = false`, or `key` alone meaning true.
    pub(crate) fn bool(&mut self, key: Symbol, errors: &mut Errors) -> Option<LitBool> {
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

    pub(crate) fn int(&mut self, key: Symbol, errors: &mut Errors) -> Option<LitInt> {
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
    pub(crate) fn path(&mut self, key: Symbol, errors: &mut Errors) -> Option<Path> {
        let direct = |value: &AttrValue| match value {
            AttrValue::Expr(Expr::Path(p)) if p.qself.is_none() => Some(p.path.clone()),
            _ => None,
        };
        self.direct_or_quoted(key, direct, format!("a path, such as `{key} = ::rmcp_core`"), errors)
    }

    /// An identifier (`router = my_router`) or a string holding one.
    pub(crate) fn ident(&mut self, key: Symbol, errors: &mut Errors) -> Option<Ident> {
        let direct = |value: &AttrValue| match value {
            AttrValue::Expr(Expr::Path(p)) if p.qself.is_none() => p.path.get_ident().cloned(),
            _ => None,
        };
        self.direct_or_quoted(key, direct, format!("a function name, such as `{key} = my_router`"), errors)
    }

    /// A visibility (`vis = pub(crate)`) or a string holding one (`vis = "pub(crate)"`).
    pub(crate) fn vis(&mut self, key: Symbol, errors: &mut Errors) -> Option<Visibility> {
        let direct = |value: &AttrValue| match value {
            AttrValue::Vis(v) => Some(v.clone()),
            _ => None,
        };
        self.direct_or_quoted(key, direct, format!("a visibility, such as `{key} = \"pub(crate)\"`"), errors)
    }

    /// A value written as itself (what `direct` accepts) or as a string literal holding its
    /// source; anything else is reported as not being `expected`.
    fn direct_or_quoted<T: syn::parse::Parse>(
        &mut self,
        key: Symbol,
        direct: impl FnOnce(&AttrValue) -> Option<T>,
        expected: String,
        errors: &mut Errors,
    ) -> Option<T> {
        let entry = self.take(key)?;
        let parsed = match &entry.value {
            AttrValue::Expr(Expr::Lit(ExprLit { lit: Lit::Str(s), .. })) => s.parse::<T>().ok(),
            value => direct(value),
        };
        if parsed.is_none() {
            errors.at(&entry.value_tokens(), format!("`{key}` expects {expected}"));
        }
        parsed
    }

    /// `key(...)`: the nested list.
    pub(crate) fn nested(&mut self, key: Symbol, errors: &mut Errors) -> Option<AttrArgs> {
        let entry = self.take(key)?;
        let span = entry.key.span();
        match entry.value {
            AttrValue::Nested(args) => Some(args),
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

    /// `key = ["https://...", ...]` or an expression; what can never be a `Vec<Icon>` (a
    /// literal, an array of anything but string literals) is kept as invalid, for `check` to
    /// explain.
    pub(crate) fn icons(&mut self, key: Symbol) -> Option<Icons> {
        let entry = self.take(key)?;
        Some(match entry.value {
            AttrValue::Expr(Expr::Array(array)) => {
                let mut sources = Vec::new();
                for element in &array.elems {
                    match element {
                        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => sources.push(s.clone()),
                        other => return Some(Icons::Invalid(other.span())),
                    }
                }
                Icons::Sources(sources)
            }
            AttrValue::Expr(e) if matches!(peel_parens(&e), Expr::Lit(_)) => Icons::Invalid(e.span()),
            AttrValue::Expr(e) => Icons::Expr(e),
            other => Icons::Invalid(value_span(&entry.key, &other)),
        })
    }

    /// `key = { ... }` (inline JSON) or an expression; a literal, which can never be a `Meta`,
    /// is kept as invalid for `check` to explain.
    pub(crate) fn meta(&mut self, key: Symbol) -> Option<MetaValue> {
        let entry = self.take(key)?;
        Some(match entry.value {
            AttrValue::Json(g) if g.delimiter() == Delimiter::Brace => MetaValue::Json(g),
            AttrValue::Expr(e) if matches!(peel_parens(&e), Expr::Lit(_)) => MetaValue::Invalid(e.span()),
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

/// `(expr)` -> `expr`.
fn peel_parens(mut e: &Expr) -> &Expr {
    while let Expr::Paren(p) = e {
        e = &p.expr;
    }
    e
}

/// `123`, `-1.5`, `true`, `'c'`, `b"x"`: a literal that is not a string.
fn is_non_string_literal(e: &Expr) -> bool {
    match peel_parens(e) {
        Expr::Lit(ExprLit { lit: Lit::Str(_), .. }) => false,
        Expr::Lit(_) => true,
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => matches!(peel_parens(&u.expr), Expr::Lit(_)),
        _ => false,
    }
}

/// `icons = ["https://...", ...]` (sources) or an expression yielding `Vec<Icon>`.
pub(crate) enum Icons {
    Sources(Vec<LitStr>),
    Expr(Expr),
    Invalid(Span),
}

/// `meta = { "key": value }` (inline JSON) or an expression yielding `Meta`.
pub(crate) enum MetaValue {
    Json(Group),
    Expr(Expr),
    Invalid(Span),
}

/// The last segment of an attribute's path: `tool` for both `#[tool]` and `#[rmcp_core::tool]`.
pub(crate) fn attr_ident(attr: &Attribute) -> Option<String> {
    attr.path().segments.last().map(|s| s.ident.to_string())
}
