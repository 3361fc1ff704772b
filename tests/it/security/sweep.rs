//! The body sweep: every JSON request body of the API, read from the live OpenAPI document, with
//! every string property the caller leaves out filled with a marked payload. The caller gives
//! only what must be valid (enum codes, dates, numbers, ids); `coverage` checks that what is
//! never filled is declared as such.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use anjian_db::user::User;
use anjian_domain::role::Role;
use anjian_testkit::{Fixture, Login, Resp, TestApp};

/// A field the sweep filled: `label` is `Schema.property`, `value` what was sent.
#[derive(Debug, Clone)]
pub struct Filled {
    pub marker: String,
    pub value: String,
    pub label: String,
    pub op: String,
}

/// Who sends a request of the sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Actor {
    /// System administrator at the bureau: organisations and accounts.
    Admin,
    /// Bureau supervisor: plans, registers, verifies, supervises, settings.
    Supervisor,
    /// Unit A's head: rectifies, asks for extensions.
    Head,
}

pub struct Sweep {
    pub app: TestApp,
    pub f: Fixture,
    pub doc: Value,
    payload: fn(usize) -> String,
    pub filled: Vec<Filled>,
    /// (METHOD, OpenAPI path) of every operation sent with a body.
    pub swept: BTreeSet<(String, String)>,
    /// Path fragment → id of a record of the world, as routes_walk names them.
    pub ids: Vec<(&'static str, i64)>,
    tokens: BTreeMap<Actor, String>,
    pub users: BTreeMap<Actor, User>,
    /// Every body sent, by operation (`POST /api/v1/hazards`), for replaying.
    pub sent: Vec<(String, Value)>,
}

/// `$ref` and `oneOf: [null, $ref]` resolved: the schema's name (if it has one) and the schema.
pub fn resolve<'a>(doc: &'a Value, s: &'a Value) -> (Option<String>, &'a Value) {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default().to_string();
        let target = &doc["components"]["schemas"][&name];
        return (Some(name), target);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(branches) = s.get(key).and_then(Value::as_array) {
            if let Some(b) = branches
                .iter()
                .find(|b| b.get("type") != Some(&json!("null")))
            {
                return resolve(doc, b);
            }
        }
    }
    (None, s)
}

fn has_type(s: &Value, t: &str) -> bool {
    match s.get("type") {
        Some(Value::String(x)) => x == t,
        Some(Value::Array(xs)) => xs.iter().any(|x| x == t),
        _ => false,
    }
}

/// Free text as far as the schema can tell: a string that is not an enum nor binary.
pub fn is_text(s: &Value) -> bool {
    has_type(s, "string") && s.get("enum").is_none() && s.get("format") != Some(&json!("binary"))
}

/// Every `Schema.property` that is text (or a list of text) in the JSON request bodies.
pub fn text_properties(doc: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("operations") {
            let Some(s) = op["requestBody"]["content"]["application/json"].get("schema") else {
                continue;
            };
            let (name, schema) = resolve(doc, s);
            let label = name.unwrap_or_else(|| format!("{method} {path}"));
            collect(doc, &label, schema, &mut out, 0);
        }
    }
    out
}

fn collect(doc: &Value, label: &str, s: &Value, out: &mut BTreeMap<String, String>, depth: u8) {
    let Some(props) = s.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (prop, ps) in props {
        let (name, rs) = resolve(doc, ps);
        let here = format!("{label}.{prop}");
        let items = rs.get("items").map(|i| resolve(doc, i));
        if is_text(rs) || items.as_ref().is_some_and(|(_, i)| is_text(i)) {
            out.insert(here, label.to_string());
        } else if depth < 4 {
            if let Some((iname, is)) = items {
                collect(doc, &iname.unwrap_or(here), is, out, depth + 1);
            } else if rs.get("properties").is_some() {
                collect(doc, &name.unwrap_or(here), rs, out, depth + 1);
            }
        }
    }
}

/// The value an error key such as `items[0].hazard.category` names.
fn at_path<'a>(body: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    let mut cur = body;
    for part in key.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        cur = cur.get_mut(name)?;
        if let Some(i) = index {
            cur = cur.get_mut(i)?;
        }
    }
    Some(cur)
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

fn replace_string(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from => *s = to.to_string(),
        Value::Array(a) => a.iter_mut().for_each(|x| replace_string(x, from, to)),
        Value::Object(o) => o.values_mut().for_each(|x| replace_string(x, from, to)),
        _ => {}
    }
}

/// The id of a created record: `id`, or the `id` of the first object in the answer.
pub fn created_id(v: &Value) -> i64 {
    if let Some(id) = v["id"].as_i64() {
        return id;
    }
    let ids: Vec<i64> = v
        .as_object()
        .map(|o| {
            o.values()
                .filter_map(|x| x.get("id").and_then(Value::as_i64))
                .collect()
        })
        .unwrap_or_default();
    match ids[..] {
        [id] => id,
        _ => panic!("no single id in {v}: name the record's object"),
    }
}

/// The first `key` in breadth-first order.
pub fn find_key(v: &Value, key: &str) -> Option<Value> {
    let mut queue = std::collections::VecDeque::from([v]);
    while let Some(x) = queue.pop_front() {
        if let Some(o) = x.as_object() {
            if let Some(found) = o.get(key) {
                return Some(found.clone());
            }
            queue.extend(o.values());
        }
    }
    None
}

impl Sweep {
    pub async fn new(payload: fn(usize) -> String) -> Sweep {
        let app = TestApp::new().await;
        let f = app.fixture().await;
        let doc = app
            .api(Method::GET, "/api/v1/openapi.json", None, None)
            .await
            .json();
        let mut s = Sweep {
            app,
            f,
            doc,
            payload,
            filled: Vec::new(),
            swept: BTreeSet::new(),
            ids: Vec::new(),
            tokens: BTreeMap::new(),
            users: BTreeMap::new(),
            sent: Vec::new(),
        };
        for (actor, role, org, name) in [
            (Actor::Admin, Role::SystemAdmin, s.f.bureau.id, "sw_admin"),
            (
                Actor::Supervisor,
                Role::BureauSupervisor,
                s.f.bureau.id,
                "sw_supervisor",
            ),
            (Actor::Head, Role::UnitHead, s.f.unit_a.id, "sw_head"),
        ] {
            let u = s.app.user(name, role, org).await;
            s.tokens.insert(actor, s.app.token_for(&u).await);
            s.users.insert(actor, u);
        }
        s
    }

    /// The next payload, recorded against `label` and `op`.
    pub fn next_payload(&mut self, label: &str, op: &str) -> String {
        let n = self.filled.len() + 1;
        let value = (self.payload)(n);
        self.filled.push(Filled {
            marker: super::marker(n),
            value: value.clone(),
            label: label.to_string(),
            op: op.to_string(),
        });
        value
    }

    /// A payload for a field that splits on whitespace (a roster's "name phone" lines), cut to
    /// `max` characters: the marker and the markup without the spaces.
    pub fn compact_payload(&mut self, label: &str, op: &str, max: usize) -> String {
        let v: String = self
            .next_payload(label, op)
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(max)
            .collect();
        if let Some(last) = self.filled.last_mut() {
            last.value = v.clone();
        }
        v
    }

    fn fill(&mut self, label: &str, schema: &Value, body: &mut Map<String, Value>, op: &str) {
        let doc = self.doc.clone();
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (prop, ps) in props {
            let (name, rs) = resolve(&doc, ps);
            let here = format!("{label}.{prop}");
            let items = rs.get("items").map(|i| resolve(&doc, i));
            match body.get_mut(prop) {
                Some(Value::Object(inner)) if rs.get("properties").is_some() => {
                    self.fill(&name.unwrap_or(here), rs, inner, op);
                }
                Some(Value::Array(elems)) => {
                    if let Some((iname, is)) =
                        items.filter(|(_, is)| is.get("properties").is_some())
                    {
                        let l = iname.unwrap_or(here);
                        for e in elems.iter_mut().filter_map(Value::as_object_mut) {
                            self.fill(&l, is, e, op);
                        }
                    }
                }
                Some(_) => {}
                None => {
                    if is_text(rs) {
                        let v = self.next_payload(&here, op);
                        body.insert(prop.clone(), json!(v));
                    } else if items.as_ref().is_some_and(|(_, i)| is_text(i)) {
                        let v = self.next_payload(&here, op);
                        body.insert(prop.clone(), json!([v]));
                    }
                }
            }
        }
    }

    pub fn token(&self, who: Actor) -> &str {
        &self.tokens[&who]
    }

    pub async fn login(&self, who: Actor) -> Login {
        self.app.login_as(&self.users[&who]).await
    }

    /// Sends `base` to the operation `template` (its `{id}` replaced by `id`) with every text
    /// property `base` leaves out filled; the answer must be a success.
    pub async fn send(
        &mut self,
        who: Actor,
        method: Method,
        template: &str,
        id: Option<i64>,
        base: Value,
    ) -> Value {
        let op = format!("{method} {template}");
        let m = method.as_str().to_ascii_lowercase();
        let schema = self.doc["paths"][template][&m]["requestBody"]["content"]["application/json"]
            ["schema"]
            .clone();
        assert!(
            !schema.is_null(),
            "{op}: no JSON request body in the OpenAPI document"
        );
        let doc = self.doc.clone();
        let (name, s) = resolve(&doc, &schema);
        let mut body = base;
        let obj = body.as_object_mut().expect("a body is an object");
        self.fill(&name.unwrap_or_else(|| op.clone()), s, obj, &op);
        self.swept
            .insert((method.to_string(), template.to_string()));
        let path = match id {
            Some(i) => template.replace("{id}", &i.to_string()),
            None => template.to_string(),
        };
        let mut res = self
            .app
            .api(
                method.clone(),
                &path,
                Some(&self.tokens[&who]),
                Some(body.clone()),
            )
            .await;
        // A field shorter than the payload says so (422 naming it, with its limit): it gets the
        // short form of its payload, cut to the limit, and the request is sent again.
        for _ in 0..4 {
            if !(res.status == StatusCode::UNPROCESSABLE_ENTITY
                && self.shorten(&mut body, &res.json()))
            {
                break;
            }
            res = self
                .app
                .api(
                    method.clone(),
                    &path,
                    Some(&self.tokens[&who]),
                    Some(body.clone()),
                )
                .await;
        }
        assert!(
            res.status.is_success(),
            "{op} as {who:?}: {} {}\nbody: {body}",
            res.status,
            res.text()
        );
        self.sent.push((op, body));
        res.json()
    }

    fn shorten(&mut self, body: &mut Value, err: &Value) -> bool {
        let mut changed = false;
        let Some(fields) = err["fields"].as_object() else {
            return false;
        };
        for (k, msg) in fields {
            let msg = msg.as_str().unwrap_or_default();
            // "…不能超过50个字": the limit is the last number of the message.
            let limit = msg
                .split(|c: char| !c.is_ascii_digit())
                .rfind(|d| !d.is_empty())
                .and_then(|d| d.parse::<usize>().ok());
            let Some(limit) = limit.filter(|_| msg.contains("超过") || msg.contains("字"))
            else {
                continue;
            };
            // The field named, or (when the value was derived from another field, as a hazard's
            // finder from the inspection's inspectors) every filled value over the limit.
            let sent: Vec<String> = match at_path(body, k) {
                Some(Value::String(v)) => vec![v.clone()],
                _ => {
                    let mut all = Vec::new();
                    collect_strings(body, &mut all);
                    all.into_iter()
                        .filter(|v| v.chars().count() > limit)
                        .collect()
                }
            };
            for v in sent {
                let Some(rec) = self.filled.iter_mut().rev().find(|f| f.value == v) else {
                    continue;
                };
                let end = rec.value.find(&rec.marker).unwrap_or(0) + rec.marker.len();
                let (head, rest) = rec.value.split_at(end);
                let rest = if rest == super::XSS {
                    super::XSS_SHORT
                } else {
                    rest
                };
                let short: String = format!("{head}{rest}").chars().take(limit).collect();
                rec.value = short.clone();
                replace_string(body, &v, &short);
                changed = true;
            }
        }
        changed
    }

    pub async fn get(&self, who: Actor, path: &str) -> Value {
        let res = self
            .app
            .api(Method::GET, path, Some(&self.tokens[&who]), None)
            .await;
        assert_eq!(res.status, StatusCode::OK, "GET {path}: {}", res.text());
        res.json()
    }

    /// The `row_version` the detail at `path` reports now.
    pub async fn version(&self, who: Actor, path: &str) -> i64 {
        let v = self.get(who, path).await;
        if let Some(ver) = v.get("row_version").and_then(Value::as_i64) {
            return ver;
        }
        // `/api/v1/risks/7` → `risk`: the detail's own object among its neighbours.
        let noun = path.rsplit('/').nth(1).unwrap_or_default();
        let noun = noun
            .strip_suffix("ies")
            .map(|n| format!("{n}y"))
            .unwrap_or_else(|| noun.trim_end_matches('s').to_string());
        if let Some(ver) = v[noun.as_str()]["row_version"].as_i64() {
            return ver;
        }
        // The object that is the record itself (its `id` ends the path), wherever it sits.
        let id: i64 = path
            .rsplit('/')
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or(-1);
        let mut queue = std::collections::VecDeque::from([&v]);
        while let Some(x) = queue.pop_front() {
            if let Some(o) = x.as_object() {
                if o.get("id").and_then(Value::as_i64) == Some(id) {
                    if let Some(ver) = o.get("row_version").and_then(Value::as_i64) {
                        return ver;
                    }
                }
                queue.extend(o.values());
            }
        }
        find_key(&v, "row_version")
            .and_then(|v| v.as_i64())
            .unwrap_or_else(|| panic!("no row_version at {path}"))
    }

    /// Uploads a small PDF for `org_id` under a name carrying a payload; returns its id.
    pub async fn upload(&mut self, who: Actor, org_id: i64) -> i64 {
        // A multipart header cannot carry `"` in a quoted file name, and `/` or `\` make a path
        // of it (stored as its last part: `attachment_names`); the rest of the payload goes.
        let value = self
            .next_payload("upload.file_name", "POST /api/v1/attachments")
            .replace(['"', '/', '\\'], "");
        let name = format!("{value}.pdf");
        if let Some(last) = self.filled.last_mut() {
            last.value = name.clone();
        }
        let res = upload_pdf(&self.app, &self.tokens[&who], org_id, &name).await;
        assert_eq!(res.status, StatusCode::CREATED, "upload: {}", res.text());
        res.json()["id"].as_i64().unwrap()
    }

    pub fn id_last(&self, fragment: &str) -> i64 {
        self.ids
            .iter()
            .rev()
            .find(|(f, _)| *f == fragment)
            .map(|(_, id)| *id)
            .unwrap_or_else(|| panic!("no {fragment} record in the world"))
    }

    pub fn id(&self, fragment: &str) -> i64 {
        self.ids
            .iter()
            .find(|(f, _)| *f == fragment)
            .map(|(_, id)| *id)
            .unwrap_or_else(|| panic!("no {fragment} record in the world"))
    }
}

/// A multipart upload of a one-page PDF under `name` (which may hold any characters but `"`).
pub async fn upload_pdf(app: &TestApp, token: &str, org_id: i64, name: &str) -> Resp {
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let (ct, body) = anjian_testkit::multipart(&[("org_id", &org_id.to_string())], name, pdf);
    app.send(
        axum::http::Request::post("/api/v1/attachments")
            .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
            .header(axum::http::header::CONTENT_TYPE, ct)
            .body(axum::body::Body::from(body))
            .unwrap(),
    )
    .await
}
