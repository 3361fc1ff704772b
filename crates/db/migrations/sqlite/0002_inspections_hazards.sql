-- Inspections and hazards: checklist library, campaigns and key periods, inspection tasks,
-- inspections with per-item results, hazards with their closed loop, extensions, major-hazard
-- treatment plans and supervised listings, and the claim table that makes daily jobs run once.
-- Every editable record carries row_version for optimistic concurrency: a stale form is refused.

-- org_id is the organisation that maintains the checklist; NULL is the built-in library every
-- user sees, maintained by supervisors of the root bureau.
CREATE TABLE checklist (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER REFERENCES org(id),
    name         TEXT NOT NULL UNIQUE,
    category     TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    builtin      BOOLEAN NOT NULL DEFAULT FALSE,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    row_version  INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Items are snapshotted into inspection_item when used, so editing the library never rewrites
-- what an inspection recorded.
CREATE TABLE checklist_item (
    id              INTEGER PRIMARY KEY,
    checklist_id    INTEGER NOT NULL REFERENCES checklist(id),
    position        INTEGER NOT NULL,
    content         TEXT NOT NULL,
    category        TEXT NOT NULL DEFAULT '',
    basis           TEXT NOT NULL DEFAULT '',
    major_criterion BOOLEAN NOT NULL DEFAULT FALSE,
    active          BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX checklist_item_list ON checklist_item(checklist_id, position);

CREATE TABLE campaign (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES org(id),
    kind         TEXT NOT NULL CHECK (kind IN ('campaign', 'key_period')),
    name         TEXT NOT NULL,
    start_date   TEXT NOT NULL,
    end_date     TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    all_units    BOOLEAN NOT NULL DEFAULT TRUE,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    row_version  INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX campaign_dates ON campaign(start_date, end_date);

-- When all_units is false, the units the campaign covers.
CREATE TABLE campaign_org (
    campaign_id  INTEGER NOT NULL REFERENCES campaign(id),
    org_id       INTEGER NOT NULL REFERENCES org(id),
    PRIMARY KEY (campaign_id, org_id)
);

CREATE TABLE inspection_task (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES org(id),
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL CHECK (kind IN ('self_check', 'supervision', 'spot_check', 'unannounced', 'special')),
    campaign_id  INTEGER REFERENCES campaign(id),
    checklist_id INTEGER REFERENCES checklist(id),
    start_date   TEXT NOT NULL,
    due_date     TEXT NOT NULL,
    created_by   INTEGER REFERENCES app_user(id),
    cancelled_at TEXT,
    row_version  INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK (due_date >= start_date)
);
CREATE INDEX inspection_task_due ON inspection_task(due_date);

-- The units a task is assigned to; an inspection carrying the task id and recorded for the unit
-- or one of its sites counts as the unit's submission.
CREATE TABLE inspection_task_org (
    task_id      INTEGER NOT NULL REFERENCES inspection_task(id),
    org_id       INTEGER NOT NULL REFERENCES org(id),
    PRIMARY KEY (task_id, org_id)
);

CREATE TABLE inspection (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES org(id),
    kind                 TEXT NOT NULL CHECK (kind IN ('self_check', 'supervision', 'spot_check', 'unannounced', 'special')),
    inspected_on         TEXT NOT NULL,
    inspectors           TEXT NOT NULL,
    checklist_id         INTEGER REFERENCES checklist(id),
    campaign_id          INTEGER REFERENCES campaign(id),
    task_id              INTEGER REFERENCES inspection_task(id),
    summary              TEXT NOT NULL DEFAULT '',
    illegal_operation    BOOLEAN NOT NULL DEFAULT FALSE,
    illegal_description  TEXT NOT NULL DEFAULT '',
    recorded_by          INTEGER REFERENCES app_user(id),
    row_version          INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    deleted_at           TEXT,
    CHECK (illegal_operation = FALSE OR illegal_description <> '')
);
CREATE INDEX inspection_org_date ON inspection(org_id, inspected_on);
CREATE INDEX inspection_date ON inspection(inspected_on);
CREATE INDEX inspection_campaign ON inspection(campaign_id);
CREATE INDEX inspection_task_ref ON inspection(task_id);

CREATE TABLE inspection_item (
    id                 INTEGER PRIMARY KEY,
    inspection_id      INTEGER NOT NULL REFERENCES inspection(id),
    position           INTEGER NOT NULL,
    checklist_item_id  INTEGER REFERENCES checklist_item(id),
    content            TEXT NOT NULL,
    category           TEXT NOT NULL DEFAULT '',
    basis              TEXT NOT NULL DEFAULT '',
    major_criterion    BOOLEAN NOT NULL DEFAULT FALSE,
    result             TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'na')),
    note               TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inspection_item_inspection ON inspection_item(inspection_id, position);

CREATE TABLE inspection_attachment (
    inspection_id  INTEGER NOT NULL REFERENCES inspection(id),
    attachment_id  INTEGER NOT NULL REFERENCES attachment(id),
    PRIMARY KEY (inspection_id, attachment_id)
);

CREATE TABLE hazard (
    id                  INTEGER PRIMARY KEY,
    org_id              INTEGER NOT NULL REFERENCES org(id),
    location            TEXT NOT NULL DEFAULT '',
    description         TEXT NOT NULL,
    category            TEXT NOT NULL DEFAULT '',
    grade               TEXT NOT NULL CHECK (grade IN ('general', 'major')),
    major_criterion     TEXT NOT NULL DEFAULT '',
    found_on            TEXT NOT NULL,
    found_by            TEXT NOT NULL DEFAULT '',
    reported_by         INTEGER REFERENCES app_user(id),
    inspection_id       INTEGER REFERENCES inspection(id),
    inspection_item_id  INTEGER REFERENCES inspection_item(id),
    campaign_id         INTEGER REFERENCES campaign(id),
    status              TEXT NOT NULL CHECK (status IN ('pending', 'rectifying', 'awaiting_verification', 'closed')),
    immediate           BOOLEAN NOT NULL DEFAULT FALSE,
    deadline            TEXT NOT NULL,
    original_deadline   TEXT NOT NULL,
    owner               TEXT NOT NULL DEFAULT '',
    measures            TEXT NOT NULL DEFAULT '',
    funds_fen           INTEGER,
    rectified_on        TEXT,
    rectified_by        INTEGER REFERENCES app_user(id),
    rectification_note  TEXT NOT NULL DEFAULT '',
    verified_on         TEXT,
    verified_by         INTEGER REFERENCES app_user(id),
    verification_note   TEXT NOT NULL DEFAULT '',
    closed_at           TEXT,
    overdue_marked_on   TEXT,
    row_version         INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT,
    CHECK (grade = 'general' OR major_criterion <> ''),
    -- The database refuses a closure the state machine would refuse: verified, by someone else,
    -- not before the rectification.
    CHECK (status <> 'closed' OR (verified_on IS NOT NULL AND rectified_on IS NOT NULL
        AND verified_by IS NOT NULL AND rectified_by IS NOT NULL
        AND verified_by <> rectified_by AND verified_on >= rectified_on)),
    CHECK (original_deadline <= deadline)
);
CREATE INDEX hazard_org_found ON hazard(org_id, found_on);
CREATE INDEX hazard_found ON hazard(found_on);
CREATE INDEX hazard_status_deadline ON hazard(status, deadline);
CREATE INDEX hazard_campaign ON hazard(campaign_id);
CREATE INDEX hazard_inspection ON hazard(inspection_id);

-- Photos and documents of a hazard: before (found), after (rectification evidence, per round),
-- plan (major-hazard treatment plan), lift (evidence for lifting a supervised listing).
CREATE TABLE hazard_attachment (
    hazard_id      INTEGER NOT NULL REFERENCES hazard(id),
    attachment_id  INTEGER NOT NULL REFERENCES attachment(id),
    kind           TEXT NOT NULL CHECK (kind IN ('before', 'after', 'plan', 'lift')),
    round          INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (hazard_id, attachment_id)
);

-- The timeline shown on the hazard page: every transition, by whom, with its note.
CREATE TABLE hazard_event (
    id             INTEGER PRIMARY KEY,
    hazard_id      INTEGER NOT NULL REFERENCES hazard(id),
    at             TEXT NOT NULL,
    actor_user_id  INTEGER REFERENCES app_user(id),
    actor_name     TEXT NOT NULL,
    action         TEXT NOT NULL,
    from_status    TEXT,
    to_status      TEXT,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX hazard_event_hazard ON hazard_event(hazard_id, at);

CREATE TABLE hazard_extension (
    id                  INTEGER PRIMARY KEY,
    hazard_id           INTEGER NOT NULL REFERENCES hazard(id),
    requested_by        INTEGER NOT NULL REFERENCES app_user(id),
    requested_at        TEXT NOT NULL,
    current_deadline    TEXT NOT NULL,
    requested_deadline  TEXT NOT NULL,
    reason              TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by          INTEGER REFERENCES app_user(id),
    decided_at          TEXT,
    decision_note       TEXT NOT NULL DEFAULT '',
    CHECK (requested_deadline > current_deadline),
    CHECK (decided_by IS NULL OR decided_by <> requested_by)
);
CREATE INDEX hazard_extension_hazard ON hazard_extension(hazard_id);
CREATE INDEX hazard_extension_status ON hazard_extension(status);

-- Major hazards: the six-part treatment plan (16号令 Art. 15) and the upward report (Art. 14).
CREATE TABLE hazard_major (
    hazard_id          INTEGER PRIMARY KEY REFERENCES hazard(id),
    objectives         TEXT NOT NULL DEFAULT '',
    methods            TEXT NOT NULL DEFAULT '',
    funds_materials    TEXT NOT NULL DEFAULT '',
    organisation       TEXT NOT NULL DEFAULT '',
    time_limits        TEXT NOT NULL DEFAULT '',
    safety_emergency   TEXT NOT NULL DEFAULT '',
    current_state      TEXT NOT NULL DEFAULT '',
    harm_analysis      TEXT NOT NULL DEFAULT '',
    reported_at        TEXT,
    reported_by        INTEGER REFERENCES app_user(id),
    updated_at         TEXT NOT NULL
);

-- 挂牌督办 of a major hazard.
CREATE TABLE hazard_listing (
    id           INTEGER PRIMARY KEY,
    hazard_id    INTEGER NOT NULL UNIQUE REFERENCES hazard(id),
    authority    TEXT NOT NULL,
    listed_on    TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    listed_by    INTEGER REFERENCES app_user(id),
    lifted_on    TEXT,
    lifted_by    INTEGER REFERENCES app_user(id),
    lift_note    TEXT NOT NULL DEFAULT '',
    row_version  INTEGER NOT NULL DEFAULT 1,
    CHECK (deadline >= listed_on),
    CHECK (lifted_on IS NULL OR lifted_on >= listed_on)
);

-- A daily job claims its day here first; the primary key makes the claim succeed on exactly one
-- instance when several share a database.
CREATE TABLE job_run (
    job          TEXT NOT NULL,
    run_date     TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    detail       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job, run_date)
);
