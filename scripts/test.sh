#!/usr/bin/env bash
# The whole test suite: unit tests, the conformance corpus, API integration
# tests against SQLite and a real PostgreSQL (blobs in a directory and on a
# real S3-compatible server, started here), then Playwright end-to-end
# flows in Chromium against the release build. Installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

scripts/install.sh --test

if [ -z "${ASSAY_TEST_S3_ENDPOINT:-}" ]; then
    eval "$(scripts/s3-server.sh)"
    trap 'kill "$S3_SERVER_PID" 2>/dev/null || true' EXIT
fi

say "unit, corpus and API integration tests (SQLite and PostgreSQL; files and S3)"
# app is tested with its server-side feature; the wasm side is checked by
# the release build below and by the browser tests.
cargo test -p shared -p app -p server --features app/ssr

say "release build"
scripts/build.sh

say "end-to-end tests in Chromium"
bin="$(scripts/build.sh --print-bin)"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
export ASSAY_BIN="$bin"
node_modules/.bin/playwright test --config end2end/playwright.config.ts
