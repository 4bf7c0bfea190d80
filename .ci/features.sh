#!/usr/bin/env bash
# Every cargo feature of rmcp-core builds alone (and with none, and with all) without a warning.
set -euo pipefail
cd "$(dirname "$0")/.."
features=$(python3 -c "import tomllib; f = tomllib.load(open('rmcp-core/Cargo.toml', 'rb'))['features']; print(' '.join(k for k in f if k != 'default'))")
for f in "" $features; do
  echo "-- rmcp-core --no-default-features --features '$f'"
  cargo clippy -p rmcp-core --lib --no-default-features --features "$f" --locked --quiet -- -D warnings
done
echo "-- rmcp-core --all-features"
cargo clippy -p rmcp-core --all-targets --all-features --locked --quiet -- -D warnings
