-- Hazard ledger indexes for a million rows. The ledger pages by found_on (newest first) under
-- filters on status, deadline, grade, campaign and organisation; each index below leads with a
-- filter column, continues with found_on, and carries the columns the other filters test, so a
-- page's ids are found from the index alone and only the 20 rows shown are read from the table
-- (measured: tests/it/hazard/perf.rs). They replace the narrower indexes of 0002, each of which
-- is a prefix of one here. `id` ends each key so PostgreSQL can answer from the index alone
-- (SQLite has it anyway as the rowid).
DROP INDEX hazard_found;
DROP INDEX hazard_status_deadline;
DROP INDEX hazard_org_found;
DROP INDEX hazard_campaign;
CREATE INDEX hazard_found_cover ON hazard(found_on, org_id, status, grade, deadline, deleted_at, id);
CREATE INDEX hazard_status_found ON hazard(status, found_on, org_id, deadline, deleted_at, rectified_by, id);
CREATE INDEX hazard_status_deadline ON hazard(status, deadline, found_on, org_id, deleted_at, id);
CREATE INDEX hazard_org_found ON hazard(org_id, found_on, status, deadline, grade, deleted_at, id);
CREATE INDEX hazard_grade_found ON hazard(grade, found_on, org_id, deleted_at, id);
CREATE INDEX hazard_campaign_found ON hazard(campaign_id, found_on, org_id, deleted_at, id);
