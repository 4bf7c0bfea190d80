//! `#[resource]` and `#[resource_template]` methods: `__rmcp_resource_<fn>() -> ResourceRoute<Self>`
//! and `__rmcp_read_<fn>`, which parses template variables into the typed arguments.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::router::RouteTokens;
use super::{
    arg_local, call_method, convert_output, description, extractor_from_request, hidden, hidden_fn, icons, lit, meta,
};
use crate::parse::attr::RouteKind;
use crate::parse::item::{ArgKind, Route};
use crate::parse::route_name;

pub fn render(route: &Route, krate: &TokenStream) -> RouteTokens {
    let method = &route.method;
    let attr = &route.attr;
    let hidden = hidden();
    let route_fn = hidden_fn("resource", method);
    let call_fn = hidden_fn("read", method);
    let (name, name_span) = route_name(route);
    let name = lit(&name, name_span);

    let description = description(attr.description.as_ref(), &method.docs).map(|d| quote!(.with_description(#d)));
    let title = attr.title.as_ref().map(|t| quote!(.with_title(#t)));
    let mime_type = attr.mime_type.as_ref().map(|m| quote!(.with_mime_type(#m)));
    let size = attr.size.as_ref().map(|s| quote!(.with_size(#s)));
    let icons = icons(attr.icons.as_ref(), krate);
    let meta = meta(attr.meta.as_ref(), krate);
    let build = if route.attr.kind == RouteKind::ResourceTemplate {
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

    let bindings = method.args.iter().enumerate().map(|(i, a)| {
        let local = arg_local(i);
        let ty = &a.ty;
        match (&a.kind, &a.ident) {
            (ArgKind::Plain, Some(ident)) => {
                let var = ident.unraw().to_string();
                quote_spanned!(ty.span()=> let #local = __rmcp_cx.variable::<#ty>(#var)?;)
            }
            _ => {
                let value = extractor_from_request(a, quote!(__rmcp_cx.request), krate);
                quote!(let #local = #value;)
            }
        }
    });
    let call = call_method(method);
    let convert = convert_output(
        &method.ret,
        quote!(#krate::router::IntoReadResourceResult),
        "into_read_resource_result",
        quote!(, &__rmcp_cx.uri),
    );
    let cfgs = &method.cfgs;
    let impl_items = quote! {
        #(#cfgs)*
        #hidden
        fn #route_fn() -> #krate::router::ResourceRoute<Self> {
            #build
        }

        #(#cfgs)*
        #hidden
        fn #call_fn<'__rmcp>(
            __rmcp_service: &'__rmcp Self,
            __rmcp_cx: #krate::router::ResourceCallContext,
        ) -> #krate::router::ResourceFuture<'__rmcp> {
            ::std::boxed::Box::pin(async move {
                #(#bindings)*
                let __rmcp_out = #call;
                #convert
            })
        }
    };
    RouteTokens {
        cfgs: quote!(#(#cfgs)*),
        impl_items,
        outer_items: TokenStream::new(),
        register: quote!(.with_route(Self::#route_fn())),
    }
}
