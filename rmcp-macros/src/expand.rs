//! parse -> check -> render for each macro. On errors the output is the errors plus the user's
//! item (without our attributes), so nothing else fails because the macro produced nothing.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{ImplItem, ItemImpl};

use crate::check;
use crate::errors::Errors;
use crate::parse::args::AttrArgs;
use crate::parse::attr::{HandlerAttr, RouterAttr};
use crate::parse::item::{MarkerIdent, parse_router_impl};
use crate::parse::kind::{ImplAttr, RouteKind, RouterKind};
use crate::render;
use crate::symbol::{DOC, RESOURCE, SCHEMARS, SERDE};

fn parse_args(attr: TokenStream, errors: &mut Errors) -> AttrArgs {
    AttrArgs::from_tokens(attr).unwrap_or_else(|e| {
        errors.push(e);
        AttrArgs::default()
    })
}

/// Parse the item under `attr` as an impl block, or explain that it must be one.
fn parse_impl(attr: ImplAttr, item: TokenStream, errors: &mut Errors) -> Result<ItemImpl, TokenStream> {
    syn::parse2::<ItemImpl>(item.clone()).map_err(|_| {
        let span = syn::parse2::<syn::Item>(item.clone()).map_or_else(|_| proc_macro2::Span::call_site(), |i| i.span());
        let name = attr.attr_name();
        errors.with_help(
            span,
            format!("`#[{name}]` goes on an impl block"),
            match attr {
                ImplAttr::Router(_) => {
                    format!("write `#[{name}] impl Server {{ ... }}` around the methods it collects")
                }
                ImplAttr::Handler(_) => format!("write `#[{name}] impl ServerHandler for Server {{ ... }}`"),
            },
        );
        item
    })
}

/// `#[tool_router]`, `#[prompt_router]`, `#[resource_router]`.
pub(crate) fn router(kind: RouterKind, attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::new();
    let args = parse_args(attr, &mut errors);
    let router_attr = RouterAttr::parse(kind, args, &mut errors);
    let item = match parse_impl(ImplAttr::Router(kind), item, &mut errors) {
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
pub(crate) fn handler(kind: RouterKind, attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::new();
    let args = parse_args(attr, &mut errors);
    let handler_attr = HandlerAttr::parse(kind, args, &mut errors);
    let item = match parse_impl(ImplAttr::Handler(kind), item, &mut errors) {
        Ok(item) => item,
        Err(item) => {
            let errors = errors.to_compile_errors();
            return quote!(#errors #item);
        }
    };
    check::check_handler(kind, &handler_attr, &item, &mut errors);
    if errors.is_empty() {
        render::handler::render(kind, &handler_attr, item)
    } else {
        let errors = errors.to_compile_errors();
        quote!(#errors #item)
    }
}

/// `#[tool]` and the other route attributes, expanded on their own: always an error, since the
/// router attribute on the enclosing impl consumes them when they are where they belong.
pub(crate) fn standalone(kind: RouteKind, attr: TokenStream, item: TokenStream) -> TokenStream {
    if attr.to_string() == MarkerIdent::NAME {
        // Left by the router that consumed this attribute: nothing more to do.
        return item;
    }
    let names_resource = AttrArgs::from_tokens(attr).is_ok_and(|a| a.has_key(RESOURCE));
    let errors = check::check_standalone(kind, names_resource, &item).to_compile_errors();
    // Strip what only a router understands (docs on parameters), so the one error is ours.
    let item = match syn::parse2::<ImplItem>(item.clone()) {
        Ok(ImplItem::Fn(mut f)) => {
            for input in &mut f.sig.inputs {
                if let syn::FnArg::Typed(pt) = input {
                    pt.attrs.retain(|a| ![DOC, SERDE, SCHEMARS].iter().any(|n| a.path() == n));
                }
            }
            quote!(#f)
        }
        _ => item,
    };
    quote!(#errors #item)
}
