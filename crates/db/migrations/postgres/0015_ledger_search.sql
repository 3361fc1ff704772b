-- Safety work ledger search (issue 5 performance). The list's keyword matched title, description,
-- type and the organisation's name by substring (LIKE '%k%'), which read every entry of the
-- ledger. As for hazards (0005), pg_trgm's GIN indexes serve LIKE patterns with three or more
-- characters; PostgreSQL rechecks every candidate against the LIKE, so results are unchanged.
-- The organisation's name is matched on the org table (2,000 rows), not indexed here.
-- pg_trgm is a trusted extension since PostgreSQL 13 (0005 normally created it already). Where it
-- cannot be created the migration still succeeds without the indexes: the list's results are the
-- same, only keyword searches scan, and a WARNING in the server log says why. The operator class
-- is named with the extension's schema, which need not be on the search path.
DO $$
DECLARE
    s text;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
    EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported OR invalid_schema_name THEN
        RAISE WARNING 'pg_trgm unavailable (%): ledger keyword search will scan', SQLERRM;
    END;
    SELECT n.nspname INTO s
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF s IS NOT NULL THEN
        EXECUTE format('CREATE INDEX ledger_entry_title_trgm ON ledger_entry USING gin (title %I.gin_trgm_ops)', s);
        EXECUTE format('CREATE INDEX ledger_entry_description_trgm ON ledger_entry USING gin (description %I.gin_trgm_ops)', s);
        EXECUTE format('CREATE INDEX ledger_entry_category_trgm ON ledger_entry USING gin (category %I.gin_trgm_ops)', s);
    END IF;
END $$;

-- One unit's (or site's) figures, the funding list's total and the period statistics of a
-- subtree, read the entries of its organisations through this index and then every entry's row
-- for its amount, hours and people. The index carries them now (same leading columns as 0007's,
-- so what used it still does).
DROP INDEX ledger_entry_org_kind;
CREATE INDEX ledger_entry_org_kind ON ledger_entry(org_id, kind, entry_date, deleted_at, category, amount_fen, hours_tenths, participants);
