//! `rmcp` against servers on Streamable HTTP (127.0.0.1, free ports): the example servers as
//! child processes, and a server in this process that shows the headers it got.

mod support;

#[path = "support/announcer.rs"]
mod announcer;

use predicates::prelude::*;
use support::{example_over_http, json_of, rmcp};

#[test]
fn calls_over_http_in_both_eras_share_the_servers_state() {
    let (_server, url) = example_over_http("counter");
    rmcp(&["--url", &url, "--era", "2026", "tools", "call", "increment", "by=2"]).assert().success().stdout("2\n");
    rmcp(&["--url", &url, "--era", "2025", "tools", "call", "increment", "by=3"]).assert().success().stdout("5\n");
    let out = rmcp(&["--url", &url, "-o", "json", "tools", "call", "get"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(json_of(&out)["structuredContent"]["value"], 5);
    rmcp(&["--url", &url, "--era", "2025", "info"])
        .assert()
        .success()
        .stdout(predicate::str::contains("counter 0.1.0").and(predicate::str::contains("2025-11-25 (stateful)")));
    rmcp(&["--url", &url, "ping"]).assert().success().stdout(predicate::str::starts_with("pong in "));
    rmcp(&["--url", &url, "--era", "2025", "ping"]).assert().success().stdout(predicate::str::starts_with("pong in "));
}

#[test]
fn an_unreachable_url_says_what_to_check() {
    // A port that was free a moment ago: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    rmcp(&["--url", &format!("http://127.0.0.1:{port}/mcp"), "tools", "list"]).assert().code(1).stderr(
        predicate::str::contains("could not reach http://127.0.0.1:")
            .and(predicate::str::contains("check that the server runs")),
    );
}

#[test]
fn headers_and_bearer_tokens_reach_the_server() {
    let (_runtime, url) = announcer::serve();
    rmcp(&["--url", &url, "--bearer", "t0ken", "-H", "X-Test: yes", "tools", "call", "whoami"])
        .assert()
        .success()
        .stdout("authorization=Bearer t0ken x-test=yes\n");
    rmcp(&["--url", &url, "--era", "2025", "tools", "call", "whoami"])
        .env("RMCP_BEARER", "from-env")
        .assert()
        .success()
        .stdout("authorization=Bearer from-env x-test=-\n");
    let config = std::env::temp_dir().join(format!("rmcp-cli-test-http-config-{}.json", std::process::id()));
    let entry = serde_json::json!({"mcpServers": {"remote": {"url": url, "headers": {"X-Test": "from-config"}}}});
    std::fs::write(&config, entry.to_string()).unwrap();
    rmcp(&["--config", config.to_str().unwrap(), "--server", "remote", "tools", "call", "whoami"])
        .env_remove("RMCP_BEARER")
        .assert()
        .success()
        .stdout("authorization=- x-test=from-config\n");
    std::fs::remove_file(config).unwrap();
}
