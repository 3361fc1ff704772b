#!/usr/bin/env bash
# Run the browser tests against the anjian binary.
#   e2e/run.sh                                  every tests/*.test.mjs
#   e2e/run.sh e2e/tests/duty_flow.test.mjs     only the files named (paths from the cwd or e2e/)
# Binary: $ANJIAN_BIN, else target/release/anjian. Every flow runs at a desktop (1280×800) and a
# phone (390×844, touch) viewport. A failing test leaves a full-page screenshot and the page HTML
# in $E2E_ARTIFACTS (default e2e/artifacts/, emptied at the start of a run).
# Installs Debian's chromium if /usr/bin/chromium is missing (needs root), a CJK font if none is
# installed (so that screenshots are legible), and the pinned playwright-core from
# package-lock.json if node_modules is missing (or E2E_NPM_CI=1).
set -euo pipefail
CALLER_DIR=$PWD
cd "$(dirname "$0")"
E2E_DIR=$PWD
START=$SECONDS

export ANJIAN_BIN="${ANJIAN_BIN:-$E2E_DIR/../target/release/anjian}"
case "$ANJIAN_BIN" in /*) ;; *) ANJIAN_BIN="$CALLER_DIR/$ANJIAN_BIN" ;; esac
if [[ ! -x "$ANJIAN_BIN" ]]; then
  echo "e2e: anjian binary not found at $ANJIAN_BIN (cargo build --release -p anjian-app)" >&2
  exit 1
fi

if [[ -n "${E2E_ARTIFACTS:-}" ]]; then
  case "$E2E_ARTIFACTS" in /*) ;; *) E2E_ARTIFACTS="$CALLER_DIR/$E2E_ARTIFACTS" ;; esac
else
  E2E_ARTIFACTS="$E2E_DIR/artifacts"
  # Our own directory: stale files of an earlier run would be mistaken for this run's.
  rm -rf "$E2E_ARTIFACTS"
fi
export E2E_ARTIFACTS
mkdir -p "$E2E_ARTIFACTS"

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$@" </dev/null >/dev/null 2>&1 \
    || { apt-get update -qq </dev/null && apt-get install -y -qq "$@" </dev/null; }
}

if [[ ! -x /usr/bin/chromium ]]; then
  echo "e2e: installing Debian chromium"
  apt_install chromium
fi
/usr/bin/chromium --version 2>/dev/null || true
if command -v fc-list >/dev/null && [[ -z "$(fc-list :lang=zh 2>/dev/null)" ]]; then
  if [[ $EUID -eq 0 ]]; then
    echo "e2e: installing a CJK font for legible screenshots (fonts-wqy-microhei)"
    apt_install fonts-wqy-microhei || echo "e2e: warning: no CJK font, Chinese shows as boxes in screenshots" >&2
  else
    echo "e2e: warning: no CJK font, Chinese shows as boxes in screenshots" >&2
  fi
fi

if [[ ! -d node_modules/playwright-core ]] || [[ "${E2E_NPM_CI:-}" == 1 ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

FILES=()
for f in "$@"; do
  if [[ -f "$CALLER_DIR/$f" ]]; then FILES+=("$(cd "$(dirname "$CALLER_DIR/$f")" && pwd)/$(basename "$f")")
  elif [[ -f "$f" ]]; then FILES+=("$f")
  else echo "e2e: no test file $f" >&2; exit 2
  fi
done
[[ ${#FILES[@]} -gt 0 ]] || FILES=(tests/*.test.mjs)

echo "e2e: binary $ANJIAN_BIN; failure screenshots and page HTML go to $E2E_ARTIFACTS"
rc=0
node --test --test-concurrency=1 --test-reporter=spec "${FILES[@]}" || rc=$?
if [[ $rc -ne 0 ]] && [[ -n "$(ls -A "$E2E_ARTIFACTS" 2>/dev/null)" ]]; then
  echo "e2e: FAILED; screenshots and page HTML of the failing steps in $E2E_ARTIFACTS:"
  ls -1 "$E2E_ARTIFACTS" | sed 's/^/  /'
fi
echo "e2e: finished in $((SECONDS - START)) s (exit $rc)"
exit $rc
