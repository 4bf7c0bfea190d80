//! A server run as a child process, spoken to over its stdin and stdout.

mod shutdown;

use std::io;
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use tokio::process::{ChildStderr, ChildStdin, ChildStdout, Command};
use tokio::sync::watch;
use tokio_util::codec::{FramedRead, FramedWrite};

use self::shutdown::{ExitState, Group, RunningChild, ShutdownPolicy};
use super::{Frame, JsonLinesCodec, Transport};

/// The default of [`ChildProcessBuilder::shutdown_grace`]: 2 s.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// The default of [`ChildProcessBuilder::kill_after`]: 3 s.
pub const DEFAULT_KILL_AFTER: Duration = Duration::from_secs(3);

/// A spawned child process whose stdin and stdout carry the protocol.
///
/// When the connection ends (the client is cancelled or closed, or the transport dropped), the
/// child is shut down in the background as the MCP stdio transport asks: its stdin is closed,
/// which a well-behaved server takes as its cue to exit; after
/// [`shutdown_grace`](ChildProcessBuilder::shutdown_grace) its process group gets SIGTERM, and
/// [`kill_after`](ChildProcessBuilder::kill_after) later SIGKILL. On Unix the child runs in a
/// process group of its own, so the processes it started (the server behind `sh -c` or `npx`)
/// end with it; elsewhere the child alone is killed after the grace period. If the runtime
/// shuts down before the sequence ends, what is left is killed at once.
/// [`exit`](Self::exit) waits for all of it.
///
/// ```no_run
/// use rmcp_core::service::ServiceExt;
/// use rmcp_core::transport::ChildProcess;
/// use tokio::process::Command;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let mut command = Command::new("npx");
/// command.args(["-y", "@modelcontextprotocol/server-everything"]);
/// let child = ChildProcess::new(command)?;
/// let exited = child.exit();
/// let client = ().serve(child).await?;
/// let tools = client.list_all_tools().await?;
/// client.cancel().await;
/// // npx, and the node process it started, are gone.
/// let status = exited.wait().await;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ChildProcess {
    child: RunningChild,
    stdin: ChildStdin,
    stdout: ChildStdout,
    stderr: Option<ChildStderr>,
    codec: JsonLinesCodec,
}

/// Configures how a [`ChildProcess`] is spawned and shut down.
///
/// ```no_run
/// use std::time::Duration;
///
/// use rmcp_core::transport::ChildProcess;
/// use tokio::process::Command;
///
/// # fn run() -> std::io::Result<()> {
/// let child = ChildProcess::builder(Command::new("my-server"))
///     .discard_stderr()
///     .shutdown_grace(Duration::from_millis(500))
///     .kill_after(Duration::from_secs(1))
///     .spawn()?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ChildProcessBuilder {
    command: Command,
    stderr: Stdio,
    codec: JsonLinesCodec,
    policy: ShutdownPolicy,
    own_group: bool,
}

/// Waits for a [`ChildProcess`] to be shut down: from [`ChildProcess::exit`].
#[derive(Debug, Clone)]
pub struct ChildExit(watch::Receiver<ExitState>);

impl ChildExit {
    /// Wait until the child has exited and been reaped, and its process group (Unix) is gone
    /// or was sent SIGKILL. The child's exit status, if it could be read.
    pub async fn wait(mut self) -> Option<ExitStatus> {
        match self.0.wait_for(Option::is_some).await {
            Ok(state) => state.flatten(),
            Err(_) => None,
        }
    }
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
    /// How long the child has to exit after its stdin is closed, before SIGTERM. Default:
    /// [`DEFAULT_SHUTDOWN_GRACE`].
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.policy.grace = grace;
        self
    }
    /// How long after SIGTERM the child (and its process group) gets SIGKILL. Default:
    /// [`DEFAULT_KILL_AFTER`].
    pub fn kill_after(mut self, timeout: Duration) -> Self {
        self.policy.kill_after = timeout;
        self
    }
    /// Run the child in a process group of its own (Unix; the default), so that the shutdown
    /// signals reach what it started too. Turn it off to keep the child in ours, for example so
    /// that a terminal's Ctrl-C reaches it; then only the child itself is signalled.
    pub fn own_process_group(mut self, own: bool) -> Self {
        self.own_group = own;
        self
    }
    /// Spawn the child.
    pub fn spawn(mut self) -> io::Result<ChildProcess> {
        // Not `kill_on_drop`: the shutdown sequence ends the child, gently first.
        self.command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(self.stderr);
        #[cfg(unix)]
        if self.own_group {
            self.command.process_group(0);
        }
        let mut child = self.command.spawn()?;
        let group = Group::of(&child, self.own_group);
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        // From here the child is owned: an error below still shuts it down.
        let child = RunningChild::new(child, group, self.policy);
        let stdin = stdin.ok_or_else(|| io::Error::other("child stdin missing"))?;
        let stdout = stdout.ok_or_else(|| io::Error::other("child stdout missing"))?;
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
        ChildProcessBuilder {
            command,
            stderr: Stdio::inherit(),
            codec: JsonLinesCodec::default(),
            policy: ShutdownPolicy { grace: DEFAULT_SHUTDOWN_GRACE, kill_after: DEFAULT_KILL_AFTER },
            own_group: true,
        }
    }

    /// The child's process id, while it runs.
    pub fn id(&self) -> Option<u32> {
        self.child.id()
    }

    /// A handle that waits for the child's shutdown (see [`ChildExit::wait`]); take it before
    /// the transport goes to `serve`.
    pub fn exit(&self) -> ChildExit {
        ChildExit(self.child.exit())
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
    _child: RunningChild,
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
