#!/usr/bin/env python3
"""Backup-drill checks shared by bench/soak.sh and .ci/pg-backup-drill.

A database is named by URL: sqlite:///path/anjian.db (read with Python's sqlite3, read-only) or
postgres://… (read with psql; no driver needed). Subcommands:

  counts URL                 "table<TAB>rows" for every table
  checksums URL [SNAPSHOT]   "table<TAB>rows<TAB>digest": a digest of each table's rows in primary-key
                             order (PostgreSQL: md5 of the rows' md5s; SQLite: blake2b of the rows),
                             optionally inside an exported PostgreSQL snapshot (pg_export_snapshot)
  compare …                  the drill's verdict, see `compare --help`

Digests compare a database with another of the same backend only.
"""

import argparse
import hashlib
import sqlite3
import subprocess
import sys


def sqlite_path(url):
    return url[len("sqlite://"):]


def sqlite_connect(url):
    # Read-only: the drill runs while the server writes; WAL lets this reader see a consistent
    # snapshot per transaction without blocking the writer.
    return sqlite3.connect(f"file:{sqlite_path(url)}?mode=ro", uri=True)


def psql(url, sql, stdin=None):
    out = subprocess.run(
        ["psql", url, "-XqAt", "-v", "ON_ERROR_STOP=1", "-F", "\t", "-c" if stdin is None else "-f",
         sql if stdin is None else "-"],
        input=stdin, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"psql failed: {out.stderr.strip()}")
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def sqlite_tables(con):
    """Regular tables (the FTS5 virtual table is skipped: its rows live in its shadow tables,
    which are regular tables and are compared), with the FTS shadow tables marked."""
    rows = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    virtual = [n for n, s in rows if (s or "").upper().startswith("CREATE VIRTUAL")]
    out = []
    for name, sql in rows:
        if name in virtual:
            continue
        shadow = any(name.startswith(v + "_") for v in virtual)
        out.append((name, shadow))
    return out


def pg_tables(url):
    return [r[0] for r in psql(url, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                    "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname")]


def counts(url):
    if url.startswith("sqlite://"):
        con = sqlite_connect(url)
        con.execute("BEGIN")
        out = [(t, con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0], shadow)
               for t, shadow in sqlite_tables(con)]
        con.close()
        return [(t, n) for t, n, shadow in out if not shadow]
    sql = "BEGIN ISOLATION LEVEL REPEATABLE READ;\n" + "".join(
        f"SELECT '{t}', COUNT(*) FROM \"{t}\";\n" for t in pg_tables(url)) + "COMMIT;\n"
    return [(r[0], int(r[1])) for r in psql(url, None, stdin=sql)]


def sqlite_order(con, table):
    info = con.execute(f'PRAGMA table_info("{table}")').fetchall()
    pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5] > 0]
    if pk:
        return ", ".join(f'"{c}"' for c in pk)
    without_rowid = "WITHOUT ROWID" in (con.execute(
        "SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0] or "").upper()
    return ", ".join(f'"{r[1]}"' for r in info) if without_rowid else "rowid"


def checksums(url, snapshot=None):
    if url.startswith("sqlite://"):
        con = sqlite_connect(url)
        con.execute("BEGIN")
        out = []
        for t, _ in sqlite_tables(con):
            h = hashlib.blake2b(digest_size=16)
            n = 0
            for row in con.execute(f'SELECT * FROM "{t}" ORDER BY {sqlite_order(con, t)}'):
                h.update(repr(row).encode())
                h.update(b"\n")
                n += 1
            out.append((t, n, h.hexdigest()))
        con.close()
        return out
    # One statement per table, generated from the catalogue (primary key columns in key order; a
    # table without one is ordered by its whole row) and run by \gexec in one transaction.
    begin = "BEGIN ISOLATION LEVEL REPEATABLE READ;\n"
    if snapshot:
        begin += f"SET TRANSACTION SNAPSHOT '{snapshot}';\n"
    sql = begin + r"""
SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(md5(t::text), '''' ORDER BY %s), '''')) FROM %I.%I t',
              c.relname,
              coalesce((SELECT string_agg(format('t.%I', a.attname), ', ' ORDER BY k.ord)
                        FROM pg_index i
                        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                        WHERE i.indrelid = c.oid AND i.indisprimary), 't::text'),
              n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
ORDER BY c.relname
\gexec
COMMIT;
"""
    return [(r[0], int(r[1]), r[2]) for r in psql(url, None, stdin=sql)]


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        return {p[0]: p[1:] for p in (line.rstrip("\n").split("\t") for line in f) if p and p[0]}


def audit_digest(url, max_id):
    """Digest of audit_log rows with id <= max_id, as checksums() computes a table's."""
    if url.startswith("sqlite://"):
        con = sqlite_connect(url)
        h = hashlib.blake2b(digest_size=16)
        for row in con.execute('SELECT * FROM audit_log WHERE id <= ? ORDER BY id', (max_id,)):
            h.update(repr(row).encode())
            h.update(b"\n")
        con.close()
        return h.hexdigest()
    return psql(url, f"SELECT md5(coalesce(string_agg(md5(t::text), '' ORDER BY t.id), '')) "
                     f"FROM audit_log t WHERE t.id <= {int(max_id)}")[0][0]


def present(url, table, ids):
    """How many of `ids` exist in `table` of the database."""
    found = 0
    for i in range(0, len(ids), 500):
        part = ids[i:i + 500]
        if url.startswith("sqlite://"):
            con = sqlite_connect(url)
            found += con.execute(
                f'SELECT COUNT(*) FROM "{table}" WHERE id IN ({",".join("?" * len(part))})', part).fetchone()[0]
            con.close()
        else:
            found += int(psql(url, f"SELECT COUNT(*) FROM \"{table}\" WHERE id IN ({','.join(str(int(x)) for x in part)})")[0][0])
    return found


def compare(a):
    failures = []
    snap, rest = read_tsv(a.snapshot), read_tsv(a.restored)
    # 1. The restored database is the backup's snapshot, table by table, row by row.
    differ = [t for t in sorted(set(snap) | set(rest)) if snap.get(t) != rest.get(t)]
    for t in differ:
        failures.append(f"{t}: snapshot {snap.get(t)} ≠ restored {rest.get(t)}")
    tables = len(rest)
    rows = sum(int(v[0]) for v in rest.values())
    print(f"- restored = backup snapshot: {tables - len(differ)} of {tables} tables identical "
          f"({rows:,} rows, counts and row digests in primary-key order)")
    # 2. The snapshot lies between the counts taken just before and just after the backup.
    if a.before and a.after:
        before, after = read_tsv(a.before), read_tsv(a.after)
        outside = []
        for t, (n, *_) in sorted(rest.items()):
            if t in before and t in after and not int(before[t][0]) <= int(n) <= int(after[t][0]):
                outside.append(f"{t}: {before[t][0]} ≤ {n} ≤ {after[t][0]} does not hold")
        grew = sum(1 for t in before if t in after and before[t][0] != after[t][0])
        failures += outside
        print(f"- counts before ≤ restored ≤ after the backup: {len(before) - len(outside)} of "
              f"{len(before)} tables ({grew} tables grew while the backup ran)")
    # 3. Every creation acknowledged before the backup started is in it.
    if a.created:
        acked = {}
        with open(a.created, encoding="utf-8") as f:
            for line in f:
                ms, table, id_ = line.split("\t")
                if int(ms) < a.backup_start_ms:
                    acked.setdefault(table, []).append(int(id_))
        parts = []
        for table, ids in sorted(acked.items()):
            n = present(a.restored_url, table, ids)
            parts.append(f"{table} {n}/{len(ids)}")
            if n != len(ids):
                failures.append(f"{table}: {len(ids) - n} acknowledged before the backup are missing")
        print(f"- acknowledged before the backup began, present after restore: {', '.join(parts) or 'none'}")
    # 4. The audit chain in the backup is the live chain's prefix, entry for entry.
    if a.live_url:
        n = int(rest.get("audit_log", ["0"])[0])
        if n:
            same = audit_digest(a.live_url, n) == audit_digest(a.restored_url, n)
            print(f"- audit_log of the backup = first {n:,} entries of the live log: {'yes' if same else 'NO'}")
            if not same:
                failures.append("audit_log differs from the live log's prefix")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures[:20]))
        return 1
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("counts")
    c.add_argument("url")
    c = sub.add_parser("checksums")
    c.add_argument("url")
    c.add_argument("snapshot", nargs="?")
    c = sub.add_parser("compare", help="exit status 1 unless every check holds")
    c.add_argument("--snapshot", required=True, help="checksums of the backup's own snapshot")
    c.add_argument("--restored", required=True, help="checksums of the restored database")
    c.add_argument("--restored-url", required=True)
    c.add_argument("--before", help="counts just before the backup began")
    c.add_argument("--after", help="counts just after it ended")
    c.add_argument("--created", help="the soak's log of acknowledged creations")
    c.add_argument("--backup-start-ms", type=int, default=0)
    c.add_argument("--live-url", help="the live database, for the audit-log prefix")
    a = p.parse_args()
    if a.cmd == "counts":
        for t, n in counts(a.url):
            print(f"{t}\t{n}")
    elif a.cmd == "checksums":
        for t, n, h in checksums(a.url, a.snapshot):
            print(f"{t}\t{n}\t{h}")
    else:
        sys.exit(compare(a))


if __name__ == "__main__":
    main()
