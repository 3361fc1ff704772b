//! Safety work ledgers (安全工作台账): the six ledgers, their fields, the option lists they offer,
//! and the rules their boards apply (drill intervals, yearly training minimums, quarterly
//! meetings). Regulatory values are configuration here, each with its source; the pages, the
//! import, the export and the API all read the same field lists, so the six ledgers share one core.

use chrono::{Datelike, Months, NaiveDate};

use crate::role::Role;

/// The six ledgers. One table holds them all; `kind` tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    Funding,
    Training,
    Publicity,
    Drill,
    Meeting,
    Letter,
}

impl LedgerKind {
    pub const ALL: [LedgerKind; 6] = [
        LedgerKind::Funding,
        LedgerKind::Training,
        LedgerKind::Publicity,
        LedgerKind::Drill,
        LedgerKind::Meeting,
        LedgerKind::Letter,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LedgerKind::Funding => "funding",
            LedgerKind::Training => "training",
            LedgerKind::Publicity => "publicity",
            LedgerKind::Drill => "drill",
            LedgerKind::Meeting => "meeting",
            LedgerKind::Letter => "letter",
        }
    }

    /// The path segment of the ledger's pages (`/ledgers/drills`).
    pub fn segment(self) -> &'static str {
        match self {
            LedgerKind::Funding => "funding",
            LedgerKind::Training => "training",
            LedgerKind::Publicity => "publicity",
            LedgerKind::Drill => "drills",
            LedgerKind::Meeting => "meetings",
            LedgerKind::Letter => "letters",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LedgerKind::Funding => "安全生产经费投入",
            LedgerKind::Training => "安全培训",
            LedgerKind::Publicity => "安全宣传活动",
            LedgerKind::Drill => "应急演练",
            LedgerKind::Meeting => "安全生产工作会议",
            LedgerKind::Letter => "目标责任书",
        }
    }

    pub fn from_code(s: &str) -> Option<LedgerKind> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s || k.segment() == s)
    }

    /// The label of the ledger's date column.
    pub fn date_label(self) -> &'static str {
        match self {
            LedgerKind::Funding => "投入日期",
            LedgerKind::Letter => "签订日期",
            LedgerKind::Meeting => "会议日期",
            LedgerKind::Drill => "演练日期",
            LedgerKind::Training => "培训日期",
            LedgerKind::Publicity => "活动日期",
        }
    }

    /// The label of the ledger's "type" filter (its `category` column), empty when it has none.
    pub fn category_label(self) -> &'static str {
        match self {
            LedgerKind::Funding => "使用类别",
            LedgerKind::Training => "培训类型",
            LedgerKind::Publicity => "宣传形式",
            LedgerKind::Drill => "演练场景",
            LedgerKind::Meeting => "会议类型",
            LedgerKind::Letter => "",
        }
    }

    /// Whether `category` holds a code of a closed list (shown by its label) or free text with
    /// suggestions.
    pub fn category_options(self) -> Options {
        match self {
            LedgerKind::Funding => Options::Closed(FUNDING_CATEGORIES),
            LedgerKind::Training => Options::Open(TRAINING_KINDS),
            LedgerKind::Publicity => Options::Open(PUBLICITY_FORMS),
            LedgerKind::Drill => Options::Open(DRILL_SCENARIOS),
            LedgerKind::Meeting => Options::Closed(MEETING_KINDS),
            LedgerKind::Letter => Options::Closed(&[]),
        }
    }

    pub fn fields(self) -> &'static [Field] {
        match self {
            LedgerKind::Funding => FUNDING_FIELDS,
            LedgerKind::Training => TRAINING_FIELDS,
            LedgerKind::Publicity => PUBLICITY_FIELDS,
            LedgerKind::Drill => DRILL_FIELDS,
            LedgerKind::Meeting => MEETING_FIELDS,
            LedgerKind::Letter => LETTER_FIELDS,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.name == name)
    }
}

/// A list of `(code, label)`: closed (only these codes) or open (suggestions; any text goes).
#[derive(Debug, Clone, Copy)]
pub enum Options {
    Closed(&'static [(&'static str, &'static str)]),
    Open(&'static [(&'static str, &'static str)]),
}

impl Options {
    pub fn list(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Options::Closed(l) | Options::Open(l) => l,
        }
    }

    /// A code or its label for a closed list (import sheets carry labels); the trimmed text for
    /// an open one. None: not in the closed list.
    pub fn parse(self, s: &str) -> Option<String> {
        let s = s.trim();
        match self {
            Options::Closed(l) => l
                .iter()
                .find(|(c, label)| *c == s || *label == s)
                .map(|(c, _)| c.to_string()),
            Options::Open(_) => Some(s.to_string()),
        }
    }

    /// The label of a stored value: the list's label for a code, else the value itself.
    pub fn label(self, v: &str) -> String {
        self.list()
            .iter()
            .find(|(c, _)| *c == v)
            .map(|(_, l)| l.to_string())
            .unwrap_or_else(|| v.to_string())
    }
}

/// How a field is entered and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Widget {
    /// One line of text, at most this many characters.
    Text(usize),
    /// Several lines, at most this many characters.
    Area(usize),
    /// 元 with at most two decimals, stored in 分.
    Money,
    /// 学时 with at most one decimal, stored in tenths.
    Hours,
    /// A count of people (0…1,000,000).
    Count,
    /// A year (1990–2099).
    Year,
    /// One of a closed list of codes.
    Select(&'static [(&'static str, &'static str)]),
    /// Free text with suggestions.
    Suggest(&'static [(&'static str, &'static str)]),
    /// A campaign (专项行动) covering the entry's organisation.
    Campaign,
}

/// One field of a ledger: its column, its Chinese label, how it is entered, whether required.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub widget: Widget,
    pub required: bool,
}

const fn f(name: &'static str, label: &'static str, widget: Widget, required: bool) -> Field {
    Field {
        name,
        label,
        widget,
        required,
    }
}

// Every ledger also has the organisation and its date (`entry_date`), which are not listed here.

const FUNDING_FIELDS: &[Field] = &[
    f(
        "category",
        "使用类别",
        Widget::Select(FUNDING_CATEGORIES),
        true,
    ),
    f("amount", "金额（元）", Widget::Money, true),
    f("title", "用途说明", Widget::Text(200), true),
    f("description", "备注", Widget::Area(1000), false),
];

const TRAINING_FIELDS: &[Field] = &[
    f("title", "培训名称", Widget::Text(200), true),
    f(
        "category",
        "培训类型",
        Widget::Suggest(TRAINING_KINDS),
        true,
    ),
    f("hours", "学时", Widget::Hours, true),
    f("trainer", "授课人", Widget::Text(100), false),
    f("participants", "参训人数", Widget::Count, true),
    f("assessment", "考核结果", Widget::Text(200), false),
    f("description", "培训内容", Widget::Area(2000), false),
];

const PUBLICITY_FIELDS: &[Field] = &[
    f("title", "活动名称", Widget::Text(200), true),
    f(
        "category",
        "宣传形式",
        Widget::Suggest(PUBLICITY_FORMS),
        true,
    ),
    f("campaign_id", "专项行动", Widget::Campaign, false),
    f("participants", "受众人数", Widget::Count, false),
    f("description", "活动内容", Widget::Area(2000), false),
];

const DRILL_FIELDS: &[Field] = &[
    f("title", "演练名称", Widget::Text(200), true),
    f(
        "category",
        "演练场景",
        Widget::Suggest(DRILL_SCENARIOS),
        true,
    ),
    f("drill_kind", "演练类型", Widget::Select(DRILL_KINDS), true),
    f("drill_form", "演练形式", Widget::Select(DRILL_FORMS), true),
    f("plan_type", "预案类别", Widget::Select(PLAN_TYPES), true),
    f("plan", "所演练的预案", Widget::Text(200), false),
    f("participants", "参演人数", Widget::Count, true),
    f("evaluation", "演练评估", Widget::Area(2000), false),
];

const MEETING_FIELDS: &[Field] = &[
    f("title", "会议名称", Widget::Text(200), true),
    f("category", "会议类型", Widget::Select(MEETING_KINDS), true),
    f("attendees", "参会人员", Widget::Area(1000), false),
    f("topics", "会议议题", Widget::Area(2000), true),
    f("description", "会议纪要", Widget::Area(4000), false),
];

const LETTER_FIELDS: &[Field] = &[
    f("year", "责任年度", Widget::Year, true),
    f("title", "责任书名称", Widget::Text(200), true),
    f("signatories", "签订双方", Widget::Text(200), true),
    f("targets", "责任目标", Widget::Area(4000), false),
];

/// Whether entries of this ledger carry action items (meeting decisions) or improvement items
/// (drill findings), each with an owner and a deadline.
pub fn has_items(kind: LedgerKind) -> bool {
    matches!(kind, LedgerKind::Drill | LedgerKind::Meeting)
}

/// What the items of a ledger are called.
pub fn items_label(kind: LedgerKind) -> &'static str {
    match kind {
        LedgerKind::Drill => "整改事项",
        _ => "决定事项",
    }
}

/// Whether entries of this ledger may name attendees (people of the unit) for per-person hours.
pub fn has_attendees(kind: LedgerKind) -> bool {
    kind == LedgerKind::Training
}

/// 安全生产费用 use categories of 财资〔2022〕136号《企业安全生产费用提取和使用管理办法》(财政部、
/// 应急管理部, 2022-11-21), the generic pattern repeated across its sectors; reference/domain-rules.md
/// §6.2. Codes are stored; labels shown. Grain storage is not one of its twelve sectors, so the
/// list classifies spending rather than a mandatory extraction.
pub const FUNDING_CATEGORIES: &[(&str, &str)] = &[
    ("1", "完善、改造和维护安全防护设施设备"),
    ("2", "配备、维护、保养应急救援器材、设备，应急救援队伍建设、应急预案制修订与应急演练"),
    ("3", "重大危险源检测、评估、监控，安全风险分级管控和事故隐患排查整改，安全生产信息化、智能化建设"),
    ("4", "安全生产检查、评估评价、咨询和标准化建设"),
    ("5", "配备和更新现场作业人员安全防护用品"),
    ("6", "安全生产宣传、教育、培训和从业人员发现并报告事故隐患的奖励"),
    ("7", "安全生产适用的新技术、新标准、新工艺、新装备的推广应用"),
    ("8", "安全设施及特种设备检测检验、检定校准"),
    ("9", "安全生产责任保险"),
    ("10", "与安全生产直接相关的其他支出"),
];

/// Training kinds named in issue 5 and the seed (技能培训、警示教育、理论学习中心组学习).
pub const TRAINING_KINDS: &[(&str, &str)] = &[
    ("安全培训", "安全培训"),
    ("技能培训", "技能培训"),
    ("消防培训", "消防培训"),
    ("警示教育", "警示教育"),
    ("理论学习", "理论学习"),
    ("新员工三级安全教育", "新员工三级安全教育"),
];

/// Publicity forms, including the 安全宣传"五进" (进企业、进农村、进社区、进学校、进家庭) named in
/// the seed and issue 5.
pub const PUBLICITY_FORMS: &[(&str, &str)] = &[
    ("五进·进企业", "五进·进企业"),
    ("五进·进农村", "五进·进农村"),
    ("五进·进社区", "五进·进社区"),
    ("五进·进学校", "五进·进学校"),
    ("五进·进家庭", "五进·进家庭"),
    ("宣传咨询日", "宣传咨询日"),
    ("展板横幅", "展板横幅"),
    ("知识竞赛", "知识竞赛"),
    ("新媒体宣传", "新媒体宣传"),
];

/// Drill scenarios of grain depots (issue 5; reference/domain-rules.md §4).
pub const DRILL_SCENARIOS: &[(&str, &str)] = &[
    ("火灾", "火灾"),
    ("防汛", "防汛"),
    ("有限空间", "有限空间"),
    ("熏蒸中毒", "熏蒸中毒"),
    ("粉尘爆炸", "粉尘爆炸"),
    ("触电", "触电"),
    ("高处坠落", "高处坠落"),
];

/// AQ/T 9007-2019 by content; reference/domain-rules.md §5.1.
pub const DRILL_KINDS: &[(&str, &str)] = &[("comprehensive", "综合演练"), ("single", "单项演练")];

/// AQ/T 9007-2019 by form; reference/domain-rules.md §5.1.
pub const DRILL_FORMS: &[(&str, &str)] = &[("live", "实战演练"), ("tabletop", "桌面演练")];

/// Plan types of 《生产安全事故应急预案管理办法》Art 6; the drill interval depends on it (Art 33).
pub const PLAN_TYPES: &[(&str, &str)] = &[
    ("comprehensive", "综合应急预案"),
    ("special", "专项应急预案"),
    ("onsite", "现场处置方案"),
];

/// Meeting kinds (issue 5; the seed: 每季度召开安全生产工作会议, 安全生产（消防安全）工作领导小组).
pub const MEETING_KINDS: &[(&str, &str)] = &[
    ("quarterly", "季度安全生产工作会议"),
    ("special", "专题会议"),
    ("leading_group", "领导小组会议"),
];

/// Status of an action or improvement item.
pub const ITEM_STATUSES: &[(&str, &str)] = &[("open", "未完成"), ("done", "已完成")];

// ---------------------------------------------------------------- drills

/// Where the defaults of the ledger settings come from, shown beside each setting on the
/// settings page (the values themselves are stored; see `anjian_db::ledger::settings`).
pub const FUNDING_SOURCE: &str = "财资〔2022〕136号《企业安全生产费用提取和使用管理办法》（财政部、应急管理部，2022年11月21日）规定的安全生产费用使用范围；粮食仓储不在其列举的十二个行业之内，本表用于对经费投入分类统计。";
pub const DRILL_ONSITE_SOURCE: &str = "《生产安全事故应急预案管理办法》（应急管理部令第2号修正）第三十三条：每半年至少组织一次现场处置方案演练。";
pub const DRILL_PLAN_SOURCE: &str = "《生产安全事故应急预案管理办法》（应急管理部令第2号修正）第三十三条：每年至少组织一次综合应急预案演练或者专项应急预案演练。";
pub const TRAINING_MANAGER_SOURCE: &str = "《生产经营单位安全培训规定》（原国家安全监管总局令第3号，经修正）第九条：主要负责人和安全生产管理人员初次安全培训时间不得少于32学时，每年再培训时间不得少于12学时（一般生产经营单位）。";
pub const TRAINING_STAFF_SOURCE: &str = "《生产经营单位安全培训规定》第十三条：新上岗的从业人员岗前安全培训时间不得少于24学时；从业人员每年接受再培训的时间不得少于20学时（一般生产经营单位）。";

/// Required drill intervals in months. 《生产安全事故应急预案管理办法》(应急管理部令第2号 2019) Art 33:
/// 每年至少组织一次综合应急预案演练或者专项应急预案演练，每半年至少组织一次现场处置方案演练
/// (reference/domain-rules.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DrillIntervals {
    /// 现场处置方案: 6 months.
    pub onsite_months: u32,
    /// 综合 or 专项应急预案: 12 months.
    pub plan_months: u32,
}

impl Default for DrillIntervals {
    fn default() -> Self {
        DrillIntervals {
            onsite_months: 6,
            plan_months: 12,
        }
    }
}

/// A drill is due again `months` after the last one: overdue when today is past that day. A unit
/// that never drilled is overdue.
pub fn drill_overdue(last: Option<NaiveDate>, months: u32, today: NaiveDate) -> bool {
    match last {
        None => true,
        Some(d) => match d.checked_add_months(Months::new(months)) {
            Some(due) => today > due,
            None => false,
        },
    }
}

// ---------------------------------------------------------------- training

/// Yearly training minimums in 学时 (tenths are stored, so 12 学时 = 120).
/// 《生产经营单位安全培训规定》(原国家安监总局令第3号, amended) Art 9 and Art 13, general (non-高危)
/// units: 主要负责人和安全生产管理人员 initial ≥32, yearly re-training ≥12; new employees pre-job
/// ≥24; all employees yearly ≥20 (reference/domain-rules.md §6.1). The yearly figures drive the
/// shortfall board; the initial ones are shown as reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TrainingMinimums {
    pub manager_initial_tenths: i64,
    pub manager_yearly_tenths: i64,
    pub newcomer_tenths: i64,
    pub staff_yearly_tenths: i64,
}

impl Default for TrainingMinimums {
    fn default() -> Self {
        TrainingMinimums {
            manager_initial_tenths: 320,
            manager_yearly_tenths: 120,
            newcomer_tenths: 240,
            staff_yearly_tenths: 200,
        }
    }
}

/// Whom the training rule puts in which class: heads (主要负责人) and safety staff (安全生产管理人员)
/// against the managers' minimum, everyone else against the staff minimum.
pub fn is_safety_manager(role: Role) -> bool {
    matches!(
        role,
        Role::UnitHead | Role::UnitOfficer | Role::BureauLeader | Role::BureauSupervisor
    )
}

impl TrainingMinimums {
    /// The yearly minimum that applies to a person of this role, in tenths of a 学时.
    pub fn yearly_for(&self, role: Role) -> i64 {
        if is_safety_manager(role) {
            self.manager_yearly_tenths
        } else {
            self.staff_yearly_tenths
        }
    }
}

/// How many tenths of a 学时 are missing to reach `minimum` (0 when reached).
pub fn training_shortfall(hours_tenths: i64, minimum_tenths: i64) -> i64 {
    (minimum_tenths - hours_tenths).max(0)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("学时不能为空")]
    Empty,
    #[error("学时应为数字，最多一位小数，如 2 或 1.5")]
    Format,
    #[error("学时应大于0且不超过1000")]
    Range,
}

/// Parses 学时 as typed (`2`, `1.5`, `3.0`) into tenths; no floats on the way.
pub fn parse_hours(s: &str) -> Result<i64, HoursError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(HoursError::Empty);
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 5 || !digits(int) || !digits(frac) {
        return Err(HoursError::Format);
    }
    let (kept, rest) = frac.split_at(frac.len().min(1));
    if rest.bytes().any(|b| b != b'0') {
        return Err(HoursError::Format);
    }
    let whole: i64 = int.parse().map_err(|_| HoursError::Format)?;
    let tenths = whole * 10 + kept.parse::<i64>().unwrap_or(0);
    if tenths == 0 || tenths > 10_000 {
        return Err(HoursError::Range);
    }
    Ok(tenths)
}

/// Tenths of a 学时 as shown: `15` → `1.5`, `20` → `2`.
pub fn format_hours(tenths: i64) -> String {
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, (tenths % 10).abs())
    }
}

// ---------------------------------------------------------------- meetings

/// The quarter (1–4) of a date.
pub fn quarter_of(d: NaiveDate) -> u32 {
    (d.month() - 1) / 3 + 1
}

/// The quarters of `year` that have begun by `today` (all four for a past year, none for a future
/// one): the meeting board flags only those.
pub fn quarters_begun(year: i32, today: NaiveDate) -> u32 {
    if year < today.year() {
        4
    } else if year > today.year() {
        0
    } else {
        quarter_of(today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn kinds_round_trip_by_code_and_segment() {
        for k in LedgerKind::ALL {
            assert_eq!(LedgerKind::from_code(k.code()), Some(k));
            assert_eq!(LedgerKind::from_code(k.segment()), Some(k));
            assert!(!k.fields().is_empty());
        }
        assert_eq!(LedgerKind::from_code("nope"), None);
    }

    #[test]
    fn ten_funding_categories_of_caizi_2022_136() {
        assert_eq!(FUNDING_CATEGORIES.len(), 10);
        let o = LedgerKind::Funding.category_options();
        assert_eq!(o.parse("9"), Some("9".into()));
        assert_eq!(o.parse("安全生产责任保险"), Some("9".into()));
        assert_eq!(o.parse("买茶叶"), None);
        assert_eq!(o.label("9"), "安全生产责任保险");
        // Open lists keep what was typed.
        assert_eq!(
            LedgerKind::Training.category_options().parse(" 岗前培训 "),
            Some("岗前培训".into())
        );
    }

    #[test]
    fn five_jin_forms_are_offered() {
        let n = PUBLICITY_FORMS
            .iter()
            .filter(|(c, _)| c.starts_with("五进"))
            .count();
        assert_eq!(n, 5);
    }

    #[test]
    fn drill_overdue_after_the_interval() {
        let i = DrillIntervals::default();
        // Last on-site drill 2023-01-15: due by 2023-07-15, overdue from 07-16.
        assert!(!drill_overdue(
            Some(d(2023, 1, 15)),
            i.onsite_months,
            d(2023, 7, 15)
        ));
        assert!(drill_overdue(
            Some(d(2023, 1, 15)),
            i.onsite_months,
            d(2023, 7, 16)
        ));
        assert!(!drill_overdue(
            Some(d(2023, 1, 15)),
            i.plan_months,
            d(2023, 12, 31)
        ));
        assert!(drill_overdue(
            Some(d(2023, 1, 15)),
            i.plan_months,
            d(2024, 1, 16)
        ));
        // Month ends clamp: 08-31 + 6 months = 02-29 in a leap year.
        assert!(!drill_overdue(Some(d(2023, 8, 31)), 6, d(2024, 2, 29)));
        assert!(drill_overdue(Some(d(2023, 8, 31)), 6, d(2024, 3, 1)));
        assert!(drill_overdue(None, 12, d(2023, 1, 1)));
    }

    #[test]
    fn training_minimums_and_shortfall() {
        let m = TrainingMinimums::default();
        assert_eq!(m.yearly_for(Role::UnitHead), 120);
        assert_eq!(m.yearly_for(Role::UnitOfficer), 120);
        assert_eq!(m.yearly_for(Role::Inspector), 200);
        assert_eq!(training_shortfall(85, 120), 35);
        assert_eq!(training_shortfall(120, 120), 0);
        assert_eq!(training_shortfall(300, 200), 0);
    }

    #[test]
    fn hours_parse_in_tenths() {
        assert_eq!(parse_hours("2"), Ok(20));
        assert_eq!(parse_hours("1.5"), Ok(15));
        assert_eq!(parse_hours("3.0"), Ok(30));
        assert_eq!(parse_hours("3.50"), Ok(35));
        assert_eq!(parse_hours("1.25"), Err(HoursError::Format));
        assert_eq!(parse_hours("abc"), Err(HoursError::Format));
        assert_eq!(parse_hours("-2"), Err(HoursError::Format));
        assert_eq!(parse_hours(".5"), Err(HoursError::Format));
        assert_eq!(parse_hours("0"), Err(HoursError::Range));
        assert_eq!(parse_hours("1001"), Err(HoursError::Range));
        assert_eq!(parse_hours(""), Err(HoursError::Empty));
        assert_eq!(format_hours(15), "1.5");
        assert_eq!(format_hours(20), "2");
    }

    #[test]
    fn quarters() {
        assert_eq!(quarter_of(d(2023, 3, 31)), 1);
        assert_eq!(quarter_of(d(2023, 4, 1)), 2);
        assert_eq!(quarter_of(d(2023, 12, 31)), 4);
        assert_eq!(quarters_begun(2022, d(2023, 5, 1)), 4);
        assert_eq!(quarters_begun(2023, d(2023, 5, 1)), 2);
        assert_eq!(quarters_begun(2024, d(2023, 5, 1)), 0);
    }

    #[test]
    fn wan_yuan_rounding_is_half_up_on_the_fen_integer() {
        use crate::money::Fen;
        assert_eq!(Fen(11_930_000).to_wan_yuan_2dp(), "11.93");
        // 1 万元 = 10,000 元 = 1,000,000 分. So 1,234,567 分 = 12,345.67 元 = 1.234567 万元 → 1.23
        // (not 123.46); the figure is rounded once, half up on the 分 integer.
        assert_eq!(Fen(1_234_567).to_wan_yuan_2dp(), "1.23");
        assert_eq!(Fen(1_234_999).to_wan_yuan_2dp(), "1.23");
        // Exactly half a unit of 0.01 万元 (50 元 = 5,000 分) rounds up.
        assert_eq!(Fen(1_235_000).to_wan_yuan_2dp(), "1.24");
        assert_eq!(Fen(123_456_789).to_wan_yuan_2dp(), "123.46");
        assert_eq!(Fen(5_000).to_wan_yuan_2dp(), "0.01");
    }
}
