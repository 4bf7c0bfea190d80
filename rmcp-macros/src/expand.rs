//! parse -> check -> render for each macro. On errors the output is the errors plus the user's
//! item (without our attributes), so nothing else fails because the macro produced nothing.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{ImplItem, ItemImpl};

use crate::check;
use crate::errors::Errors;
use crate::parse::RouterKind;
use crate::parse::attr::{AttrArgs, HandlerAttr, RouteKind, RouterAttr};
use crate::parse::item::{MarkerIdent, parse_router_impl};
use crate::render;

fn parse_args(attr: TokenStream, errors: &mut Errors) -> AttrArgs {
    AttrArgs::from_tokens(attr).unwrap_or_else(|e| {
        errors.push(e);
        AttrArgs::default()
    })
}

/// Parse the item under `#[name]` as an impl block, or explain that it must be one.
fn parse_impl(name: &str, item: TokenStream, errors: &mut Errors) -> Result<ItemImpl, TokenStream> {
    syn::parse2::<ItemImpl>(item.clone()).map_err(|_| {
        let span = syn::parse2::<syn::Item>(item.clone()).map_or_else(|_| proc_macro2::Span::call_site(), |i| i.span());
        errors.with_help(
            span,
            format!("`#[{name}]` goes on an impl block"),
            match name {
                "tool_router" | "prompt_router" | "resource_router" => {
                    format!("write `#[{name}] impl Server {{ ... }}` around the methods it collects")
                }
                _ => format!("write `#[{name}] impl ServerHandler for Server {{ ... }}`"),
            },
        );
        item
    })
}

/// `#[tool_router]`, `#[prompt_router]`, `#[resource_router]`.
pub fn router(kind: RouterKind, attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::new();
    let args = parse_args(attr, &mut errors);
    let router_attr = RouterAttr::parse(kind.attr_name(), args, &mut errors);
    let item = match parse_impl(kind.attr_name(), item, &mut errors) {
        Ok(item) => item,
        Err(item) => {
            let errors = errors.to_compile_errors();
            return quote!(#errors #item);
        }
    };
    let imp = parse_router_impl(item, &|k, a| kind.claims(k, a), &mut errors);
    check::check_router(kind, &router_attr, &imp, &mut errors);
    if errors.is_empty() {
        render::router::render(kind, &router_attr, imp)
    } else {
        let compile_errors = errors.to_compile_errors();
        let fallback = render::router::render_fallback(kind, &router_attr, imp);
        quote!(#compile_errors #fallback)
    }
}

/// `#[tool_handler]`, `#[prompt_handler]`, `#[resource_handler]`.
pub fn handler(kind: RouterKind, attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::new();
    let name = kind.handler_name();
    let args = parse_args(attr, &mut errors);
    let handler_attr = HandlerAttr::parse(name, args, &mut errors);
    let item = match parse_impl(name, item, &mut errors) {
        Ok(item) => item,
        Err(item) => {
            let errors = errors.to_compile_errors();
            return quote!(#errors #item);
        }
    };
    check::check_handler(name, &handler_attr, &item, &mut errors);
    if errors.is_empty() {
        render::handler::render(kind, &handler_attr, item)
    } else {
        let errors = errors.to_compile_errors();
        quote!(#errors #item)
    }
}

/// `#[tool]` and the other route attributes, expanded on their own: always an error, since the
/// router attribute on the enclosing impl consumes them when they are where they belong.
pub fn standalone(kind: RouteKind, attr: TokenStream, item: TokenStream) -> TokenStream {
    if attr.to_string() == MarkerIdent::NAME {
        // Left by the router that consumed this attribute: nothing more to do.
        return item;
    }
    let names_resource = AttrArgs::from_tokens(attr)
        .is_ok_and(|a| a.entries.iter().any(|e| syn::ext::IdentExt::unraw(&e.key) == "resource"));
    let errors = check::check_standalone(kind, names_resource, &item).to_compile_errors();
    // Strip what only a router understands (docs on parameters), so the one error is ours.
    let item = match syn::parse2::<ImplItem>(item.clone()) {
        Ok(ImplItem::Fn(mut f)) => {
            for input in &mut f.sig.inputs {
                if let syn::FnArg::Typed(pt) = input {
                    pt.attrs.retain(|a| !["doc", "serde", "schemars"].iter().any(|n| a.path().is_ident(n)));
                }
            }
            quote!(#f)
        }
        _ => item,
    };
    quote!(#errors #item)
}
