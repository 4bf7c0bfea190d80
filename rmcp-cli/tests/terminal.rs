//! `rmcp` in a real terminal (tmux): the elicitation prompt, the progress bar, and Ctrl-C
//! cancelling a call; and Ctrl-C (SIGINT) without a terminal.
//!
//! tmux must be installed (`.ci/run` installs it); without it these tests fail.

mod support;

#[path = "support/tmux.rs"]
mod tmux;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::example;
use tmux::Tmux;

/// The shell command that runs `rmcp ARGS -- SERVER` and then shows its exit status.
fn shell(args: &str, server: &str) -> String {
    let rmcp = assert_cmd::cargo::cargo_bin("rmcp");
    format!("{} {args} -- {}; echo EXIT=$?; sleep 60", rmcp.display(), example(server).display())
}

#[test]
fn the_elicitation_prompt_asks_each_field_on_a_terminal() {
    for era in ["2025", "2026"] {
        let tmux = Tmux::start_sized(&shell(&format!("--era {era} tools call greet"), "assistant"), 100, 30);
        // The field's prompt: its name and description; answered, it shows the answer.
        tmux.wait_for_line("? name (What should I call you?)", "");
        assert!(tmux.screen().contains("The server asks: What is your name?"), "{}", tmux.screen());
        tmux.keys(&["Ada", "Enter"]);
        tmux.wait_for_line("✔ name (What should I call you?)", "· Ada");
        tmux.wait_for_line("? Send these answers?", "");
        tmux.keys(&["Enter"]);
        let screen = tmux.wait_for("EXIT=");
        assert!(screen.contains("Hello, Ada!\nEXIT=0"), "{screen}");
    }
}

#[test]
fn declining_at_the_prompt_is_an_answer_too() {
    let tmux = Tmux::start_sized(&shell("tools call greet", "assistant"), 100, 30);
    tmux.wait_for("What should I call you?");
    tmux.keys(&["Bob", "Enter"]);
    tmux.wait_for("Send these answers?");
    tmux.keys(&["n"]);
    let screen = tmux.wait_for("EXIT=");
    assert!(screen.contains("Hello, stranger who keeps their name!\nEXIT=0"), "{screen}");
}

#[test]
fn a_progress_bar_shows_while_the_call_reports_and_ctrl_c_cancels_it() {
    let tmux = Tmux::start_sized(&shell("tools call countdown from=100", "assistant"), 100, 30);
    // The bar: brackets, a percentage, and the server's message ("N to go").
    let screen = tmux.wait_for("% ");
    let bar = screen.lines().find(|l| l.contains("% ")).unwrap_or_default().to_owned();
    assert!(bar.starts_with('[') && bar.contains("to go"), "{screen}");
    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for("EXIT=");
    assert!(screen.contains("rmcp: cancelled the call to `countdown`"), "{screen}");
    // The server heard `notifications/cancelled` (its own log line, on the terminal too).
    assert!(screen.contains("countdown: cancelled by the client after"), "{screen}");
    assert!(screen.contains("EXIT=130"), "{screen}");
    assert!(!screen.contains("liftoff"), "{screen}");
}

/// Start `rmcp tools call countdown from=100` against `assistant`, send SIGINT after `delay`,
/// and return the exit status and stderr.
fn interrupt_countdown(era: &str, delay: Duration) -> (Option<i32>, String, Vec<u8>) {
    let child = Command::new(assert_cmd::cargo::cargo_bin("rmcp"))
        .args(["--era", era, "tools", "call", "countdown", "from=100", "--"])
        .arg(example("assistant"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned(), out.stdout)
}

#[test]
fn sigint_without_a_terminal_cancels_the_call_in_the_protocol() {
    for era in ["2025", "2026"] {
        // SIGINT is caught from the start, so it always ends the command with 130; the server
        // can only report a cancelled countdown once the call is under way, which a loaded
        // machine may take longer to reach: later signals are tried then.
        let mut reported = None;
        for delay in [700, 2000, 5000] {
            let (code, stderr, stdout) = interrupt_countdown(era, Duration::from_millis(delay));
            assert_eq!(code, Some(130), "{stderr}");
            assert!(stdout.is_empty(), "no result is printed");
            if stderr.contains("countdown: cancelled by the client after") {
                reported = Some(stderr);
                break;
            }
        }
        let stderr = reported.unwrap_or_else(|| panic!("{era}: the server never reported the cancellation"));
        assert!(stderr.contains("rmcp: cancelled the call to `countdown`"), "{stderr}");
        // The server's report comes first: rmcp waits for it to stop before saying so.
        assert!(stderr.find("countdown: cancelled").unwrap() < stderr.find("rmcp: cancelled").unwrap(), "{stderr}");
    }
}

#[test]
fn sigint_while_connecting_ends_with_130_too() {
    // `sleep` never answers the handshake: the signal comes while rmcp waits for it.
    let child = Command::new(assert_cmd::cargo::cargo_bin("rmcp"))
        .args(["info", "--", "sleep", "30"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap().success());
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(started.elapsed() < Duration::from_secs(10), "rmcp took {:?} to stop", started.elapsed());
}
