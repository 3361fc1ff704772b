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
    -- PostgreSQL bumps once per transaction and remembers which here; SQLite's row triggers bump
    -- per row (there is no transaction id to compare with) and leave it empty. Kept so that both
    -- schemas have the same columns.
    xact  BIGINT
);
INSERT INTO cache_generation (topic, n) VALUES ('auth', 0), ('org', 0), ('ledger', 0);

CREATE TRIGGER user_session_generation_update
AFTER UPDATE OF token_hash, user_id, csrf_token, expires_at, ended_at ON user_session
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'auth'; END;
CREATE TRIGGER user_session_generation_delete AFTER DELETE ON user_session
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'auth'; END;

CREATE TRIGGER app_user_generation_update
AFTER UPDATE OF username, name, org_id, role, must_change_password, disabled ON app_user
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'auth'; END;
CREATE TRIGGER app_user_generation_delete AFTER DELETE ON app_user
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'auth'; END;

CREATE TRIGGER org_generation_insert AFTER INSERT ON org
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'org'; END;
CREATE TRIGGER org_generation_update AFTER UPDATE ON org
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'org'; END;
CREATE TRIGGER org_generation_delete AFTER DELETE ON org
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'org'; END;

CREATE TRIGGER ledger_entry_generation_insert AFTER INSERT ON ledger_entry
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'ledger'; END;
CREATE TRIGGER ledger_entry_generation_update AFTER UPDATE ON ledger_entry
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'ledger'; END;
CREATE TRIGGER ledger_entry_generation_delete AFTER DELETE ON ledger_entry
BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = 'ledger'; END;
