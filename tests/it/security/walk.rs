//! Every GET route of the route table, requested for the sweep's world by a user whose role
//! passes the route's guard (at the bureau, so the whole tree is in scope), plus the variants a
//! page needs to show records (print views, exports with their query) and error responses.

use std::collections::BTreeMap;

use axum::http::{header, Method};

use anjian_db::Q;
use anjian_domain::role::Role;
use anjian_testkit::{Login, Resp};
use anjian_web::auth::Access;
use anjian_web::route_table;

use super::sweep::{Actor, Sweep};
use crate::routes_walk::{concrete, role_for};

pub struct Page {
    pub path: String,
    pub res: Resp,
}

impl Page {
    pub fn content_type(&self) -> String {
        self.res
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
    pub fn is_html(&self) -> bool {
        self.content_type().starts_with("text/html")
    }
    pub fn is_json(&self) -> bool {
        self.content_type().starts_with("application/json")
    }
    pub fn is_xlsx(&self) -> bool {
        self.content_type().contains("spreadsheetml")
    }
    pub fn is_docx(&self) -> bool {
        self.content_type().contains("wordprocessingml")
    }
}

/// Query strings a route needs to show the world's records (a print view of chosen hazards, an
/// export of the current filter). Routes not listed are requested bare.
fn variants(s: &Sweep, route: &str) -> Vec<String> {
    let h = s.id("/hazards/");
    let (unit_a, year) = (s.f.unit_a.id, anjian_db::hazard::today().format("%Y"));
    match route {
        "/hazards/notice" | "/hazards/notice.docx" => {
            vec![format!("?ids={h}"), format!("?org_id={unit_a}")]
        }
        "/api/v1/hazards/notice" => vec![format!("?org_id={unit_a}")],
        "/reports"
        | "/reports/download"
        | "/api/v1/reports/summary"
        | "/api/v1/reports/figures"
        | "/api/v1/reports/check" => {
            vec![
                String::new(),
                format!("?period={year}&org_id={unit_a}"),
                format!("?period={year}"),
            ]
        }
        _ => vec![String::new()],
    }
}

/// Signed-in sessions and tokens by role, made on first use.
#[derive(Default)]
pub struct Callers {
    logins: BTreeMap<String, (Login, String)>,
}

impl Callers {
    pub async fn get(&mut self, s: &Sweep, role: Role, org_id: i64) -> (Login, String) {
        let key = format!("{}@{org_id}", role.code());
        if let Some(c) = self.logins.get(&key) {
            return c.clone();
        }
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let u = s
            .app
            .user(&format!("walk{n}_{}", role.code()), role, org_id)
            .await;
        let c = (s.app.login_as(&u).await, s.app.token_for(&u).await);
        self.logins.insert(key, c.clone());
        c
    }
}

/// The world's ids, plus those the walk needs that the sweep does not make (an audit entry, a
/// session of its own).
async fn ids(s: &Sweep) -> Vec<(&'static str, i64)> {
    let mut ids = s.ids.clone();
    let (audit,): (i64,) = s
        .app
        .db
        .fetch_one(&Q::new("SELECT MAX(id) FROM audit_log WHERE org_id = $1").bind(s.f.site_a.id))
        .await
        .unwrap();
    ids.push(("/audit/", audit));
    ids
}

/// Every id of the first fragment that `path` contains.
pub fn ids_for(ids: &[(&'static str, i64)], path: &str) -> Vec<i64> {
    let frag = ids
        .iter()
        .map(|(f, _)| *f)
        .find(|f| path.contains(f))
        .unwrap_or_else(|| panic!("route {path} takes an id the security walk does not know: add it to the sweep's world"));
    let mut out: Vec<i64> = ids
        .iter()
        .filter(|(f, _)| *f == frag)
        .map(|(_, id)| *id)
        .collect();
    out.dedup();
    out
}

/// Requests every GET route (and its variants) once; error responses are kept too.
pub async fn walk(s: &Sweep) -> Vec<Page> {
    let ids = ids(s).await;
    let mut callers = Callers::default();
    let mut out = Vec::new();
    for e in route_table()
        .entries
        .into_iter()
        .filter(|e| e.method == Method::GET)
    {
        let role = match e.access {
            Access::Public | Access::SignedIn => Role::BureauSupervisor,
            a => role_for(a),
        };
        let (login, token) = callers.get(s, role, s.f.bureau.id).await;
        let bases = if e.path.contains("{id}") {
            ids_for(&ids, e.path)
                .into_iter()
                .map(|id| concrete(e.path, id))
                .collect()
        } else {
            vec![e.path.to_string()]
        };
        for (base, q) in bases
            .iter()
            .flat_map(|b| variants(s, e.path).into_iter().map(move |q| (b, q)))
        {
            let path = format!("{base}{q}");
            let res = if path.starts_with("/api/") {
                s.app.api(Method::GET, &path, Some(&token), None).await
            } else {
                s.app.get(&path, &login).await
            };
            out.push(Page { path, res });
        }
    }
    // Unit A's own to-do lists on the home page, and the answers nobody asked for: an unknown
    // page, an unknown API path, a record that is not there.
    let head = s.login(Actor::Head).await;
    for (path, who) in [
        ("/", Some(&head)),
        ("/no-such-page", Some(&head)),
        ("/hazards/999999999", Some(&head)),
        ("/login", None),
    ] {
        let res = s.app.page(Method::GET, path, who, &[]).await;
        out.push(Page {
            path: path.to_string(),
            res,
        });
    }
    let res = s
        .app
        .api(
            Method::GET,
            "/api/v1/no-such-thing",
            Some(s.token(Actor::Head)),
            None,
        )
        .await;
    out.push(Page {
        path: "/api/v1/no-such-thing".into(),
        res,
    });
    out
}
