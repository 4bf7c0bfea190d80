//! A throwaway `redis-server` per test: on a free port of 127.0.0.1, in a temporary directory,
//! persisting nothing, killed by PID when dropped.
//!
//! Without `redis-server` installed a test fails, saying how to install it, unless
//! `RMCP_REDIS_OPTIONAL=1`: then it prints `skipped:` and passes.

#![allow(dead_code)] // Each test binary uses its own part of the harness.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Starts a Redis for this test, or returns from it (passing) when Redis is optional and missing.
#[macro_export]
macro_rules! redis_or_skip {
    () => {
        match support::RedisServer::start() {
            Some(redis) => redis,
            None => return,
        }
    };
}

/// A `redis-server` child process.
#[derive(Debug)]
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

const BINARY: &str = "redis-server";

impl RedisServer {
    /// A new server on a free port, answering `PING`. `None` (after printing `skipped:`) when
    /// `redis-server` is missing and `RMCP_REDIS_OPTIONAL=1`; a panic saying how to install it
    /// when it is missing otherwise.
    pub fn start() -> Option<Self> {
        if Command::new(BINARY).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_err() {
            if std::env::var("RMCP_REDIS_OPTIONAL").is_ok_and(|v| v == "1") {
                println!("skipped: {BINARY} is not installed (RMCP_REDIS_OPTIONAL=1)");
                return None;
            }
            panic!(
                "{BINARY} is not installed: run `apt-get install -y redis-server` (CI does), \
                 or set RMCP_REDIS_OPTIONAL=1 to skip the Redis tests"
            );
        }
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "rmcp-redis-test-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut server = Self { child: None, port: free_port(), dir };
        server.spawn();
        Some(server)
    }

    /// The URL to connect to.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kill the server (SIGKILL, by PID) and reap it; its data is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start the server again, on the same port, empty.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// A plain connection for a test to look at what the store left.
    pub async fn inspect(&self) -> redis::aio::MultiplexedConnection {
        let client = redis::Client::open(self.url()).expect("a valid URL");
        client.get_multiplexed_async_connection().await.expect("the test Redis answers")
    }

    fn spawn(&mut self) {
        let child = Command::new(BINARY)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !pings(self.port) {
            assert!(Instant::now() < deadline, "redis-server on port {} did not answer PING within 10 s", self.port);
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub mod nginx;

/// A port nothing listens on just now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

/// Whether a Redis on `port` answers `PING`.
fn pings(port: u16) -> bool {
    let Ok(mut tcp) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = tcp.set_read_timeout(Some(Duration::from_millis(500)));
    let mut answer = [0u8; 7];
    tcp.write_all(b"PING\r\n").is_ok() && tcp.read_exact(&mut answer).is_ok() && &answer == b"+PONG\r\n"
}
