//! Query strings are free-form input too: periods, dates, ids, keywords, filters and page numbers
//! arrive as whatever a hand-edited URL holds. Every GET route of the table, with parameters of
//! the names the application reads and arbitrary values (percent-encoded control characters and
//! NUL, huge numbers, wrong types, repeated names), answers without a 5xx: the page or export,
//! or a Chinese 4xx.

use axum::http::Method;

use anjian_domain::role::Role;
use anjian_web::route_table;

use super::*;

/// Parameter names the list pages, exports, statistics and API read.
const NAMES: &[&str] = &[
    "keyword",
    "q",
    "org",
    "org_id",
    "unit_id",
    "status",
    "grade",
    "level",
    "kind",
    "category",
    "method",
    "from",
    "to",
    "found_from",
    "found_to",
    "period",
    "year",
    "month",
    "date",
    "day",
    "page",
    "page_size",
    "campaign_id",
    "task_id",
    "inspection_id",
    "risk_point_id",
    "overdue",
    "due_soon",
    "todo",
    "ids",
    "flagged",
    "elevated",
    "figure",
    "notice",
    "entity",
    "action",
    "user_id",
    "actor",
    "format",
    "sort",
    "tier",
    "type",
    "standard",
    "grade_code",
    "event_kind",
    "roster_id",
    "start",
    "end",
    "first",
    "last",
];

/// Values: the notations the parsers read, wrong types, and arbitrary characters.
fn value() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(
        &[
            "2023",
            "2023H1",
            "2023h3",
            "2023Q5",
            "2023-05",
            "2023-13",
            "2023-01-01..2022-01-01",
            "2023-02-30",
            "9999-12-31",
            "0",
            "-1",
            "1",
            "99999999999999999999",
            "1e9",
            "NaN",
            "true",
            "yes",
            "on",
            "general",
            "major",
            "pending",
            "closed",
            "lec",
            "ls",
            "red",
            "%",
            "_",
            "\\",
            "'",
            "\"",
            "<script>",
            "'; DROP TABLE hazard;--",
            "一般",
            "重大",
            "甲单位",
            "\0",
            "\u{7}",
            "\u{202e}",
            "..",
            ",",
            " ",
        ][..],
    );
    let pieces = prop::collection::vec(piece, 0..4).prop_map(|v| v.concat());
    prop_oneof![
        3 => pieces.clone(),
        // A control character inside a plausible value gets past the first checks.
        1 => (pieces.clone(), prop::sample::select(&["\0", "\u{1}", "\n", "\u{7f}"][..]), pieces)
            .prop_map(|(a, c, b)| format!("{a}{c}{b}")),
        2 => prop::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
        1 => Just("9".repeat(5000)),
    ]
}

/// The names most list routes read, so that values reach their parsers often.
const COMMON: &[&str] = &[
    "keyword", "q", "org", "org_id", "period", "from", "to", "page", "status", "kind",
];

fn query() -> impl Strategy<Value = String> {
    let name = prop_oneof![2 => prop::sample::select(COMMON), 1 => prop::sample::select(NAMES)];
    prop::collection::vec((name, value()), 1..5)
        .prop_map(|pairs| serde_urlencoded::to_string(pairs).expect("query"))
}

#[test]
fn every_get_route_answers_any_query_string_without_a_server_error() {
    let rt = runtime();
    let app = rt.block_on(TestApp::new());
    let (logins, tokens, site) = rt.block_on(async {
        let f = app.fixture().await;
        let mut logins = Vec::new();
        let mut tokens = Vec::new();
        // Between them these roles reach every GET route: bureau work, unit work, organisation
        // and account management, the audit trail.
        for (i, (role, org)) in [
            (Role::BureauSupervisor, f.bureau.id),
            (Role::UnitHead, f.unit_a.id),
            (Role::SystemAdmin, f.bureau.id),
            (Role::AuditAdmin, f.bureau.id),
        ]
        .into_iter()
        .enumerate()
        {
            let u = app.user(&format!("q{i}"), role, org).await;
            logins.push(app.login_as(&u).await);
            tokens.push(app.token_for(&u).await);
        }
        (logins, tokens, f.site_a.id)
    });
    // Routes with an id take the site's id: a real organisation, and for other kinds an id that
    // does not exist (404 is an answer too).
    let routes: Vec<String> = route_table()
        .entries
        .iter()
        .filter(|e| e.method == Method::GET && !e.path.starts_with("/static/"))
        .map(|e| e.path.replace("{id}", &site.to_string()))
        .collect();
    assert!(routes.len() > 40, "the table lists the GET routes");
    // Requests here are cheap (a few milliseconds), so many cases fit the time budget.
    check(
        400,
        (0..routes.len(), 0..logins.len(), query()),
        |(r, who, q): (usize, usize, String)| {
            let path = &routes[r];
            let sep = if path.contains('?') { '&' } else { '?' };
            let uri = format!("{path}{sep}{q}");
            let res = rt.block_on(async {
                if path.starts_with("/api/") {
                    app.api(Method::GET, &uri, Some(&tokens[who]), None).await
                } else {
                    app.get(&uri, &logins[who]).await
                }
            });
            prop_assert!(
                !res.status.is_server_error(),
                "GET {uri} as #{who}: {} {}",
                res.status,
                res.text().chars().take(300).collect::<String>()
            );
            if res.status.is_client_error() {
                prop_assert!(
                    has_chinese(&message(&res)),
                    "GET {uri}: {} without a Chinese message",
                    res.status
                );
            }
            Ok(())
        },
    );
}
