//! The process's own stdin and stdout, the usual transport of a local server.

use tokio::io::{Stdin, Stdout};

use super::AsyncRwTransport;

/// Newline-delimited JSON-RPC over this process's stdin and stdout.
///
/// Log to stderr, never to stdout: stdout carries the protocol.
pub fn stdio() -> AsyncRwTransport<Stdin, Stdout> {
    AsyncRwTransport::new(tokio::io::stdin(), tokio::io::stdout())
}
