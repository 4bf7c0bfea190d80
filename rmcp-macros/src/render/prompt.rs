//! `#[prompt]` methods: per prompt a hidden `__rmcp_prompt_<fn>() -> PromptRoute<Self>` beside
//! its call function `__rmcp_get_<fn>`.

use proc_macro2::TokenStream;
use quote::quote;

use super::input::Input;
use super::metadata::{description, icons, meta, name};
use super::route_tokens::RouteTokens;
use crate::parse::item::Route;

pub(crate) fn render(route: &Route, self_name: &str, krate: &TokenStream) -> RouteTokens {
    let method = &route.method;
    let attr = &route.attr;
    let input = Input::new(route, self_name);
    let assertions = input.assertions(quote!(#krate::__private::assert_prompt_argument));
    let arguments = input
        .describe(quote!(#krate::__private::prompt_arguments_of))
        .map(|arguments| quote!(.with_arguments(#arguments)));
    let description = description(attr.description.as_ref(), &method.docs).map(|d| quote!(.with_description(#d)));
    let title = attr.title.as_ref().map(|t| quote!(.with_title(#t)));
    let icons = icons(attr.icons.as_ref(), krate);
    let meta = meta(attr.meta.as_ref(), krate);
    let name = name(route);

    let call = input.call_fn(krate);
    let call_fn = &call.name;
    let build = quote! {
        #(#assertions)*
        let __rmcp_prompt = #krate::model::Prompt::new(#name)
            #title #description #arguments #icons #meta;
        #krate::router::PromptRoute::new(__rmcp_prompt, Self::#call_fn)
    };
    RouteTokens::route(
        method,
        "prompt",
        quote!(#krate::router::PromptRoute),
        build,
        call.item,
        input.struct_item(krate),
    )
}
