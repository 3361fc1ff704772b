//! Any file posted to any importer: arbitrary bytes, a template with flipped or cut bytes, a
//! template whose XML was edited (cells beyond the grid, far-apart cells, bad indices, broken
//! markup) and a legacy .xls header. Each upload route answers a Chinese 4xx and writes nothing;
//! the attachment and site-plan uploads, which accept some files, answer 2xx/3xx or a Chinese
//! 4xx. A crash of the reader would show as a 500 here, or end the test process.

use anjian_domain::role::Role;
use anjian_testkit::{Login, TestApp};

use super::workbooks::{apply, damage, xlsx, Damage};
use super::*;

/// The import routes, as pages (`false`) or as the API (`true`), each with a template whose
/// header it accepts, so that damage starts from a file the route would otherwise read.
fn targets() -> Vec<(&'static str, bool, Vec<String>)> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let hazard = s(&["单位/库点", "隐患描述", "隐患等级", "发现日期", "整改期限"]);
    let risk = s(&["单位/库点", "风险点名称", "风险描述", "评价方法"]);
    let mut v = vec![
        ("/hazards/import", false, hazard.clone()),
        ("/api/v1/hazards/import", true, hazard),
        ("/risks/import", false, risk.clone()),
        ("/api/v1/risks/import", true, risk),
        (
            "/orgs/import",
            false,
            s(&["上级组织（编号或名称）", "类型（单位/库点）", "名称"]),
        ),
    ];
    for kind in anjian_domain::ledger::LedgerKind::ALL {
        let header = anjian_db::ledger::columns(kind)
            .into_iter()
            .map(|(_, l, _)| l.to_string())
            .collect();
        let path: &'static str = Box::leak(format!("/ledgers/{}/import", kind.segment()).into());
        v.push((path, false, header));
    }
    v
}

struct World {
    app: TestApp,
    login: Login,
    token: String,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    // A unit head may import everything here: hazards, risks, ledgers and the unit's sites.
    let user = app.user("unit_head_a", Role::UnitHead, f.unit_a.id).await;
    let login = app.login_as(&user).await;
    let token = app.token_for(&user).await;
    World { app, login, token }
}

#[test]
fn any_file_posted_to_an_importer_is_refused_in_chinese_and_writes_nothing() {
    let rt = runtime();
    let w = rt.block_on(world());
    let targets = targets();
    let templates: Vec<Vec<u8>> = targets
        .iter()
        .map(|(_, _, header)| {
            // Cells a reader must still place and convert, under the header it looks for.
            let row = vec![
                workbooks::t("甲库点"),
                workbooks::Cell::Number(44986.0),
                workbooks::Cell::Bool(true),
            ];
            xlsx(&[], header, &[row])
        })
        .collect();
    check(
        48,
        (0..targets.len(), damage()),
        |(i, d): (usize, Damage)| {
            let (path, api, _) = &targets[i];
            let file = apply(&templates[i], &d);
            rt.block_on(async {
                let before = footprint(&w.app).await;
                let res = if *api {
                    upload_api(&w.app, path, &w.token, &file, false).await
                } else {
                    upload_page(&w.app, path, &w.login, &file).await
                };
                // Damage that leaves a readable template (an edit inside a text cell) may import.
                if res.status.is_success() || res.status.is_redirection() {
                    return Ok(());
                }
                refused_in_chinese(&res)?;
                prop_assert_eq!(footprint(&w.app).await, before, "{} wrote on refusal", path);
                Ok(())
            })
        },
    );
}

#[test]
fn any_file_posted_as_an_attachment_or_a_site_plan_is_stored_or_refused_in_chinese() {
    let rt = runtime();
    let w = rt.block_on(world());
    let org = rt.block_on(async {
        let (id,): (i64,) = w
            .app
            .db
            .fetch_one(&Q::new("SELECT id FROM org WHERE name = '甲库点'"))
            .await
            .unwrap();
        id
    });
    // Real image headers followed by anything, so the sniffer lets them through to the decoder.
    let heads: [&[u8]; 6] = [
        b"",
        b"\xFF\xD8\xFF\xE0",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\xff\xff\0\0\xff\xff\x08\x06\0\0\0",
        b"GIF89a\xff\xff\xff\xff",
        b"RIFF\0\0\0\0WEBPVP8 ",
        b"%PDF-1.7\n",
    ];
    let paths = [
        "/api/v1/attachments".to_string(),
        "/attachments".to_string(),
        format!("/risks/map/plan?org_id={org}"),
    ];
    check(
        32,
        (
            0..heads.len(),
            prop::collection::vec(any::<u8>(), 0..1024),
            0..paths.len(),
            "\\PC{0,12}",
        ),
        |(h, tail, p, name): (usize, Vec<u8>, usize, String)| {
            let mut file = heads[h].to_vec();
            file.extend(tail);
            rt.block_on(async {
                let field = if p == 2 { "plan" } else { "file" };
                let (ct, body) = form_data(field, &name, &file);
                let req = if p == 0 {
                    Request::post(&paths[p])
                        .header(header::AUTHORIZATION, format!("Bearer {}", w.token))
                } else {
                    let sep = if paths[p].contains('?') { '&' } else { '?' };
                    Request::post(format!("{}{sep}csrf_token={}", paths[p], w.login.csrf))
                        .header(header::COOKIE, format!("anjian_session={}", w.login.cookie))
                };
                let res = w
                    .app
                    .send(
                        req.header(header::CONTENT_TYPE, ct)
                            .body(Body::from(body))
                            .unwrap(),
                    )
                    .await;
                if res.status.is_success() || res.status.is_redirection() {
                    return Ok(());
                }
                refused_in_chinese(&res)
            })
        },
    );
}
