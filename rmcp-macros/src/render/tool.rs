//! `#[tool]` methods: per tool a hidden `__rmcp_tool_<fn>() -> ToolRoute<Self>` (the `Tool`
//! metadata and compile-time checks) and `__rmcp_call_<fn>` (extract, call, convert).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::router::RouteTokens;
use super::{
    arg_local, args_struct, args_struct_name, call_method, convert_output, description, hidden, hidden_fn, icons, lit,
    meta,
};
use crate::parse::item::{Arg, ArgKind, Route};
use crate::parse::route_name;

pub fn render(route: &Route, self_name: &str, krate: &TokenStream) -> RouteTokens {
    let method = &route.method;
    let attr = &route.attr;
    let hidden = hidden();
    let route_fn = hidden_fn("tool", method);
    let call_fn = hidden_fn("call", method);
    let (name, name_span) = route_name(route);
    let name = lit(&name, name_span);

    let plain: Vec<&Arg> = method.args.iter().filter(|a| matches!(a.kind, ArgKind::Plain)).collect();
    let args_name = args_struct_name("Tool", self_name, method);
    let outer =
        if plain.is_empty() { TokenStream::new() } else { args_struct(&args_name, &plain, &method.cfgs, krate) };

    // Compile-time checks spanned at the user's types: the on_unimplemented messages of the
    // runtime's traits then point at the offending argument.
    let assertions = plain.iter().map(|a| {
        let ty = &a.ty;
        quote_spanned!(ty.span()=> #krate::router::assert_tool_argument::<#ty>();)
    });
    let parameters = method.args.iter().find_map(|a| match &a.kind {
        ArgKind::Parameters(Some(inner)) => Some(inner),
        _ => None,
    });
    let schema = match parameters {
        Some(inner) => quote_spanned!(inner.span()=> #krate::router::tool_input_schema::<#inner>()),
        None if !plain.is_empty() => quote!(#krate::router::tool_input_schema::<#args_name>()),
        None => quote!(#krate::router::empty_object_schema()),
    };

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

    let input = (!plain.is_empty()).then(|| quote!(let __rmcp_input: #args_name = __rmcp_cx.arguments()?;));
    let bindings = method.args.iter().enumerate().map(|(i, a)| {
        let local = arg_local(i);
        let ty = &a.ty;
        match (&a.kind, &a.ident) {
            (ArgKind::Plain, Some(ident)) => quote!(let #local = __rmcp_input.#ident;),
            (ArgKind::Plain, None) => quote!(let #local = __rmcp_input.__rmcp_unnamed;),
            _ => quote_spanned! {ty.span()=>
                let #local = <#ty as #krate::router::FromToolCallContext>::from_tool_call_context(&mut __rmcp_cx)?;
            },
        }
    });
    let call = call_method(method);
    let convert = convert_output(ret, quote!(#krate::router::IntoCallToolResult), "into_call_tool_result", quote!());

    let cfgs = &method.cfgs;
    let impl_items = quote! {
        #(#cfgs)*
        #hidden
        fn #route_fn() -> #krate::router::ToolRoute<Self> {
            #(#assertions)*
            let mut __rmcp_tool = #krate::model::Tool::new(#name, #description, #schema)
                #title #annotations #icons #meta;
            #clear_description
            #output_schema
            #krate::router::ToolRoute::new(__rmcp_tool, Self::#call_fn)
        }

        #(#cfgs)*
        #hidden
        fn #call_fn<'__rmcp>(
            __rmcp_service: &'__rmcp Self,
            mut __rmcp_cx: #krate::router::ToolCallContext,
        ) -> #krate::router::ToolFuture<'__rmcp> {
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
