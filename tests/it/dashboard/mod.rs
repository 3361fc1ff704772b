//! The dashboard (驾驶舱) on a world built here, every expected figure worked out by hand below.
//! `figures` checks the data layer (figures, 同比/环比, series, scope); `pages` the page, its
//! links and SVG, and the API.
//!
//! Y is two years before this one, so every period is over and nothing depends on today except
//! the overdue list and the drill board, which are "as of today" by design.
//!
//! | hazard | org       | found    | state now                         | in its half-year          |
//! |--------|-----------|----------|-----------------------------------|---------------------------|
//! | h1     | 甲库点    | Y-02-10  | closed, verified Y-02-18          | rectified                 |
//! | h2     | 甲库点    | Y-03-05  | pending, deadline Y-03-15         | open, overdue             |
//! | h3     | 甲单位    | Y-03-20  | rectifying, deadline Y-08-01      | open (overdue only today) |
//! | h4     | 乙库点    | Y-05-10  | major, listed Y-05-12, closed 05-30 | rectified                |
//! | h5     | 丙单位(XSS name) | Y-06-01 | pending, deadline Y-06-10   | open, overdue             |
//! | h6     | 乙库点    | Y-04-01  | closed, verified Y-07-05          | open (closed too late)    |
//! | g1..g3 | 甲库点, 乙库点×2 | (Y-1)-03/04/05 | closed the same month | rectified (同比 base)     |
//! | k1     | 甲库点    | (Y-1)-09-01 | closed (Y-1)-09-05             | rectified (环比 base)      |
//!
//! So for Y H1: found 6, rectified 2 (h1, h4), open 4, overdue 2 (h2, h5), major 1, listed 1;
//! a year earlier found 3, all rectified; the half-year before found 1, rectified.
//! Ledgers: funding 1000 元 (Y-03-01) against 500 元 a year earlier; trainings 2 against 1; one
//! comprehensive drill at 甲单位 in Y (two years ago: overdue today), none elsewhere.
//! Risks (today): 甲库点 one point of each level and one unassessed; 乙库点 one major point.

use chrono::{Datelike, NaiveDate};

use anjian_db::hazard::{self, HazardInput};
use anjian_db::org::{self, Org, OrgInput};
use anjian_db::{Arg, Ctx, Q};
use anjian_domain::ledger::LedgerKind;
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, TestApp};

use crate::hazard::{person, Person};
use crate::ledger::{drill, funding, record, training};
use crate::risk::{direct, lec, point};

mod figures;
mod pages;

/// The name of unit C: markup that must reach every page and SVG as text.
pub const EVIL: &str = "<script>alert(1)</script>丙&\"单位'";

pub struct World {
    pub app: TestApp,
    pub f: Fixture,
    pub unit_c: Org,
    pub sup: Person,
    pub officer_a: Person,
    pub y: i32,
    /// h1..h6 at 1..=6.
    pub h: Vec<i64>,
}

pub fn d(y: i32, md: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&format!("{y}-{md}"), "%Y-%m-%d").unwrap()
}

pub async fn world() -> World {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sys = Ctx::system("test");
    let unit_c = org::create(
        &app.db,
        &sys,
        &OrgInput {
            kind: "unit".into(),
            parent_id: Some(f.bureau.id),
            name: EVIL.into(),
            uscc: Some(anjian_testkit::uscc(3)),
            ..Default::default()
        },
    )
    .await
    .expect("unit C");
    let sup = person(&app, "dash_sup", Role::BureauSupervisor, &f.bureau).await;
    let officer_a = person(&app, "dash_officer_a", Role::UnitOfficer, &f.unit_a).await;
    let head_a = person(&app, "dash_head_a", Role::UnitHead, &f.unit_a).await;
    let head_b = person(&app, "dash_head_b", Role::UnitHead, &f.unit_b).await;
    let y = anjian_domain::time::today(anjian_db::now()).year() - 2;

    let register = |org: i64, found: NaiveDate, deadline: NaiveDate| {
        let (app, ctx) = (&app, sup.ctx.clone());
        let input = HazardInput {
            org_id: Some(org),
            location: "1号仓房".into(),
            description: "仓房配电箱未上锁".into(),
            category: "用电安全".into(),
            grade: "general".into(),
            found_on: found.to_string(),
            found_by: "张检查".into(),
            deadline: deadline.to_string(),
            ..Default::default()
        };
        async move {
            hazard::create(&app.db, &ctx, &input)
                .await
                .expect("hazard")
                .id
        }
    };
    let set = |sql: &'static str, args: Vec<Arg>| {
        let app = &app;
        async move {
            let mut q = Q::new(sql);
            for a in args {
                q = q.bind(a);
            }
            app.db.execute(&q).await.expect("state");
        }
    };
    let (rectifier, verifier) = (officer_a.user.id, sup.user.id);
    // The closed loop has its own tests; here only the resulting rows matter.
    let close = |id: i64, rectified: NaiveDate, verified: NaiveDate| {
        set(
            "UPDATE hazard SET status = 'closed', owner = '王', measures = '整改', rectified_on = $1, \
             rectified_by = $2, verified_on = $3, verified_by = $4 WHERE id = $5",
            vec![
                rectified.into(),
                rectifier.into(),
                verified.into(),
                verifier.into(),
                id.into(),
            ],
        )
    };
    let mut h = vec![0];
    h.push(register(f.site_a.id, d(y, "02-10"), d(y, "02-20")).await);
    h.push(register(f.site_a.id, d(y, "03-05"), d(y, "03-15")).await);
    h.push(register(f.unit_a.id, d(y, "03-20"), d(y, "08-01")).await);
    h.push(register(f.site_b.id, d(y, "05-10"), d(y, "06-10")).await);
    h.push(register(unit_c.id, d(y, "06-01"), d(y, "06-10")).await);
    h.push(register(f.site_b.id, d(y, "04-01"), d(y, "04-30")).await);
    close(h[1], d(y, "02-17"), d(y, "02-18")).await;
    set(
        "UPDATE hazard SET status = 'rectifying', owner = '王', measures = '更换' WHERE id = $1",
        vec![h[3].into()],
    )
    .await;
    set(
        "UPDATE hazard SET grade = 'major', major_criterion = '粮食仓储重大事故隐患判定标准第3条' \
         WHERE id = $1",
        vec![h[4].into()],
    )
    .await;
    set(
        "INSERT INTO hazard_listing (hazard_id, authority, listed_on, deadline, listed_by) \
         VALUES ($1, '市应急管理局', $2, $3, $4)",
        vec![
            h[4].into(),
            d(y, "05-12").into(),
            d(y, "06-30").into(),
            verifier.into(),
        ],
    )
    .await;
    close(h[4], d(y, "05-28"), d(y, "05-30")).await;
    close(h[6], d(y, "07-01"), d(y, "07-05")).await;
    for (org, found, verified) in [
        (f.site_a.id, "03-01", "03-10"),
        (f.site_b.id, "04-01", "04-02"),
        (f.site_b.id, "05-01", "05-05"),
        (f.site_a.id, "09-01", "09-05"),
    ] {
        let id = register(org, d(y - 1, found), d(y - 1, "12-31")).await;
        close(id, d(y - 1, verified), d(y - 1, verified)).await;
    }

    // Ledgers.
    let ctx_a = officer_a.ctx.clone();
    record(
        &app,
        &ctx_a,
        LedgerKind::Funding,
        &funding(f.unit_a.id, &format!("{y}-03-01"), "1000.00", "1"),
    )
    .await;
    record(
        &app,
        &ctx_a,
        LedgerKind::Funding,
        &funding(f.unit_a.id, &format!("{}-03-01", y - 1), "500.00", "1"),
    )
    .await;
    for date in [
        format!("{y}-03-02"),
        format!("{y}-04-02"),
        format!("{}-04-02", y - 1),
    ] {
        record(
            &app,
            &ctx_a,
            LedgerKind::Training,
            &training(f.unit_a.id, &date, "2", vec![]),
        )
        .await;
    }
    record(
        &app,
        &ctx_a,
        LedgerKind::Drill,
        &drill(f.site_a.id, &format!("{y}-03-10"), "comprehensive"),
    )
    .await;

    // Risks: one point of each level at 甲库点, one unassessed; a major one at 乙库点.
    let levels = [
        ("10", "6", "7"),
        ("6", "6", "7"),
        ("3", "6", "7"),
        ("1", "6", "7"),
    ];
    for (i, (l, e, c)) in levels.iter().enumerate() {
        let p = point(&app, &head_a, &f.site_a, &format!("风险点{i}"), "place").await;
        lec(&app, &head_a, p.id, "触电", l, e, c).await;
    }
    point(&app, &head_a, &f.site_a, "未评估的风险点", "place").await;
    let pb = point(&app, &head_b, &f.site_b, "熏蒸作业", "activity").await;
    direct(&app, &head_b, pb.id, "磷化氢中毒").await;

    World {
        app,
        f,
        unit_c,
        sup,
        officer_a,
        y,
        h,
    }
}

/// A tiny XML well-formedness check for the SVG the pages embed: tags balance and nest, attribute
/// values are quoted, and every `&` starts an entity. Returns the element names in document
/// order, or what is wrong.
pub fn xml_elements(doc: &str) -> Result<Vec<String>, String> {
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut rest = doc;
    let check_text = |t: &str| -> Result<(), String> {
        let mut parts = t.split('&');
        parts.next();
        for p in parts {
            let ok = ["amp;", "lt;", "gt;", "quot;", "#39;"]
                .iter()
                .any(|e| p.starts_with(e));
            if !ok {
                return Err(format!("bare & in {t:?}"));
            }
        }
        if t.contains('>') {
            return Err(format!("bare > in text {t:?}"));
        }
        Ok(())
    };
    while let Some(open) = rest.find('<') {
        check_text(&rest[..open])?;
        let close = rest[open..]
            .find('>')
            .ok_or_else(|| "unterminated tag".to_string())?
            + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(top) if top == name.trim() => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name: String = tag.chars().take_while(|c| !c.is_whitespace()).collect();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("bad element name in <{tag}>"));
        }
        // Attributes: name="value" pairs, values free of < and with entities only.
        let mut attrs = tag[name.len()..].trim();
        while !attrs.is_empty() {
            let eq = attrs
                .find("=\"")
                .ok_or_else(|| format!("unquoted attribute in <{tag}>"))?;
            let key = attrs[..eq].trim();
            if key.is_empty() || key.contains(char::is_whitespace) {
                return Err(format!("bad attribute name {key:?}"));
            }
            let after = &attrs[eq + 2..];
            let end = after
                .find('"')
                .ok_or_else(|| "unterminated value".to_string())?;
            let value = &after[..end];
            if value.contains('<') {
                return Err(format!("< in attribute {key}"));
            }
            check_text(value)?;
            attrs = after[end + 1..].trim_start();
        }
        names.push(name.clone());
        if !self_closing {
            stack.push(name);
        }
    }
    check_text(rest)?;
    if !stack.is_empty() {
        return Err(format!("unclosed {stack:?}"));
    }
    Ok(names)
}

/// Every `<svg …>…</svg>` of a page.
pub fn svgs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("closed svg") + start + "</svg>".len();
        out.push(rest[start..end].to_string());
        rest = &rest[end..];
    }
    out
}

#[test]
fn the_xml_check_finds_broken_markup() {
    assert!(xml_elements(
        "<svg a=\"1\"><a href=\"/x?a=1&amp;b=2\"><title>甲&lt;</title><rect/></a></svg>"
    )
    .is_ok());
    assert!(xml_elements("<svg><rect></svg>").is_err());
    assert!(xml_elements("<svg><text>a & b</text></svg>").is_err());
    assert!(xml_elements("<svg a=1></svg>").is_err());
    assert!(xml_elements("<svg><text><script>x</script></svg>").is_err());
    assert!(xml_elements("<svg a=\"x\" b=\"<\"></svg>").is_err());
}
