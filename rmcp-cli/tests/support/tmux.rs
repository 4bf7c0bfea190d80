//! A terminal for tests: a tmux server of its own running one command, its screen read with
//! `capture-pane` and keys typed with `send-keys`.

use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of its own (`-L`), running one session with one shell command; killed when
/// dropped. Its own server keeps the test away from anyone else's tmux sessions.
pub struct Tmux {
    name: String,
}

impl Tmux {
    pub fn start_sized(command: &str, width: u16, height: u16) -> Tmux {
        let name = format!("rmcp-cli-test-{}-{}", std::process::id(), rand_suffix());
        let status = Command::new("tmux")
            .args(["-L", &name, "new-session", "-d", "-s", &name, "-x", &width.to_string(), "-y", &height.to_string()])
            .arg(command)
            .status()
            .expect("tmux is needed for this test (apt-get install tmux)");
        assert!(status.success(), "tmux new-session failed");
        Tmux { name }
    }

    pub fn screen(&self) -> String {
        let out =
            Command::new("tmux").args(["-L", &self.name, "capture-pane", "-p", "-t", &self.name]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Wait until a line of the screen starts with `start` and contains `text`; that line.
    pub fn wait_for_line(&self, start: &str, text: &str) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if let Some(line) = screen.lines().find(|l| l.starts_with(start) && l.contains(text)) {
                return line.to_owned();
            }
            assert!(started.elapsed() < Duration::from_secs(30), "no line {start}…{text} on the screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait until the screen shows `text`; the screen then.
    pub fn wait_for(&self, text: &str) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the screen never showed {text:?}:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn keys(&self, keys: &[&str]) {
        let status =
            Command::new("tmux").args(["-L", &self.name, "send-keys", "-t", &self.name]).args(keys).status().unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.name, "kill-server"]).status();
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000
}
