#!/usr/bin/env bash
# Runs every benchmark and prints its figures: the parse rate, then, on
# SQLite and PostgreSQL, ingest over HTTP, peak memory on a ~200 MB report,
# and API latency with 10,000 runs / 10 million results loaded.
# Arguments go to the end-to-end benchmark, e.g.
#   benches/run.sh --backend sqlite --runs 1000
# The full run takes about half an hour on 2 cores and needs ~15 GB of disk.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-postgres.sh
cargo bench -p shared --bench parse
cargo bench -p server --bench ingest -- "$@"
