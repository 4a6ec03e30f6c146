#!/usr/bin/env bash
# Fuzz every target for SECONDS each (default 600), one at a time, niced.
#
#   fuzz/run.sh [SECONDS] [TARGET…]
#   RUNS=10000000 fuzz/run.sh 3600 case   # stop at 10M executions (or the time)
#
# Installs what it needs: a nightly toolchain (rustup) and cargo-fuzz.
# Seeds each target's corpus from policies/, tests/ and examples/. Crashes
# land in fuzz/artifacts/TARGET/; turn each into a regression test under
# tests/ before fixing it. Not part of `cargo test` or .ci/run.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(policy fmt case eval)
fi

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

seed() {
  local target="$1"; shift
  mkdir -p "corpus/$target"
  for pattern in "$@"; do
    # shellcheck disable=SC2086
    find .. -path ../target -prune -o -path ../fuzz -prune -o -type f -name "$pattern" -print |
      while read -r f; do cp "$f" "corpus/$target/$(echo "$f" | tr '/' '_')"; done
  done
}
seed policy '*.policy'
seed fmt '*.policy'
seed case '*.json' '*.yaml' '*.yml' '*.toml'
seed eval '*.json'

# Inputs stay small, so each execution is quick: a policy or a case of a
# few KiB exercises every construct (the seeds longer than this are cut).
max_len() {
  case "$1" in
    policy | fmt) echo 4096 ;;
    case) echo 1024 ;;
    *) echo 2048 ;;
  esac
}

runs="${RUNS:--1}"
# No sanitizer by default: the crate forbids `unsafe`, so AddressSanitizer
# would only check dependencies, at half the speed. SANITIZER=address does.
sanitizer="${SANITIZER:-none}"
for target in "${targets[@]}"; do
  echo "== fuzz $target for ${seconds}s (runs: $runs)"
  nice -n 19 cargo +nightly fuzz run -s "$sanitizer" "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -runs="$runs" -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 2>&1 | tee "$target.log" | grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|SUMMARY|==[0-9]+==ERROR)' || true
done
