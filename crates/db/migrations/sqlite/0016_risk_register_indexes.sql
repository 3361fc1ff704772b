-- The risk register at province scale (issue 4: 200,000 risks over 2,000 organisations, register
-- page p99 ≤ 50 ms; bench/risks.sh, docs/benchmarks.md).

-- The list of risk points in its own order (highest level first, unassessed last, then
-- organisation, name, id): the whole tree's first page reads 20 entries here instead of sorting
-- every point. The expression must stay exactly `COALESCE(level_rank, 5)`, as
-- `risk::register::POINT_ORDER` and the level filter write it; `active` and `kind` let the
-- counts of the level and kind filters read this index alone. Not led by `active`, so a query
-- for a few organisations keeps `risk_point_org`.
CREATE INDEX risk_point_order ON risk_point(COALESCE(level_rank, 5), org_id, name, id, active, kind);
-- The deactivated points (few): the register leaves their risks out by reading these once per
-- statement instead of joining every risk to its point. Partial, so only the literal
-- `active = FALSE` of that probe can use it, never the lists of active points.
CREATE INDEX risk_point_inactive ON risk_point(active) WHERE active = FALSE;
