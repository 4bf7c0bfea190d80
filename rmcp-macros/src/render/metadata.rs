//! What the generated routes tell clients about themselves: name, description, icons and
//! `_meta`, as arguments of the model's builders.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Expr, LitStr};

use crate::parse::args::{Icons, MetaValue};
use crate::parse::item::{DocPiece, Route, join_docs};

/// The route's name as a string literal, spanned where it was written (or at the method).
pub(crate) fn name(route: &Route) -> LitStr {
    let (name, span) = route.name();
    LitStr::new(&name, span)
}

/// A route's description: the explicit `description = ...`, else the method's doc comment.
pub(crate) fn description(explicit: Option<&Expr>, docs: &[DocPiece]) -> Option<TokenStream> {
    if let Some(e) = explicit {
        return Some(quote!(#e));
    }
    if let Some(text) = join_docs(docs) {
        return Some(quote!(#text));
    }
    let pieces: Vec<TokenStream> = docs
        .iter()
        .map(|d| match d {
            DocPiece::Lit(s) => {
                let s = s.strip_prefix(' ').unwrap_or(s);
                quote!(#s)
            }
            DocPiece::Expr(e) => quote!(#e),
        })
        .collect();
    (!pieces.is_empty()).then(|| quote!(::core::concat!(#(#pieces),*)))
}

/// `.with_icons(...)`, when icons are given.
pub(crate) fn icons(icons: Option<&Icons>, krate: &TokenStream) -> Option<TokenStream> {
    match icons? {
        Icons::Sources(srcs) => Some(quote!(.with_icons(::std::vec![#(#krate::model::Icon::new(#srcs)),*]))),
        Icons::Expr(e) => Some(quote!(.with_icons(#e))),
        Icons::Invalid(_) => None,
    }
}

/// `.with_meta(...)`, when meta is given: inline JSON becomes an object through `json!`.
pub(crate) fn meta(meta: Option<&MetaValue>, krate: &TokenStream) -> Option<TokenStream> {
    match meta? {
        MetaValue::Json(group) => Some(quote! {
            .with_meta(match #krate::__private::serde_json::json!(#group) {
                #krate::__private::serde_json::Value::Object(__rmcp_meta) => __rmcp_meta,
                _ => ::core::unreachable!("`meta` is written as a JSON object"),
            })
        }),
        MetaValue::Expr(e) => Some(quote!(.with_meta(#e))),
        MetaValue::Invalid(_) => None,
    }
}
