#!/usr/bin/env bash
# Clean release builds of the minimal stdio tool server (examples/minimal), the rmcp anchor
# `rmcp-stdio` (../shared/bench/anchors/setup.sh rmcp) and the floor under both (build-floor/:
# tokio, serde, serde_json and schemars alone), alternating, ROUNDS times. One JSON line per
# build: wall seconds, CPU seconds (user + sys, steadier than wall time on a shared VM) and the
# steal time the VM reported meanwhile.
# Usage: docs/bench/cpu-build.sh [ROUNDS]   (ANCHORS=/tmp/bench-anchors by default)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ROUNDS=${1:-2}
ANCHORS=${ANCHORS:-/tmp/bench-anchors}
W=${BENCH_BUILD:-/tmp/bench-build-cost}
mkdir -p "$W/ours/src" "$W/floor/src"

# The minimal server as a project of its own, on this checkout's rmcp-core and lockfile.
cp "$ROOT/examples/minimal/src/main.rs" "$W/ours/src/main.rs"
cp "$ROOT/Cargo.lock" "$W/ours/Cargo.lock"
cat > "$W/ours/Cargo.toml" <<TOML
[package]
name = "minimal-server"
version = "0.1.0"
edition = "2024"
[workspace]
[dependencies]
rmcp-core = { path = "$ROOT/rmcp-core", default-features = false, features = ["server", "macros", "stdio"] }
schemars = "1"
serde = { version = "1.0.229", features = ["derive"] }
tokio = { version = "1.54.1", features = ["rt-multi-thread", "macros"] }
TOML
cp "$ROOT/docs/bench/build-floor/Cargo.toml" "$W/floor/Cargo.toml"
cp "$ROOT/docs/bench/build-floor/src/main.rs" "$W/floor/src/main.rs"
cp "$ROOT/Cargo.lock" "$W/floor/Cargo.lock"

build() {
  local label=$1 dir=$2
  (cd "$dir" && cargo fetch -q && cargo clean -q)
  local st0 st1 out wall user sys
  st0=$(awk '/^cpu /{print $9}' /proc/stat)
  out=$( { cd "$dir" && /usr/bin/time -f "%e %U %S" cargo build --release --offline -q; } 2>&1 | tail -1)
  st1=$(awk '/^cpu /{print $9}' /proc/stat)
  read -r wall user sys <<<"$out"
  python3 -c "import json,sys; print(json.dumps({'label': sys.argv[1] + '|build', 'wall_s': float(sys.argv[2]), 'cpu_s': round(float(sys.argv[3]) + float(sys.argv[4]), 1), 'steal_s': (int(sys.argv[6]) - int(sys.argv[5])) / 100}))" \
    "$label" "$wall" "$user" "$sys" "$st0" "$st1"
}

for _ in $(seq "$ROUNDS"); do
  build ours "$W/ours"
  build rmcp "$ANCHORS/rmcp-stdio"
  build floor "$W/floor"
done
