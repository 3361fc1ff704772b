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
