//! Unit tests of parse -> check -> render on impls written as strings: which errors come out
//! (all of them, with their hints), and that valid input renders to well-formed items.

use proc_macro2::TokenStream;
use syn::ItemImpl;

use crate::check::{check_router, check_standalone};
use crate::errors::Errors;
use crate::parse::args::AttrArgs;
use crate::parse::attr::{HandlerAttr, RouterAttr};
use crate::parse::item::parse_router_impl;
use crate::parse::kind::{RouteKind, RouterKind};

fn errors_for(kind: RouterKind, attr: &str, src: &str) -> Vec<String> {
    let mut errors = Errors::new();
    let args = AttrArgs::from_tokens(attr.parse().unwrap()).unwrap();
    let router_attr = RouterAttr::parse(kind, args, &mut errors);
    let item: ItemImpl = syn::parse_str(src).unwrap();
    let imp = parse_router_impl(item, &|k, a| kind.claims(k, a), &mut errors);
    check_router(kind, &router_attr, &imp, &mut errors);
    errors.messages()
}

fn tool_errors(src: &str) -> Vec<String> {
    errors_for(RouterKind::Tool, "", src)
}

fn assert_one(errors: &[String], needles: &[&str]) {
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    for n in needles {
        assert!(errors[0].contains(n), "`{n}` not in {:?}", errors[0]);
    }
}

fn render(kind: RouterKind, attr: &str, src: &str) -> TokenStream {
    let mut errors = Errors::new();
    let args = AttrArgs::from_tokens(attr.parse().unwrap()).unwrap();
    let router_attr = RouterAttr::parse(kind, args, &mut errors);
    let imp = parse_router_impl(syn::parse_str(src).unwrap(), &|k, a| kind.claims(k, a), &mut errors);
    check_router(kind, &router_attr, &imp, &mut errors);
    assert!(errors.is_empty(), "{:?}", errors.messages());
    crate::render::router::render(kind, &router_attr, imp)
}

const VALID_TOOLS: &str = r#"
impl Calc {
    /// Add two numbers.
    #[tool(annotations(read_only_hint, idempotent_hint = true), icons = ["https://x/i.png"], meta = {"k": 1})]
    async fn add(&self, /// The left operand.
        a: i64, b: Option<i64>, ctx: RequestContext<RoleServer>) -> String { Default::default() }
    #[tool(name = "sub.v2", description = "Subtract")]
    fn sub(&self, Parameters(p): Parameters<SubArgs>, ct: CancellationToken) -> Result<Json<Out>, String> { Default::default() }
    #[tool]
    fn ping(&self) -> impl Future<Output = &'static str> + Send { async { "pong" } }
    fn helper(&self) {}
}
"#;

#[test]
fn valid_router_has_no_errors_and_renders() {
    assert_eq!(tool_errors(VALID_TOOLS), Vec::<String>::new());
    let out = render(RouterKind::Tool, "", VALID_TOOLS);
    let file: syn::File = syn::parse2(out.clone()).expect("well-formed items");
    assert_eq!(file.items.len(), 2, "the impl and the hidden argument struct of `add`");
    let text = out.to_string();
    for needle in [
        "fn tool_router",
        "fn __rmcp_tool_add",
        "fn __rmcp_call_add",
        "struct __RmcpToolArgs_Calc_add",
        ":: rmcp_core :: __private :: assert_tool_argument :: < i64 >",
        "FromToolCallContext",
        "tool_input_schema :: < SubArgs >",
        "empty_object_schema",
        "\"sub.v2\"",
        "\"Add two numbers.\"",
        "with_read_only (true)",
        "let __rmcp_future = Self :: ping (__rmcp_service) ; __rmcp_future_must_be_send (& __rmcp_future) ; \
         __rmcp_future . await",
        "let __rmcp_out = Self :: sub (__rmcp_service , __rmcp_arg_0 , __rmcp_arg_1) ;",
        "< & 'static str as :: rmcp_core :: router :: IntoCallToolResult >",
    ] {
        assert!(text.contains(needle), "`{needle}` missing from\n{text}");
    }
    assert_eq!(text.matches("fn __rmcp_future_must_be_send").count(), 2, "a Send check per awaited tool");
    assert_eq!(text.matches("# [tool (__rmcp_routed)]").count(), 3, "each #[tool] is left as a marker");
    assert_eq!(text.matches("# [tool").count(), 3, "and its arguments are consumed");
}

#[test]
fn router_options_and_crate_override() {
    let out = render(RouterKind::Tool, "router = calc_tools, vis = \"pub(crate)\", crate = ::my_rmcp", VALID_TOOLS)
        .to_string();
    assert!(out.contains("pub (crate) fn calc_tools () -> :: my_rmcp :: router :: ToolRouter < Self >"), "{out}");
    assert!(!out.contains("rmcp_core"), "every path follows the override: {out}");
}

#[test]
fn invalid_and_duplicate_names() {
    let errors = tool_errors(
        r#"impl S {
            #[tool(name = "my tool")] fn a(&self) {}
            #[tool(name = "")] fn b(&self) {}
            #[tool] fn c(&self) {}
            #[tool(name = "c")] fn d(&self) {}
        }"#,
    );
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors[0].contains("tool name `my tool` is invalid: ' ' is not allowed"), "{}", errors[0]);
    assert!(errors[0].contains("name = \"my_tool\""), "{}", errors[0]);
    assert!(errors[1].contains("it is empty"));
    assert!(errors[2].contains("two tools in this router are named `c` (`fn c` and `fn d`)"), "{}", errors[2]);
    let long = format!(r#"impl S {{ #[tool(name = "{}")] fn a(&self) {{}} }}"#, "x".repeat(129));
    assert_one(&tool_errors(&long), &["129 characters long"]);
}

#[test]
fn one_input_only() {
    let errors = tool_errors(
        "impl S {
            #[tool] fn a(&self, Parameters(x): Parameters<A>, Parameters(y): Parameters<B>) {}
            #[tool] fn b(&self, p: Parameters<A>, extra: i64) {}
        }",
    );
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].contains("second `Parameters<_>`"));
    assert!(errors[1].contains("either as one `Parameters<T>` or as plain arguments"));
    assert!(errors[1].contains("(`Parameters<A>` is already its input)"), "{}", errors[1]);
}

#[test]
fn unknown_keys_suggest_the_right_one() {
    let errors = tool_errors(
        r#"impl S {
            #[tool(descripton = "x", annotations(read_only = true), colour = 1, name = "a", name = "b")]
            fn a(&self) {}
        }"#,
    );
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(errors[0].contains("unknown key `descripton` in `#[tool]`\nhelp: did you mean `description`?"));
    assert!(errors[1].contains("unknown key `colour`") && errors[1].contains("expected one of: name, title"));
    assert!(errors[2].contains("`name` is given twice"));
    assert!(errors[3].contains("unknown key `read_only` in `annotations(...)`\nhelp: did you mean `read_only_hint`?"));
    let errors = errors_for(RouterKind::Tool, "routr = x", "impl S {}");
    assert_one(&errors, &["did you mean `router`?"]);
}

#[test]
fn receivers_and_generics() {
    let errors = tool_errors(
        "impl S {
            #[tool] fn none() {}
            #[tool] fn mutable(&mut self) {}
            #[tool] fn owned(self) {}
            #[tool] fn boxed(self: Box<Self>) {}
            #[tool] fn generic<T: Clone>(&self) {}
            #[tool] fn arg_impl(&self, x: impl Clone) {}
            #[tool] unsafe fn danger(&self) {}
            #[tool] fn lifetimes_are_fine<'a>(&'a self) {}
        }",
    );
    let expected = [
        "has no `self` receiver",
        "cannot take `&mut self`",
        "cannot take `self` by value",
        "must take `&self`, not a typed `self`",
        "cannot be generic",
        "cannot be generic",
        "cannot be `unsafe`",
    ];
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for (e, want) in errors.iter().zip(expected) {
        assert!(e.contains(want), "`{want}` not in {e}");
    }
}

#[test]
fn types_print_as_written() {
    for (src, want) in [
        ("Option<Vec<u8>>", "Option<Vec<u8>>"),
        ("&'static str", "&'static str"),
        ("std::collections::HashMap<String, (i64, [u8; 4])>", "std::collections::HashMap<String, (i64, [u8; 4])>"),
        ("impl Fn(u8) -> u8", "impl Fn(u8) -> u8"),
    ] {
        assert_eq!(crate::types::pretty(&syn::parse_str(src).unwrap()), want);
    }
}

#[test]
fn misplaced_and_repeated_attributes() {
    let errors = tool_errors(
        "impl S {
            #[tool] const X: u8 = 1;
            #[tool] #[tool] fn a(&self) {}
        }",
    );
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].contains("`#[tool]` can only mark a method, and this is a constant"));
    assert!(errors[1].contains("already carries `#[tool]`"));
    let errors = errors_for(RouterKind::Tool, "", "impl Trait for S { #[tool] fn a(&self) {} }");
    assert_one(&errors, &["goes on an inherent impl"]);
}

#[test]
fn plain_arguments_must_be_owned_named_and_concrete() {
    let errors = tool_errors(
        "impl<T: Send> S<T> {
            #[tool] fn a(&self, s: &str, (x, y): (i64, i64), t: Vec<T>, me: Option<Self>) {}
        }",
    );
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(errors[0].contains("cannot borrow") && errors[0].contains("take `String` instead"));
    assert!(errors[1].contains("needs a simple name"));
    assert!(errors[2].contains("cannot mention `T` of the impl"));
    assert!(errors[3].contains("cannot mention `Self` of the impl"));
}

#[test]
fn prompt_arguments_are_strings() {
    let errors = errors_for(
        RouterKind::Prompt,
        "",
        "impl S {
            #[prompt] fn p(&self, name: String, count: u32, flag: Option<bool>, style: Option<String>) -> String { Default::default() }
        }",
    );
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors[0].contains("strings on the wire, so `u32` cannot be one"));
    assert!(errors[1].contains("`Option<bool>` cannot be one"));
}

#[test]
fn resource_templates_match_their_arguments() {
    let errors = errors_for(
        RouterKind::Resource,
        "",
        r#"impl S {
            #[resource(uri = "config://app")] fn app(&self, peer: Peer<RoleServer>) -> String { Default::default() }
            #[resource(uri = "file:///{x}")] fn wrong(&self) -> String { Default::default() }
            #[resource] fn no_uri(&self) -> String { Default::default() }
            #[resource(uri = "relative/path")] fn relative(&self) -> String { Default::default() }
            #[resource_template(uri_template = "file:///{+path}")] fn file(&self, path: String) -> String { Default::default() }
            #[resource_template(uri_template = "users://{id}/{post")] fn bad(&self, id: u32) -> String { Default::default() }
            #[resource_template(uri_template = "users://{id}/posts/{post}")] fn posts(&self, id: u32, pots: u32) -> String { Default::default() }
            #[resource(uri = "config://app")] fn again(&self) -> String { Default::default() }
        }"#,
    );
    let expected = [
        "looks like a URI template",
        "needs the resource's URI",
        "`relative/path` is not an absolute URI",
        "malformed URI template `users://{id}/{post`: `{` is never closed",
        "argument `pots` is not a variable of the template `users://{id}/posts/{post}`\nhelp: did you mean `post`?",
        "template variable `post` has no matching argument in `fn posts`",
        "`config://app` is served twice in this router (`fn app` and `fn again`)",
    ];
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for (e, want) in errors.iter().zip(expected) {
        assert!(e.contains(want), "`{want}` not in {e}");
    }
}

#[test]
fn completions_name_their_prompt_and_argument() {
    let errors = errors_for(
        RouterKind::Prompt,
        "",
        r#"impl S {
            #[prompt] fn greet(&self, name: String) -> String { Default::default() }
            #[completion(prompt = "greet", argument = "name")] fn ok(&self, prefix: String) -> Vec<String> { Default::default() }
            #[completion(prompt = "gret", argument = "name")] fn typo(&self, prefix: String) -> Vec<String> { Default::default() }
            #[completion(prompt = "greet", argument = "nmae")] fn arg(&self, prefix: String) -> Vec<String> { Default::default() }
            #[completion(argument = "name")] fn no_target(&self) -> Vec<String> { Default::default() }
            #[completion(prompt = "greet", argument = "name")] fn two(&self, a: String, b: String) -> Vec<String> { Default::default() }
        }"#,
    );
    let expected = [
        "no #[prompt] named `gret` in this router\nhelp: did you mean `greet`?",
        "`greet` has no argument `nmae`\nhelp: did you mean `name`?",
        "`#[completion]` needs what it completes",
        "takes one plain argument",
    ];
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for (e, want) in errors.iter().zip(expected) {
        assert!(e.contains(want), "`{want}` not in {e}");
    }
    // A completion naming a resource is left to the resource router.
    let errors = errors_for(
        RouterKind::Resource,
        "",
        r#"impl S {
            #[resource_template(uri_template = "file:///{path}")] fn f(&self, path: String) -> String { Default::default() }
            #[completion(resource = "file:///{path}", argument = "path")] fn c(&self, v: String) -> Vec<String> { Default::default() }
            #[completion(resource = "file:///{path}", argument = "p")] fn d(&self, v: String) -> Vec<String> { Default::default() }
        }"#,
    );
    assert_one(&errors, &["`file:///{path}` has no argument `p`"]);
}

#[test]
fn a_completion_naming_both_owners_is_reported_by_either_router() {
    let src = r#"impl S {
        #[prompt] fn greet(&self, name: String) -> String { Default::default() }
        #[completion(prompt = "greet", resource = "file:///{p}", argument = "name")]
        fn c(&self, v: String) -> Vec<String> { Default::default() }
    }"#;
    for kind in [RouterKind::Prompt, RouterKind::Resource] {
        let errors = errors_for(kind, "", src);
        assert!(
            errors.iter().any(|e| e.contains("a completion belongs to a prompt or to a resource template, not both")),
            "{kind:?}: {errors:#?}"
        );
    }
}

#[test]
fn malformed_values_say_what_the_key_expects() {
    let errors = tool_errors(
        r#"impl S {
            #[tool(icons("a.png"), meta("k", 1), annotations("x"), read_only_hint)] fn a(&self) {}
        }"#,
    );
    assert_eq!(errors.len(), 4, "{errors:#?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("help: `read_only_hint` is an annotation: write `annotations(read_only_hint)`")),
        "{errors:#?}"
    );
    assert!(errors.iter().any(|e| e.contains("malformed `annotations(...)`")), "{errors:#?}");
    assert!(errors.iter().any(|e| e.contains("`icons` expects a list of image URIs")), "{errors:#?}");
    assert!(errors.iter().any(|e| e.contains("`meta` expects a JSON object")), "{errors:#?}");
    let e = AttrArgs::from_tokens(r#"name: "a""#.parse().unwrap()).err().unwrap();
    assert_eq!(e.to_string(), "expected `name = ...`, `name(...)` or `,` after `name`");
    let e = tool_errors(r#"impl S { #[tool(annotations(read_only_hint = "yes"))] fn a(&self) {} }"#);
    assert_one(&e, &["`read_only_hint` expects `true` or `false`", "help: write `read_only_hint = true`"]);
}

#[test]
fn text_keys_take_strings_or_expressions_but_no_other_literal() {
    let errors = tool_errors(
        r#"impl S {
            #[tool(description = 123, title = -1.5, annotations(title = true))] fn a(&self) {}
            #[tool(description = concat!("a", "b"), title = TITLE, annotations(title = ("x")))] fn b(&self) {}
            #[tool(icons = ["a.png", 1], meta = "x")] fn c(&self) {}
            #[tool(title)] fn d(&self) {}
        }"#,
    );
    let expected = [
        "`title` expects a string literal",
        "`description` expects a string literal",
        "`title` expects a string literal",
        "`title` expects a value: `title = ...`",
        "`icons` expects a list of image URIs",
        "`meta` expects a JSON object",
    ];
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for (e, want) in errors.iter().zip(expected) {
        assert!(e.contains(want), "`{want}` not in {e}");
    }
    let mut errors = Errors::new();
    let args = AttrArgs::from_tokens("router = 1".parse().unwrap()).unwrap();
    let _ = HandlerAttr::parse(RouterKind::Tool, args, &mut errors);
    assert_one(&errors.messages(), &["`router` expects an expression, not a literal"]);
}

#[test]
fn all_errors_are_reported_together() {
    let errors = tool_errors(
        r#"impl S {
            #[tool(descripton = "x")] fn a(&mut self, p: Parameters<A>, q: Parameters<B>) {}
            #[tool(name = "a b")] fn b() {}
            #[tool] type T = u8;
        }"#,
    );
    assert_eq!(errors.len(), 6, "{errors:#?}");
}

#[test]
fn standalone_attributes_explain_where_they_belong() {
    let item: TokenStream = "fn a(&self) {}".parse().unwrap();
    let e = check_standalone(RouteKind::Tool, false, &item).messages();
    assert_one(&e, &["`#[tool]` only works on a method inside an impl block marked `#[tool_router]`"]);
    let item: TokenStream = "struct X;".parse().unwrap();
    let e = check_standalone(RouteKind::Prompt, false, &item).messages();
    assert_one(&e, &["cannot be put on a struct", "#[prompt_router]"]);
    let e = check_standalone(RouteKind::Completion, true, &"fn c(&self) {}".parse().unwrap()).messages();
    assert_one(&e, &["#[resource_router]"]);
}

#[test]
fn prompt_resource_and_completion_render() {
    let src = r#"impl S {
        /// Greets.
        #[prompt(title = "Greeting")]
        fn greet(&self, /// Who.
            name: String, style: Option<String>) -> String { Default::default() }
        #[completion(prompt = "greet", argument = "name")]
        async fn names(&self, prefix: String, cx: CompletionCallContext, peer: Peer<RoleServer>) -> Vec<String> { Default::default() }
    }"#;
    let out = render(RouterKind::Prompt, "", src);
    syn::parse2::<syn::File>(out.clone()).expect("well-formed");
    let text = out.to_string();
    for needle in [
        ":: rmcp_core :: __private :: prompt_arguments_of :: < __RmcpPromptArgs_S_greet >",
        ":: rmcp_core :: __private :: assert_prompt_argument :: < Option < String > >",
        ". with_completion (\"greet\" , \"name\" , Self :: __rmcp_complete_names)",
        "let __rmcp_arg_1 : CompletionCallContext = __rmcp_cx ;",
    ] {
        assert!(text.contains(needle), "`{needle}` missing from\n{text}");
    }
    let src = r#"impl S {
        #[resource(uri = "config://app", mime_type = "application/json", size = 12)]
        fn app(&self) -> String { Default::default() }
        #[resource_template(uri_template = "users://{id}/posts/{post}")]
        async fn post(&self, id: u64, post: String, ct: CancellationToken) -> Result<String, String> { Default::default() }
    }"#;
    let out = render(RouterKind::Resource, "", src);
    syn::parse2::<syn::File>(out.clone()).expect("well-formed");
    let text = out.to_string();
    for needle in [
        "ResourceRoute :: template",
        "__rmcp_cx . variable :: < u64 > (\"id\") ?",
        "with_size (12)",
        "__rmcp_cx . request . ct",
    ] {
        assert!(text.contains(needle), "`{needle}` missing from\n{text}");
    }
}

#[test]
fn cfg_on_a_method_gates_everything_generated_for_it() {
    let src = r#"impl S {
        #[cfg(feature = "extra")]
        #[tool]
        fn extra(&self, a: i64) -> String { Default::default() }
    }"#;
    let text = render(RouterKind::Tool, "", src).to_string();
    let gated = "# [cfg (feature = \"extra\")]";
    // The method itself, its two hidden functions, its argument struct and its registration.
    assert_eq!(text.matches(gated).count(), 5, "{text}");
    assert!(text.contains(&format!("{gated} {{ __rmcp_router = __rmcp_router . with_route")), "{text}");
}
