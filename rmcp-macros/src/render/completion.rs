//! `#[completion]` methods, which prompt and resource routers share: a call function
//! `__rmcp_complete_<fn>` registered for one prompt argument or template variable.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::call::{self, arg_local, extractor_from_request};
use super::route_tokens::RouteTokens;
use crate::parse::item::{ArgKind, Route};
use crate::types::is_completion_context;

/// Extractors from the request, the typed text as the one plain argument, and the whole
/// `CompletionCallContext` (moved last, after everything else is read from it).
pub(crate) fn render(route: &Route, krate: &TokenStream) -> RouteTokens {
    let method = &route.method;
    let attr = &route.attr;
    let mut bindings = Vec::new();
    let mut moved = Vec::new();
    for (i, a) in method.args.iter().enumerate() {
        let local = arg_local(i);
        let ty = &a.ty;
        if is_completion_context(ty) {
            moved.push(quote_spanned!(ty.span()=> let #local: #ty = __rmcp_cx;));
        } else if let ArgKind::Extractor(extractor) = a.kind {
            let value = extractor_from_request(a, extractor, quote!(__rmcp_cx.request), krate);
            bindings.push(quote!(let #local = #value;));
        } else {
            bindings.push(quote_spanned! {ty.span()=>
                let #local: #ty = ::core::clone::Clone::clone(&__rmcp_cx.value);
            });
        }
    }
    bindings.extend(moved);
    let call = call::render(route, krate, None, bindings);
    let call_fn = &call.name;
    let owner = attr.prompt.as_ref().or(attr.resource.as_ref());
    let argument = &attr.argument;
    let cfgs = &method.cfgs;
    RouteTokens {
        cfgs: quote!(#(#cfgs)*),
        impl_items: call.item,
        outer_items: TokenStream::new(),
        register: quote!(.with_completion(#owner, #argument, Self::#call_fn)),
    }
}
