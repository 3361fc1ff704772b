//! The HTML forms, found on the pages of the walk rather than listed by hand: every POST form
//! with a free-text field is submitted as a browser would, its other fields as the page filled
//! them (hidden ids and versions, the selected option, dates), each text field and textarea
//! carrying a payload cut to its `maxlength`. Whatever comes back (a redirect, or the form again
//! with 422 and its messages) must show the payload escaped; then the walk runs again and
//! every page must show what the forms stored escaped. This covers the forms without a JSON
//! twin (holiday calendar, shift swaps and edits, report drafts and templates, …) too.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};

use anjian_web::route_table;

use super::headers::{assert_security_headers, tags};
use super::sweep::Sweep;
use super::walk::{walk, Callers};
use super::{assert_no_raw_markup, check_escaped, world, xss_payload, XSS, XSS_SHORT};

#[derive(Debug, Clone)]
struct Field {
    tag: String,
    name: String,
    attrs: BTreeMap<String, String>,
    options: Vec<(String, bool)>,
}

#[derive(Debug, Clone)]
struct Form {
    action: String,
    fields: Vec<Field>,
}

/// POST forms of a page with their fields, in order.
fn forms(html: &str) -> Vec<Form> {
    let mut out: Vec<Form> = Vec::new();
    let mut open = false;
    for (name, attrs) in tags(html) {
        let a: BTreeMap<String, String> = attrs.into_iter().collect();
        match name.as_str() {
            "form" => {
                open = a
                    .get("method")
                    .is_some_and(|m| m.eq_ignore_ascii_case("post"));
                if open {
                    out.push(Form {
                        action: a.get("action").cloned().unwrap_or_default(),
                        fields: Vec::new(),
                    });
                }
            }
            "/form" => open = false,
            "input" | "textarea" | "select" if open => {
                if let Some(n) = a.get("name").cloned() {
                    out.last_mut().unwrap().fields.push(Field {
                        tag: name.clone(),
                        name: n,
                        attrs: a,
                        options: Vec::new(),
                    });
                }
            }
            "option" if open => {
                if let Some(f) = out
                    .last_mut()
                    .unwrap()
                    .fields
                    .last_mut()
                    .filter(|f| f.tag == "select")
                {
                    let v = a.get("value").cloned().unwrap_or_default();
                    f.options.push((v, a.contains_key("selected")));
                }
            }
            _ => {}
        }
    }
    out
}

/// Text inputs whose value is a code or a number although the input does not say so.
const KEEP: &[&str] = &[
    "uscc",
    "username",
    "shift_start",
    "shift_hours",
    "officers_per_day",
    "period",
    "org",
    "keyword",
    "year",
];

fn is_text(f: &Field) -> bool {
    let kind = f.attrs.get("type").map(String::as_str).unwrap_or("text");
    // A roster's further shift rows (`shift_name_2`, `shift_start_3`…) stay as the page left
    // them (blank): a named row without times is refused, and the first row carries the payload.
    let further_shift =
        f.name.starts_with("shift_") && f.name.ends_with(|c: char| c.is_ascii_digit());
    (f.tag == "textarea" || (f.tag == "input" && ["text", "search"].contains(&kind)))
        && !f.attrs.contains_key("inputmode")
        && !KEEP.contains(&f.name.as_str())
        && !further_shift
}

/// The submission: what the page filled in, today for an empty date, and a payload for text.
/// `browser_default`: selects without a selected option send their first option (as a browser
/// does) rather than the first real choice; `limit` cuts every payload to that many characters.
fn fill(
    s: &mut Sweep,
    form: &Form,
    csrf: &str,
    browser_default: bool,
    limit: Option<usize>,
) -> Vec<(String, String)> {
    let today = anjian_db::hazard::today();
    let mut out = Vec::new();
    for f in &form.fields {
        let kind = f.attrs.get("type").map(String::as_str).unwrap_or("text");
        let value = f.attrs.get("value").cloned().unwrap_or_default();
        let v = match (f.tag.as_str(), kind) {
            (_, "file") | (_, "password") | (_, "submit") | (_, "button") => continue,
            // A roster's further shift rows stay blank (see `is_text`).
            _ if f.name.starts_with("shift_") && f.name.ends_with(|c: char| c.is_ascii_digit()) => {
                String::new()
            }
            ("input", "hidden") if f.name == "csrf_token" => csrf.to_string(),
            ("input", "checkbox") | ("input", "radio") => {
                if !f.attrs.contains_key("checked") {
                    continue;
                }
                value
            }
            ("input", "date") if value.is_empty() => today.to_string(),
            ("input", "datetime-local") if value.is_empty() => format!("{today}T08:30"),
            ("select", _) => f
                .options
                .iter()
                .find(|(_, sel)| *sel)
                .or_else(|| {
                    if browser_default {
                        f.options.first()
                    } else {
                        f.options.iter().find(|(v, _)| !v.is_empty())
                    }
                })
                .map(|(v, _)| v.clone())
                .unwrap_or_default(),
            _ if is_text(f) => {
                let max: usize = f
                    .attrs
                    .get("maxlength")
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(4000)
                    .min(limit.unwrap_or(4000));
                let label = format!("form {} {}", form.action, f.name);
                let full = s.next_payload(&label, &form.action);
                let v: String = if full.chars().count() <= max {
                    full
                } else {
                    full.replace(XSS, XSS_SHORT).chars().take(max).collect()
                };
                // Roster lines are "name phone": a name without spaces.
                let v = if f.name == "from_name" {
                    // A swap names someone on the shift: the roster's officer, not a new payload.
                    s.filled.pop();
                    let officer = s
                        .filled
                        .iter()
                        .find(|f| f.label == "RosterBody.officers")
                        .map(|f| f.value.clone());
                    out.push((f.name.clone(), officer.unwrap_or(v)));
                    continue;
                } else if ["leaders", "officers", "to_name", "leader_name"]
                    .contains(&f.name.as_str())
                {
                    v.replace(' ', "").chars().take(30).collect()
                } else {
                    v
                };
                s.filled.last_mut().unwrap().value = v.clone();
                v
            }
            ("input", _)
                if f.attrs.get("inputmode").is_some_and(|m| m == "tel") && value.is_empty() =>
            {
                "13800000000".into()
            }
            ("input", _) if f.attrs.contains_key("inputmode") && value.is_empty() => "1".into(),
            _ => value,
        };
        out.push((f.name.clone(), v));
    }
    out
}

/// The route an action posts to, for choosing who submits it.
fn route_of(action: &str) -> Option<anjian_web::routes::RouteEntry> {
    let path = action.split('?').next().unwrap_or("");
    route_table().entries.into_iter().find(|e| {
        e.method == Method::POST && {
            let (a, b): (Vec<&str>, Vec<&str>) =
                (e.path.split('/').collect(), path.split('/').collect());
            a.len() == b.len()
                && a.iter()
                    .zip(&b)
                    .all(|(x, y)| x == y || (*x == "{id}" && y.parse::<i64>().is_ok()))
        }
    })
}

#[tokio::test]
async fn every_form_with_text_shows_its_payload_escaped_wherever_it_lands() {
    let mut s = world::build(xss_payload).await;
    let first = s.filled.len();
    let pages = walk(&s).await;
    let mut seen_forms = BTreeSet::new();
    let mut callers = Callers::default();
    let mut outcomes: BTreeMap<String, (StatusCode, String)> = BTreeMap::new();
    for p in pages.iter().filter(|p| p.is_html()) {
        for form in forms(&p.res.text()) {
            let key = format!(
                "{} {:?}",
                form.action,
                form.fields.iter().map(|f| &f.name).collect::<Vec<_>>()
            );
            // Sign-out and ending sessions would end the walk's own sessions; forms without free
            // text carry no payload.
            if form.action.is_empty()
                || form.action == "/logout"
                || form.action.ends_with("/end")
                || !form.fields.iter().any(is_text)
                || !seen_forms.insert(key)
            {
                continue;
            }
            let Some(route) = route_of(&form.action) else {
                panic!(
                    "{}: a form posts to {} which is no route",
                    p.path, form.action
                );
            };
            let role = match route.access {
                anjian_web::auth::Access::Perm(_) => crate::routes_walk::role_for(route.access),
                _ => anjian_domain::role::Role::BureauSupervisor,
            };
            let (login, _) = callers.get(&s, role, s.f.bureau.id).await;
            // The page again, as the submitter sees it now: earlier submissions may have moved
            // the record's version.
            let again = s.app.get(&p.path, &login).await;
            // A form gone from the page (a hazard verified meanwhile has no "reject") is skipped.
            let Some(form) = forms(&again.text()).into_iter().find(|f| {
                f.action.split('?').next() == form.action.split('?').next()
                    && f.fields.len() == form.fields.len()
            }) else {
                continue;
            };
            // Upload forms carry the token in their action (their body is not read for it).
            let action = match form.action.split_once("csrf_token=") {
                Some((head, _)) => format!("{head}csrf_token={}", login.csrf),
                None => form.action.clone(),
            };
            // The first real choice of each select, then the browser's defaults, each also with
            // payloads cut to 30 characters (fields whose limit the page does not state).
            let mut res = None;
            for (browser_default, limit) in [
                (false, None),
                (false, Some(30)),
                (true, None),
                (true, Some(30)),
            ] {
                let body = fill(&mut s, &form, &login.csrf, browser_default, limit);
                let pairs: Vec<(&str, &str)> =
                    body.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let r = s
                    .app
                    .page(Method::POST, &action, Some(&login), &pairs)
                    .await;
                assert!(
                    !r.status.is_server_error(),
                    "POST {action} {}: {pairs:?}",
                    r.status
                );
                assert_no_raw_markup(&r.text(), &format!("POST {action}"));
                let done = r.status != StatusCode::UNPROCESSABLE_ENTITY;
                res = Some(r);
                if done {
                    break;
                }
            }
            let res = res.unwrap();
            let what = format!("POST {} (from {}) {}", form.action, p.path, res.status);
            assert!(!res.status.is_server_error(), "{what}: {}", res.text());
            assert_security_headers(&res, &what);
            let html = res.text();
            assert_no_raw_markup(&html, &what);
            for f in &s.filled[first..] {
                let tail = &f.value[f.value.find(&f.marker).unwrap() + f.marker.len()..];
                check_escaped(&html, &f.marker, tail, &what);
            }
            let msg = match html
                .find("field-error")
                .or_else(|| html.find("class=\"error"))
            {
                Some(at) if res.status == StatusCode::UNPROCESSABLE_ENTITY => {
                    super::snippet(&html, at + 60, 60).to_string()
                }
                _ => res.location(),
            };
            outcomes.insert(
                action.split('?').next().unwrap_or_default().to_string(),
                (res.status, msg),
            );
        }
    }
    // What the forms stored, on every page.
    let mut shown = BTreeSet::new();
    for p in walk(&s).await.iter().filter(|p| p.is_html()) {
        let html = p.res.text();
        assert_no_raw_markup(&html, &p.path);
        for f in &s.filled[first..] {
            let tail = &f.value[f.value.find(&f.marker).unwrap() + f.marker.len()..];
            if check_escaped(&html, &f.marker, tail, &p.path) > 0 {
                shown.insert(f.op.clone());
            }
        }
    }
    let stored: Vec<&String> = outcomes
        .iter()
        .filter(|(_, (st, _))| st.is_redirection())
        .map(|(a, _)| a)
        .collect();
    eprintln!(
        "forms: {} submitted, {} stored, {} shown again on pages; refused: {:?}",
        outcomes.len(),
        stored.len(),
        shown.len(),
        outcomes
            .iter()
            .filter(|(_, (st, _))| !st.is_redirection())
            .collect::<Vec<_>>()
    );
    assert!(
        outcomes.len() >= 40,
        "the walk's pages hold the application's forms"
    );
    assert!(
        stored.len() * 2 >= outcomes.len(),
        "most forms take the payloads"
    );
}
