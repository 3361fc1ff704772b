//! The built-in library seeded by migration 0003: every user with InspectionView sees it, the
//! fire checklist carries the seed's four named risks plus 消防设施器材, and the 10号令 items are
//! flagged as major-hazard criteria with their article.

use anjian_db::checklist::{self, ChecklistFilter};
use anjian_db::{PageReq, Q};
use anjian_domain::role::Role;
use anjian_testkit::TestApp;

use super::support::person;

const L10: &str = "应急管理部令第10号《工贸企业重大事故隐患判定标准》第";

#[tokio::test]
async fn the_seeded_library_is_there_for_every_viewer_with_the_fire_risks_and_10_ling_items_flagged(
) {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let site_inspector = person(&app, "lib_site", Role::Inspector, &f.site_b).await;

    // Eight built-in checklists, none owned by an organisation, each with 6–12 items.
    let page = checklist::list(
        &app.db,
        &site_inspector.ctx,
        &ChecklistFilter::default(),
        PageReq::new(Some(1), Some(100)),
    )
    .await
    .unwrap();
    assert_eq!(
        page.total,
        8,
        "{:?}",
        page.items
            .iter()
            .map(|r| &r.checklist.name)
            .collect::<Vec<_>>()
    );
    for r in &page.items {
        assert!(r.checklist.builtin && r.checklist.org_id.is_none());
        let n = r.item_count;
        if r.checklist.category == "重大事故隐患判定" {
            assert_eq!(n, 5, "管理类 3 + 有限空间 2");
        } else {
            assert!((6..=12).contains(&n), "{} has {n} items", r.checklist.name);
        }
    }
    let names: Vec<&str> = page
        .items
        .iter()
        .map(|r| r.checklist.name.as_str())
        .collect();
    for expected in [
        "消防安全检查表",
        "进出仓作业安全检查表",
        "有限空间作业安全检查表",
        "粮食熏蒸及散气作业安全检查表",
        "外包作业安全检查表",
        "防汛安全检查表",
        "用电安全检查表",
        "工贸企业重大事故隐患判定检查表（管理类、有限空间）",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }

    // The fire checklist: the four risks the bureau's summary names, then fire equipment.
    let fire = page
        .items
        .iter()
        .find(|r| r.checklist.name == "消防安全检查表")
        .unwrap();
    let items = checklist::items(&app.db, &site_inspector.ctx, fire.checklist.id, false)
        .await
        .unwrap();
    let cats: Vec<&str> = items.iter().map(|i| i.category.as_str()).collect();
    assert_eq!(
        &cats[..4],
        &[
            "违规使用易燃可燃材料装修装饰",
            "消防通道不畅通",
            "违规存放易燃易爆危险品",
            "电动自行车违规停放充电"
        ]
    );
    assert!(cats.contains(&"消防设施器材"));
    assert!(items.iter().all(|i| i.basis.contains("公安部令第61号")));
    assert_eq!(
        items.iter().map(|i| i.position).collect::<Vec<_>>(),
        (1..=items.len() as i64).collect::<Vec<_>>(),
        "items come in their order"
    );

    // Every 10号令 item is a major-hazard criterion and every criterion cites 10号令.
    let all: Vec<(String, String, bool)> = app
        .db
        .fetch_all(&Q::new(
            "SELECT content, basis, major_criterion FROM checklist_item",
        ))
        .await
        .unwrap();
    assert_eq!(all.len(), 68);
    for (content, basis, major) in &all {
        assert_eq!(basis.starts_with(L10), *major, "{content} / {basis}");
    }
    let major: Vec<&(String, String, bool)> = all.iter().filter(|r| r.2).collect();
    assert_eq!(major.len(), 10);
    let management = |n: &str| {
        all.iter()
            .filter(|r| r.1.starts_with(&format!("{L10}三条第（{n}）项")))
            .count()
    };
    // 管理类 (一) in the 10号令 and contractor checklists, (二) also for electricians.
    assert_eq!(
        (management("一"), management("二"), management("三")),
        (2, 3, 1)
    );
    // The confined-space articles are marked as still to be verified, as the reference says.
    let confined: Vec<_> = major.iter().filter(|r| r.1.contains("第十三条")).collect();
    assert_eq!(confined.len(), 4);
    assert!(confined.iter().all(|r| r.1.contains("（依据待核实）")));
    assert!(all
        .iter()
        .any(|r| r.0.contains("先通风、再检测、后作业") && r.2));
}

#[tokio::test]
async fn the_library_page_filters_by_category_and_keyword() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let officer = person(&app, "lib_page", Role::UnitOfficer, &f.unit_a).await;
    let all = app.get("/checklists", &officer.login).await;
    assert_eq!(all.status, 200);
    let html = all.text();
    assert!(html.contains("消防安全检查表") && html.contains("防汛安全检查表"));
    assert!(
        !html.contains("新增检查表"),
        "no create button without InspectionPlan"
    );

    let fire = app
        .get(
            "/checklists?category=%E6%B6%88%E9%98%B2%E5%AE%89%E5%85%A8",
            &officer.login,
        )
        .await
        .text();
    assert!(fire.contains("消防安全检查表"));
    assert!(!fire.contains("防汛安全检查表"));

    let kw = app
        .get("/checklists?keyword=%E7%86%8F%E8%92%B8", &officer.login)
        .await
        .text();
    assert!(kw.contains("粮食熏蒸及散气作业安全检查表"));
    assert!(!kw.contains("消防安全检查表"));

    // The detail page shows items in order with their basis and the major flag.
    let (id,): (i64,) = app
        .db
        .fetch_one(&Q::new(
            "SELECT id FROM checklist WHERE name = '有限空间作业安全检查表'",
        ))
        .await
        .unwrap();
    let page = app.get(&format!("/checklists/{id}"), &officer.login).await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("<span class=\"tag danger\">判定项</span>"));
    assert!(html.contains("工贸企业有限空间作业安全规定"));
    assert!(
        !html.contains("/checklist-items/"),
        "no item buttons for a viewer"
    );
}
