//! One phase's counters, its sampler (a JSON line per interval) and its verdict.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::stats::{ChildReports, rss_anon_kb, rss_kb};

/// What a phase has done so far; the workers add, the sampler reads.
#[derive(Default)]
pub struct Counters {
    /// Tool calls made (a burst of eight counts eight; a cancelled call counts one).
    pub calls: AtomicU64,
    /// Sessions (or connections) opened and closed.
    pub sessions: AtomicU64,
    /// Calls dropped before their answer came (the peer got `notifications/cancelled`).
    pub cancelled: AtomicU64,
    /// Answers that came over a resumed SSE stream (`Last-Event-ID`).
    pub resumed: AtomicU64,
    /// Calls or sessions that failed, and closes whose client still held something.
    pub errors: AtomicU64,
}

impl Counters {
    /// Count one failure, printing the first few.
    pub fn error(&self, what: impl std::fmt::Display) {
        if self.errors.fetch_add(1, Ordering::Relaxed) < 10 {
            eprintln!("soak: error: {what}");
        }
    }
}

/// Where a phase's server lives, for its RSS and map sizes.
pub enum Probe {
    /// Child server processes (their pids) and their reports.
    Children(Vec<(u32, ChildReports)>),
    /// Servers inside this process: the connections still open.
    InProcess(Arc<AtomicU64>),
}

impl Probe {
    /// RSS and its anonymous part in kB, the map sizes, and whether every map is empty.
    async fn read(&self, fresh: bool) -> (u64, u64, Value, bool) {
        match self {
            Probe::Children(children) => {
                let (mut rss, mut anon) = (0, 0);
                let mut maps = Vec::new();
                let mut idle = true;
                for (pid, reports) in children {
                    rss += rss_kb(&pid.to_string());
                    anon += rss_anon_kb(&pid.to_string());
                    let report = if fresh { reports.fresh().await } else { reports.latest().1 };
                    idle &= report["idle"].as_bool().unwrap_or(false);
                    let mut m = report;
                    if let Some(o) = m.as_object_mut() {
                        o.remove("rss_kb");
                        o.remove("idle");
                    }
                    maps.push(m);
                }
                (rss, anon, Value::Array(maps), idle)
            }
            Probe::InProcess(open) => {
                let open = open.load(Ordering::SeqCst);
                (rss_kb("self"), rss_anon_kb("self"), json!({"connections_open": open}), open == 0)
            }
        }
    }
}

/// One phase: its samples go to `<out>/<name>.jsonl`.
pub struct Phase {
    pub name: String,
    pub counters: Arc<Counters>,
    /// Calls or sessions: what warm-up is measured in, and its target.
    pub unit: &'static str,
    pub target: u64,
    start: Instant,
    file: std::io::BufWriter<std::fs::File>,
    /// (seconds, progress, server RSS kB, this process's RSS kB) of every sample.
    pub series: Vec<(f64, u64, u64, u64)>,
}

impl Phase {
    pub fn new(name: &str, out: &Path, unit: &'static str, target: u64) -> anyhow::Result<Self> {
        let file = std::fs::File::create(out.join(format!("{name}.jsonl")))?;
        Ok(Self {
            name: name.to_owned(),
            counters: Arc::default(),
            unit,
            target,
            start: Instant::now(),
            file: std::io::BufWriter::new(file),
            series: Vec::new(),
        })
    }

    fn progress(&self) -> u64 {
        let c = &self.counters;
        if self.unit == "calls" { c.calls.load(Ordering::Relaxed) } else { c.sessions.load(Ordering::Relaxed) }
    }

    /// Write one sample; returns its RSS and whether the maps were empty.
    pub async fn sample(&mut self, probe: &Probe, fresh: bool, last: bool) -> anyhow::Result<(u64, bool)> {
        let (rss, anon, maps, idle) = probe.read(fresh).await;
        let own = rss_kb("self");
        let t = self.start.elapsed().as_secs_f64();
        let c = &self.counters;
        let line = json!({
            "t": (t * 1000.0).round() / 1000.0,
            "calls": c.calls.load(Ordering::Relaxed),
            "sessions": c.sessions.load(Ordering::Relaxed),
            "cancelled": c.cancelled.load(Ordering::Relaxed),
            "resumed": c.resumed.load(Ordering::Relaxed),
            "errors": c.errors.load(Ordering::Relaxed),
            "server_rss_kb": rss,
            "server_rss_anon_kb": anon,
            "client_rss_kb": own,
            "maps_idle": idle,
            "maps": maps,
            "final": last,
        });
        writeln!(self.file, "{line}")?;
        self.series.push((t, self.progress(), rss, own));
        Ok((rss, idle))
    }

    /// Sample every `every` until `done` resolves.
    pub async fn sample_until<T>(
        &mut self,
        probe: &Probe,
        every: Duration,
        done: impl Future<Output = T>,
    ) -> anyhow::Result<()> {
        tokio::pin!(done);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut done => return Ok(()),
                _ = tick.tick() => { self.sample(probe, false, false).await?; }
            }
        }
    }

    /// After the load: wait (up to `drain`) for the maps to empty, take the final sample and
    /// judge the phase.
    pub async fn finish(
        mut self,
        probe: &Probe,
        drain: Duration,
        warmup: f64,
        tolerance: f64,
    ) -> anyhow::Result<Verdict> {
        let deadline = Instant::now() + drain;
        let (end_rss, idle) = loop {
            let (rss, idle) = self.sample(probe, true, false).await?;
            if idle || Instant::now() >= deadline {
                break (rss, idle);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        // The last line repeats the end state, marked final, for readers of the file.
        self.sample(probe, false, true).await?;
        self.file.flush()?;
        let threshold = (self.target as f64 * warmup) as u64;
        let warm = self.series.iter().find(|s| s.1 >= threshold.max(1)).or(self.series.first());
        let warm_rss = warm.map_or(end_rss, |w| w.2);
        let client_warm_rss = warm.map_or(0, |w| w.3);
        let client_end_rss = self.series.last().map_or(0, |s| s.3);
        let peak_rss = self.series.iter().map(|s| s.2).max().unwrap_or(end_rss);
        let c = &self.counters;
        Ok(Verdict {
            name: self.name,
            seconds: self.start.elapsed().as_secs_f64(),
            calls: c.calls.load(Ordering::Relaxed),
            sessions: c.sessions.load(Ordering::Relaxed),
            cancelled: c.cancelled.load(Ordering::Relaxed),
            resumed: c.resumed.load(Ordering::Relaxed),
            errors: c.errors.load(Ordering::Relaxed),
            warm_rss,
            end_rss,
            peak_rss,
            client_warm_rss,
            client_end_rss,
            maps_idle: idle,
            tolerance,
            series: self.series,
        })
    }
}

/// How a phase went.
pub struct Verdict {
    pub name: String,
    pub seconds: f64,
    pub calls: u64,
    pub sessions: u64,
    pub cancelled: u64,
    pub resumed: u64,
    pub errors: u64,
    pub warm_rss: u64,
    pub end_rss: u64,
    pub peak_rss: u64,
    /// This process's RSS (the clients; both ends for the in-process phase), for information.
    pub client_warm_rss: u64,
    pub client_end_rss: u64,
    pub maps_idle: bool,
    pub tolerance: f64,
    pub series: Vec<(f64, u64, u64, u64)>,
}

impl Verdict {
    pub fn ratio(&self) -> f64 {
        self.end_rss as f64 / self.warm_rss.max(1) as f64
    }

    /// RSS within the tolerance of its post-warm-up level, maps empty, nothing failed.
    pub fn passed(&self) -> bool {
        self.ratio() <= 1.0 + self.tolerance && self.maps_idle && self.errors == 0
    }

    pub fn json(&self) -> Value {
        json!({
            "phase": self.name, "seconds": (self.seconds * 10.0).round() / 10.0, "calls": self.calls,
            "sessions": self.sessions, "cancelled": self.cancelled, "resumed": self.resumed,
            "errors": self.errors, "rss_after_warmup_kb": self.warm_rss, "rss_end_kb": self.end_rss,
            "rss_peak_kb": self.peak_rss, "ratio": (self.ratio() * 1000.0).round() / 1000.0,
            "client_rss_after_warmup_kb": self.client_warm_rss, "client_rss_end_kb": self.client_end_rss,
            "maps_empty_at_end": self.maps_idle, "passed": self.passed(),
        })
    }

    pub fn print(&self) {
        println!(
            "{:<18} {:>6.1} s  calls {:>8}  sessions {:>6}  cancelled {:>6}  resumed {:>5}  errors {}  \
             RSS warm {:>7} kB  end {:>7} kB  peak {:>7} kB  ratio {:.3}  maps empty: {}  {}  \
             (client RSS {} -> {} kB)",
            self.name,
            self.seconds,
            self.calls,
            self.sessions,
            self.cancelled,
            self.resumed,
            self.errors,
            self.warm_rss,
            self.end_rss,
            self.peak_rss,
            self.ratio(),
            if self.maps_idle { "yes" } else { "NO" },
            if self.passed() { "PASS" } else { "FAIL" },
            self.client_warm_rss,
            self.client_end_rss,
        );
    }
}
