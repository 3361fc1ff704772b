-- Hazard ledger search and statistics (issue 3 performance). The keyword filter matches description, location and
-- category by substring (LIKE '%k%'), which scanned every hazard. pg_trgm's GIN indexes serve LIKE
-- patterns with three or more characters; PostgreSQL rechecks every candidate against the LIKE, so
-- results are unchanged.
-- pg_trgm is a trusted extension since PostgreSQL 13: the database owner may create it (it needs
-- no superuser). Where it cannot be created (older server, a role without CREATE on the database)
-- the migration still succeeds without the indexes: the ledger's results are the same, only
-- keyword searches scan, and a WARNING in the server log says why.
-- The operator class is named with the extension's schema, which need not be on the search path
-- (tests run one schema each; an administrator may have installed pg_trgm elsewhere).
DO $$
DECLARE
    s text;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
    EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported OR invalid_schema_name THEN
        RAISE WARNING 'pg_trgm unavailable (%): hazard keyword search will scan', SQLERRM;
    END;
    SELECT n.nspname INTO s
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF s IS NOT NULL THEN
        EXECUTE format('CREATE INDEX hazard_description_trgm ON hazard USING gin (description %I.gin_trgm_ops)', s);
        EXECUTE format('CREATE INDEX hazard_location_trgm ON hazard USING gin (location %I.gin_trgm_ops)', s);
        EXECUTE format('CREATE INDEX hazard_category_trgm ON hazard USING gin (category %I.gin_trgm_ops)', s);
    END IF;
END $$;

-- Statistics of a year over the whole tree (statistics::hazard_statistics) group a year of
-- hazards (~250,000 at province scale) and of inspections by columns the 0004 indexes do not
-- carry (campaign_id, verified_on; kind, illegal_operation), so every row was read from the
-- table: 1.0 s of 1.5 s on SQLite. The found-date index is widened by those two columns (the
-- ledger reads the same prefix as before) and inspections get a covering date index; both
-- queries then read indexes only (SQLite: hazards 1.0 s → 0.22 s, inspections 0.17 s → 0.05 s,
-- docs/benchmarks.md).
DROP INDEX hazard_found_cover;
CREATE INDEX hazard_found_cover ON hazard(found_on, org_id, status, grade, deadline, deleted_at, id, campaign_id, verified_on);
CREATE INDEX inspection_date_cover ON inspection(inspected_on, kind, campaign_id, illegal_operation, deleted_at, org_id);
