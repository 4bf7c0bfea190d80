#!/usr/bin/env bash
# Run the official MCP conformance suite against conformance-server and conformance-client, for
# 2025-11-25, 2026-07-28 and the extension scenarios, and hold the result to
# conformance/expected-failures.tsv:
#   - a failure not listed there fails this script (a regression);
#   - a listed scenario that now passes fails it too (a stale entry: delete the line), so the
#     list can only shrink.
# Usage: conformance/check.sh [server|client|both]   (default both)
# The harness (harness/run.sh, a copy of ../shared/conformance) installs the pinned suite and a
# Node 22 into ~/.cache/mcp-conformance by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
WHICH="${1:-both}"
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
EXPECTED="$PWD/conformance/expected-failures.tsv"
OUT="$(mktemp -d /tmp/rmcp-conformance.XXXXXX)"
HARNESS="$PWD/conformance/harness/run.sh"
export CONFORMANCE_EXTENSIONS=1

cargo build --locked -p conformance --bins
SERVER_BIN="$TARGET_DIR/debug/conformance-server"
CLIENT_BIN="$TARGET_DIR/debug/conformance-client"

SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT

if [ "$WHICH" != client ]; then
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  PORT="$PORT" "$SERVER_BIN" 2> "$OUT/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null -m 1 "http://127.0.0.1:$PORT/mcp" && break
    sleep 0.1
  done
  echo "== conformance server on port $PORT"
  CONFORMANCE_RESULTS_DIR="$OUT/server" bash "$HARNESS" server "http://127.0.0.1:$PORT/mcp"
fi
if [ "$WHICH" != server ]; then
  echo "== conformance client"
  CONFORMANCE_RESULTS_DIR="$OUT/client" bash "$HARNESS" client "$CLIENT_BIN"
fi

python3 - "$EXPECTED" "$OUT"/*/results.tsv <<'EOF'
import csv, sys
expected_path, tables = sys.argv[1], sys.argv[2:]
expected = {}
for line in open(expected_path):
    line = line.split("#", 1)[0].strip()
    if line:
        side, spec, scenario = line.split()[:3]
        expected[(side, spec, scenario)] = line
seen, failed = set(), set()
for table in tables:
    for row in csv.DictReader(open(table), delimiter="\t"):
        key = (row["side"], row["spec"], row["scenario"])
        seen.add(key)
        if row["status"] == "FAIL":
            failed.add(key)
unexpected = sorted(failed - expected.keys())
sides = {k[0] for k in seen}
stale = sorted(k for k in expected if k[0] in sides and k not in failed)
for k in unexpected:
    print("UNEXPECTED FAILURE:", *k)
for k in stale:
    print("STALE EXPECTED FAILURE (passes or no longer runs; delete the line):", *k)
print(f"conformance: {len(seen)} scenarios, {len(failed)} failed, {len(failed & expected.keys())} of them expected")
sys.exit(1 if unexpected or stale else 0)
EOF
