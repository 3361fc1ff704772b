//! Minimal inputs the properties found, kept as plain tests.
//!
//! The spreadsheet reader sized its grid by the farthest cell: a 600-byte .xlsx with values in
//! A1 and XFD1048576 asked the allocator for 512 GiB and the process aborted (every import route
//! took the server down); a 5 KB .xls did the same while merely being opened, because its sheets
//! are parsed eagerly; an over-long cell reference overflowed (a panic, i.e. a 500, in debug
//! builds). Each file now gets a Chinese 422 from every importer and nothing is written.

use axum::http::StatusCode;

use anjian_domain::role::Role;

use super::*;

/// A minimal .xlsx whose only worksheet holds `cells` (`(reference, text)`), written by hand so
/// that references no spreadsheet program would write can be tested.
fn raw_xlsx(cells: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut sheet = String::from("<sheetData>");
    for (r, v) in cells {
        let row: String = r.chars().filter(|c| c.is_ascii_digit()).collect();
        sheet.push_str(&format!(
            r#"<row r="{row}"><c r="{r}" t="inlineStr"><is><t>{v}</t></is></c></row>"#
        ));
    }
    sheet.push_str("</sheetData>");
    let ns = "http://schemas.openxmlformats.org";
    let parts = [
        (
            "[Content_Types].xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
            ),
        ),
        (
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}/spreadsheetml/2006/main">{sheet}</worksheet>"#
            ),
        ),
    ];
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    for (name, text) in parts {
        z.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap();
    out.into_inner()
}

/// A minimal legacy .xls (BIFF8 in an OLE compound file) with number cells at `cells`
/// (0-based row, column): one sector of FAT, one of directory, the Workbook stream padded to
/// 4096 bytes so that it lives in regular sectors.
fn raw_xls(cells: &[(u16, u16)]) -> Vec<u8> {
    fn rec(t: u16, data: &[u8]) -> Vec<u8> {
        let mut v = t.to_le_bytes().to_vec();
        v.extend((data.len() as u16).to_le_bytes());
        v.extend_from_slice(data);
        v
    }
    let bof = |dt: u16| {
        let mut d = Vec::new();
        for x in [0x0600u16, dt, 0, 0] {
            d.extend(x.to_le_bytes());
        }
        d.extend([0u8; 8]);
        rec(0x0809, &d)
    };
    let globals_len = bof(5).len() + 4 + 8 + 1 + 4;
    let mut sheet_entry = (globals_len as u32).to_le_bytes().to_vec();
    sheet_entry.extend([0, 0, 1, 0, b'S']);
    let mut stream = bof(5);
    stream.extend(rec(0x0085, &sheet_entry));
    stream.extend(rec(0x000A, &[]));
    stream.extend(bof(0x10));
    for (r, c) in cells {
        let mut d = Vec::new();
        for x in [*r, *c, 15] {
            d.extend(x.to_le_bytes());
        }
        d.extend(1.0f64.to_le_bytes());
        stream.extend(rec(0x0203, &d));
    }
    stream.extend(rec(0x000A, &[]));
    while stream.len() < 4096 {
        let n = (4096 - stream.len()).saturating_sub(4).min(8000);
        stream.extend(rec(0x1234, &vec![0; n]));
    }
    let sectors = stream.len().div_ceil(512);
    stream.resize(sectors * 512, 0);
    let (dir_sec, fat_sec) = (sectors as u32, sectors as u32 + 1);
    let mut fat: Vec<u32> = (1..sectors as u32).collect();
    fat.extend([0xFFFF_FFFE, 0xFFFF_FFFE, 0xFFFF_FFFD]);
    fat.resize(128, 0xFFFF_FFFF);
    let entry = |name: &str, kind: u8, start: u32, size: u64, child: u32| {
        let mut e: Vec<u8> = name
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect();
        let name_len = e.len() as u16;
        e.resize(64, 0);
        e.extend(name_len.to_le_bytes());
        e.extend([kind, 1]);
        for x in [0xFFFF_FFFFu32, 0xFFFF_FFFF, child] {
            e.extend(x.to_le_bytes());
        }
        e.extend([0u8; 36]);
        e.extend(start.to_le_bytes());
        e.extend(size.to_le_bytes());
        e
    };
    let mut dir = entry("Root Entry", 5, 0xFFFF_FFFE, 0, 1);
    dir.extend(entry("Workbook", 2, 0, stream.len() as u64, 0xFFFF_FFFF));
    dir.resize(512, 0);
    let mut out = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    out.extend([0u8; 16]);
    for x in [0x3Eu16, 3, 0xFFFE, 9, 6] {
        out.extend(x.to_le_bytes());
    }
    out.extend([0u8; 6]);
    for x in [0u32, 1, dir_sec, 0, 4096, 0xFFFF_FFFE, 0, 0xFFFF_FFFE, 0] {
        out.extend(x.to_le_bytes());
    }
    out.extend(fat_sec.to_le_bytes());
    for _ in 1..109 {
        out.extend(0xFFFF_FFFFu32.to_le_bytes());
    }
    out.extend(stream);
    out.extend(dir);
    out.extend(fat.iter().flat_map(|x| x.to_le_bytes()));
    out
}

/// Every import route answers 422 with a Chinese message (saying `expected` when given) and
/// nothing is written.
async fn every_importer_refuses(file: &[u8], expected: Option<&str>) {
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let user = app.user("head", Role::UnitHead, f.unit_a.id).await;
    let login = app.login_as(&user).await;
    let token = app.token_for(&user).await;
    let before = footprint(&app).await;
    let mut answers = vec![
        upload_api(&app, "/api/v1/hazards/import", &token, file, false).await,
        upload_api(&app, "/api/v1/risks/import", &token, file, false).await,
        upload_page(&app, "/hazards/import", &login, file).await,
        upload_page(&app, "/risks/import", &login, file).await,
        upload_page(&app, "/orgs/import", &login, file).await,
    ];
    for kind in anjian_domain::ledger::LedgerKind::ALL {
        let path = format!("/ledgers/{}/import", kind.segment());
        answers.push(upload_page(&app, &path, &login, file).await);
    }
    for res in answers {
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            res.text()
        );
        let m = message(&res);
        assert!(has_chinese(&m), "{m:?}");
        if let Some(e) = expected {
            assert!(m.contains(e), "{m:?} does not say {e:?}");
        }
    }
    assert_eq!(footprint(&app).await, before);
}

#[tokio::test]
async fn cells_far_apart_are_refused_without_sizing_a_grid_by_them() {
    let file = raw_xlsx(&[("A1", "单位/库点"), ("XFD1048576", "远处")]);
    every_importer_refuses(&file, Some("超出可导入的范围")).await;
}

#[tokio::test]
async fn a_cell_reference_beyond_any_integer_is_refused() {
    // Debug builds check arithmetic (the reader panics), release builds wrap (the cell lands
    // somewhere else); either way the answer is a Chinese 422.
    let file = raw_xlsx(&[("A1", "单位/库点"), ("A99999999999", "远处")]);
    every_importer_refuses(&file, None).await;
    let file = raw_xlsx(&[("ZZZZZZZZZZZZ1", "远处")]);
    every_importer_refuses(&file, None).await;
}

#[tokio::test]
async fn a_legacy_xls_is_refused_before_it_is_parsed() {
    // The same far-apart cells in the legacy format, which is parsed as soon as it is opened.
    let file = raw_xls(&[(0, 0), (65_535, 65_535)]);
    every_importer_refuses(&file, Some("另存为 .xlsx")).await;
    // A well-formed one is refused too, with the same advice.
    every_importer_refuses(&raw_xls(&[(0, 0), (1, 1)]), Some("另存为 .xlsx")).await;
}

#[tokio::test]
async fn columns_beyond_the_template_are_ignored_not_refused() {
    // A value far to the right of a valid hazard sheet: an office's own ledger may carry notes
    // there. The sheet still imports.
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let user = app.user("head", Role::UnitHead, f.unit_a.id).await;
    let token = app.token_for(&user).await;
    let today = anjian_db::hazard::today().to_string();
    let file = raw_xlsx(&[
        ("A1", "单位/库点"),
        ("B1", "隐患描述"),
        ("C1", "隐患等级"),
        ("D1", "发现日期"),
        ("E1", "整改期限"),
        ("XFD1", "备注"),
        ("A2", "甲库点"),
        ("B2", "消防通道堆放杂物"),
        ("C2", "一般"),
        ("D2", &today),
        ("E2", &today),
    ]);
    let res = upload_api(&app, "/api/v1/hazards/import", &token, &file, false).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["imported"], 1);
}

#[test]
fn a_roster_line_of_separators_only_names_nobody() {
    use anjian_db::duty::rotation::{parse_people, Person};
    assert_eq!(parse_people("，，"), Ok(vec![]));
    let p = |name: &str, phone: &str| Person {
        name: name.into(),
        phone: phone.into(),
    };
    assert_eq!(
        parse_people("张三 13800000000\n、 ，\n李四"),
        Ok(vec![p("张三", "13800000000"), p("李四", "")])
    );
}

/// GB/T 13861 names the factor "心理、生理性危险和有害因素" with the separator the register uses
/// between factors; the export writes names, so a register with that factor did not import back.
#[tokio::test]
async fn a_factor_name_holding_a_separator_reads_whole_and_round_trips() {
    use super::workbooks::{t, xlsx};
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let user = app.user("head", Role::UnitHead, f.unit_a.id).await;
    let login = app.login_as(&user).await;
    let token = app.token_for(&user).await;
    let header: Vec<String> = [
        "单位/库点",
        "风险点名称",
        "风险点类型",
        "风险描述",
        "危险有害因素",
        "评价方法",
        "L",
        "S",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let factors = "心理、生理性危险和有害因素、物的因素";
    let row = vec![
        t("甲库点"),
        t("1号仓"),
        t("场所/区域"),
        t("熏蒸作业"),
        t(factors),
        t("LS"),
        t("3"),
        t("4"),
    ];
    let res = upload_api(
        &app,
        "/api/v1/risks/import",
        &token,
        &xlsx(&[], &header, &[row]),
        false,
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let exported = app
        .get(&format!("/risks/export?org_id={}", f.site_a.id), &login)
        .await;
    let cells = super::hazard_rows::exported(&exported.body, &["危险有害因素"], "风险描述");
    assert_eq!(cells, vec![vec![factors.to_string()]]);
    let again = upload_api(&app, "/api/v1/risks/import", &token, &exported.body, false).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text());
}

/// PostgreSQL cannot store NUL in text: a keyword "%00" in a list's query string, or a cell
/// holding `_x0000_` (how .xlsx writes NUL), made the statement fail with a 500 there, while
/// SQLite stored it. NUL is now dropped from every bound text, on both backends.
#[tokio::test]
async fn nul_in_a_keyword_or_a_cell_is_dropped_not_a_server_error() {
    use super::workbooks::{t, xlsx};
    let app = TestApp::new().await;
    let f = app.fixture().await;
    let user = app.user("sup", Role::BureauSupervisor, f.bureau.id).await;
    let login = app.login_as(&user).await;
    let token = app.token_for(&user).await;
    for p in [
        "/hazards?keyword=%00",
        "/hazards?org=%00",
        "/risks?keyword=a%00",
        "/ledgers/funding?keyword=%00",
        "/checklists?keyword=%00",
        "/campaigns?keyword=%00",
    ] {
        // An organisation named by a NUL is not found (422); a NUL keyword is no keyword.
        let r = app.get(p, &login).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{p}: {}",
            r.status
        );
    }
    for p in ["/api/v1/hazards?keyword=%00", "/api/v1/risks?keyword=%00"] {
        let r = app
            .api(axum::http::Method::GET, p, Some(&token), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{p}");
    }
    let header: Vec<String> = [
        "单位",
        "投入日期",
        "使用类别",
        "金额（元）",
        "用途说明",
        "备注",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let row = vec![
        t("甲单位"),
        t("2023-03-01"),
        t("1"),
        t("10"),
        t("护\0栏"),
        t(""),
    ];
    let file = xlsx(&[], &header, &[row]);
    let preview = upload_page(&app, "/ledgers/funding/import", &login, &file).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", message(&preview));
    let token = preview_token(&preview.text());
    let confirm = app
        .post(
            "/ledgers/funding/import/confirm",
            &login,
            &[("token", token.as_str())],
        )
        .await;
    assert_eq!(confirm.status, StatusCode::SEE_OTHER);
    let (title,): (String,) = app
        .db
        .fetch_one(&Q::new("SELECT title FROM ledger_entry"))
        .await
        .unwrap();
    assert_eq!(title, "护栏");
}
