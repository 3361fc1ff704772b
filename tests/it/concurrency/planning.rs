//! Stale edits of the planning records: checklists and their items, campaigns, inspection tasks
//! (the bureau's, edited by its supervisor) and inspections (unit B's, edited by its officer).

use anjian_db::inspection::{self, InspectionInput};
use anjian_domain::role::Role;

use super::harness::{PageEdit, Rows};
use super::{scene, signed_in};
use crate::checklist::support;

pub async fn checklist_page() {
    let s = scene().await;
    let sup = signed_in(&s.app, "cc_supervisor", Role::BureauSupervisor, &s.f.bureau).await;
    let (id, _) = support::insert_checklist(&s.app, s.f.bureau.id, "粮库消防安全检查表").await;
    PageEdit {
        app: &s.app,
        who: &sup.login,
        page: format!("/checklists/{id}/edit"),
        action: format!("/checklists/{id}"),
        pick: None,
        gov: Rows::Where("checklist", "id", id),
        rival: None,
        watch: vec![Rows::Where("checklist", "id", id)],
        edit: vec![("name", "粮库消防安全检查表（修订）".into())],
        invalid: Some(("name", "")),
    }
    .run()
    .await;
}

/// Items have no version of their own: an item edit is an edit of its checklist.
pub async fn checklist_item_page() {
    let s = scene().await;
    let sup = signed_in(&s.app, "cc_supervisor", Role::BureauSupervisor, &s.f.bureau).await;
    let (id, item) = support::insert_checklist(&s.app, s.f.bureau.id, "粮库消防安全检查表").await;
    PageEdit {
        app: &s.app,
        who: &sup.login,
        page: format!("/checklist-items/{item}/edit"),
        action: format!("/checklist-items/{item}"),
        pick: None,
        gov: Rows::Where("checklist", "id", id),
        rival: None,
        watch: vec![
            Rows::Where("checklist", "id", id),
            Rows::Where("checklist_item", "checklist_id", id),
        ],
        edit: vec![("content", "灭火器在有效期内且压力正常".into())],
        invalid: Some(("content", "")),
    }
    .run()
    .await;
}

pub async fn campaign_page() {
    let s = scene().await;
    let sup = signed_in(&s.app, "cc_supervisor", Role::BureauSupervisor, &s.f.bureau).await;
    let id = support::insert_campaign(&s.app, s.f.bureau.id, "冬春火灾防控专项行动").await;
    PageEdit {
        app: &s.app,
        who: &sup.login,
        page: format!("/campaigns/{id}/edit"),
        action: format!("/campaigns/{id}"),
        pick: None,
        gov: Rows::Where("campaign", "id", id),
        rival: None,
        watch: vec![
            Rows::Where("campaign", "id", id),
            Rows::Where("campaign_org", "campaign_id", id),
        ],
        edit: vec![("description", "重点检查电气线路和消防通道".into())],
        invalid: Some(("name", "")),
    }
    .run()
    .await;
}

pub async fn inspection_task_page() {
    let s = scene().await;
    let sup = signed_in(&s.app, "cc_supervisor", Role::BureauSupervisor, &s.f.bureau).await;
    let id = support::insert_task(&s.app, s.f.bureau.id, &[s.f.unit_b.id], "2023-05-31").await;
    PageEdit {
        app: &s.app,
        who: &sup.login,
        page: format!("/inspection-tasks/{id}/edit"),
        action: format!("/inspection-tasks/{id}"),
        pick: None,
        gov: Rows::Where("inspection_task", "id", id),
        rival: None,
        watch: vec![
            Rows::Where("inspection_task", "id", id),
            Rows::Where("inspection_task_org", "task_id", id),
        ],
        edit: vec![("description", "各单位五月底前完成自查".into())],
        invalid: Some(("title", "")),
    }
    .run()
    .await;
}

pub async fn inspection_page() {
    let s = scene().await;
    let officer = signed_in(&s.app, "cc_officer_b", Role::UnitOfficer, &s.f.unit_b).await;
    let id = inspection::create(
        &s.app.db,
        &officer.ctx,
        &InspectionInput {
            org_id: Some(s.f.site_b.id),
            kind: "self_check".into(),
            inspected_on: "2023-03-01".into(),
            inspectors: "乙库点安全员".into(),
            summary: "乙库点自查".into(),
            ..Default::default()
        },
    )
    .await
    .expect("inspection");
    PageEdit {
        app: &s.app,
        who: &officer.login,
        page: format!("/inspections/{id}/edit"),
        action: format!("/inspections/{id}"),
        pick: None,
        gov: Rows::Where("inspection", "id", id),
        rival: None,
        watch: vec![
            Rows::Where("inspection", "id", id),
            Rows::Where("inspection_item", "inspection_id", id),
        ],
        edit: vec![("summary", "乙库点自查，未发现问题".into())],
        invalid: Some(("inspected_on", "三月一日")),
    }
    .run()
    .await;
}
