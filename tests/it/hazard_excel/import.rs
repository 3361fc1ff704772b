//! Import: the template, every kind of error with its row and column (and nothing written), the
//! date spellings people type, preview then confirm, the token that binds a preview to its
//! uploader, and the API with `dry_run`.

use axum::http::StatusCode;
use chrono::NaiveDate;

use anjian_db::hazard::{self, Hazard};
use anjian_db::org::{self, OrgInput};
use anjian_db::Ctx;
use anjian_domain::role::Role;

use super::*;
use crate::hazard::{day, ds, person, world};

async fn site(app: &TestApp, parent: i64, name: &str) -> i64 {
    org::create(
        &app.db,
        &Ctx::system("test"),
        &OrgInput {
            kind: "site".into(),
            parent_id: Some(parent),
            name: name.into(),
            ..Default::default()
        },
    )
    .await
    .expect("site")
    .id
}

/// Hazards created after `after_id`, oldest first.
async fn new_since(app: &TestApp, after_id: i64) -> Vec<Hazard> {
    let mut v = hazard::all(
        &app.db,
        &Ctx::system("test"),
        &hazard::HazardFilter::default(),
        100_000,
    )
    .await
    .unwrap();
    v.retain(|h| h.id > after_id);
    v.sort_by_key(|h| h.id);
    v
}

async fn max_id(app: &TestApp) -> i64 {
    let (n,): (Option<i64>,) = app
        .db
        .fetch_one(&Q::new("SELECT MAX(id) FROM hazard"))
        .await
        .unwrap();
    n.unwrap_or(0)
}

#[tokio::test]
async fn the_template_names_every_column_and_explains_them() {
    let w = world().await;
    let officer = login(&w.app, &w.officer).await;
    let res = w.app.get("/hazards/import/template", &officer).await;
    assert_eq!(res.status, StatusCode::OK);
    let s = sheet(&res.body);
    let header: Vec<String> = s
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, HEADER);
    assert_eq!(s.height(), 1, "no example row to import by mistake");
    let help = sheet_named(&res.body, "说明");
    let text: String = help.rows().flatten().map(|c| c.to_string()).collect();
    for needle in [
        "2023年3月1日",
        "2023.3.1",
        "待整改",
        "第5行【整改期限】不是有效日期",
        "导出",
    ] {
        assert!(text.contains(needle), "说明 mentions {needle}");
    }
    // The page explains the same columns.
    let page = w.app.get("/hazards/import", &officer).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("/hazards/import/template"));
}

#[tokio::test]
async fn every_error_names_its_row_and_column_and_nothing_is_imported() {
    let w = world().await;
    let app = &w.app;
    let sys = Ctx::system("test");
    site(app, w.f.unit_a.id, "同名库点").await;
    site(app, w.f.unit_a.id, "同名库点").await;
    let stopped = site(app, w.f.unit_a.id, "停用库点").await;
    org::set_active(&app.db, &sys, stopped, false)
        .await
        .unwrap();
    let b_site = w.f.site_b.id.to_string();
    let (f, d) = (ds(-3), ds(10));
    let (f, d) = (f.as_str(), d.as_str());
    let long = |n: usize| "长".repeat(n);
    let (l501, l101, l51) = (long(501), long(101), long(51));
    let (tomorrow, later, before) = (ds(1), ds(10), ds(-6));
    let r = |org: &str, desc: &str, grade: &str, found: &str, deadline: &str| -> Vec<C> {
        row([
            org,
            "1号仓房",
            desc,
            "用电安全",
            grade,
            "",
            found,
            "张三",
            deadline,
            "",
        ])
    };
    let mut rows = vec![
        r("甲库点", "配电箱未上锁", "一般", f, d), // 2: fine
        r("", "配电箱未上锁", "一般", f, d),       // 3
        r("不存在的库点", "配电箱未上锁", "一般", f, d),
        r("乙库点", "配电箱未上锁", "一般", f, d),
        r(&b_site, "配电箱未上锁", "一般", f, d),
        r("同名库点", "配电箱未上锁", "一般", f, d),
        r("停用库点", "配电箱未上锁", "一般", f, d),
        r("甲库点", "", "一般", f, d), // 9
        r("甲库点", &l501, "一般", f, d),
        row([
            "甲库点",
            &l101,
            "配电箱未上锁",
            "",
            "一般",
            "",
            f,
            "",
            d,
            "",
        ]),
        row(["甲库点", "", "配电箱未上锁", &l51, "一般", "", f, "", d, ""]),
        r("甲库点", "配电箱未上锁", "很大", f, d), // 13
        r("甲库点", "配电箱未上锁", "", f, d),
        r("甲库点", "配电箱未上锁", "重大", f, d),
        r("甲库点", "配电箱未上锁", "一般", "2023-02-30", d), // 16
        r("甲库点", "配电箱未上锁", "一般", "2023", d),
        r("甲库点", "配电箱未上锁", "一般", &tomorrow, &later),
        r("甲库点", "配电箱未上锁", "一般", f, "明天"), // 19
        r("甲库点", "配电箱未上锁", "一般", &ds(-5), &before),
        r("甲库点", "配电箱未上锁", "一般", f, "1905-07-15"),
        r("甲库点", "配电箱未上锁", "一般", f, ""),
        row(["甲库点", "", "配电箱未上锁", "", "一般", "", f, &l51, d, ""]), // 23
        row([
            "甲库点",
            "",
            "配电箱未上锁",
            "",
            "一般",
            "",
            f,
            "",
            d,
            "不存在的行动",
        ]),
    ];
    // 25: a number cell that is no date; 26: two problems in one row, both reported.
    let mut serial = r("甲库点", "配电箱未上锁", "一般", "", d);
    serial[6] = C::N(0.0);
    rows.push(serial);
    rows.push(r("", "配电箱未上锁", "一般", f, "abc"));
    let expected = [
        "第3行【单位/库点】不能为空，请填写单位或库点的名称或编号".to_string(),
        "第4行【单位/库点】“不存在的库点”不存在或不在您的管辖范围内（须与组织机构中的名称完全一致）".into(),
        "第5行【单位/库点】“乙库点”不存在或不在您的管辖范围内（须与组织机构中的名称完全一致）".into(),
        format!("第6行【单位/库点】编号{b_site}不存在或不在您的管辖范围内"),
        "第7行【单位/库点】有2个单位或库点名为“同名库点”，请改填编号或“上级名称/同名库点”".into(),
        "第8行【单位/库点】“停用库点”已停用".into(),
        "第9行【隐患描述】不能为空".into(),
        "第10行【隐患描述】不能超过500个字".into(),
        "第11行【隐患部位】不能超过100个字".into(),
        "第12行【隐患类别】不能超过50个字".into(),
        "第13行【隐患等级】“很大”无效，应填写“一般”或“重大”".into(),
        "第14行【隐患等级】不能为空，应填写“一般”或“重大”".into(),
        "第15行【重大隐患判定依据】不能为空".into(),
        "第16行【发现日期】不是有效日期：“2023-02-30”这一天不存在".into(),
        "第17行【发现日期】不是有效日期：“2023”只有年份，应写完整日期".into(),
        "第18行【发现日期】不能晚于今天".into(),
        "第19行【整改期限】不是有效日期：“明天”，应写作2023-03-01、2023/3/1、2023.3.1或2023年3月1日".into(),
        "第20行【整改期限】不能早于发现日期".into(),
        "第21行【整改期限】不是有效日期：“1905-07-15”超出合理范围（1990年至2099年）".into(),
        "第22行【整改期限】不能为空".into(),
        "第23行【发现人】不能超过50个字".into(),
        "第24行【专项行动】“不存在的行动”不存在、已结束停用或不适用于该单位".into(),
        "第25行【发现日期】不是有效日期：Excel日期序号0超出范围".into(),
        "第26行【单位/库点】不能为空，请填写单位或库点的名称或编号".into(),
        "第26行【整改期限】不是有效日期：“abc”，应写作2023-03-01、2023/3/1、2023.3.1或2023年3月1日".into(),
    ];
    let file = workbook(&HEADER, &rows);
    let officer = login(app, &w.officer).await;
    let tok = app.token_for(&w.officer.user).await;
    // Measured after signing in: a sign-in is audited too.
    let before = footprint(app).await;

    let res = app
        .upload("/hazards/import", &officer, "bad.xlsx", &file)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&res.text());
    for e in &expected {
        assert!(html.contains(e.as_str()), "page shows {e}\n{html}");
    }
    assert!(
        html.contains(&format!("错误（{}处）", expected.len())),
        "{html}"
    );
    assert!(html.contains("共25行，其中24行有错误"), "{html}");
    assert!(token(&html).is_empty(), "no confirm form");
    assert_eq!(footprint(app).await, before, "the preview writes nothing");

    // The API answers the same messages, in file order, and imports nothing either.
    let res = api_import(app, &tok, &file, None).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = res.json();
    assert_eq!(j["code"], "validation_failed");
    let mut texts: Vec<String> = j["fields"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| format!("{k}{}", v.as_str().unwrap()))
        .collect();
    texts.sort();
    let mut want = expected.to_vec();
    want.sort();
    assert_eq!(texts, want);
    assert_eq!(
        j["fields"]["第3行【单位/库点】"],
        "不能为空，请填写单位或库点的名称或编号"
    );
    assert_eq!(footprint(app).await, before);

    // Without its bad rows the same file imports: the errors were the rows', not the file's.
    let good: Vec<Vec<C>> = rows[..1].to_vec();
    let res = api_import(app, &tok, &workbook(&HEADER, &good), None).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(hazard_count(app).await, before.0 + 1);
}

#[tokio::test]
async fn the_bureau_itself_takes_no_hazards() {
    let w = world().await;
    let sup = login(&w.app, &w.supervisor).await;
    let (f, d) = (ds(-1), ds(5));
    let file = workbook(
        &HEADER,
        &[row([
            "测试局",
            "",
            "办公楼消防通道堵塞",
            "",
            "一般",
            "",
            &f,
            "",
            &d,
            "",
        ])],
    );
    let res = w.app.upload("/hazards/import", &sup, "x.xlsx", &file).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&res.text())
        .contains("第2行【单位/库点】“测试局”是局机关，隐患须登记在单位或库点上"));
}

#[tokio::test]
async fn a_file_that_cannot_be_read_is_refused_whole() {
    let w = world().await;
    let app = &w.app;
    let officer = login(app, &w.officer).await;
    let before = footprint(app).await;
    let no_deadline: Vec<&str> = HEADER
        .iter()
        .copied()
        .filter(|h| !h.starts_with("整改期限"))
        .collect();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not a spreadsheet".to_vec(), "无法读取该文件"),
        (workbook(&HEADER, &[]), "文件中没有数据行"),
        (
            workbook(
                &no_deadline,
                &[row([
                    "甲库点",
                    "",
                    "x",
                    "",
                    "一般",
                    "",
                    "2024-01-02",
                    "",
                    "",
                    "",
                ])],
            ),
            "缺少【整改期限】列，请使用下载的模板",
        ),
        (
            workbook(&["序号", "名称"], &[vec![t("1"), t("x")]]),
            "没有找到表头行",
        ),
    ];
    for (file, message) in cases {
        let res = app
            .upload("/hazards/import", &officer, "x.xlsx", &file)
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(unescape(&res.text()).contains(message), "{message}");
    }
    assert_eq!(footprint(app).await, before);
}

#[tokio::test]
async fn preview_writes_nothing_and_confirm_imports_every_field() {
    let w = world().await;
    let app = &w.app;
    let campaign = anjian_db::campaign::create(
        &app.db,
        &w.supervisor.ctx,
        &anjian_db::campaign::CampaignInput {
            kind: "campaign".into(),
            name: "消防安全专项整治".into(),
            start_date: ds(-60),
            end_date: ds(60),
            all_units: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let found = day(-20);
    let deadline = day(15);
    let serial = (found - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days() as f64;
    let unit_id = w.f.unit_a.id.to_string();
    // Each row spells the found date differently; the deadline is always a date cell.
    let spellings: Vec<C> = vec![
        t(&found.format("%Y-%-m-%-d").to_string()),
        t(&found.format("%Y.%-m.%-d").to_string()),
        t(&found.format("%Y/%m/%d").to_string()),
        t(&found.format("%Y年%-m月%-d日").to_string()),
        t(&found.format("%Y%m%d").to_string()),
        C::N(serial),
        C::D(found),
    ];
    let mut rows = Vec::new();
    for (i, f) in spellings.into_iter().enumerate() {
        let org = if i % 2 == 0 {
            "甲库点"
        } else {
            unit_id.as_str()
        };
        let desc = format!("第{}处：灭火器压力不足", i + 1);
        let mut r = row([
            org,
            "2号仓房",
            &desc,
            "消防安全",
            "一般",
            "",
            "",
            "李四",
            "",
            "",
        ]);
        r[6] = f;
        r[8] = C::D(deadline);
        rows.push(r);
    }
    rows.push(row([
        "甲库点",
        "熏蒸作业区",
        "熏蒸作业无监护人",
        "有限空间作业",
        "重大隐患",
        "《粮食仓储企业重大生产安全事故隐患判定标准》第三条",
        &ds(-2),
        "王五",
        &ds(30),
        "消防安全专项整治",
    ]));
    let file = workbook(&HEADER, &rows);
    let officer = login(app, &w.officer).await;
    let other = app.login_role(Role::UnitOfficer, w.f.unit_a.id).await;
    let before = footprint(app).await;
    let last = max_id(app).await;

    let preview = app
        .upload("/hazards/import", &officer, "ok.xlsx", &file)
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let html = preview.text();
    assert!(html.contains("确认导入 8 行"), "{html}");
    assert_eq!(footprint(app).await, before, "the preview writes nothing");
    let tok = token(&html);
    assert_eq!(tok.len(), 32);

    // The token is the uploader's: another user of the same unit cannot confirm it.
    let res = app
        .post(
            "/hazards/import/confirm",
            &other,
            &[("token", tok.as_str())],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = app
        .post(
            "/hazards/import/confirm",
            &officer,
            &[("token", "../../etc/passwd")],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(footprint(app).await, before);

    let res = app
        .post(
            "/hazards/import/confirm",
            &officer,
            &[("token", tok.as_str())],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(res.location(), "/hazards?notice=imported");
    let got = new_since(app, last).await;
    assert_eq!(got.len(), 8);
    for (i, h) in got[..7].iter().enumerate() {
        let org = if i % 2 == 0 {
            w.f.site_a.id
        } else {
            w.f.unit_a.id
        };
        assert_eq!(h.org_id, org, "row {i}");
        assert_eq!(h.found_on, found, "spelling {i}");
        assert_eq!(h.deadline, deadline);
        assert_eq!(h.original_deadline, deadline);
        assert_eq!(h.description, format!("第{}处：灭火器压力不足", i + 1));
        assert_eq!(
            (h.location.as_str(), h.category.as_str()),
            ("2号仓房", "消防安全")
        );
        assert_eq!((h.grade.as_str(), h.found_by.as_str()), ("general", "李四"));
        assert_eq!(h.status, "pending");
        assert_eq!(h.reported_by, Some(w.officer.user.id));
        assert_eq!(h.campaign_id, None);
    }
    let m = &got[7];
    assert_eq!((m.grade.as_str(), m.status.as_str()), ("major", "pending"));
    assert_eq!(
        m.major_criterion,
        "《粮食仓储企业重大生产安全事故隐患判定标准》第三条"
    );
    assert_eq!((m.found_on, m.deadline), (day(-2), day(30)));
    assert_eq!(m.campaign_id, Some(campaign.id));
    // Per hazard its "registered" timeline entry; one audit entry for the import, naming them.
    let after = footprint(app).await;
    assert_eq!(after, (before.0 + 8, before.1 + 8, before.2 + 1));
    let a = app.last_audit().await;
    assert_eq!((a.entity.as_str(), a.action.as_str()), ("hazard", "import"));
    let ids: Vec<i64> = got.iter().map(|h| h.id).collect();
    assert!(a
        .after_json
        .unwrap()
        .contains(&format!("\"ids\":{}", serde_json::to_string(&ids).unwrap())));
    assert!(anjian_db::audit::verify(&app.db)
        .await
        .unwrap()
        .first_broken
        .is_none());

    // The kept file is gone: confirming twice imports nothing more.
    let res = app
        .post(
            "/hazards/import/confirm",
            &officer,
            &[("token", tok.as_str())],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(footprint(app).await, after);
}

#[tokio::test]
async fn the_api_dry_run_checks_and_the_real_run_imports() {
    let w = world().await;
    let app = &w.app;
    let p = person(app, "api_importer", Role::UnitHead, &w.f.unit_a).await;
    let tok = app.token_for(&p.user).await;
    let (f, d) = (ds(-1), ds(7));
    let file = workbook(
        &HEADER,
        &[
            row([
                "甲库点",
                "",
                "消防水池水位不足",
                "",
                "一般",
                "",
                &f,
                "",
                &d,
                "",
            ]),
            row(["甲单位", "", "应急照明失效", "", "一般", "", &f, "", &d, ""]),
        ],
    );
    let before = footprint(app).await;
    let res = api_import(app, &tok, &file, Some("true")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let j = res.json();
    assert_eq!(
        (
            j["dry_run"].as_bool(),
            j["rows"].as_i64(),
            j["imported"].as_i64()
        ),
        (Some(true), Some(2), Some(0))
    );
    assert_eq!(footprint(app).await, before, "a dry run leaves no trace");

    let res = api_import(app, &tok, &file, Some("false")).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let j = res.json();
    assert_eq!(j["imported"], 2);
    assert_eq!(j["ids"].as_array().unwrap().len(), 2);
    assert_eq!(hazard_count(app).await, before.0 + 2);

    // Inspectors may report hazards; a leader (view only) may not import.
    let leader = person(app, "leader_imp", Role::BureauLeader, &w.f.bureau).await;
    let lt = app.token_for(&leader.user).await;
    let res = api_import(app, &lt, &file, Some("true")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_imported_hazard_is_the_one_the_form_registers() {
    let w = world().await;
    let app = &w.app;
    let campaign = anjian_db::campaign::create(
        &app.db,
        &w.supervisor.ctx,
        &anjian_db::campaign::CampaignInput {
            kind: "campaign".into(),
            name: "有限空间专项整治".into(),
            start_date: ds(-30),
            end_date: ds(30),
            all_units: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let by_form = hazard::create(
        &app.db,
        &w.officer.ctx,
        &hazard::HazardInput {
            org_id: Some(w.f.site_a.id),
            location: "1号筒仓".into(),
            description: "筒仓清仓作业未检测气体".into(),
            category: "有限空间作业".into(),
            grade: "major".into(),
            major_criterion: "判定标准第4条".into(),
            found_on: ds(-3),
            found_by: "钱七".into(),
            deadline: ds(9),
            campaign_id: Some(campaign.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let file = workbook(
        &HEADER,
        &[row([
            "甲库点",
            "1号筒仓",
            "筒仓清仓作业未检测气体",
            "有限空间作业",
            "重大",
            "判定标准第4条",
            &ds(-3),
            "钱七",
            &ds(9),
            "有限空间专项整治",
        ])],
    );
    let tok = app.token_for(&w.officer.user).await;
    let res = api_import(app, &tok, &file, None).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["ids"][0].as_i64().unwrap();
    let by_import = crate::hazard::row(app, id).await;
    // Every column but the id and the instants is the same.
    let strip = |h: &Hazard| {
        let mut v = serde_json::to_value(h).unwrap();
        for k in ["id", "created_at", "updated_at"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v
    };
    assert_eq!(strip(&by_import), strip(&by_form));
    // And the same first timeline entry.
    let first = |id: i64| async move {
        let v: Vec<(String, Option<String>, Option<i64>, String)> = app
            .db
            .fetch_all(
                &Q::new(
                    "SELECT action, to_status, actor_user_id, actor_name FROM hazard_event \
                     WHERE hazard_id = $1 ORDER BY id",
                )
                .bind(id),
            )
            .await
            .unwrap();
        v
    };
    assert_eq!(first(id).await, first(by_form.id).await);
}

/// The preview only checks (it no longer runs the import and rolls it back), so the guarantee
/// rests on the confirmation: it checks every row again inside its write transaction. A site
/// stopped between preview and confirm makes the confirmation fail on that row, and nothing is
/// written.
#[tokio::test]
async fn confirm_checks_every_row_again_after_the_preview() {
    let w = world().await;
    let app = &w.app;
    let second = site(app, w.f.unit_a.id, "甲二库点").await;
    let rows = vec![
        row([
            "甲库点",
            "1号仓房",
            "配电箱门未关闭",
            "用电安全",
            "一般",
            "",
            &ds(-3),
            "李四",
            &ds(10),
            "",
        ]),
        row([
            "甲二库点",
            "2号仓房",
            "灭火器过期",
            "消防安全",
            "一般",
            "",
            &ds(-2),
            "李四",
            &ds(10),
            "",
        ]),
    ];
    let file = workbook(&HEADER, &rows);
    let officer = login(app, &w.officer).await;
    let api_token = app.token_for(&w.officer.user).await;
    let before = footprint(app).await;
    let preview = app
        .upload("/hazards/import", &officer, "ok.xlsx", &file)
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    assert_eq!(footprint(app).await, before, "the preview writes nothing");
    let tok = token(&preview.text());
    assert_eq!(tok.len(), 32);

    org::set_active(&app.db, &Ctx::system("test"), second, false)
        .await
        .unwrap();
    // (Stopping the site is itself audited.)
    let before = footprint(app).await;
    let res = app
        .post(
            "/hazards/import/confirm",
            &officer,
            &[("token", tok.as_str())],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&res.text());
    assert!(
        html.contains("第3行【单位/库点】“甲二库点”已停用"),
        "{html}"
    );
    assert_eq!(
        footprint(app).await,
        before,
        "nothing of the file is written"
    );

    // The API's dry run is the same check: it names the row and writes nothing either.
    let res = api_import(app, &api_token, &file, Some("true")).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        res.text()
    );
    assert!(res.text().contains("第3行【单位/库点】"), "{}", res.text());
    assert_eq!(footprint(app).await, before);
}
