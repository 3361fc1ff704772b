//! The demo dataset as `anjian demo` loads it: its first half of 2023 says what the bureau's own
//! 2023 H1 summary (the seed) says, on SQLite and PostgreSQL alike.

use std::process::ExitCode;

use anjian_app::cli::{run, Command};
use anjian_app::config::Config;
use anjian_db::{Ctx, Q};
use anjian_domain::period::Period;
use anjian_testkit::TestApp;

#[tokio::test]
async fn the_demo_reproduces_the_seed_figures_for_2023_h1() {
    let app = TestApp::new().await;
    let cfg = Config::load(None, Some(app.url.clone()), Some(app.dir.clone()), None).unwrap();
    let code = run(Command::Demo, cfg).await.expect("demo loads");
    assert_eq!(format!("{code:?}"), format!("{:?}", ExitCode::SUCCESS));

    let period = Period::parse("2023H1").unwrap();
    let ctx = Ctx::system("test");
    let s = anjian_db::statistics::hazard_statistics(&app.db, &ctx, &period, None)
        .await
        .unwrap();
    // "共计开展安全检查80次，检查覆盖企业62家，排查一般安全隐患问题106项，已全部完成整改，无挂牌督办重大隐患"
    assert_eq!(s.inspections, 80);
    assert_eq!(s.inspected_orgs, 62);
    assert_eq!(s.hazards_general_found, 106);
    assert_eq!(s.hazards_general_rectified, 106);
    assert_eq!((s.hazards_major_found, s.hazards_major_listed), (0, 0));
    assert_eq!((s.hazards_open, s.hazards_overdue), (0, 0));
    assert_eq!(s.rectification_rate, Some(1.0));
    assert_eq!(s.illegal_operations_found, 0);

    // Every 2023 closure is a real one: verified by someone other than its rectifier, after the
    // rectification, with an after-photo.
    let (bad,): (i64,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT COUNT(*) FROM hazard h WHERE h.found_on < '2023-07-01' AND (h.status <> 'closed' \
             OR h.verified_by = h.rectified_by OR h.verified_on < h.rectified_on \
             OR NOT EXISTS (SELECT 1 FROM hazard_attachment a WHERE a.hazard_id = h.id AND a.kind = 'after'))",
        ))
        .await
        .unwrap();
    assert_eq!(bad, 0);
    assert!(anjian_db::audit::verify(&app.db)
        .await
        .unwrap()
        .first_broken
        .is_none());
}

/// A test database holding the demo, and a bureau supervisor signed in to it.
async fn demo_app() -> (TestApp, anjian_testkit::Login) {
    let app = TestApp::new().await;
    let cfg = Config::load(None, Some(app.url.clone()), Some(app.dir.clone()), None).unwrap();
    run(Command::Demo, cfg).await.expect("demo loads");
    let (bureau,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT id FROM org WHERE kind = 'bureau'"))
        .await
        .unwrap();
    let u = app
        .user(
            "report_reader",
            anjian_domain::role::Role::BureauSupervisor,
            bureau,
        )
        .await;
    let login = app.login_as(&u).await;
    (app, login)
}

#[tokio::test]
async fn the_report_command_writes_the_figures_and_the_summary() {
    let (app, _) = demo_app().await;
    let out = app.dir.join("h1.json");
    let cfg = || Config::load(None, Some(app.url.clone()), Some(app.dir.clone()), None).unwrap();
    run(
        Command::Report {
            period: "2023H1".into(),
            org: None,
            format: "json".into(),
            output: Some(out.clone()),
        },
        cfg(),
    )
    .await
    .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    for (key, want) in [
        ("inspections", 80),
        ("inspected_orgs", 62),
        ("hazards_general_found", 106),
        ("hazards_general_rectified", 106),
        ("hazards_major_found", 0),
        ("hazards_major_listed", 0),
        ("hazards_open", 0),
        ("hazards_overdue", 0),
        ("illegal_operations_found", 0),
        // "累计落实安全生产经费投入11.93万元" … "宣传活动16场，培训活动15场，应急演练11场"
        ("funding_fen", 11_930_000),
        ("publicity_events", 16),
        ("trainings", 15),
        ("drills", 11),
        ("responsibility_letters_signed", 5),
        // "无人员伤亡事故": the accident register exists and is empty for the half-year.
        ("accidents", 0),
        ("deaths", 0),
        ("injuries", 0),
    ] {
        assert_eq!(v[key], want, "{key}");
    }
    assert_eq!(v["rectification_rate"], 1.0);
    // Keys of registers this installation keeps are present; null means "not recorded", not 0.
    for key in [
        "accidents",
        "deaths",
        "injuries",
        "funding_fen",
        "publicity_events",
        "trainings",
        "drills",
        "safety_meetings",
        "responsibility_letters_signed",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }

    let md = app.dir.join("h1.md");
    run(
        Command::Report {
            period: "2023H1".into(),
            org: None,
            format: "md".into(),
            output: Some(md.clone()),
        },
        cfg(),
    )
    .await
    .unwrap();
    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.starts_with("# 某市粮食和物资储备局2023年上半年安全生产工作总结"));
    assert!(md.contains("上半年全系统共计开展安全检查80次，检查覆盖企业62家，排查一般安全隐患问题106项，已全部完成整改，无挂牌督办重大隐患，"));
    assert!(md.contains("## 二、下半年工作计划"));
    assert!(md.contains("累计落实安全生产经费投入11.93万元"));
    assert!(md.contains("上半年全系统累计开展宣传活动16场，培训活动15场，应急演练11场"));
    assert!(md.contains("无挂牌督办重大隐患，无人员伤亡事故，未发现非法、违法生产经营单位。"));

    let bad = run(
        Command::Report {
            period: "2023H3".into(),
            org: None,
            format: "json".into(),
            output: None,
        },
        cfg(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(bad.starts_with("--period："), "{bad}");
}

#[tokio::test]
async fn the_report_page_links_each_figure_and_the_docx_reads_back() {
    let (app, who) = demo_app().await;
    let res = app.get("/reports?period=2023H1", &who).await;
    assert_eq!(res.status, axum::http::StatusCode::OK);
    let html = res.text();
    assert!(html.contains(
        "<a class=\"figure\" href=\"/statistics/records?period=2023H1&#38;figure=inspections\">80</a>"
    ));
    assert!(html.contains("figure=hazards_general_found\">106</a>"));
    // Ledger and accident figures link to their registers filtered to the half-year.
    assert!(html.contains("href=\"/ledgers/funding?from=2023-01-01&#38;to=2023-06-30\">11.93</a>"));
    assert!(html.contains("href=\"/ledgers/publicity?from=2023-01-01&#38;to=2023-06-30\">16</a>"));
    let res = app
        .get("/ledgers/funding?from=2023-01-01&to=2023-06-30", &who)
        .await;
    assert_eq!(res.status, axum::http::StatusCode::OK);
    // The link leads to the 80 inspections it counts.
    let res = app
        .get("/statistics/records?period=2023H1&figure=inspections", &who)
        .await;
    assert_eq!(res.status, axum::http::StatusCode::OK);

    let res = app
        .get("/reports/download?period=2023H1&format=docx", &who)
        .await;
    assert_eq!(res.status, axum::http::StatusCode::OK);
    let body = res.body.clone();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(body)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    for want in [
        "某市粮食和物资储备局2023年上半年安全生产工作总结",
        "一、主要工作完成情况",
        "（三）突出重点安全防控，排查治理风险隐患",
        "检查覆盖企业62家",
        "方正小标宋简体",
        "仿宋_GB2312",
        "黑体",
        "楷体_GB2312",
    ] {
        assert!(xml.contains(want), "{want}");
    }
    let res = app
        .get("/reports/download?period=2023H1&format=pdf", &who)
        .await;
    assert_eq!(res.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    let res = app.get("/reports?period=2023H9", &who).await;
    assert_eq!(res.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("field-error"));
}
