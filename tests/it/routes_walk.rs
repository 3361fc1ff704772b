//! Walks the application's route table: every route but the public ones refuses an anonymous
//! request, and every route that takes an id answers 404 for an id outside the caller's scope.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::TestApp;
use anjian_web::auth::Access;
use anjian_web::route_table;

const PRE: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn only_login_health_static_and_the_api_description_are_public() {
    let public: BTreeSet<(String, &str)> = route_table()
        .entries
        .iter()
        .filter(|e| e.access == Access::Public)
        .map(|e| (e.method.to_string(), e.path))
        .collect();
    let expected: BTreeSet<(String, &str)> = [
        ("GET", "/login"),
        ("POST", "/login"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/static/app.css"),
        ("GET", "/static/app.js"),
        ("GET", "/api/v1/openapi.json"),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_string(), p))
    .collect();
    assert_eq!(public, expected);
}

pub(crate) fn concrete(path: &str, id: i64) -> String {
    path.replace("{id}", &id.to_string())
}

#[tokio::test]
async fn every_protected_route_refuses_an_anonymous_request() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let entries: Vec<_> = route_table()
        .entries
        .into_iter()
        .filter(|e| e.access != Access::Public)
        .collect();
    assert!(
        entries.len() > 20,
        "the table lists the application's routes"
    );
    let before = app.audit_count().await;
    for e in &entries {
        let path = concrete(e.path, f.site_a.id);
        let api = path.starts_with("/api/");
        let mut b = Request::builder().method(e.method.clone()).uri(&path);
        // Give anonymous form posts a valid pre-login CSRF pair so that the access guard, not
        // the CSRF check, is what refuses them.
        if e.method != Method::GET {
            b = b
                .header(header::COOKIE, format!("anjian_pre={PRE}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let body = if e.method == Method::GET {
            Body::empty()
        } else {
            Body::from(format!("csrf_token={PRE}"))
        };
        let res = app.send(b.body(body).unwrap()).await;
        if api {
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{} {path}", e.method);
            assert_eq!(res.json()["code"], "unauthorized");
        } else {
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{} {path}", e.method);
            assert!(
                res.location().starts_with("/login"),
                "{} {path} → {}",
                e.method,
                res.location()
            );
        }
    }
    assert_eq!(
        app.audit_count().await,
        before,
        "anonymous requests changed nothing"
    );
}

/// The first role (in matrix order) that passes the route's guard.
pub(crate) fn role_for(access: Access) -> Role {
    match access {
        Access::Perm(p) => Role::ALL
            .into_iter()
            .find(|r| r.can(p))
            .expect("some role has every permission"),
        _ => Role::UnitOfficer,
    }
}

/// Unit B's records, one per kind of id in the route table, keyed by the path fragment that
/// names the kind (e.g. "/hazards/").
pub(crate) struct Foreign {
    pub ids: Vec<(&'static str, i64)>,
    pub user: anjian_db::user::User,
}

impl Foreign {
    pub fn id_for(&self, path: &str) -> i64 {
        self.ids
            .iter()
            .find(|(frag, _)| path.contains(frag))
            .map(|(_, id)| *id)
            .unwrap_or_else(|| {
                panic!("route {path} takes an id of a kind this test does not know: teach it")
            })
    }
}

pub(crate) async fn foreign(app: &TestApp, f: &anjian_testkit::Fixture) -> Foreign {
    let b_user = app.user("b_user", Role::Inspector, f.unit_b.id).await;
    // A live session of unit B's user, for the /sessions/{id} routes.
    app.login_as(&b_user).await;
    let (b_session,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT MAX(id) FROM user_session WHERE user_id = $1").bind(b_user.id))
        .await
        .unwrap();
    let (b_audit,): (i64,) = app
        .db
        .fetch_one(&Q::new("SELECT MAX(id) FROM audit_log WHERE org_id = $1").bind(f.site_b.id))
        .await
        .unwrap();
    // A real upload (a picture, so that it has a thumbnail too): its owner can fetch it.
    let token = app.token_for(&b_user).await;
    let (ct, body) = anjian_testkit::multipart(
        &[("org_id", &f.site_b.id.to_string())],
        "b.png",
        &crate::attachments::png(8, 8),
    );
    let res = app
        .send(
            Request::post("/api/v1/attachments")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let b_attachment = res.json()["id"].as_i64().unwrap();
    // Each business module's test folder names its own unit-B records.
    let mut ids: Vec<(&'static str, i64)> = Vec::new();
    ids.extend(crate::checklist::foreign_ids(app, f).await);
    ids.extend(crate::campaign::foreign_ids(app, f).await);
    ids.extend(crate::inspection_task::foreign_ids(app, f).await);
    ids.extend(crate::inspection::foreign_ids(app, f).await);
    ids.extend(crate::hazard::foreign_ids(app, f).await);
    ids.extend(crate::risk::foreign_ids(app, f).await);
    ids.extend(crate::ledger::foreign_ids(app, f).await);
    ids.extend(crate::duty::foreign_ids(app, f).await);
    ids.extend(crate::incident::foreign_ids(app, f).await);
    ids.extend(crate::report::foreign_ids(app, f).await);
    ids.extend([
        ("/orgs/", f.site_b.id),
        ("/users/", b_user.id),
        ("/sessions/", b_session),
        ("/audit/", b_audit),
        ("/attachments/", b_attachment),
    ]);
    Foreign { ids, user: b_user }
}

#[tokio::test]
async fn every_route_with_an_id_answers_404_outside_the_callers_scope() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let b = foreign(&app, &f).await;
    let b_user = b.user.clone();
    let id_for = |path: &str| b.id_for(path);
    let entries: Vec<_> = route_table()
        .entries
        .into_iter()
        .filter(|e| e.path.contains("{id}"))
        .collect();
    assert!(entries.len() >= 10);
    let mut checked = 0;
    for e in entries {
        let role = role_for(e.access);
        let me = app
            .user(&format!("walker_{checked}"), role, f.unit_a.id)
            .await;
        let mut path = concrete(e.path, id_for(e.path));
        // A shift's edit page names the shift in its query: one of the roster's own.
        if e.path == "/duty/rosters/{id}/shift" {
            let (shift,): (i64,) = app
                .db
                .fetch_one(
                    &Q::new("SELECT MIN(id) FROM duty_shift WHERE roster_id = $1")
                        .bind(id_for(e.path)),
                )
                .await
                .unwrap();
            path = format!("{path}?shift_id={shift}");
        }
        let res = if path.starts_with("/api/") {
            let token = app.token_for(&me).await;
            let body = if path.ends_with("/move") {
                Some(serde_json::json!({"parent_id": f.unit_a.id}))
            } else if e.method == Method::PUT {
                Some(serde_json::json!({"kind": "site", "name": "越权修改"}))
            } else {
                None
            };
            app.api(e.method.clone(), &path, Some(&token), body).await
        } else {
            let login = app.login_as(&me).await;
            let a = f.unit_a.id.to_string();
            let form = [
                ("kind", "site"),
                ("name", "越权修改"),
                ("parent_id", a.as_str()),
                ("org_id", a.as_str()),
                ("role", "inspector"),
                ("phone", ""),
                ("sort_order", "0"),
            ];
            app.page(e.method.clone(), &path, Some(&login), &form).await
        };
        assert_eq!(
            res.status,
            StatusCode::NOT_FOUND,
            "{} {path} as {role:?} at unit A: {}",
            e.method,
            res.text()
        );
        // The id is real: the same request by unit B's own user of that role gets past the
        // 404 (GET only; the actions would change the records the next routes use).
        if e.method == Method::GET {
            let owner = app
                .user(&format!("owner_{checked}"), role, f.unit_b.id)
                .await;
            let res = if path.starts_with("/api/") {
                let token = app.token_for(&owner).await;
                app.api(Method::GET, &path, Some(&token), None).await
            } else {
                app.get(&path, &app.login_as(&owner).await).await
            };
            assert!(
                res.status.is_success(),
                "GET {path} as {role:?} at unit B (the owner): {} {}",
                res.status,
                res.text()
            );
        }
        checked += 1;
    }
    assert!(checked >= 10);
    // The out-of-scope records are untouched.
    let (name,): (String,) = app
        .db
        .fetch_one(&Q::new("SELECT name FROM org WHERE id = $1").bind(f.site_b.id))
        .await
        .unwrap();
    assert_eq!(name, "乙库点");
    let (disabled,): (bool,) = app
        .db
        .fetch_one(&Q::new("SELECT disabled FROM app_user WHERE id = $1").bind(b_user.id))
        .await
        .unwrap();
    assert!(!disabled);
}

/// A body as text, zip containers (xlsx, docx) unpacked.
fn readable(body: &[u8]) -> String {
    use std::io::Read;
    if !body.starts_with(b"PK\x03\x04") {
        return String::from_utf8_lossy(body).to_string();
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body)).expect("zip");
    let mut out = String::new();
    for i in 0..zip.len() {
        let _ = zip.by_index(i).unwrap().read_to_string(&mut out);
    }
    out
}

/// Ids in the query string (filters, exports, print views) are scoped like ids in the path: a
/// unit A user naming unit B's organisation, campaign, task, inspection, risk point or hazards
/// gets a refusal or an answer with nothing of unit B in it.
#[tokio::test]
async fn ids_in_the_query_of_another_unit_show_nothing_of_it() {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let b = foreign(&app, &f).await;
    let doc = app
        .api(Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .json();
    // Every query parameter of the API that carries an id, and the unit B record for it.
    let mut params: BTreeSet<String> = BTreeSet::new();
    for ops in doc["paths"].as_object().unwrap().values() {
        for p in ops["get"]["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap();
            if p["in"] == "query" && (name.ends_with("_id") || name == "ids") {
                params.insert(name.to_string());
            }
        }
    }
    let value = |name: &str| -> i64 {
        match name {
            "org_id" => f.unit_b.id,
            "ids" => b.id_for("/hazards/"),
            "campaign_id" => b.id_for("/campaigns/"),
            "task_id" => b.id_for("/inspection-tasks/"),
            "inspection_id" => b.id_for("/inspections/"),
            "risk_point_id" => b.id_for("/risk-points/"),
            "checklist_id" => b.id_for("/checklists/"),
            other => {
                panic!("query parameter {other} takes an id this test does not know: teach it")
            }
        }
    };
    let mut checked = 0;
    let routes = route_table().entries.into_iter().filter(|e| {
        e.method == Method::GET && !e.path.contains("{id}") && e.access != Access::Public
    });
    for (n, e) in routes.enumerate() {
        let me = app
            .user(&format!("q_{n}"), role_for(e.access), f.unit_a.id)
            .await;
        let (login, token) = (app.login_as(&me).await, app.token_for(&me).await);
        // The API's own parameters; pages get them all (they ignore what they do not use).
        let own: Vec<String> = match doc["paths"][e.path]["get"]["parameters"].as_array() {
            Some(ps) => ps
                .iter()
                .filter_map(|p| p["name"].as_str())
                .filter(|n| params.contains(*n))
                .map(String::from)
                .collect(),
            None if e.path.starts_with("/api/") => Vec::new(),
            None => params.iter().cloned().collect(),
        };
        for name in own {
            let path = format!("{}?{name}={}", e.path, value(&name));
            let res = if path.starts_with("/api/") {
                app.api(Method::GET, &path, Some(&token), None).await
            } else {
                app.get(&path, &login).await
            };
            assert!(
                !res.status.is_server_error(),
                "{path}: {} {}",
                res.status,
                res.text()
            );
            let text = readable(&res.body);
            for b_name in ["乙单位", "乙库点"] {
                assert!(
                    !text.contains(b_name),
                    "{path} ({}) shows unit B's {b_name}",
                    res.status
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} requests");
}
