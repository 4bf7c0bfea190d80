//! Syntactic questions about types, answered without type information: what a type mentions,
//! what it obviously is, and how to print it in a message.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::{PathArguments, Type};

/// `Self` or one of `params` appearing anywhere in `ty`.
pub(crate) fn mentions(ty: &Type, params: &[syn::Ident]) -> Option<String> {
    fn walk(tokens: TokenStream, params: &[syn::Ident]) -> Option<String> {
        tokens.into_iter().find_map(|t| match t {
            TokenTree::Ident(i) if i == "Self" || params.contains(&i) => Some(i.to_string()),
            TokenTree::Group(g) => walk(g.stream(), params),
            _ => None,
        })
    }
    walk(ty.to_token_stream(), params)
}

/// Types that can never be a prompt argument: numbers, `bool`, `char`, collections, possibly in
/// an `Option`. Anything else is left to the `PromptArgumentType` bound.
pub(crate) fn obviously_not_string(ty: &Type) -> Option<String> {
    const NOT_STRINGS: &[&str] = &[
        "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize", "f32", "f64", "bool",
        "char", "Vec", "HashMap", "BTreeMap", "HashSet", "BTreeSet",
    ];
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    let name = last.ident.to_string();
    if NOT_STRINGS.contains(&name.as_str()) {
        return Some(pretty(ty));
    }
    if name == "Option"
        && let PathArguments::AngleBracketed(a) = &last.arguments
        && let Some(syn::GenericArgument::Type(inner)) = a.args.first()
    {
        return obviously_not_string(inner).map(|_| pretty(ty));
    }
    None
}

/// Whether `ty` is `CompletionCallContext` (by its last path segment).
pub(crate) fn is_completion_context(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "CompletionCallContext"))
}

/// A type as people write it: `Option<Vec<u8>>`, not `Option < Vec < u8 > >`.
pub(crate) fn pretty(ty: &Type) -> String {
    let spaced = ty.to_token_stream().to_string();
    let mut out = String::with_capacity(spaced.len());
    let mut chars = spaced.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let prev = out.chars().last().unwrap_or(' ');
            let next = chars.peek().copied().unwrap_or(' ');
            let tight = matches!(prev, ':' | '<' | '&' | '(' | '[' | '\'')
                || matches!(next, ':' | '<' | '>' | ',' | ')' | ']' | ';')
                || (next == '(' && (prev.is_alphanumeric() || prev == '_'));
            if tight {
                continue;
            }
        }
        out.push(c);
    }
    out
}
