#!/usr/bin/env bash
# Ours beside the raw floor (../shared/bench/anchors/raw), alternating in one run so that drift on
# the shared 2-core machine hits both: stdio sequential and pipelined, HTTP with 1 and 16 clients,
# and tools/list of 101 tools over stdio. Prints one line per mode: both means and the ratio.
#
# Usage: docs/bench/vs-floor.sh OUT.jsonl      (from the repository root)
# Env:   ROUNDS=2  DRIVER=/tmp/bench-build/release/mcp-bench  FLOOR=/tmp/bench-anchors/raw/target/release
#        OURS=target/release/bench-server  PORT=8187  HTTP_SECS=10
# Build first: cargo build --release -p examples --bin bench-server;
#   the driver: cargo build --release --manifest-path ../shared/bench/driver/Cargo.toml --target-dir /tmp/bench-build;
#   the floor: ../shared/bench/anchors/setup.sh rust
set -euo pipefail
OUT="${1:?usage: vs-floor.sh OUT.jsonl}"
ROUNDS="${ROUNDS:-2}"
DRIVER="${DRIVER:-/tmp/bench-build/release/mcp-bench}"
FLOOR="${FLOOR:-/tmp/bench-anchors/raw/target/release}"
OURS="${OURS:-target/release/bench-server}"
PORT="${PORT:-8187}"
HTTP_SECS="${HTTP_SECS:-10}"
: > "$OUT"

stdio() { # WHO MODE DRIVER-ARGS... -- SERVER...
  local who=$1 mode=$2; shift 2
  echo "$who|$mode $("$DRIVER" stdio "$@" | tail -1)" >> "$OUT"
}

http() { # WHO MODE CLIENTS SERVER...
  local who=$1 mode=$2 clients=$3; shift 3
  "$@" > /dev/null 2>&1 &
  local pid=$!
  local line
  line="$("$DRIVER" http --url "http://127.0.0.1:$PORT/mcp" --clients "$clients" --duration "$HTTP_SECS" --pid "$pid" | tail -1)"
  kill -9 "$pid"; wait "$pid" 2> /dev/null || true
  echo "$who|$mode $line" >> "$OUT"
}

for round in $(seq 1 "$ROUNDS"); do
  # Odd rounds start with ours, even rounds with the floor.
  if [ $((round % 2)) = 1 ]; then order="ours floor"; else order="floor ours"; fi
  for who in $order; do
    if [ "$who" = ours ]; then
      s=("$OURS" stdio); h=("$OURS" http "$PORT"); l=(env BENCH_EXTRA_TOOLS=100 "$OURS" stdio)
    else
      s=("$FLOOR/raw-stdio"); h=("$FLOOR/raw-http" "$PORT" json); l=(env BENCH_EXTRA_TOOLS=100 "$FLOOR/raw-stdio")
    fi
    stdio "$who" stdio_seq --depth 1 --calls 20000 -- "${s[@]}"
    stdio "$who" stdio_pipe --depth 64 --calls 100000 -- "${s[@]}"
    stdio "$who" list --op list --calls 2000 -- "${l[@]}"
    http "$who" http_c1 1 "${h[@]}"
    http "$who" http_c16 16 "${h[@]}"
  done
done

python3 - "$OUT" <<'EOF'
import json, sys, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    key, data = line.split(' ', 1)
    who, mode = key.split('|')
    d = json.loads(data)
    runs[(mode, who)].append((d['calls_per_s'], d.get('server_cpu_us_per_call'), d.get('errors', 0)))
for mode in ['stdio_seq', 'stdio_pipe', 'http_c1', 'http_c16', 'list']:
    ours, floor = runs[(mode, 'ours')], runs[(mode, 'floor')]
    mean = lambda xs: sum(x[0] for x in xs) / len(xs)
    cpu = lambda xs: ' / '.join(f'{x[1]}' for x in xs)
    errors = sum(x[2] for x in ours + floor)
    print(f'{mode:10} ours {mean(ours):9.0f} calls/s (cpu us/call {cpu(ours)})  floor {mean(floor):9.0f} '
          f'(cpu {cpu(floor)})  ours/floor {mean(ours) / mean(floor):.2f}  errors {errors}')
EOF
