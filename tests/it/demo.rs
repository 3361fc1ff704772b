//! The demo dataset as `anjian demo` loads it: its first half of 2023 says what the bureau's own
//! 2023 H1 summary (the seed) says, on SQLite and PostgreSQL alike.

use std::process::ExitCode;

use anjian_app::cli::{run, Command};
use anjian_app::config::Config;
use anjian_db::{Ctx, Q};
use anjian_domain::period::Period;
use anjian_testkit::TestApp;

#[tokio::test]
async fn the_demo_reproduces_the_seed_figures_for_2023_h1() {
    let app = TestApp::new().await;
    let cfg = Config::load(None, Some(app.url.clone()), Some(app.dir.clone()), None).unwrap();
    let code = run(Command::Demo, cfg).await.expect("demo loads");
    assert_eq!(format!("{code:?}"), format!("{:?}", ExitCode::SUCCESS));

    let period = Period::parse("2023H1").unwrap();
    let ctx = Ctx::system("test");
    let s = anjian_db::statistics::hazard_statistics(&app.db, &ctx, &period, None)
        .await
        .unwrap();
    // "共计开展安全检查80次，检查覆盖企业62家，排查一般安全隐患问题106项，已全部完成整改，无挂牌督办重大隐患"
    assert_eq!(s.inspections, 80);
    assert_eq!(s.inspected_orgs, 62);
    assert_eq!(s.hazards_general_found, 106);
    assert_eq!(s.hazards_general_rectified, 106);
    assert_eq!((s.hazards_major_found, s.hazards_major_listed), (0, 0));
    assert_eq!((s.hazards_open, s.hazards_overdue), (0, 0));
    assert_eq!(s.rectification_rate, Some(1.0));
    assert_eq!(s.illegal_operations_found, 0);

    // Every 2023 closure is a real one: verified by someone other than its rectifier, after the
    // rectification, with an after-photo.
    let (bad,): (i64,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT COUNT(*) FROM hazard h WHERE h.found_on < '2023-07-01' AND (h.status <> 'closed' \
             OR h.verified_by = h.rectified_by OR h.verified_on < h.rectified_on \
             OR NOT EXISTS (SELECT 1 FROM hazard_attachment a WHERE a.hazard_id = h.id AND a.kind = 'after'))",
        ))
        .await
        .unwrap();
    assert_eq!(bad, 0);
    assert!(anjian_db::audit::verify(&app.db)
        .await
        .unwrap()
        .first_broken
        .is_none());
}
