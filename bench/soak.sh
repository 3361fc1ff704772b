#!/usr/bin/env bash
# Soak (issue 8 item 2) with the backup drill (item 5) on the province-scale dataset; prints a
# markdown report for docs/benchmarks.md and fails (exit 1) on any error.
#
#   cargo build --release -p anjian-app -p anjian-bench && bash bench/soak.sh
#
# Per backend (SQLite file in a temp dir; PostgreSQL database anjian_bench_soak):
#   - builds the full shared dataset with anjian-gen (2,000 orgs, 200,000 inspections, 1,000,000
#     hazards, 200,000 risks, 1,000,000 ledger entries; accounts bench and bench_u1…8)
#   - starts the release binary (`anjian serve`) on it and runs anjian-soak: SOAK_SESSIONS signed-in
#     sessions (a quarter as the bureau supervisor `bench`, the rest as unit heads bench_u1…8), 80 %
#     page reads and 20 % writes (hazard registration, 五落实, evidence upload + submission,
#     verification by the bureau, ledger entries, duty log), for SOAK_DURATION seconds; every
#     request must succeed; p99 per route; server RSS every SOAK_RSS_EVERY s, growth after the
#     SOAK_WARMUP (mean of the last three samples over the mean of the first three) must stay
#     under SOAK_RSS_LIMIT %
#   - backup drill, SOAK_BACKUP_AT seconds into the soak, while it writes:
#       SQLite: `anjian backup FILE` (VACUUM INTO, the backup's own consistent snapshot), then after
#       the soak `anjian restore FILE` into a fresh data directory
#       PostgreSQL: the docs/deployment.md procedure, `pg_dump -Fc` (run inside an exported
#       snapshot that is also checksummed) and `pg_restore --no-owner` into anjian_bench_soak_restored
#     and proves the restore identical and verifiable (bench/drill.py): every table equal to the
#     backup's snapshot (counts and rows in key order), counts between those just before and just
#     after the backup, every creation the soak had acknowledged before the backup began present,
#     the audit log equal to the live log's prefix, `anjian audit verify` and the integrity check
#     (SQLite PRAGMA integrity_check; PostgreSQL: pg_restore --exit-on-error) pass.
#
# Environment: BENCH_BACKENDS ("sqlite postgres"), SOAK_DURATION (600), SOAK_SESSIONS (64),
# SOAK_WARMUP (120), SOAK_BACKUP_AT (SOAK_DURATION/2), SOAK_THINK_MS (0), SOAK_WRITE_PERCENT (20),
# SOAK_RSS_EVERY (10), SOAK_RSS_LIMIT (10), SOAK_DRILL (1; 0 skips the backup drill), SOAK_OUT (a
# directory to keep each backend's full JSON summary in),
# ANJIAN_BIN, ANJIAN_GEN, ANJIAN_SOAK (target/release/…), dataset sizes BENCH_ORGS BENCH_INSPECTIONS
# BENCH_HAZARDS BENCH_RISKS BENCH_LEDGERS (anjian-gen defaults), BENCH_PG_ADMIN, BENCH_PG_DB
# (anjian_bench_soak), BENCH_KEEP=1 keeps the databases, BENCH_REUSE=1 with BENCH_SQLITE_DB /
# BENCH_PG_DB soaks an existing dataset (which then grows by what the soak writes).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
DURATION="${SOAK_DURATION:-600}"
SESSIONS="${SOAK_SESSIONS:-64}"
WARMUP="${SOAK_WARMUP:-120}"
BACKUP_AT="${SOAK_BACKUP_AT:-$((DURATION / 2))}"
DRILL="${SOAK_DRILL:-1}"
SOAK="${ANJIAN_SOAK:-$ROOT/target/release/anjian-soak}"
[[ -x "$SOAK" ]] || { echo "no binary at $SOAK: cargo build --release -p anjian-bench" >&2; exit 1; }

bench_setup anjian_bench_soak anjian-soak
RESTORED_DB="${PG_DB}_restored"
declare -A R
FAILED=()
SOAK_PID=""
PG_HOLD_PID=""

bench_on_cleanup() {
  [[ -n "$SOAK_PID" ]] && kill "$SOAK_PID" 2>/dev/null
  [[ -n "$PG_HOLD_PID" ]] && kill "$PG_HOLD_PID" 2>/dev/null
  [[ -z "${BENCH_KEEP:-}" && " $BACKENDS " == *" postgres "* ]] && bench_drop_db "$RESTORED_DB"
  return 0
}

[[ " $BACKENDS " == *" postgres "* ]] && bench_ensure_pg

gen_args=()
for v in ORGS:orgs INSPECTIONS:inspections HAZARDS:hazards RISKS:risks LEDGERS:ledgers; do
  env="BENCH_${v%%:*}"
  [[ -n "${!env:-}" ]] && gen_args+=("--${v#*:}" "${!env}")
done

drill() { python3 "$ROOT/bench/drill.py" "$@"; }

# accounts BACKEND: the soak's accounts file (username, token, organisation, kind).
accounts() {
  local backend=$1 url out="$WORK/accounts-$1.tsv" user org
  url=$(bench_url_of "$backend")
  : >"$out"
  while IFS=$'\t' read -r user org; do
    [[ -n $user ]] || continue
    printf '%s\t%s\t%s\t%s\n' "$user" "$("$BIN" token create --username "$user" --database "$url" </dev/null)" \
      "$org" "$([[ $user == "$USERNAME" ]] && echo bureau || echo unit)" >>"$out"
  done < <(bench_sql_rows "$backend" "SELECT username, org_id FROM app_user WHERE username = '$USERNAME' OR username LIKE '${USERNAME}_u%' ORDER BY id")
  [[ $(grep -c $'\tunit$' "$out") -gt 0 ]] || { echo "no unit accounts ${USERNAME}_u…: generate with anjian-gen --unit-accounts" >&2; exit 1; }
}

# bench_sql_rows BACKEND QUERY: all rows, tab-separated.
bench_sql_rows() {
  if [[ $1 == sqlite ]]; then
    python3 -c 'import sqlite3, sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print("\t".join(map(str, r)))' "$SQLITE_DB" "$2"
  else
    psql "$PG_URL" -XqAt -F $'\t' -c "$2"
  fi
}

now_ms() { date +%s%3N; }

# backup BACKEND: the backup taken during the soak, with counts just before and after it.
backup() {
  local backend=$1 url t0
  url=$(bench_url_of "$backend")
  bench_log "backup drill ($backend): counts, backup, counts"
  drill counts "$url" >"$WORK/before-$backend.tsv"
  R[$backend.backup_start]=$(now_ms)
  t0=$SECONDS
  if [[ $backend == sqlite ]]; then
    "$BIN" backup "$WORK/backup.db" --database "$url" </dev/null >&2
    R[$backend.backup_size]="$(bench_mib $(($(stat -c %s "$WORK/backup.db") / 1024)))"
  else
    # The dump runs in a snapshot exported by a transaction held open meanwhile, so the snapshot
    # it wrote can be checksummed afterwards (importing the same snapshot) while writes go on.
    coproc PG_HOLD { psql "$PG_URL" -XqAt -v ON_ERROR_STOP=1 2>&1; }
    echo "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT pg_export_snapshot();" >&"${PG_HOLD[1]}"
    read -r PG_SNAPSHOT <&"${PG_HOLD[0]}"
    pg_dump -Fc --snapshot="$PG_SNAPSHOT" -d "$PG_URL" -f "$WORK/backup.dump"
    R[$backend.backup_size]="$(bench_mib $(($(stat -c %s "$WORK/backup.dump") / 1024)))"
  fi
  R[$backend.backup_secs]=$((SECONDS - t0))
  drill counts "$url" >"$WORK/after-$backend.tsv"
  if [[ $backend == postgres ]]; then
    bench_log "checksumming the dump's snapshot"
    drill checksums "$PG_URL" "$PG_SNAPSHOT" >"$WORK/snapshot-$backend.tsv"
    echo "COMMIT;" >&"${PG_HOLD[1]}"
    exec {PG_HOLD[1]}>&-
    wait "$PG_HOLD_PID" 2>/dev/null || true
    PG_HOLD_PID=""
  fi
}

# restore_check BACKEND: restore into a fresh place and prove it; appends to FAILED.
restore_check() {
  local backend=$1 restored_url t0 out="$WORK/drill-$backend.txt"
  t0=$SECONDS
  if [[ $backend == sqlite ]]; then
    mkdir -p "$WORK/restored"
    "$BIN" restore "$WORK/backup.db" --data-dir "$WORK/restored" </dev/null >&2
    restored_url="sqlite://$WORK/restored/anjian.db"
    drill checksums "sqlite://$WORK/backup.db" >"$WORK/snapshot-$backend.tsv"
  else
    bench_drop_db "$RESTORED_DB"
    psql "$PG_ADMIN" -XqAt -c "CREATE DATABASE \"$RESTORED_DB\"" >/dev/null
    restored_url="${PG_ADMIN%/*}/$RESTORED_DB"
    pg_restore --exit-on-error --no-owner -j 2 -d "$restored_url" "$WORK/backup.dump"
  fi
  R[$backend.restore_secs]=$((SECONDS - t0))
  drill checksums "$restored_url" >"$WORK/restored-$backend.tsv"
  {
    if "$BIN" audit verify --database "$restored_url" </dev/null >"$WORK/verify-$backend.txt" 2>&1; then
      echo "- \`anjian audit verify\` on the restored database: $(cat "$WORK/verify-$backend.txt")"
    else
      echo "- \`anjian audit verify\` FAILED: $(cat "$WORK/verify-$backend.txt")"
      FAILED+=("$backend: audit verify of the restored database")
    fi
    if [[ $backend == sqlite ]]; then
      local ic
      ic=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$WORK/restored/anjian.db")
      echo "- PRAGMA integrity_check of the restored database: $ic"
      [[ $ic == ok ]] || FAILED+=("$backend: integrity_check $ic")
    else
      echo "- pg_restore --exit-on-error: no error"
    fi
    drill compare --snapshot "$WORK/snapshot-$backend.tsv" --restored "$WORK/restored-$backend.tsv" \
      --restored-url "$restored_url" --before "$WORK/before-$backend.tsv" --after "$WORK/after-$backend.tsv" \
      --created "$WORK/created-$backend.tsv" --backup-start-ms "${R[$backend.backup_start]}" \
      --live-url "$(bench_url_of "$backend")" || FAILED+=("$backend: restored database differs")
  } >"$out"
  cat "$out" >&2
  [[ $backend == postgres && -z "${BENCH_KEEP:-}" ]] && bench_drop_db "$RESTORED_DB"
  return 0
}

soak() {
  local backend=$1 rc=0
  accounts "$backend"
  : >"$WORK/created-$backend.tsv"
  bench_log "soak ($backend): $SESSIONS sessions, $DURATION s"
  "$SOAK" --base "$BASE" --accounts "$WORK/accounts-$backend.tsv" --password "$PASSWORD" \
    --sessions "$SESSIONS" --duration "$DURATION" --warmup "$WARMUP" --pid "$SERVER_PID" \
    --rss-every "${SOAK_RSS_EVERY:-10}" --rss-limit "${SOAK_RSS_LIMIT:-10}" \
    --write-percent "${SOAK_WRITE_PERCENT:-20}" --think-ms "${SOAK_THINK_MS:-0}" \
    --created-log "$WORK/created-$backend.tsv" --json "$WORK/soak-$backend.json" \
    >/dev/null 2>"$WORK/soak-$backend.err" &
  SOAK_PID=$!
  if [[ $DRILL == 1 ]]; then
    # Sign-ins and pools take a few seconds: the backup is timed from the start of the load.
    sleep "$BACKUP_AT"
    backup "$backend"
  fi
  wait "$SOAK_PID" || rc=$?
  SOAK_PID=""
  cat "$WORK/soak-$backend.err" >&2
  [[ $rc == 0 ]] || FAILED+=("$backend: $(grep -m1 '^Error' "$WORK/soak-$backend.err" | cut -c1-300)")
  [[ -s "$WORK/soak-$backend.json" ]] || { FAILED+=("$backend: the soak client wrote no summary"); return; }
  # Every latency percentile and RSS sample, for a later look (the temp dir goes at exit).
  [[ -n "${SOAK_OUT:-}" ]] && mkdir -p "$SOAK_OUT" && cp "$WORK/soak-$backend.json" "$SOAK_OUT/"
  return 0
}

for backend in $BACKENDS; do
  bench_generate "$backend" "${gen_args[@]}"
  bench_start_server "$backend"
  soak "$backend"
  bench_stop "$SERVER_PID"
  SERVER_PID=""
  R[$backend.errors]="$(grep -c ' ERROR ' "$WORK/server-$backend.log" || true)"
  [[ ${R[$backend.errors]} == 0 ]] || FAILED+=("$backend: ${R[$backend.errors]} ERROR lines in the server log")
  grep ' ERROR ' "$WORK/server-$backend.log" | cut -c1-300 | sort | uniq -c | sort -rn | head -5 >&2 || true
  [[ $DRILL == 1 ]] && restore_check "$backend"
  if [[ $backend == postgres && -n $PG_CREATED && -z "${BENCH_KEEP:-}" ]]; then
    bench_drop_db "$PG_DB"
    PG_CREATED=""
  fi
done

# ------------------------------------------------------------------ report

COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "unknown")
# Said only when it is so: the figures then belong to the commit plus those changes.
DIRTY=""
[[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]] && DIRTY=" (plus uncommitted work in the tree)"
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "Measured $(date +%Y-%m-%d) on $(nproc) cores ($CPU), commit $COMMIT$DIRTY;"
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg). $SESSIONS sessions, ${DURATION} s, warm-up ${WARMUP} s."
for backend in $BACKENDS; do
  [[ -s "$WORK/soak-$backend.json" ]] || continue
  echo
  echo "#### $([[ $backend == sqlite ]] && echo SQLite || echo PostgreSQL)"
  echo
  echo "Dataset: generated in ${R[$backend.gen]:-?}, ${R[$backend.size]:-?}. ERROR lines in the server log: ${R[$backend.errors]}."
  python3 - "$WORK/soak-$backend.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
f = lambda v: "–" if v is None else f"{v:.1f}"
print(f"{s['requests']:,} requests in {s['seconds']:.0f} s ({s['requests_per_second']:.0f}/s), "
      f"{s['writes']:,} writes ({100 * s['write_share']:.1f} %), **{s['errors']} errors**; "
      f"all requests p50 {f(s['p50_ms'])} ms, p99 **{f(s['p99_ms'])} ms**.")
r = s.get("rss")
samples = s.get("rss_kib") or []
if samples:
    mib = lambda k: f"{k / 1024:.0f}"
    series = ", ".join(mib(k) for _, k in samples[:: max(1, len(samples) // 12)])
    print(f"RSS (MiB, sampled every ~{samples[1][0] - samples[0][0]:.0f} s, shown thinned): {series}.")
if r:
    print(f"RSS after the {s['rss_warmup_s']} s warm-up (means of the first and the last three samples): "
          f"{r['baseline_kib'] / 1024:.0f} → {r['end_kib'] / 1024:.0f} MiB, growth **{100 * r['growth']:.1f} %** "
          f"(limit {100 * r['limit']:.0f} %); peak {r['max_kib'] / 1024:.0f} MiB.")
print()
print("| route | requests | errors | p50 ms | p99 ms | max ms |")
print("|---|---|---|---|---|---|")
for x in s["routes"]:
    if x["route"] == "setup":
        continue
    print(f"| `{x['route']}` | {x['requests']:,} | {x['errors']} | {f(x['p50_ms'])} | **{f(x['p99_ms'])}** | {f(x['max_ms'])} |")
for m in s.get("error_messages", [])[:10]:
    print(f"- error ×{m['count']}: {m['message'][:200]}")
PY
  if [[ $DRILL == 1 && -f "$WORK/drill-$backend.txt" ]]; then
    echo
    echo "Backup drill: backup taken ${BACKUP_AT} s into the soak in ${R[$backend.backup_secs]:-?} s (${R[$backend.backup_size]:-?}), restored in ${R[$backend.restore_secs]:-?} s:"
    echo
    cat "$WORK/drill-$backend.txt"
  fi
done
if ((${#FAILED[@]})); then
  echo
  printf 'SOAK FAILED: %s\n' "${FAILED[@]}"
  exit 1
fi
