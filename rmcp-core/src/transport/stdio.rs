//! The process's own stdin and stdout, the usual transport of a local server.
//!
//! When stdin and stdout are pipes (as when a client spawns the server), they are driven as
//! non-blocking pipes on tokio's reactor. `tokio::io::stdin()`/`stdout()` instead hand every read
//! and write to the blocking thread pool, which costs a thread handoff per operation: several
//! times the CPU per message, and far less throughput with many requests in flight. For anything
//! else (a terminal, a file) those blocking-pool handles are used.

use std::pin::Pin;

use tokio::io::{AsyncRead, AsyncWrite};

use super::AsyncRwTransport;

/// The read half of [`stdio`]: a non-blocking pipe, or tokio's stdin.
pub type StdinReader = Pin<Box<dyn AsyncRead + Send>>;
/// The write half of [`stdio`]: a non-blocking pipe, or tokio's stdout.
pub type StdoutWriter = Pin<Box<dyn AsyncWrite + Send>>;

/// Newline-delimited JSON-RPC over this process's stdin and stdout.
///
/// Log to stderr, never to stdout: stdout carries the protocol. When stdin and stdout are pipes
/// they are put in non-blocking mode (for the whole pipe end, which the process shares with
/// whatever inherited it), so `println!` may panic with `WouldBlock` instead of blocking: one
/// more reason to keep stdout for the protocol.
pub fn stdio() -> AsyncRwTransport<StdinReader, StdoutWriter> {
    AsyncRwTransport::new(stdin_reader(), stdout_writer())
}

#[cfg(unix)]
fn stdin_reader() -> StdinReader {
    use std::os::fd::AsFd;
    use tokio::net::unix::pipe;

    // A duplicate of fd 0 shares its pipe; `from_file` refuses anything that is not a FIFO.
    let pipe = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .ok()
        .and_then(|fd| pipe::Receiver::from_file(std::fs::File::from(fd)).ok());
    match pipe {
        Some(pipe) => Box::pin(pipe),
        None => Box::pin(tokio::io::stdin()),
    }
}

#[cfg(unix)]
fn stdout_writer() -> StdoutWriter {
    use std::os::fd::AsFd;
    use tokio::net::unix::pipe;

    let pipe = std::io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .ok()
        .and_then(|fd| pipe::Sender::from_file(std::fs::File::from(fd)).ok());
    match pipe {
        Some(pipe) => Box::pin(pipe),
        None => Box::pin(tokio::io::stdout()),
    }
}

#[cfg(not(unix))]
fn stdin_reader() -> StdinReader {
    Box::pin(tokio::io::stdin())
}

#[cfg(not(unix))]
fn stdout_writer() -> StdoutWriter {
    Box::pin(tokio::io::stdout())
}
