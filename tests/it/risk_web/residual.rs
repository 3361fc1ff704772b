//! The residual assessment through the form and the API: every method, the same rules, shown on
//! the risk page, the register and the notice card.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::*;

fn risk_form<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![
        ("description", "熏蒸散气不彻底进仓"),
        ("factors", "22"),
        ("accident_types", "19"),
        ("method", "lec"),
        ("l", "3"),
        ("e", "6"),
        ("c", "15"),
    ];
    v.extend_from_slice(extra);
    v
}

#[tokio::test]
async fn the_form_assesses_residual_risk_by_ls_and_direct_and_pages_show_it() {
    let w = world().await;
    let app = &w.app;
    let l = login(app, &w.officer).await;
    let p = point(app, &w.officer, w.f.site_a.id, "熏蒸作业").await;
    let path = format!("/risk-points/{}/risks", p.id);

    // The new form offers every method for the residual risk.
    let html = app
        .get(&format!("/risk-points/{}/risks/new", p.id), &l)
        .await
        .text();
    for m in ["lec", "ls", "direct"] {
        assert!(
            html.contains(&format!("name=\"residual_method\" value=\"{m}\"")),
            "{m}"
        );
    }
    assert!(html.contains("name=\"residual_ls_s\""));
    assert!(html.contains("name=\"residual_reason\""));

    // Computed without saving, like the inherent result.
    let res = app
        .post(
            &path,
            &l,
            &risk_form(&[
                ("residual_method", "ls"),
                ("residual_ls_l", "2"),
                ("residual_ls_s", "3"),
                ("action", "compute"),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(unescape(&res.text()).contains("R = 2×3 = 6 → 低风险（蓝）"));

    // A bad residual S: 422 naming it as the residual risk's.
    let res = app
        .post(
            &path,
            &l,
            &risk_form(&[
                ("residual_method", "ls"),
                ("residual_ls_l", "2"),
                ("residual_ls_s", "9"),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&res.text()).contains("剩余风险：S（严重性）只能取 1 至 5 的整数"));
    // Direct without a reason.
    let res = app
        .post(&path, &l, &risk_form(&[("residual_method", "direct")]))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&res.text()).contains("剩余风险：直接判定为重大风险时必须写明判定依据"));

    // Saved by LS: the risk page, the register and the card show the residual level.
    let res = app
        .post(
            &path,
            &l,
            &risk_form(&[
                ("residual_method", "ls"),
                ("residual_ls_l", "2"),
                ("residual_ls_s", "3"),
            ]),
        )
        .await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let id = id_in(&res.location(), "/risks/");
    let r = risk::get_risk(&app.db, &w.officer.ctx, id)
        .await
        .unwrap()
        .risk;
    assert_eq!(r.residual_method.as_deref(), Some("ls"));
    assert_eq!((r.residual_l, r.residual_s), (Some(2), Some(3)));
    let page = unescape(&app.get(&format!("/risks/{id}"), &l).await.text());
    assert!(page.contains("风险矩阵法（LS）：R = 2×3 = 6"), "{page}");
    assert!(page.contains("低风险（蓝）"));
    let register = app.get("/risks", &l).await.text();
    assert!(register.contains("剩余</span> <span class=\"risk-badge risk-blue\">低风险"));
    let card = app
        .get(&format!("/risk-points/{}/card", p.id), &l)
        .await
        .text();
    assert!(card.contains("管控后剩余风险：低风险"));

    // The edit form starts from the stored residual assessment; a form of the earlier shape
    // (checkbox + LEC factors) still saves an LEC residual.
    let edit = app.get(&format!("/risks/{id}/edit"), &l).await.text();
    assert!(edit.contains("name=\"residual_method\" value=\"ls\" checked"));
    let rv = r.row_version.to_string();
    let res = app
        .post(
            &format!("/risks/{id}"),
            &l,
            &risk_form(&[
                ("row_version", rv.as_str()),
                ("residual", "1"),
                ("residual_l", "1"),
                ("residual_e", "6"),
                ("residual_c", "7"),
            ]),
        )
        .await;
    assert!(res.status.is_redirection(), "{}", res.text());
    let r = risk::get_risk(&app.db, &w.officer.ctx, id).await.unwrap();
    assert_eq!(r.risk.residual_method.as_deref(), Some("lec"));
    assert_eq!(
        r.versions.len(),
        2,
        "changing the residual assessment is kept as a version"
    );
}

#[tokio::test]
async fn the_api_takes_every_residual_method_and_shows_it_in_versions() {
    let w = world().await;
    let app = &w.app;
    let token = app.token_for(&w.officer.user).await;
    let t = Some(token.as_str());
    let p = point(app, &w.officer, w.f.site_a.id, "熏蒸作业").await;
    let body = |extra: serde_json::Value| {
        let mut b = json!({"risk_point_id": p.id, "description": "磷化氢中毒", "method": "lec",
                           "l": "3", "e": "6", "c": "15"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let res = app
        .api(
            Method::POST,
            "/api/v1/risks",
            t,
            Some(body(json!({"residual_method": "direct"}))),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["fields"]["residual_reason"].is_string());
    let res = app
        .api(
            Method::POST,
            "/api/v1/risks",
            t,
            Some(body(
                json!({"residual_method": "ls", "residual_l": "2", "residual_s": "9"}),
            )),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["fields"]["residual_s"].is_string());
    let res = app
        .api(
            Method::POST,
            "/api/v1/risks",
            t,
            Some(body(
                json!({"residual_method": "direct", "residual_reason": "仍构成重大危险源"}),
            )),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let j = res.json();
    assert_eq!(j["risk"]["residual"]["method"], "direct");
    assert_eq!(j["risk"]["residual"]["level"]["code"], "major");
    assert_eq!(j["risk"]["residual"]["reason"], "仍构成重大危险源");
    assert_eq!(j["versions"][0]["residual_method"], "direct");
    assert_eq!(j["versions"][0]["residual_level"]["code"], "major");
    let res = app
        .api(
            Method::GET,
            &format!("/api/v1/risk-points/{}/card", p.id),
            t,
            None,
        )
        .await;
    assert_eq!(res.json()["risks"][0]["residual_level_label"], "重大风险");
}
