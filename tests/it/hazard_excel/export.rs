//! Export: the ledger layout with real date cells, overdue rows coloured, only the caller's scope
//! and filter, audited; paging through the ledger without gaps or repeats; and the round trip
//! export → import that registers the same hazards again.

use axum::http::StatusCode;

use anjian_db::hazard::{self, HazardFilter, HazardInput, LedgerCursor};
use anjian_db::org::{self, OrgInput};
use anjian_db::Ctx;
use anjian_web::hazard::export::HEADERS;

use super::*;
use crate::hazard::{day, ds, register, world, Person};

fn text(s: &calamine::Range<Data>, r: u32, c: u32) -> String {
    s.get_value((r, c))
        .map(|v| v.to_string())
        .unwrap_or_default()
}

fn date(s: &calamine::Range<Data>, r: u32, c: u32) -> chrono::NaiveDate {
    match s.get_value((r, c)) {
        Some(Data::DateTime(d)) => d.as_datetime().expect("a date").date(),
        other => panic!("cell ({r},{c}) should be a date cell, is {other:?}"),
    }
}

/// Data rows of an exported ledger (below the two title lines and the header).
fn data_rows(s: &calamine::Range<Data>) -> Vec<u32> {
    (3..s.height() as u32)
        .filter(|&r| !text(s, r, 3).is_empty())
        .collect()
}

/// The style index of a cell in the sheet XML, e.g. `<c r="B4" s="7" …>`.
fn style_of(xml: &str, cell: &str) -> String {
    let at = xml.find(&format!("<c r=\"{cell}\"")).expect("cell");
    let rest = &xml[at..];
    let end = rest.find('>').unwrap();
    rest[..end]
        .split("s=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("0")
        .to_string()
}

#[tokio::test]
async fn the_ledger_has_real_dates_coloured_overdue_rows_and_only_the_scope() {
    let w = world().await;
    let app = &w.app;
    let late = register(
        app,
        &w.officer,
        w.f.site_a.id,
        "甲库点消防通道堵塞",
        -10,
        -1,
    )
    .await;
    let fine = register(app, &w.officer, w.f.unit_a.id, "甲单位配电箱未上锁", -3, 5).await;
    register(app, &w.officer_b, w.f.site_b.id, "乙库点照明不足", -2, 5).await;

    let officer = login(app, &w.officer).await;
    let res = app.get("/hazards/export", &officer).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let ct = res.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert_eq!(
        ct,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let cd = res.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    // 甲单位 percent-encoded (RFC 5987), with an ASCII fallback name.
    assert!(cd.contains("filename=\"ledger.xlsx\""), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%E7%94%B2%E5%8D%95%E4%BD%8D"),
        "{cd}"
    );

    let s = sheet(&res.body);
    assert_eq!(text(&s, 0, 0), "甲单位隐患排查治理台账");
    assert!(text(&s, 1, 0).contains("导出日期"));
    let header: Vec<String> = (0..HEADERS.len() as u32).map(|c| text(&s, 2, c)).collect();
    let want: Vec<&str> = HEADERS.iter().map(|h| h.0).collect();
    assert_eq!(header, want);
    let rows = data_rows(&s);
    assert_eq!(rows, vec![3, 4], "unit A's two hazards, newest found first");
    let all: String = s.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        !all.contains("乙库点照明不足"),
        "unit B's hazard is not in unit A's export"
    );

    // Row 4 (index 3) is the newer one: fine; row 5 (index 4) is overdue.
    assert_eq!(text(&s, 3, 3), "甲单位配电箱未上锁");
    assert_eq!(text(&s, 4, 3), "甲库点消防通道堵塞");
    assert_eq!(
        (text(&s, 3, 1), text(&s, 4, 1)),
        ("甲单位".into(), "甲库点".into())
    );
    assert_eq!(s.get_value((3, 0)), Some(&Data::Float(1.0)));
    assert_eq!(date(&s, 3, 7), fine.found_on);
    assert_eq!(date(&s, 3, 11), fine.deadline);
    assert_eq!(date(&s, 3, 12), fine.original_deadline);
    assert_eq!((date(&s, 4, 7), date(&s, 4, 11)), (day(-10), day(-1)));
    assert_eq!(date(&s, 4, 11), late.deadline);
    assert_eq!(text(&s, 3, 16), "", "not rectified: no date");
    assert_eq!(
        (text(&s, 3, 19), text(&s, 3, 20)),
        ("待整改".into(), "否".into())
    );
    assert_eq!(text(&s, 4, 20), "是");

    // Overdue rows carry the red style; print setup and filter as offices expect.
    let xml = zip_part(&res.body, "xl/worksheets/sheet1.xml");
    assert_ne!(style_of(&xml, "D4"), style_of(&xml, "D5"));
    assert!(zip_part(&res.body, "xl/styles.xml").contains("FFFDE9E7"));
    assert!(xml.contains("orientation=\"landscape\""), "landscape");
    assert!(xml.contains("fitToHeight=\"0\""), "fit to one page wide");
    assert!(xml.contains("<autoFilter ref=\"A3:U5\"/>"), "autofilter");
    assert!(xml.contains("ySplit=\"3\""), "frozen below the header");
    assert!(zip_part(&res.body, "xl/workbook.xml").contains("_xlnm.Print_Titles"));

    let a = app.last_audit().await;
    assert_eq!((a.entity.as_str(), a.action.as_str()), ("hazard", "export"));
    assert!(a.after_json.unwrap().contains("\"rows\":2"));

    // The bureau sees both units; its filters apply.
    let sup = login(app, &w.supervisor).await;
    let s = sheet(&app.get("/hazards/export", &sup).await.body);
    assert_eq!(data_rows(&s).len(), 3);
    let url = format!("/hazards/export?org_id={}", w.f.unit_b.id);
    let s = sheet(&app.get(&url, &sup).await.body);
    assert_eq!(text(&s, 0, 0), "乙单位隐患排查治理台账");
    assert_eq!(data_rows(&s), vec![3]);
    assert_eq!(text(&s, 3, 3), "乙库点照明不足");
    // Unit A asking for unit B's subtree gets nothing of it.
    let s = sheet(&app.get(&url, &officer).await.body);
    assert!(data_rows(&s).is_empty());
}

#[tokio::test]
async fn paging_through_the_ledger_returns_every_row_once_in_order() {
    let w = world().await;
    let app = &w.app;
    // Several hazards per found date, so page ends fall inside a date; and gaps longer than a
    // window, so the windows must slide, widen and skip.
    let offsets = [-1, -1, -1, -2, -2, -3, -3, -3, -3, -5, -40, -41, -100, -400];
    for (i, found) in offsets.iter().enumerate() {
        register(
            app,
            &w.officer,
            w.f.site_a.id,
            &format!("隐患{i}"),
            *found,
            3,
        )
        .await;
    }
    let ctx = &w.officer.ctx;
    let ids = |f: HazardFilter| async move {
        hazard::all(&app.db, ctx, &f, 1000)
            .await
            .unwrap()
            .iter()
            .map(|h| h.id)
            .collect::<Vec<i64>>()
    };
    let pages = |f: HazardFilter, limit: i64| async move {
        let mut cur = LedgerCursor::default();
        let mut got = Vec::new();
        while !cur.done() {
            let page = hazard::ledger_page(&app.db, ctx, &f, &mut cur, limit)
                .await
                .unwrap();
            assert!(page.len() as i64 <= limit);
            got.extend(page.iter().map(|h| h.id));
            assert!(got.len() <= offsets.len(), "no endless paging");
        }
        got
    };
    let all = ids(HazardFilter::default()).await;
    assert_eq!(all.len(), 14);
    for limit in [1, 2, 3, 4, 10, 14, 15] {
        assert_eq!(
            pages(HazardFilter::default(), limit).await,
            all,
            "pages of {limit}"
        );
    }
    // Filters narrow the pages as they narrow the ledger.
    for (from, to, n) in [
        (None, Some(-2), 11),
        (Some(-45), Some(-2), 9),
        (Some(-3), None, 9),
    ] {
        let f = HazardFilter {
            found_from: from.map(day),
            found_to: to.map(day),
            ..Default::default()
        };
        let want = ids(f.clone()).await;
        assert_eq!(want.len(), n);
        for limit in [1, 2, 5] {
            assert_eq!(
                pages(f.clone(), limit).await,
                want,
                "{from:?}..{to:?} by {limit}"
            );
        }
    }
}

type Fields = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
);

async fn fields_of(app: &TestApp, who: &Person) -> Vec<Fields> {
    let mut v: Vec<Fields> = hazard::all(&app.db, &who.ctx, &HazardFilter::default(), 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|h| {
            (
                h.org_id,
                h.location,
                h.description,
                h.category,
                h.grade,
                h.major_criterion,
                h.found_on.to_string(),
                h.deadline.to_string(),
                h.found_by,
                h.campaign_id,
            )
        })
        .collect();
    v.sort_by(|a, b| (&a.2, a.0).cmp(&(&b.2, b.0)));
    v
}

#[tokio::test]
async fn an_exported_ledger_imports_back_with_every_registered_field() {
    let w = world().await;
    let app = &w.app;
    let sys = Ctx::system("test");
    // The same site name under both units: the export must tell them apart for the import.
    let mut twins = Vec::new();
    for unit in [w.f.unit_a.id, w.f.unit_b.id] {
        let o = org::create(
            &app.db,
            &sys,
            &OrgInput {
                kind: "site".into(),
                parent_id: Some(unit),
                name: "同名库点".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        twins.push(o.id);
    }
    let campaign = anjian_db::campaign::create(
        &app.db,
        &w.supervisor.ctx,
        &anjian_db::campaign::CampaignInput {
            kind: "campaign".into(),
            name: "安全生产月".into(),
            start_date: ds(-30),
            end_date: ds(30),
            all_units: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let sup = &w.supervisor;
    let mk = |org_id: i64, desc: &str, grade: &str, criterion: &str, found: i64, deadline: i64| {
        HazardInput {
            org_id: Some(org_id),
            location: format!("{desc}的部位"),
            description: desc.into(),
            category: "消防安全".into(),
            grade: grade.into(),
            major_criterion: criterion.into(),
            found_on: ds(found),
            found_by: "赵六".into(),
            deadline: ds(deadline),
            ..Default::default()
        }
    };
    let inputs = vec![
        mk(
            w.f.site_a.id,
            "灭火器过期 <3瓶> & \"未更换\" 'A区'",
            "general",
            "",
            -40,
            -5,
        ),
        mk(
            w.f.unit_a.id,
            "有限空间作业无审批",
            "major",
            "判定标准第5条",
            -3,
            20,
        ),
        HazardInput {
            campaign_id: Some(campaign.id),
            category: String::new(),
            location: String::new(),
            found_by: String::new(),
            ..mk(twins[0], "同名库点A的电线老化", "general", "", -1, 1)
        },
        mk(twins[1], "同名库点B的电线老化", "一般", "", 0, 0),
        mk(
            w.f.site_b.id,
            "乙库点避雷设施损坏",
            "重大隐患",
            "判定标准第2条",
            -7,
            14,
        ),
    ];
    for i in &inputs {
        hazard::create(&app.db, &sup.ctx, i)
            .await
            .expect("register");
    }
    let originals = fields_of(app, sup).await;
    assert_eq!(originals.len(), 5);

    let who = login(app, sup).await;
    let exported = app.get("/hazards/export", &who).await;
    assert_eq!(exported.status, StatusCode::OK);
    assert!(sheet(&exported.body)
        .rows()
        .flatten()
        .any(|c| *c == "甲单位/同名库点"));
    let (preview, confirm) = import_through_pages(app, &who, &exported.body).await;
    assert_eq!(
        preview.status,
        StatusCode::OK,
        "{}",
        unescape(&preview.text())
    );
    assert_eq!(confirm.status, StatusCode::SEE_OTHER, "{}", confirm.text());

    let all = fields_of(app, sup).await;
    assert_eq!(all.len(), 10);
    // Each original is there twice now: itself and its imported twin with the same fields.
    let mut twice: Vec<Fields> = originals
        .iter()
        .flat_map(|o| [o.clone(), o.clone()])
        .collect();
    twice.sort_by(|a, b| (&a.2, a.0).cmp(&(&b.2, b.0)));
    assert_eq!(all, twice);
}
