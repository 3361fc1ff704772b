//! The dashboard's charts as SVG: hazards by month and state (stacked columns), the
//! rectification rate by unit (horizontal bars, worst first), risk points by level in the four
//! colours, and the ledger counts. Every bar is a link to the list of the records it counts, with
//! a `<title>` that says what it counts.

use anjian_db::dashboard::{MonthBar, RiskLevels, UnitRate};
use anjian_domain::period::Period;
use anjian_domain::risk::RiskLevel;
use chrono::Datelike;

use super::links::Links;
use super::svg::{nice_max, scale, ticks, truncate, Anchor, Svg};

/// The width of every chart in viewBox units: narrow enough that text stays legible when a
/// phone scales the chart down to ~340 px, wide enough for twelve columns.
pub const WIDTH: f64 = 400.0;

/// Units shown as bars; the rest are summed up in one line ("其余N家").
pub const UNITS_SHOWN: usize = 15;

/// Hazards found per month, each column split into rectified, still open and overdue (a part of
/// open, drawn on top), the total above it.
pub fn months(bars: &[MonthBar], links: &Links, caption_id: &str) -> String {
    let (left, right, top, bottom) = (30.0, 4.0, 18.0, 36.0);
    let height = 240.0;
    let plot_h = height - top - bottom;
    let plot_w = WIDTH - left - right;
    let max = nice_max(bars.iter().map(|b| b.found).max().unwrap_or(0));
    let mut s = Svg::new(WIDTH, height);
    for t in ticks(max) {
        let y = top + plot_h - scale(t as f64, max as f64, plot_h);
        s.line(
            left,
            y,
            WIDTH - right,
            y,
            if t == 0 { "dash-axis" } else { "dash-gridline" },
        );
        s.text(
            left - 4.0,
            y + 4.0,
            Anchor::End,
            "dash-tick",
            &t.to_string(),
        );
    }
    let slot = plot_w / bars.len().max(1) as f64;
    let bar_w = (slot * 0.62).min(26.0);
    for (i, b) in bars.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let cx = x + bar_w / 2.0;
        let label = b.period.label();
        let open_only = (b.open - b.overdue).max(0);
        let mut y = top + plot_h;
        let segments = [
            (
                b.rectified,
                "dash-rectified",
                "hazards_rectified",
                format!("{label}发现的隐患中已整改{}项", b.rectified),
            ),
            (
                open_only,
                "dash-open",
                "hazards_open",
                format!(
                    "{label}发现的隐患中未整改{}项（其中逾期{}项）",
                    b.open, b.overdue
                ),
            ),
            (
                b.overdue,
                "dash-overdue",
                "hazards_overdue",
                format!("{label}发现的隐患中逾期未整改{}项", b.overdue),
            ),
        ];
        for (n, class, figure, title) in segments {
            if n == 0 {
                continue;
            }
            let h = scale(n as f64, max as f64, plot_h);
            y -= h;
            s.link(&links.figure(&b.period, figure), &title);
            s.rect(x, y, bar_w, h, class);
            s.end_link();
        }
        if b.found > 0 {
            s.link(
                &links.figure(&b.period, "hazards_found"),
                &format!("{label}排查发现隐患{}项", b.found),
            );
            s.text(
                cx,
                y - 4.0,
                Anchor::Middle,
                "dash-value",
                &b.found.to_string(),
            );
            s.end_link();
        }
        let m = b.period.first.month();
        s.text(
            cx,
            height - bottom + 15.0,
            Anchor::Middle,
            "dash-tick",
            &format!("{m}月"),
        );
        // The year under each January, and under the first column unless a January follows
        // right after it (the two labels would overlap).
        if m == 1 || (i == 0 && m != 12) {
            let year = b.period.first.year();
            s.text(
                cx,
                height - bottom + 30.0,
                Anchor::Middle,
                "dash-tick dash-year",
                &format!("{year}年"),
            );
        }
    }
    s.finish("dash-svg", caption_id)
}

/// One bar row: the name above, the value at the right, a track and the bar below — all one link.
struct Row<'a> {
    name: &'a str,
    value: String,
    /// 0..=1 of the track.
    share: f64,
    class: &'a str,
    href: String,
    title: String,
}

const ROW_H: f64 = 38.0;

fn rows(rows: &[Row], caption_id: &str) -> String {
    let height = (rows.len().max(1) as f64) * ROW_H + 4.0;
    let mut s = Svg::new(WIDTH, height);
    for (i, r) in rows.iter().enumerate() {
        let y = i as f64 * ROW_H;
        s.link(&r.href, &r.title);
        s.text(
            0.0,
            y + 14.0,
            Anchor::Start,
            "dash-name",
            &truncate(r.name, 20),
        );
        s.text(WIDTH, y + 14.0, Anchor::End, "dash-value", &r.value);
        s.rect(0.0, y + 20.0, WIDTH, 12.0, "dash-track");
        s.rect(0.0, y + 20.0, scale(r.share, 1.0, WIDTH), 12.0, r.class);
        s.end_link();
    }
    s.finish("dash-svg", caption_id)
}

/// The rate of the units shown, worst first, and how many more there are with hazards.
pub fn units(
    units: &[UnitRate],
    period: &Period,
    links: &Links,
    caption_id: &str,
) -> (String, usize) {
    let with: Vec<&UnitRate> = units.iter().filter(|u| u.found > 0).collect();
    let shown: Vec<Row> = with
        .iter()
        .take(UNITS_SHOWN)
        .map(|u| {
            let rate = u.rate().unwrap_or(0.0);
            Row {
                name: &u.org_name,
                value: format!(
                    "{}（{}/{}）",
                    anjian_db::report::percent(rate),
                    u.rectified,
                    u.found
                ),
                share: rate,
                class: if u.open == 0 {
                    "dash-bar-ok"
                } else if u.overdue > 0 {
                    "dash-bar-bad"
                } else {
                    "dash-bar"
                },
                href: links.unit(u, period),
                title: format!(
                    "{}：{}排查发现隐患{}项，已整改{}项，整改率{}，未整改{}项（其中逾期{}项）",
                    u.org_name,
                    period.label(),
                    u.found,
                    u.rectified,
                    anjian_db::report::percent(rate),
                    u.open,
                    u.overdue
                ),
            }
        })
        .collect();
    let rest = with.len().saturating_sub(UNITS_SHOWN);
    (rows(&shown, caption_id), rest)
}

/// Active risk points by level in the four colours; each bar lists the points of its level.
pub fn risk(r: &RiskLevels, links: &Links, caption_id: &str) -> String {
    let max = r.points.iter().copied().max().unwrap_or(0).max(1) as f64;
    let shown: Vec<Row> = RiskLevel::ALL
        .iter()
        .enumerate()
        .map(|(i, l)| Row {
            name: l.label(),
            value: format!("{}处（风险{}项）", r.points[i], r.risks[i]),
            share: r.points[i] as f64 / max,
            class: l.css(),
            href: links.risk_points(*l),
            title: format!(
                "{}（{}色）风险点{}处，其中风险{}项",
                l.label(),
                l.colour(),
                r.points[i],
                r.risks[i]
            ),
        })
        .collect();
    rows(&shown, caption_id)
}

/// The ledger counts of the period: (label, count, href, title) per ledger.
pub fn ledgers(items: &[(String, i64, String, String)], caption_id: &str) -> String {
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1) as f64;
    let shown: Vec<Row> = items
        .iter()
        .map(|(label, n, href, title)| Row {
            name: label,
            value: format!("{n}"),
            share: *n as f64 / max,
            class: "dash-bar",
            href: href.clone(),
            title: title.clone(),
        })
        .collect();
    rows(&shown, caption_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anjian_db::dashboard::series::months_ending;
    use chrono::NaiveDate;

    fn links() -> Links {
        Links {
            period: Period::parse("2026H1").unwrap(),
            org_id: 1,
        }
    }

    fn unit(id: i64, found: i64, rectified: i64) -> UnitRate {
        UnitRate {
            org_id: id,
            org_name: format!("单位{id}"),
            own: false,
            found,
            rectified,
            open: found - rectified,
            overdue: 0,
            ids: Vec::new(),
        }
    }

    #[test]
    fn fifteen_units_are_drawn_and_the_rest_counted() {
        let mut rows: Vec<UnitRate> = (1..=17).map(|i| unit(i, 10, i % 10)).collect();
        rows.push(unit(99, 0, 0));
        let p = Period::parse("2026H1").unwrap();
        let (svg, rest) = units(&rows, &p, &links(), "c");
        assert_eq!(
            rest, 2,
            "17 with hazards, 15 drawn; the one without is not a bar"
        );
        assert_eq!(svg.matches("<a href=").count(), UNITS_SHOWN);
        assert!(svg.contains("viewBox=\"0 0 400 574\""), "{svg}");
        assert!(svg.contains("figure=hazards_found"));
        assert!(!svg.contains("单位99"));
    }

    #[test]
    fn months_stack_their_parts_and_name_each_year_once() {
        let end = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let bars: Vec<MonthBar> = months_ending(end)
            .into_iter()
            .map(|p| MonthBar {
                period: p,
                found: 3,
                rectified: 1,
                open: 2,
                overdue: 1,
            })
            .collect();
        let svg = months(&bars, &links(), "c");
        // Each month: rectified, open-not-overdue, overdue, and the total above.
        assert_eq!(svg.matches("<a href=").count(), 12 * 4);
        assert_eq!(svg.matches(">2025年</text>").count(), 1);
        assert_eq!(svg.matches(">2026年</text>").count(), 1);
        assert!(svg.contains("2026年3月发现的隐患中未整改2项（其中逾期1项）"));
        // A December first column leaves its year to the January beside it.
        let from_dec: Vec<MonthBar> = months_ending(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap())
            .into_iter()
            .map(|p| MonthBar {
                period: p,
                found: 0,
                rectified: 0,
                open: 0,
                overdue: 0,
            })
            .collect();
        let svg = months(&from_dec, &links(), "c");
        assert!(!svg.contains(">2025年</text>"));
        assert!(
            !svg.contains("<a href="),
            "nothing to link in an empty year"
        );
    }
}
