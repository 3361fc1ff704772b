//! The standard value tables and factor lists of the assessment methods, and the exact
//! (tenths / hundredths) number forms people type and read.

/// GB/T 13861 hazardous and harmful factors, top level and middle level (§2.3; the 2-digit codes
/// are unconfirmed, the names are sourced). A risk stores the codes it names.
pub const FACTOR_CATEGORIES: &[(&str, &str)] = &[
    ("1", "人的因素"),
    ("11", "心理、生理性危险和有害因素"),
    ("12", "行为性危险和有害因素"),
    ("2", "物的因素"),
    ("21", "物理性危险和有害因素"),
    ("22", "化学性危险和有害因素"),
    ("23", "生物性危险和有害因素"),
    ("3", "环境因素"),
    ("31", "室内作业场所环境不良"),
    ("32", "室外作业场地环境不良"),
    ("33", "地下（含水下）作业环境不良"),
    ("39", "其他作业环境不良"),
    ("4", "管理因素"),
    ("41", "职业安全卫生组织机构不健全"),
    ("42", "职业安全卫生责任制未落实"),
    ("43", "职业安全卫生管理规章制度不完善"),
    ("44", "职业安全卫生投入不足"),
    ("45", "职业健康管理不完善"),
    ("49", "其他管理因素缺陷"),
];

/// The name of a GB/T 13861 factor code.
pub fn factor_name(code: &str) -> Option<&'static str> {
    FACTOR_CATEGORIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
}

/// A value of an LEC table, in tenths (0.5 → 5), with its meaning.
pub type TableEntry = (u32, &'static str);

/// L, 事故发生的可能性 (§1.3).
pub const LEC_L: &[TableEntry] = &[
    (100, "完全可以预料"),
    (60, "相当可能"),
    (30, "可能，但不经常"),
    (10, "可能性小，完全意外"),
    (5, "很不可能，可以设想"),
    (2, "极不可能"),
    (1, "实际不可能"),
];

/// E, 暴露于危险环境的频繁程度 (§1.3).
pub const LEC_E: &[TableEntry] = &[
    (100, "连续暴露"),
    (60, "每天工作时间内暴露"),
    (30, "每周一次或偶然暴露"),
    (20, "每月一次暴露"),
    (10, "每年几次暴露"),
    (5, "非常罕见地暴露"),
];

/// C, 发生事故可能造成的后果 (§1.3, the classic 100/40/15/7/3/1 scale), in tenths like L and E.
pub const LEC_C: &[TableEntry] = &[
    (1000, "大灾难，许多人死亡"),
    (400, "灾难，数人死亡"),
    (150, "非常严重，一人死亡"),
    (70, "严重，重伤"),
    (30, "重大，致残"),
    (10, "引人注目，需要救护"),
];

/// LS L criteria, 5 … 1 (§1.4).
pub const LS_L: &[(u32, &str)] = &[
    (5, "现场没有采取防范、监测、保护、控制措施；或危害的发生不能被发现；或在正常情况下经常发生此类事故或事件"),
    (4, "危害的发生不容易被发现，现场没有检测系统；或有控制措施但未有效执行或控制措施不当；或危害常发生或在预期情况下发生"),
    (3, "没有保护措施（如没有保护装置、个人防护用品）；或未严格按操作程序执行；或危害的发生容易被发现；或过去曾经发生类似事故或事件"),
    (2, "危害一旦发生能及时发现，并定期进行监测；或现场有防范控制措施并能有效执行；或过去偶尔发生事故或事件"),
    (1, "有充分、有效的防范、控制、监测、保护措施；或员工安全卫生意识相当高，严格执行操作规程；极不可能发生"),
];

/// LS S criteria, 5 … 1 (§1.4; the highest column reached counts).
pub const LS_S: &[(u32, &str)] = &[
    (5, "违反法律法规和标准；死亡；直接经济损失100万元以上；部分装置（>2套）或设备停工；重大国际影响"),
    (4, "潜在违反法规和标准；丧失劳动能力；50万元以上；2套装置或设备停工；行业内、省内影响"),
    (3, "不符合上级公司或行业的安全方针、制度、规定；截肢、骨折、听力丧失、慢性病；1万元以上；1套装置或设备停工；地区影响"),
    (2, "不符合企业的安全操作程序、规定；轻微受伤、间歇不舒服；1万元以下；受影响不大，几乎不停工；公司及周边范围"),
    (1, "完全符合；无伤亡；无损失；没有停工；形象没有受损"),
];

/// Formats a value kept in tenths as people write it: 5 → "0.5", 30 → "3", 1000 → "100".
pub fn tenths(v: u32) -> String {
    if v.is_multiple_of(10) {
        (v / 10).to_string()
    } else {
        format!("{}.{}", v / 10, v % 10)
    }
}

/// Parses "0.5", "3", "3.0" into tenths; None for anything with more than one decimal.
pub fn parse_tenths(s: &str) -> Option<u32> {
    let s = s.trim();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f.trim_end_matches('0')),
        None => (s, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let int: u32 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac: u32 = match frac.len() {
        0 => 0,
        1 => frac.parse().ok()?,
        _ => return None,
    };
    int.checked_mul(10)?.checked_add(frac)
}

/// D as hundredths (D = 20 → 2000; D = 20.1 → 2010). L, E and C are in tenths, so
/// L·E·C / 10 is exactly D × 100.
pub fn lec_d_hundredths(l: u32, e: u32, c: u32) -> u64 {
    u64::from(l) * u64::from(e) * u64::from(c) / 10
}

/// Formats D hundredths as people write D: 2000 → "20", 2010 → "20.1", 25 → "0.25".
pub fn format_d(h: u64) -> String {
    let (int, frac) = (h / 100, h % 100);
    match frac {
        0 => int.to_string(),
        f if f % 10 == 0 => format!("{int}.{}", f / 10),
        f => format!("{int}.{f:02}"),
    }
}

/// Parses a D value written by a person ("20", "20.1", "320.5") into hundredths.
pub fn parse_d(s: &str) -> Option<u64> {
    let s = s.trim();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty() || frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let int: u64 = int.parse().ok()?;
    let frac: u64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<u64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    int.checked_mul(100)?.checked_add(frac)
}
