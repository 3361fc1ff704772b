//! Stale edits of the summary: a draft's text and the bureau's wording templates.

use anjian_db::report::{draft, templates};
use anjian_domain::period::Period;
use anjian_domain::role::Role;

use super::harness::{PageEdit, Rows};
use super::{scene, signed_in};

pub async fn draft_page() {
    let s = scene().await;
    let sup = signed_in(&s.app, "cc_supervisor", Role::BureauSupervisor, &s.f.bureau).await;
    let period = Period::half_year(2023, 1).expect("2023 H1");
    let id = draft::create(&s.app.db, &sup.ctx, &period, None)
        .await
        .expect("draft")
        .id;
    PageEdit {
        app: &s.app,
        who: &sup.login,
        page: format!("/reports/drafts/{id}/edit"),
        action: format!("/reports/drafts/{id}"),
        pick: None,
        gov: Rows::Where("report_draft", "id", id),
        // A note alone saves nothing (the text is unchanged), so the colleague retitles it.
        rival: Some(vec![(
            "title",
            "2023年上半年安全生产工作总结（征求意见稿）".into(),
        )]),
        watch: vec![
            Rows::Where("report_draft", "id", id),
            Rows::Where("report_draft_version", "draft_id", id),
        ],
        edit: vec![
            ("title", "2023年上半年安全生产工作总结（修改稿）".into()),
            ("note", "按局领导意见修改".into()),
        ],
        invalid: None,
    }
    .run()
    .await;
}

/// A template has rows only once saved, so it is saved once first (version 1).
pub async fn template_page() {
    let s = scene().await;
    let sup = signed_in(&s.app, "cc_supervisor", Role::BureauSupervisor, &s.f.bureau).await;
    let key = "opening";
    let wording = templates::list(&s.app.db, &sup.ctx)
        .await
        .expect("templates")
        .into_iter()
        .find(|t| t.key == key)
        .expect("the opening paragraph's template")
        .body;
    templates::save(
        &s.app.db,
        &sup.ctx,
        key,
        Some(&format!("{wording}\n（一）")),
        0,
    )
    .await
    .expect("saved once");
    // The template page holds one form per template posting to the same address.
    PageEdit {
        app: &s.app,
        who: &sup.login,
        page: "/reports/templates".into(),
        action: "/reports/templates".into(),
        pick: Some(("key", key.into())),
        gov: Rows::Keyed("report_template", "template_key", key),
        rival: None,
        watch: vec![
            Rows::Keyed("report_template", "template_key", key),
            Rows::Keyed("report_template_version", "template_key", key),
        ],
        edit: vec![("body", format!("{wording}\n（二）"))],
        invalid: None,
    }
    .run()
    .await;
}
