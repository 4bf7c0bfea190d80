#!/usr/bin/env bash
# A short run of every cargo-fuzz target (fuzz/), when a nightly toolchain is present: each target
# for FUZZ_SECONDS (default 20) from its committed seeds (fuzz/corpus-seed/<target>), one at a
# time on one core. A crash, a timeout (a hang), a leak or an allocation past the limits fails
# the run; the input is left in fuzz/artifacts/<target>/.
#   bash .ci/fuzz-smoke.sh                  all targets
#   FUZZ_SECONDS=600 bash .ci/fuzz-smoke.sh sse model   longer, some targets
set -euo pipefail
cd "$(dirname "$0")/.."
if ! rustup run nightly true 2>/dev/null; then
  echo "fuzz smoke skipped: no nightly toolchain"
  exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  # A local root, so CI machines need no global install.
  tools="$PWD/target/fuzz-tools"
  export PATH="$tools/bin:$PATH"
  if ! cargo fuzz --version >/dev/null 2>&1 && ! cargo install cargo-fuzz --locked --quiet --root "$tools"; then
    echo "fuzz smoke skipped: cargo-fuzz could not be installed"
    exit 0
  fi
fi
seconds=${FUZZ_SECONDS:-20}
cd fuzz
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
cargo +nightly fuzz build >/dev/null 2>&1 || cargo +nightly fuzz build
for target in "${targets[@]}"; do
  echo "-- fuzz $target (${seconds}s)"
  mkdir -p "corpus/$target" "corpus-seed/$target"
  # -rss_limit_mb / -malloc_limit_mb: bounded allocation; -timeout: a single input over 10 s is a hang.
  log="target/fuzz-logs/$target.log"
  mkdir -p target/fuzz-logs
  status=0
  cargo +nightly fuzz run "$target" "corpus/$target" "corpus-seed/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY)|panicked|ERROR: libFuzzer' "$log" || true
  if [[ $status -ne 0 ]]; then
    tail -n 40 "$log" >&2
    echo "fuzz $target failed (exit $status): the input is in fuzz/artifacts/$target/, the log in fuzz/$log" >&2
    exit "$status"
  fi
done
