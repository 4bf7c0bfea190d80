//! The soak of issue 16: a long run that checks the SDK gives back what it takes.
//!
//! ```text
//! soak [--phases stdio,http,sessions] [--calls N] [--sessions N] [--clients N]
//!      [--out DIR] [--interval-ms N] [--warmup F] [--tolerance F]
//! ```
//!
//! Phases (all by default):
//! - `stdio`: `--calls` tool calls (default 1 000 000) over stdio to `--clients` child servers
//!   (default 4; eras alternate), plus short-lived children opened and closed beside them;
//! - `http`: `--calls` tool calls over Streamable HTTP to one child server, by `--clients`
//!   workers (default 8) that open sessions (2025-11-25 and 2026-07-28 alternating), make a few
//!   hundred calls and close them; one call in 200 is cancelled mid-flight, one in 50 starts a
//!   burst of 8, some 2025 calls have their SSE stream cut by the server (the client resumes it)
//!   and some raw sessions drop the stream themselves and resume it with `Last-Event-ID`;
//! - `sessions`: `--sessions` (default 100 000) 2025 sessions opened, used once and deleted over
//!   HTTP; then as many connections opened and closed in process over the stdio framing.
//!
//! Every `--interval-ms` (default 1000) a JSON line goes to `DIR/<phase>.jsonl` (default DIR
//! `soak-out`): time, calls, sessions, the server's RSS (`/proc/<pid>/status`), this process's,
//! and the server's map sizes (`Peer::stats`, `StreamableHttpService::stats`). A phase passes
//! when its server's RSS at the end is within `--tolerance` (default 0.10) of its RSS once
//! `--warmup` (default 0.1) of the work is done, its maps are empty at the end and nothing
//! failed; the summary goes to stdout and `DIR/summary.json`, and the exit status is non-zero
//! if a phase failed. `soak serve stdio|http` is the child server.

mod calls;
mod plot;
mod raw;
mod record;
mod server;
mod sessions;
mod stats;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::stats::ChildReports;

/// The command line, parsed.
#[derive(Debug)]
pub struct Options {
    phases: Vec<String>,
    calls: u64,
    sessions: u64,
    clients: u64,
    out: PathBuf,
    interval: Duration,
    warmup: f64,
    tolerance: f64,
    /// How long the maps may take to empty once the load is over.
    drain: Duration,
    /// This binary, to start as the child server.
    exe: PathBuf,
}

fn value<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match examples::flag(name)? {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| anyhow::anyhow!("{name}: cannot read {v:?}")),
    }
}

impl Options {
    fn parse() -> anyhow::Result<Self> {
        let phases = examples::flag("--phases")?.unwrap_or_else(|| "stdio,http,sessions".to_owned());
        Ok(Self {
            phases: phases.split(',').map(str::to_owned).collect(),
            calls: value("--calls", 1_000_000)?,
            sessions: value("--sessions", 100_000)?,
            clients: value("--clients", 0)?,
            out: value("--out", PathBuf::from("soak-out"))?,
            interval: Duration::from_millis(value("--interval-ms", 1000)?),
            warmup: value("--warmup", 0.1)?,
            tolerance: value("--tolerance", 0.10)?,
            drain: Duration::from_secs(15),
            exe: std::env::current_exe()?,
        })
    }

    /// `--clients`, or `default` when not given.
    fn clients_or(&self, default: u64) -> Self {
        Self {
            phases: self.phases.clone(),
            clients: if self.clients == 0 { default } else { self.clients },
            out: self.out.clone(),
            exe: self.exe.clone(),
            ..*self
        }
    }
}

/// A `soak serve http` child: killed when dropped (and it also stops when its stdin closes).
#[derive(Debug)]
pub struct HttpChild {
    pub pid: u32,
    pub url: String,
    pub reports: ChildReports,
    _child: Child,
}

/// Start the HTTP child server and wait for its address.
pub async fn http_child(opts: &Options) -> anyhow::Result<HttpChild> {
    let mut child = Command::new(&opts.exe)
        .args(["serve", "http"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().context("the child has no pid")?;
    let mut stderr = BufReader::new(child.stderr.take().context("no stderr")?);
    let mut line = String::new();
    tokio::time::timeout(Duration::from_secs(10), stderr.read_line(&mut line)).await.context("no address")??;
    let addr = line.trim().strip_prefix(server::ADDR_PREFIX).with_context(|| format!("not an address: {line:?}"))?;
    let url = format!("http://{addr}/mcp");
    let reports = ChildReports::default();
    reports.follow(stderr);
    Ok(HttpChild { pid, url, reports, _child: child })
}

async fn soak() -> anyhow::Result<bool> {
    let opts = Options::parse()?;
    std::fs::create_dir_all(&opts.out)?;
    let mut verdicts = Vec::new();
    for phase in &opts.phases {
        let started = std::time::Instant::now();
        eprintln!("soak: phase {phase} ...");
        match phase.as_str() {
            "stdio" => verdicts.push(calls::stdio(&opts.clients_or(4)).await?),
            "http" => verdicts.push(calls::http(&opts.clients_or(8)).await?),
            "sessions" => {
                verdicts.push(sessions::http(&opts.clients_or(8)).await?);
                verdicts.push(sessions::in_process(&opts.clients_or(8)).await?);
            }
            other => anyhow::bail!("unknown phase {other:?}: use stdio, http, sessions"),
        }
        eprintln!("soak: phase {phase} done in {:.1} s", started.elapsed().as_secs_f64());
    }
    println!("soak summary ({} cores):", std::thread::available_parallelism().map_or(0, |n| n.get()));
    for v in &verdicts {
        v.print();
    }
    let summary: Vec<_> = verdicts.iter().map(record::Verdict::json).collect();
    std::fs::write(opts.out.join("summary.json"), serde_json::to_string_pretty(&summary)?)?;
    plot::svg(&verdicts, &opts.out.join("rss.svg"))?;
    Ok(verdicts.iter().all(record::Verdict::passed))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["serve", "stdio"] => runtime.block_on(server::serve_stdio()),
        ["serve", "http"] => runtime.block_on(server::serve_http()),
        _ => {
            if runtime.block_on(soak())? {
                Ok(())
            } else {
                eprintln!("soak: FAILED");
                std::process::exit(1);
            }
        }
    }
}
