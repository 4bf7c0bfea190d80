//! A throwaway nginx per test: round-robin over the given upstream ports, on a free port of
//! 127.0.0.1, in a temporary directory, stopped by PID when dropped. SSE needs
//! `proxy_buffering off`; the long `proxy_read_timeout` keeps idle GET streams open.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// An `nginx` child process.
#[derive(Debug)]
pub struct Nginx {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

/// Where Debian puts it.
const BINARY: &str = "/usr/sbin/nginx";

impl Nginx {
    /// nginx balancing round-robin over `upstreams` (ports on 127.0.0.1). `None` (after printing
    /// `skipped:`) when nginx is missing and `RMCP_REDIS_OPTIONAL=1`.
    pub fn start(upstreams: &[u16]) -> Option<Self> {
        if !std::path::Path::new(BINARY).exists() {
            if std::env::var("RMCP_REDIS_OPTIONAL").is_ok_and(|v| v == "1") {
                println!("skipped: nginx is not installed (RMCP_REDIS_OPTIONAL=1)");
                return None;
            }
            panic!("nginx is not installed: run `apt-get install -y nginx` (CI does), or set RMCP_REDIS_OPTIONAL=1");
        }
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "rmcp-nginx-test-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let port = super::free_port();
        // `max_fails=0`: a refused connection sends the request to the next instance, and never takes
        // an instance out of rotation, so one restarted on its port is used again at once.
        let servers: String = upstreams.iter().map(|p| format!("    server 127.0.0.1:{p} max_fails=0;\n")).collect();
        let d = dir.display();
        // As root, nginx would switch its worker to `nobody`, which cannot read the temp dir.
        let user = if is_root() { "user root;\n" } else { "" };
        let conf = format!(
            "{user}worker_processes 1;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
               upstream mcp {{\n{servers}  }}\n\
               server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://mcp;\n\
                 proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n      proxy_set_header Host $http_host;\n\
                 proxy_buffering off;\n      proxy_read_timeout 1h;\n    }}\n  }}\n}}\n"
        );
        let path = dir.join("nginx.conf");
        std::fs::write(&path, conf).expect("write nginx.conf");
        let child = Command::new(BINARY)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nginx starts");
        let nginx = Self { child: Some(child), port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx on port {port} did not listen within 10 s");
            std::thread::sleep(Duration::from_millis(10));
        }
        Some(nginx)
    }

    /// The MCP endpoint behind it.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
