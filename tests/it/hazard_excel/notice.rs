//! The rectification notice as a Word document: the unit's open hazards (XML-escaped), the
//! issuer and date, audited; another unit's notice is not found.

use axum::http::StatusCode;

use anjian_web::docx::MIME;

use super::*;
use crate::hazard::{register, world};

#[tokio::test]
async fn the_docx_notice_lists_the_units_open_hazards_escaped() {
    let w = world().await;
    let app = &w.app;
    let tricky = "配电箱<未上锁> & \"线路\" 老化'";
    register(app, &w.officer, w.f.site_a.id, tricky, -4, 3).await;
    register(app, &w.officer, w.f.unit_a.id, "消防栓被遮挡", -2, -1).await;
    register(app, &w.officer_b, w.f.site_b.id, "乙库点照明不足", -2, 5).await;
    let officer = login(app, &w.officer).await;

    let res = app
        .get(
            &format!("/hazards/notice.docx?org_id={}", w.f.unit_a.id),
            &officer,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.headers[header::CONTENT_TYPE].to_str().unwrap(), MIME);
    let cd = res.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        cd.starts_with("attachment; filename=\"notice.docx\"; filename*=UTF-8''"),
        "{cd}"
    );
    let doc = zip_part(&res.body, "word/document.xml");
    assert!(doc.contains("安全生产事故隐患整改通知书"));
    assert!(doc.contains("甲单位："));
    assert!(
        doc.contains("配电箱&lt;未上锁&gt; &amp; &quot;线路&quot; 老化&apos;"),
        "the description, escaped"
    );
    assert!(!doc.contains("<未上锁>"), "never raw markup");
    assert!(doc.contains("消防栓被遮挡"));
    assert!(doc.contains("（已逾期）"), "the overdue item says so");
    assert!(!doc.contains("乙库点照明不足"));
    // The site's item names the site; the issuer is the caller's organisation; a 公文 date.
    assert!(doc.contains("甲库点"));
    let today = anjian_db::hazard::today();
    assert!(doc.contains(&today.format("%Y年%-m月%-d日").to_string()));
    let a = app.last_audit().await;
    assert_eq!((a.entity.as_str(), a.action.as_str()), ("hazard", "export"));
    assert!(a.after_json.unwrap().contains("docx"));

    // Another unit's notice does not exist for unit A; no organisation is a bad request.
    for org in [w.f.unit_b.id, w.f.site_b.id, w.f.bureau.id] {
        let res = app
            .get(&format!("/hazards/notice.docx?org_id={org}"), &officer)
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "org {org}");
    }
    let res = app.get("/hazards/notice.docx", &officer).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);

    // The printable page links the Word version.
    let page = app
        .get(
            &format!("/hazards/notice?org_id={}", w.f.unit_a.id),
            &officer,
        )
        .await;
    assert!(page
        .text()
        .contains(&format!("/hazards/notice.docx?org_id={}", w.f.unit_a.id)));
}
