#!/usr/bin/env bash
# Installs what is needed, builds Assay (release) and serves it on
# http://127.0.0.1:3000 with SQLite in ./assay-data. Extra arguments go to
# `assay serve` (e.g. --bind 0.0.0.0:8080, --data-dir /var/lib/assay).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
scripts/build.sh
exec "$(scripts/build.sh --print-bin)" serve "$@"
