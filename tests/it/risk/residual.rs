//! Residual risk after controls: every method the inherent assessment allows, graded by the same
//! rules, kept in each version, and re-graded (with the reason on record) when the rules change.

use anjian_db::risk;
use anjian_db::DbError;
use anjian_domain::risk::{GradingRules, RiskLevel};

use super::*;

fn with_residual(point_id: i64, method: &str, l: &str, e: &str, c: &str, s: &str) -> RiskInput {
    let mut i = lec_input(point_id, "熏蒸散气不彻底进仓", "3", "6", "15"); // D 270 较大
    i.residual_method = method.into();
    i.residual_l = l.into();
    i.residual_e = e.into();
    i.residual_c = c.into();
    i.residual_s = s.into();
    i
}

#[tokio::test]
async fn residual_takes_lec_ls_and_direct_with_the_same_rules_and_is_versioned() {
    let w = world().await;
    let db = &w.app.db;
    let p = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业", "activity").await;

    // LS: R = 2×3 = 6 → 低.
    let r = risk::create_risk(
        db,
        &w.head.ctx,
        &with_residual(p.id, "ls", "2", "", "", "3"),
    )
    .await
    .unwrap();
    assert_eq!(r.residual_level(), Some(RiskLevel::Low));
    assert_eq!(r.residual_score, Some(6));
    let d = risk::get_risk(db, &w.head.ctx, r.id).await.unwrap();
    assert_eq!(d.versions.len(), 1);
    assert_eq!(d.versions[0].residual_method.as_deref(), Some("ls"));
    assert_eq!(d.versions[0].residual_level(), Some(RiskLevel::Low));
    assert_eq!(d.versions[0].residual().unwrap().formula(), "R = 2×3 = 6");

    // Direct: needs its reason (named on the residual field), then is 重大.
    let mut i = with_residual(p.id, "direct", "", "", "", "");
    match risk::create_risk(db, &w.head.ctx, &i).await {
        Err(DbError::Invalid(f)) => assert!(f.get("residual_reason").is_some(), "{f:?}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    i.residual_reason = "管控后仍构成重大危险源".into();
    let d = risk::create_risk(db, &w.head.ctx, &i).await.unwrap();
    assert_eq!(d.residual_level(), Some(RiskLevel::Major));
    assert_eq!(d.residual_reason, "管控后仍构成重大危险源");

    // A bad residual LS factor is named with its residual field.
    match risk::create_risk(
        db,
        &w.head.ctx,
        &with_residual(p.id, "ls", "2", "", "", "9"),
    )
    .await
    {
        Err(DbError::Invalid(f)) => assert!(f.get("residual_s").is_some(), "{f:?}"),
        other => panic!("expected Invalid, got {other:?}"),
    }

    // Changing only the residual assessment is a re-assessment: a new version keeps it.
    let mut again = with_residual(p.id, "lec", "1", "6", "7", ""); // D 42 → 低
    again.assessed_on = r.assessed_on.to_string();
    let after = risk::update_risk(db, &w.head.ctx, r.id, r.row_version, &again)
        .await
        .unwrap();
    assert_eq!(after.residual_method.as_deref(), Some("lec"));
    let d = risk::get_risk(db, &w.head.ctx, r.id).await.unwrap();
    assert_eq!(d.versions.len(), 2);
    assert_eq!(d.versions[0].kind, "assessment");
    assert_eq!(d.versions[0].residual_method.as_deref(), Some("lec"));
    assert_eq!(d.versions[1].residual_method.as_deref(), Some("ls"));
    assert_eq!(
        audits(&w.app, "risk", r.id).await.last().unwrap(),
        "reassess"
    );
}

#[tokio::test]
async fn a_rule_change_that_moves_only_residual_levels_regrades_them_with_the_reason() {
    let w = world().await;
    let db = &w.app.db;
    let p = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业", "activity").await;
    // Inherent D 270 较大; residual D = 1×6×7 = 42 → 低 under the default bands.
    let r = risk::create_risk(
        db,
        &w.head.ctx,
        &with_residual(p.id, "lec", "1", "6", "7", ""),
    )
    .await
    .unwrap();
    assert_eq!(r.residual_level(), Some(RiskLevel::Low));
    let plain = lec(&w.app, &w.head, p.id, "无剩余评估", "3", "6", "15").await;

    // 20 < D ≤ 70 becomes 一般: 270 stays 较大, only the residual 42 moves.
    let rules = GradingRules {
        lec_levels: [
            RiskLevel::Major,
            RiskLevel::Large,
            RiskLevel::General,
            RiskLevel::General,
            RiskLevel::Low,
        ],
        ..Default::default()
    };
    let report = risk::update_rules(db, &w.supervisor.ctx, &rules, "市局要求从严管控", 0)
        .await
        .unwrap();
    assert_eq!(report.changed_total, 0);
    assert_eq!(report.residual_changed_total, 1);

    let d = risk::get_risk(db, &w.head.ctx, r.id).await.unwrap();
    assert_eq!(d.risk.level(), RiskLevel::Large);
    assert_eq!(d.risk.residual_level(), Some(RiskLevel::General));
    assert_eq!(d.versions.len(), 2, "the residual move is on record");
    let v = &d.versions[0];
    assert_eq!(v.kind, "regrade");
    assert_eq!(v.reason, "分级标准调整：市局要求从严管控");
    assert_eq!(v.level(), RiskLevel::Large);
    assert_eq!(v.residual_level(), Some(RiskLevel::General));
    assert_eq!(v.residual().unwrap().formula(), "D = 1×6×7 = 42");
    // A risk without a residual assessment and an unchanged level gets no version.
    let d = risk::get_risk(db, &w.head.ctx, plain.id).await.unwrap();
    assert_eq!(d.versions.len(), 1);
    assert_eq!(d.risk.residual_level(), None);
}
