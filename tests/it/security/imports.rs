//! Spreadsheet imports: each register's own export (full of the sweep's payloads) is uploaded to
//! its import, through the page (preview, then confirm) and through the API where there is one.
//! The preview or error table, the API's answer, and afterwards every page must show the cells'
//! text escaped. Imports are found in the route table, so a new one is swept without a change.

use axum::body::Body;
use axum::http::{header, Method, Request};

use anjian_web::auth::Access;
use anjian_web::route_table;

use super::headers::assert_security_headers;
use super::sweep::Sweep;
use super::walk::{walk, Callers};
use super::{assert_no_raw_markup, check_escaped, world, xss_payload};

fn tail(f: &super::sweep::Filled) -> &str {
    &f.value[f.value.find(&f.marker).unwrap() + f.marker.len()..]
}

fn check_page(s: &Sweep, html: &str, what: &str) -> usize {
    assert_no_raw_markup(html, what);
    s.filled
        .iter()
        .filter(|f| check_escaped(html, &f.marker, tail(f), what) > 0)
        .count()
}

async fn caller(
    s: &Sweep,
    callers: &mut Callers,
    method: Method,
    path: &str,
) -> (anjian_testkit::Login, String) {
    let e = route_table()
        .entries
        .into_iter()
        .find(|e| e.method == method && e.path == path)
        .unwrap_or_else(|| panic!("{method} {path} is not a route"));
    let role = match e.access {
        Access::Perm(_) => crate::routes_walk::role_for(e.access),
        _ => anjian_domain::role::Role::BureauSupervisor,
    };
    callers.get(s, role, s.f.bureau.id).await
}

#[tokio::test]
async fn imported_cells_are_escaped_in_previews_answers_and_pages() {
    let s = world::build(xss_payload).await;
    let mut callers = Callers::default();
    let imports: Vec<&'static str> = route_table()
        .entries
        .iter()
        .filter(|e| e.method == Method::POST && e.path.ends_with("/import"))
        .map(|e| e.path)
        .collect();
    assert!(imports.len() >= 9, "imports: {imports:?}");
    let (mut previews, mut confirmed, mut outcomes) = (0, 0, Vec::new());
    for path in imports {
        // The register's own export is the file: `/hazards/import` ← `/hazards/export`.
        let page_prefix = path.trim_end_matches("/import").replace("/api/v1", "");
        let export = format!("{page_prefix}/export");
        let (login, _) = caller(&s, &mut callers, Method::GET, &export).await;
        let file = s.app.get(&export, &login).await;
        assert!(file.status.is_success(), "GET {export}: {}", file.status);
        let (login, token) = caller(&s, &mut callers, Method::POST, path).await;
        if path.starts_with("/api/") {
            let (ct, body) =
                anjian_testkit::multipart(&[("dry_run", "true")], "export.xlsx", &file.body);
            let res = s
                .app
                .send(
                    Request::post(path)
                        .header(header::AUTHORIZATION, format!("Bearer {token}"))
                        .header(header::CONTENT_TYPE, ct)
                        .body(Body::from(body))
                        .unwrap(),
                )
                .await;
            assert!(!res.status.is_server_error(), "POST {path}: {}", res.text());
            assert!(res.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json"));
            assert_security_headers(&res, path);
            continue;
        }
        let res = s.app.upload(path, &login, "export.xlsx", &file.body).await;
        let what = format!("POST {path} ({})", res.status);
        assert!(!res.status.is_server_error(), "{what}: {}", res.text());
        assert_security_headers(&res, &what);
        let html = res.text();
        outcomes.push(format!("{path} {}", res.status.as_u16()));
        if check_page(&s, &html, &what) > 0 {
            previews += 1;
        }
        // All rows good: confirm, as the page's form does.
        if let Some(at) = html.find("name=\"token\" value=\"") {
            let t = &html[at + 20..];
            let t = &t[..t.find('"').unwrap()];
            let res = s
                .app
                .post(&format!("{path}/confirm"), &login, &[("token", t)])
                .await;
            let what = format!("POST {path}/confirm ({})", res.status);
            assert!(!res.status.is_server_error(), "{what}: {}", res.text());
            check_page(&s, &res.text(), &what);
            confirmed += usize::from(res.status.is_redirection());
        }
    }
    eprintln!("imports: {previews} previews showing payloads, {confirmed} confirmed: {outcomes:?}");
    assert!(
        previews >= 5,
        "the previews show the imported text: {previews}"
    );
    for p in walk(&s).await.iter().filter(|p| p.is_html()) {
        check_page(&s, &p.res.text(), &p.path);
    }
}
