#!/usr/bin/env bash
# Release build of the server binary and the UI's assets (target/site),
# with the browser's WASM split per page (cargo leptos --split: each page's
# view is a chunk loaded when the page is first shown). Prints the size of
# every WASM file, raw and gzipped as served.
# --print-bin prints where the binary is, without building.
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
if [ "${1:-}" = "--print-bin" ]; then
    echo "$target_dir/release/assay"
    exit 0
fi
export PATH="$PWD/node_modules/.bin:$PATH"
cargo leptos build --release --split
pkg="target/site/pkg"
printf '\033[1m==> WASM as served (gzip -6), %s\033[0m\n' "$pkg" >&2
total=0
total_gz=0
for f in "$pkg"/*.wasm; do
    raw=$(stat -c %s "$f")
    gz=$(gzip -6 -c "$f" | wc -c)
    total=$((total + raw))
    total_gz=$((total_gz + gz))
    printf '%8d KiB  %7d KiB gzipped  %s\n' $((raw / 1024)) $((gz / 1024)) "$(basename "$f")" >&2
done
printf '%8d KiB  %7d KiB gzipped  all chunks (a page loads the main module and its own)\n' \
    $((total / 1024)) $((total_gz / 1024)) >&2
