#!/usr/bin/env bash
# Starts the Assay binary on an empty SQLite data directory with project
# "e2e" and a token for it (written to .state/token for the tests).
set -euo pipefail
cd "$(dirname "$0")"
port="$1"
bin="${ASSAY_BIN:-../target/release/assay}"
data="$PWD/.state/data"
rm -rf "$data"
mkdir -p "$data"
"$bin" project create e2e --name "End-to-end" --data-dir "$data" >/dev/null
"$bin" token create e2e --data-dir "$data" 2>/dev/null > .state/token
# A project of its own for hostile names, so they do not change e2e's lists.
"$bin" project create xss --name "Hostile names" --data-dir "$data" >/dev/null
"$bin" token create xss --data-dir "$data" 2>/dev/null > .state/token-xss
# Projects of their own for the artifact flow, the every-page sweep, perf,
# the 10,000-point graph, rendering traces and test analytics.
for p in files formats perf graph traces analytics; do
    "$bin" project create "$p" --data-dir "$data" >/dev/null
    "$bin" token create "$p" --data-dir "$data" 2>/dev/null > ".state/token-$p"
done
# Treeherder's door: a project and Hawk credentials ("CLIENT_ID SECRET").
"$bin" project create treeherder --data-dir "$data" >/dev/null
"$bin" hawk create treeherder --client-id e2e-treeherder --data-dir "$data" 2>/dev/null > .state/hawk-treeherder
# An instance admin and a plain user, with known passwords.
echo "admin-password-123" | "$bin" user create e2e-admin --admin --password-stdin --data-dir "$data" >/dev/null
echo "viewer-password-123" | "$bin" user create viewer1 --password-stdin --data-dir "$data" >/dev/null
# Logs named by Treeherder jobs are fetched from the tests' own local
# HTTP server.
exec "$bin" serve --bind "127.0.0.1:$port" --data-dir "$data" --log-fetch-allow 127.0.0.1 --log-fetch-private
