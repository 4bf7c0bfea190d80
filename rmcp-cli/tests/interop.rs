//! `rmcp` with the other SDKs on the far side: the reference TypeScript `server-everything`
//! (stdio, and behind `rmcp proxy --listen`), and the official Python client driving both
//! directions of `rmcp proxy`.
//!
//! They are installed by `bash interop/setup.sh` (into `interop/node_modules` and
//! `interop/.venv`). Without them each test prints a `skipped:` line and passes, unless
//! `RMCP_INTEROP_REQUIRED=1` (as `.ci/run` sets it): then a missing install fails the test.

mod support;

#[path = "support/tmux.rs"]
mod tmux;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use predicates::prelude::*;
use serde_json::Value;
use support::{example, example_over_http, json_of, rmcp, start_and_read_url};

const EVERYTHING: &str = "node_modules/@modelcontextprotocol/server-everything/dist/index.js";
const PYTHON: &str = ".venv/bin/python";

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop")
}

/// `interop/<rel>` if it is installed; else the test is skipped (or fails when
/// `RMCP_INTEROP_REQUIRED=1`).
fn installed(test: &str, rel: &str) -> Option<PathBuf> {
    let path = interop_dir().join(rel);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("RMCP_INTEROP_REQUIRED").is_ok_and(|v| v == "1") {
        panic!("{test}: interop/{rel} is missing and RMCP_INTEROP_REQUIRED=1: run `bash interop/setup.sh`");
    }
    let _ = writeln!(std::io::stderr(), "skipped: {test}: interop/{rel} is not installed; run `bash interop/setup.sh`");
    None
}

/// `rmcp ARGS -- node server-everything stdio`.
fn everything(path: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = rmcp(args);
    cmd.args(["--", "node"]).arg(path).arg("stdio");
    cmd
}

#[test]
fn the_reference_server_over_stdio() {
    let Some(server) = installed("the_reference_server_over_stdio", EVERYTHING) else { return };
    everything(&server, &["info"]).assert().success().stdout(
        predicate::str::starts_with("mcp-servers/everything ").and(predicate::str::contains("2025-11-25 (stateful)")),
    );
    let out = everything(&server, &["-o", "json", "tools", "list"]).output().unwrap();
    let tools = json_of(&out)["tools"].as_array().cloned().unwrap_or_default();
    assert!(tools.iter().any(|t| t["name"] == "echo") && tools.iter().any(|t| t["name"] == "get-sum"), "{tools:?}");
    everything(&server, &["tools", "call", "echo", "message=hello there"])
        .assert()
        .success()
        .stdout("Echo: hello there\n");
    everything(&server, &["tools", "call", "get-sum", "a=2", "b=3.5"])
        .assert()
        .success()
        .stdout("The sum of 2 and 3.5 is 5.5.\n");
    // Progress reported along the way; the result at the end.
    everything(&server, &["tools", "call", "trigger-long-running-operation", "duration=1", "steps=3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Long running operation completed"));
    everything(&server, &["prompts", "get", "args-prompt", "city=Paris"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Paris"));
    let out = everything(&server, &["-o", "json", "resources", "list"]).output().unwrap();
    let first = json_of(&out)["resources"][0]["uri"].as_str().unwrap_or_default().to_owned();
    assert!(!first.is_empty());
    everything(&server, &["resources", "read", &first]).assert().success().stdout(predicate::str::is_empty().not());
}

#[test]
fn a_config_entry_starts_the_reference_server_with_its_env() {
    let Some(server) = installed("a_config_entry_starts_the_reference_server_with_its_env", EVERYTHING) else {
        return;
    };
    let config = std::env::temp_dir().join(format!("rmcp-cli-test-interop-config-{}.json", std::process::id()));
    let entry = serde_json::json!({"mcpServers": {"everything": {
        "command": "node", "args": [server, "stdio"], "env": {"RMCP_CLI_TEST_VALUE": "from-the-config"}
    }}});
    std::fs::write(&config, entry.to_string()).unwrap();
    rmcp(&["--config", config.to_str().unwrap(), "tools", "call", "get-env"])
        .assert()
        .success()
        .stdout(predicate::str::contains("RMCP_CLI_TEST_VALUE").and(predicate::str::contains("from-the-config")));
    std::fs::remove_file(config).unwrap();
}

#[test]
fn the_reference_servers_requests_are_answered_or_declined() {
    let Some(server) = installed("the_reference_servers_requests_are_answered_or_declined", EVERYTHING) else {
        return;
    };
    // Its form has a required field without a default: `--elicit accept` cannot send it.
    everything(&server, &["--elicit", "accept", "tools", "call", "trigger-elicitation-request"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"action\": \"decline\""))
        .stderr(predicate::str::contains("has no default to accept"));
    everything(&server, &["tools", "call", "trigger-sampling-request", "prompt=hi"])
        .assert()
        .stderr(predicate::str::contains("pass --sampling-cmd CMD"));
    let reply = r#"echo '{"role":"assistant","content":{"type":"text","text":"forty-two"},"model":"sh"}'"#;
    everything(&server, &["--sampling-cmd", reply, "tools", "call", "trigger-sampling-request", "prompt=hi"])
        .assert()
        .success()
        .stdout(predicate::str::contains("forty-two"));
}

/// The reference server's elicitation form, answered in a real terminal: a prompt per field in
/// the schema's order, defaults shown and taken with Enter, a boolean as yes/no, enums as
/// selection lists (single and multiple).
#[test]
fn the_reference_servers_form_is_asked_field_by_field_in_a_terminal() {
    let Some(server) = installed("the_reference_servers_form_is_asked_field_by_field_in_a_terminal", EVERYTHING) else {
        return;
    };
    let rmcp = assert_cmd::cargo::cargo_bin("rmcp");
    let command = format!(
        "{} tools call trigger-elicitation-request -- node {} stdio; echo EXIT=$?; sleep 60",
        rmcp.display(),
        server.display()
    );
    let tmux = tmux::Tmux::start_sized(&command, 120, 80);
    // (what the prompt says, what it must show, the keys typed)
    let steps: [(&str, &str, &[&str]); 14] = [
        ("Your date of birth", "", &["1990-01-01", "Enter"]),
        ("Agree to the terms", "(y/n)", &["y"]),
        ("Your email address", "", &["Enter"]),
        ("Favorite first line of a story", "It was a dark and stormy night.", &["Enter"]),
        ("Portfolio / personal website", "", &["Enter"]),
        ("Your favorite integer", "42", &["Enter"]),
        ("favorite type of pet", "Dogs", &["Down", "Enter"]),
        ("Your full, legal name", "", &["Ada Lovelace", "Enter"]),
        ("Favorite number", "3.14", &["Enter"]),
        ("favorite types of fish", "space to pick", &["Space", "Enter"]),
        ("favorite hero", "", &["Enter"]),
        ("favorite instruments", "", &["Enter"]),
        ("favorite friend", "", &["Enter"]),
        ("Send these answers?", "", &["Enter"]),
    ];
    for (prompt, shows, keys) in steps {
        let line = tmux.wait_for_line("? ", prompt);
        // A selection list shows its choices below the prompt line.
        assert!(
            line.contains(shows) || tmux.screen().contains(shows),
            "{prompt}: expected {shows:?}:\n{}",
            tmux.screen()
        );
        tmux.keys(keys);
        tmux.wait_for_line("✔ ", prompt);
    }
    let screen = tmux.wait_for("EXIT=");
    for field in ["\"name\": \"Ada Lovelace\"", "\"check\": true", "\"integer\": 42", "\"birthdate\": \"1990-01-01\""] {
        assert!(screen.contains(field), "{field} missing:\n{screen}");
    }
    assert!(screen.contains("EXIT=0"), "{screen}");
}

#[test]
fn the_reference_server_behind_the_http_proxy() {
    let Some(server) = installed("the_reference_server_behind_the_http_proxy", EVERYTHING) else { return };
    let mut proxy = Command::new(assert_cmd::cargo::cargo_bin("rmcp"));
    proxy.args(["proxy", "--listen", "127.0.0.1:0", "--", "node"]).arg(&server).arg("stdio");
    let (_proxy, url) = start_and_read_url(proxy);
    for era in ["2025", "2026"] {
        rmcp(&["--url", &url, "--era", era, "tools", "call", "echo", "message=via proxy"])
            .assert()
            .success()
            .stdout("Echo: via proxy\n");
    }
    let reply = r#"echo '{"role":"assistant","content":{"type":"text","text":"proxied reply"},"model":"sh"}'"#;
    rmcp(&[
        "--url",
        &url,
        "--era",
        "2025",
        "--sampling-cmd",
        reply,
        "tools",
        "call",
        "trigger-sampling-request",
        "prompt=x",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains("proxied reply"));
}

fn report(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    json_of(out)
}

#[test]
fn the_python_client_through_both_proxies() {
    let Some(python) = installed("the_python_client_through_both_proxies", PYTHON) else { return };
    // Python -> HTTP -> `rmcp proxy --listen` -> stdio calculator.
    let mut proxy = Command::new(assert_cmd::cargo::cargo_bin("rmcp"));
    proxy.args(["proxy", "--listen", "127.0.0.1:0", "--"]).arg(example("calculator"));
    let (_proxy, url) = start_and_read_url(proxy);
    for (mode, version) in [("legacy", "2025-11-25"), ("auto", "2026-07-28"), ("2026-07-28", "2026-07-28")] {
        let out = Command::new(&python).arg(interop_dir().join("py_client.py")).args([&url, mode]).output().unwrap();
        let seen = report(&out);
        assert_eq!(seen["ok"], true, "{seen}");
        assert_eq!(seen["protocolVersion"], version);
    }
    // Python -> stdio -> `rmcp proxy --url` -> HTTP calculator.
    let (_server, url) = example_over_http("calculator");
    let client = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py_stdio_client.py");
    for (mode, version) in [("legacy", "2025-11-25"), ("auto", "2026-07-28"), ("2026-07-28", "2026-07-28")] {
        let out = Command::new(&python)
            .arg(&client)
            .arg(mode)
            .arg(assert_cmd::cargo::cargo_bin("rmcp"))
            .args(["proxy", "--url", &url])
            .output()
            .unwrap();
        let seen = report(&out);
        assert_eq!(seen["protocolVersion"], version, "{seen}");
        assert_eq!(seen["tools"], serde_json::json!(["add", "sub", "mul", "div"]));
        assert_eq!(seen["add"], "5");
        assert_eq!(seen["addIsError"], false);
    }
}
