//! The rectification notice (整改通知书) of one unit as a Word document in 公文 layout, from the
//! same data as the printable page (`hazard::notice`), so both always state the same facts.

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use anjian_db::audit::{self, Change};
use anjian_db::hazard::{self, Notice};

use crate::auth::Auth;
use crate::docx::{self, Align, Docx};
use crate::error::{AppError, PageResult};
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DocxQuery {
    org_id: String,
}

/// Dates in documents: Arabic numerals, as GB/T 9704-2012 prescribes ("2026年11月29日").
fn cn_date(d: chrono::NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// The document. Items of a site below the addressed unit name the site before the location.
pub fn document(n: &Notice) -> Docx {
    let mut d = Docx::new();
    d.title("安全生产事故隐患整改通知书");
    d.line(&n.reference, Align::Center);
    d.blank();
    d.line(&format!("{}：", n.org_name), Align::Left);
    if n.items.is_empty() {
        d.paragraph("经查，你单位目前没有未整改销号的事故隐患。请继续做好隐患排查治理工作。");
    } else {
        let overdue = if n.overdue_count > 0 {
            format!("，其中{}项已超过整改期限", n.overdue_count)
        } else {
            String::new()
        };
        d.paragraph(&format!(
            "经检查，你单位存在以下{}项事故隐患尚未整改销号{overdue}。根据《中华人民共和国安全生产法》和\
             《安全生产事故隐患排查治理暂行规定》，请你单位按照“五落实”要求（责任、措施、资金、时限、预案）\
             立即组织整改，在下列整改期限内完成，并将整改情况书面报告我单位，申请复查验收。",
            n.items.len()
        ));
        let rows: Vec<Vec<String>> = n
            .items
            .iter()
            .map(|i| {
                let place = if i.org_name != n.org_name && !i.org_name.is_empty() {
                    format!("{} {}", i.org_name, i.location).trim().to_string()
                } else {
                    i.location.clone()
                };
                let deadline = if i.overdue {
                    format!("{}（已逾期）", i.deadline)
                } else {
                    i.deadline.to_string()
                };
                vec![
                    i.seq.to_string(),
                    place,
                    i.description.clone(),
                    i.grade_label.trim_end_matches("隐患").to_string(),
                    deadline,
                    i.status_label.to_string(),
                ]
            })
            .collect();
        d.table(
            &["序号", "隐患部位", "隐患描述", "等级", "整改期限", "状态"],
            &rows,
            &[12.0, 30.0, 62.0, 14.0, 24.0, 14.0],
        );
        if let Some(e) = n.earliest_deadline {
            d.paragraph(&format!(
                "最近一项整改期限为{}。逾期未完成整改的，将依照有关规定督办。",
                cn_date(e)
            ));
        }
    }
    d.blank();
    d.line(&n.issuer_name, Align::Right);
    d.line(&cn_date(n.issued_on), Align::Right);
    d.blank();
    d.line(
        "签收人：＿＿＿＿＿＿　　签收日期：＿＿＿＿年＿＿月＿＿日",
        Align::Left,
    );
    d
}

/// GET /hazards/notice.docx?org_id=…: 404 when the organisation is outside the caller's scope.
pub async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<DocxQuery>,
) -> PageResult<Response> {
    let org_id = q
        .org_id
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::BadRequest("请选择要发整改通知书的单位或库点".into()))?;
    let ctx = auth.ctx();
    let n = hazard::notice(&state.db, &ctx, org_id).await?;
    let bytes = document(&n)
        .to_bytes()
        .map_err(|e| AppError::Internal(format!("生成 Word 文件失败：{e}")))?;
    audit::record_alone(
        &state.db,
        &ctx,
        Change::new("hazard", "", "export")
            .org(Some(org_id))
            .after(serde_json::json!({
                "format": "docx",
                "document": "整改通知书",
                "reference": n.reference,
                "items": n.items.iter().map(|i| i.hazard_id).collect::<Vec<_>>(),
            })),
    )
    .await?;
    let name = format!(
        "整改通知书_{}_{}.docx",
        n.org_name,
        n.issued_on.format("%Y%m%d")
    );
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(docx::MIME));
    h.insert(
        header::CONTENT_DISPOSITION,
        super::export::disposition("notice.docx", &name),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}
