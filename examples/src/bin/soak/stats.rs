//! Reading what a process holds: RSS from `/proc`, the SDK's map sizes as JSON, and the latest
//! report of a child server read from its stderr.

use std::sync::{Arc, Mutex};

use rmcp_core::service::EngineStats;
use rmcp_core::transport::http::StreamableHttpStats;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

use crate::server::STATS_PREFIX;

/// The resident set of process `pid` (or `"self"`) in kB, from `/proc/<pid>/status`; 0 when
/// it cannot be read (the process is gone, or this is not Linux).
pub fn rss_kb(pid: &str) -> u64 {
    status_kb(pid, "VmRSS:")
}

/// The anonymous part of the resident set (the heap, stacks; not the mapped binary) in kB.
pub fn rss_anon_kb(pid: &str) -> u64 {
    status_kb(pid, "RssAnon:")
}

fn status_kb(pid: &str, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// An engine's map sizes. The struct is `#[non_exhaustive]` and not `Serialize`: its fields
/// are listed here, and the whole is kept as `Debug` text too so that new fields show up.
pub fn engine_json(s: &EngineStats) -> Value {
    json!({
        "pending_requests": s.pending_requests,
        "progress_subscriptions": s.progress_subscriptions,
        "requests_running": s.requests_running,
        "tasks": s.tasks,
        "task_ids": s.task_ids,
        "held_messages": s.held_messages,
        "queued_notifications": s.queued_notifications,
        "overflow_messages": s.overflow_messages,
    })
}

/// The HTTP server's map sizes.
pub fn http_json(s: &StreamableHttpStats) -> Value {
    json!({
        "sessions": s.sessions,
        "session_requests_in_flight": s.session_requests_in_flight,
        "direct_requests_cancellable": s.direct_requests_cancellable,
        "direct_handlers_running": s.direct_handlers_running,
        "post_streams": s.post_streams,
        "standalone_streams": s.standalone_streams,
        "events_storing": s.events_storing,
        "posts_open": s.posts_open,
        "long_lived_streams_open": s.long_lived_streams_open,
        "stateless_requests_in_flight": s.stateless_requests_in_flight,
        "listen_streams": s.listen_streams,
        "listen_uris": s.listen_uris,
        "quota_entries": s.quota_entries,
        "events_held": s.events_held,
    })
}

/// The latest stats line of a child server, and how many it has sent.
#[derive(Debug, Clone, Default)]
pub struct ChildReports {
    latest: Arc<Mutex<(u64, Value)>>,
}

impl ChildReports {
    /// Read `stderr` line by line on a task of its own, keeping the latest report; other lines
    /// are passed on to the parent's stderr (a child's panic must be seen).
    pub fn follow(&self, stderr: impl AsyncRead + Unpin + Send + 'static) {
        let latest = self.latest.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                match line.strip_prefix(STATS_PREFIX).and_then(|j| serde_json::from_str(j).ok()) {
                    Some(report) => {
                        let mut l = latest.lock().unwrap();
                        *l = (l.0 + 1, report);
                    }
                    // A line cut short by the child's exit is no news.
                    None if line.starts_with(STATS_PREFIX) => {}
                    None => eprintln!("[server] {line}"),
                }
            }
        });
    }

    /// The number of reports so far and the latest (`Null` before the first).
    pub fn latest(&self) -> (u64, Value) {
        self.latest.lock().unwrap().clone()
    }

    /// The first report sent after this call: what the child holds now rather than a moment ago.
    pub async fn fresh(&self) -> Value {
        let (seen, _) = self.latest();
        for _ in 0..100 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let (n, report) = self.latest();
            if n > seen {
                return report;
            }
        }
        Value::Null
    }
}
