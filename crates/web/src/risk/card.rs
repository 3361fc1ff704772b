//! The 岗位安全风险告知卡 of a risk point: a printable A4 page and the same content as a Word
//! document, both from `risk::notice_card`, so the two always say the same.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use anjian_db::audit::{self, Change};
use anjian_db::risk::{self, NoticeCard};

use super::view::cn_date;
use crate::auth::Auth;
use crate::docx::{self, Align, Docx};
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::layout::Chrome;
use crate::AppState;

#[derive(Template)]
#[template(path = "risk/card.html")]
struct CardPage {
    chrome: Chrome,
    c: NoticeCard,
    issued: String,
}

/// GET /risk-points/{id}/card
pub async fn page(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> PageResult<Html<String>> {
    let c = risk::notice_card(&state.db, &auth.ctx(), id).await?;
    let title = format!("岗位安全风险告知卡：{}", c.point_name);
    let p = CardPage {
        chrome: Chrome::new(&auth, "/risks", title.clone())
            .crumb("/risks", "风险分级管控")
            .crumb(format!("/risk-points/{id}"), c.point_name.clone())
            .crumb(format!("/risk-points/{id}/card"), "告知卡"),
        issued: cn_date(super::today()),
        c,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

/// The card as a Word document: title, then one two-column table like the printed card.
pub fn document(c: &NoticeCard, issued: chrono::NaiveDate) -> Docx {
    let mut d = Docx::new();
    d.title("岗位安全风险告知卡");
    let level = if c.colour.is_empty() {
        c.level_label.clone()
    } else {
        format!("{}（{}色）", c.level_label, c.colour)
    };
    d.line(&format!("{}　{}", c.point_name, level), Align::Center);
    let numbered = |items: Vec<String>| {
        items
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {s}", i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let risks = if c.risks.is_empty() {
        "尚未评估".to_string()
    } else {
        numbered(
            c.risks
                .iter()
                .map(|r| {
                    let mut s = if r.residual_level_label.is_empty() {
                        format!("{}（{}）", r.description, r.level_label)
                    } else {
                        format!(
                            "{}（{}；管控后剩余风险：{}）",
                            r.description, r.level_label, r.residual_level_label
                        )
                    };
                    if !r.factor_names.is_empty() {
                        s.push_str(&format!("；危险有害因素：{}", r.factor_names.join("、")));
                    }
                    if !r.consequence.is_empty() {
                        s.push_str(&format!("；可能后果：{}", r.consequence));
                    }
                    s
                })
                .collect(),
        )
    };
    let measures = numbered(
        c.measures
            .iter()
            .map(|m| format!("【{}】{}", m.type_label, m.content))
            .collect(),
    );
    let mut rows = vec![
        vec!["单位".to_string(), c.org_name.clone()],
        vec![
            "风险点".to_string(),
            format!("{}（{}）", c.point_name, c.kind_label),
        ],
    ];
    if !c.location.is_empty() {
        rows.push(vec!["位置".into(), c.location.clone()]);
    }
    rows.extend([
        vec!["风险等级".to_string(), level.clone()],
        vec!["主要风险".to_string(), risks],
        vec!["易导致的事故".to_string(), c.accident_types.join("、")],
        vec!["管控措施".to_string(), measures],
        vec!["应急措施".to_string(), c.emergency_measures.clone()],
        vec!["责任人".to_string(), c.responsible_name.clone()],
        vec!["报告电话".to_string(), c.report_phone.clone()],
    ]);
    d.table(&["项目", "内容"], &rows, &[30.0, 126.0]);
    d.blank();
    d.line(&cn_date(issued), Align::Right);
    d
}

/// GET /risk-points/{id}/card.docx (404 outside scope). Audited like every export.
pub async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let c = risk::notice_card(&state.db, &ctx, id).await?;
    let bytes = document(&c, super::today())
        .to_bytes()
        .map_err(|e| AppError::Internal(format!("生成 Word 文件失败：{e}")))?;
    audit::record_alone(
        &state.db,
        &ctx,
        Change::new("risk_point", id, "export").after(serde_json::json!({
            "format": "docx",
            "document": "岗位安全风险告知卡",
        })),
    )
    .await?;
    let name = format!("岗位安全风险告知卡_{}.docx", c.point_name);
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(docx::MIME));
    h.insert(
        header::CONTENT_DISPOSITION,
        crate::hazard::export::disposition("risk-card.docx", &name),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}
