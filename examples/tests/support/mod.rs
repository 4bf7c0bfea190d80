//! What the process tests share: starting example servers, and a client of a chosen era.
//! Each test file uses part of it.
#![allow(dead_code)]

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Start `binary --http 127.0.0.1:0` (any free port) and read the endpoint URL it prints on
/// stderr. The child is killed when the returned handle drops.
pub async fn serve_over_http(binary: &str) -> (Child, String) {
    let mut child = Command::new(binary)
        .args(["--http", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.strip_prefix("serving Streamable HTTP at ") {
                return url.to_owned();
            }
        }
        panic!("{binary} exited without printing its address");
    })
    .await
    .unwrap_or_else(|_| panic!("{binary} did not print its address within 5 s"));
    // Keep reading stderr so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, url)
}

/// A client that speaks the given protocol era and answers nothing else.
pub struct Era(pub rmcp_core::handler::ProtocolPreference);

impl rmcp_core::ClientHandler for Era {
    fn get_info(&self) -> rmcp_core::handler::ClientInfo {
        rmcp_core::handler::ClientInfo::default().with_protocol(self.0.clone())
    }
}

/// A plain client of `binary` started as a child process on stdio (its stderr discarded).
pub async fn stdio_client(binary: &str) -> rmcp_core::RunningService<rmcp_core::RoleClient, ()> {
    use rmcp_core::service::ServiceExt;
    let child = rmcp_core::transport::ChildProcess::builder(Command::new(binary)).discard_stderr().spawn().unwrap();
    ().serve(child).await.unwrap()
}
