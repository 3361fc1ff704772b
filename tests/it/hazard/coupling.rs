//! A hazard found at a risk point (issue 4 §5), the hazard side: registration — directly, by an
//! inspection's failed item, through the form and the API — stores the point after checking it
//! in the same transaction (active, of the hazard's organisation or below it, in scope), editing
//! may change it by the same checks, the page and the API show it, and the risk side sees the
//! point raised while the hazard is open.

use axum::http::{Method, StatusCode};
use serde_json::json;

use anjian_db::inspection;
use anjian_db::org::Org;
use anjian_db::risk::{self, PointInput, RiskPoint};
use anjian_db::{DbError, Q};

use super::*;

async fn point(app: &TestApp, who: &Person, org: &Org, name: &str) -> RiskPoint {
    let input = PointInput {
        org_id: Some(org.id),
        kind: "place".into(),
        name: name.into(),
        location: "库区东侧".into(),
        responsible_name: "王保管".into(),
        emergency_measures: "立即停止作业，撤离人员".into(),
        report_phone: "0591-12345678".into(),
        ..Default::default()
    };
    risk::create_point(&app.db, &who.ctx, &input)
        .await
        .expect("create point")
}

async fn elevated(app: &TestApp, point_id: i64) -> bool {
    risk::get_point(&app.db, &Ctx::system("test"), point_id)
        .await
        .expect("point")
        .point
        .elevated
}

/// Rows of everything a registration writes.
async fn written(app: &TestApp) -> [i64; 3] {
    let mut out = [0; 3];
    for (i, t) in ["hazard", "hazard_event", "audit_log"].iter().enumerate() {
        let (n,): (i64,) = app
            .db
            .fetch_one(&Q::new(&format!("SELECT COUNT(*) FROM {t}")))
            .await
            .unwrap();
        out[i] = n;
    }
    out
}

fn at(org_id: i64, point: Option<i64>) -> HazardInput {
    HazardInput {
        risk_point_id: point,
        ..input(org_id, "配电箱门未关闭", -1, 6)
    }
}

fn refusal(r: Result<Hazard, DbError>) -> (String, String) {
    match r {
        Err(DbError::Invalid(f)) => f.0.first().cloned().expect("a field"),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_hazard_at_a_point_of_its_site_is_stored_shown_audited_and_raises_the_point() {
    let w = world().await;
    let db = &w.app.db;
    let p = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业区").await;
    assert!(!elevated(&w.app, p.id).await);

    let h = hazard::create(db, &w.officer.ctx, &at(w.f.site_a.id, Some(p.id)))
        .await
        .unwrap();
    assert_eq!(h.risk_point_id, Some(p.id));
    let d = hazard::get(db, &w.officer.ctx, h.id).await.unwrap();
    assert_eq!(d.risk_point_name.as_deref(), Some("熏蒸作业区"));
    let audit = w.app.last_audit().await;
    assert_eq!(
        (audit.entity.as_str(), audit.action.as_str()),
        ("hazard", "create")
    );
    let after: serde_json::Value = serde_json::from_str(&audit.after_json.unwrap()).unwrap();
    assert_eq!(after["risk_point_id"], p.id);

    // The risk side: raised while the hazard is open.
    assert!(elevated(&w.app, p.id).await);

    // A unit's hazard may name a point of one of its sites.
    let u = hazard::create(db, &w.officer.ctx, &at(w.f.unit_a.id, Some(p.id)))
        .await
        .unwrap();
    assert_eq!(u.risk_point_id, Some(p.id));

    // Editing may change the point (here: remove it), audited before and after.
    let e = hazard::update(
        db,
        &w.officer.ctx,
        h.id,
        h.row_version,
        &at(w.f.site_a.id, None),
    )
    .await
    .unwrap();
    assert_eq!(e.risk_point_id, None);
    let audit = w.app.last_audit().await;
    let before: serde_json::Value = serde_json::from_str(&audit.before_json.unwrap()).unwrap();
    assert_eq!(before["risk_point_id"], p.id);
}

#[tokio::test]
async fn a_point_elsewhere_stopped_or_unknown_is_refused_on_its_field_and_nothing_is_written() {
    let w = world().await;
    let db = &w.app.db;
    let head_b = person(&w.app, "head_b", Role::UnitHead, &w.f.unit_b).await;
    let own = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业区").await;
    let of_unit = point(&w.app, &w.head, &w.f.unit_a, "危化品库").await;
    let foreign = point(&w.app, &head_b, &w.f.site_b, "乙库点配电室").await;
    let stopped = point(&w.app, &w.head, &w.f.site_a, "旧烘干塔").await;
    risk::set_point_active(db, &w.head.ctx, stopped.id, stopped.row_version, false)
        .await
        .unwrap();
    let before = written(&w.app).await;

    let cases = [
        // Unit B's point is outside unit A's scope: it reads as absent.
        (&w.officer, foreign.id, "风险点不存在"),
        (&w.officer, 9_999_999, "风险点不存在"),
        // The bureau sees both units, but the point is not the site's.
        (&w.supervisor, foreign.id, "风险点不属于隐患所在单位/库点"),
        // A site's hazard never names a point of its unit.
        (&w.officer, of_unit.id, "风险点不属于隐患所在单位/库点"),
        (&w.officer, stopped.id, "风险点已停用"),
    ];
    for (who, pid, message) in cases {
        let (field, m) = refusal(hazard::create(db, &who.ctx, &at(w.f.site_a.id, Some(pid))).await);
        assert_eq!(field, "risk_point_id");
        assert!(m.starts_with(message), "{pid}: {m}");
    }
    assert_eq!(written(&w.app).await, before, "nothing written");

    // An inspection's failed item goes through the same registration.
    let lib = crate::inspection::library(&w.app, "仓储安全检查表（风险点）").await;
    let mut i = crate::inspection::input(
        w.f.site_a.id,
        "self_check",
        &ds(-1),
        &lib,
        &["fail", "pass", "pass"],
    );
    i.items[0].hazard.as_mut().unwrap().risk_point_id = Some(foreign.id);
    let before = written(&w.app).await;
    match inspection::create(db, &w.officer.ctx, &i).await {
        Err(DbError::Invalid(f)) => {
            assert_eq!(f.0[0].0, "items[0].hazard.risk_point_id", "{f:?}");
            assert!(f.0[0].1.contains("风险点不存在"), "{f:?}");
        }
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(written(&w.app).await, before, "nothing written");
    i.items[0].hazard.as_mut().unwrap().risk_point_id = Some(own.id);
    let id = inspection::create(db, &w.officer.ctx, &i).await.unwrap();
    let (stored,): (Option<i64>,) = db
        .fetch_one(&Q::new("SELECT risk_point_id FROM hazard WHERE inspection_id = $1").bind(id))
        .await
        .unwrap();
    assert_eq!(stored, Some(own.id));

    // Editing: another organisation's point is refused; the linked point may be kept once
    // stopped, but a stopped one cannot be newly chosen.
    let h = hazard::create(db, &w.officer.ctx, &at(w.f.site_a.id, Some(own.id)))
        .await
        .unwrap();
    let (field, _) = refusal(
        hazard::update(
            db,
            &w.supervisor.ctx,
            h.id,
            h.row_version,
            &at(w.f.site_a.id, Some(foreign.id)),
        )
        .await,
    );
    assert_eq!(field, "risk_point_id");
    assert_eq!(row(&w.app, h.id).await.risk_point_id, Some(own.id));
    let own_now = risk::get_point(db, &w.head.ctx, own.id)
        .await
        .unwrap()
        .point;
    risk::set_point_active(db, &w.head.ctx, own.id, own_now.row_version, false)
        .await
        .unwrap();
    let kept = hazard::update(
        db,
        &w.officer.ctx,
        h.id,
        h.row_version,
        &at(w.f.site_a.id, Some(own.id)),
    )
    .await
    .unwrap();
    assert_eq!(kept.risk_point_id, Some(own.id));
    let (_, m) = refusal(
        hazard::update(
            db,
            &w.officer.ctx,
            h.id,
            kept.row_version,
            &at(w.f.site_a.id, Some(stopped.id)),
        )
        .await,
    );
    assert_eq!(m, "风险点已停用");
}

#[tokio::test]
async fn the_form_offers_the_chosen_sites_points_and_the_page_links_the_point() {
    let w = world().await;
    let head_b = person(&w.app, "head_b", Role::UnitHead, &w.f.unit_b).await;
    let own = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业区").await;
    let foreign = point(&w.app, &head_b, &w.f.site_b, "乙库点配电室").await;
    let officer = w.app.login_as(&w.officer.user).await;
    let supervisor = w.app.login_as(&w.supervisor.user).await;
    let site = w.f.site_a.id.to_string();

    // No organisation chosen yet (the bureau's own is not offered): the field and a hint.
    let page = w.app.get("/hazards/new", &supervisor).await.text();
    assert!(page.contains("name=\"risk_point_id\""));
    assert!(page.contains("请先选择单位/库点"));
    assert!(!page.contains("熏蒸作业区"));
    // Chosen (here by a link): the site's active points, server-rendered.
    let page = w
        .app
        .get(&format!("/hazards/new?org_id={site}"), &supervisor)
        .await
        .text();
    assert!(
        page.contains(&format!(
            "<option value=\"{}\">熏蒸作业区（库区东侧）</option>",
            own.id
        )),
        "{page}"
    );
    assert!(!page.contains("乙库点配电室"));

    let (found, deadline) = (ds(-1), ds(6));
    let mut fields = vec![
        ("org_id", site.as_str()),
        ("description", "仓内照明灯具防爆等级不足"),
        ("grade", "general"),
        ("found_on", found.as_str()),
        ("deadline", deadline.as_str()),
    ];
    // The no-JavaScript round trip after changing the organisation: the form again, with the
    // site's points and what was typed, nothing saved.
    let before = written(&w.app).await;
    let mut refresh = fields.clone();
    refresh.push(("refresh_points", "1"));
    let res = w.app.post("/hazards", &supervisor, &refresh).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text().contains("熏蒸作业区"));
    assert!(res.text().contains("仓内照明灯具防爆等级不足"));
    assert_eq!(written(&w.app).await, before);

    // Another site's point: 422 on the field, the form kept, nothing written.
    let foreign_id = foreign.id.to_string();
    let mut bad = fields.clone();
    bad.push(("risk_point_id", foreign_id.as_str()));
    let res = w.app.post("/hazards", &supervisor, &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("风险点不属于隐患所在单位/库点"),
        "{}",
        res.text()
    );
    assert!(
        res.text().contains("熏蒸作业区"),
        "the site's points are offered again"
    );
    assert_eq!(written(&w.app).await, before);

    let own_id = own.id.to_string();
    fields.push(("risk_point_id", own_id.as_str()));
    let res = w.app.post("/hazards", &officer, &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let id: i64 = res
        .location()
        .trim_start_matches("/hazards/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(row(&w.app, id).await.risk_point_id, Some(own.id));
    let page = w.app.get(&format!("/hazards/{id}"), &officer).await.text();
    assert!(page.contains("<dt>关联风险点</dt>"));
    assert!(
        page.contains(&format!(
            "<a href=\"/risk-points/{}\">熏蒸作业区</a>",
            own.id
        )),
        "{page}"
    );
    // The edit form has it selected.
    let page = w
        .app
        .get(&format!("/hazards/{id}/edit"), &officer)
        .await
        .text();
    assert!(
        page.contains(&format!("<option value=\"{}\" selected>", own.id)),
        "{page}"
    );
}

#[tokio::test]
async fn the_api_accepts_and_returns_the_point() {
    let w = world().await;
    let head_b = person(&w.app, "head_b", Role::UnitHead, &w.f.unit_b).await;
    let own = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业区").await;
    let foreign = point(&w.app, &head_b, &w.f.site_b, "乙库点配电室").await;
    let token = w.app.token_for(&w.supervisor.user).await;
    let post = |p: i64| {
        let body = json!({
            "org_id": w.f.site_a.id, "description": "配电室无挡鼠板", "grade": "general",
            "found_on": ds(-2), "deadline": ds(5), "risk_point_id": p
        });
        w.app
            .api(Method::POST, "/api/v1/hazards", Some(&token), Some(body))
    };

    let before = written(&w.app).await;
    let res = post(foreign.id).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = res.json();
    assert!(v["fields"]["risk_point_id"].is_string(), "{v}");
    assert_eq!(written(&w.app).await, before);

    let res = post(own.id).await;
    assert_eq!(res.status, StatusCode::CREATED);
    let v = res.json();
    assert_eq!(v["hazard"]["risk_point_id"], own.id);
    assert_eq!(v["risk_point_name"], "熏蒸作业区");
    let id = v["hazard"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/hazards/{id}");
    let res = w.app.api(Method::GET, &path, Some(&token), None).await;
    assert_eq!(res.json()["hazard"]["risk_point_id"], own.id);
    assert!(elevated(&w.app, own.id).await);
}
