#!/usr/bin/env python3
"""Start-to-ready time and idle RSS of `anjian serve` on empty data.

    startup.py BIN RUNS [--database URL --pg-admin URL --pg-db NAME] [--idle SECONDS]

Each run spawns `BIN serve --data-dir <fresh empty dir> --listen 127.0.0.1:<free port>`
(plus `--database URL` for PostgreSQL, with the database NAME dropped and created anew
through psql on --pg-admin before the run), and measures the wall time from spawn until
GET /readyz answers 200. After the last run the server idles for --idle seconds and
VmRSS / VmHWM are read from /proc/PID/status.
Prints one JSON object on stdout.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/readyz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, val = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                out[key] = val.strip()
    return out


def kib(val):
    # "12345 kB" -> 12345
    return int(val.split()[0])


def psql(admin_url, sql):
    subprocess.run(["psql", admin_url, "-XqAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("runs", type=int)
    ap.add_argument("--database")
    ap.add_argument("--pg-admin")
    ap.add_argument("--pg-db")
    ap.add_argument("--idle", type=float, default=5.0)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()

    times_ms = []
    idle = None
    for i in range(args.runs):
        base = tempfile.mkdtemp(prefix="anjian-bench-start-")
        data_dir = os.path.join(base, "data")
        os.mkdir(data_dir)
        if args.database:
            psql(args.pg_admin, f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
            psql(args.pg_admin, f'CREATE DATABASE "{args.pg_db}"')
        port = free_port()
        cmd = [args.bin, "serve", "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}"]
        if args.database:
            cmd += ["--database", args.database]
        log = open(os.path.join(base, "server.log"), "wb")
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            while True:
                if ready(port):
                    elapsed = (time.monotonic() - t0) * 1000.0
                    break
                if proc.poll() is not None:
                    log.close()
                    sys.stderr.write(f"anjian exited with {proc.returncode} before ready: {' '.join(cmd)}\n")
                    sys.stderr.write(open(log.name, errors="replace").read()[-4000:])
                    sys.exit(1)
                if time.monotonic() - t0 > args.timeout:
                    sys.stderr.write(f"anjian not ready after {args.timeout}s: {' '.join(cmd)}\n")
                    sys.exit(1)
                time.sleep(0.002)
            times_ms.append(elapsed)
            if i == args.runs - 1:
                time.sleep(args.idle)
                st = proc_status(proc.pid)
                idle = {"rss_kib": kib(st["VmRSS"]), "hwm_kib": kib(st["VmHWM"]), "threads": int(st["Threads"])}
        finally:
            stop(proc)
            log.close()
            shutil.rmtree(base, ignore_errors=True)
    if args.database:
        psql(args.pg_admin, f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')

    print(json.dumps({
        "runs_ms": [round(t, 1) for t in times_ms],
        "median_ms": round(statistics.median(times_ms), 1),
        "min_ms": round(min(times_ms), 1),
        "max_ms": round(max(times_ms), 1),
        "idle": idle,
        "idle_seconds": args.idle,
    }))


if __name__ == "__main__":
    main()
