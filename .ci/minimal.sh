#!/usr/bin/env bash
# The stdio-only tool server of examples/minimal: no HTTP, TLS, OAuth or JSON Schema validator
# crate in its dependency tree (nor the `http` crate, nor the futures crates it has no use for),
# and it answers a tools/call on stdin.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=$(cargo tree -p minimal-server -e normal --prefix none --locked)
for crate in http hyper hyper-util reqwest rustls p256 jsonschema url futures-channel futures-io; do
  if grep -q "^$crate v" <<<"$tree"; then
    echo "minimal-server pulls in $crate:" >&2
    cargo tree -p minimal-server -e normal -i "$crate" >&2
    exit 1
  fi
done
echo "$(sed "s/ (\*)$//" <<<"$tree" | sort -u | wc -l) crates in minimal-server's normal dependency tree"
cargo build -p minimal-server --locked --quiet
meta='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"ci","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}'
answer=$(printf '%s\n' "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"add\",\"arguments\":{\"a\":2,\"b\":3},$meta}}" \
  | timeout 20 "${CARGO_TARGET_DIR:-target}/debug/minimal-server")
if ! grep -q '"text":"5"' <<<"$answer"; then
  echo "minimal-server did not answer add(2, 3) = 5: $answer" >&2
  exit 1
fi
echo "minimal-server answered: $answer"
