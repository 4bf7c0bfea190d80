//! The hidden call function every route has, `__rmcp_<verb>_<fn>(&Self, Context) -> Future`:
//! it binds the method's arguments, calls the method and converts what it returns. Tools,
//! prompts, resources and completions differ only in the runtime types (`Runtime`) and in how
//! each argument is bound, which their renderers pass in.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Type};

use super::{hidden, hidden_fn};
use crate::parse::item::{Arg, Extractor, Method, Route};
use crate::parse::kind::RouteKind;

/// The runtime items (under `router`) one kind of route is called through.
struct Runtime {
    /// The call function is `__rmcp_<verb>_<fn>`.
    verb: &'static str,
    /// What the call function receives, and the boxed future it returns.
    context: &'static str,
    future: &'static str,
    /// The trait turning the method's return value into the result, and its method.
    output: &'static str,
    output_fn: &'static str,
}

impl Runtime {
    fn for_kind(kind: RouteKind) -> Self {
        let (verb, context, future, output, output_fn) = match kind {
            RouteKind::Tool => ("call", "ToolCallContext", "ToolFuture", "IntoCallToolResult", "into_call_tool_result"),
            RouteKind::Prompt => {
                ("get", "PromptCallContext", "PromptFuture", "IntoGetPromptResult", "into_get_prompt_result")
            }
            RouteKind::Resource | RouteKind::ResourceTemplate => {
                ("read", "ResourceCallContext", "ResourceFuture", "IntoReadResourceResult", "into_read_resource_result")
            }
            RouteKind::Completion => {
                ("complete", "CompletionCallContext", "CompletionFuture", "IntoCompleteResult", "into_complete_result")
            }
        };
        Self { verb, context, future, output, output_fn }
    }
}

/// A rendered call function and its name, for the route to register.
pub(crate) struct CallFn {
    pub(crate) name: Ident,
    pub(crate) item: TokenStream,
}

/// The call function of `route`. In it the request is `__rmcp_cx` and the server
/// `__rmcp_service`; `prelude` runs first, then `bindings`: one `let __rmcp_arg_<i> = ...;` per
/// argument (see [`arg_local`]), in an order that compiles (one moving `__rmcp_cx` last).
pub(crate) fn render(
    route: &Route,
    krate: &TokenStream,
    prelude: Option<TokenStream>,
    bindings: Vec<TokenStream>,
) -> CallFn {
    let method = &route.method;
    let runtime = Runtime::for_kind(route.attr.kind);
    let name = hidden_fn(runtime.verb, method);
    let context = format_ident!("{}", runtime.context);
    let future = format_ident!("{}", runtime.future);
    let output = format_ident!("{}", runtime.output);
    // A resource's result names the URI it was read at.
    let uri =
        matches!(route.attr.kind, RouteKind::Resource | RouteKind::ResourceTemplate).then(|| quote!(, &__rmcp_cx.uri));
    let convert = convert_output(&method.ret, quote!(#krate::router::#output), runtime.output_fn, uri);
    let call = call_method(method);
    let hidden = hidden();
    let cfgs = &method.cfgs;
    let item = quote! {
        #(#cfgs)*
        #hidden
        fn #name<'__rmcp>(
            __rmcp_service: &'__rmcp Self,
            mut __rmcp_cx: #krate::router::#context,
        ) -> #krate::router::#future<'__rmcp> {
            ::std::boxed::Box::pin(async move {
                #prelude
                #(#bindings)*
                let __rmcp_out = #call;
                #convert
            })
        }
    };
    CallFn { name, item }
}

/// `__rmcp_arg_<i>`: the local holding the i-th argument of the call.
pub(crate) fn arg_local(i: usize) -> Ident {
    format_ident!("__rmcp_arg_{}", i)
}

/// The call of the user's method on the bound locals, awaited if it is async.
///
/// The boxed future must be `Send`. Left to the box, a method whose future is not would be
/// reported at the router attribute; so the method's own future is first passed to an empty
/// function requiring `Send`, spanned at the method's name. rustc then reports "future returned
/// by `f` is not `Send`" there, naming the value held across an `.await` (axum's
/// `#[debug_handler]` does the same), and reports it only once. An empty generic function, the
/// check costs nothing at run time; a method that is not awaited returns no future to check.
fn call_method(method: &Method) -> TokenStream {
    let ident = &method.ident;
    let locals = (0..method.args.len()).map(arg_local);
    let call = quote!(Self::#ident(__rmcp_service #(, #locals)*));
    if !method.awaited {
        return call;
    }
    let span = ident.span();
    let must_be_send = quote_spanned!(span=> fn __rmcp_future_must_be_send<F: ::core::marker::Send>(_: &F) {});
    let check = quote_spanned!(span=> __rmcp_future_must_be_send(&__rmcp_future););
    quote!({
        #must_be_send
        let __rmcp_future = #call;
        #check
        __rmcp_future.await
    })
}

/// `<Ret as Trait>::convert(out, extra...)` spanned at the return type, so a return type that
/// does not implement the trait is reported there; `impl Trait` returns are converted by
/// inference instead.
fn convert_output(ret: &Type, trait_path: TokenStream, method: &str, extra: Option<TokenStream>) -> TokenStream {
    let method = Ident::new(method, Span::call_site());
    if matches!(ret, Type::ImplTrait(_)) {
        return quote!(#trait_path::#method(__rmcp_out #extra));
    }
    quote_spanned!(ret.span()=> <#ret as #trait_path>::#method(__rmcp_out #extra))
}

/// For resources and completions, which have no extractor traits: an extractor read from
/// `request` (the `RequestContext`), typed at the argument so a mismatch is reported there.
pub(crate) fn extractor_from_request(
    arg: &Arg,
    extractor: Extractor,
    request: TokenStream,
    krate: &TokenStream,
) -> TokenStream {
    let ty = &arg.ty;
    let value = match extractor {
        Extractor::RequestContext => quote!(::core::clone::Clone::clone(&#request)),
        Extractor::Peer => quote!(::core::clone::Clone::clone(&#request.peer)),
        Extractor::CancellationToken => quote!(::core::clone::Clone::clone(&#request.ct)),
        Extractor::Meta => quote!(::core::clone::Clone::clone(&#request.meta)),
        Extractor::ProgressReporter => quote!(#krate::router::ProgressReporter::new(&#request)),
        Extractor::Principal => quote!(#krate::__private::require_principal(&#request)?),
        Extractor::OptionalPrincipal => quote!(#krate::__private::optional_principal(&#request)),
    };
    quote_spanned!(ty.span()=> { let __rmcp_extracted: #ty = #value; __rmcp_extracted })
}
