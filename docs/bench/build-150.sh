#!/usr/bin/env bash
# Incremental rebuild of a 150-tool stdio server after one tool body changes, ours beside rmcp
# 3.11: each server is generated in /tmp (the same 150 tools, `Parameters<Args>`, stdio), built
# once in the dev profile, then one tool body is edited and the rebuild is timed. One JSON line
# per side and repeat.
# Usage: docs/bench/build-150.sh [REPEATS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REPEATS=${1:-3}
W=${BENCH_150:-/tmp/bench-150}
mkdir -p "$W/ours/src" "$W/rmcp/src"

cat > "$W/ours/Cargo.toml" <<TOML
[package]
name = "tools150"
version = "0.1.0"
edition = "2024"
[workspace]
[dependencies]
rmcp-core = { path = "$ROOT/rmcp-core", default-features = false, features = ["server", "macros", "stdio"] }
schemars = "1"
serde = { version = "1", features = ["derive"] }
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }
TOML
cp "$ROOT/Cargo.lock" "$W/ours/"

cat > "$W/rmcp/Cargo.toml" <<'TOML'
[package]
name = "tools150"
version = "0.1.0"
edition = "2024"
[workspace]
[dependencies]
rmcp = { version = "=3.11.0", features = ["server", "macros", "transport-io"] }
schemars = "1"
serde = { version = "1", features = ["derive"] }
tokio = { version = "1", features = ["rt-multi-thread", "macros", "io-std"] }
TOML
cp "$ROOT/../shared/bench/anchors/rmcp-stdio/Cargo.lock" "$W/rmcp/" 2>/dev/null || true

tools() { # $1: the value tool 0 adds
  for i in $(seq 0 149); do
    local k=$i; [[ $i == 0 ]] && k=$1
    printf '    #[tool(description = "Add %s to the sum of a and b")]\n' "$i"
    printf '    fn add_%s(&self, Parameters(Args { a, b }): Parameters<Args>) -> String {\n' "$i"
    printf '        (a + b + %s).to_string()\n    }\n\n' "$k"
  done
}

ours() { # $1: the value tool 0 adds
  cat <<RS
use rmcp_core::handler::{ServerHandler, ServerInfo};
use rmcp_core::model::{Implementation, ServerCapabilities};
use rmcp_core::router::{Parameters, ToolRouter};
use rmcp_core::service::ServiceExt;
use rmcp_core::{tool, tool_handler, tool_router};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Args { a: i64, b: i64 }

struct Server { tool_router: ToolRouter<Self> }

#[tool_router]
impl Server {
$(tools "$1")
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerInfo {
        ServerInfo::new(Implementation::new("tools150", "0.1.0"), ServerCapabilities::default())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    Server { tool_router: Server::tool_router() }.serve(rmcp_core::transport::stdio()).await?.waiting().await;
    Ok(())
}
RS
}

rmcp() { # $1: the value tool 0 adds
  cat <<RS
use rmcp::{ServerHandler, ServiceExt, handler::server::{router::tool::ToolRouter, wrapper::Parameters},
    model::{ServerCapabilities, ServerConfig}, schemars, tool, tool_handler, tool_router};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Args { a: i64, b: i64 }

#[derive(Clone)]
struct Server { tool_router: ToolRouter<Self> }

#[tool_router]
impl Server {
$(tools "$1")
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    Server { tool_router: Server::tool_router() }.serve(rmcp::transport::stdio()).await?.waiting().await?;
    Ok(())
}
RS
}

for side in ours rmcp; do
  $side 0 > "$W/$side/src/main.rs"
  (cd "$W/$side" && cargo build --quiet)
done
for r in $(seq 1 "$REPEATS"); do
  for side in ours rmcp; do
    $side "$r" > "$W/$side/src/main.rs"
    s=$(date +%s.%N)
    (cd "$W/$side" && cargo build --quiet)
    e=$(date +%s.%N)
    python3 -c "import json,sys; print(json.dumps({'label': sys.argv[1] + '/tools150|incremental-dev|' + sys.argv[2], 'rebuild_s': round(float(sys.argv[4]) - float(sys.argv[3]), 2)}))" "$side" "$r" "$s" "$e"
  done
done
