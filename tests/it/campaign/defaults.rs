//! The default campaigns and key periods of a year: the 2023 dates from the reference, the
//! yearly Spring Festival table, idempotence, audit, and who may create them.

use anjian_db::campaign::{self, CampaignFilter};
use anjian_db::{Ctx, DbError, PageReq};
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::{audits, date, person};

#[tokio::test]
async fn seeding_2023_creates_the_dated_set_once() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let sup = person(&app, "cd_sup", Role::BureauSupervisor, &f.bureau).await;

    let n = campaign::seed_defaults(&app.db, &sup.ctx, f.bureau.id, 2023)
        .await
        .unwrap();
    // 4 campaigns + 元旦 春节 两会 五一 国庆 + 数字中国建设峰会.
    assert_eq!(n, 10);
    assert_eq!(
        campaign::seed_defaults(&app.db, &sup.ctx, f.bureau.id, 2023)
            .await
            .unwrap(),
        0,
        "a second run creates nothing"
    );
    let page = campaign::list(
        &app.db,
        &sup.ctx,
        &CampaignFilter::default(),
        PageReq::new(Some(1), Some(100)),
    )
    .await
    .unwrap();
    assert_eq!(page.total, 10);
    let find = |name: &str| {
        page.items
            .iter()
            .find(|r| r.campaign.name == name)
            .unwrap_or_else(|| panic!("{name} missing"))
            .clone()
    };
    let check = |name: &str, kind: &str, start: &str, end: &str| {
        let c = find(name).campaign;
        assert_eq!(
            (c.kind.as_str(), c.start_date, c.end_date),
            (kind, date(start), date(end)),
            "{name}"
        );
        assert!(c.all_units && c.active);
        assert_eq!(c.org_id, f.bureau.id);
    };
    check(
        "2023年重大事故隐患专项排查整治行动",
        "campaign",
        "2023-04-27",
        "2023-12-31",
    );
    check("2023年安全生产月", "campaign", "2023-06-01", "2023-06-30");
    check("2023年冬春火灾防控", "campaign", "2023-01-01", "2023-03-31");
    check(
        "2023年管好“一扇门”配好“一根绳”消防安全专项行动",
        "campaign",
        "2023-01-01",
        "2023-12-31",
    );
    check("2023年春节", "key_period", "2023-01-21", "2023-01-27");
    check("2023年元旦", "key_period", "2022-12-31", "2023-01-02");
    check("2023年全国两会", "key_period", "2023-03-04", "2023-03-13");
    check("2023年五一", "key_period", "2023-04-29", "2023-05-03");
    check("2023年国庆", "key_period", "2023-09-29", "2023-10-06");
    check(
        "2023年数字中国建设峰会",
        "key_period",
        "2023-04-27",
        "2023-04-28",
    );
    assert!(find("2023年冬春火灾防控")
        .campaign
        .description
        .contains("11月"));

    // Each creation is audited, under the bureau.
    let id = find("2023年春节").campaign.id;
    assert_eq!(
        audits(&app, "campaign", id).await,
        vec![("create".to_string(), Some(f.bureau.id))]
    );

    // The list's kind and year filters.
    let key = campaign::list(
        &app.db,
        &sup.ctx,
        &CampaignFilter {
            kind: Some("key_period"),
            year: Some(2023),
            ..Default::default()
        },
        PageReq::new(Some(1), Some(100)),
    )
    .await
    .unwrap();
    assert_eq!(key.total, 6);
    // 元旦 2023 began on 2022-12-31, so it also overlaps 2022.
    let y2022 = campaign::list(
        &app.db,
        &sup.ctx,
        &CampaignFilter {
            year: Some(2022),
            ..Default::default()
        },
        PageReq::new(Some(1), Some(100)),
    )
    .await
    .unwrap();
    assert_eq!(
        y2022
            .items
            .iter()
            .map(|r| r.campaign.name.as_str())
            .collect::<Vec<_>>(),
        ["2023年元旦"]
    );
}

#[tokio::test]
async fn other_years_use_the_holiday_table_and_a_whole_year_campaign() {
    let set = campaign::default_set(2024);
    let get = |n: &str| {
        set.iter()
            .find(|d| d.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert_eq!(set.len(), 9, "no summit outside 2023");
    assert_eq!(
        (get("2024年春节").start_date, get("2024年春节").end_date),
        (date("2024-02-10"), date("2024-02-17"))
    );
    assert_eq!(
        (
            get("2024年重大事故隐患专项排查整治行动").start_date,
            get("2024年重大事故隐患专项排查整治行动").end_date
        ),
        (date("2024-01-01"), date("2024-12-31"))
    );
    for (year, start, end) in [
        (2025, "2025-01-28", "2025-02-04"),
        (2026, "2026-02-15", "2026-02-23"),
        (2027, "2027-02-05", "2027-02-11"),
    ] {
        let set = campaign::default_set(year);
        let sf = set
            .iter()
            .find(|d| d.name == format!("{year}年春节"))
            .unwrap();
        assert_eq!((sf.start_date, sf.end_date), (date(start), date(end)));
        assert!(set.iter().all(|d| d.end_date >= d.start_date));
    }
    // A year outside the table still gets the recurring campaigns.
    let far = campaign::default_set(2031);
    assert_eq!(far.len(), 4);
    assert!(far.iter().all(|d| d.kind == "campaign"));
}

#[tokio::test]
async fn only_planners_seed_and_only_inside_their_scope() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let officer = person(&app, "cd_off", Role::UnitOfficer, &f.unit_a).await;
    let unit_sup = person(&app, "cd_usup", Role::BureauSupervisor, &f.unit_a).await;
    assert!(matches!(
        campaign::seed_defaults(&app.db, &officer.ctx, f.unit_a.id, 2023).await,
        Err(DbError::Forbidden)
    ));
    assert!(matches!(
        campaign::seed_defaults(&app.db, &unit_sup.ctx, f.bureau.id, 2023).await,
        Err(DbError::NotFound)
    ));
    // The command line (first start, demo) may seed for the bureau.
    let n = campaign::seed_defaults(&app.db, &Ctx::system("first-start"), f.bureau.id, 2024)
        .await
        .unwrap();
    assert_eq!(n, 9);

    // The page button seeds this year for the caller's own organisation.
    let sup = person(&app, "cd_sup2", Role::BureauSupervisor, &f.bureau).await;
    let year = anjian_web::campaign::routes::this_year();
    let res = app
        .post(
            "/campaigns/defaults",
            &sup.login,
            &[("year", &year.to_string())],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.text());
    assert!(res
        .location()
        .starts_with(&format!("/campaigns?year={year}&seeded=")));
    let bad = app
        .post("/campaigns/defaults", &sup.login, &[("year", "1999")])
        .await;
    assert_eq!(bad.status, 422);
}
