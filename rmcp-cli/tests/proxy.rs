//! `rmcp proxy` in both directions, with real processes on both sides.

mod support;

use predicates::prelude::*;
use std::process::Command;
use support::{example, example_over_http, json_of, rmcp, start_and_read_url};

/// `rmcp proxy --listen` in front of a stdio server, called over HTTP in both eras.
#[test]
fn a_stdio_server_served_over_http() {
    let mut proxy = Command::new(assert_cmd::cargo::cargo_bin("rmcp"));
    proxy.args(["proxy", "--listen", "127.0.0.1:0", "--"]).arg(example("calculator"));
    let (_proxy, url) = start_and_read_url(proxy);
    for era in ["2025", "2026"] {
        rmcp(&["--url", &url, "--era", era, "tools", "call", "add", "a=2", "b=3"]).assert().success().stdout("5\n");
        // A tool error passes through as a tool error.
        rmcp(&["--url", &url, "--era", era, "tools", "call", "div", "a=1", "b=0"])
            .assert()
            .code(1)
            .stdout("division by zero\n");
    }
    // The proxy presents the server's identity and instructions as its own.
    rmcp(&["--url", &url, "info"]).assert().success().stdout(
        predicate::str::starts_with("calculator 0.1.0\n").and(predicate::str::contains("Arithmetic on two numbers")),
    );
    let out = rmcp(&["--url", &url, "-o", "json", "tools", "list"]).output().unwrap();
    assert_eq!(json_of(&out)["tools"].as_array().unwrap().len(), 4);
}

/// Elicitation from the stdio server reaches the HTTP client through the proxy, and the
/// client's answer goes back.
#[test]
fn server_requests_cross_the_http_proxy() {
    let mut proxy = Command::new(assert_cmd::cargo::cargo_bin("rmcp"));
    proxy.args(["proxy", "--listen", "127.0.0.1:0", "--era", "2025", "--"]).arg(example("assistant"));
    let (_proxy, url) = start_and_read_url(proxy);
    let reply = r#"echo '{"role":"assistant","content":{"type":"text","text":"Short."},"model":"echo"}'"#;
    rmcp(&["--url", &url, "--era", "2025", "--sampling-cmd", reply, "tools", "call", "summarize", "text=long"])
        .assert()
        .success()
        .stdout("Short.\n");
    rmcp(&["--url", &url, "--era", "2025", "tools", "call", "greet"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("Hello, stranger who keeps their name!\n");
}

/// `rmcp proxy --url` as a stdio server, driven by our own stdio client (rmcp itself).
#[test]
fn a_remote_http_server_served_on_stdio() {
    let (_server, url) = example_over_http("counter");
    let rmcp_bin = assert_cmd::cargo::cargo_bin("rmcp");
    let proxy = rmcp_bin.to_str().unwrap();
    for (era, expected) in [("2025", "3\n"), ("2026", "6\n")] {
        rmcp(&["--era", era, "tools", "call", "increment", "by=3", "--", proxy, "proxy", "--url", &url])
            .assert()
            .success()
            .stdout(expected);
    }
    rmcp(&["--era", "2025", "info", "--", proxy, "proxy", "--url", &url])
        .assert()
        .success()
        .stdout(predicate::str::contains("counter 0.1.0").and(predicate::str::contains("2025-11-25 (stateful)")));
    // Progress and the result of a longer call pass through too.
    let (_assistant, assistant_url) = example_over_http("assistant");
    rmcp(&["tools", "call", "countdown", "from=3", "--", proxy, "proxy", "--url", &assistant_url])
        .assert()
        .success()
        .stdout("counted down from 3: liftoff\n");
}

#[test]
fn proxy_errors_say_which_flags_to_use() {
    rmcp(&["proxy", "--", "true"]).assert().code(1).stderr(predicate::str::contains("give --url URL"));
    rmcp(&["proxy", "--listen", "127.0.0.1:0", "--url", "http://127.0.0.1:1/mcp"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("proxy --listen serves a stdio server"));
}
