#!/usr/bin/env bash
# Risk-module benchmarks (issue 4) on a generated dataset; prints a markdown table for
# docs/benchmarks.md. Target: with 200,000 risks over 2,000 organisations, register page p99
# ≤ 50 ms, and re-grading everything after a settings change ≤ 5 s, on SQLite and PostgreSQL.
#
#   cargo build --release -p anjian-app -p anjian-bench && bash bench/risks.sh
#
# Per backend (SQLite file in a temp dir; PostgreSQL database anjian_bench_rk, created and dropped):
#   - builds orgs, checklists, campaigns and BENCH_RISKS risks (~50,000 risk points, versions and
#     control measures) with anjian-gen
#   - starts `anjian serve` on it, signs in through the login form as the generated `bench`
#     account (局监管人员, whole tree) and as `bench_u1` (head of the first unit, its subtree)
#   - wrk --latency, 64 connections, 2 threads, BENCH_DURATION after BENCH_WARMUP, per register
#     page (by risk and by point, no filter and typical filters), then 4 connections for
#     BENCH_LOW_DURATION
#   - re-grading: BENCH_REGRADE_RUNS (6) timed `PUT /api/v1/risk-settings` (bearer token) and
#     BENCH_FORM_RUNS (2) timed `POST /risks/settings` (the settings form, session + CSRF), each
#     switching between the default rules and a stricter set (LEC bound 20 → 5 and the 5–70 band
#     一般 instead of 低, LS minimums 20/15/9 → 16/12/8) that moves about a third of the risks and
#     most residual assessments. After every change the script checks that the work happened:
#     risks per level before/after, every risk's (residual) level recomputed here from its stored
#     method and score under the rules the API reports (0 mismatches), every point's cached level
#     equal to its active risks' highest, one `regrade` version per moved risk, one audit entry.
#     Before each change, on a PostgreSQL server with autovacuum off, the database is vacuumed
#     (bench_settle in lib.sh: what autovacuum does between changes minutes apart).
#
# Environment: ANJIAN_BIN, ANJIAN_GEN, BENCH_BACKENDS ("sqlite postgres"), BENCH_DURATION (20s),
# BENCH_WARMUP (3s), BENCH_LOW_DURATION (10s), BENCH_ORGS (2000), BENCH_RISKS (200000),
# BENCH_REGRADE_RUNS (6), BENCH_FORM_RUNS (2), BENCH_PARTS ("pages regrade"),
# BENCH_PG_ADMIN (postgres://postgres@127.0.0.1:5432/postgres), BENCH_PG_DB (anjian_bench_rk),
# BENCH_KEEP=1 keeps the databases; BENCH_REUSE=1 with BENCH_SQLITE_DB / BENCH_PG_DB measures an
# existing dataset instead of generating one (each re-grade adds its version rows to it).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-20s}"
WARMUP="${BENCH_WARMUP:-3s}"
LOW_CONNS=4
LOW_DURATION="${BENCH_LOW_DURATION:-10s}"
CONNS=64
THREADS=2
ORGS="${BENCH_ORGS:-2000}"
RISKS="${BENCH_RISKS:-200000}"
REGRADE_RUNS="${BENCH_REGRADE_RUNS:-6}"
FORM_RUNS="${BENCH_FORM_RUNS:-2}"
PARTS="${BENCH_PARTS:-pages regrade}"
PAGE_LIMIT_MS=50
REGRADE_LIMIT_S=5
# 熏蒸, percent-encoded for wrk and curl: the fumigation points' risks (one point kind in nine).
KEYWORD='%E7%86%8F%E8%92%B8'
# The rules the runs switch between: the defaults (GradingRules::default) and a stricter set.
RULES_A='{"lec_bounds":["20","70","160","320"],"lec_levels":["major","large","general","low","low"],"ls_min":[20,15,9],"tiers":["company","company","department","team"],"check_days":[7,15,30,90]}'
RULES_B='{"lec_bounds":["5","70","160","320"],"lec_levels":["major","large","general","general","low"],"ls_min":[16,12,8],"tiers":["company","company","department","team"],"check_days":[7,15,30,90]}'

bench_setup anjian_bench_rk anjian-rk
declare -A R
ANY_FAILED=""
LABELS=()

if [[ -z "${BENCH_REUSE:-}" && -n "${BENCH_SQLITE_DB:-}" && -e $SQLITE_DB && " $BACKENDS " == *" sqlite "* ]]; then
  echo "$SQLITE_DB exists: remove it, or set BENCH_REUSE=1 to measure it" >&2
  exit 1
fi

bench_ensure_wrk
[[ " $BACKENDS " == *" postgres "* ]] && bench_ensure_pg

part() { [[ " $PARTS " == *" $1 "* ]]; }

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# to_ms VALUE: a wrk latency ("850.00us", "12.34ms", "1.02s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
    printf "%.2f", n }'
}

# verdict KEY: appends PASS/FAIL to R[KEY] from its bold p99 against PAGE_LIMIT_MS.
verdict() {
  local v=${R[$1]:-} p99
  [[ $v == *'**'*'**'* ]] || return 0
  p99=${v#*\*\*}
  p99=${p99%%\*\**}
  if awk -v a="$(to_ms "$p99")" -v l="$PAGE_LIMIT_MS" 'BEGIN { exit !(a <= l) }'; then
    R[$1]="$v — PASS"
  else
    R[$1]="$v — **FAIL**"
  fi
}

pages() {
  local backend=$1 unit i=0 label who path
  unit=$(bench_sql "$backend" "SELECT MIN(id) FROM org WHERE kind = 'unit'")
  # who|label|path: `bench` sees the whole tree, `bench_u1` its unit's subtree.
  local routes=(
    "bench|register, whole tree (局监管人员)|/risks"
    "bench|register, 重大 only|/risks?level=major"
    "bench|register, keyword 熏蒸|/risks?keyword=$KEYWORD"
    "bench|register, one unit's subtree (org filter)|/risks?org_id=$unit"
    "bench|risk points, whole tree|/risk-points"
    "bench|risk points, 较大 作业活动|/risk-points?level=large&kind=activity"
    "unit|register, unit head (own subtree)|/risks"
    "unit|register, unit head, 一般 only|/risks?level=general"
    "unit|risk points, unit head|/risk-points"
  )
  local supervisor=$COOKIE
  LABELS=()
  for r in "${routes[@]}"; do
    who=${r%%|*}
    label=${r#*|}
    path=${label#*|}
    label=${label%%|*}
    LABELS+=("$label")
    [[ $who == unit ]] && COOKIE=$UNIT_COOKIE || COOKIE=$supervisor
    bench_page "$backend" "p$i" "$label" "$path"
    verdict "$backend.p$i"
    verdict "$backend.p${i}_low"
    i=$((i + 1))
  done
  COOKIE=$supervisor
}

# grades BACKEND RULES_JSON: every risk's level and residual level recomputed from its stored
# (method, score) under RULES_JSON — GradingRules::level_of written again here, independently of
# the server's SQL — and compared with what is stored; prints
# "mismatches residual_mismatches major large general low".
grades() {
  python3 - "$1" "$([[ $1 == sqlite ]] && echo "$SQLITE_DB" || echo "$PG_URL")" "$2" <<'PY'
import json, subprocess, sqlite3, sys

backend, where, rules = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
RANK = {"major": 1, "large": 2, "general": 3, "low": 4}

def hundredths(s):
    i, _, f = s.strip().partition(".")
    return int(i) * 100 + int((f + "00")[:2])

b = [hundredths(x) for x in rules["lec_bounds"]]
lv = [RANK[x] for x in rules["lec_levels"]]
m = rules["ls_min"]

def level(method, score):
    if method == "lec":
        for i, bound in enumerate([b[3], b[2], b[1], b[0]]):
            if score > bound:
                return lv[i]
        return lv[4]
    if method == "ls":
        for i, least in enumerate(m):
            if score >= least:
                return i + 1
        return 4
    return 1

sql = ("SELECT method, score, level_rank, COALESCE(residual_method, ''), COALESCE(residual_score, 0), "
       "COALESCE(residual_level_rank, 0) FROM risk")
if backend == "sqlite":
    rows = sqlite3.connect(where).execute(sql).fetchall()
else:
    out = subprocess.run(["psql", where, "-XqAt", "-F", ",", "-c", sql], check=True,
                         capture_output=True, text=True).stdout
    rows = [(a, int(s), int(l), ra, int(rs), int(rl))
            for a, s, l, ra, rs, rl in (line.split(",") for line in out.splitlines() if line)]
bad = bad_res = 0
counts = [0, 0, 0, 0]
for method, score, rank, rmethod, rscore, rrank in rows:
    bad += level(method, score) != rank
    bad_res += bool(rmethod) and level(rmethod, rscore) != rrank
    counts[rank - 1] += 1
print(bad, bad_res, *counts)
PY
}

# Points whose cached level is not the highest level of their active risks.
stale_points() {
  bench_sql "$1" "SELECT COUNT(*) FROM risk_point p WHERE COALESCE(p.level_rank, 0) <> \
    COALESCE((SELECT MIN(r.level_rank) FROM risk r WHERE r.risk_point_id = p.id AND r.active = TRUE), 0)"
}

# settings_now TOKEN: "row_version ls_min0" of the rules in force (GET /api/v1/risk-settings);
# the rules themselves go to WORK/rules.json.
settings_now() {
  curl -fsS -H "Authorization: Bearer $1" "$BASE/api/v1/risk-settings" |
    python3 -c 'import json, sys
s = json.load(sys.stdin)
json.dump(s["rules"], open(sys.argv[1], "w"))
print(s["row_version"], s["rules"]["ls_min"][0])' "$WORK/rules.json"
}

# one_change BACKEND HOW RUN TOKEN: one timed rule change through HOW (api | form) to the set not
# in force, then the checks; appends the seconds to WORK/times-BACKEND-HOW and a line to
# WORK/checks-BACKEND. Sets FAILED on any check that does not hold.
one_change() {
  local backend=$1 how=$2 run=$3 token=$4 version ls0 target name before after v0 v1 a0 a1 res code secs
  read -r version ls0 < <(settings_now "$token")
  if [[ $ls0 == 20 ]]; then target=$RULES_B name=stricter; else target=$RULES_A name=default; fi
  before=$(grades "$backend" "$(cat "$WORK/rules.json")")
  bench_settle "$backend"
  R[$backend.settled]=$BENCH_SETTLED
  v0=$(bench_sql "$backend" "SELECT COUNT(*) FROM risk_version WHERE kind = 'regrade'")
  a0=$(bench_sql "$backend" "SELECT COUNT(*) FROM audit_log WHERE entity = 'risk_settings'")
  if [[ $how == api ]]; then
    python3 -c 'import json, sys
print(json.dumps({"rules": json.loads(sys.argv[1]), "reason": sys.argv[2], "row_version": int(sys.argv[3])}))' \
      "$target" "压测：切换为${name}分级标准（第${run}次）" "$version" >"$WORK/body.json"
    res=$(curl -sS -o "$WORK/regrade-$backend.json" -w '%{http_code} %{time_total}' --max-time 300 -X PUT \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data-binary "@$WORK/body.json" "$BASE/api/v1/risk-settings")
  else
    bench_status /risks/settings "$WORK/settings-$backend.html" >/dev/null
    local csrf fields
    csrf=$(bench_hidden "$WORK/settings-$backend.html" csrf_token)
    # The form's fields exactly as a person fills them in: every bound, level, minimum, tier and
    # interval, the reason, the version the page showed and the CSRF token.
    fields=$(python3 -c 'import json, sys, urllib.parse
r = json.loads(sys.argv[1])
f = [("csrf_token", sys.argv[2]), ("row_version", sys.argv[3]), ("reason", sys.argv[4])]
f += [("lec_bound%d" % i, v) for i, v in enumerate(r["lec_bounds"])]
f += [("lec_level%d" % i, v) for i, v in enumerate(r["lec_levels"])]
f += [("ls_min%d" % i, str(v)) for i, v in enumerate(r["ls_min"])]
f += [("tier%d" % i, v) for i, v in enumerate(r["tiers"])]
f += [("check_days%d" % i, str(v)) for i, v in enumerate(r["check_days"])]
print(urllib.parse.urlencode(f))' "$target" "$csrf" "$(bench_hidden "$WORK/settings-$backend.html" row_version)" \
      "压测：切换为${name}分级标准（表单，第${run}次）")
    res=$(curl -sS -o "$WORK/regrade-$backend.html" -D "$WORK/regrade-$backend.headers" \
      -w '%{http_code} %{time_total}' --max-time 300 -H "$COOKIE" \
      -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "$fields" "$BASE/risks/settings")
    sed -n 's/^[Ll]ocation: *//p' "$WORK/regrade-$backend.headers" | tr -d '\r' >"$WORK/regrade-$backend.json"
  fi
  code=${res%% *}
  secs=${res#* }
  read -r version ls0 < <(settings_now "$token")
  after=$(grades "$backend" "$(cat "$WORK/rules.json")")
  v1=$(bench_sql "$backend" "SELECT COUNT(*) FROM risk_version WHERE kind = 'regrade'")
  a1=$(bench_sql "$backend" "SELECT COUNT(*) FROM audit_log WHERE entity = 'risk_settings'")
  local stale answer
  stale=$(stale_points "$backend")
  answer=$(head -c 200 "$WORK/regrade-$backend.json")
  # before/after: "mismatches residual_mismatches major large general low".
  local b=($before) a=($after) ok=yes
  [[ ${b[0]} == 0 && ${b[1]} == 0 ]] || ok="no (${b[0]} levels, ${b[1]} residual levels wrong before the change)"
  [[ $code == 200 || ($how == form && $code == 303) ]] || ok="no (HTTP $code: $answer)"
  [[ ${a[0]} == 0 && ${a[1]} == 0 ]] || ok="no (${a[0]} levels, ${a[1]} residual levels wrong)"
  [[ "${b[*]:2}" != "${a[*]:2}" ]] || ok="no (no risk changed level)"
  [[ $stale == 0 ]] || ok="no ($stale points with a stale level)"
  [[ $((a1 - a0)) == 1 ]] || ok="no ($((a1 - a0)) audit entries)"
  ((v1 > v0)) || ok="no (no regrade version written)"
  [[ $ok == yes ]] || { FAILED=1; ANY_FAILED=1; }
  echo "$secs" >>"$WORK/times-$backend-$how"
  printf '%s %s run %s → %s rules: HTTP %s, %.2f s; risks by level 重大/较大/一般/低 %s/%s/%s/%s → %s/%s/%s/%s; %s regrade versions; answer %s; checks: %s\n' \
    "$backend" "$how" "$run" "$name" "$code" "$secs" "${b[2]}" "${b[3]}" "${b[4]}" "${b[5]}" \
    "${a[2]}" "${a[3]}" "${a[4]}" "${a[5]}" "$((v1 - v0))" "$answer" "$ok" | tee -a "$WORK/checks-$backend" >&2
  [[ $run == 1 && $how == api ]] && R[$backend.levels]="${b[2]}/${b[3]}/${b[4]}/${b[5]} → ${a[2]}/${a[3]}/${a[4]}/${a[5]} ($answer)"
  return 0
}

# regrade_row BACKEND HOW: "median … s, max **… s** (n runs) — PASS/FAIL".
regrade_row() {
  local med max
  [[ -s "$WORK/times-$1-$2" ]] || return 0
  local n
  n=$(wc -l <"$WORK/times-$1-$2")
  read -r med max < <(python3 -c 'import statistics, sys
v = [float(x) for x in open(sys.argv[1]).read().split()]
print("%.2f %.2f" % (statistics.median(v), max(v)))' "$WORK/times-$1-$2")
  if awk -v a="$max" -v l="$REGRADE_LIMIT_S" 'BEGIN { exit !(a <= l) }'; then
    R[$1.regrade_$2]="median $med s, max **$max s** ($n runs) — PASS"
  else
    R[$1.regrade_$2]="median $med s, max **$max s** ($n runs) — **FAIL**"
  fi
}

regrade() {
  local backend=$1 token run
  token=$("$BIN" token create --username "$USERNAME" --database "$(bench_url_of "$backend")" </dev/null)
  rm -f "$WORK/times-$backend-api" "$WORK/times-$backend-form" "$WORK/checks-$backend"
  FAILED=""
  for run in $(seq "$REGRADE_RUNS"); do one_change "$backend" api "$run" "$token"; done
  for run in $(seq "$FORM_RUNS"); do one_change "$backend" form "$run" "$token"; done
  regrade_row "$backend" api
  regrade_row "$backend" form
  R[$backend.checks]=$([[ -z $FAILED ]] && echo "all held ($((REGRADE_RUNS + FORM_RUNS)) changes)" || echo "**FAILED** (see the log)")
}

for backend in $BACKENDS; do
  bench_generate "$backend" --orgs "$ORGS" --risks "$RISKS" --stages orgs,checklists,campaigns,risks
  R[$backend.rows]="$(bench_sql "$backend" "SELECT COUNT(*) FROM risk") risks, $(bench_sql "$backend" "SELECT COUNT(*) FROM risk_point") points"
  R[$backend.load]="$(loadavg)"
  bench_start_server "$backend"
  jar="$WORK/cookies-unit-$backend.txt"
  bench_login "$BASE" "${USERNAME}_u1" "$PASSWORD" "$jar"
  UNIT_COOKIE=$(bench_cookie_header "$jar")
  part pages && pages "$backend"
  part regrade && regrade "$backend"
  R[$backend.load]="${R[$backend.load]} → $(loadavg)"
  bench_stop "$SERVER_PID"
  SERVER_PID=""
  R[$backend.errors]="$(grep -c ' ERROR ' "$WORK/server-$backend.log" || true)"
  grep ' ERROR ' "$WORK/server-$backend.log" | cut -c1-300 | sort | uniq -c | sort -rn | head -5 >&2 || true
  if [[ $backend == postgres && -n $PG_CREATED && -z "${BENCH_KEEP:-}" ]]; then
    bench_drop_db "$PG_DB"
    PG_CREATED=""
  fi
done

echo
echo "### Risks ($(date +%F), $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores)"
echo
bench_table_head
bench_row "dataset" rows
bench_row "dataset: generation time" gen
bench_row "dataset: size" size
bench_row "load average (1/5/15 min) before → after" load
for i in "${!LABELS[@]}"; do
  bench_row "${LABELS[$i]}: p50 / p99 / req/s ($CONNS conns; p99 ≤ $PAGE_LIMIT_MS ms)" "p$i"
  bench_row "${LABELS[$i]}: p50 / p99 / req/s ($LOW_CONNS conns)" "p${i}_low"
done
if part regrade; then
  bench_row "re-grade everything, PUT /api/v1/risk-settings (≤ $REGRADE_LIMIT_S s)" regrade_api
  bench_row "re-grade everything, settings form POST /risks/settings (≤ $REGRADE_LIMIT_S s)" regrade_form
  bench_row "first change: risks by level 重大/较大/一般/低 before → after (answer)" levels
  bench_row "checks after every change (levels recomputed, points, versions, audit)" checks
  bench_row "before each change (PostgreSQL: dead rows of the earlier ones)" settled
fi
bench_row "ERROR lines in the server log" errors
for backend in $BACKENDS; do
  [[ -s "$WORK/checks-$backend" ]] && { echo; sed 's/^/    /' "$WORK/checks-$backend"; }
done
# A re-grade whose effect could not be verified fails the run, whatever its time.
[[ -z ${ANY_FAILED:-} ]]
