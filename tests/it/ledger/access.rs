//! Permissions and scope: the bureau leader reads only; a unit user neither sees nor writes
//! another unit's entries (404, whatever the route).

use axum::http::{Method, StatusCode};

use anjian_db::ledger::{self, LedgerFilter};
use anjian_db::{DbError, PageReq};
use anjian_domain::ledger::LedgerKind;

use super::*;

#[tokio::test]
async fn the_leader_reads_every_ledger_but_records_nothing() {
    let c = cast().await;
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_a.id, "2023-01-10", "10.00", "1"),
    )
    .await;
    let (p, sum) = ledger::list(
        &c.app.db,
        &c.leader.ctx,
        LedgerKind::Funding,
        &LedgerFilter::default(),
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!((p.total, sum), (1, 1000));
    let e = ledger::create(
        &c.app.db,
        &c.leader.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_a.id, "2023-01-10", "10.00", "1"),
    )
    .await;
    assert!(matches!(e, Err(DbError::Forbidden)));

    let login = c.app.login_as(&c.leader.user).await;
    assert_eq!(
        c.app.get("/ledgers/funding", &login).await.status,
        StatusCode::OK
    );
    assert_eq!(c.app.get("/ledgers", &login).await.status, StatusCode::OK);
    let r = c
        .app
        .post(
            "/ledgers/funding",
            &login,
            &[("org_id", "1"), ("entry_date", "2023-01-01")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        c.app.get("/ledgers/funding/new", &login).await.status,
        StatusCode::FORBIDDEN
    );
    let token = c.app.token_for(&c.leader.user).await;
    let r = c
        .app
        .api(
            Method::POST,
            "/api/v1/ledgers/entries",
            Some(&token),
            Some(serde_json::json!({"kind": "funding"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_unit_user_cannot_see_or_write_another_units_entries() {
    let c = cast().await;
    let theirs = record(
        &c.app,
        &c.officer_b.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_b.id, "2023-01-10", "10.00", "1"),
    )
    .await;
    let mine = record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_a.id, "2023-01-10", "20.00", "1"),
    )
    .await;
    let (p, sum) = ledger::list(
        &c.app.db,
        &c.officer.ctx,
        LedgerKind::Funding,
        &LedgerFilter::default(),
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(
        p.items.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![mine.id]
    );
    assert_eq!(sum, 2000);
    // Recording for unit B is refused on the field, not written.
    match ledger::create(
        &c.app.db,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_b.id, "2023-01-10", "1.00", "1"),
    )
    .await
    {
        Err(DbError::Invalid(f)) => assert_eq!(f.get("org_id"), Some("单位不存在或不在管辖范围内")),
        other => panic!("{other:?}"),
    }

    let login = c.app.login_as(&c.officer.user).await;
    let id = theirs.id;
    for path in [
        format!("/ledgers/entries/{id}"),
        format!("/ledgers/entries/{id}/edit"),
    ] {
        assert_eq!(
            c.app.get(&path, &login).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let v = theirs.row_version.to_string();
    let r = c
        .app
        .post(
            &format!("/ledgers/entries/{id}/delete"),
            &login,
            &[("row_version", v.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c
        .app
        .post(
            &format!("/ledgers/entries/{id}"),
            &login,
            &[("row_version", v.as_str()), ("org_id", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let token = c.app.token_for(&c.officer.user).await;
    let r = c
        .app
        .api(
            Method::GET,
            &format!("/api/v1/ledgers/entries/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c
        .app
        .api(
            Method::DELETE,
            &format!("/api/v1/ledgers/entries/{id}?row_version={v}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Still there for its own unit.
    assert!(ledger::get(&c.app.db, &c.officer_b.ctx, id).await.is_ok());
}
