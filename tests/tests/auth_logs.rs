//! What the OAuth flow logs: never a token.
//!
//! This test has a binary of its own: `tracing` caches a callsite's interest the first time any
//! thread reaches it, so a parallel OAuth test without a subscriber reaching the flow's
//! callsites first would make them silent for this test's scoped subscriber too.

mod auth_support;
mod http_support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use auth_support::{Behaviour, MockAs, connect, oauth, protected};
use http_support::call;
use serde_json::json;

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn tokens_never_reach_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // One thread: every task (client, servers, HTTP connections) logs to this subscriber.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (secrets, debug) = tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let auth = MockAs::start(Behaviour { expires_in: 5, ..Behaviour::default() }).await;
            let server = protected(&auth, &[], None).await;
            let oauth = oauth(&server.url);
            let client = connect(&server.url, &oauth).await.unwrap();
            client.call_tool(call("echo", json!({"text": "x"}))).await.unwrap();
            client.cancel().await;
            let debug = format!("{oauth:?} {:?}", oauth.tokens());
            (auth.seen(|seen| seen.secrets.clone()), debug)
        })
    });
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("authorized"), "the flow was logged: {logs}");
    assert!(!secrets.is_empty());
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "a token was logged");
        assert!(!debug.contains(secret.as_str()), "a Debug impl prints a token: {debug}");
    }
}
