//! The sandbox the wording templates run in. Templates are data a bureau edits, so the engine is
//! set up to give them the figures and nothing else: no loader (`include`, `import` and
//! `extends` find no template), no `debug()` dump, strict undefined names (a misspelt figure is
//! an error, not an empty string), an instruction budget (fuel) and a small recursion limit.
//!
//! The output is plain text. It is not HTML-escaped here because the same text goes into the
//! Word document and Markdown, where entities would show as `&lt;`; and minijinja's auto-escape
//! would only escape interpolated values, never the template's own literal text, so it could not
//! keep a template from writing markup anyway. Every HTML writer escapes the text whole (askama
//! on the pages, `html::escape` in the HTML export), which covers both.

use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};

/// Start and end of a figure marker in rendered text (private-use characters no template or
/// figure contains).
pub const OPEN: char = '\u{E000}';
pub const CLOSE: char = '\u{E001}';

/// Instructions one paragraph may execute. Every default paragraph, with every sample's
/// branches, fits in a twentieth of it (`samples::tests`); a loop that runs away stops here
/// instead of holding a request.
pub const FUEL: u64 = 20_000;
/// Nesting depth of blocks and loops; the defaults nest four deep.
const RECURSION_LIMIT: usize = 30;
/// A template's size: the longest default is under 2,000 characters.
pub const MAX_TEMPLATE_CHARS: usize = 10_000;
/// A rendered paragraph's size: a summary paragraph is a few hundred characters.
pub const MAX_PARAGRAPH_CHARS: usize = 5_000;

/// The figures a template may write with `{{ fig("key") }}`, in the order the settings page
/// lists them: key, what it counts, and the name conditions use for its plain value (`funding`
/// is shown in 万元, its value is `funding_fen` in 分).
pub const FIGURE_KEYS: &[(&str, &str, &str)] = &[
    ("inspections", "安全检查次数", "inspections"),
    ("inspected_orgs", "检查覆盖企业（单位）数", "inspected_orgs"),
    (
        "hazards_general_found",
        "排查一般隐患数",
        "hazards_general_found",
    ),
    (
        "hazards_general_rectified",
        "一般隐患已整改数",
        "hazards_general_rectified",
    ),
    (
        "hazards_major_found",
        "重大事故隐患数",
        "hazards_major_found",
    ),
    (
        "hazards_major_listed",
        "挂牌督办重大隐患数",
        "hazards_major_listed",
    ),
    ("hazards_rectified", "已整改隐患数", "hazards_rectified"),
    ("hazards_open", "尚未整改隐患数", "hazards_open"),
    ("hazards_overdue", "逾期未整改隐患数", "hazards_overdue"),
    (
        "rectification_rate",
        "隐患整改率（显示为百分数）",
        "rectification_rate",
    ),
    (
        "illegal_operations_found",
        "发现非法、违法生产经营行为数",
        "illegal_operations_found",
    ),
    (
        "fire_campaign_inspections",
        "消防安全专项检查次数",
        "fire_campaign_inspections",
    ),
    (
        "funding",
        "安全生产经费投入（万元，两位小数）",
        "funding_fen",
    ),
    ("accidents", "生产安全事故起数", "accidents"),
    ("deaths", "事故死亡人数", "deaths"),
    ("injuries", "事故受伤人数", "injuries"),
    ("publicity_events", "宣传活动场次", "publicity_events"),
    ("trainings", "培训活动场次", "trainings"),
    ("drills", "应急演练场次", "drills"),
    (
        "drills_fire_flood",
        "消防、防汛应急演练场次",
        "drills_fire_flood",
    ),
    ("safety_meetings", "安全生产工作会议次数", "safety_meetings"),
    (
        "responsibility_letters_signed",
        "签订目标责任书的单位数",
        "responsibility_letters_signed",
    ),
    ("risk_points", "风险点个数", "risk_points"),
    ("risks_major", "重大风险项数", "risks_major"),
    (
        "risks_major_unassigned",
        "未明确管控责任人的重大风险数",
        "risks_major_unassigned",
    ),
];

/// Words (not figures) a template may use: name and meaning.
pub const WORD_KEYS: &[(&str, &str)] = &[
    ("period_label", "期间名称，如“2023年上半年”"),
    ("org_name", "总结单位名称"),
    ("scope_word", "“上半年全系统”“本季度本单位”等主语"),
    ("next_period_word", "下一期间，如“下半年”"),
    (
        "key_periods",
        "本期开展检查的重要时段，如“春节、五一”（可能为空）",
    ),
    (
        "fire_campaigns",
        "本期开展检查的消防专项行动名称（可能为空）",
    ),
    ("next_key_periods", "下一期间的重要时段（可能为空）"),
];

pub fn is_figure_key(key: &str) -> bool {
    FIGURE_KEYS.iter().any(|(k, _, _)| *k == key)
}

/// `fig("key")`: leaves a marker that the output keeps as a figure segment. An unknown key is
/// an error, so a misspelt figure is refused when the template is saved.
fn fig(key: String) -> Result<String, Error> {
    if is_figure_key(&key) {
        Ok(format!("{OPEN}{key}{CLOSE}"))
    } else {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("没有名为“{key}”的统计数字"),
        ))
    }
}

/// The environment every wording template renders in.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Whatever name a template is given, its output stays plain text (see the module comment).
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(RECURSION_LIMIT);
    env.remove_global("debug");
    env.add_function("fig", fig);
    env
}

/// What went wrong, in Chinese, naming the template (by its label) and the line.
pub fn describe(label: &str, e: &Error) -> String {
    let what = match e.kind() {
        ErrorKind::SyntaxError => "语法错误",
        ErrorKind::UndefinedError => "使用了不存在的名称",
        ErrorKind::UnknownFunction => "使用了不存在的函数",
        ErrorKind::UnknownFilter => "使用了不存在的过滤器",
        ErrorKind::UnknownTest => "使用了不存在的判断",
        ErrorKind::UnknownMethod => "使用了不存在的方法",
        ErrorKind::TemplateNotFound | ErrorKind::BadInclude => "不允许引用其他模板",
        ErrorKind::OutOfFuel => "运算步骤过多（循环次数过多或嵌套过深）",
        ErrorKind::TooManyArguments | ErrorKind::MissingArgument => "函数参数个数不对",
        ErrorKind::InvalidOperation => "运算无效",
        _ => "无法生成文字",
    };
    let line = e.line().map(|l| format!("第{l}行")).unwrap_or_default();
    // Our own messages (fig) are Chinese; the engine's are English and shown as its hint.
    let detail = match e.detail() {
        Some(d) if d.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) => format!("：{d}"),
        Some(d) => format!("（引擎提示：{d}）"),
        None => String::new(),
    };
    format!("模板“{label}”{line}{what}{detail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_cannot_reach_other_templates_or_run_away() {
        let env = environment();
        let e = env
            .render_str("{% include 'secret.txt' %}", ())
            .unwrap_err();
        assert!(describe("开头段", &e).contains("不允许引用其他模板"));
        let e = env
            .render_str(
                "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
                (),
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::OutOfFuel);
        assert!(env.render_str("{{ debug() }}", ()).is_err());
        let e = env
            .template_from_named_str("part1.duty", "第一行\n{% if %}")
            .unwrap_err();
        let m = describe("（一）认真落实考核管理", &e);
        assert!(
            m.starts_with("模板“（一）认真落实考核管理”第2行语法错误"),
            "{m}"
        );
        assert!(env.render_str("{{ fig('nope') }}", ()).is_err());
        assert_eq!(
            env.render_str("{{ fig('drills') }}", ()).unwrap(),
            format!("{OPEN}drills{CLOSE}")
        );
        // Markup in a value stays as written: the HTML writers escape it, the DOCX keeps it.
        assert_eq!(
            env.render_str("{{ x }}", minijinja::context! { x => "<b>" })
                .unwrap(),
            "<b>"
        );
    }
}
