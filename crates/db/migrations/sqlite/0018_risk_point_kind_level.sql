-- The risk points list filtered by kind and level (e.g. 较大 · 作业活动) counted its matches by reading
-- the table in physical order: 28,000 rows for 1,000 matches, 6 ms per count on PostgreSQL and 63 ms
-- p99 for the page at 4 connections (docs/benchmarks.md, risk module, 2026-11-30). This index serves
-- the count's equalities (kind, level as the register orders it, active) directly: 1.6 ms.
CREATE INDEX risk_point_kind_level ON risk_point(kind, COALESCE(level_rank, 5), active);
