//! `#[prompt]` methods (`__rmcp_prompt_<fn>` and `__rmcp_get_<fn>`) and `#[completion]`
//! methods (`__rmcp_complete_<fn>`), which prompt and resource routers share.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::router::RouteTokens;
use super::{
    arg_local, args_struct, args_struct_name, call_method, convert_output, description, extractor_from_request, hidden,
    hidden_fn, icons, lit, meta,
};
use crate::parse::item::{Arg, ArgKind, Route};
use crate::parse::route_name;
use crate::types::is_completion_context;

pub fn render(route: &Route, self_name: &str, krate: &TokenStream) -> RouteTokens {
    let method = &route.method;
    let attr = &route.attr;
    let hidden = hidden();
    let route_fn = hidden_fn("prompt", method);
    let call_fn = hidden_fn("get", method);
    let (name, name_span) = route_name(route);
    let name = lit(&name, name_span);

    let plain: Vec<&Arg> = method.args.iter().filter(|a| matches!(a.kind, ArgKind::Plain)).collect();
    let args_name = args_struct_name("Prompt", self_name, method);
    let outer =
        if plain.is_empty() { TokenStream::new() } else { args_struct(&args_name, &plain, &method.cfgs, krate) };
    let assertions = plain.iter().map(|a| {
        let ty = &a.ty;
        quote_spanned!(ty.span()=> #krate::router::assert_prompt_argument::<#ty>();)
    });
    let parameters = method.args.iter().find_map(|a| match &a.kind {
        ArgKind::Parameters(Some(inner)) => Some(inner),
        _ => None,
    });
    let arguments = match parameters {
        Some(inner) => {
            Some(quote_spanned!(inner.span()=> .with_arguments(#krate::router::prompt_arguments_of::<#inner>())))
        }
        None if !plain.is_empty() => Some(quote!(.with_arguments(#krate::router::prompt_arguments_of::<#args_name>()))),
        None => None,
    };
    let description = description(attr.description.as_ref(), &method.docs).map(|d| quote!(.with_description(#d)));
    let title = attr.title.as_ref().map(|t| quote!(.with_title(#t)));
    let icons = icons(attr.icons.as_ref(), krate);
    let meta = meta(attr.meta.as_ref(), krate);

    let input = (!plain.is_empty()).then(|| quote!(let __rmcp_input: #args_name = __rmcp_cx.arguments()?;));
    let bindings = method.args.iter().enumerate().map(|(i, a)| {
        let local = arg_local(i);
        let ty = &a.ty;
        match (&a.kind, &a.ident) {
            (ArgKind::Plain, Some(ident)) => quote!(let #local = __rmcp_input.#ident;),
            (ArgKind::Plain, None) => quote!(let #local = __rmcp_input.__rmcp_unnamed;),
            _ => quote_spanned! {ty.span()=>
                let #local = <#ty as #krate::router::FromPromptCallContext>::from_prompt_call_context(&mut __rmcp_cx)?;
            },
        }
    });
    let call = call_method(method);
    let convert =
        convert_output(&method.ret, quote!(#krate::router::IntoGetPromptResult), "into_get_prompt_result", quote!());

    let cfgs = &method.cfgs;
    let impl_items = quote! {
        #(#cfgs)*
        #hidden
        fn #route_fn() -> #krate::router::PromptRoute<Self> {
            #(#assertions)*
            let __rmcp_prompt = #krate::model::Prompt::new(#name)
                #title #description #arguments #icons #meta;
            #krate::router::PromptRoute::new(__rmcp_prompt, Self::#call_fn)
        }

        #(#cfgs)*
        #hidden
        fn #call_fn<'__rmcp>(
            __rmcp_service: &'__rmcp Self,
            mut __rmcp_cx: #krate::router::PromptCallContext,
        ) -> #krate::router::PromptFuture<'__rmcp> {
            ::std::boxed::Box::pin(async move {
                #input
                #(#bindings)*
                let __rmcp_out = #call;
                #convert
            })
        }
    };
    RouteTokens {
        cfgs: quote!(#(#cfgs)*),
        impl_items,
        outer_items: outer,
        register: quote!(.with_route(Self::#route_fn())),
    }
}

/// A completion handler: extractors from the request, the typed text as the one plain argument,
/// and the whole `CompletionCallContext` (moved last, after everything else is read from it).
pub fn render_completion(route: &Route, krate: &TokenStream) -> RouteTokens {
    let method = &route.method;
    let attr = &route.attr;
    let hidden = hidden();
    let call_fn = hidden_fn("complete", method);
    let mut bindings = Vec::new();
    let mut moved = Vec::new();
    for (i, a) in method.args.iter().enumerate() {
        let local = arg_local(i);
        let ty = &a.ty;
        if is_completion_context(ty) {
            moved.push(quote_spanned!(ty.span()=> let #local: #ty = __rmcp_cx;));
        } else if let ArgKind::Extractor = a.kind {
            let value = extractor_from_request(a, quote!(__rmcp_cx.request), krate);
            bindings.push(quote!(let #local = #value;));
        } else {
            bindings.push(quote_spanned! {ty.span()=>
                let #local: #ty = ::core::clone::Clone::clone(&__rmcp_cx.value);
            });
        }
    }
    let call = call_method(method);
    let convert =
        convert_output(&method.ret, quote!(#krate::router::IntoCompleteResult), "into_complete_result", quote!());
    let cfgs = &method.cfgs;
    let impl_items = quote! {
        #(#cfgs)*
        #hidden
        fn #call_fn<'__rmcp>(
            __rmcp_service: &'__rmcp Self,
            __rmcp_cx: #krate::router::CompletionCallContext,
        ) -> #krate::router::CompletionFuture<'__rmcp> {
            ::std::boxed::Box::pin(async move {
                #(#bindings)*
                #(#moved)*
                let __rmcp_out = #call;
                #convert
            })
        }
    };
    let owner = attr.prompt.as_ref().or(attr.resource.as_ref());
    let argument = &attr.argument;
    RouteTokens {
        cfgs: quote!(#(#cfgs)*),
        impl_items,
        outer_items: TokenStream::new(),
        register: quote!(.with_completion(#owner, #argument, Self::#call_fn)),
    }
}
