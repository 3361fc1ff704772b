//! Bad input gets a Chinese message naming the field and a 4xx, on the form (422) and the API.

use axum::http::{Method, StatusCode};
use serde_json::json;

use anjian_db::ledger;
use anjian_db::DbError;
use anjian_domain::ledger::LedgerKind;

use super::*;

fn field_error(r: Result<anjian_db::ledger::Entry, DbError>, field: &str) -> String {
    match r {
        Err(DbError::Invalid(f)) => f
            .get(field)
            .unwrap_or_else(|| panic!("no error on {field}: {f:?}"))
            .to_string(),
        other => panic!("expected a field error on {field}, got {other:?}"),
    }
}

#[tokio::test]
async fn amounts_dates_and_choices_are_checked_with_chinese_messages() {
    let c = cast().await;
    let a = c.f.unit_a.id;
    let ctx = &c.officer.ctx;
    let cases = [
        ("12.345", "金额最多两位小数"),
        ("abc", "金额不是有效数字"),
        ("-5", "金额不能为负数"),
        ("", "金额不能为空"),
    ];
    for (amount, msg) in cases {
        let r = ledger::create(
            &c.app.db,
            ctx,
            LedgerKind::Funding,
            &funding(a, "2023-01-10", amount, "1"),
        )
        .await;
        assert_eq!(field_error(r, "amount"), msg, "{amount}");
    }
    let r = ledger::create(
        &c.app.db,
        ctx,
        LedgerKind::Funding,
        &funding(a, "1989-12-31", "1", "1"),
    )
    .await;
    assert_eq!(
        field_error(r, "entry_date"),
        "投入日期“1989-12-31”超出合理范围（1990年至2099年）"
    );
    let r = ledger::create(
        &c.app.db,
        ctx,
        LedgerKind::Funding,
        &funding(a, "2100-01-01", "1", "1"),
    )
    .await;
    assert!(field_error(r, "entry_date").contains("超出合理范围"));
    let r = ledger::create(
        &c.app.db,
        ctx,
        LedgerKind::Funding,
        &funding(a, "2023-01-10", "1", "11"),
    )
    .await;
    assert!(field_error(r, "category").starts_with("使用类别应为："));
    let r = ledger::create(
        &c.app.db,
        ctx,
        LedgerKind::Training,
        &training(a, "2023-01-10", "1.25", vec![]),
    )
    .await;
    assert_eq!(
        field_error(r, "hours"),
        "学时应为数字，最多一位小数，如 2 或 1.5"
    );
    let mut l = letter(a, "2023-01-10", "23");
    l.signatories.clear();
    let r = ledger::create(&c.app.db, ctx, LedgerKind::Letter, &l).await;
    assert!(
        matches!(&r, Err(DbError::Invalid(f)) if f.get("year") == Some("责任年度应为1990至2099之间的年份") && f.get("signatories") == Some("签订双方不能为空"))
    );
    let mut d = drill(a, "2023-01-10", "onsite");
    d.drill_form = "演习".into();
    let r = ledger::create(&c.app.db, ctx, LedgerKind::Drill, &d).await;
    assert_eq!(
        field_error(r, "drill_form"),
        "演练形式应为：实战演练、桌面演练"
    );
    // Labels are accepted where codes are stored (import sheets carry labels).
    let mut d = drill(a, "2023-01-10", "现场处置方案");
    d.drill_kind = "综合演练".into();
    let e = record(&c.app, ctx, LedgerKind::Drill, &d).await;
    assert_eq!(
        (e.plan_type.as_str(), e.drill_kind.as_str()),
        ("onsite", "comprehensive")
    );
    assert_eq!(e.display("plan_type"), "现场处置方案");
}

#[tokio::test]
async fn the_form_rerenders_with_422_and_the_api_answers_the_error_shape() {
    let c = cast().await;
    let login = c.app.login_as(&c.officer.user).await;
    let a = c.f.unit_a.id.to_string();
    let r = c
        .app
        .post(
            "/ledgers/funding",
            &login,
            &[
                ("org_id", a.as_str()),
                ("entry_date", "2023-01-10"),
                ("category", "1"),
                ("amount", "12.345"),
                ("title", "防护用品"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("金额最多两位小数"));
    assert!(html.contains("value=\"12.345\""), "what was typed is kept");

    let token = c.app.token_for(&c.officer.user).await;
    let body = json!({"kind": "funding", "org_id": c.f.unit_a.id, "entry_date": "2023-01-10", "category": "1", "amount": "abc", "title": "x"});
    let r = c
        .app
        .api(
            Method::POST,
            "/api/v1/ledgers/entries",
            Some(&token),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["fields"]["amount"], "金额不是有效数字");
    let r = c
        .app
        .api(
            Method::POST,
            "/api/v1/ledgers/entries",
            Some(&token),
            Some(json!({"kind": "nope"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"]["kind"]
        .as_str()
        .unwrap()
        .starts_with("台账类型应为"));
    // Money in JSON is text: a float is a type error naming the field.
    let body = json!({"kind": "funding", "amount": 12.3});
    let r = c
        .app
        .api(
            Method::POST,
            "/api/v1/ledgers/entries",
            Some(&token),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["fields"].get("amount").is_some());

    // Created through the API, then a stale PUT is 409 with the Chinese message.
    let body = json!({"kind": "funding", "org_id": c.f.unit_a.id, "entry_date": "2023-01-10", "category": "1", "amount": "1193.00", "title": "防毒面具"});
    let r = c
        .app
        .api(
            Method::POST,
            "/api/v1/ledgers/entries",
            Some(&token),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["amount_fen"], 119_300);
    assert_eq!(r.json()["amount_yuan"], "1193.00");
    let mut put = body.clone();
    put["row_version"] = json!(1);
    put["amount"] = json!("1200.00");
    let path = format!("/api/v1/ledgers/entries/{id}");
    let r = c
        .app
        .api(Method::PUT, &path, Some(&token), Some(put.clone()))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = c.app.api(Method::PUT, &path, Some(&token), Some(put)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["message"], "记录已被他人修改，请刷新后重试");
    let r = c
        .app
        .api(
            Method::GET,
            "/api/v1/ledgers/statistics?period=2023H1",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["funding_fen"], 120_000);
    assert_eq!(r.json()["funding_wan_yuan"], "0.12");
    let r = c
        .app
        .api(
            Method::GET,
            "/api/v1/ledgers/statistics?period=2023H3",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
