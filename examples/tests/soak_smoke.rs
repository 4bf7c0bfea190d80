//! The soak tool (issue 16) in its smoke size: every phase runs, every call succeeds, the maps
//! of the servers and clients are empty at the end, and the samples are written.
//!
//! A run this short says little about leaks (the allocator is still warming up), so the RSS
//! tolerance is wide here; the real figures come from the long run in RELIABILITY.md.

use std::time::Duration;

use tokio::process::Command;

const SOAK: &str = env!("CARGO_BIN_EXE_soak");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_soak_passes_and_writes_its_samples() {
    let out = std::env::temp_dir().join(format!("soak-smoke-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = Command::new(SOAK)
        .args(["--calls", "2000", "--sessions", "200", "--interval-ms", "100", "--tolerance", "0.5"])
        .arg("--out")
        .arg(&out)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run).await.expect("the soak ends").unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the soak failed:\n{stdout}\n{stderr}");

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let phases: Vec<&str> = summary.as_array().unwrap().iter().map(|p| p["phase"].as_str().unwrap()).collect();
    assert_eq!(phases, ["stdio-calls", "http-calls", "http-sessions", "inproc-sessions"]);
    for phase in summary.as_array().unwrap() {
        assert_eq!(phase["maps_empty_at_end"], true, "{phase}");
        assert_eq!(phase["errors"], 0, "{phase}");
        assert!(phase["rss_end_kb"].as_u64().unwrap() > 0, "RSS is read: {phase}");
    }
    assert!(summary[1]["cancelled"].as_u64().unwrap() > 0, "calls were cancelled mid-flight");
    assert!(summary[1]["resumed"].as_u64().unwrap() > 0, "SSE streams were resumed");
    assert_eq!(summary[2]["sessions"], 200);

    // One JSON line per sample, the last one marked final with the maps empty.
    let lines = std::fs::read_to_string(out.join("http-calls.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert_eq!(last["final"], true);
    assert_eq!(last["maps_idle"], true);
    assert!(last["maps"][0]["http"]["sessions"] == 0, "{last}");
    let _ = std::fs::remove_dir_all(&out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_leaks_fails_the_soak() {
    // The servers leak 16 kB per `add`: RSS ends far above its post-warm-up level.
    let out = std::env::temp_dir().join(format!("soak-leak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = Command::new(SOAK)
        .args(["--phases", "stdio", "--calls", "4000", "--interval-ms", "100"])
        .arg("--out")
        .arg(&out)
        .env("SOAK_LEAK_BYTES", "16384")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run).await.expect("the soak ends").unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stdout));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary[0]["passed"], false);
    assert!(summary[0]["ratio"].as_f64().unwrap() > 1.1, "{summary}");
    let _ = std::fs::remove_dir_all(&out);
}
