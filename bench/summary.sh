#!/usr/bin/env bash
# Summary benchmark (issue 7): the statistics and the summary of a year over the province-scale
# dataset against the bare SQL aggregate statements they need, measured in the same run. Target:
# the application within 1.5× of the bare statements, on SQLite and PostgreSQL. Prints a markdown
# table for docs/benchmarks.md.
#
#   cargo build --release -p anjian-app -p anjian-bench && bash bench/summary.sh
#
# Per backend (the full dataset of anjian-gen: 2,000 organisations, 1,000,000 hazards, …; SQLite in
# a temp dir, PostgreSQL database anjian_bench_sum, created and dropped — or an existing one with
# BENCH_REUSE=1):
#   - starts `anjian serve` on it and creates a bearer token for the generated `bench` account (a
#     bureau supervisor at the root, so the API covers the whole tree like the CLI does);
#   - one warm-up round, then BENCH_RUNS rounds, each running in turn:
#       bare: the statements of bench/summary_sql.py, one after the other on one connection (SQLite:
#             python3's sqlite3 module; PostgreSQL: one psql session, `\timing`), summed;
#       GET /api/v1/reports/figures?period=P and /api/v1/reports/summary?period=P (curl, warm server);
#       `anjian report --period P --format json` and `--format docx` (a whole process: start,
#             connect, migrations check, figures, rendering, writing the file);
#   - medians over the rounds; ratio = application median / bare median; PASS when ≤ 1.5.
#
# Environment: ANJIAN_BIN, ANJIAN_GEN, BENCH_BACKENDS ("sqlite postgres"), BENCH_PERIOD (2025, a
# year), BENCH_RUNS (7), BENCH_PG_ADMIN, BENCH_PG_DB (anjian_bench_sum), BENCH_KEEP=1,
# BENCH_REUSE=1 with BENCH_SQLITE_DB / BENCH_PG_DB to measure an existing dataset.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
PERIOD="${BENCH_PERIOD:-2025}"
RUNS="${BENCH_RUNS:-7}"
[[ $PERIOD =~ ^[0-9]{4}$ ]] || { echo "BENCH_PERIOD must be a year" >&2; exit 2; }
FIRST="$PERIOD-01-01"
LAST="$PERIOD-12-31"
# The overdue cut-off of the statistics: the day after the period, or today (Shanghai) if earlier.
CUTOFF=$(python3 -c '
import datetime as dt, sys
today = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=8)).date()
print(min(today, dt.date(int(sys.argv[1]) + 1, 1, 1)).isoformat())' "$PERIOD")

bench_setup anjian_bench_sum anjian-sum
declare -A R
[[ " $BACKENDS " == *" postgres "* ]] && bench_ensure_pg

# now_ms: wall clock in milliseconds (bash's EPOCHREALTIME: no process started to read it).
now_ms() { awk -v t="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.3f", t * 1000 }'; }
since_ms() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", b - a }'; }

# bare_once BACKEND: runs the bare statements once; appends their times (ms, in order) as one line
# to WORK/bare-BACKEND.txt.
bare_once() {
  if [[ $1 == sqlite ]]; then
    python3 "$ROOT/bench/summary_sql.py" sqlite "$SQLITE_DB" "$FIRST" "$LAST" "$CUTOFF" |
      python3 -c 'import json, sys; print(" ".join("%.3f" % t for _, t, _ in json.load(sys.stdin)["statements"]))'
  else
    psql "$PG_URL" -Xq -o /dev/null -f "$WORK/bare.sql" | awk '/^Time:/ { printf "%s ", $2 } END { print "" }'
  fi >>"$WORK/bare-$1.txt"
}

api_once() { curl -fsS -o "$WORK/api-$2.json" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$BASE$1" |
  awk '{ printf "%.1f\n", $1 * 1000 }'; }

cli_once() {
  local t0
  t0=$(now_ms)
  "$BIN" report --database "$(bench_url_of "$1")" --period "$PERIOD" --format "$2" \
    --output "$WORK/report-$1.$2" </dev/null 2>>"$WORK/cli-$1.log"
  since_ms "$t0"
}

# cell BACKEND KEY FILE: "median ms (max), ratio ×, PASS/FAIL" of the times in FILE.
cell() {
  local med max ratio verdict
  read -r med max < <(bench_median <"$3")
  ratio=$(awk -v a="$med" -v b="${R[$1.bare_med]}" 'BEGIN { printf "%.2f", a / b }')
  verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.5 ? "PASS" : "FAIL") }')
  R[$1.$2]="$med ms (max $max), **${ratio}×** $verdict"
}

for backend in $BACKENDS; do
  bench_generate "$backend"
  R[$backend.hazards]=$(bench_sql "$backend" "SELECT COUNT(*) FROM hazard")
  R[$backend.orgs]=$(bench_sql "$backend" "SELECT COUNT(*) FROM org")
  if [[ $backend == postgres ]]; then
    root=$(bench_sql postgres "SELECT path FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1")
    kp=$(psql "$PG_URL" -XqAt -c "SELECT c.start_date, c.end_date FROM campaign c WHERE c.kind = 'key_period' \
      AND c.start_date <= '$LAST' AND c.end_date >= '$FIRST' AND c.active ORDER BY c.start_date, c.id")
    python3 "$ROOT/bench/summary_sql.py" postgres "$WORK/bare-statements.sql" "$FIRST" "$LAST" "$CUTOFF" "$root" "$kp"
    { echo '\timing on'; cat "$WORK/bare-statements.sql"; } >"$WORK/bare.sql"
  fi
  bench_start_server "$backend"
  TOKEN=$("$BIN" token create --username "$USERNAME" --database "$(bench_url_of "$backend")" </dev/null)
  : >"$WORK/bare-$backend.txt"
  for f in api-figures api-summary cli-json cli-docx; do : >"$WORK/$f-$backend.txt"; done
  for round in $(seq 0 "$RUNS"); do
    bench_log "round $round of $RUNS ($backend)"
    bare_once "$backend"
    a=$(api_once "/api/v1/reports/figures?period=$PERIOD" figures)
    b=$(api_once "/api/v1/reports/summary?period=$PERIOD" summary)
    c=$(cli_once "$backend" json)
    d=$(cli_once "$backend" docx)
    if ((round == 0)); then
      # The warm-up round: page cache and the server's connections; not counted.
      : >"$WORK/bare-$backend.txt"
      continue
    fi
    echo "$a" >>"$WORK/api-figures-$backend.txt"
    echo "$b" >>"$WORK/api-summary-$backend.txt"
    echo "$c" >>"$WORK/cli-json-$backend.txt"
    echo "$d" >>"$WORK/cli-docx-$backend.txt"
  done
  awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; print s }' "$WORK/bare-$backend.txt" >"$WORK/bare-sum-$backend.txt"
  R[$backend.statements]=$(awk 'NR == 1 { print NF }' "$WORK/bare-$backend.txt")
  read -r med max < <(bench_median <"$WORK/bare-sum-$backend.txt")
  # A failed bare run (no timings read) must not pass as an infinitely fast baseline.
  awk -v m="$med" 'BEGIN { exit !(m > 0) }' || { bench_log "no bare SQL timings ($backend)"; exit 1; }
  R[$backend.bare_med]=$med
  R[$backend.bare]="$med ms (max $max)"
  # Per statement: the median of each column, in the order of summary_sql.py.
  R[$backend.per_statement]=$(python3 -c '
import statistics, sys
rows = [[float(x) for x in l.split()] for l in open(sys.argv[1]) if l.strip()]
print(" + ".join("%.1f" % statistics.median(c) for c in zip(*rows)))' "$WORK/bare-$backend.txt")
  cell "$backend" api_figures "$WORK/api-figures-$backend.txt"
  cell "$backend" api_summary "$WORK/api-summary-$backend.txt"
  cell "$backend" cli_json "$WORK/cli-json-$backend.txt"
  cell "$backend" cli_docx "$WORK/cli-docx-$backend.txt"
  bench_log "figures ($backend): $(head -c 600 "$WORK/api-figures.json")"
  cp "$WORK/api-figures.json" "$WORK/figures-$backend.json"
  bench_stop "$SERVER_PID"
  SERVER_PID=""
done

echo
echo "### Summary of $PERIOD ($(date +%F), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), median of $RUNS rounds)"
echo
bench_table_head
bench_row "organisations" orgs
bench_row "hazards" hazards
bench_row "dataset: generation time" gen
bench_row "dataset: size" size
bench_row "bare SQL: statements" statements
bench_row "bare SQL: per statement (ms, medians)" per_statement
bench_row "bare SQL: sum, one after the other" bare
bench_row "API /api/v1/reports/figures (statistics)" api_figures
bench_row "API /api/v1/reports/summary (figures + text)" api_summary
bench_row "CLI report --format json (whole process)" cli_json
bench_row "CLI report --format docx (whole process)" cli_docx
