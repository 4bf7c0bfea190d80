//! `#[tool]` methods: per tool a hidden `__rmcp_tool_<fn>() -> ToolRoute<Self>` (the `Tool`
//! metadata and compile-time checks) beside its call function `__rmcp_call_<fn>`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::input::Input;
use super::metadata::{description, icons, meta, name};
use super::route_tokens::RouteTokens;
use crate::parse::item::Route;

pub(crate) fn render(route: &Route, self_name: &str, krate: &TokenStream) -> RouteTokens {
    let method = &route.method;
    let attr = &route.attr;
    let input = Input::new(route, self_name);
    let assertions = input.assertions(quote!(#krate::__private::assert_tool_argument));
    let schema = input
        .describe(quote!(#krate::schema::tool_input_schema))
        .unwrap_or_else(|| quote!(#krate::schema::empty_object_schema()));

    let ret = &method.ret;
    let output_schema = if matches!(ret, syn::Type::ImplTrait(_)) {
        TokenStream::new()
    } else {
        quote_spanned!(ret.span()=>
            __rmcp_tool.output_schema = <#ret as #krate::router::IntoCallToolResult>::output_schema();
        )
    };
    let (description, clear_description) = match description(attr.description.as_ref(), &method.docs) {
        Some(d) => (d, TokenStream::new()),
        None => (quote!(""), quote!(__rmcp_tool.description = ::core::option::Option::None;)),
    };
    let title = attr.title.as_ref().map(|t| quote!(.with_title(#t)));
    let annotations = attr.annotations.as_ref().map(|a| {
        let title = a.title.as_ref().map(|t| quote!(.with_title(#t)));
        let read_only = a.read_only_hint.as_ref().map(|b| quote!(.with_read_only(#b)));
        let destructive = a.destructive_hint.as_ref().map(|b| quote!(.with_destructive(#b)));
        let idempotent = a.idempotent_hint.as_ref().map(|b| quote!(.with_idempotent(#b)));
        let open_world = a.open_world_hint.as_ref().map(|b| quote!(.with_open_world(#b)));
        quote! {
            .with_annotations(#krate::model::ToolAnnotations::new()
                #title #read_only #destructive #idempotent #open_world)
        }
    });
    let icons = icons(attr.icons.as_ref(), krate);
    let meta = meta(attr.meta.as_ref(), krate);
    let name = name(route);

    let call = input.call_fn(krate);
    let call_fn = &call.name;
    let build = quote! {
        #(#assertions)*
        let mut __rmcp_tool = #krate::model::Tool::new(#name, #description, #schema)
            #title #annotations #icons #meta;
        #clear_description
        #output_schema
        #krate::router::ToolRoute::new(__rmcp_tool, Self::#call_fn)
    };
    RouteTokens::route(method, "tool", quote!(#krate::router::ToolRoute), build, call.item, input.struct_item(krate))
}
