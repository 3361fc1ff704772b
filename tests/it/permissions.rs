//! Role × action × own/other organisation, through the real routes. The expectations below are
//! written out by hand from docs/permissions.md, not derived from the code under test.

use axum::http::{Method, StatusCode};

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, TestApp};

#[derive(Clone, Copy, Debug)]
enum Action {
    OrgList,
    OrgView,
    OrgEdit,
    UserList,
    UserView,
    SessionList,
    AuditList,
    ApiOrgView,
}

const ACTIONS: [Action; 8] = [
    Action::OrgList,
    Action::OrgView,
    Action::OrgEdit,
    Action::UserList,
    Action::UserView,
    Action::SessionList,
    Action::AuditList,
    Action::ApiOrgView,
];

/// One row per role: may it perform each action of `ACTIONS`, in that order?
const MATRIX: [(Role, [bool; 8]); 8] = [
    //                        list   view   edit   users  user   sess   audit  api
    (
        Role::SystemAdmin,
        /*  */ [true, true, true, true, true, false, false, true],
    ),
    (
        Role::SecurityAdmin,
        /**/ [true, true, false, true, true, true, false, true],
    ),
    (
        Role::AuditAdmin,
        /*   */ [false, false, false, false, false, false, true, false],
    ),
    (
        Role::BureauSupervisor,
        [true, true, false, true, true, false, false, true],
    ),
    (
        Role::BureauLeader,
        /* */ [true, true, false, true, true, false, false, true],
    ),
    (
        Role::UnitHead,
        /*     */ [true, true, true, true, true, false, false, true],
    ),
    (
        Role::UnitOfficer,
        /*  */ [true, true, false, true, true, false, false, true],
    ),
    (
        Role::Inspector,
        /*    */ [true, true, false, false, false, false, false, true],
    ),
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Target {
    Own,
    Other,
}

fn success(a: Action) -> StatusCode {
    match a {
        Action::OrgEdit => StatusCode::SEE_OTHER,
        _ => StatusCode::OK,
    }
}

fn takes_target(a: Action) -> bool {
    matches!(
        a,
        Action::OrgView | Action::OrgEdit | Action::UserView | Action::ApiOrgView
    )
}

async fn perform(
    app: &TestApp,
    f: &Fixture,
    role: Role,
    action: Action,
    target: Target,
) -> StatusCode {
    let me = app
        .user(
            &format!("{}_{:?}_{:?}", role.code(), action, target).to_lowercase(),
            role,
            f.unit_a.id,
        )
        .await;
    let login = app.login_as(&me).await;
    let site = if target == Target::Own {
        &f.site_a
    } else {
        &f.site_b
    };
    let unit = if target == Target::Own {
        &f.unit_a
    } else {
        &f.unit_b
    };
    match action {
        Action::OrgList => app.get("/orgs", &login).await.status,
        Action::OrgView => app.get(&format!("/orgs/{}", site.id), &login).await.status,
        Action::OrgEdit => {
            // The version the form would carry: earlier roles' edits moved it on.
            let (v,): (i64,) = app
                .db
                .fetch_one(&Q::new("SELECT row_version FROM org WHERE id = $1").bind(site.id))
                .await
                .expect("version");
            app.post(
                &format!("/orgs/{}", site.id),
                &login,
                &[
                    ("kind", "site"),
                    ("name", "改名后的库点"),
                    ("sort_order", "1"),
                    ("row_version", &v.to_string()),
                ],
            )
            .await
            .status
        }
        Action::UserList => app.get("/users", &login).await.status,
        Action::UserView => {
            let other = app
                .user(
                    &format!("peer_{:?}_{}", target, role.code()).to_lowercase(),
                    Role::Inspector,
                    unit.id,
                )
                .await;
            app.get(&format!("/users/{}", other.id), &login)
                .await
                .status
        }
        Action::SessionList => app.get("/sessions", &login).await.status,
        Action::AuditList => app.get("/audit", &login).await.status,
        Action::ApiOrgView => {
            let token = app.token_for(&me).await;
            app.api(
                Method::GET,
                &format!("/api/v1/orgs/{}", site.id),
                Some(&token),
                None,
            )
            .await
            .status
        }
    }
}

#[tokio::test]
async fn every_role_every_action_own_and_other_organisation() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let mut failures = Vec::new();
    for (role, allowed) in MATRIX {
        for (i, action) in ACTIONS.into_iter().enumerate() {
            let targets: &[Target] = if takes_target(action) {
                &[Target::Own, Target::Other]
            } else {
                &[Target::Own]
            };
            for &target in targets {
                let expected = match (allowed[i], target) {
                    (false, _) => StatusCode::FORBIDDEN,
                    (true, Target::Own) => success(action),
                    // Outside the caller's subtree: indistinguishable from absent.
                    (true, Target::Other) => StatusCode::NOT_FOUND,
                };
                let got = perform(&app, &f, role, action, target).await;
                if got != expected {
                    failures.push(format!(
                        "{role:?} {action:?} {target:?}: expected {expected}, got {got}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "permission matrix violations:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn bureau_staff_see_the_whole_tree_unit_staff_only_their_unit() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let bureau = app.login_role(Role::BureauSupervisor, f.bureau.id).await;
    for o in [&f.unit_a, &f.site_a, &f.unit_b, &f.site_b] {
        assert_eq!(
            app.get(&format!("/orgs/{}", o.id), &bureau).await.status,
            StatusCode::OK,
            "{}",
            o.name
        );
    }
    let unit = app.login_role(Role::UnitOfficer, f.unit_a.id).await;
    let list = app.get("/orgs", &unit).await.text();
    assert!(
        list.contains("甲库点") && !list.contains("乙单位") && !list.contains("测试局"),
        "unit list is scoped"
    );
    // The unit user cannot even see its parent bureau.
    assert_eq!(
        app.get(&format!("/orgs/{}", f.bureau.id), &unit)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn written_matrix_matches_docs() {
    let doc = include_str!("../../docs/permissions.md");
    let table = anjian_domain::role::permission_matrix_markdown();
    assert!(
        doc.contains(&table),
        "docs/permissions.md must contain the matrix exactly as the code has it:\n{table}"
    );
}
