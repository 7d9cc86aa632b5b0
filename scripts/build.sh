#!/usr/bin/env bash
# Release build of the server binary and the UI's assets (target/site).
# --print-bin prints where the binary is, without building.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
if [ "${1:-}" = "--print-bin" ]; then
    echo "$target_dir/release/assay"
    exit 0
fi
export PATH="$PWD/node_modules/.bin:$PATH"
cargo leptos build --release
