//! A server run as a child process, spoken to over its stdin and stdout.

use std::io;
use std::pin::Pin;
use std::process::Stdio;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};
use tokio_util::codec::{FramedRead, FramedWrite};

use super::{Frame, JsonLinesCodec, Transport};

/// A spawned child process whose stdin and stdout carry the protocol.
///
/// The child is killed when the transport (and so the connection) is dropped; closing the
/// connection closes the child's stdin first, which a well-behaved server takes as its cue to exit.
#[derive(Debug)]
pub struct ChildProcess {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
    stderr: Option<ChildStderr>,
    codec: JsonLinesCodec,
}

/// Configures how a [`ChildProcess`] is spawned.
#[derive(Debug)]
pub struct ChildProcessBuilder {
    command: Command,
    stderr: Stdio,
    codec: JsonLinesCodec,
}

impl ChildProcessBuilder {
    /// Forward the child's stderr to ours (the default).
    pub fn inherit_stderr(mut self) -> Self {
        self.stderr = Stdio::inherit();
        self
    }
    /// Capture the child's stderr; take it with [`ChildProcess::take_stderr`].
    pub fn capture_stderr(mut self) -> Self {
        self.stderr = Stdio::piped();
        self
    }
    /// Discard the child's stderr.
    pub fn discard_stderr(mut self) -> Self {
        self.stderr = Stdio::null();
        self
    }
    /// Limit the length of lines read from the child.
    pub fn max_line_length(mut self, max: usize) -> Self {
        self.codec = JsonLinesCodec::new(max);
        self
    }
    /// Spawn the child.
    pub fn spawn(mut self) -> io::Result<ChildProcess> {
        self.command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(self.stderr).kill_on_drop(true);
        let mut child = self.command.spawn()?;
        let stdin = child.stdin.take().ok_or_else(|| io::Error::other("child stdin missing"))?;
        let stdout = child.stdout.take().ok_or_else(|| io::Error::other("child stdout missing"))?;
        let stderr = child.stderr.take();
        Ok(ChildProcess { child, stdin, stdout, stderr, codec: self.codec })
    }
}

impl ChildProcess {
    /// Spawn `command` with stderr forwarded to ours.
    pub fn new(command: Command) -> io::Result<Self> {
        Self::builder(command).spawn()
    }

    /// Configure before spawning.
    pub fn builder(command: Command) -> ChildProcessBuilder {
        ChildProcessBuilder { command, stderr: Stdio::inherit(), codec: JsonLinesCodec::default() }
    }

    /// The child's process id, while it runs.
    pub fn id(&self) -> Option<u32> {
        self.child.id()
    }

    /// The child's stderr, if it was captured and not yet taken.
    pub fn take_stderr(&mut self) -> Option<ChildStderr> {
        self.stderr.take()
    }
}

/// The reading half of a [`ChildProcess`]; it owns the child so that the child lives exactly as
/// long as the connection reads from it.
#[derive(Debug)]
pub struct ChildStdoutStream {
    frames: FramedRead<ChildStdout, JsonLinesCodec>,
    _child: Child,
}

impl Stream for ChildStdoutStream {
    type Item = io::Result<Frame>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.frames).poll_next(cx)
    }
}

impl Transport for ChildProcess {
    type Sink = FramedWrite<ChildStdin, JsonLinesCodec>;
    type Stream = ChildStdoutStream;

    fn split(self) -> (Self::Sink, Self::Stream) {
        let sink = FramedWrite::new(self.stdin, self.codec.clone());
        let stream = ChildStdoutStream { frames: FramedRead::new(self.stdout, self.codec), _child: self.child };
        (sink, stream)
    }
}
