#!/usr/bin/env bash
# Renders `refuge doc` for the built-in policies and screenshots two pages in
# headless Chromium, so the HTML is checked in a real browser.
#
#   scripts/doc-screenshot.sh [OUT_DIR]     (default: target/doc-screenshot)
#
# Writes OUT_DIR/site/ (the pages) and OUT_DIR/index.png, OUT_DIR/rok_act.png,
# OUT_DIR/cat_1984.png. Installs Debian's chromium with apt-get if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/doc-screenshot}"
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update && apt-get install -y chromium
fi
cargo run --quiet -- doc --out "$out/site" --cases tests/cases
site="$(cd "$out/site" && pwd)"
for page in index rok_act cat_1984; do
  profile="$(mktemp -d)"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --screenshot="$out/$page.png" --window-size=1200,1600 \
    "file://$site/$page.html" 2>/dev/null
  rm -rf "$profile"
  test -s "$out/$page.png"
  echo "wrote $out/$page.png"
done
