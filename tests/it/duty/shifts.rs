//! Several shifts a day: the roster form defines them, the rotation fills each, the coverage
//! check still asks for a leader each holiday day (any shift of it), the print/Excel/Word
//! layouts show them; and the regenerate form starts from the rotation as it stands.

use axum::http::StatusCode;

use anjian_db::duty::{self, RosterInput, ShiftDef, ShiftInput};
use anjian_db::DbError;

use super::{d, input};
use crate::hazard::world;

fn two_shifts() -> Vec<ShiftDef> {
    vec![
        ShiftDef {
            name: "白班".into(),
            start: "08:30".into(),
            hours: "12".into(),
        },
        ShiftDef {
            name: "夜班".into(),
            start: "20:30".into(),
            hours: "12".into(),
        },
    ]
}

#[tokio::test]
async fn two_shifts_a_day_are_filled_in_turn_and_the_holidays_still_need_a_leader_each_day() {
    let w = world().await;
    let app = &w.app;
    let ctx = &w.officer.ctx;
    let r = duty::create_roster(
        &app.db,
        ctx,
        &RosterInput {
            shifts: two_shifts(),
            officers_per_day: "2".into(),
            ..input(w.f.unit_a.id, "2023-01-20", "2023-01-30")
        },
    )
    .await
    .expect("roster");
    let shifts = duty::shifts(&app.db, ctx, r.id).await.unwrap();
    assert_eq!(shifts.len(), 22, "11 days × 2 shifts");
    assert_eq!(
        (
            shifts[0].shift_name.as_str(),
            shifts[0].shift_start.as_str(),
            shifts[0].shift_hours
        ),
        ("白班", "08:30", 12)
    );
    assert_eq!(shifts[1].shift_name, "夜班");
    assert_eq!(shifts[1].shift_start, "20:30");
    // Leaders and officers go round shift after shift.
    let leaders: Vec<&str> = shifts[..4].iter().map(|s| s.leader_name.as_str()).collect();
    assert_eq!(leaders, ["王局长", "李副局长", "王局长", "李副局长"]);
    assert_eq!(shifts[0].officers, "张三 13800000001\n李四 13800000002");
    assert_eq!(shifts[1].officers, "王五 0591-87654321\n张三 13800000001");

    // 24 January: both shifts without a leader, publishing is refused naming the day; a leader
    // on the night shift alone covers it.
    let day: Vec<_> = shifts
        .iter()
        .filter(|s| s.duty_date == d("2023-01-24"))
        .cloned()
        .collect();
    assert_eq!(day.len(), 2);
    for s in &day {
        let v = duty::get_roster(&app.db, ctx, r.id)
            .await
            .unwrap()
            .row_version;
        duty::update_shift(
            &app.db,
            ctx,
            r.id,
            &ShiftInput {
                shift_id: s.id,
                shift_name: s.shift_name.clone(),
                shift_start: s.shift_start.clone(),
                shift_hours: s.shift_hours.to_string(),
                officers: s.officers.clone(),
                ..Default::default()
            },
            v,
        )
        .await
        .unwrap();
    }
    let v = duty::get_roster(&app.db, ctx, r.id)
        .await
        .unwrap()
        .row_version;
    let Err(DbError::Conflict(m)) = duty::publish(&app.db, ctx, r.id, v).await else {
        panic!("a holiday without a leader is refused");
    };
    assert_eq!(
        m,
        "以下节假日或重要时段日期没有带班领导，不能发布：2023-01-24"
    );
    let a = app.login_as(&w.officer.user).await;
    let page = app.get(&format!("/duty/rosters/{}", r.id), &a).await.text();
    assert_eq!(
        page.matches("须安排带班领导").count(),
        2,
        "both shifts of the day"
    );
    let night = &day[1];
    duty::update_shift(
        &app.db,
        ctx,
        r.id,
        &ShiftInput {
            shift_id: night.id,
            shift_name: "夜班".into(),
            shift_start: "20:30".into(),
            shift_hours: "12".into(),
            leader_name: "赵副局长".into(),
            ..Default::default()
        },
        v,
    )
    .await
    .unwrap();
    let page = app.get(&format!("/duty/rosters/{}", r.id), &a).await.text();
    assert!(!page.contains("须安排带班领导"), "the day is led");
    assert!(page.contains("夜班 20:30 起 12 小时"));
    duty::publish(&app.db, ctx, r.id, v + 1)
        .await
        .expect("one led shift covers the day");

    // Print and Word show the shifts, the date once per day; Excel has a row per shift.
    let print = app
        .get(&format!("/duty/rosters/{}/print", r.id), &a)
        .await
        .text();
    assert_eq!(print.matches("白班 08:30 起 12 小时").count(), 11);
    assert_eq!(print.matches("夜班 20:30 起 12 小时").count(), 11);
    assert_eq!(print.matches("2023-01-24（二）").count(), 1);
    let docx = app.get(&format!("/duty/rosters/{}/docx", r.id), &a).await;
    let xml = crate::hazard_excel::zip_part(&docx.body, "word/document.xml");
    assert!(xml.contains("班次") && xml.contains("夜班 20:30 起 12 小时"));
    let xlsx = app.get(&format!("/duty/rosters/{}/xlsx", r.id), &a).await;
    let strings = crate::hazard_excel::zip_part(&xlsx.body, "xl/sharedStrings.xml");
    assert!(strings.contains("白班 08:30 起 12 小时"));
}

#[tokio::test]
async fn shift_definitions_are_checked_row_by_row() {
    let w = world().await;
    let bad = |shifts: Vec<ShiftDef>| RosterInput {
        shifts,
        ..input(w.f.unit_a.id, "2023-01-20", "2023-01-22")
    };
    let (db, ctx) = (&w.app.db, &w.officer.ctx);
    let refused = |i: RosterInput| async move {
        match duty::create_roster(db, ctx, &i).await {
            Err(DbError::Invalid(e)) => e,
            other => panic!("refused: {other:?}"),
        }
    };
    let mut s = two_shifts();
    s[1].start = "20:00".into();
    let e = refused(bad(s)).await;
    assert_eq!(
        e.get("shift_start_2"),
        Some("第2个班次：20:00起的班次与前一班次（08:30 起 12 小时）时间重叠")
    );
    // Wrapping round midnight: a night shift of 13 hours runs into the next day's 08:30.
    let mut s = two_shifts();
    s[1].hours = "13".into();
    let e = refused(bad(s)).await;
    assert!(e.get("shift_start").unwrap().contains("时间重叠"), "{e:?}");
    let mut s = two_shifts();
    s[1].name = String::new();
    s.push(ShiftDef {
        name: "中班".into(),
        start: "".into(),
        hours: "x".into(),
    });
    let e = refused(bad(s)).await;
    assert_eq!(
        e.get("shift_name_2"),
        Some("第2个班次：请填写班次名称，如 白班、夜班")
    );
    assert_eq!(e.get("shift_start_3"), Some("第3个班次：请填写交班时间"));
    assert_eq!(
        e.get("shift_hours_3"),
        Some("第3个班次：班次时长应为 1 至 24 小时的整数")
    );
    let mut s = two_shifts();
    s.extend(two_shifts());
    let e = refused(bad(s)).await;
    assert_eq!(e.get("shifts"), Some("每天最多设3个班次"));
    // Blank rows are skipped: one filled row is the single shift with its defaults.
    let r = duty::create_roster(
        &w.app.db,
        &w.officer.ctx,
        &bad(vec![
            ShiftDef::default(),
            ShiftDef {
                start: "09:00".into(),
                ..Default::default()
            },
        ]),
    )
    .await
    .unwrap();
    let shifts = duty::shifts(&w.app.db, &w.officer.ctx, r.id).await.unwrap();
    assert!(shifts
        .iter()
        .all(|s| s.shift_start == "09:00" && s.shift_hours == 24 && s.shift_name.is_empty()));
}

#[tokio::test]
async fn the_roster_form_takes_several_shifts_and_names_the_bad_row() {
    let w = world().await;
    let a = w.app.login_as(&w.officer.user).await;
    let unit = w.f.unit_a.id.to_string();
    let mut form = vec![
        ("org_id", unit.as_str()),
        ("name", "两班值班表"),
        ("start_date", "2023-01-20"),
        ("end_date", "2023-01-21"),
        ("shift_name", "白班"),
        ("shift_start", "08:30"),
        ("shift_hours", "12"),
        ("shift_name_2", "夜班"),
        ("shift_start_2", "8点半"),
        ("shift_hours_2", "12"),
        ("leaders", "王局长 13900000001"),
        ("officers", "张三"),
    ];
    let bad = w.app.post("/duty/rosters", &a, &form).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = bad.text();
    assert!(t.contains("第2个班次：交班时间格式应为 时:分"), "{t}");
    assert!(t.contains(r#"name="shift_start_2" value="8点半""#));
    assert!(t.contains(r#"name="shift_name_2" value="夜班""#));
    form[8].1 = "20:30";
    let ok = w.app.post("/duty/rosters", &a, &form).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let page = w
        .app
        .get(ok.headers["location"].to_str().unwrap(), &a)
        .await
        .text();
    assert!(page.contains("白班 08:30 起 12 小时"));
    assert!(page.contains("夜班 20:30 起 12 小时"));
}

/// The regenerate form starts from the rotation as it stands — shifts, leaders and officers —
/// also when the page is shown again after another form's field error; after its own field
/// error it shows what was typed.
#[tokio::test]
async fn the_regenerate_form_is_prefilled_from_the_rotation() {
    let w = world().await;
    let app = &w.app;
    let r = duty::create_roster(
        &app.db,
        &w.officer.ctx,
        &RosterInput {
            shifts: two_shifts(),
            officers_per_day: "2".into(),
            ..input(w.f.unit_a.id, "2023-01-20", "2023-01-22")
        },
    )
    .await
    .unwrap();
    let a = app.login_as(&w.officer.user).await;
    let leaders = r#"name="leaders" rows="3">王局长 13900000001
李副局长 13900000002</textarea>"#;
    let officers = r#"name="officers" rows="4">张三 13800000001
李四 13800000002
王五 0591-87654321</textarea>"#;
    let prefilled = |t: &str| {
        assert!(t.contains(leaders), "leaders: {t}");
        assert!(t.contains(officers), "officers: {t}");
        assert!(t.contains(r#"name="shift_name" value="白班""#));
        assert!(t.contains(r#"name="shift_start_2" value="20:30""#));
        assert!(t.contains(r#"name="shift_hours_2" value="12""#));
        assert!(t.contains(r#"name="officers_per_day" value="2""#));
    };
    let page = app.get(&format!("/duty/rosters/{}", r.id), &a).await;
    assert_eq!(page.status, StatusCode::OK);
    prefilled(&page.text());
    // Another form's field error (a swap without a successor) shows the page again.
    let shifts = duty::shifts(&app.db, &w.officer.ctx, r.id).await.unwrap();
    let sid = shifts[0].id.to_string();
    let swap = app
        .post(
            &format!("/duty/rosters/{}/swaps", r.id),
            &a,
            &[("shift_id", &sid), ("role", "leader"), ("reason", "出差")],
        )
        .await;
    assert_eq!(swap.status, StatusCode::UNPROCESSABLE_ENTITY);
    prefilled(&swap.text());
    // The regenerate form's own error keeps what was typed.
    let v = r.row_version.to_string();
    let own = app
        .post(
            &format!("/duty/rosters/{}/generate", r.id),
            &a,
            &[
                ("row_version", &v),
                ("shift_start", "08:30"),
                ("leaders", "孙局长 13900000009\n周局长 电话"),
                ("officers", "吴七"),
            ],
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = own.text();
    assert!(t.contains("带班领导第2行"));
    assert!(
        t.contains("孙局长 13900000009\n周局长 电话</textarea>"),
        "{t}"
    );
    assert!(t.contains(r#"name="officers" rows="4">吴七</textarea>"#));
}
