#!/usr/bin/env bash
# Formatting and clippy, with the server (ssr) and browser (hydrate, wasm32)
# sides checked separately: never both features in one build.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all --check
cargo clippy -p shared -p app -p server --features app/ssr --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
