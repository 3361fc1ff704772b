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
CONNS=64
THREADS=2
# 消防, percent-encoded for wrk and curl: two characters, shorter than a trigram, so the ledger
# searches only the hazards found since the day of the newest 2,000 (hazard::SHORT_KEYWORD_WINDOW).
KEYWORD='%E6%B6%88%E9%98%B2'
# 消防通道: four characters, served by the trigram index of migration 0005.
KEYWORD_LONG='%E6%B6%88%E9%98%B2%E9%80%9A%E9%81%93'
# 东湖: part of about a twentieth of the organisation names, for the filter's suggestions.
ORG_TEXT='%E4%B8%9C%E6%B9%96'

bench_setup anjian_bench_hz anjian-hz
declare -A R
LEDGER_LABELS=()

bench_ensure_wrk
[[ " $BACKENDS " == *" postgres "* ]] && bench_ensure_pg

part() { [[ " $PARTS " == *" $1 "* ]]; }

generate() {
  bench_generate "$1" --orgs "$ORGS" --inspections "$INSPECTIONS" --hazards "$HAZARDS" \
    --stages orgs,checklists,campaigns,inspections,hazards
}

ledger() {
  local backend=$1 unit i=0 label
  unit=$(bench_sql "$backend" "SELECT MIN(id) FROM org WHERE kind = 'unit'")
  local routes=(
    "ledger, no filter|/hazards?page=1"
    "status=rectifying|/hazards?status=rectifying"
    "open (未销号, every status but closed)|/hazards?status=open"
    "one unit, found in 2024|/hazards?org_id=$unit&found_from=2024-01-01&found_to=2024-12-31"
    "keyword 消防 (2 characters: newest 2,000)|/hazards?keyword=$KEYWORD"
    "keyword 消防通道 (trigram index)|/hazards?keyword=$KEYWORD_LONG"
    "overdue|/hazards?overdue=1"
    "organisation suggestions 东湖 (JSON)|/hazards/org-options?q=$ORG_TEXT"
  )
  LEDGER_LABELS=()
  for r in "${routes[@]}"; do
    label=${r%%|*}
    LEDGER_LABELS+=("$label")
    bench_page "$backend" "l$i" "$label" "${r#*|}"
    i=$((i + 1))
  done
}

statistics() {
  local token
  token=$("$BIN" token create --username "$USERNAME" --database "$(bench_url_of "$1")" </dev/null)
  bench_time_api "$1" stats "/api/v1/statistics/hazards?period=2024" "$token"
}

export_xlsx() {
  local backend=$1 path="/hazards/export?found_from=2024-01-01&found_to=2024-12-31" out="$WORK/export-$backend.xlsx" res
  # VmHWM is the peak over the process's life: a fresh server measures the export alone.
  bench_stop "$SERVER_PID"
  bench_settle "$backend"
  R[$backend.settled]=$BENCH_SETTLED
  bench_start_server "$backend"
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
  code=$(bench_status "/hazards/import/template" "$WORK/template-$backend.xlsx")
  if [[ $code == 404 ]]; then
    R[$backend.import]="n/a (route missing)"
    return
  elif [[ $code != 200 ]]; then
    R[$backend.import]="template: HTTP $code"
    return
  fi
  "$GEN" --database "$(bench_url_of "$backend")" --xlsx "$WORK/import-$backend.xlsx" --xlsx-rows "$IMPORT_ROWS" \
    --xlsx-template "$WORK/template-$backend.xlsx" >&2
  bench_status "/hazards/import" "$WORK/import-page-$backend.html" >/dev/null
  local csrf before after
  csrf=$(bench_hidden "$WORK/import-page-$backend.html" csrf_token)
  bench_settle "$backend"
  R[$backend.settled]=$BENCH_SETTLED
  before=$(bench_sql "$backend" "SELECT COUNT(*) FROM hazard")
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
  after=$(bench_sql "$backend" "SELECT COUNT(*) FROM hazard")
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
  bench_start_server "$backend"
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
    bench_drop_db "$PG_DB"
    PG_CREATED=""
  fi
done

# ------------------------------------------------------------------ report

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "uncommitted")
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
bench_row "generate the dataset (anjian-gen)" gen
bench_row "database size" size
i=0
for label in "${LEDGER_LABELS[@]}"; do
  bench_row "ledger: $label — p50 / p99 / req/s at $CONNS connections" "l$i"
  bench_row "ledger: $label — p50 / p99 / req/s at $LOW_CONNS connections" "l${i}_low"
  i=$((i + 1))
done
bench_row "statistics 2024, whole tree, $STATS_RUNS runs" stats
bench_row "export of the hazards found in 2024 (the export stops at 100,000 rows)" export
bench_row "import $IMPORT_ROWS rows" import
bench_row "before the export and the import (PostgreSQL: dead rows of earlier writes)" settled
bench_row "ERROR lines in the server log" errors
