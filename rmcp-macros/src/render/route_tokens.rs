//! What one route adds to the expansion, handed from its kind's renderer to the router's.

use proc_macro2::TokenStream;
use quote::quote;

use super::{hidden, hidden_fn};
use crate::parse::item::Method;

/// What one route adds: items inside the impl, items beside it, and its registration call on
/// the router under construction.
pub(crate) struct RouteTokens {
    /// The method's `#[cfg]`s, repeated on everything generated for it.
    pub(crate) cfgs: TokenStream,
    pub(crate) impl_items: TokenStream,
    pub(crate) outer_items: TokenStream,
    /// `.with_route(...)` or the like, applied to the router under construction.
    pub(crate) register: TokenStream,
}

impl RouteTokens {
    /// A route registered as `.with_route(Self::__rmcp_<noun>_<fn>())`: a hidden function
    /// returning `route_type<Self>` built by `build`, beside the route's call function.
    pub(crate) fn route(
        method: &Method,
        noun: &str,
        route_type: TokenStream,
        build: TokenStream,
        call_fn: TokenStream,
        outer_items: TokenStream,
    ) -> Self {
        let route_fn = hidden_fn(noun, method);
        let hidden = hidden();
        let cfgs = &method.cfgs;
        let impl_items = quote! {
            #(#cfgs)*
            #hidden
            fn #route_fn() -> #route_type<Self> {
                #build
            }

            #call_fn
        };
        Self { cfgs: quote!(#(#cfgs)*), impl_items, outer_items, register: quote!(.with_route(Self::#route_fn())) }
    }
}
