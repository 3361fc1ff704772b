-- Risk grading and control (issue 4): risk points, risks with their current assessment,
-- assessment versions, control measures, the bureau's grading rules, site plans, the accident
-- type code table, and the hazard → risk point reference.
-- Levels are stored as ranks (1 重大, 2 较大, 3 一般, 4 低: anjian_domain::risk::RiskLevel::rank)
-- so lists sort on them and a rule change re-grades with one UPDATE. LEC factors are stored in
-- tenths (0.5 → 5) and D in hundredths, so every score is an exact integer.

-- Accident types (事故类别) per edition of the standard; records store (standard, code). The
-- 1986 list is seeded here (GB/T 6441-1986 §5, domain-rules.md §2.1); the 2025 edition is added
-- as rows of its own when its codes are confirmed.
CREATE TABLE accident_type (
    standard  TEXT NOT NULL,
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    sort      INTEGER NOT NULL,
    PRIMARY KEY (standard, code)
);
INSERT INTO accident_type (standard, code, name, sort) VALUES
    ('GB/T 6441-1986', '01', '物体打击', 1),
    ('GB/T 6441-1986', '02', '车辆伤害', 2),
    ('GB/T 6441-1986', '03', '机械伤害', 3),
    ('GB/T 6441-1986', '04', '起重伤害', 4),
    ('GB/T 6441-1986', '05', '触电', 5),
    ('GB/T 6441-1986', '06', '淹溺', 6),
    ('GB/T 6441-1986', '07', '灼烫', 7),
    ('GB/T 6441-1986', '08', '火灾', 8),
    ('GB/T 6441-1986', '09', '高处坠落', 9),
    ('GB/T 6441-1986', '10', '坍塌', 10),
    ('GB/T 6441-1986', '11', '冒顶片帮', 11),
    ('GB/T 6441-1986', '12', '透水', 12),
    ('GB/T 6441-1986', '13', '放炮', 13),
    ('GB/T 6441-1986', '14', '火药爆炸', 14),
    ('GB/T 6441-1986', '15', '瓦斯爆炸', 15),
    ('GB/T 6441-1986', '16', '锅炉爆炸', 16),
    ('GB/T 6441-1986', '17', '容器爆炸', 17),
    ('GB/T 6441-1986', '18', '其他爆炸', 18),
    ('GB/T 6441-1986', '19', '中毒和窒息', 19),
    ('GB/T 6441-1986', '20', '其他伤害', 20);

-- A risk point of a unit or site. level_rank caches the highest level of its active risks
-- (NULL: none assessed) and last_assessed_on the newest assessment by a person; both are kept
-- by the application in the transaction that changes a risk, so lists and the four-colour view
-- never aggregate risks.
CREATE TABLE risk_point (
    id                   INTEGER PRIMARY KEY,
    org_id               INTEGER NOT NULL REFERENCES org(id),
    kind                 TEXT NOT NULL CHECK (kind IN ('place', 'equipment', 'activity')),
    name                 TEXT NOT NULL,
    location             TEXT NOT NULL DEFAULT '',
    responsible_user_id  INTEGER REFERENCES app_user(id),
    responsible_name     TEXT NOT NULL DEFAULT '',
    emergency_measures   TEXT NOT NULL DEFAULT '',
    report_phone         TEXT NOT NULL DEFAULT '',
    marker_x             INTEGER CHECK (marker_x BETWEEN 0 AND 1000),
    marker_y             INTEGER CHECK (marker_y BETWEEN 0 AND 1000),
    level_rank           INTEGER CHECK (level_rank BETWEEN 1 AND 4),
    risk_count           INTEGER NOT NULL DEFAULT 0,
    last_assessed_on     TEXT,
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    row_version          INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CHECK ((marker_x IS NULL) = (marker_y IS NULL))
);
CREATE INDEX risk_point_org ON risk_point(org_id, active, level_rank, name, id);
CREATE INDEX risk_point_level ON risk_point(level_rank, active, org_id, id);
CREATE INDEX risk_point_responsible ON risk_point(responsible_user_id, active);

-- A risk with its current assessment (method, raw factors, score, level) and an optional
-- residual assessment. org_id repeats the point's organisation (points never move between
-- units) so the register pages from one index.
CREATE TABLE risk (
    id                   INTEGER PRIMARY KEY,
    risk_point_id        INTEGER NOT NULL REFERENCES risk_point(id),
    org_id               INTEGER NOT NULL REFERENCES org(id),
    description          TEXT NOT NULL,
    factors              TEXT NOT NULL DEFAULT '',
    accident_standard    TEXT NOT NULL,
    accident_types       TEXT NOT NULL DEFAULT '',
    consequence          TEXT NOT NULL DEFAULT '',
    method               TEXT NOT NULL CHECK (method IN ('lec', 'ls', 'direct')),
    f_l                  INTEGER,
    f_e                  INTEGER,
    f_c                  INTEGER,
    f_s                  INTEGER,
    direct_reason        TEXT NOT NULL DEFAULT '',
    score                INTEGER NOT NULL CHECK (score >= 0),
    level_rank           INTEGER NOT NULL CHECK (level_rank BETWEEN 1 AND 4),
    residual_method      TEXT CHECK (residual_method IN ('lec', 'ls', 'direct')),
    residual_l           INTEGER,
    residual_e           INTEGER,
    residual_c           INTEGER,
    residual_s           INTEGER,
    residual_reason      TEXT NOT NULL DEFAULT '',
    residual_score       INTEGER,
    residual_level_rank  INTEGER CHECK (residual_level_rank BETWEEN 1 AND 4),
    control_tier         TEXT NOT NULL CHECK (control_tier IN ('company', 'department', 'team', 'post')),
    assessed_on          TEXT NOT NULL,
    assessor_user_id     INTEGER REFERENCES app_user(id),
    assessor_name        TEXT NOT NULL DEFAULT '',
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    row_version          INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CHECK (method <> 'lec' OR (f_l IS NOT NULL AND f_e IS NOT NULL AND f_c IS NOT NULL)),
    CHECK (method <> 'ls' OR (f_l IS NOT NULL AND f_s IS NOT NULL)),
    CHECK (method <> 'direct' OR (direct_reason <> '' AND level_rank = 1)),
    CHECK ((residual_method IS NULL) = (residual_level_rank IS NULL))
);
-- The register pages by level, organisation, point, id; each index carries what the filters test.
CREATE INDEX risk_register ON risk(level_rank, org_id, risk_point_id, id, active);
CREATE INDEX risk_org ON risk(org_id, level_rank, risk_point_id, id, active);
CREATE INDEX risk_of_point ON risk(risk_point_id, active, level_rank, id);

-- Every assessment kept: kind 'assessment' (by a person: first or re-assessment) or 'regrade'
-- (a rule change moved the level; reason "分级标准调整：…").
CREATE TABLE risk_version (
    id                INTEGER PRIMARY KEY,
    risk_id           INTEGER NOT NULL REFERENCES risk(id),
    kind              TEXT NOT NULL CHECK (kind IN ('assessment', 'regrade')),
    assessed_on       TEXT NOT NULL,
    assessor_user_id  INTEGER REFERENCES app_user(id),
    assessor_name     TEXT NOT NULL DEFAULT '',
    method            TEXT NOT NULL CHECK (method IN ('lec', 'ls', 'direct')),
    f_l               INTEGER,
    f_e               INTEGER,
    f_c               INTEGER,
    f_s               INTEGER,
    direct_reason     TEXT NOT NULL DEFAULT '',
    score             INTEGER NOT NULL,
    level_rank        INTEGER NOT NULL CHECK (level_rank BETWEEN 1 AND 4),
    reason            TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL
);
CREATE INDEX risk_version_risk ON risk_version(risk_id, id);
CREATE INDEX risk_version_date ON risk_version(assessed_on, kind, risk_id);

CREATE TABLE risk_measure (
    id                   INTEGER PRIMARY KEY,
    risk_id              INTEGER NOT NULL REFERENCES risk(id),
    risk_point_id        INTEGER NOT NULL REFERENCES risk_point(id),
    org_id               INTEGER NOT NULL REFERENCES org(id),
    measure_type         TEXT NOT NULL CHECK (measure_type IN ('engineering', 'management', 'training', 'protective', 'emergency')),
    content              TEXT NOT NULL,
    tier                 TEXT NOT NULL CHECK (tier IN ('company', 'department', 'team', 'post')),
    responsible_user_id  INTEGER REFERENCES app_user(id),
    responsible_name     TEXT NOT NULL DEFAULT '',
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    row_version          INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX risk_measure_risk ON risk_measure(risk_id, active, id);
CREATE INDEX risk_measure_point ON risk_measure(risk_point_id, active, id);

-- The bureau's grading rules (anjian_domain::risk::GradingRules as JSON): one row, id 1. Absent
-- until first changed; the defaults with their sources (RULE_SOURCES) apply until then.
CREATE TABLE risk_settings (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    rules            TEXT NOT NULL,
    reason           TEXT NOT NULL DEFAULT '',
    updated_by       INTEGER REFERENCES app_user(id),
    updated_by_name  TEXT NOT NULL DEFAULT '',
    row_version      INTEGER NOT NULL DEFAULT 1,
    updated_at       TEXT NOT NULL
);

-- An organisation's site plan (平面图) for the four-colour view.
CREATE TABLE risk_site_plan (
    org_id         INTEGER PRIMARY KEY REFERENCES org(id),
    attachment_id  INTEGER NOT NULL REFERENCES attachment(id),
    updated_at     TEXT NOT NULL
);

-- The checklist made from a point's control measures (measures_to_checklist), so making it
-- again refreshes the same checklist.
CREATE TABLE risk_point_checklist (
    risk_point_id  INTEGER PRIMARY KEY REFERENCES risk_point(id),
    checklist_id   INTEGER NOT NULL REFERENCES checklist(id)
);

-- Hazards found at a risk point (coupling, issue 4 §5).
ALTER TABLE hazard ADD COLUMN risk_point_id INTEGER REFERENCES risk_point(id);
CREATE INDEX hazard_risk_point ON hazard(risk_point_id, found_on, status, deleted_at);
