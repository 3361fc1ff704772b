//! Wording templates as data: an edit changes exactly its sentence in the generated summary, a
//! broken template is refused with a Chinese message naming it and its line while the old text
//! stays, the default can be restored, every save is kept, audited, and refused when stale.

use axum::http::StatusCode;

use anjian_db::report::{self, templates, text::DEFAULT_TEMPLATES};
use anjian_db::DbError;
use anjian_domain::period::Period;

use crate::hazard::{world, World};

fn default_of(key: &str) -> &'static str {
    DEFAULT_TEMPLATES
        .iter()
        .find(|t| t.key == key)
        .map(|t| t.body)
        .unwrap()
}

fn year() -> Period {
    Period::year(chrono::Datelike::year(&anjian_db::hazard::today())).unwrap()
}

/// The summary's paragraphs (key, text) as the supervisor gets them now.
async fn paragraphs(w: &World) -> Vec<(String, String)> {
    let ctx = &w.supervisor.ctx;
    let f = report::figures(&w.app.db, ctx, &year(), None)
        .await
        .unwrap();
    let (s, warnings) = templates::summary(&w.app.db, ctx, &f).await.unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    s.sections
        .iter()
        .flat_map(|x| &x.paragraphs)
        .map(|p| (p.key.clone(), p.plain()))
        .collect()
}

fn invalid_message(e: DbError) -> String {
    match e {
        DbError::Invalid(f) => f.get("body").expect("a message on the body").to_string(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_edit_changes_exactly_its_sentence_and_restoring_brings_the_default_back() {
    let w = world().await;
    let ctx = &w.supervisor.ctx;
    let before = paragraphs(&w).await;
    let key = "part1.training";
    let (old, new) = (
        "提高干部职工安全意识和应急处置能力",
        "切实增强干部职工安全意识和应急处置能力",
    );
    assert!(default_of(key).contains(old));
    let audits = w.app.audit_count().await;
    let t = templates::save(
        &w.app.db,
        ctx,
        key,
        Some(&default_of(key).replace(old, new)),
        0,
    )
    .await
    .expect("a valid edit is saved");
    assert_eq!((t.row_version, t.is_default), (1, false));
    assert_eq!(w.app.audit_count().await, audits + 1);
    let e = w.app.last_audit().await;
    assert_eq!(
        (e.entity.as_str(), e.entity_id.as_str(), e.action.as_str()),
        ("report_template", key, "update")
    );

    let after = paragraphs(&w).await;
    assert_eq!(before.len(), after.len());
    let changed: Vec<&str> = before
        .iter()
        .zip(&after)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.0.as_str())
        .collect();
    assert_eq!(changed, [key], "only the edited paragraph changes");
    let (b, a) = before
        .iter()
        .zip(&after)
        .find(|(x, _)| x.0 == key)
        .map(|(x, y)| (&x.1, &y.1))
        .unwrap();
    assert_eq!(*a, b.replace(old, new), "and only that sentence in it");

    // Restore: the default is in force again, and both texts stay in the history.
    templates::save(&w.app.db, ctx, key, None, 1)
        .await
        .expect("restore default");
    assert_eq!(paragraphs(&w).await, before);
    let list = templates::list(&w.app.db, ctx).await.unwrap();
    let t = list.iter().find(|t| t.key == key).unwrap();
    assert_eq!((t.is_default, t.row_version), (true, 2));
    let h = templates::history(&w.app.db, ctx, key).await.unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!((h[0].version, h[0].body.is_none()), (2, true));
    assert!(h[1].body.as_deref().unwrap().contains(new));
    assert_eq!(w.app.last_audit().await.action, "restore_default");

    // A restore or save from the page as it was before (version 1) is refused.
    let stale = templates::save(&w.app.db, ctx, key, Some("本期工作平稳。"), 1).await;
    match stale {
        Err(DbError::Conflict(m)) => assert!(m.contains("已被他人修改"), "{m}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn a_broken_template_is_refused_with_its_name_and_line_and_the_old_text_stays() {
    let w = world().await;
    let ctx = &w.supervisor.ctx;
    let key = "part1.duty";
    let kept = "按照要求履行行业监管责任。\n共开会{{ fig('safety_meetings') }}次。";
    templates::save(&w.app.db, ctx, key, Some(kept), 0)
        .await
        .unwrap();
    let audits = w.app.audit_count().await;

    // A syntax error: the message names the template by its heading and the line.
    let m = invalid_message(
        templates::save(
            &w.app.db,
            ctx,
            key,
            Some("第一行\n{% if hazards_open > 0 %}未闭合"),
            1,
        )
        .await
        .unwrap_err(),
    );
    assert!(
        m.starts_with("模板“（一）认真落实考核管理，履行部门监管职责”第2行语法错误"),
        "{m}"
    );
    // Compiles, but fails where a register is not kept (null + null).
    let m = invalid_message(
        templates::save(
            &w.app.db,
            ctx,
            key,
            Some("共开展活动{{ publicity_events + trainings }}场。"),
            1,
        )
        .await
        .unwrap_err(),
    );
    assert!(m.contains("第1行运算无效"), "{m}");
    assert!(m.ends_with("（按未建立台账的期间的数据试生成时）"), "{m}");
    // A figure that does not exist, and a name that does not exist.
    let m = invalid_message(
        templates::save(&w.app.db, ctx, key, Some("{{ fig('inspectionz') }}"), 1)
            .await
            .unwrap_err(),
    );
    assert!(m.contains("没有名为“inspectionz”的统计数字"), "{m}");
    let m = invalid_message(
        templates::save(&w.app.db, ctx, key, Some("{{ inspectionz }}"), 1)
            .await
            .unwrap_err(),
    );
    assert!(m.contains("使用了不存在的名称"), "{m}");
    // A template may not reach other templates or files.
    let m = invalid_message(
        templates::save(&w.app.db, ctx, key, Some("{% include '/etc/passwd' %}"), 1)
            .await
            .unwrap_err(),
    );
    assert!(m.contains("不允许引用其他模板"), "{m}");

    // Nothing was saved or audited; the text in force is the one saved before.
    assert_eq!(w.app.audit_count().await, audits);
    let t = templates::list(&w.app.db, ctx)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.key == key)
        .unwrap();
    assert_eq!((t.body.as_str(), t.row_version), (kept, 1));
    assert_eq!(
        templates::history(&w.app.db, ctx, key).await.unwrap().len(),
        1
    );

    // The page answers 422 with the message and the text as typed, never a 500.
    let login = w.app.login_as(&w.supervisor.user).await;
    let res = w
        .app
        .post(
            "/reports/templates",
            &login,
            &[
                ("key", key),
                ("row_version", "1"),
                ("body", "第一行\n{% if hazards_open > 0 %}未闭合"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    assert!(html.contains("第2行语法错误"), "{html}");
    assert!(html.contains("未闭合"));
    assert!(html.contains("原有措辞保持不变"));
    // A stale form is 409; an unknown template 404.
    let res = w
        .app
        .post(
            "/reports/templates",
            &login,
            &[("key", key), ("row_version", "0"), ("body", "本期平稳。")],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let res = w
        .app
        .post(
            "/reports/templates",
            &login,
            &[("key", "part9"), ("row_version", "0"), ("body", "x")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // A good save from the page redirects back to it.
    let res = w
        .app
        .post(
            "/reports/templates",
            &login,
            &[("key", key), ("row_version", "1"), ("body", "本期平稳。")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let page = w.app.get("/reports/templates", &login).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("fig(&#34;inspections&#34;)") || html.contains("fig(\"inspections\")"));
    assert!(html.contains("【80|inspections】"));
    assert!(html.contains("本期平稳。"));
    // Restore default from the page.
    let res = w
        .app
        .post(
            "/reports/templates/restore",
            &login,
            &[("key", key), ("row_version", "2")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let page = w.app.get(&res.location(), &login).await.text();
    assert!(page.contains("已恢复默认措辞"));
    let t = templates::list(&w.app.db, ctx)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.key == key)
        .unwrap();
    assert_eq!((t.is_default, t.row_version), (true, 3));
}

#[tokio::test]
async fn markup_in_a_template_reaches_pages_escaped_and_only_settings_holders_edit() {
    let w = world().await;
    let ctx = &w.supervisor.ctx;
    templates::save(
        &w.app.db,
        ctx,
        "opening",
        Some("<script>alert(1)</script>{{ org_name }}开头。"),
        0,
    )
    .await
    .unwrap();
    let login = w.app.login_as(&w.supervisor.user).await;
    let html = w.app.get("/reports", &login).await.text();
    assert!(!html.contains("<script>alert(1)"));
    // askama writes numeric entities.
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{html}"
    );

    // The officer generates summaries but does not edit the bureau's wording.
    assert!(matches!(
        templates::save(&w.app.db, &w.officer.ctx, "opening", Some("x"), 1).await,
        Err(DbError::Forbidden)
    ));
    let officer = w.app.login_as(&w.officer.user).await;
    assert_eq!(
        w.app.get("/reports/templates", &officer).await.status,
        StatusCode::FORBIDDEN
    );
    // The summary the officer gets uses the bureau's wording too.
    let f = report::figures(&w.app.db, &w.officer.ctx, &year(), None)
        .await
        .unwrap();
    let (s, _) = templates::summary(&w.app.db, &w.officer.ctx, &f)
        .await
        .unwrap();
    assert!(s.plain().starts_with("<script>alert(1)</script>"));
}

#[tokio::test]
async fn a_stored_template_that_fails_on_real_figures_falls_back_to_its_default() {
    let w = world().await;
    let ctx = &w.supervisor.ctx;
    // Written past the check (an old release's data, a direct edit): divides by inspections,
    // which are 0 in this dataset.
    w.app
        .db
        .execute(
            &anjian_db::Q::new(
                "INSERT INTO report_template (template_key, body, row_version, updated_at, \
                 updated_by_name) VALUES ('part1.fire_flood', $1, 1, $2, '')",
            )
            .bind("每次检查{{ 10 // inspections }}项。")
            .bind(anjian_db::now()),
        )
        .await
        .unwrap();
    let f = report::figures(&w.app.db, ctx, &year(), None)
        .await
        .unwrap();
    assert_eq!(f.inspections, 0);
    let (s, warnings) = templates::summary(&w.app.db, ctx, &f).await.unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].starts_with("模板“（四）做好防汛减灾准备，抓好消防安全工作”"),
        "{warnings:?}"
    );
    assert!(s
        .plain()
        .contains("本期系统中未登记消防安全专项行动的检查记录。"));
    let login = w.app.login_as(&w.supervisor.user).await;
    let res = w.app.get("/reports", &login).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text().contains("本段已改用默认措辞"));
}

#[tokio::test]
async fn the_report_command_writes_the_wording_in_force() {
    use anjian_app::cli::{run, Command};
    use anjian_app::config::Config;
    let w = world().await;
    let key = "part1.training";
    templates::save(
        &w.app.db,
        &w.supervisor.ctx,
        key,
        Some(&default_of(key).replace("将安全生产方针政策", "始终将安全生产方针政策")),
        0,
    )
    .await
    .unwrap();
    let out = w.app.dir.join("summary.md");
    let cfg = Config::load(None, Some(w.app.url.clone()), Some(w.app.dir.clone()), None).unwrap();
    run(
        Command::Report {
            period: year().code(),
            org: None,
            format: "md".into(),
            output: Some(out.clone()),
        },
        cfg,
    )
    .await
    .unwrap();
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains("始终将安全生产方针政策"), "{md}");
}
