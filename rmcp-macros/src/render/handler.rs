//! `#[tool_handler]`, `#[prompt_handler]`, `#[resource_handler]`: the `ServerHandler` methods
//! that delegate to a router (listing, calling/getting/reading, the completion hook and the
//! capability hook). Methods the impl already defines are left alone.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, ImplItem, ItemImpl};

use super::krate;
use crate::parse::attr::HandlerAttr;
use crate::parse::kind::RouterKind;

pub(crate) fn render(kind: RouterKind, attr: &HandlerAttr, mut item: ItemImpl) -> TokenStream {
    let k = krate(attr.krate.as_ref());
    let router = match &attr.router {
        Some(e) => quote!(#e),
        None => match kind {
            RouterKind::Tool => quote!(self.tool_router),
            RouterKind::Prompt => quote!(self.prompt_router),
            RouterKind::Resource => quote!(self.resource_router),
        },
    };
    let ctx = quote!(#k::service::RequestContext<#k::service::RoleServer>);
    let paginated = quote!(#k::model::PaginatedRequestParams);
    let future = |result: &str, lifetime: TokenStream| {
        let result = Ident::new(result, Span::call_site());
        quote! {
            impl ::core::future::Future<Output = ::core::result::Result<#k::model::#result, #k::service::McpError>>
                + ::core::marker::Send + #lifetime
        }
    };
    // A list page answered at once from the router's prebuilt table.
    let list = |name: &str, result: &str, call: TokenStream| {
        let name = Ident::new(name, Span::call_site());
        let ret = future(result, quote!('_));
        // Only the tool router reads the context (to track the peer for list-changed notices).
        let ctx_name = Ident::new(if kind == RouterKind::Tool { "ctx" } else { "_ctx" }, Span::call_site());
        quote! {
            fn #name(&self, params: #paginated, #ctx_name: #ctx) -> #ret {
                ::core::future::ready((#router).#call)
            }
        }
    };
    // A request the router dispatches to one of the server's methods.
    let dispatch = |name: &str, params: &str, result: &str| {
        let name = Ident::new(name, Span::call_site());
        let params = Ident::new(params, Span::call_site());
        let ret = future(result, quote!('_));
        quote! {
            fn #name(&self, params: #k::model::#params, ctx: #ctx) -> #ret {
                async move { (#router).#name(self, params, ctx).await }
            }
        }
    };
    // `complete_prompt` / `complete_resource`: the trait's `complete` dispatches on the
    // reference, so the prompt and resource handlers each plug in their half.
    let complete = |hook: &str, owner: &str| {
        let hook = Ident::new(hook, Span::call_site());
        let owner = Ident::new(owner, Span::call_site());
        let ret = future("CompleteResult", quote!('__rmcp));
        quote! {
            fn #hook<'__rmcp>(
                &'__rmcp self,
                #owner: &'__rmcp str,
                params: #k::model::CompleteRequestParams,
                ctx: #ctx,
            ) -> #ret {
                async move { (#router).complete(self, #owner, params, ctx).await }
            }
        }
    };
    let capability = |hook: &str, ty: &str, settings: TokenStream| {
        let hook = Ident::new(hook, Span::call_site());
        let ty = Ident::new(ty, Span::call_site());
        quote! {
            fn #hook(&self) -> ::core::option::Option<#k::model::#ty> {
                ::core::option::Option::Some(<#k::model::#ty as ::core::default::Default>::default() #settings)
            }
        }
    };

    let methods: Vec<(&str, TokenStream)> = match kind {
        RouterKind::Tool => vec![
            ("list_tools", list("list_tools", "ListToolsResult", quote!(list_tools_page(&params, &ctx)))),
            ("call_tool", dispatch("call_tool", "CallToolRequestParams", "CallToolResult")),
            // The tool router tells clients when its tools change, hence `listChanged`.
            ("tool_capability", capability("tool_capability", "ToolsCapability", quote!(.with_list_changed(true)))),
        ],
        RouterKind::Prompt => vec![
            ("list_prompts", list("list_prompts", "ListPromptsResult", quote!(list_prompts_page(&params)))),
            ("get_prompt", dispatch("get_prompt", "GetPromptRequestParams", "GetPromptResult")),
            ("complete_prompt", complete("complete_prompt", "prompt")),
            ("prompt_capability", capability("prompt_capability", "PromptsCapability", quote!())),
        ],
        RouterKind::Resource => vec![
            ("list_resources", list("list_resources", "ListResourcesResult", quote!(list_resources_page(&params)))),
            (
                "list_resource_templates",
                list(
                    "list_resource_templates",
                    "ListResourceTemplatesResult",
                    quote!(list_resource_templates_page(&params)),
                ),
            ),
            ("read_resource", dispatch("read_resource", "ReadResourceRequestParams", "ReadResourceResult")),
            ("complete_resource", complete("complete_resource", "template")),
            ("resource_capability", capability("resource_capability", "ResourcesCapability", quote!())),
        ],
    };
    let defined: Vec<String> = item
        .items
        .iter()
        .filter_map(|i| match i {
            ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
            _ => None,
        })
        .collect();
    for (name, tokens) in methods {
        if !defined.iter().any(|d| d == name) {
            item.items.push(ImplItem::Verbatim(tokens));
        }
    }
    quote!(#item)
}
