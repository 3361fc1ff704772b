# Shell helpers shared by the bench scripts (source it; it defines functions only).
# Every function talks to 127.0.0.1 only. Callers set `set -euo pipefail` themselves.

bench_log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

bench_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

bench_mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# Installs wrk from Debian when missing (the machine is rebuilt from the repository).
bench_ensure_wrk() {
  command -v wrk >/dev/null && return 0
  bench_log "installing wrk"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq wrk </dev/null >/dev/null
}

# Starts the local PostgreSQL cluster when it is not accepting connections.
bench_ensure_pg() {
  pg_isready -h 127.0.0.1 -q && return 0
  bench_log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || true
  for _ in $(seq 60); do pg_isready -h 127.0.0.1 -q && return 0; sleep 1; done
  return 1
}

# bench_wait_ready BASE PID [SECONDS]: waits for GET /readyz = 200 while PID lives.
bench_wait_ready() {
  local base=$1 pid=$2 deadline=$((SECONDS + ${3:-120}))
  until curl -fsS -o /dev/null --max-time 2 "$base/readyz" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { bench_log "server $pid exited"; return 1; }
    ((SECONDS < deadline)) || { bench_log "server $pid not ready after ${3:-120} s"; return 1; }
    sleep 0.2
  done
}

# bench_stop PID: TERM, up to 10 s, then KILL.
bench_stop() {
  local pid=$1
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# bench_hidden FILE NAME: value of the first <input name=NAME> in an HTML file.
bench_hidden() {
  python3 - "$1" "$2" <<'PY'
import sys
from html.parser import HTMLParser

class Find(HTMLParser):
    value = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == sys.argv[2] and self.value is None:
            self.value = a.get("value") or ""

f = Find()
f.feed(open(sys.argv[1], encoding="utf-8", errors="replace").read())
print(f.value or "")
PY
}

# bench_cookie_header JAR: a curl cookie jar as "Cookie: a=1; b=2" (for wrk -H).
bench_cookie_header() {
  printf 'Cookie: %s' "$(awk -F '\t' '
      /^#HttpOnly_/ { sub(/^#HttpOnly_/, "") }
      /^#/ || NF < 7 { next }
      { printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }' "$1")"
}

# bench_login BASE USER PASS JAR: signs in through the real login form (double-submit CSRF
# cookie + hidden field). Returns non-zero unless the form redirects.
bench_login() {
  local base=$1 user=$2 pass=$3 jar=$4 page csrf code
  page=$(mktemp)
  curl -fsS -c "$jar" -b "$jar" -o "$page" "$base/login"
  csrf=$(bench_hidden "$page" csrf_token)
  rm -f "$page"
  [[ -n "$csrf" ]] || { bench_log "no csrf_token on /login"; return 1; }
  code=$(curl -sS -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "username=$user" --data-urlencode "password=$pass" --data-urlencode "csrf_token=$csrf" \
    "$base/login")
  [[ $code == 30[0-9] ]] || { bench_log "POST /login answered $code"; return 1; }
}

# bench_wrk OUT URL [wrk args…]: runs wrk --latency and sets WRK_RPS WRK_P50 WRK_P99 WRK_NON2XX
# WRK_ERRORS from its report (also kept in OUT).
bench_wrk() {
  local out=$1 url=$2
  shift 2
  wrk --latency "$@" "$url" >"$out"
  WRK_RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  WRK_P50=$(awk '$1 == "50%" { print $2 }' "$out")
  WRK_P99=$(awk '$1 == "99%" { print $2 }' "$out")
  WRK_NON2XX=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  WRK_NON2XX=${WRK_NON2XX:-0}
  WRK_ERRORS=$(awk '/Socket errors:/ { sub(/.*Socket errors: */, ""); print }' "$out")
  WRK_ERRORS=${WRK_ERRORS:-none}
  WRK_REQUESTS=$(awk '/requests in/ { print $1 }' "$out")
  WRK_TIMEOUTS=$(awk '/Socket errors:/ { for (i = 1; i <= NF; i++) if ($i == "timeout") print $(i + 1) }' "$out")
  WRK_TIMEOUTS=${WRK_TIMEOUTS:-0}
}

# bench_median: median and max of numbers on stdin, as "median max".
bench_median() {
  python3 -c 'import statistics, sys; v = [float(x) for x in sys.stdin.read().split()]; print("%.1f %.1f" % (statistics.median(v), max(v)) if v else "? ?")'
}

# ------------------------------------------------------------------------------------------------
# Dataset, server and measurements shared by hazards.sh, ledgers.sh and soak.sh. They work on the
# caller's globals: ROOT, BACKENDS, and those bench_setup sets (BIN GEN WORK SQLITE_DB PG_ADMIN PG_DB
# PG_URL USERNAME PASSWORD SERVER_PID PG_CREATED); results go to the caller's `declare -A R` as
# R[backend.key].

# bench_setup PG_DB_DEFAULT WORK_PREFIX: binaries, temp dir, database names, and the EXIT trap
# (server stopped, created PostgreSQL database dropped, temp dir removed unless BENCH_KEEP=1; a
# caller's bench_on_cleanup function, if defined, runs first).
bench_setup() {
  BIN="${ANJIAN_BIN:-$ROOT/target/release/anjian}"
  GEN="${ANJIAN_GEN:-$ROOT/target/release/anjian-gen}"
  PG_ADMIN="${BENCH_PG_ADMIN:-postgres://postgres@127.0.0.1:5432/postgres}"
  PG_DB="${BENCH_PG_DB:-$1}"
  PG_URL="${PG_ADMIN%/*}/$PG_DB"
  USERNAME=bench
  PASSWORD='Ya-Ce-2026!'
  SERVER_PID=""
  PG_CREATED=""
  local b
  for b in "$BIN" "$GEN"; do
    [[ -x "$b" ]] || { echo "no binary at $b: cargo build --release -p anjian-app -p anjian-bench" >&2; exit 1; }
  done
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/$2.XXXXXX")
  SQLITE_DB="${BENCH_SQLITE_DB:-$WORK/sqlite/anjian.db}"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

bench_cleanup() {
  local rc=$?
  set +e
  declare -F bench_on_cleanup >/dev/null && bench_on_cleanup
  bench_stop "$SERVER_PID"
  if [[ -z "${BENCH_KEEP:-}" ]]; then
    [[ -n "$PG_CREATED" ]] && bench_drop_db "$PG_DB"
    rm -rf "$WORK"
  else
    bench_log "kept: $WORK (SQLite) and database $PG_DB"
  fi
  exit "$rc"
}

bench_drop_db() { psql "$PG_ADMIN" -XqAt -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null; }

bench_url_of() { [[ $1 == sqlite ]] && echo "sqlite://$SQLITE_DB" || echo "$PG_URL"; }

# bench_sql BACKEND QUERY: the first value of a query on the generated database.
bench_sql() {
  if [[ $1 == sqlite ]]; then
    python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
      "$SQLITE_DB" "$2"
  else
    psql "$PG_URL" -XqAt -c "$2"
  fi
}

# bench_settle BACKEND: before a timed write, on a PostgreSQL server with autovacuum off (this
# machine's CI configuration, conf.d/90-ci.conf), does what autovacuum does on any production
# server between changes minutes apart: VACUUM (ANALYZE) the database. Without it every earlier
# write of the run stays behind as dead rows: back-to-back re-grades each left ~90,000 dead risk
# rows and their index entries, and later runs read through all of them (4.1 → 8.0 s).
# Sets BENCH_SETTLED to what was done, for the results.
bench_settle() {
  BENCH_SETTLED="nothing (SQLite)"
  [[ $1 == postgres ]] || return 0
  if [[ $(psql "$PG_URL" -XqAt -c "SHOW autovacuum") == off ]]; then
    psql "$PG_URL" -Xq -c "VACUUM (ANALYZE)" >/dev/null
    BENCH_SETTLED="VACUUM (ANALYZE) before each timed write (the server's autovacuum is off)"
  else
    BENCH_SETTLED="nothing (the server's autovacuum is on)"
  fi
}

# bench_generate BACKEND [anjian-gen arguments…]: builds the dataset (PostgreSQL: database PG_DB,
# created here) and sets R[BACKEND.gen] (time) and R[BACKEND.size]. With BENCH_REUSE=1 an existing
# SQLite file SQLITE_DB or database PG_DB is measured instead (and never dropped).
bench_generate() {
  local backend=$1 out="$WORK/gen-$1.txt"
  shift
  if [[ -n "${BENCH_REUSE:-}" ]]; then
    if [[ $backend == sqlite && -f $SQLITE_DB ]]; then
      R[$backend.gen]="(reused)"
      R[$backend.size]="$(bench_mib $(($(stat -c %s "$SQLITE_DB") / 1024)))"
      return
    elif [[ $backend == postgres && $(psql "$PG_ADMIN" -XqAt -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") == 1 ]]; then
      R[$backend.gen]="(reused)"
      R[$backend.size]="$(psql "$PG_URL" -XqAt -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
      return
    fi
  fi
  if [[ $backend == postgres ]]; then
    bench_drop_db "$PG_DB"
    psql "$PG_ADMIN" -XqAt -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
    PG_CREATED=1
  fi
  bench_log "generating the dataset ($backend)"
  "$GEN" --database "$(bench_url_of "$backend")" --username "$USERNAME" --password "$PASSWORD" "$@" |
    tee "$out" >&2
  R[$backend.gen]="$(awk '/^time total:/ { print $3 " s" }' "$out")"
  R[$backend.size]="$(sed -n 's/^database size: \([^(]*\).*/\1/p' "$out" | sed 's/ *$//')"
}

# bench_start_server BACKEND: `anjian serve` on the dataset (log WORK/server-BACKEND.log), signed
# in as USERNAME through the login form; sets SERVER_PID, BASE, COOKIE (a wrk/curl header).
bench_start_server() {
  local backend=$1 port jar
  port=$(bench_free_port)
  mkdir -p "$WORK/data-$backend"
  "$BIN" serve --database "$(bench_url_of "$backend")" --data-dir "$WORK/data-$backend" \
    --listen "127.0.0.1:$port" >>"$WORK/server-$backend.log" 2>&1 </dev/null &
  SERVER_PID=$!
  BASE="http://127.0.0.1:$port"
  bench_wait_ready "$BASE" "$SERVER_PID" 300 || { tail -n 30 "$WORK/server-$backend.log" >&2; exit 1; }
  jar="$WORK/cookies-$backend.txt"
  rm -f "$jar"
  bench_login "$BASE" "$USERNAME" "$PASSWORD" "$jar"
  COOKIE=$(bench_cookie_header "$jar")
}

# bench_status PATH [OUT]: HTTP status of a signed-in GET.
bench_status() { curl -sS -o "${2:-/dev/null}" -w '%{http_code}' --max-time 120 -H "$COOKIE" "$BASE$1"; }

# bench_page BACKEND KEY LABEL PATH: one page under wrk — a BENCH warm-up, then CONNS connections
# for DURATION into R[BACKEND.KEY] and LOW_CONNS connections for LOW_DURATION (what one user waits
# when the server is not saturated) into R[BACKEND.KEY_low], as "p50 / **p99** / req/s". A route
# answering 404 is "n/a (route missing)". Uses THREADS CONNS WARMUP DURATION LOW_CONNS LOW_DURATION.
bench_page() {
  local backend=$1 key=$2 label=$3 path=$4 code extra
  code=$(bench_status "$path")
  if [[ $code == 404 ]]; then
    R[$backend.$key]="n/a (route missing)"
    return
  elif [[ $code != 200 ]]; then
    R[$backend.$key]="HTTP $code"
    return
  fi
  bench_log "wrk $label ($backend)"
  wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" -H "$COOKIE" "$BASE$path" >/dev/null
  # wrk's default 2 s timeout would hide slow pages: a request slower than 10 s counts as a
  # timeout and is reported as such.
  bench_wrk "$WORK/wrk-$backend-$key.txt" "$BASE$path" -t"$THREADS" -c"$CONNS" -d"$DURATION" \
    --timeout 10s -H "$COOKIE"
  cat "$WORK/wrk-$backend-$key.txt" >&2
  extra=""
  [[ $WRK_NON2XX != 0 ]] && extra=", $WRK_NON2XX non-2xx"
  [[ $WRK_TIMEOUTS != 0 ]] && extra="$extra, $WRK_TIMEOUTS of $((WRK_REQUESTS + WRK_TIMEOUTS)) timed out (> 10 s)"
  if [[ ${WRK_REQUESTS:-0} -le $WRK_TIMEOUTS ]]; then
    R[$backend.$key]="no request answered within 10 s$extra"
  else
    R[$backend.$key]="$WRK_P50 / **$WRK_P99** / $WRK_RPS$extra"
  fi
  bench_wrk "$WORK/wrk-low-$backend-$key.txt" "$BASE$path" -t1 -c"$LOW_CONNS" -d"$LOW_DURATION" \
    --timeout 10s -H "$COOKIE"
  if [[ ${WRK_REQUESTS:-0} -le $WRK_TIMEOUTS ]]; then
    R[$backend.${key}_low]="no request answered within 10 s"
  else
    R[$backend.${key}_low]="$WRK_P50 / **$WRK_P99** / $WRK_RPS"
  fi
}

# bench_time_api BACKEND KEY PATH TOKEN: STATS_RUNS sequential bearer-token GETs into R[BACKEND.KEY]
# as "median … ms, max **… ms**"; the first answer is kept in WORK/KEY-BACKEND.json.
bench_time_api() {
  local backend=$1 key=$2 path=$3 token=$4 code times="" med max
  code=$(curl -sS -o "$WORK/$key-$backend.json" -w '%{http_code}' -H "Authorization: Bearer $token" "$BASE$path")
  if [[ $code == 404 ]]; then
    R[$backend.$key]="n/a (route missing)"
    return
  elif [[ $code != 200 ]]; then
    R[$backend.$key]="HTTP $code"
    return
  fi
  for _ in $(seq "$STATS_RUNS"); do
    times+="$(curl -sS -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$BASE$path") "
  done
  read -r med max < <(for t in $times; do awk -v t="$t" 'BEGIN { print t * 1000 }'; done | bench_median)
  R[$backend.$key]="median $med ms, max **$max ms**"
  bench_log "$key ($backend): $(head -c 300 "$WORK/$key-$backend.json")"
}

# bench_row LABEL KEY: one markdown table row, a column per backend of BACKENDS.
bench_row() {
  local b
  printf '| %s |' "$1"
  for b in $BACKENDS; do printf ' %s |' "${R[$b.$2]:-–}"; done
  printf '\n'
}

# bench_table_head: the header of that table.
bench_table_head() {
  local b
  printf '|'
  printf ' |'
  for b in $BACKENDS; do printf ' %s |' "$([[ $b == sqlite ]] && echo SQLite || echo PostgreSQL)"; done
  printf '\n|---|'
  for b in $BACKENDS; do printf -- '---|'; done
  printf '\n'
}
