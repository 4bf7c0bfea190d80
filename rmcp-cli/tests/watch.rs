//! `rmcp watch`: notifications printed as they arrive, over a real HTTP session (its GET
//! stream), until Ctrl-C.

mod support;

#[path = "support/announcer.rs"]
mod announcer;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::rmcp;

/// The lines of `stdout` as they come, read on a thread of their own.
fn lines_of(stdout: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// The next line, as JSON, within 20 s.
fn next_json(lines: &mpsc::Receiver<String>) -> Value {
    let line = lines.recv_timeout(Duration::from_secs(20)).expect("watch printed nothing more within 20 s");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
}

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
    let lines = lines_of(watch.stdout.take().unwrap());

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
    let seen: Vec<Value> = (0..3).map(|_| next_json(&lines)).collect();
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
fn watch_on_2026_listens_with_subscriptions_listen() {
    let (_runtime, url) = announcer::serve();
    let mut watch = Command::new(assert_cmd::cargo::cargo_bin("rmcp"))
        .args(["--url", &url, "--era", "2026", "-o", "json", "watch", "--subscribe", "note://news"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(watch.stdout.take().unwrap());
    let next = || next_json(&lines);
    // The server acknowledges what it will send; from then on the stream is open.
    let ack = next();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged", "{ack}");
    assert_eq!(ack["params"]["notifications"]["resourceSubscriptions"], json!(["note://news"]), "{ack}");
    rmcp(&["--url", &url, "--era", "2026", "tools", "call", "announce", "message=hi"]).assert().success();
    let update = next();
    assert_eq!(update["method"], "notifications/resources/updated", "{update}");
    assert_eq!(update["params"]["uri"], "note://news");
    assert_eq!(next()["method"], "notifications/tools/list_changed");

    interrupt(watch.id());
    assert_eq!(watch.wait().unwrap().code(), Some(130));
}

#[test]
fn watch_on_2026_refuses_a_log_level_and_says_why() {
    let (_runtime, url) = announcer::serve();
    rmcp(&["--url", &url, "--era", "2026", "watch", "--log-level", "debug"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("--log-level needs a 2025 session"));
}
