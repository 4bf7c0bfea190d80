//! What the command tests share: the example servers' binaries, servers on free ports, and
//! `rmcp` itself. Each test file uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// The `examples` crate's binary `name`, built (once per test process) by cargo, so a test
/// run never uses a stale one.
pub fn example(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<Vec<(String, PathBuf)>>> = OnceLock::new();
    let built = BUILT.get_or_init(Mutex::default);
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, path)) = built.iter().find(|(n, _)| n == name) {
        return path.clone();
    }
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/Cargo.toml");
    let mut build = escargot::CargoBuild::new().manifest_path(manifest).bin(name);
    // What cargo sets for this test is not the examples' business, and build scripts that
    // watch it (ring's watches CARGO_MANIFEST_DIR) would rebuild half the tree on every run.
    for (key, _) in std::env::vars() {
        let per_crate = [
            "CARGO_PKG_",
            "CARGO_BIN_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_PRIMARY_PACKAGE",
            "CARGO_TARGET_TMPDIR",
        ];
        if per_crate.iter().any(|prefix| key.starts_with(prefix)) {
            build = build.env_remove(key);
        }
    }
    let bin = build.run().unwrap_or_else(|e| panic!("building the example `{name}` failed: {e}"));
    let path = bin.path().to_path_buf();
    built.push((name.to_owned(), path.clone()));
    path
}

/// `rmcp` with `args`.
pub fn rmcp(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("rmcp").unwrap();
    cmd.args(args).timeout(Duration::from_secs(60));
    cmd
}

/// `rmcp ARGS -- EXAMPLE` (a stdio server).
pub fn rmcp_stdio(args: &[&str], server: &str) -> assert_cmd::Command {
    let mut cmd = rmcp(args);
    cmd.arg("--").arg(example(server));
    cmd
}

/// A process killed (by its id) when the handle drops.
pub struct Running {
    pub child: Child,
    /// Its stderr lines after the one that named the URL, as they come.
    pub stderr: std::sync::mpsc::Receiver<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `program args` and wait for a stderr line holding `http://...`; return the process
/// and that URL.
pub fn start_and_read_url(mut command: Command) -> (Running, String) {
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    let (line_tx, line_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if !sent && let Some(at) = line.find("http://") {
                let url = line[at..].split_whitespace().next().unwrap_or("").to_owned();
                let _ = url_tx.send(url);
                sent = true;
            } else {
                let _ = line_tx.send(line);
            }
        }
    });
    let running = Running { child, stderr: line_rx };
    let url = url_rx.recv_timeout(Duration::from_secs(20)).expect("the server did not print its URL within 20 s");
    (running, url)
}

/// An example server on Streamable HTTP at a free port.
pub fn example_over_http(name: &str) -> (Running, String) {
    let mut command = Command::new(example(name));
    command.args(["--http", "127.0.0.1:0"]);
    start_and_read_url(command)
}

/// stdout of a finished command, as text.
pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr of a finished command, as text.
pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// stdout parsed as one JSON document.
pub fn json_of(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout_of(output)))
}
