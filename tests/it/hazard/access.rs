//! Scope: a unit user never sees or changes another unit's hazards — ledger, detail, every
//! action, the notice, the export, the API and the hazard's photos. Changes leave nothing behind.

use axum::http::{Method, StatusCode};
use serde_json::json;

use anjian_db::hazard;
use anjian_db::Q;

use super::*;

/// Unit B's hazard with a before-photo, as its officer registered it.
async fn b_hazard(w: &World) -> (Hazard, i64) {
    let photo = attachment(&w.app, w.f.site_b.id).await;
    let mut i = input(w.f.site_b.id, "乙单位专有隐患描述", -3, 4);
    i.before_attachment_ids = vec![photo];
    let h = hazard::create(&w.app.db, &w.officer_b.ctx, &i)
        .await
        .unwrap();
    (h, photo)
}

#[tokio::test]
async fn pages_never_show_or_change_another_units_hazard() {
    let w = world().await;
    let (hb, photo) = b_hazard(&w).await;
    register(&w.app, &w.officer, w.f.site_a.id, "甲单位自己的隐患", -1, 3).await;
    let a = w.app.login_as(&w.head.user).await;

    let res = w.app.get("/hazards", &a).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text().contains("甲单位自己的隐患"));
    assert!(!res.text().contains("乙单位专有隐患描述"));
    for q in [
        format!("/hazards?ids={}", hb.id),
        format!("/hazards?org_id={}", w.f.unit_b.id),
        "/hazards?keyword=乙单位专有".to_string(),
    ] {
        let res = w.app.get(&q, &a).await;
        assert_eq!(res.status, StatusCode::OK, "{q}");
        assert!(!res.text().contains("乙单位专有隐患描述"), "{q}");
    }
    for path in [
        format!("/hazards/{}", hb.id),
        format!("/hazards/{}/edit", hb.id),
        format!("/hazards/notice?org_id={}", w.f.unit_b.id),
        format!("/hazards/notice?org_id={}", w.f.site_b.id),
        format!("/attachments/{photo}"),
        format!("/attachments/{photo}/thumb"),
    ] {
        assert_eq!(
            w.app.get(&path, &a).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let audits_before = w.app.audit_count().await;
    let v = hb.row_version.to_string();
    let today = ds(0);
    let steps: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "",
            vec![
                ("description", "越权修改"),
                ("org_id", "1"),
                ("row_version", &v),
            ],
        ),
        (
            "/assign",
            vec![
                ("owner", "x"),
                ("measures", "y"),
                ("funds", "0"),
                ("row_version", &v),
            ],
        ),
        (
            "/submit",
            vec![("rectified_on", &today), ("row_version", &v)],
        ),
        ("/verify", vec![("row_version", &v)]),
        ("/reject", vec![("reason", "越权"), ("row_version", &v)]),
        (
            "/extension",
            vec![
                ("new_deadline", "2099-01-01"),
                ("reason", "x"),
                ("row_version", &v),
            ],
        ),
        (
            "/extension/decide",
            vec![("decision", "approve"), ("row_version", &v)],
        ),
        ("/plan", vec![("objectives", "x"), ("row_version", &v)]),
        (
            "/report",
            vec![
                ("current_state", "x"),
                ("harm_analysis", "y"),
                ("row_version", &v),
            ],
        ),
    ];
    for (suffix, form) in steps {
        let path = format!("/hazards/{}{suffix}", hb.id);
        let res = w.app.post(&path, &a, &form).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.text());
    }
    // The bureau-only actions, by a bureau supervisor of another bureau's tree, are covered by
    // routes_walk; here: unit A's head cannot list or lift at all.
    for suffix in ["/listing", "/lift"] {
        let path = format!("/hazards/{}{suffix}", hb.id);
        let res = w.app.post(&path, &a, &[("row_version", &v)]).await;
        assert!(
            matches!(res.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
            "{path}"
        );
    }
    assert_eq!(w.app.audit_count().await, audits_before, "nothing recorded");
    let after = row(&w.app, hb.id).await;
    assert_eq!(after.row_version, hb.row_version);
    assert_eq!(after.description, "乙单位专有隐患描述");
    assert_eq!(events(&w.app, hb.id).await, ["registered"]);

    // The export holds unit A's rows only (its audit entry says how many).
    let res = w.app.get("/hazards/export", &a).await;
    assert_eq!(res.status, StatusCode::OK);
    let e = w.app.last_audit().await;
    assert_eq!((e.entity.as_str(), e.action.as_str()), ("hazard", "export"));
    let after: serde_json::Value = serde_json::from_str(e.after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after["rows"], 1);
}

#[tokio::test]
async fn the_api_never_shows_or_changes_another_units_hazard() {
    let w = world().await;
    let (hb, photo) = b_hazard(&w).await;
    let ha = register(&w.app, &w.officer, w.f.site_a.id, "甲", -1, 3).await;
    let token = w.app.token_for(&w.head.user).await;
    let t = Some(token.as_str());

    let res = w.app.api(Method::GET, "/api/v1/hazards", t, None).await;
    assert_eq!(res.status, StatusCode::OK);
    let got: Vec<i64> = res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, [ha.id]);
    let res = w
        .app
        .api(
            Method::GET,
            &format!("/api/v1/hazards?ids={},{}", hb.id, ha.id),
            t,
            None,
        )
        .await;
    assert_eq!(res.json()["total"], 1);
    for path in [
        format!("/api/v1/hazards/{}", hb.id),
        format!("/api/v1/hazards/notice?org_id={}", w.f.unit_b.id),
        format!("/api/v1/attachments/{photo}"),
    ] {
        let res = w.app.api(Method::GET, &path, t, None).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
    }
    let audits_before = w.app.audit_count().await;
    let v = hb.row_version;
    let res = w
        .app
        .api(
            Method::PUT,
            &format!("/api/v1/hazards/{}", hb.id),
            t,
            Some(json!({"row_version": v, "org_id": w.f.site_a.id, "description": "越权", "grade": "general",
                        "found_on": ds(-1), "deadline": ds(3)})),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    for (suffix, body) in [
        (
            "assign",
            json!({"row_version": v, "owner": "x", "measures": "y", "funds": "0"}),
        ),
        (
            "submit",
            json!({"row_version": v, "rectified_on": ds(0), "after_attachment_ids": [photo]}),
        ),
        ("verify", json!({"row_version": v})),
        ("reject", json!({"row_version": v, "reason": "x"})),
        (
            "extensions",
            json!({"row_version": v, "new_deadline": ds(30), "reason": "x"}),
        ),
        (
            "extensions/decide",
            json!({"row_version": v, "decision": "approve"}),
        ),
        ("plan", json!({"row_version": v, "objectives": "x"})),
        (
            "report",
            json!({"row_version": v, "current_state": "x", "harm_analysis": "y"}),
        ),
    ] {
        let path = format!("/api/v1/hazards/{}/{suffix}", hb.id);
        let res = w.app.api(Method::POST, &path, t, Some(body)).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.text());
        assert_eq!(res.json()["code"], "not_found");
    }
    // Unit A cannot take unit B's photo as its own evidence either.
    let mut i = input(w.f.site_a.id, "借用照片", 0, 1);
    i.before_attachment_ids = vec![photo];
    let res = w
        .app
        .api(
            Method::POST,
            "/api/v1/hazards",
            t,
            Some(serde_json::to_value(&i).unwrap()),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["fields"]["before_attachment_ids"].is_string());
    assert_eq!(w.app.audit_count().await, audits_before);
    assert_eq!(row(&w.app, hb.id).await.row_version, hb.row_version);
    let (links,): (i64,) = w
        .app
        .db
        .fetch_one(
            &Q::new("SELECT COUNT(*) FROM hazard_attachment WHERE attachment_id = $1").bind(photo),
        )
        .await
        .unwrap();
    assert_eq!(links, 1, "still only unit B's hazard");
}
