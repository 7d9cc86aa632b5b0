#!/usr/bin/env bash
# Installs what building Assay needs, skipping whatever is already there, so
# a second run takes seconds. With --test it also installs what the test
# suite needs: Chromium (Debian's package; Playwright's own download is not
# used), moto's S3-compatible server (from PyPI) and, when no PostgreSQL
# answers, a local PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[ "${1:-}" = "--test" ] && want_test=true

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
    say "installing Debian packages: $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v cargo >/dev/null; then
    echo "Rust is required (https://rustup.rs): cargo was not found on PATH" >&2
    exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
fi

# cargo-leptos 0.3.11 needs a newer rustc than this toolchain; 0.3.10 works.
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
    say "installing cargo-leptos 0.3.10 (about 15 minutes, once)"
    cargo install cargo-leptos --locked --version 0.3.10
fi

# Must equal the wasm-bindgen version pinned in Cargo.toml. Not --locked:
# its lock file names a crate version the index no longer has.
if ! wasm-bindgen --version 2>/dev/null | grep -q '0\.2\.130'; then
    say "installing wasm-bindgen-cli 0.2.130"
    cargo install wasm-bindgen-cli --version =0.2.130
fi

if ! command -v npm >/dev/null; then
    apt_install nodejs npm
fi

# wasm-opt (binaryen from npm: Debian's is too old and breaks the wasm) and
# Playwright. Reinstalled only when package-lock.json changes.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages (binaryen, @playwright/test)"
    npm ci --no-audit --no-fund --loglevel=error
fi

if $want_test; then
    if [ ! -x /usr/bin/chromium ]; then
        apt_install chromium
    fi
    scripts/ensure-postgres.sh
    # The S3-compatible server the object-store tests run against.
    if ! moto_server --help >/dev/null 2>&1; then
        say "installing moto[server] (an S3-compatible test server) from PyPI"
        python3 -m pip install --quiet --disable-pip-version-check "moto[server]==5.2.1"
    fi
    # PerfTracker's own client, which the /perftracker door's tests drive.
    if ! python3 -c 'import perftrackerlib.client' 2>/dev/null; then
        say "installing perftrackerlib 0.1.8 (PerfTracker's client) from PyPI"
        python3 -m pip install --quiet --disable-pip-version-check "perftrackerlib==0.1.8"
    fi
    # Treeherder's own client (with its Hawk signing), which the /treeherder
    # door's tests drive, in a virtualenv of its own.
    th_venv="$HOME/.cache/assay/treeherder-venv"
    if ! "$th_venv/bin/python" -c 'import thclient' 2>/dev/null; then
        say "installing treeherder-client 3.1.0 (Treeherder's client) from PyPI into $th_venv"
        python3 -m venv "$th_venv"
        "$th_venv/bin/pip" install --quiet --disable-pip-version-check "treeherder-client==3.1.0"
    fi
fi
