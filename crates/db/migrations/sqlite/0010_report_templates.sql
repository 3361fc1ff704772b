-- The summary's wording as data, and drafts of the summary with their versions (issue 7).
-- Depends only on 0001 (org, app_user): another change adds 0009 beside this one.

-- The bureau's wording of a summary paragraph, keyed like report::text::DEFAULT_TEMPLATES. A key
-- without a row, or a row whose body is NULL ("restore default"), uses the code's default, so
-- an improved default in a later release reaches every template nobody edited.
CREATE TABLE report_template (
    template_key    TEXT PRIMARY KEY,
    body            TEXT,
    row_version     INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL,
    updated_by      INTEGER REFERENCES app_user(id),
    updated_by_name TEXT NOT NULL DEFAULT ''
);

-- Every text a template was saved with (NULL: the default was restored), so the previous
-- wording is never lost. version equals the template's row_version after that save.
CREATE TABLE report_template_version (
    id            INTEGER PRIMARY KEY,
    template_key  TEXT NOT NULL,
    version       INTEGER NOT NULL,
    body          TEXT,
    saved_at      TEXT NOT NULL,
    saved_by      INTEGER REFERENCES app_user(id),
    saved_by_name TEXT NOT NULL DEFAULT '',
    UNIQUE (template_key, version)
);

-- A draft of the summary of one period for one organisation's subtree: the figures as they
-- stood when it was generated (JSON of report::Figures), and its latest version's title.
-- row_version is the number of the latest version.
CREATE TABLE report_draft (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES org(id),
    period          TEXT NOT NULL,
    title           TEXT NOT NULL,
    figures_json    TEXT NOT NULL,
    row_version     INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES app_user(id),
    created_by_name TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL,
    updated_by_name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX report_draft_org ON report_draft(org_id, updated_at);

-- Every saved narrative of a draft: sections of paragraphs with figure markers 【80|inspections】
-- (JSON of report::draft::DraftContent). Append-only.
CREATE TABLE report_draft_version (
    id            INTEGER PRIMARY KEY,
    draft_id      INTEGER NOT NULL REFERENCES report_draft(id),
    version       INTEGER NOT NULL,
    title         TEXT NOT NULL,
    content_json  TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    saved_at      TEXT NOT NULL,
    saved_by      INTEGER REFERENCES app_user(id),
    saved_by_name TEXT NOT NULL DEFAULT '',
    UNIQUE (draft_id, version)
);
