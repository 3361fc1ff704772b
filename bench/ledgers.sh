#!/usr/bin/env bash
# Ledger-module benchmarks (issue 5) on a generated dataset; prints a markdown table for
# docs/benchmarks.md. Target: listing and summing 1,000,000 ledger rows over 2,000 organisations,
# page p99 ≤ 50 ms, period totals ≤ 300 ms, on SQLite and PostgreSQL.
#
#   cargo build --release -p anjian-app -p anjian-bench && bash bench/ledgers.sh
#
# Per backend (SQLite file in a temp dir; PostgreSQL database anjian_bench_lg, created and dropped):
#   - builds orgs, checklists, campaigns and BENCH_LEDGERS ledger entries with anjian-gen
#   - starts `anjian serve` on it, signs in as the generated `bench` account through the login form
#   - wrk --latency, 64 connections, 2 threads, BENCH_DURATION after BENCH_WARMUP, per list page
#   - GET /api/v1/ledgers/statistics?period=2024 (whole tree, bearer token) BENCH_STATS_RUNS times,
#     and the same for one unit
#
# Environment: ANJIAN_BIN, ANJIAN_GEN, BENCH_BACKENDS ("sqlite postgres"), BENCH_DURATION (20s),
# BENCH_WARMUP (3s), BENCH_ORGS (2000), BENCH_LEDGERS (1000000), BENCH_STATS_RUNS (20),
# BENCH_PG_ADMIN (postgres://postgres@127.0.0.1:5432/postgres), BENCH_PG_DB (anjian_bench_lg),
# BENCH_KEEP=1 keeps the databases.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

BIN="${ANJIAN_BIN:-$ROOT/target/release/anjian}"
GEN="${ANJIAN_GEN:-$ROOT/target/release/anjian-gen}"
BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-20s}"
WARMUP="${BENCH_WARMUP:-3s}"
ORGS="${BENCH_ORGS:-2000}"
LEDGERS="${BENCH_LEDGERS:-1000000}"
STATS_RUNS="${BENCH_STATS_RUNS:-20}"
PG_ADMIN="${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="${BENCH_PG_DB:-anjian_bench_lg}"
PG_URL="${PG_ADMIN%/*}/$PG_DB"
USERNAME=bench
PASSWORD='Ya-Ce-2026!'
# 消防, percent-encoded for wrk and curl.
KEYWORD='%E6%B6%88%E9%98%B2'

for b in "$BIN" "$GEN"; do
  [[ -x "$b" ]] || { echo "no binary at $b: cargo build --release -p anjian-app -p anjian-bench" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/anjian-lg.XXXXXX")
SQLITE_DB="$WORK/sqlite/anjian.db"
SERVER_PID=""
PG_CREATED=""
declare -A R
LABELS=()

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

url_of() { [[ $1 == sqlite ]] && echo "sqlite://$SQLITE_DB" || echo "$PG_URL"; }

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
  if [[ $backend == postgres ]]; then
    psql "$PG_ADMIN" -XqAt -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null
    psql "$PG_ADMIN" -XqAt -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
    PG_CREATED=1
  fi
  bench_log "generating the dataset ($backend)"
  "$GEN" --database "$(url_of "$backend")" --orgs "$ORGS" --ledgers "$LEDGERS" \
    --stages orgs,checklists,campaigns,ledgers --username "$USERNAME" --password "$PASSWORD" | tee "$out" >&2
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

status() { curl -sS -o "${2:-/dev/null}" -w '%{http_code}' --max-time 120 -H "$COOKIE" "$BASE$1"; }

pages() {
  local backend=$1 unit i=0 label path code
  unit=$(sql "$backend" "SELECT MIN(id) FROM org WHERE kind = 'unit'")
  local routes=(
    "training, no filter|/ledgers/training"
    "funding (list + filtered total)|/ledgers/funding"
    "funding, one unit, 2024|/ledgers/funding?org_id=$unit&from=2024-01-01&to=2024-12-31"
    "publicity, keyword 消防|/ledgers/publicity?keyword=$KEYWORD"
    "overview, 2024 statistics|/ledgers?period=2024"
  )
  LABELS=()
  for r in "${routes[@]}"; do
    label=${r%%|*} path=${r#*|}
    LABELS+=("$label")
    code=$(status "$path")
    if [[ $code != 200 ]]; then
      R[$backend.p$i]="HTTP $code"
    else
      bench_log "wrk $label ($backend)"
      wrk -t2 -c64 -d"$WARMUP" -H "$COOKIE" "$BASE$path" >/dev/null
      bench_wrk "$WORK/wrk-$backend-$i.txt" "$BASE$path" -t2 -c64 -d"$DURATION" --timeout 10s -H "$COOKIE"
      R[$backend.p$i]="$WRK_P50 / **$WRK_P99** / $WRK_RPS"
      bench_wrk "$WORK/wrk-low-$backend-$i.txt" "$BASE$path" -t1 -c4 -d"$DURATION" --timeout 10s -H "$COOKIE"
      R[$backend.q$i]="$WRK_P50 / **$WRK_P99** / $WRK_RPS"
    fi
    i=$((i + 1))
  done
}

# time_api BACKEND KEY PATH: median and max of STATS_RUNS sequential requests.
time_api() {
  local backend=$1 key=$2 path=$3 code times=""
  code=$(curl -sS -o "$WORK/$key-$backend.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE$path")
  if [[ $code != 200 ]]; then
    R[$backend.$key]="HTTP $code"
    return
  fi
  for _ in $(seq "$STATS_RUNS"); do
    times+="$(curl -sS -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$BASE$path") "
  done
  local med max
  read -r med max < <(for t in $times; do awk -v t="$t" 'BEGIN { print t * 1000 }'; done | bench_median)
  R[$backend.$key]="median $med ms, max **$max ms**"
  bench_log "$key ($backend): $(head -c 200 "$WORK/$key-$backend.json")"
}

for backend in $BACKENDS; do
  generate "$backend"
  R[$backend.rows]=$(sql "$backend" "SELECT COUNT(*) FROM ledger_entry")
  start_server "$backend"
  TOKEN=$("$BIN" token create --username "$USERNAME" --database "$(url_of "$backend")" </dev/null)
  pages "$backend"
  unit=$(sql "$backend" "SELECT MIN(id) FROM org WHERE kind = 'unit'")
  time_api "$backend" stats "/api/v1/ledgers/statistics?period=2024"
  time_api "$backend" stats_unit "/api/v1/ledgers/statistics?period=2024&org_id=$unit"
  bench_stop "$SERVER_PID"
  SERVER_PID=""
done

echo
echo "### Ledgers ($(date +%F), $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo
printf '| measurement |'
for b in $BACKENDS; do printf ' %s |' "$b"; done
printf '\n|---|'
for _ in $BACKENDS; do printf -- '---|'; done
printf '\n'
row() {
  printf '| %s |' "$1"
  for b in $BACKENDS; do printf ' %s |' "${R[$b.$2]:-}"; done
  printf '\n'
}
row "ledger rows" rows
row "dataset: generation time" gen
row "dataset: size" size
for i in "${!LABELS[@]}"; do
  row "${LABELS[$i]}: p50 / p99 / req/s (64 conns)" "p$i"
  row "${LABELS[$i]}: p50 / p99 / req/s (4 conns)" "q$i"
done
row "statistics 2024, whole tree (API, sequential)" stats
row "statistics 2024, one unit (API, sequential)" stats_unit
