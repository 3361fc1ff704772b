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
# BENCH_KEEP=1 keeps the databases; BENCH_REUSE=1 with BENCH_SQLITE_DB / BENCH_PG_DB measures an
# existing dataset (e.g. the full one of anjian-gen) instead of generating one.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-20s}"
WARMUP="${BENCH_WARMUP:-3s}"
LOW_CONNS=4
LOW_DURATION="$DURATION"
CONNS=64
THREADS=2
ORGS="${BENCH_ORGS:-2000}"
LEDGERS="${BENCH_LEDGERS:-1000000}"
STATS_RUNS="${BENCH_STATS_RUNS:-20}"
# 消防, percent-encoded for wrk and curl.
KEYWORD='%E6%B6%88%E9%98%B2'

bench_setup anjian_bench_lg anjian-lg
declare -A R
LABELS=()

bench_ensure_wrk
[[ " $BACKENDS " == *" postgres "* ]] && bench_ensure_pg

pages() {
  local backend=$1 unit i=0 label
  unit=$(bench_sql "$backend" "SELECT MIN(id) FROM org WHERE kind = 'unit'")
  local routes=(
    "training, no filter|/ledgers/training"
    "funding (list + filtered total)|/ledgers/funding"
    "funding, one unit, 2024|/ledgers/funding?org_id=$unit&from=2024-01-01&to=2024-12-31"
    "publicity, keyword 消防|/ledgers/publicity?keyword=$KEYWORD"
    "overview, 2024 statistics|/ledgers?period=2024"
  )
  LABELS=()
  for r in "${routes[@]}"; do
    label=${r%%|*}
    LABELS+=("$label")
    bench_page "$backend" "p$i" "$label" "${r#*|}"
    i=$((i + 1))
  done
}

for backend in $BACKENDS; do
  bench_generate "$backend" --orgs "$ORGS" --ledgers "$LEDGERS" --stages orgs,checklists,campaigns,ledgers
  R[$backend.rows]=$(bench_sql "$backend" "SELECT COUNT(*) FROM ledger_entry")
  bench_start_server "$backend"
  TOKEN=$("$BIN" token create --username "$USERNAME" --database "$(bench_url_of "$backend")" </dev/null)
  pages "$backend"
  unit=$(bench_sql "$backend" "SELECT MIN(id) FROM org WHERE kind = 'unit'")
  bench_time_api "$backend" stats "/api/v1/ledgers/statistics?period=2024" "$TOKEN"
  bench_time_api "$backend" stats_unit "/api/v1/ledgers/statistics?period=2024&org_id=$unit" "$TOKEN"
  bench_stop "$SERVER_PID"
  SERVER_PID=""
done

echo
echo "### Ledgers ($(date +%F), $(git rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo
bench_table_head
bench_row "ledger rows" rows
bench_row "dataset: generation time" gen
bench_row "dataset: size" size
for i in "${!LABELS[@]}"; do
  bench_row "${LABELS[$i]}: p50 / p99 / req/s (64 conns)" "p$i"
  bench_row "${LABELS[$i]}: p50 / p99 / req/s (4 conns)" "p${i}_low"
done
bench_row "statistics 2024, whole tree (API, sequential)" stats
bench_row "statistics 2024, one unit (API, sequential)" stats_unit
