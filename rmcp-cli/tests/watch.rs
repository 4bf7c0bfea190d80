//! `rmcp watch`: notifications printed as they arrive, over a real HTTP session (its GET
//! stream), until Ctrl-C.

mod support;

#[path = "support/announcer.rs"]
mod announcer;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::rmcp;

/// Send SIGINT, as Ctrl-C in a terminal does.
fn interrupt(pid: u32) {
    let status = Command::new("kill").args(["-INT", &pid.to_string()]).status().unwrap();
    assert!(status.success());
}

#[test]
fn watch_prints_each_notification_as_a_json_line_until_interrupted() {
    let (_runtime, url) = announcer::serve();
    let mut watch = Command::new(assert_cmd::cargo::cargo_bin("rmcp"))
        .args(["--url", &url, "-o", "json", "watch", "--subscribe", "note://news", "--log-level", "debug"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();

    // The watcher is listening once `announce` reaches it; until then, announce again.
    let started = Instant::now();
    loop {
        let out = rmcp(&["--url", &url, "tools", "call", "announce", "message=hello"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        if String::from_utf8_lossy(&out.stdout).trim() != "told 0" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the watcher never subscribed");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut seen: Vec<Value> = Vec::new();
    while seen.len() < 3 {
        let line = lines.next().expect("watch ended early").unwrap();
        seen.push(serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}")));
    }
    assert_eq!(
        seen,
        vec![
            json!({"method": "notifications/message", "params": {"level": "info", "data": "hello"}}),
            json!({"method": "notifications/resources/updated", "params": {"uri": "note://news"}}),
            json!({"method": "notifications/tools/list_changed", "params": {}}),
        ]
    );

    interrupt(watch.id());
    let status = watch.wait().unwrap();
    assert_eq!(status.code(), Some(130));
}

#[test]
fn watch_refuses_the_2026_era_and_says_why() {
    let (_runtime, url) = announcer::serve();
    rmcp(&["--url", &url, "--era", "2026", "watch"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("watch needs a 2025 session"));
}
