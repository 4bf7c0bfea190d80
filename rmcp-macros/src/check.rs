//! Every rule the macros enforce, as compile errors at the offending token with a hint for the
//! fix. All rules run and all errors are collected, so one compile shows every problem.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{ImplItem, Item, ItemImpl, Type};

use crate::errors::Errors;
use crate::parse::args::{Icons, MetaValue};
use crate::parse::attr::{HandlerAttr, RouterAttr};
use crate::parse::item::{Arg, ArgKind, Receiver, Route, RouterImpl};
use crate::parse::keys::{ANNOTATION_KEYS, KeySite, Leftover};
use crate::parse::kind::{RouteKind, RouterKind};
use crate::suggest::suggest;
use crate::types::{mentions, obviously_not_string, pretty};
use crate::uri_template;

/// The rules for a `#[tool_router]` / `#[prompt_router]` / `#[resource_router]` impl.
pub(crate) fn check_router(kind: RouterKind, attr: &RouterAttr, imp: &RouterImpl, errors: &mut Errors) {
    check_leftovers(&attr.leftovers, errors);
    if let Some((path, _)) = &imp.item.trait_ {
        errors.with_help(
            path,
            format!("`#[{}]` goes on an inherent impl, not on a trait impl", kind.attr_name()),
            format!(
                "put the {} methods in `impl {} {{ ... }}`, and plug the router into `ServerHandler` with `#[{}]`",
                kind.route_attrs(),
                imp.self_name,
                kind.handler_name()
            ),
        );
    }
    for m in &imp.misplaced {
        errors.with_help(
            m.span,
            format!("`#[{}]` can only mark a method, and this is {}", m.kind.attr_name(), m.item),
            format!("put `#[{}]` on an `fn` of this impl", m.kind.attr_name()),
        );
    }
    let mut names: HashMap<(RouteKind, String), String> = HashMap::new();
    for route in &imp.routes {
        check_route(route, imp, errors);
        if route.attr.kind == RouteKind::Completion {
            check_completion_target(route, imp, errors);
        }
        let dedup_kind = match route.attr.kind {
            RouteKind::Tool | RouteKind::Prompt => route.attr.kind,
            _ => continue,
        };
        let (name, span) = route.name();
        let owner = route.method.ident.to_string();
        if let Some(first) = names.insert((dedup_kind, name.clone()), owner.clone()) {
            let what = dedup_kind.attr_name();
            errors.with_help(
                span,
                format!("two {what}s in this router are named `{name}` (`fn {first}` and `fn {owner}`)"),
                format!("{what} names must be unique; rename one with `#[{what}(name = \"...\")]`"),
            );
        }
    }
    check_resource_uris(imp, errors);
}

/// The rules for `#[tool_handler]` and friends: they extend a trait impl.
pub(crate) fn check_handler(kind: RouterKind, attr: &HandlerAttr, item: &ItemImpl, errors: &mut Errors) {
    check_leftovers(&attr.leftovers, errors);
    if item.trait_.is_none() {
        errors.with_help(
            &item.self_ty,
            format!("`#[{}]` goes on `impl ServerHandler for ...`", kind.handler_name()),
            "write `impl ServerHandler for Server { ... }` and put the attribute on that impl".to_owned(),
        );
    }
}

/// A route attribute expanded on its own: it was not inside the router impl that collects it.
pub(crate) fn check_standalone(kind: RouteKind, names_resource: bool, item: &TokenStream) -> Errors {
    let mut errors = Errors::new();
    let attr = kind.attr_name();
    let router = kind.router(names_resource).attr_name();
    let (span, what) = match syn::parse2::<ImplItem>(item.clone()) {
        Ok(ImplItem::Fn(f)) => (f.sig.ident.span(), None),
        Ok(other) => (other.span(), Some("this item")),
        Err(_) => match syn::parse2::<Item>(item.clone()) {
            Ok(i) => (i.span(), Some(item_kind(&i))),
            Err(_) => (Span::call_site(), Some("this item")),
        },
    };
    match what {
        None => errors.with_help(
            span,
            format!("`#[{attr}]` only works on a method inside an impl block marked `#[{router}]`"),
            format!("add `#[{router}]` to the impl block: `#[{router}] impl Server {{ #[{attr}] fn ... }}`"),
        ),
        Some(what) => errors.with_help(
            span,
            format!("`#[{attr}]` marks methods of a `#[{router}]` impl; it cannot be put on {what}"),
            format!("move `#[{attr}]` onto an `fn` inside `#[{router}] impl Server {{ ... }}`"),
        ),
    }
    errors
}

fn item_kind(item: &Item) -> &'static str {
    match item {
        Item::Struct(_) => "a struct",
        Item::Enum(_) => "an enum",
        Item::Impl(_) => "an impl block",
        Item::Mod(_) => "a module",
        Item::Const(_) | Item::Static(_) => "a constant",
        Item::Trait(_) => "a trait",
        _ => "this item",
    }
}

/// Unknown and repeated keys of an attribute (and of its nested lists).
fn check_leftovers(leftovers: &[Leftover], errors: &mut Errors) {
    for l in leftovers {
        check_leftover(l, errors);
    }
}

fn check_leftover(l: &Leftover, errors: &mut Errors) {
    let allowed: Vec<&str> = l.site.keys().iter().map(|k| k.as_str()).collect();
    for key in &l.unknown {
        let written = key.to_string();
        let message = format!("unknown key `{written}` in `{}`", l.site);
        if l.site == KeySite::Route(RouteKind::Tool) && ANNOTATION_KEYS.iter().any(|k| key == k) {
            let help = format!("`{written}` is an annotation: write `annotations({written})`");
            errors.with_help(key, message, help);
            continue;
        }
        match suggest(&written, &allowed) {
            Some(s) => errors.with_help(key.span(), message, format!("did you mean `{s}`?")),
            None => errors.with_help(key.span(), message, format!("expected one of: {}", allowed.join(", "))),
        }
    }
    for key in &l.duplicate {
        errors.with_help(key.span(), format!("`{key}` is given twice"), "remove one of them".to_owned());
    }
}

fn check_route(route: &Route, imp: &RouterImpl, errors: &mut Errors) {
    let attr = route.attr.kind.attr_name();
    check_leftovers(&route.attr.leftovers, errors);
    for (kind, span) in &route.repeated {
        errors.with_help(
            *span,
            format!("`fn {}` already carries `#[{attr}]`; a method is one route", route.method.ident),
            format!("remove this `#[{}]`, or write a second method for it", kind.attr_name()),
        );
    }
    check_signature(route, errors);
    if let Some(Icons::Invalid(span)) = &route.attr.icons {
        errors.with_help(
            *span,
            "`icons` expects a list of image URIs or an expression of type `Vec<Icon>`",
            "write `icons = [\"https://example.com/icon.png\"]`".to_owned(),
        );
    }
    if let Some(MetaValue::Invalid(span)) = &route.attr.meta {
        errors.with_help(
            *span,
            "`meta` expects a JSON object or an expression of type `Meta`",
            "write `meta = { \"key\": \"value\" }`".to_owned(),
        );
    }
    match route.attr.kind {
        RouteKind::Tool | RouteKind::Prompt => {
            let (name, span) = route.name();
            check_name(attr, &name, span, errors);
            check_inputs(route, imp, errors);
        }
        RouteKind::Resource => check_resource(route, errors),
        RouteKind::ResourceTemplate => check_template(route, errors),
        RouteKind::Completion => check_completion_args(route, errors),
    }
}

/// The method must be callable as `Self::f(&self, ...)` with concrete types.
fn check_signature(route: &Route, errors: &mut Errors) {
    let attr = route.attr.kind.attr_name();
    let m = &route.method;
    let f = &m.ident;
    match &m.receiver {
        Receiver::Shared => {}
        Receiver::Missing => errors.with_help(
            f.span(),
            format!("`#[{attr}]` method `{f}` has no `self` receiver"),
            format!("the router calls it on the server; take `&self` first: `fn {f}(&self, ...)`"),
        ),
        Receiver::Mut(span) => errors.with_help(
            *span,
            format!("`#[{attr}]` methods cannot take `&mut self`"),
            "requests are served concurrently through a shared reference; take `&self` and keep \
             mutable state behind a `Mutex`, `RwLock` or atomics"
                .to_owned(),
        ),
        Receiver::Value(span) => errors.with_help(
            *span,
            format!("`#[{attr}]` methods cannot take `self` by value"),
            "the server is shared by every request; take `&self`".to_owned(),
        ),
        Receiver::Typed(span) => errors.with_help(
            *span,
            format!("`#[{attr}]` methods must take `&self`, not a typed `self`"),
            "take `&self`; the router holds only a shared reference to the server".to_owned(),
        ),
    }
    if let Some(span) = m.unsafety {
        errors.with_help(
            span,
            format!("`#[{attr}]` methods cannot be `unsafe`"),
            "the router calls them from safe code; make the method safe and use `unsafe` blocks inside".to_owned(),
        );
    }
    for span in &m.generics {
        errors.with_help(
            *span,
            format!("`#[{attr}]` methods cannot be generic"),
            "the router needs one concrete function; use concrete types, or put the type parameter on \
             the impl (`impl<T> Server<T>`)"
                .to_owned(),
        );
    }
}

/// MCP tool and prompt names: 1 to 128 of `A-Z a-z 0-9 _ - .`.
fn check_name(attr: &str, name: &str, span: Span, errors: &mut Errors) {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let len = name.chars().count();
    let problem = if name.is_empty() {
        "it is empty".to_owned()
    } else if len > 128 {
        format!("it is {len} characters long, and the limit is 128")
    } else if let Some(c) = name.chars().find(|&c| !allowed(c)) {
        format!("{c:?} is not allowed")
    } else {
        return;
    };
    let mut fixed: String = name.chars().map(|c| if allowed(c) { c } else { '_' }).take(128).collect();
    if fixed.is_empty() {
        fixed.push_str("my_name");
    }
    errors.with_help(
        span,
        format!("{attr} name `{name}` is invalid: {problem}"),
        format!(
            "names are 1 to 128 characters of `A-Z`, `a-z`, `0-9`, `_`, `-` and `.`; \
             write `#[{attr}(name = \"{fixed}\")]`"
        ),
    );
}

/// One input at most (one `Parameters<T>`, or plain arguments), and plain arguments the hidden
/// argument struct can hold.
fn check_inputs(route: &Route, imp: &RouterImpl, errors: &mut Errors) {
    let attr = route.attr.kind.attr_name();
    let params: Vec<&Arg> = route.method.args.iter().filter(|a| matches!(a.kind, ArgKind::Parameters(_))).collect();
    let plain: Vec<&Arg> = route.method.args.iter().filter(|a| matches!(a.kind, ArgKind::Plain)).collect();
    for extra in params.iter().skip(1) {
        errors.with_help(
            &extra.ty,
            format!("a {attr} takes one input, and this is a second `Parameters<_>`"),
            "merge the inputs into one struct and take a single `Parameters<T>`".to_owned(),
        );
    }
    if let (Some(p), Some(first)) = (params.first(), plain.first()) {
        errors.with_help(
            &first.ty,
            format!(
                "a {attr} takes its input either as one `Parameters<T>` or as plain arguments, not both \
                 (`{}` is already its input)",
                pretty(&p.ty)
            ),
            "move this argument into the `Parameters` struct, or replace `Parameters<T>` by plain arguments".to_owned(),
        );
    }
    for p in &params {
        if let ArgKind::Parameters(None) = p.kind {
            errors.with_help(
                &p.ty,
                "`Parameters` needs the input type".to_owned(),
                "write `Parameters<T>` where `T: Deserialize + JsonSchema`".to_owned(),
            );
        }
    }
    for arg in &plain {
        check_plain_arg(route.attr.kind, arg, imp, errors);
    }
}

fn check_plain_arg(kind: RouteKind, arg: &Arg, imp: &RouterImpl, errors: &mut Errors) {
    let attr = kind.attr_name();
    if arg.ident.is_none() {
        errors.with_help(
            arg.pat_span,
            format!("a plain {attr} argument needs a simple name: it becomes the argument's name on the wire"),
            "write `name: Type`; to destructure, take `Parameters<T>` and match on it".to_owned(),
        );
    }
    if let Type::Reference(r) = &arg.ty {
        let owned = match &*r.elem {
            Type::Path(p) if p.path.is_ident("str") => "`String`".to_owned(),
            Type::Slice(s) => format!("`Vec<{}>`", pretty(&s.elem)),
            _ => "an owned type".to_owned(),
        };
        errors.with_help(
            &arg.ty,
            format!("{attr} arguments are deserialized from the request and cannot borrow"),
            format!("take {owned} instead"),
        );
        return;
    }
    if let Some(generic) = mentions(&arg.ty, &imp.generic_params) {
        errors.with_help(
            &arg.ty,
            format!("the type of a plain {attr} argument cannot mention `{generic}` of the impl"),
            "plain arguments are collected into a hidden struct outside the impl; use a concrete type, \
             or take `Parameters<T>`"
                .to_owned(),
        );
    }
    if kind == RouteKind::Prompt
        && let Some(bad) = obviously_not_string(&arg.ty)
    {
        errors.with_help(
            &arg.ty,
            format!("prompt arguments are strings on the wire, so `{bad}` cannot be one"),
            "take `String` (or `Option<String>` if optional) and parse it in the prompt, or take \
             `Parameters<T>` with a struct of string fields"
                .to_owned(),
        );
    }
}

fn check_resource(route: &Route, errors: &mut Errors) {
    let m = &route.method;
    match &route.attr.uri {
        None => errors.with_help(
            route.attr.span,
            "`#[resource]` needs the resource's URI",
            "write `#[resource(uri = \"scheme://path\")]`".to_owned(),
        ),
        Some(uri) => {
            let value = uri.value();
            if value.contains(['{', '}']) {
                errors.with_help(
                    uri.span(),
                    format!("`{value}` looks like a URI template, but `#[resource]` serves one fixed URI"),
                    format!("use `#[resource_template(uri_template = \"{value}\")]`"),
                );
            } else {
                check_absolute_uri(&value, uri.span(), errors);
            }
        }
    }
    for arg in m.args.iter().filter(|a| !matches!(a.kind, ArgKind::Extractor(_))) {
        errors.with_help(
            &arg.ty,
            "a `#[resource]` at a fixed URI takes no inputs",
            "to read values from the URI, use `#[resource_template(uri_template = \"scheme://{name}\")]` \
             with a `name` argument"
                .to_owned(),
        );
    }
}

fn check_absolute_uri(uri: &str, span: Span, errors: &mut Errors) {
    let scheme = uri.split_once(':').map(|(s, _)| s).unwrap_or("");
    let valid = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid {
        errors.with_help(
            span,
            format!("`{uri}` is not an absolute URI"),
            "resource URIs start with a scheme, such as `file:///path` or `config://app`".to_owned(),
        );
    }
}

fn check_template(route: &Route, errors: &mut Errors) {
    let m = &route.method;
    let Some(template) = &route.attr.uri_template else {
        errors.with_help(
            route.attr.span,
            "`#[resource_template]` needs its URI template",
            "write `#[resource_template(uri_template = \"file:///{path}\")]`".to_owned(),
        );
        return;
    };
    let source = template.value();
    let vars = match uri_template::variables(&source) {
        Ok(vars) => vars,
        Err((message, help)) => {
            errors.with_help(template.span(), message, help);
            return;
        }
    };
    check_absolute_uri(&source, template.span(), errors);
    for arg in &m.args {
        match &arg.kind {
            ArgKind::Extractor(_) => {}
            ArgKind::Parameters(_) => errors.with_help(
                &arg.ty,
                "a resource template takes its inputs from the URI, not from `Parameters<T>`",
                "take each template variable as an argument of the same name, such as `path: String`".to_owned(),
            ),
            ArgKind::Plain => match &arg.ident {
                None => errors.with_help(
                    arg.pat_span,
                    "a template argument needs a simple name: the template variable it receives",
                    "write `name: Type`".to_owned(),
                ),
                Some(ident) => {
                    let name = syn::ext::IdentExt::unraw(ident).to_string();
                    if !vars.contains(&name) {
                        let vars_ref: Vec<&str> = vars.iter().map(String::as_str).collect();
                        let help = match suggest(&name, &vars_ref) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None if vars.is_empty() => "the template has no variables".to_owned(),
                            None => format!("its variables are: {}", vars.join(", ")),
                        };
                        errors.with_help(
                            ident.span(),
                            format!("argument `{name}` is not a variable of the template `{source}`"),
                            help,
                        );
                    }
                }
            },
        }
    }
    let args: Vec<String> =
        m.args.iter().filter_map(|a| a.ident.as_ref()).map(|i| syn::ext::IdentExt::unraw(i).to_string()).collect();
    for var in vars.iter().filter(|v| !args.contains(v)) {
        errors.with_help(
            template.span(),
            format!("template variable `{var}` has no matching argument in `fn {}`", m.ident),
            format!("add `{var}: String` (or any type implementing `FromStr`) to the method"),
        );
    }
}

/// Two routes for one URI (or template) would shadow each other.
fn check_resource_uris(imp: &RouterImpl, errors: &mut Errors) {
    let mut seen: HashMap<String, String> = HashMap::new();
    for route in &imp.routes {
        let Some(lit) = route.attr.uri.as_ref().or(route.attr.uri_template.as_ref()) else { continue };
        if !matches!(route.attr.kind, RouteKind::Resource | RouteKind::ResourceTemplate) {
            continue;
        }
        let owner = route.method.ident.to_string();
        if let Some(first) = seen.insert(lit.value(), owner.clone()) {
            errors.with_help(
                lit.span(),
                format!("`{}` is served twice in this router (`fn {first}` and `fn {owner}`)", lit.value()),
                "each resource URI and template must be unique; remove or change one".to_owned(),
            );
        }
    }
}

/// A completion function: extractors, the whole `CompletionCallContext`, and at most one plain
/// argument receiving the text typed so far.
fn check_completion_args(route: &Route, errors: &mut Errors) {
    let attr = &route.attr;
    match (&attr.prompt, &attr.resource) {
        (Some(_), Some(r)) => errors.with_help(
            r.span(),
            "a completion belongs to a prompt or to a resource template, not both",
            "keep `prompt = ...` or `resource = ...`".to_owned(),
        ),
        (None, None) => errors.with_help(
            attr.span,
            "`#[completion]` needs what it completes",
            "write `#[completion(prompt = \"prompt_name\", argument = \"arg\")]` or \
             `#[completion(resource = \"file:///{path}\", argument = \"path\")]`"
                .to_owned(),
        ),
        _ => {}
    }
    if attr.argument.is_none() {
        errors.with_help(
            attr.span,
            "`#[completion]` needs the argument it completes",
            "add `argument = \"name\"`".to_owned(),
        );
    }
    let plain: Vec<&Arg> = route
        .method
        .args
        .iter()
        .filter(|a| !matches!(a.kind, ArgKind::Extractor(_)) && !crate::types::is_completion_context(&a.ty))
        .collect();
    for arg in &plain {
        if let ArgKind::Parameters(_) = arg.kind {
            errors.with_help(
                &arg.ty,
                "a completion function does not take `Parameters<T>`",
                "take the text typed so far as `value: String`, and `CompletionCallContext` for the rest".to_owned(),
            );
        }
    }
    for extra in plain.iter().skip(1) {
        errors.with_help(
            &extra.ty,
            "a completion function takes one plain argument: the text typed so far",
            "read the other arguments from a `CompletionCallContext` argument (its `context` map)".to_owned(),
        );
    }
}

/// A completion must name a prompt (or template) of its router, and an argument (or variable)
/// of it when those are known here.
fn check_completion_target(route: &Route, imp: &RouterImpl, errors: &mut Errors) {
    let attr = &route.attr;
    let (target, owner_kind) = match (&attr.prompt, &attr.resource) {
        (Some(p), None) => (p, RouteKind::Prompt),
        (None, Some(r)) => (r, RouteKind::ResourceTemplate),
        _ => return,
    };
    let owners: Vec<&Route> = imp.routes.iter().filter(|r| r.attr.kind == owner_kind).collect();
    let key = |r: &Route| match owner_kind {
        RouteKind::Prompt => r.name().0,
        _ => r.attr.uri_template.as_ref().map(|t| t.value()).unwrap_or_default(),
    };
    let keys: Vec<String> = owners.iter().map(|r| key(r)).collect();
    let Some(owner) = owners.iter().find(|r| key(r) == target.value()) else {
        let keys_ref: Vec<&str> = keys.iter().map(String::as_str).collect();
        let what = if owner_kind == RouteKind::Prompt { "#[prompt] named" } else { "#[resource_template] with" };
        let help = match suggest(&target.value(), &keys_ref) {
            Some(s) => format!("did you mean `{s}`?"),
            None if keys.is_empty() => format!("completions attach to a {what} in the same impl"),
            None => format!("this router has: {}", keys.join(", ")),
        };
        errors.with_help(target.span(), format!("no {what} `{}` in this router", target.value()), help);
        return;
    };
    let Some(argument) = &attr.argument else { return };
    let known: Option<Vec<String>> = match owner_kind {
        RouteKind::Prompt if owner.method.args.iter().any(|a| matches!(a.kind, ArgKind::Parameters(_))) => None,
        RouteKind::Prompt => Some(
            owner
                .method
                .args
                .iter()
                .filter(|a| matches!(a.kind, ArgKind::Plain))
                .filter_map(|a| a.ident.as_ref().map(|i| syn::ext::IdentExt::unraw(i).to_string()))
                .collect(),
        ),
        _ => uri_template::variables(&target.value()).ok(),
    };
    if let Some(known) = known
        && !known.contains(&argument.value())
    {
        let known_ref: Vec<&str> = known.iter().map(String::as_str).collect();
        let help = match suggest(&argument.value(), &known_ref) {
            Some(s) => format!("did you mean `{s}`?"),
            None if known.is_empty() => "it has no arguments".to_owned(),
            None => format!("its arguments are: {}", known.join(", ")),
        };
        errors.with_help(argument.span(), format!("`{}` has no argument `{}`", target.value(), argument.value()), help);
    }
}
