//! `rmcp auth` against the `protected-server` example (OAuth over real HTTP: its demo
//! authorization server approves at once, so `curl` plays the browser), with the logins kept in
//! a temporary config directory.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use predicates::prelude::*;
use support::{Running, example, json_of, rmcp};

/// Start `protected-server` on free ports; its MCP endpoint.
fn protected_server() -> (Running, String) {
    let mut child = Command::new(example("protected-server"))
        .args(["--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("protected MCP endpoint at ").map(str::to_owned))
        .expect("protected-server printed no endpoint");
    std::thread::spawn(move || lines.for_each(drop));
    let (_tx, stderr) = std::sync::mpsc::channel();
    (Running { child, stderr }, url)
}

#[test]
fn login_keeps_tokens_owner_only_and_later_commands_use_them() {
    let (_server, url) = protected_server();
    let config = std::env::temp_dir().join(format!("rmcp-cli-test-auth-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&config);
    let with_config = |args: &[&str]| {
        let mut cmd = rmcp(args);
        cmd.env("RMCP_CONFIG_DIR", &config).env_remove("RMCP_BEARER");
        cmd
    };

    // Without a login (and no terminal to log in on) the command says what to run.
    with_config(&["--url", &url, "tools", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("needs a login: run `rmcp auth login {url}`")));
    with_config(&["auth", "status", &url]).assert().code(1).stdout(predicate::str::contains("not logged in"));

    with_config(&["auth", "login", &url, "--open-with", "curl -sfL -o /dev/null"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("logged in to {url}")).and(predicate::str::contains("scopes   calc")));

    // Owner-only: the directory 0700, the file 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&config), 0o700);
        assert_eq!(mode(&config.join("logins.json")), 0o600);
    }

    let out = with_config(&["-o", "json", "auth", "status", &url]).output().unwrap();
    assert!(out.status.success());
    let status = json_of(&out);
    assert_eq!(status["loggedIn"], true);
    assert_eq!(status["scopes"], serde_json::json!(["calc"]));
    assert_eq!(status["refreshable"], true);
    // Status never shows a token.
    let kept = std::fs::read_to_string(config.join("logins.json")).unwrap();
    let kept: serde_json::Value = serde_json::from_str(&kept).unwrap();
    let token = kept["issuers"].as_object().unwrap().values().next().unwrap()["tokens"]["access_token"].clone();
    assert!(token.as_str().is_some_and(|t| !t.is_empty()));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(token.as_str().unwrap()));

    // Later commands use the kept login, with no browser (and no terminal) involved.
    with_config(&["--url", &url, "tools", "call", "add", "a=2", "b=3"]).assert().success().stdout("5\n");
    // So does the stdio bridge: a stdio-only host reaches the protected server.
    let bridge = assert_cmd::cargo::cargo_bin("rmcp");
    with_config(&["tools", "call", "mul", "a=2", "b=3", "--", bridge.to_str().unwrap(), "proxy", "--url", &url])
        .assert()
        .success()
        .stdout("6\n");

    with_config(&["auth", "logout", &url]).assert().success().stdout(format!("logged out of {url}\n"));
    with_config(&["auth", "status", &url]).assert().code(1);
    std::fs::remove_dir_all(&config).unwrap();
}
