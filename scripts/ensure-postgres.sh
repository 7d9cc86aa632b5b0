#!/usr/bin/env bash
# Makes sure the PostgreSQL the tests use answers at TEST_DATABASE_URL
# (default postgres://postgres@127.0.0.1:5432/postgres). On a Debian machine
# without one, installs the server, starts it and trusts local connections.
# Exits non-zero if it still does not answer: the tests never skip it.
set -euo pipefail

url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

answers() { command -v psql >/dev/null && psql "$url" -Atqc 'select 1' >/dev/null 2>&1; }

if answers; then
    exit 0
fi

if [ -n "${TEST_DATABASE_URL:-}" ]; then
    echo "PostgreSQL does not answer at TEST_DATABASE_URL=$url" >&2
    exit 1
fi

if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    say "installing PostgreSQL"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /etc/postgresql | sort -V | tail -n 1)
hba="/etc/postgresql/$version/main/pg_hba.conf"
if ! grep -q 'assay-tests' "$hba"; then
    say "letting local test connections in without a password ($hba)"
    as_root sed -i '1i host all postgres 127.0.0.1/32 trust # assay-tests\nhost all postgres ::1/128 trust # assay-tests' "$hba"
fi
say "starting PostgreSQL $version"
as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || \
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload

for _ in $(seq 1 30); do
    if answers; then exit 0; fi
    sleep 1
done
echo "PostgreSQL does not answer at $url" >&2
exit 1
