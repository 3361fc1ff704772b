-- Duty (值班值守) and incident information (事故/突发事件信息报告), issue 6.

-- The holiday calendar: statutory holidays and adjusted working days (调休), editable by the
-- bureau. Seeded below from anjian_domain::calendar::ENTRIES (2023–2027, sources there);
-- tests/it/duty checks the seed equals that table. updated_at is NULL for seeded rows.
CREATE TABLE holiday_calendar (
    id          INTEGER PRIMARY KEY,
    first_date  TEXT NOT NULL,
    last_date   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name        TEXT NOT NULL,
    year        INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    row_version INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT,
    updated_by  INTEGER REFERENCES app_user(id),
    CHECK (first_date <= last_date)
);
CREATE INDEX holiday_calendar_dates ON holiday_calendar(first_date, last_date);
INSERT INTO holiday_calendar (first_date, last_date, kind, name, year) VALUES
    ('2022-12-31', '2023-01-02', 'holiday', '元旦', 2023),
    ('2023-01-21', '2023-01-27', 'holiday', '春节', 2023),
    ('2023-01-28', '2023-01-28', 'workday', '春节', 2023),
    ('2023-01-29', '2023-01-29', 'workday', '春节', 2023),
    ('2023-04-05', '2023-04-05', 'holiday', '清明节', 2023),
    ('2023-04-29', '2023-05-03', 'holiday', '劳动节', 2023),
    ('2023-04-23', '2023-04-23', 'workday', '劳动节', 2023),
    ('2023-05-06', '2023-05-06', 'workday', '劳动节', 2023),
    ('2023-06-22', '2023-06-24', 'holiday', '端午节', 2023),
    ('2023-06-25', '2023-06-25', 'workday', '端午节', 2023),
    ('2023-09-29', '2023-10-06', 'holiday', '中秋节、国庆节', 2023),
    ('2023-10-07', '2023-10-07', 'workday', '中秋节、国庆节', 2023),
    ('2023-10-08', '2023-10-08', 'workday', '中秋节、国庆节', 2023),
    ('2023-12-30', '2024-01-01', 'holiday', '元旦', 2024),
    ('2024-02-10', '2024-02-17', 'holiday', '春节', 2024),
    ('2024-02-04', '2024-02-04', 'workday', '春节', 2024),
    ('2024-02-18', '2024-02-18', 'workday', '春节', 2024),
    ('2024-04-04', '2024-04-06', 'holiday', '清明节', 2024),
    ('2024-04-07', '2024-04-07', 'workday', '清明节', 2024),
    ('2024-05-01', '2024-05-05', 'holiday', '劳动节', 2024),
    ('2024-04-28', '2024-04-28', 'workday', '劳动节', 2024),
    ('2024-05-11', '2024-05-11', 'workday', '劳动节', 2024),
    ('2024-06-08', '2024-06-10', 'holiday', '端午节', 2024),
    ('2024-09-15', '2024-09-17', 'holiday', '中秋节', 2024),
    ('2024-09-14', '2024-09-14', 'workday', '中秋节', 2024),
    ('2024-10-01', '2024-10-07', 'holiday', '国庆节', 2024),
    ('2024-09-29', '2024-09-29', 'workday', '国庆节', 2024),
    ('2024-10-12', '2024-10-12', 'workday', '国庆节', 2024),
    ('2025-01-01', '2025-01-01', 'holiday', '元旦', 2025),
    ('2025-01-28', '2025-02-04', 'holiday', '春节', 2025),
    ('2025-01-26', '2025-01-26', 'workday', '春节', 2025),
    ('2025-02-08', '2025-02-08', 'workday', '春节', 2025),
    ('2025-04-04', '2025-04-06', 'holiday', '清明节', 2025),
    ('2025-05-01', '2025-05-05', 'holiday', '劳动节', 2025),
    ('2025-04-27', '2025-04-27', 'workday', '劳动节', 2025),
    ('2025-05-31', '2025-06-02', 'holiday', '端午节', 2025),
    ('2025-10-01', '2025-10-08', 'holiday', '国庆节、中秋节', 2025),
    ('2025-09-28', '2025-09-28', 'workday', '国庆节、中秋节', 2025),
    ('2025-10-11', '2025-10-11', 'workday', '国庆节、中秋节', 2025),
    ('2026-01-01', '2026-01-03', 'holiday', '元旦', 2026),
    ('2026-01-04', '2026-01-04', 'workday', '元旦', 2026),
    ('2026-02-15', '2026-02-23', 'holiday', '春节', 2026),
    ('2026-02-14', '2026-02-14', 'workday', '春节', 2026),
    ('2026-02-28', '2026-02-28', 'workday', '春节', 2026),
    ('2026-04-04', '2026-04-06', 'holiday', '清明节', 2026),
    ('2026-05-01', '2026-05-05', 'holiday', '劳动节', 2026),
    ('2026-05-09', '2026-05-09', 'workday', '劳动节', 2026),
    ('2026-06-19', '2026-06-21', 'holiday', '端午节', 2026),
    ('2026-09-25', '2026-09-27', 'holiday', '中秋节', 2026),
    ('2026-10-01', '2026-10-07', 'holiday', '国庆节', 2026),
    ('2026-09-20', '2026-09-20', 'workday', '国庆节', 2026),
    ('2026-10-10', '2026-10-10', 'workday', '国庆节', 2026),
    ('2027-01-01', '2027-01-01', 'holiday', '元旦', 2027),
    ('2027-02-05', '2027-02-08', 'holiday', '春节', 2027),
    ('2027-04-05', '2027-04-05', 'holiday', '清明节', 2027),
    ('2027-05-01', '2027-05-02', 'holiday', '劳动节', 2027),
    ('2027-06-09', '2027-06-09', 'holiday', '端午节', 2027),
    ('2027-09-15', '2027-09-15', 'holiday', '中秋节', 2027),
    ('2027-10-01', '2027-10-03', 'holiday', '国庆节', 2027);

-- A duty roster (值班表) of one organisation for a date range; published rosters are the ones
-- "today on duty" reads.
CREATE TABLE duty_roster (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES org(id),
    name         TEXT NOT NULL,
    start_date   TEXT NOT NULL,
    end_date     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    note         TEXT NOT NULL DEFAULT '',
    created_by   INTEGER REFERENCES app_user(id),
    published_at TEXT,
    published_by INTEGER REFERENCES app_user(id),
    row_version  INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK (start_date <= end_date)
);
CREATE INDEX duty_roster_org ON duty_roster(org_id, start_date, end_date);

-- One shift of a roster day: start time (HH:MM, Shanghai), length, the leader on duty (带班领导)
-- and the duty officers, one "姓名 电话" per line.
CREATE TABLE duty_shift (
    id           INTEGER PRIMARY KEY,
    roster_id    INTEGER NOT NULL REFERENCES duty_roster(id),
    duty_date    TEXT NOT NULL,
    shift_start  TEXT NOT NULL,
    shift_hours  INTEGER NOT NULL CHECK (shift_hours BETWEEN 1 AND 24),
    leader_name  TEXT NOT NULL DEFAULT '',
    leader_phone TEXT NOT NULL DEFAULT '',
    officers     TEXT NOT NULL DEFAULT '',
    UNIQUE (roster_id, duty_date, shift_start)
);
CREATE INDEX duty_shift_date ON duty_shift(duty_date, roster_id);

-- A request to hand one's place in a shift to someone else, decided by a roster keeper.
CREATE TABLE duty_swap (
    id           INTEGER PRIMARY KEY,
    shift_id     INTEGER NOT NULL REFERENCES duty_shift(id),
    roster_id    INTEGER NOT NULL REFERENCES duty_roster(id),
    role         TEXT NOT NULL CHECK (role IN ('leader', 'officer')),
    from_name    TEXT NOT NULL,
    to_name      TEXT NOT NULL,
    to_phone     TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'declined')),
    requested_by INTEGER REFERENCES app_user(id),
    requested_at TEXT NOT NULL,
    decided_by   INTEGER REFERENCES app_user(id),
    decided_at   TEXT
);
CREATE INDEX duty_swap_roster ON duty_swap(roster_id, status);

-- Duty log (值班日志) entries and handover notes (交接班).
CREATE TABLE duty_log (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES org(id),
    duty_date     TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('entry', 'handover')),
    logged_at     TEXT NOT NULL,
    event         TEXT NOT NULL,
    handling      TEXT NOT NULL DEFAULT '',
    notified      TEXT NOT NULL DEFAULT '',
    recorded_by   INTEGER REFERENCES app_user(id),
    recorder_name TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);
CREATE INDEX duty_log_org_date ON duty_log(org_id, duty_date);

-- Daily zero report (零报告) during key periods: one per organisation and day.
CREATE TABLE duty_zero_report (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES org(id),
    report_date TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    reported_by INTEGER REFERENCES app_user(id),
    reported_at TEXT NOT NULL,
    UNIQUE (org_id, report_date)
);

-- An accident or emergency event (事故/突发事件), as its latest report states it. The grade is
-- stored (and recomputed on every report) for accidents only; the accident type carries the
-- standard it is coded under (GB/T 6441-1986 today).
CREATE TABLE incident (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL REFERENCES org(id),
    event_kind         TEXT NOT NULL CHECK (event_kind IN ('accident', 'flood', 'fire', 'equipment_failure', 'other')),
    accident_standard  TEXT NOT NULL DEFAULT '',
    accident_type      TEXT NOT NULL DEFAULT '',
    traffic_or_fire    BOOLEAN NOT NULL DEFAULT FALSE,
    title              TEXT NOT NULL,
    occurred_at        TEXT NOT NULL,
    place              TEXT NOT NULL,
    account            TEXT NOT NULL,
    deaths             INTEGER NOT NULL DEFAULT 0 CHECK (deaths >= 0),
    missing            INTEGER NOT NULL DEFAULT 0 CHECK (missing >= 0),
    serious_injuries   INTEGER NOT NULL DEFAULT 0 CHECK (serious_injuries >= 0),
    minor_injuries     INTEGER NOT NULL DEFAULT 0 CHECK (minor_injuries >= 0),
    direct_loss_fen    INTEGER NOT NULL DEFAULT 0 CHECK (direct_loss_fen >= 0),
    measures           TEXT NOT NULL DEFAULT '',
    reporter           TEXT NOT NULL,
    contacts           TEXT NOT NULL DEFAULT '',
    grade              TEXT CHECK (grade IN ('extremely_serious', 'serious', 'large', 'general')),
    status             TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    initial_due        TEXT NOT NULL,
    first_reported_at  TEXT NOT NULL,
    cause              TEXT NOT NULL DEFAULT '',
    responsibility     TEXT NOT NULL DEFAULT '',
    corrective_actions TEXT NOT NULL DEFAULT '',
    closed_at          TEXT,
    closed_by          INTEGER REFERENCES app_user(id),
    reported_by        INTEGER REFERENCES app_user(id),
    row_version        INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK ((event_kind = 'accident') = (grade IS NOT NULL)),
    CHECK (status <> 'closed' OR closed_at IS NOT NULL)
);
CREATE INDEX incident_occurred ON incident(occurred_at, org_id, event_kind);
CREATE INDEX incident_org ON incident(org_id, occurred_at);
CREATE INDEX incident_status ON incident(status, occurred_at);

-- Every report of an event in order: 首报 (initial), 续报 (follow_up), 终报 (final), each with
-- the figures as of that report and what changed.
CREATE TABLE incident_report (
    id               INTEGER PRIMARY KEY,
    incident_id      INTEGER NOT NULL REFERENCES incident(id),
    kind             TEXT NOT NULL CHECK (kind IN ('initial', 'follow_up', 'final')),
    reported_at      TEXT NOT NULL,
    reported_by      INTEGER REFERENCES app_user(id),
    reporter         TEXT NOT NULL DEFAULT '',
    content          TEXT NOT NULL DEFAULT '',
    changes          TEXT NOT NULL DEFAULT '',
    supplementary    BOOLEAN NOT NULL DEFAULT FALSE,
    deaths           INTEGER NOT NULL DEFAULT 0,
    missing          INTEGER NOT NULL DEFAULT 0,
    serious_injuries INTEGER NOT NULL DEFAULT 0,
    minor_injuries   INTEGER NOT NULL DEFAULT 0,
    direct_loss_fen  INTEGER NOT NULL DEFAULT 0,
    grade            TEXT
);
CREATE INDEX incident_report_incident ON incident_report(incident_id, id);

-- Report time limits (anjian_domain::incident::ReportRules), one row per setting; a missing row
-- means the default of 493号令 (sources in REPORT_RULE_SOURCES).
CREATE TABLE report_rule (
    name       TEXT PRIMARY KEY,
    value      INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES app_user(id)
);
