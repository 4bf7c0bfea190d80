//! `login-client` logs in to `protected-server` (OAuth over real HTTP) and calls its tool.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_client_logs_in_to_the_protected_server_and_calls_add() {
    let mut server = Command::new(env!("CARGO_BIN_EXE_protected-server"))
        .args(["--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.strip_prefix("protected MCP endpoint at ") {
                return url.to_owned();
            }
        }
        panic!("protected-server exited without printing its endpoint");
    })
    .await
    .unwrap();

    // Without a token the endpoint refuses and points at its metadata.
    let refused = reqwest::Client::new().post(&url).body("{}").send().await.unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);
    assert!(refused.headers()["www-authenticate"].to_str().unwrap().contains("resource_metadata="));

    let client = Command::new(env!("CARGO_BIN_EXE_login-client")).args(["--url", &url]).stdin(Stdio::null()).output();
    let output = tokio::time::timeout(Duration::from_secs(30), client).await.unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("with scope \"calc\""), "{stdout}");
    assert!(stdout.contains("tools: add, mul"), "{stdout}");
    assert!(stdout.contains("add(2, 3) = 5"), "{stdout}");
}
