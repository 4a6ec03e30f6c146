#!/usr/bin/env bash
# Builds the playground's WebAssembly module into playground/www/pkg/.
# Needs the wasm32 target and the wasm-bindgen CLI of the crate's version:
#   rustup target add wasm32-unknown-unknown
#   cargo install wasm-bindgen-cli --version "$(bash playground/build.sh --bindgen-version)"
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "${1:-}" = "--bindgen-version" ]; then echo "$version"; exit 0; fi
nice -n 10 cargo build -p refuge-playground --target wasm32-unknown-unknown --release
wasm-bindgen --target web --no-typescript --out-dir playground/www/pkg \
  target/wasm32-unknown-unknown/release/refuge_playground.wasm
# The preloaded case is the README's flagship example, copied so it cannot drift.
cp examples/defector.json playground/www/example-case.json
ls -l playground/www/pkg
