#!/usr/bin/env bash
# Load test of `refuge serve` (not part of `cargo test`): wrk (Debian's
# package) against a release build on loopback, at 1, 16 and 64 concurrent
# clients, DURATION seconds each (default 10). Every response is checked
# byte for byte against `refuge eval --format json` for the same case; the
# run fails on any error, non-200 or mismatch. Prints a Markdown table.
#
#   scripts/load-test.sh [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}

if ! command -v wrk >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -q
refuge=target/release/refuge

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The cases: every JSON case of examples/ and tests/cases/, each given a
# description `load-N: …` that the evaluation echoes, and the CLI's output.
mkdir -p "$work/cases" "$work/expected"
n=0
for file in examples/*.json tests/cases/*.json; do
  n=$((n + 1))
  python3 - "$file" "$n" "$work/cases/$n.json" <<'PY'
import json, sys
case = json.load(open(sys.argv[1]))
case["description"] = f"load-{sys.argv[2]}: {case.get('description') or ''}"
# The date of the corpus run, for the few cases without one.
case.setdefault("as_of", "2024-01-01")
json.dump(case, open(sys.argv[3], "w"))
PY
  "$refuge" eval "$work/cases/$n.json" --format json >"$work/expected/$n.json" || [ $? -eq 2 ]
done

"$refuge" serve --addr 127.0.0.1:0 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$work/serve.log" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/serve.log")

echo "| clients | requests | requests/s | p50 (ms) | p99 (ms) | errors | checked against the CLI |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
status=0
for clients in 1 16 64; do
  threads=$((clients < 2 ? clients : 2))
  line=$(LOAD_DIR="$work" LOAD_COUNT="$n" wrk -t "$threads" -c "$clients" -d "${duration}s" \
    --timeout 10s -s scripts/load-check.lua "$url" | grep '^RESULT')
  eval "$(echo "$line" | sed 's/^RESULT //' | tr ' ' '\n' | sed 's/^/r_/')"
  bad=$((r_errors + r_non200 + r_mismatched))
  echo "| $clients | $r_requests | $r_rps | $r_p50_ms | $r_p99_ms | $bad | $r_checked |"
  if [ "$bad" -ne 0 ] || [ "$r_checked" -ne "$r_requests" ]; then status=1; fi
done
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=
exit $status
