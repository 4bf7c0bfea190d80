//! Ending a child server and everything it started, in the order the MCP stdio transport asks
//! for: its stdin is closed (a well-behaved server exits on that), then after a grace period
//! SIGTERM, then SIGKILL. The signals go to the child's whole process group, so what the server
//! started itself (the real server behind an `sh -c` or `npx` wrapper) ends with it rather than
//! living on as an orphan.

use std::process::ExitStatus;
use std::time::Duration;

use tokio::process::Child;
use tokio::sync::watch;
use tokio::time::Instant;

/// How often the group is checked while it has time to exit after SIGTERM.
const POLL: Duration = Duration::from_millis(20);

/// The waits of the shutdown sequence.
#[derive(Debug, Clone, Copy)]
pub(super) struct ShutdownPolicy {
    /// From the closing of stdin to SIGTERM.
    pub grace: Duration,
    /// From SIGTERM to SIGKILL.
    pub kill_after: Duration,
}

/// What [`ChildExit`](super::ChildExit) waits for: `None` while the child runs, then its exit
/// status (`Some(None)` when it could not be read).
pub(super) type ExitState = Option<Option<ExitStatus>>;

/// The child's process group, when it was spawned into one of its own (Unix).
#[derive(Debug, Clone, Copy)]
pub(super) struct Group(#[cfg(unix)] Option<rustix::process::Pid>);

#[cfg(unix)]
impl Group {
    pub(super) fn of(child: &Child, own_group: bool) -> Self {
        // With `process_group(0)` the child's pid is its group's id.
        Self(if own_group { child.id().and_then(|id| rustix::process::Pid::from_raw(id as i32)) } else { None })
    }
    /// Signal every process of the group; false when there is none (left, or no group).
    fn signal(self, signal: rustix::process::Signal) -> bool {
        self.0.is_some_and(|pid| rustix::process::kill_process_group(pid, signal).is_ok())
    }
    fn terminate(self) -> bool {
        self.signal(rustix::process::Signal::TERM)
    }
    fn kill(self) -> bool {
        self.signal(rustix::process::Signal::KILL)
    }
    fn is_alive(self) -> bool {
        self.0.is_some_and(|pid| rustix::process::test_kill_process_group(pid).is_ok())
    }
}

/// Without process groups (not Unix), the child alone is ended, by `Child::start_kill`.
#[cfg(not(unix))]
impl Group {
    pub(super) fn of(_child: &Child, _own_group: bool) -> Self {
        Self()
    }
    fn terminate(self) -> bool {
        false
    }
    fn kill(self) -> bool {
        false
    }
    fn is_alive(self) -> bool {
        false
    }
}

/// A running child, owned by the transport. Dropping it (the connection ended, or the
/// transport was never used) starts the shutdown sequence on a task of its own.
#[derive(Debug)]
pub(super) struct RunningChild {
    child: Option<Child>,
    group: Group,
    policy: ShutdownPolicy,
    exit: watch::Sender<ExitState>,
}

impl RunningChild {
    pub(super) fn new(child: Child, group: Group, policy: ShutdownPolicy) -> Self {
        Self { child: Some(child), group, policy, exit: watch::Sender::new(None) }
    }
    pub(super) fn id(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }
    pub(super) fn exit(&self) -> watch::Receiver<ExitState> {
        self.exit.subscribe()
    }
}

impl Drop for RunningChild {
    fn drop(&mut self) {
        let Some(child) = self.child.take() else { return };
        let shutdown = Shutdown { child: Some(child), group: self.group, exit: self.exit.clone() };
        // Outside a runtime there is nothing to wait on: the shutdown's own drop kills.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(shutdown.run(self.policy));
        }
    }
}

/// The shutdown sequence of one child, on its own task.
struct Shutdown {
    child: Option<Child>,
    group: Group,
    exit: watch::Sender<ExitState>,
}

impl Shutdown {
    async fn run(mut self, policy: ShutdownPolicy) {
        let Some(child) = self.child.as_mut() else { return };
        // 1. stdin is closed (the connection's writer is gone): time to exit on its own.
        let mut status = tokio::time::timeout(policy.grace, child.wait()).await.ok().and_then(Result::ok);
        // 2. SIGTERM to the whole group: the server if it is still there, and what it started
        //    even when the server itself has gone (it would otherwise live on, orphaned).
        if self.group.terminate() {
            let deadline = Instant::now() + policy.kill_after;
            loop {
                if status.is_none() {
                    status = child.try_wait().ok().flatten();
                }
                // A reaped leader's group id cannot be taken by another process while members
                // of the group live, so the checks and the SIGKILL below reach this group only.
                if status.is_some() && !self.group.is_alive() {
                    break;
                }
                if Instant::now() >= deadline {
                    // 3. SIGKILL what is left.
                    self.group.kill();
                    break;
                }
                tokio::time::sleep(POLL).await;
            }
        }
        if status.is_none() {
            // Still there after SIGKILL to its group, or there is no group (not Unix).
            let _ = child.start_kill();
            status = child.wait().await.ok();
        }
        self.child = None;
        self.exit.send_replace(Some(status));
    }
}

impl Drop for Shutdown {
    /// The sequence could not run to its end (no runtime, or the runtime shut down under it):
    /// kill now rather than leave the child and its group running.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            self.group.kill();
            let _ = child.start_kill();
            let status = child.try_wait().ok().flatten();
            self.exit.send_replace(Some(status));
        }
    }
}
