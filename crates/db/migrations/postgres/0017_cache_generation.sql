-- Cache generations (crates/db/src/cache.rs). Results read on almost every request — the signed-in
-- session with its user and organisation, the organisation list, the ledgers' sums over up to
-- 256,000 entries — are kept in the process for as long as the generation of what they were read
-- from stands still. The database bumps the generation itself, in the writing transaction, so no
-- writer can forget: the server, a second instance on the same database, the CLI beside the server
-- and a hand-written UPDATE all invalidate. Topics:
--   auth   — sessions ended or re-keyed, users' name, role, organisation, disabled flag or forced
--            password change (what `session::authenticate` resolves);
--   org    — any change of the organisation tree;
--   ledger — any change of a ledger entry.
-- A session's `last_seen_at` (touched once a minute) and a user's login counters bump nothing.
CREATE TABLE cache_generation (
    topic TEXT PRIMARY KEY,
    n     BIGINT NOT NULL,
    -- The transaction that bumped last: one bump per topic and transaction is enough (an import
    -- of 10,000 ledger rows writes the row once, not 10,000 times).
    xact  BIGINT
);
INSERT INTO cache_generation (topic, n) VALUES ('auth', 0), ('org', 0), ('ledger', 0);

-- Takes the audit trail's lock (audit.rs, 7243002) before the generation row: every audited
-- write takes that lock anyway, so all writers meet the two locks in the same order and cannot
-- deadlock on them.
CREATE FUNCTION bump_cache_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7243002);
    UPDATE cache_generation SET n = n + 1, xact = txid_current()
     WHERE topic = TG_ARGV[0] AND xact IS DISTINCT FROM txid_current();
    -- Delivered when the transaction commits (never if it rolls back), once per transaction and
    -- payload: each instance's listener then forgets the generations it remembers (cache.rs).
    PERFORM pg_notify('anjian_cache', TG_ARGV[0]);
    RETURN NULL;
END
$$;

CREATE TRIGGER user_session_generation
AFTER UPDATE OF token_hash, user_id, csrf_token, expires_at, ended_at OR DELETE ON user_session
FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation('auth');

CREATE TRIGGER app_user_generation
AFTER UPDATE OF username, name, org_id, role, must_change_password, disabled OR DELETE ON app_user
FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation('auth');

CREATE TRIGGER org_generation AFTER INSERT OR UPDATE OR DELETE ON org
FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation('org');

CREATE TRIGGER ledger_entry_generation AFTER INSERT OR UPDATE OR DELETE ON ledger_entry
FOR EACH STATEMENT EXECUTE FUNCTION bump_cache_generation('ledger');
