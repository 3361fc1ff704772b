//! Ledger pages: the overview with period statistics, and for every ledger the list with its
//! filters, the form (create and edit, files in the same form), the detail page, soft delete,
//! more attachments, and closing an item.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use anjian_db::ledger::{
    self, Entry, EntryDetail, LedgerInput, LedgerPage, LedgerStatistics, LedgerTodo,
};
use anjian_db::{campaign, org, DbError, FieldErrors, Page, PageReq};
use anjian_domain::ledger::{self as rules, format_hours, LedgerKind};
use anjian_domain::money::Fen;
use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use super::kind_of;
use super::view::{self, FormField, ItemRow, ListQuery, ORG_FIELD};
use crate::auth::Auth;
use crate::error::{AppError, PageError, PageResult};
use crate::extract::Id;
use crate::hazard::forms::FormData;
use crate::hazard::view::{org_options, OrgOption};
use crate::layout::{Chrome, Pager};
use crate::org_filter::{self, OrgField};
use crate::AppState;

fn render<T: Template>(status: StatusCode, t: T) -> PageResult<Response> {
    Ok((status, Html(t.render().map_err(PageError::from)?)).into_response())
}

// ---------------------------------------------------------------- overview

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OverviewQuery {
    pub period: String,
    pub org_id: String,
    /// The organisation as typed or picked (a name); links send `org_id`.
    pub org: Option<String>,
}

#[derive(Template)]
#[template(path = "ledger/index.html")]
struct OverviewPage {
    chrome: Chrome,
    period_code: String,
    period_label: String,
    period_error: Option<String>,
    org: OrgField,
    /// None when the organisation typed names none (or several): the field says so.
    s: Option<LedgerStatistics>,
    ledgers: Vec<(&'static str, &'static str)>,
    todo: Vec<LedgerTodo>,
    today: chrono::NaiveDate,
}

impl OverviewPage {
    fn hours(&self) -> String {
        format_hours(self.s.as_ref().map_or(0, |s| s.training_hours_tenths))
    }
}

pub async fn overview(
    State(state): State<AppState>,
    auth: Auth,
    Query(mut q): Query<OverviewQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let org = org_filter::settle(&state, &ctx, ORG_FIELD, &mut q.org, &mut q.org_id).await?;
    let today = ledger::today();
    let default = Period::half_year_of(today).unwrap_or(Period {
        first: today,
        last: today,
        kind: anjian_domain::period::PeriodKind::Custom,
    });
    let (period, period_error) = if q.period.trim().is_empty() {
        (default, None)
    } else {
        match Period::parse(&q.period) {
            Ok(p) => (p, None),
            Err(e) => (default, Some(e.to_string())),
        }
    };
    let org_id: Option<i64> = q.org_id.trim().parse().ok();
    // A name that matches no organisation (or several) sums nothing: the page says so on the
    // field instead of silently summing the whole scope.
    let (s, status) = if org.error.is_some() {
        (None, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        let s = ledger::statistics(&state.db, &ctx, &period, org_id).await?;
        (Some(s), StatusCode::OK)
    };
    let p = OverviewPage {
        chrome: Chrome::new(&auth, "/ledgers", "安全工作台账").crumb("/ledgers", "安全工作台账"),
        period_code: period.code(),
        period_label: period.label(),
        period_error,
        org,
        s,
        ledgers: view::ledgers(),
        todo: ledger::todo(&state.db, &ctx).await?,
        today,
    };
    render(status, p)
}

// ---------------------------------------------------------------- list

/// A row of a ledger list: the entry and the values of the columns the ledger shows.
pub struct ListRow {
    pub id: i64,
    pub org_name: String,
    pub date: String,
    pub cells: Vec<String>,
}

/// The columns a ledger's list shows besides unit and date: its first four fields.
fn list_columns(kind: LedgerKind) -> Vec<(&'static str, &'static str)> {
    kind.fields()
        .iter()
        .filter(|f| !matches!(f.widget, rules::Widget::Area(_)))
        .take(4)
        .map(|f| (f.name, f.label))
        .collect()
}

#[derive(Template)]
#[template(path = "ledger/list.html")]
struct ListPage {
    chrome: Chrome,
    kind: LedgerKind,
    q: ListQuery,
    headers: Vec<&'static str>,
    rows: Vec<ListRow>,
    pager: Pager,
    /// The count stopped at `ledger::COUNT_CAP`.
    capped: bool,
    cap: i64,
    /// A keyword too short for the index searched only the entries dated since this day.
    searched_since: Option<String>,
    org: OrgField,
    categories: Vec<(String, String)>,
    /// Rows one export writes at most, said before the download; `over_cap` when the filtered
    /// list is longer, so the page warns that the file will be cut.
    export_cap: usize,
    over_cap: bool,
    total: i64,
    query: String,
    can_record: bool,
    /// Funding: the filtered total in 元 and 万元.
    total_yuan: String,
    total_wan: String,
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    Query(mut q): Query<ListQuery>,
) -> PageResult<Response> {
    let kind = kind_of(&uri)?;
    let ctx = auth.ctx();
    let org = org_filter::settle(&state, &ctx, ORG_FIELD, &mut q.org, &mut q.org_id).await?;
    let req = PageReq::new(q.page, q.page_size);
    // A name that matches no organisation (or several) filters nothing: the page says so on the
    // field instead of silently listing the whole scope.
    let (found, status) = if org.error.is_some() {
        let empty = LedgerPage {
            page: Page {
                items: Vec::new(),
                total: 0,
                page: 1,
                page_size: req.page_size,
            },
            amount_fen_total: 0,
            capped: false,
            more: false,
            searched_since: None,
        };
        (empty, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        let found = ledger::search(&state.db, &ctx, kind, &q.filter(), req).await?;
        (found, StatusCode::OK)
    };
    let (page, sum) = (&found.page, found.amount_fen_total);
    let base = format!("/ledgers/{}", kind.segment());
    let query = q.query_string();
    let pager = if found.capped {
        Pager::capped(page, &base, &query, found.more)
    } else {
        Pager::new(page, &base, &query)
    };
    let cols = list_columns(kind);
    let rows = page
        .items
        .iter()
        .map(|e| ListRow {
            id: e.id,
            org_name: e.org_name.clone(),
            date: e.entry_date.to_string(),
            cells: cols.iter().map(|(n, _)| e.display(n)).collect(),
        })
        .collect();
    let categories = match kind {
        // Every category the bureau set, deactivated ones too: old entries still carry them.
        LedgerKind::Funding => ledger::settings::funding_categories(&state.db)
            .await?
            .into_iter()
            .map(|c| (c.code, c.label))
            .collect(),
        _ => view::category_options(kind),
    };
    // A capped count cannot tell; the export's last row then says whether the file was cut.
    let over_cap = !found.capped && page.total > super::excel::EXPORT_CAP as i64;
    let p = ListPage {
        chrome: Chrome::new(&auth, "/ledgers", kind.label())
            .crumb("/ledgers", "安全工作台账")
            .crumb(&base, kind.label())
            .notice(q.notice.as_deref()),
        kind,
        headers: cols.iter().map(|(_, l)| *l).collect(),
        rows,
        pager,
        capped: found.capped,
        cap: ledger::COUNT_CAP,
        searched_since: found.searched_since.map(|d| d.to_string()),
        org,
        categories,
        export_cap: super::excel::EXPORT_CAP,
        over_cap,
        total: page.total,
        query,
        q,
        can_record: ctx.can(Permission::LedgerRecord),
        total_yuan: Fen(sum).to_yuan_2dp(),
        total_wan: Fen(sum).to_wan_yuan_2dp(),
    };
    render(status, p)
}

// ---------------------------------------------------------------- form

#[derive(Template)]
#[template(path = "ledger/form.html")]
struct FormPage {
    chrome: Chrome,
    kind: LedgerKind,
    action: String,
    cancel: String,
    editing: bool,
    row_version: i64,
    org_id: String,
    entry_date: String,
    fields: Vec<FormField>,
    errors: FieldErrors,
    orgs: Vec<OrgOption>,
    people: Vec<(i64, String)>,
    attendees: Vec<i64>,
    items: Vec<ItemRow>,
    item_errors: Vec<String>,
    attachment_text: String,
}

impl FormPage {
    fn attending(&self, id: &i64) -> bool {
        self.attendees.contains(id)
    }
    fn items_label(&self) -> &'static str {
        rules::items_label(self.kind)
    }
}

async fn form_page(
    state: &AppState,
    auth: &Auth,
    kind: LedgerKind,
    editing: Option<&Entry>,
    input: LedgerInput,
    errors: FieldErrors,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let (title, action, cancel) = match editing {
        Some(e) => (
            format!("修改{}记录", kind.label()),
            format!("/ledgers/entries/{}", e.id),
            format!("/ledgers/entries/{}", e.id),
        ),
        None => (
            format!("新增{}记录", kind.label()),
            format!("/ledgers/{}", kind.segment()),
            format!("/ledgers/{}", kind.segment()),
        ),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let orgs = org::all_in_scope(&state.db, &ctx, false).await?;
    let campaigns = campaign::usable_for_org(&state.db, &ctx, auth.inner.user.org_id)
        .await
        .map(|v| v.into_iter().map(|c| (c.id, c.name)).collect::<Vec<_>>())
        .unwrap_or_default();
    // The use categories the bureau set (and an edited entry's own, if deactivated since).
    let funding = if kind == LedgerKind::Funding {
        let keep = editing.map(|e| e.category.as_str());
        ledger::settings::funding_choices(&state.db, keep).await?
    } else {
        Vec::new()
    };
    let people = if rules::has_attendees(kind) || rules::has_items(kind) {
        ledger::people_for_picker(&state.db, &ctx, None).await?
    } else {
        Vec::new()
    };
    let p = FormPage {
        chrome: Chrome::new(auth, "/ledgers", title.clone())
            .crumb("/ledgers", "安全工作台账")
            .crumb(format!("/ledgers/{}", kind.segment()), kind.label())
            .crumb(&action, title),
        kind,
        cancel,
        editing: editing.is_some(),
        row_version: editing.map(|e| e.row_version).unwrap_or(0),
        org_id: input.org_id.map(|i| i.to_string()).unwrap_or_default(),
        entry_date: input.entry_date.clone(),
        fields: view::form_fields(kind, &input, &errors, &campaigns, &funding),
        item_errors: view::item_errors(&errors),
        items: view::item_rows(&input),
        attendees: input.attendee_user_ids.clone(),
        attachment_text: input
            .attachment_ids
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(","),
        action,
        errors,
        orgs: org_options(&orgs, true),
        people,
    };
    render(status, p)
}

pub async fn new_page(State(state): State<AppState>, auth: Auth, uri: Uri) -> PageResult<Response> {
    let kind = kind_of(&uri)?;
    let mut input = LedgerInput {
        org_id: Some(auth.inner.user.org_id),
        entry_date: ledger::today().to_string(),
        ..Default::default()
    };
    if kind == LedgerKind::Letter {
        input.year = chrono::Datelike::year(&ledger::today()).to_string();
        input.title = "安全生产暨消防安全目标责任书".into();
    }
    form_page(&state, &auth, kind, None, input, FieldErrors::new()).await
}

/// Checks the fields first, then stores the posted files under the chosen organisation, then
/// writes. Files stored before a refusal ride along in the re-rendered form.
async fn submit(
    state: &AppState,
    auth: &Auth,
    kind: LedgerKind,
    editing: Option<&Entry>,
    data: &FormData,
) -> PageResult<Result<Entry, Response>> {
    data.check()?;
    let mut errs = FieldErrors::new();
    let mut input = view::input_from(data, kind, &mut errs);
    if !errs.is_empty() {
        return Ok(Err(
            form_page(state, auth, kind, editing, input, errs).await?
        ));
    }
    let keep = editing.map(|e| e.category.as_str());
    let funding = ledger::settings::funding_choices(&state.db, keep).await?;
    if let Err(DbError::Invalid(e)) = input.parse(kind, &funding) {
        return Ok(Err(form_page(state, auth, kind, editing, input, e).await?));
    }
    let org_id = input.org_id.unwrap_or(auth.inner.user.org_id);
    match view::store_files(state, auth, data, "files", org_id).await {
        Ok(ids) => input.attachment_ids.extend(ids),
        Err(AppError::Invalid(e)) => {
            return Ok(Err(form_page(state, auth, kind, editing, input, e).await?))
        }
        Err(e) => return Err(e.into()),
    }
    let ctx = auth.ctx();
    let res = match editing {
        Some(e) => ledger::update(&state.db, &ctx, e.id, data.row_version(), &input).await,
        None => ledger::create(&state.db, &ctx, kind, &input).await,
    };
    match res {
        Ok(e) => Ok(Ok(e)),
        Err(DbError::Invalid(e)) => Ok(Err(form_page(state, auth, kind, editing, input, e).await?)),
        Err(e) => Err(e.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    data: FormData,
) -> PageResult<Response> {
    let kind = kind_of(&uri)?;
    Ok(match submit(&state, &auth, kind, None, &data).await? {
        Ok(e) => Redirect::to(&format!("/ledgers/entries/{}?notice=created", e.id)).into_response(),
        Err(page) => page,
    })
}

pub async fn edit_page(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> PageResult<Response> {
    let d = ledger::get(&state.db, &auth.ctx(), id).await?;
    let mut input = d.entry.to_input();
    input.attendee_user_ids = d.attendees.iter().map(|(i, _)| *i).collect();
    input.items = d
        .items
        .iter()
        .map(|it| anjian_db::ledger::ItemInput {
            content: it.content.clone(),
            owner_user_id: it.owner_user_id,
            deadline: it.deadline.map(|x| x.to_string()).unwrap_or_default(),
            status: it.status.clone(),
        })
        .collect();
    let kind = d.entry.kind();
    form_page(
        &state,
        &auth,
        kind,
        Some(&d.entry),
        input,
        FieldErrors::new(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let mut e = ledger::get_row(&state.db, &auth.ctx(), id).await?;
    // A form shown again (field errors, refresh) keeps the version it was first read at, so a
    // save after someone else's cannot slip through by way of the re-rendered page.
    e.row_version = data.row_version();
    Ok(
        match submit(&state, &auth, e.kind(), Some(&e), &data).await? {
            Ok(_) => Redirect::to(&format!("/ledgers/entries/{id}?notice=saved")).into_response(),
            Err(page) => page,
        },
    )
}

// ---------------------------------------------------------------- detail

#[derive(Template)]
#[template(path = "ledger/detail.html")]
struct DetailPage {
    chrome: Chrome,
    d: EntryDetail,
    kind: LedgerKind,
    fields: Vec<(&'static str, String)>,
    can_record: bool,
    me: i64,
    today: chrono::NaiveDate,
    wan_yuan: String,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    Query(q): Query<NoticeQuery>,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let d = ledger::get(&state.db, &ctx, id).await?;
    let kind = d.entry.kind();
    let mut fields = vec![
        ("单位", d.entry.org_name.clone()),
        (kind.date_label(), d.entry.entry_date.to_string()),
    ];
    fields.extend(
        kind.fields()
            .iter()
            .map(|f| (f.label, d.entry.display(f.name))),
    );
    let title = format!("{} #{}", kind.label(), id);
    let p = DetailPage {
        chrome: Chrome::new(&auth, "/ledgers", title.clone())
            .crumb("/ledgers", "安全工作台账")
            .crumb(format!("/ledgers/{}", kind.segment()), kind.label())
            .crumb(format!("/ledgers/entries/{id}"), title)
            .notice(q.notice.as_deref()),
        wan_yuan: d
            .entry
            .amount_fen
            .map(|f| Fen(f).to_wan_yuan_2dp())
            .unwrap_or_default(),
        kind,
        fields,
        can_record: ctx.can(Permission::LedgerRecord),
        me: auth.inner.user.id,
        today: ledger::today(),
        d,
    };
    render(StatusCode::OK, p)
}

pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let e = ledger::get_row(&state.db, &ctx, id).await?;
    data.check()?;
    ledger::delete(&state.db, &ctx, id, data.row_version()).await?;
    Ok(Redirect::to(&format!("/ledgers/{}?notice=deleted", e.kind().segment())).into_response())
}

pub async fn attach(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    let e = ledger::get_row(&state.db, &ctx, id).await?;
    data.check()?;
    if data.files_of("files").next().is_none() {
        return Err(AppError::Invalid(FieldErrors::single("files", "请选择要上传的文件")).into());
    }
    let ids = view::store_files(&state, &auth, &data, "files", e.org_id).await?;
    ledger::add_attachments(&state.db, &ctx, id, &ids).await?;
    Ok(Redirect::to(&format!("/ledgers/entries/{id}?notice=uploaded")).into_response())
}

/// Takes one attachment off an entry; the form names it in `attachment_id`.
pub async fn detach(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    let ctx = auth.ctx();
    // The entry first: an entry out of scope is not found whatever the form holds.
    ledger::get_row(&state.db, &ctx, id).await?;
    data.check()?;
    let mut errs = FieldErrors::default();
    let attachment = data.opt_i64("attachment_id", "附件", &mut errs);
    let Some(attachment) = attachment.filter(|_| errs.is_empty()) else {
        if errs.is_empty() {
            errs.add("attachment_id", "请选择要删除的附件");
        }
        return Err(AppError::Invalid(errs).into());
    };
    ledger::remove_attachment(&state.db, &ctx, id, attachment).await?;
    Ok(Redirect::to(&format!("/ledgers/entries/{id}?notice=detached")).into_response())
}

pub async fn item_done(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    data: FormData,
) -> PageResult<Response> {
    data.check()?;
    let entry = ledger::item_done(&state.db, &auth.ctx(), id).await?;
    Ok(Redirect::to(&format!("/ledgers/entries/{entry}?notice=saved")).into_response())
}
