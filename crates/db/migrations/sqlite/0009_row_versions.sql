-- Optimistic concurrency for the records that still lacked it (issue 8): a form or API body
-- carries the row_version it read, and a save against a newer version is refused instead of
-- silently overwriting someone else's change. Existing rows start at version 1, like new ones.

-- Organisations: edited through /orgs/{id}; moves and (de)activation bump the version too, so an
-- edit form opened before them is refused.
ALTER TABLE org ADD COLUMN row_version INTEGER NOT NULL DEFAULT 1;

-- Accounts: the version of what administrators edit (name, phone, role, organisation, lock).
-- Sign-in bookkeeping (failed logins, last login) and password changes leave it alone, so a
-- user signing in does not invalidate an administrator's open form.
ALTER TABLE app_user ADD COLUMN row_version INTEGER NOT NULL DEFAULT 1;

-- Report time limits: one row per setting, saved together from one form. Every save writes all
-- rows at the same new version, so the settings' version is MAX(row_version) (0: none saved).
ALTER TABLE report_rule ADD COLUMN row_version INTEGER NOT NULL DEFAULT 1;
