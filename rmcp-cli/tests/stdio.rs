//! `rmcp` against the example servers started as child processes (stdio): real output, exit
//! codes, and `--output json` parsed.

mod support;

use predicates::prelude::*;
use serde_json::json;
use support::{json_of, rmcp, rmcp_stdio};

#[test]
fn info_names_the_server_its_era_and_instructions() {
    for (era, version) in [("auto", "2026-07-28 (stateless)"), ("2025", "2025-11-25 (stateful)")] {
        rmcp_stdio(&["--era", era, "info"], "calculator").assert().success().stdout(
            predicate::str::starts_with("calculator 0.1.0\n")
                .and(predicate::str::contains(format!("protocol      {version}")))
                .and(predicate::str::contains("capabilities  tools"))
                .and(predicate::str::contains("Arithmetic on two numbers")),
        );
    }
    let out = rmcp_stdio(&["--era", "2025", "-o", "json", "info"], "calculator").output().unwrap();
    let info = json_of(&out);
    assert_eq!(info["serverInfo"]["name"], "calculator");
    assert_eq!(info["protocolVersion"], "2025-11-25");
    assert_eq!(info["era"], "stateful");
}

#[test]
fn tools_list_is_an_aligned_table() {
    rmcp_stdio(&["tools", "list"], "calculator").assert().success().stdout(
        "NAME  ARGUMENTS          DESCRIPTION\n\
         add   a:number b:number  Add two numbers: a + b\n\
         sub   a:number b:number  Subtract b from a: a - b\n\
         mul   a:number b:number  Multiply two numbers: a * b\n\
         div   a:number b:number  Divide a by b: a / b (b must not be zero)\n",
    );
    let out = rmcp_stdio(&["-o", "json", "tools", "list"], "counter").output().unwrap();
    let names: Vec<_> = json_of(&out)["tools"].as_array().unwrap().iter().map(|t| t["name"].clone()).collect();
    assert_eq!(names, vec![json!("increment"), json!("decrement"), json!("get"), json!("reset")]);
}

#[test]
fn tools_call_coerces_arguments_by_schema_in_both_eras() {
    for era in ["2025", "2026"] {
        rmcp_stdio(&["--era", era, "tools", "call", "add", "a=2", "b=3.5"], "calculator")
            .assert()
            .success()
            .stdout("5.5\n");
        // `by` is `integer|null`: read as a number, not the text "5".
        rmcp_stdio(&["--era", era, "tools", "call", "increment", "by=5"], "counter").assert().success().stdout("5\n");
    }
    let out = rmcp_stdio(&["-o", "json", "tools", "call", "mul", "a=4", "b=2.5"], "calculator").output().unwrap();
    assert!(out.status.success());
    assert_eq!(json_of(&out)["content"][0]["text"], "10");
}

#[test]
fn json_arguments_inline_and_from_a_file() {
    rmcp_stdio(&["tools", "call", "sub", "--json", r#"{"a": 10, "b": 4}"#], "calculator")
        .assert()
        .success()
        .stdout("6\n");
    let path = std::env::temp_dir().join(format!("rmcp-cli-test-args-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"a": 1, "b": 4}"#).unwrap();
    // key=value wins over the file.
    rmcp_stdio(&["tools", "call", "div", "--json", &format!("@{}", path.display()), "a=2"], "calculator")
        .assert()
        .success()
        .stdout("0.5\n");
    std::fs::remove_file(path).unwrap();
}

#[test]
fn structured_content_is_pretty_printed_once() {
    rmcp_stdio(&["tools", "call", "get"], "counter").assert().success().stdout("{\n  \"value\": 0\n}\n");
}

#[test]
fn an_is_error_result_exits_1_with_its_text() {
    rmcp_stdio(&["tools", "call", "div", "a=1", "b=0"], "calculator")
        .assert()
        .code(1)
        .stdout("division by zero\n")
        .stderr(predicate::str::contains("the tool `div` reported an error (isError)"));
    let out = rmcp_stdio(&["-o", "json", "tools", "call", "div", "a=1", "b=0"], "calculator").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["isError"], true);
}

#[test]
fn bad_input_gets_an_error_that_says_what_to_do() {
    rmcp_stdio(&["tools", "call", "add", "a=two", "b=1"], "calculator")
        .assert()
        .code(1)
        .stderr("error: `a=two`: the tool wants number for `a`\n");
    rmcp_stdio(&["tools", "call", "pow", "a=1"], "calculator")
        .assert()
        .code(1)
        .stderr("error: the server has no tool named `pow`; it has: add, sub, mul, div\n");
    rmcp(&["tools", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no server given: put its command after `--`"));
    rmcp(&["tools", "list", "--", "/nonexistent/server"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot start `/nonexistent/server`: no such program"));
    // `true` exits at once without a word of MCP.
    rmcp(&["info", "--", "true"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is it an MCP server speaking stdio?"));
    rmcp_stdio(&["log-level", "loud"], "counter")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`loud` is not a log level; use one of: debug, info"));
    rmcp_stdio(&["--era", "2025", "log-level", "debug"], "calculator")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the server does not support logging/setLevel"));
    rmcp(&["tools"]).assert().code(2);
}

#[test]
fn a_call_past_its_timeout_fails_and_says_how_to_wait_longer() {
    rmcp_stdio(&["--timeout", "0.3", "tools", "call", "countdown", "from=50"], "assistant")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("got no answer within 300ms; raise --timeout"));
}

#[test]
fn resources_prompts_and_completions_of_the_notes_server() {
    rmcp_stdio(&["resources", "list"], "notes").assert().success().stdout(
        "URI            NAME   TYPE        DESCRIPTION\n\
         notes://index  index  text/plain  The names of all notes, one per line.\n",
    );
    rmcp_stdio(&["resources", "templates"], "notes")
        .assert()
        .success()
        .stdout("URI TEMPLATE   NAME  DESCRIPTION\nnote://{name}  note  One note's text.\n");
    rmcp_stdio(&["resources", "read", "notes://index"], "notes")
        .assert()
        .success()
        .stdout("groceries\nmeeting\nmusic\n");
    let out = rmcp_stdio(&["-o", "json", "resources", "read", "note://groceries"], "notes").output().unwrap();
    assert!(out.status.success());
    assert_eq!(json_of(&out)["contents"][0]["uri"], "note://groceries");
    rmcp_stdio(&["prompts", "list"], "notes").assert().success().stdout(
        predicate::str::contains("summarize  name style?").and(predicate::str::contains("draft      based_on? topic")),
    );
    rmcp_stdio(&["prompts", "get", "summarize", "name=groceries"], "notes")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("user:\n").or(predicate::str::contains("\nuser:\n")));
    rmcp_stdio(&["complete", "--prompt", "summarize", "name", "m"], "notes")
        .assert()
        .success()
        .stdout("meeting\nmusic\n");
    let out =
        rmcp_stdio(&["-o", "json", "complete", "--template", "note://{name}", "name", "g"], "notes").output().unwrap();
    assert_eq!(json_of(&out)["completion"]["values"], json!(["groceries"]));
    rmcp_stdio(&["resources", "read", "note://nothing"], "notes")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("reading `note://nothing`"));
}

#[test]
fn elicitation_is_declined_without_a_terminal_unless_asked() {
    // The test's stdin is not a terminal: the server's question is declined, and the tool says so.
    rmcp_stdio(&["tools", "call", "greet"], "assistant")
        .write_stdin("")
        .assert()
        .success()
        .stdout("Hello, stranger who keeps their name!\n")
        .stderr(predicate::str::contains("declined the server's request for input, as no terminal is attached"));
    // `--elicit accept` sends the defaults; `name` has none, so it is declined with the reason.
    rmcp_stdio(&["--elicit", "accept", "--era", "2025", "tools", "call", "greet"], "assistant")
        .write_stdin("")
        .assert()
        .success()
        .stderr(predicate::str::contains("the required field `name` has no default"));
}

#[test]
fn sampling_is_declined_unless_a_command_answers_it() {
    for era in ["2025", "2026"] {
        rmcp_stdio(&["--era", era, "tools", "call", "summarize", "text=long text"], "assistant")
            .assert()
            .code(1)
            .stderr(predicate::str::contains("pass --sampling-cmd CMD to answer such requests"));
        // The command gets the request on stdin: here it answers with the text it found there.
        let cmd = r#"t=$(grep -o '"text":"[^"]*"' | head -n 1 | cut -d '"' -f 4); printf '{"role":"assistant","content":{"type":"text","text":"got: %s"},"model":"sh"}' "$t""#;
        rmcp_stdio(&["--era", era, "--sampling-cmd", cmd, "tools", "call", "summarize", "text=long text"], "assistant")
            .assert()
            .success()
            .stdout("got: long text\n");
    }
}

#[test]
fn config_file_entries_name_stdio_servers() {
    let path = std::env::temp_dir().join(format!("rmcp-cli-test-config-{}.json", std::process::id()));
    let config = json!({"mcpServers": {
        "calc": {"command": support::example("calculator"), "args": []},
        "count": {"command": support::example("counter")}
    }});
    std::fs::write(&path, config.to_string()).unwrap();
    let file = path.to_str().unwrap();
    rmcp(&["--config", file, "--server", "calc", "tools", "call", "add", "a=1", "b=1"])
        .assert()
        .success()
        .stdout("2\n");
    rmcp(&["--config", file, "tools", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has several servers: pick one with --server NAME (one of: calc, count)"));
    std::fs::remove_file(path).unwrap();
}

#[test]
fn help_has_an_example_for_every_command_and_completions_are_printed() {
    for command in [
        &["info"][..],
        &["ping"],
        &["tools", "list"],
        &["tools", "call"],
        &["resources", "list"],
        &["resources", "templates"],
        &["resources", "read"],
        &["prompts", "list"],
        &["prompts", "get"],
        &["complete"],
        &["log-level"],
        &["watch"],
        &["proxy"],
        &["completions"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        rmcp(&args)
            .assert()
            .success()
            .stdout(predicate::str::contains("Example").and(predicate::str::contains("rmcp ")));
    }
    for shell in ["bash", "zsh", "fish"] {
        rmcp(&["completions", shell]).assert().success().stdout(predicate::str::contains("tools"));
    }
}
