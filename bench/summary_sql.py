#!/usr/bin/env python3
"""The bare SQL aggregate statements behind the figures of the summary (issue 7), for bench/summary.sh.

    summary_sql.py sqlite PATH FIRST LAST CUTOFF     (times the statements once, prints JSON)
    summary_sql.py postgres FILE FIRST LAST CUTOFF ROOT_PATH KEY_PERIODS   (writes them for psql)

The statements are those of crates/db/src/statistics, report/mod.rs, risk, ledger/stats and
incident/stats with the period bounds written in as literals and no application logic around
them: no organisation look-ups, no scope resolution, no campaign names, no roll-up in Rust. Where
the application's statement does more than the summary's figures need, the bare one is the
narrower one (so the comparison is strict):
  - ledger totals: GROUP BY e.kind (the application groups by organisation and kind, for the
    per-unit table the summary does not print);
  - accidents, deaths, injuries: one COUNT/SUM over incident (the application reads the rows and
    adds them up, and also reads duty figures the summary does not print).
Statements not counted (not aggregates, or fixed-size look-ups): the bureau's name and path, the
span's organisation count, the campaign names, the list of key-period campaigns (read here once,
outside the timing, to know the key-period bounds), the list of units and of organisations for the
drill board and the ledger roll-up, the funding categories and the per-category funding sums.
"""
import datetime as dt
import json
import sqlite3
import sys
import time


def statements(first, last, cutoff, like, true, key_periods):
    """[(label, sql)] for one period; `like` is the bureau's path + '%', `true` the boolean literal."""
    insp = (
        f"FROM inspection i WHERE i.deleted_at IS NULL AND i.inspected_on >= '{first}' "
        f"AND i.inspected_on <= '{last}'"
    )
    hz = f"h.deleted_at IS NULL AND h.found_on >= '{first}' AND h.found_on <= '{last}'"
    out = [
        (
            "inspections by kind and campaign, illegal operations",
            f"SELECT i.kind, i.campaign_id, COUNT(*), COUNT(CASE WHEN i.illegal_operation = {true} "
            f"THEN 1 END) {insp} GROUP BY i.kind, i.campaign_id",
        ),
        (
            "inspected units",
            f"SELECT COUNT(DISTINCT u.id) FROM (SELECT DISTINCT i.org_id {insp}) x "
            "JOIN org o ON o.id = x.org_id JOIN org u ON u.kind = 'unit' AND o.path LIKE u.path || '%'",
        ),
        (
            "hazards found/rectified/open/overdue by grade and campaign",
            "SELECT h.grade, h.campaign_id, COUNT(*), "
            f"COUNT(CASE WHEN (h.status = 'closed' AND h.verified_on <= '{last}') THEN 1 END), "
            f"COUNT(CASE WHEN (h.status <> 'closed' OR h.verified_on > '{last}') THEN 1 END), "
            f"COUNT(CASE WHEN (h.status IN ('pending', 'rectifying') AND h.deadline < '{cutoff}') THEN 1 END) "
            f"FROM hazard h WHERE {hz} GROUP BY h.grade, h.campaign_id",
        ),
        (
            "major hazards listed",
            "SELECT COUNT(*) FROM hazard_listing l CROSS JOIN hazard h WHERE h.id = l.hazard_id "
            f"AND l.listed_on >= '{first}' AND l.listed_on <= '{last}' AND {hz}",
        ),
    ]
    for n, (a, b) in enumerate(key_periods):
        out.append(
            (
                f"inspections around key period {n + 1}",
                "SELECT COUNT(*) FROM inspection i JOIN org o ON o.id = i.org_id "
                f"WHERE o.path LIKE '{like}' AND i.inspected_on >= '{a}' AND i.inspected_on <= '{b}'",
            )
        )
    out += [
        (
            "risk points, major risks, major risks without a responsible person",
            "SELECT COUNT(DISTINCT r.risk_point_id), COUNT(CASE WHEN r.level_rank = 1 THEN 1 END), "
            "COUNT(CASE WHEN r.level_rank = 1 AND p.responsible_user_id IS NULL "
            "AND p.responsible_name = '' THEN 1 END) "
            "FROM risk_point p CROSS JOIN risk r JOIN org o ON o.id = r.org_id "
            f"WHERE r.risk_point_id = p.id AND o.path LIKE '{like}' AND r.active = {true} "
            f"AND p.active = {true} AND EXISTS (SELECT 1 FROM risk_version v "
            f"WHERE v.risk_id = r.id AND v.kind = 'assessment' AND v.assessed_on <= '{last}')",
        ),
        (
            "ledger totals by kind (funding, trainings, publicity, drills, meetings, letters)",
            "SELECT e.kind, COUNT(*), CAST(SUM(e.amount_fen) AS BIGINT) "
            "FROM ledger_entry e JOIN org o ON o.id = e.org_id "
            f"WHERE e.deleted_at IS NULL AND e.entry_date >= '{first}' AND e.entry_date <= '{last}' "
            f"AND o.path LIKE '{like}' GROUP BY e.kind",
        ),
        (
            "fire and flood drills",
            "SELECT COUNT(*) FROM ledger_entry e JOIN org o ON o.id = e.org_id "
            f"WHERE e.kind = 'drill' AND e.deleted_at IS NULL AND o.path LIKE '{like}' "
            f"AND e.entry_date >= '{first}' AND e.entry_date <= '{last}' "
            "AND (e.category LIKE '%火%' OR e.category LIKE '%汛%')",
        ),
        (
            "last drill per organisation and plan type (units overdue)",
            "SELECT e.org_id, e.plan_type, MAX(e.entry_date) FROM ledger_entry e JOIN org o ON o.id = e.org_id "
            "WHERE e.kind = 'drill' AND e.deleted_at IS NULL "
            f"AND e.plan_type IN ('comprehensive', 'special', 'onsite') AND o.path LIKE '{like}' "
            "GROUP BY e.org_id, e.plan_type",
        ),
    ]
    return out


def incident_statement(like, start, end):
    return (
        "accidents, deaths, injuries",
        "SELECT COUNT(*), SUM(i.deaths), SUM(i.serious_injuries + i.minor_injuries) "
        "FROM incident i JOIN org o ON o.id = i.org_id "
        f"WHERE o.path LIKE '{like}' AND i.event_kind = 'accident' "
        f"AND i.occurred_at >= {start} AND i.occurred_at < {end}",
    )


def shanghai_midnight_utc(day):
    """Midnight in Shanghai (UTC+8, no DST) of `day` as a UTC datetime."""
    return dt.datetime.combine(day, dt.time.min) - dt.timedelta(hours=8)


def key_period_bounds(rows, first, last):
    """The windows the summary counts inspections in: each key period overlapping the period,
    from a week before its start, clipped to the period (report/mod.rs)."""
    out = []
    for start, end in rows:
        s = dt.date.fromisoformat(str(start)[:10])
        e = dt.date.fromisoformat(str(end)[:10])
        a = max(s - dt.timedelta(days=7), first)
        b = min(e, last)
        out.append((a.isoformat(), b.isoformat()))
    return out


KEY_PERIODS = (
    "SELECT c.start_date, c.end_date FROM campaign c WHERE c.kind = 'key_period' "
    "AND c.start_date <= '{last}' AND c.end_date >= '{first}' AND c.active = {true} "
    "ORDER BY c.start_date, c.id"
)
ROOT = "SELECT path FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1"


def main():
    backend, target, first, last, cutoff = sys.argv[1:6]
    first_d, last_d = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    end_d = last_d + dt.timedelta(days=1)
    if backend == "sqlite":
        con = sqlite3.connect(target)
        root = con.execute(ROOT).fetchone()[0]
        kp = con.execute(KEY_PERIODS.format(first=first, last=last, true=1)).fetchall()
        # sqlx stores a DateTime<Utc> on SQLite as RFC 3339 text ("2024-12-31T16:00:00+00:00").
        fmt = "%Y-%m-%dT%H:%M:%S+00:00"
        start = "'" + shanghai_midnight_utc(first_d).strftime(fmt) + "'"
        end = "'" + shanghai_midnight_utc(end_d).strftime(fmt) + "'"
        stmts = statements(first, last, cutoff, root + "%", 1, key_period_bounds(kp, first_d, last_d))
        stmts.append(incident_statement(root + "%", start, end))
        times = []
        for label, sql in stmts:
            t0 = time.perf_counter()
            rows = con.execute(sql).fetchall()
            times.append((label, (time.perf_counter() - t0) * 1000, len(rows)))
        print(json.dumps({"total_ms": sum(t for _, t, _ in times), "statements": times}, ensure_ascii=False))
    else:
        # PostgreSQL: no driver in the standard library; the caller runs the file with psql
        # \timing. The root path and the key periods (psql -XqAt output) are arguments 6 and 7.
        root = sys.argv[6]
        kp = [tuple(line.split("|")) for line in sys.argv[7].splitlines() if line.strip()]
        start = "'" + shanghai_midnight_utc(first_d).isoformat() + "+00:00'"
        end = "'" + shanghai_midnight_utc(end_d).isoformat() + "+00:00'"
        stmts = statements(first, last, cutoff, root + "%", "TRUE", key_period_bounds(kp, first_d, last_d))
        stmts.append(incident_statement(root + "%", start, end))
        with open(target, "w", encoding="utf-8") as f:
            for label, sql in stmts:
                f.write(f"-- {label}\n{sql};\n")


if __name__ == "__main__":
    main()
