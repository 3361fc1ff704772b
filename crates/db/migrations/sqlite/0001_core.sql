-- Platform core: organisation tree, users, sessions, API tokens, audit trail, attachments.
-- Instants are stored as UTC text written by the application (RFC 3339), dates as YYYY-MM-DD.

CREATE TABLE org (
    id            INTEGER PRIMARY KEY,
    parent_id     INTEGER REFERENCES org(id),
    kind          TEXT NOT NULL CHECK (kind IN ('bureau', 'unit', 'site')),
    name          TEXT NOT NULL,
    uscc          TEXT UNIQUE,
    address       TEXT NOT NULL DEFAULT '',
    principal     TEXT NOT NULL DEFAULT '',
    contact_person TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    sort_order    INTEGER NOT NULL DEFAULT 0,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    path          TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX org_parent ON org(parent_id);

CREATE TABLE app_user (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    org_id               INTEGER NOT NULL REFERENCES org(id),
    role                 TEXT NOT NULL,
    phone                TEXT NOT NULL DEFAULT '',
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at        TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX app_user_org ON app_user(org_id);

CREATE TABLE user_session (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES app_user(id),
    csrf_token    TEXT NOT NULL,
    ip            TEXT NOT NULL DEFAULT '',
    user_agent    TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ended_at      TEXT,
    end_reason    TEXT
);
CREATE INDEX user_session_user ON user_session(user_id);

CREATE TABLE api_token (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES app_user(id),
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_token_user ON api_token(user_id);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor_user_id  INTEGER,
    actor_username TEXT NOT NULL,
    ip             TEXT NOT NULL DEFAULT '',
    org_id         INTEGER,
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL,
    before_json    TEXT,
    after_json     TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

-- Append-only: the audit trail refuses UPDATE and DELETE whoever asks.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE attachment (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES org(id),
    sha256        TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    mime          TEXT NOT NULL,
    original_name TEXT NOT NULL,
    has_thumb     BOOLEAN NOT NULL DEFAULT FALSE,
    uploaded_by   INTEGER REFERENCES app_user(id),
    created_at    TEXT NOT NULL,
    deleted_at    TEXT
);
CREATE INDEX attachment_org ON attachment(org_id);
