#!/usr/bin/env bash
# The pixel diff against its anchors, on 1920×1080 and 3840×2160 pairs
# (identical, 20 changed squares, 4,000 changed squares), printing the
# figures side by side with their ratios:
#   1. natively, from the same PNG files: Assay's diff (decoding with the
#      image crate, as `assay diff` does) against blazediff 6.0.2 (the PyPI
#      wheel: Rust with SIMD), both counting differing pixels at threshold 0.1;
#   2. in Chromium: Assay's WASM build, on the trace page, against
#      pixelmatch 7.2 (npm) in the same page on the same RGBA, both drawing
#      a diff image.
# Part 2 needs the release build (scripts/build.sh). ROUNDS=9 by default.
#   scripts/bench-pixeldiff.sh [--native-only]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${ROUNDS:-9}"
work="$(mktemp -d)"
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

if ! python3 -c 'import blazediff' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check "blazediff==6.0.2"
fi
cargo build --release -q -p shared --example pixeldiff_files
example=target/release/examples/pixeldiff_files
"$example" write "$work/img"

printf '\033[1m==> natively, from PNG files (median of %s, ms)\033[0m\n' "$rounds"
"$example" time "$work/img" "$rounds" > "$work/assay.txt"
python3 - "$work/img" "$rounds" "$work/assay.txt" <<'PY'
import sys, time, statistics, platform
import blazediff
img, rounds, ours = sys.argv[1], int(sys.argv[2]), sys.argv[3]
assay = {}
for line in open(ours).read().splitlines()[1:]:
    size, pair, n, files, only = line.split()
    assay[(size, pair)] = (int(n), float(files), float(only))
print(f"{'size':<6} {'pair':<10} {'differing':>10} {'Assay':>8} {'blazediff':>10} {'ratio':>7} {'Assay diff alone':>17}")
for (size, pair), (n, files, only) in assay.items():
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        r = blazediff.compare(f"{img}/{size}-a.png", f"{img}/{size}-{pair}.png", threshold=0.1)
        times.append((time.perf_counter() - t) * 1e3)
    theirs = statistics.median(times)
    count = r.diff_count if r.diff_count is not None else 0
    agree = "" if count == n else f"  (blazediff counted {count})"
    print(f"{size:<6} {pair:<10} {n:>10} {files:>8.2f} {theirs:>10.2f} {theirs / files:>6.2f}× {only:>17.2f}{agree}")
print(f"(ratio: blazediff's time over Assay's; {platform.python_implementation()} {platform.python_version()}, blazediff 6.0.2)")
PY

[ "${1:-}" = "--native-only" ] && exit 0

bin="$(scripts/build.sh --print-bin)"
if [ ! -x "$bin" ] || [ ! -d target/site/pkg ]; then
    echo "the release build is missing: run scripts/build.sh first (or pass --native-only)" >&2
    exit 1
fi
data="$work/data"
mkdir -p "$data"
"$bin" project create bench --data-dir "$data" >/dev/null
token="$("$bin" token create bench --data-dir "$data" 2>/dev/null)"
port=3193
"$bin" serve --bind "127.0.0.1:$port" --data-dir "$data" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
done
printf '\033[1m==> in Chromium (median of %s, ms)\033[0m\n' "$rounds"
node scripts/bench-pixeldiff-browser.mjs "http://127.0.0.1:$port" "$token" "$work/img" "$rounds"
