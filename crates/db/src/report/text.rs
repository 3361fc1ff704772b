//! The summary's wording: one minijinja template per paragraph, filled with the period's figures.
//! Templates are data (the bureau edits them; these are the defaults), and the honesty of the
//! wording lives in their conditions: "已全部完成整改" only when nothing is open, "无人员伤亡事故"
//! only when the accident register exists and is empty, a theme without records says so.
//!
//! A figure is written `{{ fig("inspections") }}`: rendering leaves a marker that the output
//! keeps as a figure segment, so the HTML view links it to the records it counts, while
//! conditions use the plain values (`{% if hazards_open == 0 %}`).

use minijinja::Value;
use serde::Serialize;

use super::engine::{self, CLOSE, MAX_PARAGRAPH_CHARS, OPEN};
use super::Figures;

/// One paragraph's template: where it goes and its wording.
#[derive(Debug, Clone, Serialize)]
pub struct ParagraphTemplate {
    /// Stable key, e.g. `part1.hazards`.
    pub key: &'static str,
    /// The heading it sits under (empty: continues the previous heading).
    pub heading: &'static str,
    pub body: &'static str,
}

/// A piece of a rendered paragraph: text, or a figure with its key and the value as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Segment {
    Text { text: String },
    Figure { key: String, text: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Paragraph {
    pub key: String,
    pub segments: Vec<Segment>,
}

impl Paragraph {
    pub fn plain(&self) -> String {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Text { text } | Segment::Figure { text, .. } => text.as_str(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Section {
    /// 一、主要工作完成情况 / （一）… ; empty for the opening paragraph.
    pub heading: String,
    /// 1 for 一、, 2 for （一）.
    pub level: u8,
    pub paragraphs: Vec<Paragraph>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub title: String,
    pub sections: Vec<Section>,
}

impl Summary {
    /// The whole text, one paragraph a line, headings included.
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for s in &self.sections {
            if !s.heading.is_empty() {
                out.push_str(&s.heading);
                out.push('\n');
            }
            for p in &s.paragraphs {
                out.push_str(&p.plain());
                out.push('\n');
            }
        }
        out
    }
}

/// The default wording, after the structure of the seed (reference/domain-rules.md §9).
pub const DEFAULT_TEMPLATES: &[ParagraphTemplate] = &[
    ParagraphTemplate {
        key: "opening",
        heading: "",
        body: "{{ period_label }}，{{ org_name }}安全生产工作坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻习近平总书记关于安全生产工作重要论述，严格落实省、市工作部署要求，坚持人民至上、生命至上，统筹发展与安全，树牢红线意识，强化底线思维，坚持问题导向，深化源头治理，推进重大事故隐患排查整治行动，着力防控重大安全风险，\
{% if accidents is none %}全力维护安全生产形势稳定。\
{% elif accidents == 0 %}确保安全生产形势持续稳定。\
{% else %}安全生产形势总体可控，但期间发生生产安全事故{{ fig('accidents') }}起，教训深刻，须举一反三、引以为戒。{% endif %}",
    },
    ParagraphTemplate {
        key: "part1.duty",
        heading: "（一）认真落实考核管理，履行部门监管职责",
        body: "按照“坚持管行业必须管安全、管业务必须管安全、管生产经营必须管安全”要求，切实履行安全生产工作行业监管责任，把安全生产工作纳入重要议事日程。\
{% if safety_meetings is none %}\
{% elif safety_meetings > 0 %}本期召开安全生产工作会议{{ fig('safety_meetings') }}次，分析安全生产形势，研究解决安全生产问题，部署安排下一阶段工作。\
{% else %}本期系统中未登记安全生产工作会议。{% endif %}\
{% if responsibility_letters_signed is none %}\
{% elif responsibility_letters_signed > 0 %}与{{ fig('responsibility_letters_signed') }}家单位签订安全生产暨消防安全目标责任书，进一步明确目标任务，层层落实安全责任。\
{% else %}本期系统中未登记签订的目标责任书。{% endif %}",
    },
    ParagraphTemplate {
        key: "part1.responsibility",
        heading: "（二）构建安全责任体系，压实企业主体责任",
        body: "指导督促企事业单位主要负责人严格履行安全生产第一责任人责任，建立健全全员安全生产责任制。\
{% if funding_fen is none %}\
{% elif funding_fen > 0 %}各单位充分落实安全生产经费投入，用于维修、改造或更新安全设施设备，配足配齐劳保用品，本期累计落实安全生产经费投入{{ fig('funding') }}万元。\
{% else %}本期系统中未登记安全生产经费投入。{% endif %}\
{% if risk_points is none %}\
{% elif risk_points > 0 %}健全完善安全风险分级管控和隐患排查治理双重预防工作机制，全系统辨识风险点{{ fig('risk_points') }}个，\
{% if risks_major > 0 %}其中重大风险{{ fig('risks_major') }}项，{% if risks_major_unassigned == 0 %}均已明确管控层级和责任人，{% else %}有{{ fig('risks_major_unassigned') }}项尚未明确管控责任人，{% endif %}{% else %}未辨识出重大风险，{% endif %}实施安全风险公告警示。\
{% else %}本期系统中尚未登记安全风险辨识评估记录，双重预防机制建设有待加强。{% endif %}",
    },
    ParagraphTemplate {
        key: "part1.hazards",
        heading: "（三）突出重点安全防控，排查治理风险隐患",
        body: "结合重大事故隐患专项排查整治行动、“安全生产月”等活动的开展，常态化开展安全生产检查和事故隐患排查。\
{% if key_periods %}在{{ key_periods }}等重要时段，积极开展安全隐患排查和安全生产大检查活动，严格执行领导带班、24小时值班和事故信息报告制度。{% endif %}\
{% if inspections == 0 and hazards_general_found == 0 and hazards_major_found == 0 %}本期系统中未登记安全检查和隐患排查记录。\
{% else %}{% set c = [] %}\
{% if inspections > 0 %}{% set c = c + ['共计开展安全检查' ~ fig('inspections') ~ '次', '检查覆盖企业' ~ fig('inspected_orgs') ~ '家'] %}{% endif %}\
{% if hazards_general_found == 0 and hazards_major_found == 0 %}{% set c = c + ['未排查出安全隐患'] %}\
{% else %}{% set c = c + ['排查一般安全隐患问题' ~ fig('hazards_general_found') ~ '项' ~ ('、重大事故隐患' ~ fig('hazards_major_found') ~ '项' if hazards_major_found > 0 else '')] %}\
{% if hazards_open == 0 %}{% set c = c + ['已全部完成整改'] %}\
{% else %}{% set c = c + ['已整改' ~ fig('hazards_rectified') ~ '项', '整改率' ~ fig('rectification_rate'), '剩余' ~ fig('hazards_open') ~ '项正在整改', '均已明确整改责任、措施和期限'] %}\
{% if hazards_overdue > 0 %}{% set c = c + ['其中' ~ fig('hazards_overdue') ~ '项已超过整改期限，正在督促整改'] %}{% endif %}{% endif %}{% endif %}\
{% if hazards_major_listed > 0 %}{% set c = c + ['挂牌督办重大隐患' ~ fig('hazards_major_listed') ~ '项'] %}{% else %}{% set c = c + ['无挂牌督办重大隐患'] %}{% endif %}\
{% if accidents is none %}\
{% elif accidents == 0 %}{% set c = c + ['无人员伤亡事故'] %}\
{% elif deaths == 0 and injuries == 0 %}{% set c = c + ['发生无人员伤亡的生产安全事故' ~ fig('accidents') ~ '起'] %}\
{% else %}{% set c = c + ['发生生产安全事故' ~ fig('accidents') ~ '起，造成' ~ (fig('deaths') ~ '人死亡' if deaths > 0 else '') ~ ('、' if deaths > 0 and injuries > 0 else '') ~ (fig('injuries') ~ '人受伤' if injuries > 0 else '')] %}{% endif %}\
{% if inspections > 0 %}{% if illegal_operations_found == 0 %}{% set c = c + ['未发现非法、违法生产经营单位'] %}\
{% else %}{% set c = c + ['发现非法、违法生产经营行为' ~ fig('illegal_operations_found') ~ '起，已依法依规处置'] %}{% endif %}{% endif %}\
{% if inspections == 0 %}本期系统中未登记安全检查记录；{% endif %}{{ scope_word }}{{ c|join('，') }}。{% endif %}",
    },
    ParagraphTemplate {
        key: "part1.fire_flood",
        heading: "（四）做好防汛减灾准备，抓好消防安全工作",
        body: "{% if fire_campaign_inspections > 0 %}组织开展{{ fire_campaigns }}等工作，结合实际开展消防安全专项检查{{ fig('fire_campaign_inspections') }}次，重点加强违规使用易燃可燃材料装修装饰、消防通道不畅通、违规存放易燃易爆危险品、电动自行车违规停放充电等突出风险的排查治理。\
{% else %}本期系统中未登记消防安全专项行动的检查记录。{% endif %}\
{% if drills_fire_flood is none %}\
{% elif drills_fire_flood > 0 %}组织开展消防、防汛等应急演练{{ fig('drills_fire_flood') }}场，熟悉应急预案，强化分工协作。\
{% else %}本期系统中未登记消防、防汛应急演练。{% endif %}",
    },
    ParagraphTemplate {
        key: "part1.training",
        heading: "（五）落实宣传教育培训，提升应急处置能力",
        body: "将安全生产方针政策和法律法规作为本系统安全生产培训和宣传工作重点，提高干部职工安全意识和应急处置能力。\
{% if publicity_events is none and trainings is none and drills is none %}\
{% elif (publicity_events or 0) + (trainings or 0) + (drills or 0) == 0 %}本期系统中未登记宣传、培训和应急演练活动。\
{% else %}{{ scope_word }}累计开展宣传活动{{ fig('publicity_events') }}场，培训活动{{ fig('trainings') }}场，应急演练{{ fig('drills') }}场，不断提升干部职工安全素质。{% endif %}",
    },
];

/// The figures as the template context: plain values for conditions.
fn context(f: &Figures) -> Value {
    Value::from_serialize(f)
}

/// How the settings page and error messages name a template: its heading, or 开头段.
pub fn label_of(key: &str) -> String {
    match DEFAULT_TEMPLATES.iter().find(|t| t.key == key) {
        Some(t) if t.heading.is_empty() => "开头段".to_string(),
        Some(t) => t.heading.to_string(),
        None => key.to_string(),
    }
}

/// Renders one paragraph's template in the sandbox (`engine`). Fails with a Chinese message
/// naming the template and the line.
pub fn render_one(key: &str, body: &str, f: &Figures) -> Result<String, String> {
    let env = engine::environment();
    let label = label_of(key);
    let t = env
        .template_from_named_str(key, body)
        .map_err(|e| engine::describe(&label, &e))?;
    let text = t
        .render(context(f))
        .map_err(|e| engine::describe(&label, &e))?;
    // A paragraph is one line: line breaks and indentation in a template are there to make it
    // readable, not part of the wording.
    let text: String = text.lines().map(str::trim_start).collect();
    if text.chars().count() > MAX_PARAGRAPH_CHARS {
        return Err(format!(
            "模板“{label}”生成的文字超过{MAX_PARAGRAPH_CHARS}字"
        ));
    }
    Ok(text)
}

/// Renders the summary with the given templates (the defaults or the bureau's edited ones).
/// Fails with the template key and a Chinese message naming the template and the line when a
/// template is broken, so the caller can show which one (or fall back to its default).
pub fn render(
    f: &Figures,
    templates: &[(String, String, String)],
) -> Result<Summary, (String, String)> {
    let mut sections: Vec<Section> = vec![Section {
        heading: String::new(),
        level: 0,
        paragraphs: Vec::new(),
    }];
    let mut part2_started = false;
    for (key, heading, body) in templates {
        let text = render_one(key, body, f).map_err(|e| (key.clone(), e))?;
        let paragraph = Paragraph {
            key: key.clone(),
            segments: segments(&text, f),
        };
        if key.starts_with("part1.") && !part2_started && sections.len() == 1 {
            sections.push(Section {
                heading: "一、主要工作完成情况".into(),
                level: 1,
                paragraphs: Vec::new(),
            });
        }
        if !heading.is_empty() {
            sections.push(Section {
                heading: heading.clone(),
                level: 2,
                paragraphs: Vec::new(),
            });
        }
        if key.starts_with("part2") {
            part2_started = true;
        }
        if let Some(last) = sections.last_mut() {
            last.paragraphs.push(paragraph);
        }
    }
    let mut plan = plan_sections(f);
    sections.append(&mut plan);
    Ok(Summary {
        title: format!("{}{}安全生产工作总结", f.org_name, f.period_label),
        sections,
    })
}

/// Renders with the default templates.
pub fn render_default(f: &Figures) -> Result<Summary, (String, String)> {
    let t: Vec<(String, String, String)> = DEFAULT_TEMPLATES
        .iter()
        .map(|t| (t.key.to_string(), t.heading.to_string(), t.body.to_string()))
        .collect();
    render(f, &t)
}

/// Splits rendered text at figure markers, showing each figure's value.
fn segments(text: &str, f: &Figures) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        if start > 0 {
            out.push(Segment::Text {
                text: rest[..start].to_string(),
            });
        }
        let after = &rest[start + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else {
            out.push(Segment::Text {
                text: after.to_string(),
            });
            return out;
        };
        let key = &after[..end];
        out.push(Segment::Figure {
            key: key.to_string(),
            text: f.display(key),
        });
        rest = &after[end + CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text {
            text: rest.to_string(),
        });
    }
    out
}

/// 二、下半年工作计划: drafted from what the records leave open, then the standing priorities.
fn plan_sections(f: &Figures) -> Vec<Section> {
    let mut items: Vec<(String, String)> = Vec::new();
    let mut first = String::from(
        "按照省、市工作部署要求，持续强化督导检查，全面排查治理安全生产隐患，重点抓好进出仓作业、有限空间作业、消防安全工作、粮食熏蒸或者熏蒸散气作业以及外包作业安全管理，依法严格查处违法违规行为。",
    );
    if f.hazards_open > 0 {
        first.push_str(&format!(
            "对尚未整改完毕的{}项隐患逐项盯办，确保按期整改销号{}。",
            f.hazards_open,
            if f.hazards_overdue > 0 {
                format!("，其中已逾期的{}项限期完成", f.hazards_overdue)
            } else {
                String::new()
            }
        ));
    }
    if f.hazards_major_found > 0 {
        first.push_str("对重大事故隐患严格落实治理方案，实行挂牌督办、跟踪问效。");
    }
    items.push(("（一）扎实开展重大事故隐患排查整治行动".into(), first));
    let mut second = String::from(
        "加强安全生产宣传教育，创新宣传方式方法；持续完善落实事故应急预案，加强专兼职应急救援队伍建设，保障安全生产经费投入，维护保障安全设施。",
    );
    if let Some(n) = f.units_drill_overdue.filter(|n| *n > 0) {
        second.push_str(&format!(
            "督促{n}家超过规定周期未开展应急演练的单位尽快组织演练。"
        ));
    }
    items.push(("（二）持续筑牢安全生产基础能力".into(), second));
    let mut third = String::from(
        "按照安全风险分级管控标准和重大隐患分级标准，强化危险源辨识与管控，对不同等级的安全风险采取针对性的管控措施，经常性开展全面检查、抽查和暗访。",
    );
    if let Some(n) = f.risks_major.filter(|n| *n > 0) {
        third.push_str(&format!("对{n}项重大风险落实公司级管控和重点监测。"));
    }
    items.push(("（三）全面落实双重预防体系建设".into(), third));
    if !f.next_key_periods.is_empty() {
        items.push((
            "（四）做好重要时段安全防范".into(),
            format!(
                "提前部署{}等重要时段的安全防范工作，严格执行领导带班、24小时值班和事故信息报告制度。",
                f.next_key_periods
            ),
        ));
    }
    let mut out = vec![Section {
        heading: format!("二、{}工作计划", f.next_period_word),
        level: 1,
        paragraphs: Vec::new(),
    }];
    for (i, (heading, text)) in items.into_iter().enumerate() {
        out.push(Section {
            heading,
            level: 2,
            paragraphs: vec![Paragraph {
                key: format!("part2.{}", i + 1),
                segments: vec![Segment::Text { text }],
            }],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's 2023 H1 figures.
    fn seed() -> Figures {
        Figures {
            period: "2023H1".into(),
            period_label: "2023年上半年".into(),
            org_name: "某市粮食和物资储备局".into(),
            scope_word: "上半年全系统".into(),
            next_period_word: "下半年".into(),
            inspections: 80,
            inspected_orgs: 62,
            hazards_general_found: 106,
            hazards_general_rectified: 106,
            hazards_rectified: 106,
            rectification_rate: Some(1.0),
            accidents: Some(0),
            deaths: Some(0),
            injuries: Some(0),
            funding_fen: Some(11_930_000),
            publicity_events: Some(16),
            trainings: Some(15),
            drills: Some(11),
            drills_fire_flood: Some(4),
            safety_meetings: Some(2),
            responsibility_letters_signed: Some(5),
            risk_points: Some(40),
            risks_major: Some(0),
            risks_major_unassigned: Some(0),
            key_periods: "元旦、春节、全国两会、数字中国建设峰会、五一".into(),
            fire_campaigns: "冬春火灾防控、管好“一扇门”配好“一根绳”".into(),
            fire_campaign_inspections: 12,
            ..Default::default()
        }
    }

    fn text_of(s: &Summary, key: &str) -> String {
        s.sections
            .iter()
            .flat_map(|x| &x.paragraphs)
            .find(|p| p.key == key)
            .map(|p| p.plain())
            .unwrap_or_default()
    }

    /// The paragraph keys whose text differs between two summaries.
    fn changed(a: &Summary, b: &Summary) -> Vec<String> {
        let mut keys: Vec<String> = a
            .sections
            .iter()
            .flat_map(|x| &x.paragraphs)
            .filter(|p| p.plain() != text_of(b, &p.key))
            .map(|p| p.key.clone())
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn the_seed_figures_give_the_seed_sentences() {
        let s = render_default(&seed()).unwrap();
        assert_eq!(s.title, "某市粮食和物资储备局2023年上半年安全生产工作总结");
        let p3 = text_of(&s, "part1.hazards");
        assert!(
            p3.ends_with("上半年全系统共计开展安全检查80次，检查覆盖企业62家，排查一般安全隐患问题106项，已全部完成整改，无挂牌督办重大隐患，无人员伤亡事故，未发现非法、违法生产经营单位。"),
            "{p3}"
        );
        assert!(p3.contains("在元旦、春节、全国两会、数字中国建设峰会、五一等重要时段"));
        assert!(
            text_of(&s, "part1.responsibility").contains("本期累计落实安全生产经费投入11.93万元")
        );
        assert!(text_of(&s, "part1.training")
            .ends_with("上半年全系统累计开展宣传活动16场，培训活动15场，应急演练11场，不断提升干部职工安全素质。"));
        assert!(text_of(&s, "opening").ends_with("确保安全生产形势持续稳定。"));
        let headings: Vec<&str> = s.sections.iter().map(|x| x.heading.as_str()).collect();
        assert_eq!(
            &headings[..8],
            [
                "",
                "一、主要工作完成情况",
                "（一）认真落实考核管理，履行部门监管职责",
                "（二）构建安全责任体系，压实企业主体责任",
                "（三）突出重点安全防控，排查治理风险隐患",
                "（四）做好防汛减灾准备，抓好消防安全工作",
                "（五）落实宣传教育培训，提升应急处置能力",
                "二、下半年工作计划",
            ]
        );
        // Figures are segments that keep their key, for the links of the HTML view.
        let p = s
            .sections
            .iter()
            .flat_map(|x| &x.paragraphs)
            .find(|p| p.key == "part1.hazards")
            .unwrap();
        assert!(p.segments.contains(&Segment::Figure {
            key: "inspections".into(),
            text: "80".into()
        }));
    }

    #[test]
    fn open_hazards_change_only_the_hazard_paragraph_and_the_plan() {
        let base = render_default(&seed()).unwrap();
        let mut f = seed();
        f.hazards_general_rectified = 100;
        f.hazards_rectified = 100;
        f.hazards_open = 6;
        f.hazards_overdue = 2;
        f.rectification_rate = Some(100.0 / 106.0);
        let s = render_default(&f).unwrap();
        assert!(text_of(&s, "part1.hazards").contains(
            "排查一般安全隐患问题106项，已整改100项，整改率94.3%，剩余6项正在整改，均已明确整改责任、措施和期限，其中2项已超过整改期限，正在督促整改，无挂牌督办重大隐患，"
        ));
        assert!(!s.plain().contains("已全部完成整改"));
        assert_eq!(changed(&base, &s), ["part1.hazards", "part2.1"]);
        assert!(text_of(&s, "part2.1").contains(
            "对尚未整改完毕的6项隐患逐项盯办，确保按期整改销号，其中已逾期的2项限期完成。"
        ));
    }

    #[test]
    fn a_listed_major_hazard_is_stated_not_denied() {
        let base = render_default(&seed()).unwrap();
        let mut f = seed();
        f.hazards_major_found = 1;
        f.hazards_major_listed = 1;
        let s = render_default(&f).unwrap();
        let p3 = text_of(&s, "part1.hazards");
        assert!(
            p3.contains(
                "排查一般安全隐患问题106项、重大事故隐患1项，已全部完成整改，挂牌督办重大隐患1项，"
            ),
            "{p3}"
        );
        assert!(!s.plain().contains("无挂牌督办重大隐患"));
        assert_eq!(changed(&base, &s), ["part1.hazards", "part2.1"]);
    }

    #[test]
    fn an_injury_accident_removes_every_no_accident_claim() {
        let base = render_default(&seed()).unwrap();
        let mut f = seed();
        f.accidents = Some(1);
        f.injuries = Some(2);
        let s = render_default(&f).unwrap();
        assert!(text_of(&s, "part1.hazards").contains("发生生产安全事故1起，造成2人受伤，"));
        assert!(text_of(&s, "opening").contains("期间发生生产安全事故1起，教训深刻"));
        assert!(!s.plain().contains("无人员伤亡事故"));
        assert!(!s.plain().contains("持续稳定"));
        assert_eq!(changed(&base, &s), ["opening", "part1.hazards"]);
    }

    #[test]
    fn without_an_accident_register_nothing_is_claimed_about_accidents() {
        let mut f = seed();
        f.accidents = None;
        f.deaths = None;
        f.injuries = None;
        let s = render_default(&f).unwrap();
        assert!(!s.plain().contains("无人员伤亡事故"));
        assert!(!s.plain().contains("持续稳定"));
    }

    #[test]
    fn an_empty_theme_says_so() {
        let base = render_default(&seed()).unwrap();
        let mut f = seed();
        f.publicity_events = Some(0);
        f.trainings = Some(0);
        f.drills = Some(0);
        let s = render_default(&f).unwrap();
        assert!(
            text_of(&s, "part1.training").ends_with("本期系统中未登记宣传、培训和应急演练活动。")
        );
        assert_eq!(changed(&base, &s), ["part1.training"]);
        let mut f = seed();
        f.inspections = 0;
        f.inspected_orgs = 0;
        f.hazards_general_found = 0;
        f.hazards_general_rectified = 0;
        f.hazards_rectified = 0;
        f.rectification_rate = None;
        f.key_periods = String::new();
        let s = render_default(&f).unwrap();
        assert!(text_of(&s, "part1.hazards").ends_with("本期系统中未登记安全检查和隐患排查记录。"));
    }

    #[test]
    fn a_broken_template_names_itself() {
        let t = vec![(
            "part1.duty".to_string(),
            String::new(),
            "{% if %}".to_string(),
        )];
        let e = render(&seed(), &t).unwrap_err();
        assert_eq!(e.0, "part1.duty");
        // A figure the template misspells is refused too (strict undefined), not shown as empty.
        let t = vec![(
            "x".to_string(),
            String::new(),
            "{% if inspectionz > 0 %}有{% endif %}".to_string(),
        )];
        assert!(render(&seed(), &t).is_err());
    }
}
