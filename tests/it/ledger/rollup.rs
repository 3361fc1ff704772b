//! The overview and the boards roll the entries up to units by materialised path (one grouped
//! pass per organisation, then the tree in Rust): the edges of that roll-up — a unit with no
//! entries, the bureau's own departments, deactivated organisations, deleted entries, a caller
//! scoped to one unit or one site, and a subtree asked for by id.

use chrono::NaiveDate;

use anjian_db::ledger;
use anjian_db::org::{self, Org, OrgInput};
use anjian_db::Ctx;
use anjian_domain::ledger::LedgerKind;
use anjian_domain::period::Period;
use anjian_testkit::uscc;

use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn add_org(app: &TestApp, kind: &str, parent: &Org, name: &str, code: Option<u32>) -> Org {
    org::create(
        &app.db,
        &Ctx::system("test"),
        &OrgInput {
            kind: kind.into(),
            parent_id: Some(parent.id),
            name: name.into(),
            uscc: code.map(uscc),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

async fn deactivate(app: &TestApp, o: &Org) {
    org::set_active(&app.db, &Ctx::system("test"), o.id, false)
        .await
        .unwrap();
}

/// The cast's tree plus unit C (never records anything), the bureau's own department D (a site
/// directly below the bureau) and unit E whose only site E1 recorded and was then deactivated,
/// with E itself.
struct Tree {
    c: Cast,
    unit_c: Org,
    dept: Org,
    unit_e: Org,
}

async fn tree() -> Tree {
    let c = cast().await;
    let unit_c = add_org(&c.app, "unit", &c.f.bureau, "丙单位", Some(3)).await;
    let dept = add_org(&c.app, "site", &c.f.bureau, "局办公室", None).await;
    let unit_e = add_org(&c.app, "unit", &c.f.bureau, "戊单位", Some(5)).await;
    let site_e = add_org(&c.app, "site", &unit_e, "戊库点", None).await;
    let sup = &c.supervisor.ctx;
    record(
        &c.app,
        sup,
        LedgerKind::Drill,
        &drill(site_e.id, "2023-02-01", "onsite"),
    )
    .await;
    record(
        &c.app,
        sup,
        LedgerKind::Meeting,
        &meeting(site_e.id, "2023-02-02", "quarterly"),
    )
    .await;
    deactivate(&c.app, &site_e).await;
    deactivate(&c.app, &unit_e).await;
    Tree {
        c,
        unit_c,
        dept,
        unit_e,
    }
}

async fn delete(c: &Cast, e: &ledger::Entry) {
    ledger::delete(&c.app.db, &c.supervisor.ctx, e.id, e.row_version)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_overview_rolls_entries_up_to_units_by_path() {
    let t = tree().await;
    let c = &t.c;
    let sup = &c.supervisor.ctx;
    record(
        &c.app,
        sup,
        LedgerKind::Funding,
        &funding(c.f.site_a.id, "2023-03-01", "100.00", "1"),
    )
    .await;
    record(
        &c.app,
        sup,
        LedgerKind::Funding,
        &funding(c.f.unit_a.id, "2023-04-01", "0.50", "2"),
    )
    .await;
    record(
        &c.app,
        sup,
        LedgerKind::Training,
        &training(c.f.bureau.id, "2023-05-01", "2", vec![]),
    )
    .await;
    record(
        &c.app,
        sup,
        LedgerKind::Publicity,
        &publicity(t.dept.id, "2023-05-02"),
    )
    .await;
    let gone = record(
        &c.app,
        sup,
        LedgerKind::Publicity,
        &publicity(c.f.site_b.id, "2023-05-03"),
    )
    .await;
    delete(c, &gone).await;

    let h1 = Period::parse("2023H1").unwrap();
    let s = ledger::statistics(&c.app.db, sup, &h1, None).await.unwrap();
    // Ordered by path: the bureau's own row, unit A (with its site's entry), the department
    // (no unit above it: a row of its own), deactivated unit E (its deactivated site's drill and
    // meeting still count); unit B's only entry was deleted and unit C has none.
    let mut expected = [&c.f.bureau, &c.f.unit_a, &t.dept, &t.unit_e];
    expected.sort_by(|a, b| a.path.cmp(&b.path));
    let ids: Vec<i64> = s.by_unit.iter().map(|u| u.org_id).collect();
    assert_eq!(ids, expected.iter().map(|o| o.id).collect::<Vec<_>>());
    let row = |id: i64| s.by_unit.iter().find(|u| u.org_id == id).unwrap();
    assert_eq!(row(c.f.unit_a.id).funding_fen, 10_050);
    assert_eq!(row(c.f.unit_a.id).org_name, "甲单位");
    assert_eq!(row(c.f.bureau.id).trainings, 1);
    assert_eq!(row(c.f.bureau.id).funding_fen, 0);
    assert_eq!(row(t.dept.id).publicity_events, 1);
    assert_eq!(row(t.dept.id).org_name, "局办公室");
    let e = row(t.unit_e.id);
    assert_eq!((e.drills, e.safety_meetings), (1, 1));
    assert_eq!(s.funding_fen, 10_050);
    assert_eq!((s.trainings, s.training_hours_tenths), (1, 20));
    assert_eq!(s.training_participants, 20);
    assert_eq!((s.publicity_events, s.drills), (1, 1));
    assert_eq!((s.safety_meetings, s.quarterly_meetings), (1, 1));
    let by = |code: &str| {
        s.funding_by_category
            .iter()
            .find(|x| x.code == code)
            .unwrap()
            .fen
    };
    assert_eq!((by("1"), by("2"), by("3")), (10_000, 50, 0));

    // A subtree asked for by id, and callers scoped to a unit or to one site: the site's entry
    // still counts for (and is named after) its unit, which the site's user cannot open.
    let s = ledger::statistics(&c.app.db, sup, &h1, Some(c.f.site_a.id))
        .await
        .unwrap();
    assert_eq!(s.by_unit.len(), 1);
    assert_eq!(
        (s.by_unit[0].org_id, s.by_unit[0].funding_fen),
        (c.f.unit_a.id, 10_000)
    );
    let s = ledger::statistics(&c.app.db, &c.officer.ctx, &h1, None)
        .await
        .unwrap();
    assert_eq!(s.by_unit.len(), 1);
    assert_eq!(s.by_unit[0].funding_fen, 10_050);
    assert_eq!(s.trainings, 0, "the bureau's training is outside unit A");
    let at_site = person(&c.app, "lg_site_officer", Role::UnitOfficer, &c.f.site_a).await;
    let s = ledger::statistics(&c.app.db, &at_site.ctx, &h1, None)
        .await
        .unwrap();
    assert_eq!(s.funding_fen, 10_000);
    assert_eq!(s.by_unit.len(), 1);
    assert_eq!(
        (s.by_unit[0].org_id, s.by_unit[0].org_name.as_str()),
        (c.f.unit_a.id, "甲单位")
    );
    // Nothing recorded in the period: no rows, zero totals, all ten categories.
    let s = ledger::statistics(&c.app.db, sup, &Period::parse("2022").unwrap(), None)
        .await
        .unwrap();
    assert!(s.by_unit.is_empty());
    assert_eq!(s.funding_fen, 0);
    assert_eq!(s.funding_by_category.len(), 10);
}

/// The roll-up is kept while no entry and no organisation changes (`cache`), so it must follow
/// the tree: a site moved to another unit counts for that unit on the very next view, under the
/// unit's new name, with the ledgers themselves unchanged.
#[tokio::test]
async fn the_kept_roll_up_follows_the_tree() {
    let c = cast().await;
    let sup = &c.supervisor.ctx;
    record(
        &c.app,
        sup,
        LedgerKind::Funding,
        &funding(c.f.site_a.id, "2023-03-01", "100.00", "1"),
    )
    .await;
    let h1 = Period::parse("2023H1").unwrap();
    let units = |s: &ledger::LedgerStatistics| -> Vec<(i64, String, i64)> {
        s.by_unit
            .iter()
            .map(|u| (u.org_id, u.org_name.clone(), u.funding_fen))
            .collect()
    };
    let s = ledger::statistics(&c.app.db, sup, &h1, None).await.unwrap();
    assert_eq!(units(&s), [(c.f.unit_a.id, "甲单位".to_string(), 10_000)]);
    // Asked again: the same figures (served kept).
    let again = ledger::statistics(&c.app.db, sup, &h1, None).await.unwrap();
    assert_eq!(units(&again), units(&s));

    let system = Ctx::system("test");
    org::move_to(&c.app.db, &system, c.f.site_a.id, c.f.unit_b.id)
        .await
        .unwrap();
    let b = org::get(&c.app.db, &system, c.f.unit_b.id).await.unwrap();
    org::update(
        &c.app.db,
        &system,
        b.id,
        b.row_version,
        &OrgInput {
            kind: "unit".into(),
            parent_id: Some(c.f.bureau.id),
            name: "乙单位（更名）".into(),
            uscc: b.uscc.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let s = ledger::statistics(&c.app.db, sup, &h1, None).await.unwrap();
    assert_eq!(
        units(&s),
        [(c.f.unit_b.id, "乙单位（更名）".to_string(), 10_000)]
    );
    assert_eq!(s.funding_fen, 10_000);
}

#[tokio::test]
async fn boards_roll_up_subtrees_and_skip_deactivated_units_and_deleted_entries() {
    let t = tree().await;
    let c = &t.c;
    let sup = &c.supervisor.ctx;
    // Meetings: unit A's site in Q1 (counts for unit A), a deleted one of unit A in Q2, the
    // department's in Q2 (not the bureau's own), the bureau's own in Q3.
    record(
        &c.app,
        sup,
        LedgerKind::Meeting,
        &meeting(c.f.site_a.id, "2023-03-30", "quarterly"),
    )
    .await;
    let gone = record(
        &c.app,
        sup,
        LedgerKind::Meeting,
        &meeting(c.f.unit_a.id, "2023-05-30", "quarterly"),
    )
    .await;
    delete(c, &gone).await;
    record(
        &c.app,
        sup,
        LedgerKind::Meeting,
        &meeting(t.dept.id, "2023-06-01", "quarterly"),
    )
    .await;
    record(
        &c.app,
        sup,
        LedgerKind::Meeting,
        &meeting(c.f.bureau.id, "2023-07-03", "quarterly"),
    )
    .await;
    let rows = ledger::meeting_board(&c.app.db, sup, 2023, d("2023-08-01"))
        .await
        .unwrap();
    let mut expected = [&c.f.bureau, &c.f.unit_a, &c.f.unit_b, &t.unit_c];
    expected.sort_by(|a, b| a.path.cmp(&b.path));
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    assert_eq!(
        ids,
        expected.iter().map(|o| o.id).collect::<Vec<_>>(),
        "active bureau and units by path; deactivated unit E is left out"
    );
    let find = |id: i64| rows.iter().find(|r| r.org_id == id).unwrap();
    assert_eq!(find(c.f.bureau.id).quarters, [0, 0, 1, 0]);
    assert_eq!(find(c.f.unit_a.id).quarters, [1, 0, 0, 0]);
    assert_eq!(find(t.unit_c.id).quarters, [0, 0, 0, 0]);
    assert_eq!(find(t.unit_c.id).missing, vec![1, 2, 3]);
    let rows = ledger::meeting_board(&c.app.db, &c.officer.ctx, 2023, d("2023-08-01"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].quarters, [1, 0, 0, 0]);
    let at_site = person(&c.app, "lg_site_officer", Role::UnitOfficer, &c.f.site_a).await;
    assert!(
        ledger::meeting_board(&c.app.db, &at_site.ctx, 2023, d("2023-08-01"))
            .await
            .unwrap()
            .is_empty()
    );

    // Letters: unit A's site signed first (2023-03-01), unit A itself later entered one dated
    // earlier (2023-02-01): the first entry and the earliest date of the subtree. Unit B's was
    // deleted; unit C has none.
    let first = record(
        &c.app,
        sup,
        LedgerKind::Letter,
        &letter(c.f.site_a.id, "2023-03-01", "2023"),
    )
    .await;
    record(
        &c.app,
        sup,
        LedgerKind::Letter,
        &letter(c.f.unit_a.id, "2023-02-01", "2023"),
    )
    .await;
    let gone = record(
        &c.app,
        sup,
        LedgerKind::Letter,
        &letter(c.f.unit_b.id, "2023-02-01", "2023"),
    )
    .await;
    delete(c, &gone).await;
    let rows = ledger::letter_board(&c.app.db, sup, 2023).await.unwrap();
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    assert!(!ids.contains(&t.unit_e.id) && !ids.contains(&c.f.bureau.id));
    assert_eq!(rows.len(), 3);
    let find = |id: i64| rows.iter().find(|r| r.org_id == id).unwrap();
    let a = find(c.f.unit_a.id);
    assert_eq!(
        (a.entry_id, a.signed_on),
        (Some(first.id), Some(d("2023-02-01")))
    );
    assert_eq!(find(c.f.unit_b.id).entry_id, None);
    assert_eq!(find(t.unit_c.id).signed_on, None);
    assert!(ledger::letter_board(&c.app.db, sup, 2024)
        .await
        .unwrap()
        .iter()
        .all(|r| r.entry_id.is_none()));

    // Drills: unit A's site drilled on site, a deleted special-plan drill of unit A does not
    // count; unit E (deactivated) is not a row although its site drilled.
    record(
        &c.app,
        sup,
        LedgerKind::Drill,
        &drill(c.f.site_a.id, "2023-01-15", "onsite"),
    )
    .await;
    let gone = record(
        &c.app,
        sup,
        LedgerKind::Drill,
        &drill(c.f.unit_a.id, "2023-05-01", "special"),
    )
    .await;
    delete(c, &gone).await;
    record(
        &c.app,
        sup,
        LedgerKind::Drill,
        &drill(c.f.site_b.id, "2022-10-01", "comprehensive"),
    )
    .await;
    let rows = ledger::drill_board(&c.app.db, sup, d("2023-08-01"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.org_id != t.unit_e.id));
    let find = |id: i64| rows.iter().find(|r| r.org_id == id).unwrap();
    let a = find(c.f.unit_a.id);
    assert_eq!((a.last_plan, a.last_onsite), (None, Some(d("2023-01-15"))));
    let b = find(c.f.unit_b.id);
    assert_eq!((b.last_plan, b.last_onsite), (Some(d("2022-10-01")), None));
    assert!(!b.plan_overdue && b.onsite_overdue);
    let cc = find(t.unit_c.id);
    assert_eq!((cc.last_plan, cc.last_onsite), (None, None));
}
