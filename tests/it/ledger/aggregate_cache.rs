//! The kept aggregates of the funding list's total and the period statistics (`cache`, migration
//! 0017): figures stay right after every kind of ledger write, a second handle on the same
//! database invalidates the first handle's results, a hand-written UPDATE bumps the generation,
//! and a result is really served from the cache while the generation stands still.

use anjian_db::ledger::{self, LedgerFilter};
use anjian_db::{Db, PageReq, Q};
use anjian_domain::period::Period;

use super::*;
use crate::cache::soon;

/// What the cache holds, as the pages show it to the bureau's supervisor: the funding list's
/// count and total (分), and the year's statistics (funding, funding of category 5, trainings,
/// their 学时 in tenths, unit A's funding).
#[derive(Debug, PartialEq, Eq)]
struct Figures {
    funding_count: i64,
    funding_total: i64,
    stats_funding: i64,
    stats_category_5: i64,
    trainings: i64,
    hours_tenths: i64,
    unit_a_funding: i64,
}

async fn figures(db: &Db, c: &Cast) -> Figures {
    let ctx = &c.supervisor.ctx;
    let p = ledger::search(
        db,
        ctx,
        LedgerKind::Funding,
        &LedgerFilter::default(),
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    let s = ledger::statistics(db, ctx, &Period::year(2023).unwrap(), None)
        .await
        .unwrap();
    Figures {
        funding_count: p.page.total,
        funding_total: p.amount_fen_total,
        stats_funding: s.funding_fen,
        stats_category_5: s
            .funding_by_category
            .iter()
            .find(|f| f.code == "5")
            .map_or(0, |f| f.fen),
        trainings: s.trainings,
        hours_tenths: s.training_hours_tenths,
        unit_a_funding: s
            .by_unit
            .iter()
            .find(|u| u.org_id == c.f.unit_a.id)
            .map_or(0, |u| u.funding_fen),
    }
}

/// Figures of funding only (no trainings), unit A's share given.
fn money(count: i64, total: i64, category_5: i64, unit_a: i64) -> Figures {
    Figures {
        funding_count: count,
        funding_total: total,
        stats_funding: total,
        stats_category_5: category_5,
        trainings: 0,
        hours_tenths: 0,
        unit_a_funding: unit_a,
    }
}

#[tokio::test]
async fn figures_are_right_after_create_update_delete_and_import() {
    let c = cast().await;
    let db = &c.app.db;
    assert_eq!(figures(db, &c).await, money(0, 0, 0, 0));

    // Create: 100.00 元 of category 5 at site A (unit A), 50.50 元 of category 3 at unit B.
    let a1 = record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.site_a.id, "2023-03-01", "100.00", "5"),
    )
    .await;
    assert_eq!(figures(db, &c).await, money(1, 10_000, 10_000, 10_000));
    let b1 = record(
        &c.app,
        &c.officer_b.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_b.id, "2023-05-01", "50.50", "3"),
    )
    .await;
    assert_eq!(figures(db, &c).await, money(2, 15_050, 10_000, 10_000));

    // Update of the amount: 100.00 → 120.00.
    ledger::update(
        db,
        &c.officer.ctx,
        a1.id,
        a1.row_version,
        &funding(c.f.site_a.id, "2023-03-01", "120.00", "5"),
    )
    .await
    .unwrap();
    assert_eq!(figures(db, &c).await, money(2, 17_050, 12_000, 12_000));

    // Soft delete of unit B's entry.
    ledger::delete(db, &c.officer_b.ctx, b1.id, b1.row_version)
        .await
        .unwrap();
    assert_eq!(figures(db, &c).await, money(1, 12_000, 12_000, 12_000));

    // Import of two rows for unit A: 30.00 元 (category 5) and 20.00 元 (category 1). A preview
    // first, which writes nothing and changes no figure.
    let a = c.f.unit_a.name.clone();
    let cells: Vec<(usize, Vec<String>)> = [
        [a.as_str(), "2023-04-01", "5", "30.00", "防护用品", ""],
        [a.as_str(), "2023-06-30", "1", "20.00", "隐患整改", ""],
    ]
    .iter()
    .enumerate()
    .map(|(i, r)| (i + 2, r.iter().map(|s| s.to_string()).collect()))
    .collect();
    for commit in [false, true] {
        ledger::import_rows(db, &c.officer.ctx, LedgerKind::Funding, &cells, commit)
            .await
            .unwrap()
            .unwrap();
    }
    assert_eq!(figures(db, &c).await, money(3, 17_000, 15_000, 17_000));

    // A training: counted by the statistics, not by the funding list.
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Training,
        &training(c.f.site_a.id, "2023-02-01", "2.5", vec![]),
    )
    .await;
    let f = figures(db, &c).await;
    assert_eq!((f.trainings, f.hours_tenths), (1, 25));
    assert_eq!((f.funding_count, f.funding_total), (3, 17_000));
}

#[tokio::test]
async fn a_write_through_another_handle_is_seen_by_this_one() {
    let c = cast().await;
    let a = &c.app.db;
    // Handle B: its own pools on the same SQLite file or PostgreSQL schema, as a second
    // instance of anjian (or the CLI) would have.
    let b = Db::connect(&c.app.url).await.expect("second handle");
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_a.id, "2023-03-01", "10.00", "5"),
    )
    .await;
    assert_eq!(figures(a, &c).await, money(1, 1_000, 1_000, 1_000));
    // Read through A (cached there), write through B, read through A.
    let e = ledger::create(
        &b,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.site_a.id, "2023-07-01", "2.00", "5"),
    )
    .await
    .unwrap();
    // B's commit reaches A with the database's notification on PostgreSQL (`cache::soon`).
    assert!(soon(|| async { figures(a, &c).await == money(2, 1_200, 1_200, 1_200) }).await);
    ledger::delete(&b, &c.officer.ctx, e.id, e.row_version)
        .await
        .unwrap();
    assert!(soon(|| async { figures(a, &c).await == money(1, 1_000, 1_000, 1_000) }).await);
    // And the other way round: B's own cached figures follow A's writes.
    assert_eq!(figures(&b, &c).await, money(1, 1_000, 1_000, 1_000));
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_a.id, "2023-08-01", "5.00", "1"),
    )
    .await;
    assert!(soon(|| async { figures(&b, &c).await == money(2, 1_500, 1_000, 1_500) }).await);
    b.close().await;
}

#[tokio::test]
async fn results_are_served_from_the_cache_while_the_generation_stands() {
    let c = cast().await;
    let db = &c.app.db;
    let e = record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_a.id, "2023-03-01", "10.00", "5"),
    )
    .await;
    assert_eq!(figures(db, &c).await, money(1, 1_000, 1_000, 1_000));
    // A hand-written UPDATE bumps the ledger generation by itself (the trigger of migration 0017).
    let before = generation(db).await;
    db.execute(&Q::new("UPDATE ledger_entry SET amount_fen = 7700 WHERE id = $1").bind(e.id))
        .await
        .unwrap();
    assert!(generation(db).await > before);
    // Deliberately wrong: the generation is put back, as no write may do. The same handle still
    // answers the old figures, which proves they come from its cache; a fresh handle (empty
    // cache) sees the new amount, which proves the database did change.
    db.execute(&Q::new("UPDATE cache_generation SET n = $1 WHERE topic = 'ledger'").bind(before))
        .await
        .unwrap();
    assert_eq!(figures(db, &c).await, money(1, 1_000, 1_000, 1_000));
    let fresh = Db::connect(&c.app.url).await.expect("second handle");
    assert_eq!(figures(&fresh, &c).await, money(1, 7_700, 7_700, 7_700));
    fresh.close().await;
    // A normal write bumps the generation: everything is read again, the hidden change too.
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Funding,
        &funding(c.f.unit_a.id, "2023-04-01", "3.00", "1"),
    )
    .await;
    assert_eq!(figures(db, &c).await, money(2, 8_000, 7_700, 8_000));
}

async fn generation(db: &Db) -> i64 {
    let (n,): (i64,) = db
        .fetch_one(&Q::new(
            "SELECT n FROM cache_generation WHERE topic = 'ledger'",
        ))
        .await
        .unwrap();
    n
}

/// The other lists keep their capped count too (and a keyword's organisations and window): a
/// keyword search's count follows another instance's new entry, and is served kept while the
/// generation stands still.
#[tokio::test]
async fn a_keyword_search_count_follows_writes_and_is_kept() {
    let c = cast().await;
    let db = &c.app.db;
    let count = |db: Db| {
        let ctx = c.supervisor.ctx.clone();
        async move {
            let f = LedgerFilter {
                keyword: Some(" 宣传 ".into()),
                ..Default::default()
            };
            ledger::search(
                &db,
                &ctx,
                LedgerKind::Publicity,
                &f,
                PageReq::new(None, None),
            )
            .await
            .unwrap()
            .page
            .total
        }
    };
    record(
        &c.app,
        &c.officer.ctx,
        LedgerKind::Publicity,
        &publicity(c.f.unit_a.id, "2023-06-01"),
    )
    .await;
    assert_eq!(count(db.clone()).await, 1);
    let b = Db::connect(&c.app.url).await.expect("second handle");
    let e = ledger::create(
        &b,
        &c.officer.ctx,
        LedgerKind::Publicity,
        &publicity(c.f.site_a.id, "2023-06-02"),
    )
    .await
    .unwrap();
    b.close().await;
    assert!(soon(|| async { count(db.clone()).await == 2 }).await);
    // Retitled behind the cache's back (its generation put back): this handle still counts it,
    // a fresh one does not.
    let before = generation(db).await;
    db.execute(&Q::new("UPDATE ledger_entry SET title = '消防演练' WHERE id = $1").bind(e.id))
        .await
        .unwrap();
    db.execute(&Q::new("UPDATE cache_generation SET n = $1 WHERE topic = 'ledger'").bind(before))
        .await
        .unwrap();
    assert_eq!(count(db.clone()).await, 2);
    let fresh = Db::connect(&c.app.url).await.expect("fresh handle");
    assert_eq!(count(fresh.clone()).await, 1);
    fresh.close().await;
}
