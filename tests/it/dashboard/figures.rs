//! The data layer: key figures with 同比/环比, the monthly series and the unit rates, risk
//! levels, the overdue list and drill board, and scope.

use anjian_db::dashboard::{self, Dashboard};
use anjian_db::{report, DbError};
use anjian_domain::period::Period;

use super::{world, World, EVIL};

async fn load(w: &World, who: &crate::hazard::Person, org: Option<i64>) -> Dashboard {
    let p = Period::half_year(w.y, 1).unwrap();
    dashboard::load(&w.app.db, &who.ctx, &p, org)
        .await
        .expect("dashboard")
}

fn values(d: &Dashboard, key: &str) -> (Option<f64>, Option<f64>, Option<f64>) {
    let f = d.figure(key).unwrap_or_else(|| panic!("figure {key}"));
    (f.current, f.year_ago, f.preceding)
}

#[tokio::test]
async fn key_figures_and_their_changes_follow_the_records() {
    let w = world().await;
    let d = load(&w, &w.sup, None).await;
    let y = w.y;
    assert_eq!(d.org_id, w.f.bureau.id);
    assert_eq!(d.comparison.through, None, "the half-year is over");
    assert_eq!(d.comparison.year_ago.code(), format!("{}H1", y - 1));
    assert_eq!(d.comparison.preceding.code(), format!("{}H2", y - 1));

    assert_eq!(
        values(&d, "hazards_found"),
        (Some(6.0), Some(3.0), Some(1.0))
    );
    assert_eq!(
        values(&d, "hazards_rectified"),
        (Some(2.0), Some(3.0), Some(1.0))
    );
    assert_eq!(
        values(&d, "hazards_open"),
        (Some(4.0), Some(0.0), Some(0.0))
    );
    assert_eq!(
        values(&d, "hazards_overdue"),
        (Some(2.0), Some(0.0), Some(0.0))
    );
    assert_eq!(
        values(&d, "hazards_major_found"),
        (Some(1.0), Some(0.0), Some(0.0))
    );
    assert_eq!(
        values(&d, "hazards_major_listed"),
        (Some(1.0), Some(0.0), Some(0.0))
    );
    assert_eq!(
        values(&d, "rectification_rate"),
        (Some(2.0 / 6.0), Some(1.0), Some(1.0))
    );
    assert_eq!(
        values(&d, "funding"),
        (Some(100_000.0), Some(50_000.0), Some(0.0))
    );
    assert_eq!(values(&d, "trainings"), (Some(2.0), Some(1.0), Some(0.0)));
    assert_eq!(values(&d, "drills"), (Some(1.0), Some(0.0), Some(0.0)));

    let text = |key: &str| {
        let f = d.figure(key).unwrap();
        (f.text(), f.yoy_text(), f.mom_text())
    };
    assert_eq!(
        text("hazards_found"),
        ("6".into(), "+3（+100%）".into(), "+5（+500%）".into())
    );
    assert_eq!(
        text("hazards_rectified"),
        ("2".into(), "−1（−33.3%）".into(), "+1（+100%）".into())
    );
    // A base of zero: the difference, no percentage.
    assert_eq!(
        text("hazards_major_listed"),
        ("1".into(), "+1（—）".into(), "+1（—）".into())
    );
    assert_eq!(
        text("rectification_rate"),
        (
            "33.3%".into(),
            "−66.7个百分点".into(),
            "−66.7个百分点".into()
        )
    );
    assert_eq!(
        text("funding"),
        (
            "0.10".into(),
            "+0.05万元（+100%）".into(),
            "+0.10万元（—）".into()
        )
    );

    // The same numbers the summary report states for each period.
    for p in [
        d.comparison.current,
        d.comparison.year_ago,
        d.comparison.preceding,
    ] {
        let f = report::figures(&w.app.db, &w.sup.ctx, &p, Some(w.f.bureau.id))
            .await
            .unwrap();
        let v = if p == d.comparison.current {
            &d.current
        } else if p == d.comparison.year_ago {
            &d.year_ago
        } else {
            &d.preceding
        };
        assert_eq!(&f, v, "{}", p.code());
    }
}

#[tokio::test]
async fn months_and_units_count_what_the_statistics_count() {
    let w = world().await;
    let d = load(&w, &w.sup, None).await;
    let y = w.y;
    assert_eq!(d.months.len(), 12);
    assert_eq!(d.months[0].period.code(), format!("{}-07", y - 1));
    assert_eq!(d.months[11].period.code(), format!("{y}-06"));
    let month = |code: String| {
        let m = d.months.iter().find(|m| m.period.code() == code).unwrap();
        (m.found, m.rectified, m.open, m.overdue)
    };
    assert_eq!(month(format!("{}-09", y - 1)), (1, 1, 0, 0));
    assert_eq!(month(format!("{y}-02")), (1, 1, 0, 0));
    // h2 overdue by the end of March; h3's deadline (August) was still ahead.
    assert_eq!(month(format!("{y}-03")), (2, 0, 2, 1));
    // h6 was closed only in July: open at the end of April.
    assert_eq!(month(format!("{y}-04")), (1, 0, 1, 0));
    assert_eq!(month(format!("{y}-05")), (1, 1, 0, 0));
    assert_eq!(month(format!("{y}-06")), (1, 0, 1, 1));
    let half: i64 = d.months[6..].iter().map(|m| m.found).sum();
    assert_eq!(half, 6, "the months of the half-year add up to its figure");

    // Worst rate first: 丙 0/1, 甲 1/3, 乙 1/2.
    let units: Vec<(i64, i64, i64, i64)> = d
        .units
        .iter()
        .map(|u| (u.org_id, u.found, u.rectified, u.overdue))
        .collect();
    assert_eq!(
        units,
        [
            (w.unit_c.id, 1, 0, 1),
            (w.f.unit_a.id, 3, 1, 1),
            (w.f.unit_b.id, 2, 1, 0)
        ]
    );
    assert_eq!(d.units[0].org_name, EVIL);

    let r = d
        .risk
        .as_ref()
        .expect("the supervisor reads the risk register");
    assert_eq!(r.points, [2, 1, 1, 1]);
    assert_eq!(r.risks, [2, 1, 1, 1]);
    assert_eq!(r.points_unassessed, 1);

    // As of today h3's deadline has passed too.
    let mut overdue: Vec<i64> = d.overdue.items.iter().map(|h| h.id).collect();
    overdue.sort();
    assert_eq!(
        (d.overdue.total, overdue),
        (3, vec![w.h[2], w.h[3], w.h[5]])
    );

    // 甲单位 drilled two years ago, the others never: all three are overdue today.
    let drills: Vec<i64> = d
        .drills_overdue
        .as_ref()
        .unwrap()
        .iter()
        .map(|r| r.org_id)
        .collect();
    assert_eq!(drills.len(), 3);
    for u in [w.f.unit_a.id, w.f.unit_b.id, w.unit_c.id] {
        assert!(drills.contains(&u));
    }
}

#[tokio::test]
async fn a_unit_sees_its_subtree_and_nothing_else() {
    let w = world().await;
    let d = load(&w, &w.officer_a, None).await;
    assert_eq!(d.org_id, w.f.unit_a.id);
    assert_eq!(
        values(&d, "hazards_found"),
        (Some(3.0), Some(1.0), Some(1.0))
    );
    // 甲库点 and the unit's own record h3 (本级), which links by id.
    let rows: Vec<(i64, bool, i64, Vec<i64>)> = d
        .units
        .iter()
        .map(|u| (u.org_id, u.own, u.found, u.ids.clone()))
        .collect();
    assert_eq!(
        rows,
        [
            (w.f.unit_a.id, true, 1, vec![w.h[3]]),
            (w.f.site_a.id, false, 2, vec![])
        ]
    );
    assert_eq!(d.risk.as_ref().unwrap().points, [1, 1, 1, 1]);
    assert_eq!(d.overdue.total, 2);
    assert!(d
        .overdue
        .items
        .iter()
        .all(|h| h.org_path.starts_with(&w.f.unit_a.path)));
    let drills: Vec<i64> = d
        .drills_overdue
        .as_ref()
        .map(|v| v.iter().map(|r| r.org_id).collect())
        .unwrap_or_default();
    assert_eq!(drills, [w.f.unit_a.id]);

    // Another unit is outside its scope: not found, whatever it asks for.
    let p = Period::half_year(w.y, 1).unwrap();
    for org in [w.f.unit_b.id, w.f.bureau.id, 999_999] {
        assert!(matches!(
            dashboard::load(&w.app.db, &w.officer_a.ctx, &p, Some(org)).await,
            Err(DbError::NotFound)
        ));
    }
    // The bureau may narrow to unit B.
    let b = load(&w, &w.sup, Some(w.f.unit_b.id)).await;
    assert_eq!(
        (b.org_id, b.figure("hazards_found").unwrap().current),
        (w.f.unit_b.id, Some(2.0))
    );
    assert_eq!(b.risk.unwrap().points, [1, 0, 0, 0]);
}

#[tokio::test]
async fn a_running_period_compares_the_same_days() {
    use chrono::{Datelike, Months};
    let w = world().await;
    let today = anjian_domain::time::today(anjian_db::now());
    let p = Period::half_year_of(today).unwrap();
    let d = dashboard::load(&w.app.db, &w.sup.ctx, &p, None)
        .await
        .unwrap();
    if today < p.last {
        assert_eq!(d.comparison.through, Some(today));
        let a_year_ago = today.checked_sub_months(Months::new(12)).unwrap();
        assert_eq!(d.comparison.year_ago.last, a_year_ago);
        assert_eq!(
            d.comparison.year_ago.first,
            p.first.checked_sub_months(Months::new(12)).unwrap()
        );
        // 环比: as many days from the preceding half-year's start as have passed in this one.
        let whole = dashboard::period::preceding(&p);
        assert_eq!(d.comparison.preceding.first, whole.first);
        assert_eq!(
            (d.comparison.preceding.last - d.comparison.preceding.first).num_days(),
            (today - p.first)
                .num_days()
                .min((whole.last - whole.first).num_days())
        );
    }
    // The monthly chart ends with this month, not with the half-year's last.
    let m = &d.months[11].period;
    assert_eq!(
        (m.first.year(), m.first.month()),
        (today.year(), today.month())
    );
}
