-- The ledgers' regulatory settings as data the bureau edits (issue 5): the use categories of
-- 安全生产经费 and the drill intervals and yearly training minimums the boards check. The rows
-- below are the defaults of anjian_domain::ledger (FUNDING_CATEGORIES, DrillIntervals,
-- TrainingMinimums), where each value's source is cited; a test compares the two.
-- Depends only on 0001 (app_user) and 0007 (ledger_entry stores the category code).

-- A use category of 安全生产经费. Entries keep the code; the label may be renamed, and a category
-- entries use is deactivated (no longer offered) rather than deleted. Ids and codes of new
-- categories are assigned by the application (the next number), so the seeded 1-10 stay put.
CREATE TABLE ledger_funding_category (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    label           TEXT NOT NULL,
    source          TEXT NOT NULL DEFAULT '',
    sort_order      INTEGER NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    row_version     INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT,
    updated_by      INTEGER REFERENCES app_user(id),
    updated_by_name TEXT NOT NULL DEFAULT ''
);

-- The one row of intervals (months) and minimums (tenths of a 学时).
CREATE TABLE ledger_settings (
    id                     INTEGER PRIMARY KEY CHECK (id = 1),
    drill_onsite_months    INTEGER NOT NULL,
    drill_plan_months      INTEGER NOT NULL,
    manager_initial_tenths INTEGER NOT NULL,
    manager_yearly_tenths  INTEGER NOT NULL,
    newcomer_tenths        INTEGER NOT NULL,
    staff_yearly_tenths    INTEGER NOT NULL,
    row_version            INTEGER NOT NULL DEFAULT 1,
    updated_at             TEXT,
    updated_by             INTEGER REFERENCES app_user(id),
    updated_by_name        TEXT NOT NULL DEFAULT ''
);

INSERT INTO ledger_settings (id, drill_onsite_months, drill_plan_months, manager_initial_tenths,
    manager_yearly_tenths, newcomer_tenths, staff_yearly_tenths)
VALUES (1, 6, 12, 320, 120, 240, 200);

INSERT INTO ledger_funding_category (id, code, label, source, sort_order) VALUES
    (1, '1', '完善、改造和维护安全防护设施设备', '财资〔2022〕136号', 1),
    (2, '2', '配备、维护、保养应急救援器材、设备，应急救援队伍建设、应急预案制修订与应急演练', '财资〔2022〕136号', 2),
    (3, '3', '重大危险源检测、评估、监控，安全风险分级管控和事故隐患排查整改，安全生产信息化、智能化建设', '财资〔2022〕136号', 3),
    (4, '4', '安全生产检查、评估评价、咨询和标准化建设', '财资〔2022〕136号', 4),
    (5, '5', '配备和更新现场作业人员安全防护用品', '财资〔2022〕136号', 5),
    (6, '6', '安全生产宣传、教育、培训和从业人员发现并报告事故隐患的奖励', '财资〔2022〕136号', 6),
    (7, '7', '安全生产适用的新技术、新标准、新工艺、新装备的推广应用', '财资〔2022〕136号', 7),
    (8, '8', '安全设施及特种设备检测检验、检定校准', '财资〔2022〕136号', 8),
    (9, '9', '安全生产责任保险', '财资〔2022〕136号', 9),
    (10, '10', '与安全生产直接相关的其他支出', '财资〔2022〕136号', 10);
