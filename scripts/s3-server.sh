#!/usr/bin/env bash
# Starts the S3-compatible server the object-store tests run against
# (moto's, from PyPI) on a free loopback port, prints its URL, and keeps it
# until the calling script exits: `eval "$(scripts/s3-server.sh)"` sets
# ASSAY_TEST_S3_ENDPOINT and S3_SERVER_PID. Each test makes its own bucket.
set -euo pipefail
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="${TMPDIR:-/tmp}/assay-moto-$port.log"
moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; then
        echo "export ASSAY_TEST_S3_ENDPOINT=http://127.0.0.1:$port S3_SERVER_PID=$pid"
        exit 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "the S3 test server did not start; see $log" >&2
        exit 1
    fi
    sleep 0.1
done
echo "the S3 test server did not answer on port $port; see $log" >&2
kill "$pid" 2>/dev/null || true
exit 1
