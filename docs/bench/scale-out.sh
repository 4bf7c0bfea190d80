#!/usr/bin/env bash
# The scale-out figures of issue 17 (BENCHMARKS.md, "Scale-out"), side by side in one run:
#   1. one instance, HTTP 16 clients: sessions in memory vs in Redis (bench-server --redis);
#   2. behind nginx, HTTP 16 clients: one instance vs three (on 2 cores: the overhead of the hop
#      and of sharing, not scaling);
#   3. restore-bench: Redis bytes per idle session, cold-restore latency, commands per call.
# Starts its own redis-server and nginx on free ports in a temp dir, stops everything by PID.
# Usage: docs/bench/scale-out.sh [OUT.jsonl]   (REPEATS=2 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/bench-results/scale-out.jsonl}
repeats=${REPEATS:-2}
mkdir -p "$(dirname "$out")"
target=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p examples --bin bench-server --bin restore-bench
cargo build --release -q --manifest-path ../shared/bench/driver/Cargo.toml --target-dir /tmp/bench-build
driver=/tmp/bench-build/release/mcp-bench
server=$target/release/bench-server

dir=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (echo > /dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }

rport=$(port)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" >/dev/null & pids+=($!)
wait_port "$rport"
redis="redis://127.0.0.1:$rport/"

serve() { # serve PORT [--redis URL]: a bench-server; its PID in $last
  "$server" http "$@" 2>/dev/null & last=$!; pids+=("$last"); wait_port "$1"
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }
nginx_for() { # nginx_for PORT UPSTREAM...: its PID in $last
  local listen=$1; shift
  local servers=""; for u in "$@"; do servers+="server 127.0.0.1:$u max_fails=0; "; done
  local user=""; [ "$(id -u)" = 0 ] && user="user root;"
  mkdir -p "$dir/ng-$listen"
  cat > "$dir/ng-$listen/nginx.conf" <<CONF
$user worker_processes 1; daemon off; pid $dir/ng-$listen/nginx.pid; error_log $dir/ng-$listen/error.log warn;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $dir/ng-$listen/b; proxy_temp_path $dir/ng-$listen/p;
  fastcgi_temp_path $dir/ng-$listen/f; uwsgi_temp_path $dir/ng-$listen/u; scgi_temp_path $dir/ng-$listen/s;
  upstream mcp { $servers keepalive 64; }
  server { listen 127.0.0.1:$listen; location / { proxy_pass http://mcp; proxy_http_version 1.1;
    proxy_set_header Connection ""; proxy_set_header Host \$http_host; proxy_buffering off; } } }
CONF
  /usr/sbin/nginx -p "$dir/ng-$listen" -c "$dir/ng-$listen/nginx.conf" & last=$!; pids+=("$last"); wait_port "$listen"
}
run() { # run LABEL URL [PID]
  local label=$1 url=$2 pid=${3:-}
  local line
  line=$($driver http --url "$url" --clients 16 --duration 10 ${pid:+--pid "$pid"} 2>/dev/null)
  python3 -c 'import json,sys; d=json.loads(sys.argv[2]); d["label"]=sys.argv[1]; print(json.dumps(d))' "$label" "$line" | tee -a "$out"
}

for r in $(seq "$repeats"); do
  # 1. One instance: memory, then Redis (alternating order each repeat).
  for variant in memory redis; do
    p=$(port)
    if [ $variant = memory ]; then serve "$p"; else serve "$p" --redis "$redis"; fi
    run "one-instance/$variant|c16|$r" "http://127.0.0.1:$p/mcp" "$last"
    stop "$last"
  done
  # 2. Behind nginx: one instance, then three, all with Redis.
  p1=$(port); serve "$p1" --redis "$redis"; s1=$last
  n=$(port); nginx_for "$n" "$p1"; ng=$last
  run "nginx/one-instance|c16|$r" "http://127.0.0.1:$n/mcp"
  stop "$ng"
  p2=$(port); serve "$p2" --redis "$redis"; s2=$last
  p3=$(port); serve "$p3" --redis "$redis"; s3=$last
  n=$(port); nginx_for "$n" "$p1" "$p2" "$p3"; ng=$last
  run "nginx/three-instances|c16|$r" "http://127.0.0.1:$n/mcp"
  stop "$ng"; stop "$s1"; stop "$s2"; stop "$s3"
done

# 3. Restore, memory, commands.
"$target/release/restore-bench" --redis "$redis" --sessions 2000 | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); d["label"]="restore-bench"; print(json.dumps(d))' | tee -a "$out"
