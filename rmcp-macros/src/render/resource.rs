//! `#[resource]` and `#[resource_template]` methods: `__rmcp_resource_<fn>() -> ResourceRoute<Self>`
//! beside its call function `__rmcp_read_<fn>`, which parses template variables into the typed
//! arguments.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::call::{self, arg_local, extractor_from_request};
use super::metadata::{description, icons, meta, name};
use super::route_tokens::RouteTokens;
use crate::parse::item::{ArgKind, Route};
use crate::parse::kind::RouteKind;

pub(crate) fn render(route: &Route, krate: &TokenStream) -> RouteTokens {
    let method = &route.method;
    let attr = &route.attr;
    let bindings = method
        .args
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let local = arg_local(i);
            let ty = &a.ty;
            match (&a.kind, &a.ident) {
                (ArgKind::Extractor(extractor), _) => {
                    let value = extractor_from_request(a, *extractor, quote!(__rmcp_cx.request), krate);
                    quote!(let #local = #value;)
                }
                // Template variables; `check` rejects any other input.
                (_, ident) => {
                    let var = ident.as_ref().map(|i| i.unraw().to_string()).unwrap_or_default();
                    quote_spanned!(ty.span()=> let #local = __rmcp_cx.variable::<#ty>(#var)?;)
                }
            }
        })
        .collect();
    let call = call::render(route, krate, None, bindings);
    let call_fn = &call.name;

    let name = name(route);
    let description = description(attr.description.as_ref(), &method.docs).map(|d| quote!(.with_description(#d)));
    let title = attr.title.as_ref().map(|t| quote!(.with_title(#t)));
    let mime_type = attr.mime_type.as_ref().map(|m| quote!(.with_mime_type(#m)));
    let size = attr.size.as_ref().map(|s| quote!(.with_size(#s)));
    let icons = icons(attr.icons.as_ref(), krate);
    let meta = meta(attr.meta.as_ref(), krate);
    let build = if attr.kind == RouteKind::ResourceTemplate {
        let template = &attr.uri_template;
        quote! {
            #krate::router::ResourceRoute::template(
                #krate::model::ResourceTemplate::new(#template, #name)
                    #title #description #mime_type #icons #meta,
                Self::#call_fn,
            )
        }
    } else {
        let uri = &attr.uri;
        quote! {
            #krate::router::ResourceRoute::new(
                #krate::model::Resource::new(#uri, #name)
                    #title #description #mime_type #size #icons #meta,
                Self::#call_fn,
            )
        }
    };
    RouteTokens::route(method, "resource", quote!(#krate::router::ResourceRoute), build, call.item, TokenStream::new())
}
