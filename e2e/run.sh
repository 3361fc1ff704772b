#!/usr/bin/env bash
# Run the browser tests against the release binary.
#   e2e/run.sh                      (binary: $ANJIAN_BIN or target/release/anjian)
# Installs Debian's chromium if /usr/bin/chromium is missing (needs root) and
# the pinned playwright-core from package-lock.json if node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")"
E2E_DIR=$PWD

export ANJIAN_BIN="${ANJIAN_BIN:-$E2E_DIR/../target/release/anjian}"
case "$ANJIAN_BIN" in /*) ;; *) ANJIAN_BIN="$PWD/$ANJIAN_BIN" ;; esac
if [[ ! -x "$ANJIAN_BIN" ]]; then
  echo "e2e: anjian binary not found at $ANJIAN_BIN (cargo build --release -p anjian-app)" >&2
  exit 1
fi

if [[ ! -x /usr/bin/chromium ]]; then
  echo "e2e: installing Debian chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium </dev/null
fi
/usr/bin/chromium --version 2>/dev/null || true

if [[ ! -d node_modules/playwright-core ]] || [[ "${E2E_NPM_CI:-}" == 1 ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

exec node --test --test-concurrency=1 --test-reporter=spec tests/*.test.mjs
