//! A change of the grading rules re-grades every risk from its stored score, keeps a version of
//! each change, and reports the counts.

use anjian_db::risk::{self, RiskFilter};
use anjian_db::{DbError, PageReq, Q};
use anjian_domain::risk::{GradingRules, RiskLevel};

use super::*;

#[tokio::test]
async fn changed_rules_regrade_every_risk_with_counts_versions_and_audit() {
    let w = world().await;
    let db = &w.app.db;
    let p = point(&w.app, &w.head, &w.f.site_a, "熏蒸作业", "activity").await;
    let q = point(&w.app, &w.head_b, &w.f.site_b, "进出仓作业", "activity").await;
    let d126 = lec(&w.app, &w.head, p.id, "D126", "3", "6", "7").await; // 一般
    let d270 = lec(&w.app, &w.head, p.id, "D270", "3", "6", "15").await; // 较大
    let d18 = lec(&w.app, &w.head_b, q.id, "D18", "1", "6", "3").await; // 低
    let r12 = ls(&w.app, &w.head_b, q.id, "R12", "3", "4").await; // 一般
    let r16 = ls(&w.app, &w.head, p.id, "R16", "4", "4").await; // 较大
    let dir = direct(&w.app, &w.head, p.id, "直接判定").await; // 重大
    assert_eq!(
        point_now(&w.app, q.id).await.level(),
        Some(RiskLevel::General)
    );

    // Bad rules and a missing reason are refused with their fields; nothing changes.
    let bad = GradingRules {
        ls_min: [9, 15, 20],
        ..Default::default()
    };
    match risk::update_rules(db, &w.supervisor.ctx, &bad, "", 0).await {
        Err(DbError::Invalid(f)) => {
            assert!(f.get("ls_min").is_some());
            assert_eq!(f.get("reason"), Some("调整原因不能为空"));
        }
        other => panic!("expected Invalid, got {other:?}"),
    }

    // A stricter scheme: LEC bands one level up above D 70, LS 一般 from 6, 较大 from 12,
    // 重大 from 16.
    let mut rules = GradingRules {
        lec_levels: [
            RiskLevel::Major,
            RiskLevel::Major,
            RiskLevel::Large,
            RiskLevel::General,
            RiskLevel::Low,
        ],
        ..Default::default()
    };
    rules.ls_min = [16, 12, 6];
    let audits_before = w.app.audit_count().await;
    let report = risk::update_rules(db, &w.supervisor.ctx, &rules, "省局通知调整分级标准", 0)
        .await
        .unwrap();
    // D270 → 重大, R16 → 重大; D126 → 较大, R12 → 较大; D18 stays 低 (≤ 20); direct stays.
    assert_eq!(report.changed_to, [2, 2, 0, 0]);
    assert_eq!(report.changed_total, 4);
    assert_eq!(w.app.audit_count().await, audits_before + 1);
    assert_eq!(w.app.last_audit().await.entity, "risk_settings");
    assert_eq!(risk::rules(db).await.unwrap(), rules);
    let s = risk::settings(db, &w.leader.ctx).await.unwrap();
    assert!(s.stored);
    assert_eq!(s.reason, "省局通知调整分级标准");

    let sys = Ctx::system("test");
    for (r, want) in [
        (&d126, RiskLevel::Large),
        (&d270, RiskLevel::Major),
        (&d18, RiskLevel::Low),
        (&r12, RiskLevel::Large),
        (&r16, RiskLevel::Major),
        (&dir, RiskLevel::Major),
    ] {
        let now = risk::get_risk(db, &sys, r.id).await.unwrap();
        assert_eq!(now.risk.level(), want, "{}", r.description);
        let changed = want != r.level();
        let v = &now.versions;
        assert_eq!(v.len(), if changed { 2 } else { 1 }, "{}", r.description);
        if changed {
            assert_eq!(v[0].kind, "regrade");
            assert_eq!(v[0].reason, "分级标准调整：省局通知调整分级标准");
            assert_eq!(v[0].level_rank, want.rank());
            assert_eq!(v[0].score, r.score, "the stored score is kept");
            assert_eq!(v[0].assessor_user_id, Some(w.supervisor.user.id));
        }
    }
    // Cached point levels follow: q had 低 and 一般 (R12) → now 较大.
    assert_eq!(
        point_now(&w.app, q.id).await.level(),
        Some(RiskLevel::Large)
    );
    let majors = risk::list(
        db,
        &w.leader.ctx,
        &RiskFilter {
            level: Some(RiskLevel::Major),
            ..Default::default()
        },
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(majors.total, 3);

    // New risks are graded by the new rules; going back re-grades again.
    let d126b = lec(&w.app, &w.head, p.id, "D126b", "3", "6", "7").await;
    assert_eq!(d126b.level(), RiskLevel::Large);
    let back = risk::update_rules(
        db,
        &w.supervisor.ctx,
        &GradingRules::default(),
        "恢复默认",
        1,
    )
    .await
    .unwrap();
    assert_eq!(
        back.changed_to,
        [0, 2, 3, 0],
        "D270, R16 → 较大; D126, D126b, R12 → 一般"
    );
    let (n,): (i64,) = db
        .fetch_one(&Q::new(
            "SELECT COUNT(*) FROM risk_version WHERE kind = 'regrade'",
        ))
        .await
        .unwrap();
    assert_eq!(n, 9);
}
