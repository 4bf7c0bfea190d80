//! The generated code: thin calls into `rmcp_core::router`, named by absolute paths (the `crate`
//! override replaces `::rmcp_core`) so users import nothing.

pub mod handler;
pub mod prompt;
pub mod resource;
pub mod router;
pub mod tool;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Path, Type};

use crate::parse::attr::{Icons, MetaValue};
use crate::parse::item::{Arg, DocPiece, Method, join_docs};

/// `::rmcp_core`, or the path given with `crate = ...`.
pub fn krate(path: Option<&Path>) -> TokenStream {
    match path {
        Some(p) => quote!(#p),
        None => quote!(::rmcp_core),
    }
}

/// Attributes for the hidden items we add to user code: out of the docs, and exempt from lints
/// the user's crate may enable (the code is ours, not theirs to fix).
pub fn hidden() -> TokenStream {
    quote! {
        #[doc(hidden)]
        #[allow(
            non_camel_case_types,
            non_snake_case,
            dead_code,
            unused_mut,
            unused_variables,
            unused_qualifications,
            missing_docs,
            deprecated,
            clippy::all,
            clippy::pedantic,
            clippy::nursery,
            clippy::restriction
        )]
    }
}

/// A route's description: the explicit `description = ...`, else the method's doc comment.
pub fn description(explicit: Option<&syn::Expr>, docs: &[DocPiece]) -> Option<TokenStream> {
    if let Some(e) = explicit {
        return Some(quote!(#e));
    }
    if let Some(text) = join_docs(docs) {
        return Some(quote!(#text));
    }
    let pieces: Vec<TokenStream> = docs
        .iter()
        .map(|d| match d {
            DocPiece::Lit(s) => {
                let s = s.strip_prefix(' ').unwrap_or(s);
                quote!(#s)
            }
            DocPiece::Expr(e) => quote!(#e),
        })
        .collect();
    (!pieces.is_empty()).then(|| quote!(::core::concat!(#(#pieces),*)))
}

/// `.with_icons(...)`, when icons are given.
pub fn icons(icons: Option<&Icons>, krate: &TokenStream) -> Option<TokenStream> {
    match icons? {
        Icons::Sources(srcs) => Some(quote!(.with_icons(::std::vec![#(#krate::model::Icon::new(#srcs)),*]))),
        Icons::Expr(e) => Some(quote!(.with_icons(#e))),
        Icons::Invalid(_) => None,
    }
}

/// `.with_meta(...)`, when meta is given: inline JSON becomes an object through `json!`.
pub fn meta(meta: Option<&MetaValue>, krate: &TokenStream) -> Option<TokenStream> {
    match meta? {
        MetaValue::Json(group) => Some(quote! {
            .with_meta(match #krate::__private::serde_json::json!(#group) {
                #krate::__private::serde_json::Value::Object(__rmcp_meta) => __rmcp_meta,
                _ => ::core::unreachable!("`meta` is written as a JSON object"),
            })
        }),
        MetaValue::Expr(e) => Some(quote!(.with_meta(#e))),
        MetaValue::Invalid(_) => None,
    }
}

/// `name` of a hidden associated function: `__rmcp_tool_add` for `fn add`.
pub fn hidden_fn(prefix: &str, method: &Method) -> Ident {
    format_ident!("__rmcp_{}_{}", prefix, method.ident.unraw())
}

/// The hidden struct collecting a route's plain arguments: the arguments object of a tool, the
/// arguments map of a prompt. Doc comments on the arguments become field docs, hence property
/// descriptions; `#[serde]` / `#[schemars]` on them are kept.
pub fn args_struct(name: &Ident, args: &[&Arg], cfgs: &[syn::Attribute], krate: &TokenStream) -> TokenStream {
    let serde_path = quote!(#krate::__private::serde).to_string();
    let schemars_path = quote!(#krate::__private::schemars).to_string();
    let hidden = hidden();
    let fields = args.iter().map(|a| {
        let ident = a.ident.clone().unwrap_or_else(|| Ident::new("__rmcp_unnamed", a.pat_span));
        let ty = &a.ty;
        let docs = a.docs.iter().map(|d| match d {
            DocPiece::Lit(s) => quote!(#[doc = #s]),
            DocPiece::Expr(e) => quote!(#[doc = #e]),
        });
        let forwarded = &a.forwarded;
        quote!(#(#docs)* #(#forwarded)* #ident: #ty)
    });
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

/// Name of a hidden argument struct, unique per router kind, type and method.
pub fn args_struct_name(kind: &str, self_name: &str, method: &Method) -> Ident {
    format_ident!("__Rmcp{}Args_{}_{}", kind, self_name, method.ident.unraw())
}

/// `__rmcp_arg_<i>`: the local holding the i-th argument of the call.
pub fn arg_local(i: usize) -> Ident {
    format_ident!("__rmcp_arg_{}", i)
}

/// The call of the user's method with the prepared locals, awaited if it is async.
pub fn call_method(method: &Method) -> TokenStream {
    let ident = &method.ident;
    let locals = (0..method.args.len()).map(arg_local);
    let call = quote!(Self::#ident(__rmcp_service #(, #locals)*));
    if method.awaited { quote!(#call.await) } else { call }
}

/// `<Ret as Trait>::convert(out, extra...)` spanned at the return type, so a return type that
/// does not implement the trait is reported there; `impl Trait` returns are converted by
/// inference instead.
pub fn convert_output(ret: &Type, trait_path: TokenStream, method: &str, extra: TokenStream) -> TokenStream {
    let method = Ident::new(method, Span::call_site());
    if matches!(ret, Type::ImplTrait(_)) {
        return quote!(#trait_path::#method(__rmcp_out #extra));
    }
    quote_spanned!(ret.span()=> <#ret as #trait_path>::#method(__rmcp_out #extra))
}

/// For resources and completions, which have no extractor traits: each extractor read from the
/// request by its name, and typed at the argument so a mismatch is reported there.
pub fn extractor_from_request(arg: &Arg, request: TokenStream, krate: &TokenStream) -> TokenStream {
    let ty = &arg.ty;
    let name = match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default(),
        _ => String::new(),
    };
    let value = match name.as_str() {
        "RequestContext" => quote!(::core::clone::Clone::clone(&#request)),
        "Peer" => quote!(::core::clone::Clone::clone(&#request.peer)),
        "CancellationToken" => quote!(::core::clone::Clone::clone(&#request.ct)),
        "Meta" => quote!(::core::clone::Clone::clone(&#request.meta)),
        _ => quote!(#krate::router::ProgressReporter::new(&#request)),
    };
    quote_spanned!(ty.span()=> { let __rmcp_extracted: #ty = #value; __rmcp_extracted })
}

/// A string literal at `span`.
pub fn lit(value: &str, span: Span) -> LitStr {
    LitStr::new(value, span)
}
