//! The input of a tool or a prompt: one `Parameters<T>`, or plain arguments collected into a
//! hidden struct, deserialized from the request's arguments and describing them by its schema
//! (doc comments on the arguments become property descriptions).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Ident, Type};

use super::call::{self, CallFn, arg_local};
use super::hidden;
use crate::parse::item::{Arg, ArgKind, DocPiece, Route};
use crate::parse::kind::RouteKind;

pub(crate) struct Input<'a> {
    route: &'a Route,
    /// The plain arguments, in order.
    plain: Vec<&'a Arg>,
    /// `T` of a `Parameters<T>` argument.
    parameters: Option<&'a Type>,
    /// The hidden struct holding the plain arguments: `__RmcpToolArgs_<Self>_<fn>`.
    struct_name: Ident,
}

impl<'a> Input<'a> {
    /// The input of a tool or prompt `route` in `impl <self_name>`.
    pub(crate) fn new(route: &'a Route, self_name: &str) -> Self {
        let args = &route.method.args;
        let plain = args.iter().filter(|a| matches!(a.kind, ArgKind::Plain)).collect();
        let parameters = args.iter().find_map(|a| match &a.kind {
            ArgKind::Parameters(Some(inner)) => Some(&**inner),
            _ => None,
        });
        let kind = if route.attr.kind == RouteKind::Prompt { "Prompt" } else { "Tool" };
        let struct_name = format_ident!("__Rmcp{}Args_{}_{}", kind, self_name, route.method.ident.unraw());
        Self { route, plain, parameters, struct_name }
    }

    /// `function::<T>()` for the type describing the input: `T` of `Parameters<T>` (spanned at
    /// it, so a `T` lacking a trait is reported there) or the hidden struct; `None` without input.
    pub(crate) fn describe(&self, function: TokenStream) -> Option<TokenStream> {
        match self.parameters {
            Some(inner) => Some(quote_spanned!(inner.span()=> #function::<#inner>())),
            None if !self.plain.is_empty() => {
                let name = &self.struct_name;
                Some(quote!(#function::<#name>()))
            }
            None => None,
        }
    }

    /// `assert::<T>();` for each plain argument, spanned at its type: the `on_unimplemented`
    /// message of the runtime's trait then points at the offending argument.
    pub(crate) fn assertions(&self, assert: TokenStream) -> Vec<TokenStream> {
        self.plain
            .iter()
            .map(|a| {
                let ty = &a.ty;
                quote_spanned!(ty.span()=> #assert::<#ty>();)
            })
            .collect()
    }

    /// The route's call function: the hidden struct deserialized (if any), then each plain
    /// argument a field of it, any other argument through the kind's extractor trait.
    pub(crate) fn call_fn(&self, krate: &TokenStream) -> CallFn {
        let name = &self.struct_name;
        let prelude = (!self.plain.is_empty()).then(|| quote!(let __rmcp_input: #name = __rmcp_cx.arguments()?;));
        let (extract, extract_fn) = match self.route.attr.kind {
            RouteKind::Prompt => (quote!(FromPromptCallContext), quote!(from_prompt_call_context)),
            _ => (quote!(FromToolCallContext), quote!(from_tool_call_context)),
        };
        let bindings = self
            .route
            .method
            .args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let local = arg_local(i);
                let ty = &a.ty;
                match (&a.kind, &a.ident) {
                    (ArgKind::Plain, Some(ident)) => quote!(let #local = __rmcp_input.#ident;),
                    (ArgKind::Plain, None) => quote!(let #local = __rmcp_input.__rmcp_unnamed;),
                    _ => quote_spanned! {ty.span()=>
                        let #local = <#ty as #krate::__private::#extract>::#extract_fn(&mut __rmcp_cx)?;
                    },
                }
            })
            .collect();
        call::render(self.route, krate, prelude, bindings)
    }

    /// The hidden struct, beside the impl; nothing without plain arguments. `#[serde]` and
    /// `#[schemars]` on the arguments are kept on its fields.
    pub(crate) fn struct_item(&self, krate: &TokenStream) -> TokenStream {
        if self.plain.is_empty() {
            return TokenStream::new();
        }
        let serde_path = quote!(#krate::__private::serde).to_string();
        let schemars_path = quote!(#krate::__private::schemars).to_string();
        let hidden = hidden();
        let fields = self.plain.iter().map(|a| {
            let ident = a.ident.clone().unwrap_or_else(|| Ident::new("__rmcp_unnamed", a.pat_span));
            let ty = &a.ty;
            let docs = a.docs.iter().map(|d| match d {
                DocPiece::Lit(s) => quote!(#[doc = #s]),
                DocPiece::Expr(e) => quote!(#[doc = #e]),
            });
            let forwarded = &a.forwarded;
            quote!(#(#docs)* #(#forwarded)* #ident: #ty)
        });
        let name = &self.struct_name;
        let cfgs = &self.route.method.cfgs;
        quote! {
            #[derive(#krate::__private::serde::Deserialize, #krate::__private::schemars::JsonSchema)]
            #[serde(crate = #serde_path)]
            #[schemars(crate = #schemars_path)]
            #(#cfgs)*
            #hidden
            struct #name {
                #(#fields,)*
            }
        }
    }
}
