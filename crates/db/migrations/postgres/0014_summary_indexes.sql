-- Covering indexes for the pages that sum the ledgers, count risk points to re-assess and give
-- the summary's risk figures over the whole tree (issue 8's soak: 0.3–6 s a page on the
-- province dataset before, see docs/benchmarks.md "After the fixes"). Each lets its query read
-- one index and no table rows.

-- Per kind: the funding list's count and total, the quarterly-meeting board (category), the
-- responsibility-letter board (year; `id` for its first entry, so PostgreSQL reads the index only).
CREATE INDEX ledger_entry_kind_cover ON ledger_entry(kind, entry_date, org_id, deleted_at, category, year, amount_fen, id);
-- A period of every ledger at once: the ledgers overview and the summary's figures.
CREATE INDEX ledger_entry_period ON ledger_entry(entry_date, org_id, kind, category, deleted_at, amount_fen, hours_tenths, participants);
-- The drill board: the last drill per organisation and plan type.
CREATE INDEX ledger_entry_drill ON ledger_entry(kind, plan_type, org_id, entry_date, deleted_at);
-- The few hazards linked to a risk point, by date: the home page's count of points to
-- re-assess starts from those found in the window instead of every hazard of the window.
CREATE INDEX hazard_linked_found ON hazard(found_on, risk_point_id) WHERE risk_point_id IS NOT NULL;
-- The summary's risk figures: has the risk an assessment dated on or before the period's end,
-- answered from the index for each of a province's 200,000 risks.
CREATE INDEX risk_version_assessed ON risk_version(risk_id, kind, assessed_on);
