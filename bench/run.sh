#!/usr/bin/env bash
# Benchmarks of the anjian release binary; prints a markdown table for docs/benchmarks.md.
#
#   cargo build --release -p anjian-app && bash bench/run.sh
#
# Measures:
#   - release binary size
#   - start-to-ready: spawn of `anjian serve` on empty data until GET /readyz = 200
#     (median of BENCH_RUNS runs; SQLite on an empty data dir, PostgreSQL on a new database)
#   - idle RSS: VmRSS of that server BENCH_IDLE seconds after it became ready
#   - wrk --latency, 64 connections, 2 threads, BENCH_DURATION, against GET /orgs?page_size=50
#     as the logged-in demo user `supervisor` (session cookie from the real login form),
#     once with SQLite and once with PostgreSQL (database anjian_bench, created and dropped here)
#
# Environment: ANJIAN_BIN (default target/release/anjian), BENCH_RUNS (5), BENCH_IDLE (5),
# BENCH_DURATION (30s), BENCH_WARMUP (5s), BENCH_BACKENDS ("sqlite postgres"),
# BENCH_ORGS (200 organisations in the database), BENCH_PG_ADMIN (postgres://postgres@127.0.0.1:5432/postgres), BENCH_PG_DB (anjian_bench).
# Only 127.0.0.1 is ever contacted. wrk shares the machine's 2 cores with the server.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BIN="${ANJIAN_BIN:-$ROOT/target/release/anjian}"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
RUNS="${BENCH_RUNS:-5}"
IDLE="${BENCH_IDLE:-5}"
DURATION="${BENCH_DURATION:-30s}"
WARMUP="${BENCH_WARMUP:-5s}"
BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
PG_ADMIN="${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="${BENCH_PG_DB:-anjian_bench}"
PG_URL="${PG_ADMIN%/*}/$PG_DB"
ORGS="${BENCH_ORGS:-200}"
PAGE="/orgs?page_size=50"
CONNS=64
THREADS=2

[[ -x "$BIN" ]] || { echo "no binary at $BIN: cargo build --release -p anjian-app" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/anjian-bench.XXXXXX")
SERVER_PID=""
PG_CREATED=""

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

pg_admin() { psql "$PG_ADMIN" -XqAt -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }

cleanup() {
  local rc=$?
  set +e
  stop_server
  [[ -n "$PG_CREATED" ]] && pg_admin "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)"
  if [[ $rc -ne 0 ]]; then
    for f in "$WORK"/server-*.log; do
      [[ -f "$f" ]] && { echo "--- tail of $(basename "$f") ---" >&2; tail -n 30 "$f" >&2; }
    done
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq wrk </dev/null >/dev/null
fi
if [[ " $BACKENDS " == *" postgres "* ]] && ! pg_isready -h 127.0.0.1 -q; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
  for _ in $(seq 60); do pg_isready -h 127.0.0.1 -q && break; sleep 1; done
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

json() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"d": d}))' "$1" "$2"; }

# start_demo BACKEND -> SERVER_PID, BASE; demo accounts in $WORK/server-BACKEND.log
start_demo() {
  local backend=$1 port dir
  port=$(free_port)
  dir="$WORK/data-$backend"
  mkdir -p "$dir"
  local extra=()
  if [[ $backend == postgres ]]; then
    pg_admin "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)"
    pg_admin "CREATE DATABASE \"$PG_DB\""
    PG_CREATED=1
    extra=(--database "$PG_URL")
  fi
  "$BIN" serve --demo --data-dir "$dir" --listen "127.0.0.1:$port" "${extra[@]}" \
    >"$WORK/server-$backend.log" 2>&1 </dev/null &
  SERVER_PID=$!
  BASE="http://127.0.0.1:$port"
  local deadline=$((SECONDS + 120))
  until curl -fsS -o /dev/null --max-time 2 "$BASE/readyz" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || { log "server ($backend) exited"; exit 1; }
    ((SECONDS < deadline)) || { log "server ($backend) not ready after 120 s"; exit 1; }
    sleep 0.2
  done
  # The demo has about a dozen organisations: add sites through the API (as admin) so the
  # page really lists page_size=50 of BENCH_ORGS.
  local token total
  token=$("$BIN" token create --username admin --data-dir "$dir" "${extra[@]}" </dev/null)
  total=$(python3 "$ROOT/bench/seed_orgs.py" "$BASE" "$token" "$ORGS")
  ORG_TOTAL=$total
  log "organisations in the $backend database: $total"
}

# login BACKEND -> COOKIE_HEADER for supervisor, via GET /login + POST /login with curl
login() {
  local backend=$1 jar="$WORK/cookies-$1.txt" user pass csrf code
  read -r user pass < <(awk '$1 == "账号" && $2 == "supervisor" && $3 == "密码" { print $2, $4; exit }' "$WORK/server-$backend.log")
  [[ -n "${pass:-}" ]] || { log "no 'supervisor' demo account in the server output"; exit 1; }
  curl -fsS -c "$jar" -b "$jar" -o "$WORK/login.html" "$BASE/login"
  csrf=$(python3 - "$WORK/login.html" <<'PY'
import sys
from html.parser import HTMLParser

class Find(HTMLParser):
    value = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf_token" and self.value is None:
            self.value = a.get("value") or ""

f = Find()
f.feed(open(sys.argv[1], encoding="utf-8", errors="replace").read())
print(f.value or "")
PY
)
  [[ -n "$csrf" ]] || { log "no csrf_token hidden input on /login"; exit 1; }
  code=$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
    --data-urlencode "username=$user" --data-urlencode "password=$pass" --data-urlencode "csrf_token=$csrf" \
    "$BASE/login")
  log "POST /login ($backend): $code"
  [[ $code == 30[0-9]* ]] || { log "login did not redirect"; exit 1; }
  # Netscape cookie jar -> "Cookie: a=1; b=2" (HttpOnly cookies are written as #HttpOnly_domain)
  COOKIE_HEADER="Cookie: $(awk -F '\t' '
      /^#HttpOnly_/ { sub(/^#HttpOnly_/, "") }
      /^#/ || NF < 7 { next }
      { printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }' "$jar")"
  local status
  status=$(curl -sS -o "$WORK/page-$backend.html" -w '%{http_code}' -H "$COOKIE_HEADER" "$BASE$PAGE")
  [[ $status == 200 ]] || { log "GET $PAGE with the session cookie answered $status"; exit 1; }
  ROWS=$(python3 - "$WORK/page-$backend.html" <<'PY'
import sys
from html.parser import HTMLParser

class Rows(HTMLParser):
    depth = 0
    rows = 0

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.depth += 1
        elif tag == "tr" and self.depth:
            self.rows += 1

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.depth -= 1

r = Rows()
r.feed(open(sys.argv[1], encoding="utf-8", errors="replace").read())
print(r.rows)
PY
)
  log "GET $PAGE ($backend): 200, $(wc -c <"$WORK/page-$backend.html") bytes, $ROWS table rows"
}

# run_wrk BACKEND -> fills R_<backend>_{rps,p50,p99,non2xx,errors,rss,bytes}
run_wrk() {
  local backend=$1 out="$WORK/wrk-$backend.txt"
  log "wrk warm-up $WARMUP ($backend)"
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -H "$COOKIE_HEADER" "$BASE$PAGE" >/dev/null
  log "wrk -t$THREADS -c$CONNS -d$DURATION --latency ($backend)"
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H "$COOKIE_HEADER" "$BASE$PAGE" | tee "$out" >&2
  local rps p50 p99 non2xx errors
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  p50=$(awk '$1 == "50%" { print $2 }' "$out")
  p99=$(awk '$1 == "99%" { print $2 }' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  errors=$(awk '/Socket errors:/ { sub(/.*Socket errors: */, ""); print }' "$out")
  printf -v "R_${backend}_rps" '%s' "${rps:-?}"
  printf -v "R_${backend}_p50" '%s' "${p50:-?}"
  printf -v "R_${backend}_p99" '%s' "${p99:-?}"
  printf -v "R_${backend}_non2xx" '%s' "${non2xx:-0}"
  printf -v "R_${backend}_errors" '%s' "${errors:-none}"
  printf -v "R_${backend}_rows" '%s' "$ROWS of $ORG_TOTAL"
  local rss hwm
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status")
  hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
  printf -v "R_${backend}_rss" '%s' "$(mib "$rss") (peak $(mib "$hwm"))"
}

# ------------------------------------------------------------------ measure

SIZE_BYTES=$(stat -c %s "$BIN")
log "binary: $BIN ($SIZE_BYTES bytes)"

for backend in $BACKENDS; do
  log "start-to-ready, $RUNS runs ($backend)"
  if [[ $backend == postgres ]]; then
    PG_CREATED=1
    python3 "$ROOT/bench/startup.py" "$BIN" "$RUNS" --idle "$IDLE" \
      --database "$PG_URL" --pg-admin "$PG_ADMIN" --pg-db "$PG_DB" >"$WORK/startup-$backend.json"
  else
    python3 "$ROOT/bench/startup.py" "$BIN" "$RUNS" --idle "$IDLE" >"$WORK/startup-$backend.json"
  fi
  cat "$WORK/startup-$backend.json" >&2
  printf -v "S_${backend}_median" '%s ms' "$(json "$WORK/startup-$backend.json" 'd["median_ms"]')"
  printf -v "S_${backend}_range" '%s' "$(json "$WORK/startup-$backend.json" '"%s–%s ms" % (d["min_ms"], d["max_ms"])')"
  printf -v "S_${backend}_rss" '%s' "$(mib "$(json "$WORK/startup-$backend.json" 'd["idle"]["rss_kib"]')")"

  start_demo "$backend"
  login "$backend"
  run_wrk "$backend"
  stop_server
  if [[ $backend == postgres ]]; then
    pg_admin "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)"
    PG_CREATED=""
  fi
done

# ------------------------------------------------------------------ report

cell() { local v="${1}_${2}_${3}"; printf '%s' "${!v:-–}"; }

CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "uncommitted")
HEADER="| |$(for b in $BACKENDS; do printf ' %s |' "$( [[ $b == sqlite ]] && echo SQLite || echo PostgreSQL)"; done)"
SEP="|---|$(for _ in $BACKENDS; do printf -- '---|'; done)"
row() { # row LABEL PREFIX KEY
  printf '| %s |' "$1"
  for b in $BACKENDS; do printf ' %s |' "$(cell "$2" "$b" "$3")"; done
  printf '\n'
}

echo
echo "Measured $(date +%Y-%m-%d) on $(nproc) cores ($CPU), commit $COMMIT, $(rustc --version 2>/dev/null || echo rustc ?)."
echo "wrk runs on the same machine as the server (loopback). Page: \`GET $PAGE\` as \`supervisor\`, $CONNS connections, $THREADS threads, $DURATION after a $WARMUP warm-up."
echo
echo "$HEADER"
echo "$SEP"
printf '| release binary size | %s |%s\n' "$(awk -v b="$SIZE_BYTES" 'BEGIN { printf "%.1f MiB (%d bytes)", b / 1048576, b }')" \
  "$(for b in $BACKENDS; do [[ $b == sqlite ]] || printf ' (same binary) |'; done)"
row "start → /readyz 200 on empty data, median of $RUNS" S median
row "start → ready, min–max" S range
row "idle RSS, ready + ${IDLE} s" S rss
row "table rows on the page (of organisations in the database)" R rows
row "requests/s" R rps
row "latency p50" R p50
row "latency p99" R p99
row "non-2xx/3xx responses" R non2xx
row "socket errors" R errors
row "RSS after the load" R rss
