#!/usr/bin/env bash
# Hazard-module benchmarks (issue 3) on the generated dataset; prints a markdown table for
# docs/benchmarks.md.
#
#   cargo build --release -p anjian-app -p anjian-bench && bash bench/hazards.sh
#
# Per backend (SQLite file in a temp dir; PostgreSQL database anjian_bench_hz, created and dropped):
#   - builds the dataset once with anjian-gen (2,000 orgs, 200,000 inspections, 1,000,000 hazards)
#     and reports its time and size
#   - starts `anjian serve` on it, signs in as the generated `bench` account through the login form
#   - wrk --latency, 64 connections, 2 threads, BENCH_DURATION after BENCH_WARMUP, per ledger page,
#     then BENCH_LOW_CONNS (4) connections for BENCH_LOW_DURATION (15s)
#   - GET /api/v1/statistics/hazards?period=2024 (whole tree, bearer token) BENCH_STATS_RUNS times
#   - GET /hazards/export for a year of hazards (100,000 rows, the export's cap) on a freshly
#     started server: time and the server's peak RSS (VmHWM is per process lifetime)
#   - hazard import of a BENCH_IMPORT_ROWS-row workbook written on the server's own template:
#     upload (preview) and confirm, timed separately
# A route answering 404 is reported as "n/a (route missing)"; the run goes on.
#
# Environment: ANJIAN_BIN, ANJIAN_GEN (default target/release/…), BENCH_BACKENDS ("sqlite postgres"),
# BENCH_DURATION (30s), BENCH_WARMUP (5s), BENCH_ORGS (2000), BENCH_INSPECTIONS (200000),
# BENCH_HAZARDS (1000000), BENCH_STATS_RUNS (20), BENCH_IMPORT_ROWS (10000), BENCH_LOW_CONNS (4),
# BENCH_LOW_DURATION (15s), BENCH_PARTS ("ledger statistics import export": which measurements),
# BENCH_PG_ADMIN (postgres://postgres@127.0.0.1:5432/postgres), BENCH_PG_DB (anjian_bench_hz),
# BENCH_KEEP=1 keeps the databases (path / name printed) for EXPLAIN afterwards.
# BENCH_REUSE=1 measures an existing dataset instead of generating one: the SQLite file
# BENCH_SQLITE_DB (a kept run's anjian.db) and/or the PostgreSQL database BENCH_PG_DB, which is
# then never dropped. Each run's import adds BENCH_IMPORT_ROWS hazards to it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

BIN="${ANJIAN_BIN:-$ROOT/target/release/anjian}"
GEN="${ANJIAN_GEN:-$ROOT/target/release/anjian-gen}"
BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-30s}"
WARMUP="${BENCH_WARMUP:-5s}"
ORGS="${BENCH_ORGS:-2000}"
INSPECTIONS="${BENCH_INSPECTIONS:-200000}"
HAZARDS="${BENCH_HAZARDS:-1000000}"
STATS_RUNS="${BENCH_STATS_RUNS:-20}"
IMPORT_ROWS="${BENCH_IMPORT_ROWS:-10000}"
PARTS="${BENCH_PARTS:-ledger statistics import export}"
LOW_CONNS="${BENCH_LOW_CONNS:-4}"
LOW_DURATION="${BENCH_LOW_DURATION:-15s}"
PG_ADMIN="${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="${BENCH_PG_DB:-anjian_bench_hz}"
PG_URL="${PG_ADMIN%/*}/$PG_DB"
REUSE="${BENCH_REUSE:-}"
USERNAME=bench
PASSWORD='Ya-Ce-2026!'
CONNS=64
THREADS=2
# 消防, percent-encoded for wrk and curl: two characters, shorter than a trigram, so the ledger
# searches only the hazards found since the day of the newest 2,000 (hazard::SHORT_KEYWORD_WINDOW).
KEYWORD='%E6%B6%88%E9%98%B2'
# 消防通道: four characters, served by the trigram index of migration 0005.
KEYWORD_LONG='%E6%B6%88%E9%98%B2%E9%80%9A%E9%81%93'
# 东湖: part of about a twentieth of the organisation names, for the filter's suggestions.
ORG_TEXT='%E4%B8%9C%E6%B9%96'

for b in "$BIN" "$GEN"; do
  [[ -x "$b" ]] || { echo "no binary at $b: cargo build --release -p anjian-app -p anjian-bench" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/anjian-hz.XXXXXX")
SQLITE_DB="${BENCH_SQLITE_DB:-$WORK/sqlite/anjian.db}"
SERVER_PID=""
PG_CREATED=""
declare -A R
LEDGER_LABELS=()

cleanup() {
  local rc=$?
  set +e
  bench_stop "$SERVER_PID"
  if [[ -z "${BENCH_KEEP:-}" ]]; then
    [[ -n "$PG_CREATED" ]] && psql "$PG_ADMIN" -XqAt -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null
    rm -rf "$WORK"
  else
    bench_log "kept: $WORK (SQLite) and database $PG_DB"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_ensure_wrk
[[ " $BACKENDS " == *" postgres "* ]] && bench_ensure_pg

part() { [[ " $PARTS " == *" $1 "* ]]; }

url_of() { [[ $1 == sqlite ]] && echo "sqlite://$SQLITE_DB" || echo "$PG_URL"; }

# sql BACKEND QUERY: one value from the generated database.
sql() {
  if [[ $1 == sqlite ]]; then
    python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
      "$SQLITE_DB" "$2"
  else
    psql "$PG_URL" -XqAt -c "$2"
  fi
}

generate() {
  local backend=$1 out="$WORK/gen-$backend.txt"
  if [[ -n $REUSE ]]; then
    if [[ $backend == sqlite && -f $SQLITE_DB ]]; then
      R[$backend.gen]="(reused)"
      R[$backend.size]="$(bench_mib $(( $(stat -c %s "$SQLITE_DB") / 1024 )))"
      return
    elif [[ $backend == postgres && $(psql "$PG_ADMIN" -XqAt -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") == 1 ]]; then
      R[$backend.gen]="(reused)"
      R[$backend.size]="$(psql "$PG_URL" -XqAt -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
      return
    fi
  fi
  if [[ $backend == postgres ]]; then
    psql "$PG_ADMIN" -XqAt -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null
    psql "$PG_ADMIN" -XqAt -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
    PG_CREATED=1
  fi
  bench_log "generating the dataset ($backend)"
  "$GEN" --database "$(url_of "$backend")" --orgs "$ORGS" --inspections "$INSPECTIONS" --hazards "$HAZARDS" \
    --username "$USERNAME" --password "$PASSWORD" | tee "$out" >&2
  R[$backend.gen]="$(awk '/^time total:/ { print $3 " s" }' "$out")"
  R[$backend.size]="$(sed -n 's/^database size: \([^(]*\).*/\1/p' "$out" | sed 's/ *$//')"
}

start_server() {
  local backend=$1 port
  port=$(bench_free_port)
  mkdir -p "$WORK/data-$backend"
  "$BIN" serve --database "$(url_of "$backend")" --data-dir "$WORK/data-$backend" --listen "127.0.0.1:$port" \
    >>"$WORK/server-$backend.log" 2>&1 </dev/null &
  SERVER_PID=$!
  BASE="http://127.0.0.1:$port"
  bench_wait_ready "$BASE" "$SERVER_PID" 300 || { tail -n 30 "$WORK/server-$backend.log" >&2; exit 1; }
  JAR="$WORK/cookies-$backend.txt"
  rm -f "$JAR"
  bench_login "$BASE" "$USERNAME" "$PASSWORD" "$JAR"
  COOKIE=$(bench_cookie_header "$JAR")
}

# status PATH [OUT]: HTTP status of a signed-in GET.
status() { curl -sS -o "${2:-/dev/null}" -w '%{http_code}' --max-time 120 -H "$COOKIE" "$BASE$1"; }

ledger() {
  local backend=$1 unit i=0 label path code
  unit=$(sql "$backend" "SELECT MIN(id) FROM org WHERE kind = 'unit'")
  local routes=(
    "ledger, no filter|/hazards?page=1"
    "status=rectifying|/hazards?status=rectifying"
    "one unit, found in 2024|/hazards?org_id=$unit&found_from=2024-01-01&found_to=2024-12-31"
    "keyword 消防 (2 characters: newest 2,000)|/hazards?keyword=$KEYWORD"
    "keyword 消防通道 (trigram index)|/hazards?keyword=$KEYWORD_LONG"
    "overdue|/hazards?overdue=1"
    "organisation suggestions 东湖 (JSON)|/hazards/org-options?q=$ORG_TEXT"
  )
  LEDGER_LABELS=()
  for r in "${routes[@]}"; do
    label=${r%%|*} path=${r#*|}
    LEDGER_LABELS+=("$label")
    code=$(status "$path")
    if [[ $code == 404 ]]; then
      R[$backend.l$i]="n/a (route missing)"
    elif [[ $code != 200 ]]; then
      R[$backend.l$i]="HTTP $code"
    else
      bench_log "wrk $label ($backend)"
      wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -H "$COOKIE" "$BASE$path" >/dev/null
      # wrk's default 2 s timeout would hide slow pages: a request slower than 10 s counts as
      # a timeout and is reported as such.
      bench_wrk "$WORK/wrk-$backend-$i.txt" "$BASE$path" -t"$THREADS" -c"$CONNS" -d"$DURATION" \
        --timeout 10s -H "$COOKIE"
      cat "$WORK/wrk-$backend-$i.txt" >&2
      local extra=""
      [[ $WRK_NON2XX != 0 ]] && extra=", $WRK_NON2XX non-2xx"
      [[ $WRK_TIMEOUTS != 0 ]] && extra="$extra, $WRK_TIMEOUTS of $((WRK_REQUESTS + WRK_TIMEOUTS)) timed out (> 10 s)"
      if [[ ${WRK_REQUESTS:-0} -le $WRK_TIMEOUTS ]]; then
        R[$backend.l$i]="no request answered within 10 s$extra"
      else
        R[$backend.l$i]="$WRK_P50 / **$WRK_P99** / $WRK_RPS$extra"
      fi
      # The same page at low concurrency: what one user waits when the server is not saturated.
      bench_wrk "$WORK/wrk-low-$backend-$i.txt" "$BASE$path" -t1 -c"$LOW_CONNS" -d"$LOW_DURATION" \
        --timeout 10s -H "$COOKIE"
      if [[ ${WRK_REQUESTS:-0} -le $WRK_TIMEOUTS ]]; then
        R[$backend.m$i]="no request answered within 10 s"
      else
        R[$backend.m$i]="$WRK_P50 / **$WRK_P99** / $WRK_RPS"
      fi
    fi
    i=$((i + 1))
  done
}

statistics() {
  local backend=$1 token path="/api/v1/statistics/hazards?period=2024" code times=""
  token=$("$BIN" token create --username "$USERNAME" --database "$(url_of "$backend")" </dev/null)
  code=$(curl -sS -o "$WORK/stats-$backend.json" -w '%{http_code}' -H "Authorization: Bearer $token" "$BASE$path")
  if [[ $code == 404 ]]; then
    R[$backend.stats]="n/a (route missing)"
    return
  elif [[ $code != 200 ]]; then
    R[$backend.stats]="HTTP $code"
    return
  fi
  for _ in $(seq "$STATS_RUNS"); do
    times+="$(curl -sS -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$BASE$path") "
  done
  local med max
  read -r med max < <(for t in $times; do awk -v t="$t" 'BEGIN { print t * 1000 }'; done | bench_median)
  R[$backend.stats]="median $med ms, max **$max ms**"
  bench_log "statistics ($backend): $(head -c 300 "$WORK/stats-$backend.json")"
}

export_xlsx() {
  local backend=$1 path="/hazards/export?found_from=2024-01-01&found_to=2024-12-31" out="$WORK/export-$backend.xlsx" res
  # VmHWM is the peak over the process's life: a fresh server measures the export alone.
  bench_stop "$SERVER_PID"
  start_server "$backend"
  local before
  before=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
  res=$(curl -sS -o "$out" -w '%{http_code} %{time_total}' --max-time 300 -H "$COOKIE" "$BASE$path")
  local code=${res%% *} secs=${res#* }
  if [[ $code == 404 ]]; then
    R[$backend.export]="n/a (route missing)"
    return
  elif [[ $code != 200 ]]; then
    R[$backend.export]="HTTP $code after $secs s"
    return
  fi
  local hwm rows
  hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
  rows=$(python3 - "$out" <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
sheet = next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
print(len(re.findall(rb"<row[ >]", z.read(sheet))))
PY
)
  R[$backend.export]="$rows sheet rows (headings included), **$(printf '%.1f' "$secs") s**, peak RSS **$(bench_mib "$hwm")** (before: $(bench_mib "$before")), $(( $(stat -c %s "$out") / 1024 )) KiB"
}

import_xlsx() {
  local backend=$1 code res
  code=$(status "/hazards/import/template" "$WORK/template-$backend.xlsx")
  if [[ $code == 404 ]]; then
    R[$backend.import]="n/a (route missing)"
    return
  elif [[ $code != 200 ]]; then
    R[$backend.import]="template: HTTP $code"
    return
  fi
  "$GEN" --database "$(url_of "$backend")" --xlsx "$WORK/import-$backend.xlsx" --xlsx-rows "$IMPORT_ROWS" \
    --xlsx-template "$WORK/template-$backend.xlsx" >&2
  status "/hazards/import" "$WORK/import-page-$backend.html" >/dev/null
  local csrf before after
  csrf=$(bench_hidden "$WORK/import-page-$backend.html" csrf_token)
  before=$(sql "$backend" "SELECT COUNT(*) FROM hazard")
  res=$(curl -sS -o "$WORK/preview-$backend.html" -w '%{http_code} %{time_total}' --max-time 300 \
    -H "$COOKIE" -H "X-CSRF-Token: $csrf" -F "csrf_token=$csrf" -F "file=@$WORK/import-$backend.xlsx" \
    "$BASE/hazards/import?csrf_token=$csrf")
  local pcode=${res%% *} psecs=${res#* }
  if [[ $pcode != 200 ]]; then
    R[$backend.import]="upload: HTTP $pcode after $psecs s: $(message "$WORK/preview-$backend.html")"
    return
  fi
  # The confirm form's fields (payload, csrf_token…) exactly as the preview rendered them.
  python3 - "$WORK/preview-$backend.html" >"$WORK/confirm-$backend.txt" <<'PY'
import sys, urllib.parse
from html.parser import HTMLParser

class Form(HTMLParser):
    action, fields, inside = None, [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("action") or "").endswith("/confirm"):
            self.action, self.inside = a["action"], True
        elif tag == "input" and self.inside and a.get("name"):
            self.fields.append((a["name"], a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False

f = Form()
f.feed(open(sys.argv[1], encoding="utf-8").read())
print(f.action or "")
print(urllib.parse.urlencode(f.fields))
PY
  local action
  action=$(sed -n 1p "$WORK/confirm-$backend.txt")
  if [[ -z $action ]]; then
    R[$backend.import]="upload $(printf '%.1f' "$psecs") s; no confirm form: $(message "$WORK/preview-$backend.html")"
    return
  fi
  sed -n 2p "$WORK/confirm-$backend.txt" | tr -d '\n' >"$WORK/confirm-$backend.body"
  res=$(curl -sS -o "$WORK/confirmed-$backend.html" -w '%{http_code} %{time_total}' --max-time 300 \
    -H "$COOKIE" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary "@$WORK/confirm-$backend.body" "$BASE$action")
  local ccode=${res%% *} csecs=${res#* }
  after=$(sql "$backend" "SELECT COUNT(*) FROM hazard")
  R[$backend.import]="$((after - before)) rows: upload+preview $(printf '%.1f' "$psecs") s, confirm $(printf '%.1f' "$csecs") s (HTTP $ccode), **total $(awk -v a="$psecs" -v b="$csecs" 'BEGIN { printf "%.1f", a + b }') s**"
}

# message FILE: the error text a page shows (for a refused upload).
message() {
  python3 - "$1" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8", errors="replace").read()
found = re.findall(r'class="[^"]*(?:error|alert|flash)[^"]*"[^>]*>(.*?)<', html, re.S)
print(" ".join(t.strip() for t in found if t.strip())[:160] or html[:160].replace("\n", " "))
PY
}

for backend in $BACKENDS; do
  generate "$backend"
  start_server "$backend"
  part ledger && ledger "$backend"
  part statistics && statistics "$backend"
  part import && import_xlsx "$backend"
  part export && export_xlsx "$backend"
  bench_stop "$SERVER_PID"
  SERVER_PID=""
  # Non-2xx answers under load show up here with their cause (e.g. pool timeouts).
  R[$backend.errors]="$(grep -c ' ERROR ' "$WORK/server-$backend.log" || true)"
  grep ' ERROR ' "$WORK/server-$backend.log" | sed 's/^[^ ]* *//; s/request_id=[^}]*//; s/latency=[0-9]* ms//' | cut -c1-300 | sort | uniq -c | sort -rn | head -5 >&2 || true
  if [[ $backend == postgres && -n $PG_CREATED && -z "${BENCH_KEEP:-}" ]]; then
    psql "$PG_ADMIN" -XqAt -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null
    PG_CREATED=""
  fi
done

# ------------------------------------------------------------------ report

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "uncommitted")
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
row() {
  printf '| %s |' "$1"
  for b in $BACKENDS; do printf ' %s |' "${R[$b.$2]:-–}"; done
  printf '\n'
}
echo
echo "Measured $(date +%Y-%m-%d) on $(nproc) cores ($CPU), commit $COMMIT (plus uncommitted work in the tree)."
echo "Dataset: $ORGS organisations, $INSPECTIONS inspections, $HAZARDS hazards (anjian-gen defaults). wrk: $CONNS connections, $THREADS threads, $DURATION after a $WARMUP warm-up, as \`$USERNAME\` (bureau supervisor, whole tree)."
echo
printf '|'; printf ' |'; for b in $BACKENDS; do printf ' %s |' "$([[ $b == sqlite ]] && echo SQLite || echo PostgreSQL)"; done; echo
printf '|---|'; for _ in $BACKENDS; do printf -- '---|'; done; echo
row "generate the dataset (anjian-gen)" gen
row "database size" size
i=0
for label in "${LEDGER_LABELS[@]}"; do
  row "ledger: $label — p50 / p99 / req/s at $CONNS connections" "l$i"
  row "ledger: $label — p50 / p99 / req/s at $LOW_CONNS connections" "m$i"
  i=$((i + 1))
done
row "statistics 2024, whole tree, $STATS_RUNS runs" stats
row "export of the hazards found in 2024 (the export stops at 100,000 rows)" export
row "import $IMPORT_ROWS rows" import
row "ERROR lines in the server log" errors
