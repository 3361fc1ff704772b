//! The OpenAPI document: public, valid OpenAPI 3 JSON whose error responses all use the one error
//! schema, identical to the stored snapshot, and listing exactly the API routes.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;

use anjian_testkit::TestApp;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/it/snapshots/openapi.json");
const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Pretty JSON with object keys sorted at every level, whatever map type serde_json was built
/// with: the snapshot must not change because of key order.
fn canonical(v: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent + 1);
    match v {
        Value::Object(m) if !m.is_empty() => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push_str("{\n");
            for (i, k) in keys.iter().enumerate() {
                out.push_str(&pad);
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push_str(": ");
                canonical(&m[k.as_str()], indent + 1, out);
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&"  ".repeat(indent));
            out.push('}');
        }
        Value::Array(a) if !a.is_empty() => {
            out.push_str("[\n");
            for (i, x) in a.iter().enumerate() {
                out.push_str(&pad);
                canonical(x, indent + 1, out);
                if i + 1 < a.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&"  ".repeat(indent));
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).unwrap()),
    }
}

async fn openapi(app: &TestApp) -> Value {
    let res = app
        .send(
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.headers
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "served as JSON"
    );
    serde_json::from_slice(&res.body)
        .unwrap_or_else(|e| panic!("openapi.json is not valid JSON: {e}"))
}

// ---------------------------------------------------------------- the document

#[tokio::test]
async fn openapi_document_is_public_valid_json_of_version_3() {
    let app = TestApp::new().await;
    let doc = openapi(&app).await;
    let version = doc["openapi"].as_str().expect("openapi version field");
    assert!(version.starts_with("3."), "{version}");
    assert!(!doc["info"]["title"].as_str().unwrap_or("").is_empty());
    assert!(
        doc["paths"].as_object().is_some_and(|p| !p.is_empty()),
        "has paths"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer",
        "documents Bearer auth"
    );
    // Every error response points at the one error schema.
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            for (status, r) in op["responses"]
                .as_object()
                .unwrap_or_else(|| panic!("{method} {path} has responses"))
            {
                if status.starts_with('4') {
                    let schema = &r["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn openapi_document_matches_the_snapshot() {
    let app = TestApp::new().await;
    let mut text = String::new();
    canonical(&openapi(&app).await, 0, &mut text);
    text.push('\n');
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(std::path::Path::new(SNAPSHOT).parent().unwrap()).unwrap();
        std::fs::write(SNAPSHOT, &text).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(SNAPSHOT)
        .unwrap_or_else(|e| panic!("{SNAPSHOT}: {e}; create it with UPDATE_SNAPSHOTS=1"));
    if stored != text {
        let (line, (want, got)) = stored
            .lines()
            .zip(text.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, p)| (i + 1, p))
            .unwrap_or((
                stored.lines().count().min(text.lines().count()) + 1,
                ("<end>", "<end>"),
            ));
        panic!(
            "the OpenAPI document changed (first difference at line {line}):\n  snapshot: {want}\n  now:      {got}\n\
             If the change is intended, run with UPDATE_SNAPSHOTS=1 and commit {SNAPSHOT}."
        );
    }
}

#[tokio::test]
async fn openapi_paths_are_exactly_the_api_routes() {
    let app = TestApp::new().await;
    let doc = openapi(&app).await;
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if HTTP_METHODS.contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let routed: BTreeSet<(String, String)> = anjian_web::route_table()
        .entries
        .iter()
        .filter(|e| e.path.starts_with("/api/v1") && e.path != "/api/v1/openapi.json")
        .map(|e| (e.method.as_str().to_string(), e.path.to_string()))
        .collect();
    assert!(routed.len() > 5, "the route table has API routes");
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let phantom: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty() && phantom.is_empty(),
        "spec and routes drifted.\n  routes missing from the spec: {undocumented:?}\n  spec entries without a route: {phantom:?}"
    );
}

/// Merging the modules' parts keeps the first schema of each name, so a name two modules use for
/// different shapes would make one of them document the other's responses (schemathesis caught
/// `StatisticsDto` of the ledgers describing the incident statistics). Every name must mean one
/// schema, in the core document and across every module.
#[test]
fn no_two_modules_give_one_schema_name_to_different_schemas() {
    use std::collections::BTreeMap;
    let core = anjian_web::api::core_document();
    let mut seen: BTreeMap<String, (usize, Value)> = BTreeMap::new();
    let mut clashes = Vec::new();
    let parts = std::iter::once(core).chain(anjian_web::api::module_parts());
    for (i, part) in parts.enumerate() {
        let Some(components) = part.components else {
            continue;
        };
        for (name, schema) in components.schemas {
            let v = serde_json::to_value(&schema).unwrap();
            match seen.get(&name) {
                Some((j, other)) if *other != v => {
                    clashes.push(format!("{name} (parts {j} and {i})"))
                }
                Some(_) => {}
                None => {
                    seen.insert(name, (i, v));
                }
            }
        }
    }
    assert!(
        clashes.is_empty(),
        "schema names used for different schemas: {clashes:?}"
    );
}
