//! The roster in the usual wall layout (日期、星期、带班领导、值班人员、联系电话): a printable page,
//! an Excel sheet and a Word document in 公文 layout, all from the same rows. Each download is
//! audited.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use anjian_db::audit::{self, Change};
use anjian_db::duty::{self, Roster};
use anjian_domain::role::Permission;

use super::roster::{day_rows, DayRow};
use crate::auth::{Access, Auth};
use crate::docx::{self, Align, Docx};
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::layout::Chrome;
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let view = Access::Perm(Permission::DutyView);
    RouteTable::default()
        .get("/duty/rosters/{id}/print", view, print)
        .get("/duty/rosters/{id}/xlsx", view, xlsx)
        .get("/duty/rosters/{id}/docx", view, docx_download)
}

/// One line (one shift) of the roster as every format shows it.
pub struct Line {
    pub date: String,
    /// The first shift of its day: print and Word show the date once per day, as on the wall.
    pub first_of_day: bool,
    pub shift: String,
    pub leader: String,
    pub officers: String,
    pub note: String,
}

fn lines(days: &[DayRow]) -> Vec<Line> {
    days.iter()
        .map(|d| Line {
            date: d.label.clone(),
            first_of_day: d.first_of_day,
            shift: d.s.label(),
            leader: if d.s.leader_phone.is_empty() {
                d.s.leader_name.clone()
            } else {
                format!("{} {}", d.s.leader_name, d.s.leader_phone)
            },
            officers: d
                .s
                .officer_list()
                .iter()
                .map(|p| format!("{} {}", p.name, p.phone).trim().to_string())
                .collect::<Vec<_>>()
                .join("；"),
            note: if d.first_of_day {
                d.holiday.clone()
            } else {
                String::new()
            },
        })
        .collect()
}

impl Line {
    /// The date cell of the print and Word layouts: empty under the day's first shift.
    pub fn day_cell(&self) -> &str {
        if self.first_of_day {
            &self.date
        } else {
            ""
        }
    }
}

async fn load(state: &AppState, auth: &Auth, id: i64) -> Result<(Roster, Vec<Line>), PageError> {
    let r = duty::get_roster(&state.db, &auth.ctx(), id).await?;
    let days = day_rows(state, auth, &r).await?;
    Ok((r, lines(&days)))
}

#[derive(Template)]
#[template(path = "duty/print.html")]
struct PrintPage {
    chrome: Chrome,
    r: Roster,
    lines: Vec<Line>,
}

async fn print(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Html<String>> {
    let (r, lines) = load(&state, &auth, id).await?;
    let p = PrintPage {
        chrome: Chrome::new(&auth, "/duty", r.name.clone())
            .crumb("/duty", "值班值守")
            .crumb(format!("/duty/rosters/{id}"), r.name.clone()),
        r,
        lines,
    };
    Ok(Html(p.render().map_err(PageError::from)?))
}

const HEADERS: [&str; 5] = ["日期", "班次", "带班领导", "值班人员", "备注"];

fn xlsx_bytes(r: &Roster, lines: &[Line]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("值班表")?;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    ws.merge_range(0, 0, 0, 4, &format!("{}{}", r.org_name, r.name), &title)?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_with_format(1, c as u16, *h, &head)?;
    }
    for (i, l) in lines.iter().enumerate() {
        let row = (i + 2) as u32;
        for (c, v) in [&l.date, &l.shift, &l.leader, &l.officers, &l.note]
            .iter()
            .enumerate()
        {
            ws.write_with_format(row, c as u16, v.as_str(), &cell)?;
        }
    }
    for (c, w) in [18.0, 16.0, 22.0, 40.0, 16.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_repeat_rows(1, 1)?;
    wb.save_to_buffer()
}

fn document(r: &Roster, lines: &[Line]) -> Docx {
    let mut d = Docx::new();
    d.title(&format!("{}{}", r.org_name, r.name));
    d.line(
        &format!("（{} 至 {}）", r.start_date, r.end_date),
        Align::Center,
    );
    d.blank();
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            vec![
                l.day_cell().to_string(),
                l.shift.clone(),
                l.leader.clone(),
                l.officers.clone(),
                l.note.clone(),
            ]
        })
        .collect();
    d.table(
        &["日期", "班次", "带班领导", "值班人员", "备注"],
        &rows,
        &[28.0, 30.0, 32.0, 46.0, 20.0],
    );
    d.blank();
    d.paragraph("值班人员须严格执行领导带班和24小时值班制度，保持通讯畅通，遇有突发事件立即报告并按规定做好信息报送。");
    d
}

async fn download(
    state: &AppState,
    auth: &Auth,
    r: &Roster,
    format: &str,
    mime: &'static str,
    bytes: Vec<u8>,
) -> PageResult<Response> {
    audit::record_alone(
        &state.db,
        &auth.ctx(),
        Change::new("duty_roster", r.id, "export")
            .org(Some(r.org_id))
            .after(serde_json::json!({ "format": format })),
    )
    .await?;
    let name = format!("{}_{}.{format}", r.org_name, r.name);
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(
        header::CONTENT_DISPOSITION,
        crate::hazard::export::disposition(&format!("roster.{format}"), &name),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

async fn xlsx(State(state): State<AppState>, auth: Auth, Id(id): Id) -> PageResult<Response> {
    let (r, lines) = load(&state, &auth, id).await?;
    let bytes = xlsx_bytes(&r, &lines)
        .map_err(|e| AppError::Internal(format!("生成 Excel 文件失败：{e}")))?;
    download(
        &state,
        &auth,
        &r,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    )
    .await
}

async fn docx_download(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> PageResult<Response> {
    let (r, lines) = load(&state, &auth, id).await?;
    let bytes = document(&r, &lines)
        .to_bytes()
        .map_err(|e| AppError::Internal(format!("生成 Word 文件失败：{e}")))?;
    download(&state, &auth, &r, "docx", docx::MIME, bytes).await
}
