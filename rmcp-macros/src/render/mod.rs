//! The generated code: thin calls into the runtime, named by absolute paths (the `crate`
//! override replaces `::rmcp_core`) so users import nothing. What users may name as well (routes,
//! routers, contexts, the conversion traits) is under `rmcp_core::router`; what only generated
//! code calls (argument checks, extractor traits) is under the hidden `rmcp_core::__private`.
//!
//! The modules import only downward: the helpers here and `route_tokens` at the bottom, then
//! `metadata`, `call` and `input`, then one renderer per kind of route (`tool`, `prompt`,
//! `completion`, `resource`), and `router` and `handler` at the top.

pub(crate) mod call;
pub(crate) mod completion;
pub(crate) mod handler;
pub(crate) mod input;
pub(crate) mod metadata;
pub(crate) mod prompt;
pub(crate) mod resource;
pub(crate) mod route_tokens;
pub(crate) mod router;
pub(crate) mod tool;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::{Ident, Path};

use crate::parse::item::Method;

/// `::rmcp_core`, or the path given with `crate = ...`.
pub(crate) fn krate(path: Option<&Path>) -> TokenStream {
    match path {
        Some(p) => quote!(#p),
        None => quote!(::rmcp_core),
    }
}

/// Attributes for the hidden items we add to user code: out of the docs, and exempt from lints
/// the user's crate may enable (the code is ours, not theirs to fix).
pub(crate) fn hidden() -> TokenStream {
    quote! {
        #[doc(hidden)]
        #[allow(
            non_camel_case_types,
            non_snake_case,
            dead_code,
            unused_mut,
            unused_variables,
            unused_qualifications,
            missing_docs,
            deprecated,
            clippy::all,
            clippy::pedantic,
            clippy::nursery,
            clippy::restriction
        )]
    }
}

/// The name of a hidden associated function: `__rmcp_tool_add` for `fn add`.
pub(crate) fn hidden_fn(prefix: &str, method: &Method) -> Ident {
    format_ident!("__rmcp_{}_{}", prefix, method.ident.unraw())
}
