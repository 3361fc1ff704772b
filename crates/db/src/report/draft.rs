//! Drafts of the summary: the generated narrative saved for people to edit before export, with
//! every save kept as a version (`report_draft_version`, append-only) and the figures as they
//! stood when the draft was made (`figures_json`). Figures stay linked while edited: the text
//! keeps them as markers (`marker`), and comparing the snapshot with today's figures shows which
//! changed since.
//!
//! A draft belongs to the organisation whose subtree it summarises; whoever cannot see that
//! organisation cannot see the draft (404). A stale save is refused, never merged.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use anjian_domain::period::Period;
use anjian_domain::role::Permission;

use super::engine::FIGURE_KEYS;
use super::templates::actor_name;
use super::text::{Paragraph, Section, Summary};
use super::{marker, Figures};
use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Q};
use crate::{Ctx, Page, PageReq};

/// Limits of an edited draft, generous for a summary of a few pages.
const MAX_TITLE: usize = 100;
const MAX_HEADING: usize = 100;
const MAX_SECTIONS: usize = 40;
const MAX_SECTION_TEXT: usize = 20_000;
const MAX_NOTE: usize = 200;

/// One section of a draft: its heading (empty for the opening), its level (0 opening, 1 for
/// 一、, 2 for （一）) and its paragraphs, one a line, figures as markers `【80|inspections】`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ReportDraftSection)]
pub struct DraftSection {
    pub heading: String,
    pub level: u8,
    pub text: String,
}

/// The narrative of one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ReportDraftContent)]
pub struct DraftContent {
    pub title: String,
    pub sections: Vec<DraftSection>,
}

impl DraftContent {
    /// The generated summary as editable text.
    pub fn from_summary(s: &Summary) -> DraftContent {
        DraftContent {
            title: s.title.clone(),
            sections: s
                .sections
                .iter()
                .map(|x| DraftSection {
                    heading: x.heading.clone(),
                    level: x.level,
                    text: x
                        .paragraphs
                        .iter()
                        .map(marker::to_text)
                        .collect::<Vec<_>>()
                        .join("\n"),
                })
                .collect(),
        }
    }

    /// Back to a summary (for the HTML view and the exports): each non-empty line a paragraph,
    /// markers as figure segments.
    pub fn to_summary(&self) -> Summary {
        Summary {
            title: self.title.clone(),
            sections: self
                .sections
                .iter()
                .enumerate()
                .map(|(i, x)| Section {
                    heading: x.heading.clone(),
                    level: x.level,
                    paragraphs: x
                        .text
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .enumerate()
                        .map(|(j, l)| Paragraph {
                            key: format!("s{i}.p{j}"),
                            segments: marker::parse(l),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// A draft with its latest version's title.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Draft {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: String,
    /// Period code, e.g. 2023H1.
    pub period: String,
    pub title: String,
    #[serde(skip)]
    pub figures_json: String,
    /// The latest version's number.
    pub row_version: i64,
    pub created_at: DateTime<Utc>,
    pub created_by_name: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by_name: String,
}

impl Draft {
    /// The figures as they stood when the draft was generated. A figure added by a later
    /// release is missing from an older snapshot: it reads as its default rather than losing the
    /// whole snapshot.
    pub fn figures(&self) -> Figures {
        let mut v = serde_json::to_value(Figures::default()).unwrap_or_default();
        if let (Some(all), Ok(serde_json::Value::Object(saved))) = (
            v.as_object_mut(),
            serde_json::from_str::<serde_json::Value>(&self.figures_json),
        ) {
            all.extend(saved);
        }
        serde_json::from_value(v).unwrap_or_default()
    }

    pub fn period(&self) -> Result<Period> {
        Period::parse(&self.period).map_err(|e| DbError::Other(e.to_string()))
    }

    pub fn period_label(&self) -> String {
        self.period().map(|p| p.label()).unwrap_or_default()
    }
}

/// One saved version, without its narrative (the version list).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct DraftVersionInfo {
    pub version: i64,
    pub title: String,
    pub note: String,
    pub saved_at: DateTime<Utc>,
    pub saved_by_name: String,
}

/// One saved version with its narrative.
#[derive(Debug, Clone, Serialize)]
pub struct DraftVersion {
    #[serde(flatten)]
    pub info: DraftVersionInfo,
    pub content: DraftContent,
}

/// A new version as people send it: the version it was edited from, the narrative, a note.
#[derive(Debug, Clone, Default)]
pub struct DraftInput {
    pub row_version: i64,
    pub title: String,
    pub sections: Vec<DraftSection>,
    pub note: String,
}

/// A figure whose value today differs from the draft's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ReportDraftFigureChange)]
pub struct FigureChange {
    pub key: String,
    pub label: String,
    /// As the draft's snapshot shows it.
    pub was: String,
    /// As the records show it now.
    pub now: String,
}

/// The figures whose shown value changed between the snapshot and now. A figure the reader
/// cannot see now ("—") is not called changed: that is their permission, not the records.
pub fn figure_changes(snapshot: &Figures, current: &Figures) -> Vec<FigureChange> {
    FIGURE_KEYS
        .iter()
        .filter_map(|(key, label, _)| {
            let was = snapshot.display(key);
            let now = current.display(key);
            (was != now && now != "—").then(|| FigureChange {
                key: key.to_string(),
                label: label.to_string(),
                was,
                now,
            })
        })
        .collect()
}

const SELECT: &str = "SELECT d.id, d.org_id, o.name AS org_name, o.path AS org_path, d.period, \
     d.title, d.figures_json, d.row_version, d.created_at, d.created_by_name, d.updated_at, \
     d.updated_by_name FROM report_draft d JOIN org o ON o.id = d.org_id";

/// The organisation a new draft summarises: `org_id` if in scope, the caller's own, or for the
/// command line the root of the tree.
async fn draft_org(db: &Db, ctx: &Ctx, org_id: Option<i64>) -> Result<i64> {
    let row: Option<(i64,)> = match org_id.or(ctx.org_id()) {
        Some(id) => {
            db.fetch_optional(
                &Q::new("SELECT id FROM org WHERE id = $1 AND path LIKE $2")
                    .bind(id)
                    .bind(ctx.scope_like()),
            )
            .await?
        }
        None => {
            db.fetch_optional(&Q::new(
                "SELECT id FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1",
            ))
            .await?
        }
    };
    row.map(|(id,)| id).ok_or(DbError::NotFound)
}

/// Saves the summary of `period` for the subtree of `org_id` as a new draft (version 1), in the
/// wording in force, with the figures snapshot.
pub async fn create(db: &Db, ctx: &Ctx, period: &Period, org_id: Option<i64>) -> Result<Draft> {
    ctx.require(Permission::ReportWrite)?;
    let org = draft_org(db, ctx, org_id).await?;
    let figures = super::figures(db, ctx, period, Some(org)).await?;
    let (summary, _) = super::templates::summary(db, ctx, &figures).await?;
    let content = DraftContent::from_summary(&summary);
    let figures_json =
        serde_json::to_string(&figures).map_err(|e| DbError::Other(e.to_string()))?;
    let content_json =
        serde_json::to_string(&content).map_err(|e| DbError::Other(e.to_string()))?;
    let now = crate::now();
    let who = actor_name(ctx);
    let mut tx = db.begin().await?;
    let (id,): (i64,) = tx
        .fetch_one(
            &Q::new(
                "INSERT INTO report_draft (org_id, period, title, figures_json, row_version, \
                 created_at, created_by, created_by_name, updated_at, updated_by_name) \
                 VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $5, $7) RETURNING id",
            )
            .bind(org)
            .bind(period.code())
            .bind(content.title.clone())
            .bind(figures_json)
            .bind(now)
            .bind(ctx.user_id())
            .bind(who.clone()),
        )
        .await?;
    insert_version(
        &mut tx,
        ctx,
        id,
        1,
        &content,
        "由系统记录生成",
        &content_json,
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("report_draft", id, "create")
            .org(Some(org))
            .after(serde_json::json!({
                "period": period.code(),
                "version": 1,
                "title": content.title,
                "figures": figures,
            })),
    )
    .await?;
    tx.commit().await?;
    get(db, ctx, id).await
}

async fn insert_version(
    tx: &mut crate::Tx,
    ctx: &Ctx,
    draft_id: i64,
    version: i64,
    content: &DraftContent,
    note: &str,
    content_json: &str,
) -> Result<()> {
    tx.execute(
        &Q::new(
            "INSERT INTO report_draft_version (draft_id, version, title, content_json, note, \
             saved_at, saved_by, saved_by_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(draft_id)
        .bind(version)
        .bind(content.title.clone())
        .bind(content_json)
        .bind(note)
        .bind(crate::now())
        .bind(ctx.user_id())
        .bind(actor_name(ctx)),
    )
    .await?;
    Ok(())
}

/// Drafts in the caller's scope, latest saved first; `period` narrows to one period code.
pub async fn list(db: &Db, ctx: &Ctx, period: Option<&str>, req: PageReq) -> Result<Page<Draft>> {
    ctx.require(Permission::HazardView)?;
    // Drafts store the period's code: "2023h1" finds "2023H1".
    let period: Option<String> = period.map(str::trim).filter(|p| !p.is_empty()).map(|p| {
        Period::parse(p)
            .map(|x| x.code())
            .unwrap_or_else(|_| p.to_string())
    });
    let filtered = |head: &str| {
        let mut q = Q::new(head);
        q.push(" WHERE o.path LIKE ").push_arg(ctx.scope_like());
        if let Some(p) = &period {
            q.push(" AND d.period = ").push_arg(p.clone());
        }
        q
    };
    let count = filtered("SELECT COUNT(*) FROM report_draft d JOIN org o ON o.id = d.org_id");
    crate::checklist::fields::paged(
        db,
        &count,
        filtered(SELECT),
        "d.updated_at DESC, d.id DESC",
        req,
    )
    .await
}

/// One draft in the caller's scope (NotFound otherwise).
pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> Result<Draft> {
    ctx.require(Permission::HazardView)?;
    db.fetch_optional(
        &Q::new(&format!("{SELECT} WHERE d.id = $1 AND o.path LIKE $2"))
            .bind(id)
            .bind(ctx.scope_like()),
    )
    .await?
    .ok_or(DbError::NotFound)
}

/// The versions of a draft, newest first.
pub async fn versions(db: &Db, ctx: &Ctx, id: i64) -> Result<Vec<DraftVersionInfo>> {
    get(db, ctx, id).await?;
    db.fetch_all(
        &Q::new(
            "SELECT version, title, note, saved_at, saved_by_name FROM report_draft_version \
             WHERE draft_id = $1 ORDER BY version DESC",
        )
        .bind(id),
    )
    .await
}

/// Version `n` of a draft (the latest when `None`).
pub async fn version(db: &Db, ctx: &Ctx, id: i64, n: Option<i64>) -> Result<DraftVersion> {
    let d = get(db, ctx, id).await?;
    let n = n.unwrap_or(d.row_version);
    let row: Option<(i64, String, String, DateTime<Utc>, String, String)> = db
        .fetch_optional(
            &Q::new(
                "SELECT version, title, note, saved_at, saved_by_name, content_json \
                 FROM report_draft_version WHERE draft_id = $1 AND version = $2",
            )
            .bind(id)
            .bind(n),
        )
        .await?;
    let (version, title, note, saved_at, saved_by_name, json) = row.ok_or(DbError::NotFound)?;
    let content: DraftContent =
        serde_json::from_str(&json).map_err(|e| DbError::Other(e.to_string()))?;
    Ok(DraftVersion {
        info: DraftVersionInfo {
            version,
            title,
            note,
            saved_at,
            saved_by_name,
        },
        content,
    })
}

/// Checks an edited narrative: Chinese messages per field (`title`, `heading_N`, `text_N`,
/// `note`, `sections`). Lines are trimmed and empty lines dropped, as the summary reads them.
pub fn parse_input(input: &DraftInput) -> std::result::Result<DraftContent, FieldErrors> {
    let mut errs = FieldErrors::new();
    let title = input.title.trim().to_string();
    if title.is_empty() {
        errs.add("title", "标题不能为空");
    } else if title.chars().count() > MAX_TITLE {
        errs.add("title", format!("标题不能超过{MAX_TITLE}字"));
    }
    if input.sections.is_empty() || input.sections.len() > MAX_SECTIONS {
        errs.add("sections", format!("正文应有1至{MAX_SECTIONS}节"));
    }
    if input.note.chars().count() > MAX_NOTE {
        errs.add("note", format!("修改说明不能超过{MAX_NOTE}字"));
    }
    let mut sections = Vec::new();
    for (i, s) in input.sections.iter().enumerate() {
        let heading = s.heading.trim().to_string();
        if heading.chars().count() > MAX_HEADING {
            errs.add(
                &format!("heading_{i}"),
                format!("第{}节标题不能超过{MAX_HEADING}字", i + 1),
            );
        }
        if s.level > 2 {
            errs.add(&format!("heading_{i}"), format!("第{}节层级有误", i + 1));
        }
        if s.level > 0 && heading.is_empty() {
            errs.add(
                &format!("heading_{i}"),
                format!("第{}节标题不能为空", i + 1),
            );
        }
        let text = s
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        if text.chars().count() > MAX_SECTION_TEXT {
            errs.add(
                &format!("text_{i}"),
                format!("第{}节正文不能超过{MAX_SECTION_TEXT}字", i + 1),
            );
        }
        sections.push(DraftSection {
            heading,
            level: s.level,
            text,
        });
    }
    if !sections.is_empty() && sections.iter().all(|s| s.text.is_empty()) {
        errs.add("text_0", "正文不能为空");
    }
    if errs.is_empty() {
        Ok(DraftContent { title, sections })
    } else {
        Err(errs)
    }
}

/// Saves an edited narrative as the next version, refusing an edit made from an older version
/// than the latest. An unchanged narrative saves nothing. Audited in the same transaction.
pub async fn save_version(db: &Db, ctx: &Ctx, id: i64, input: &DraftInput) -> Result<Draft> {
    ctx.require(Permission::ReportWrite)?;
    let d = get(db, ctx, id).await?;
    let content = parse_input(input).map_err(DbError::Invalid)?;
    let stale = |d: &Draft| {
        DbError::Conflict(format!(
            "该草稿已由{}保存为第{}版，您是在第{}版上修改的，本次修改未保存。请打开最新版本后再修改",
            d.updated_by_name, d.row_version, input.row_version
        ))
    };
    if d.row_version != input.row_version {
        return Err(stale(&d));
    }
    let latest = version(db, ctx, id, Some(d.row_version)).await?;
    if latest.content == content {
        return Ok(d);
    }
    let content_json =
        serde_json::to_string(&content).map_err(|e| DbError::Other(e.to_string()))?;
    let next = d.row_version + 1;
    let note = input.note.trim();
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            &Q::new(
                "UPDATE report_draft SET title = $1, row_version = $2, updated_at = $3, \
                 updated_by_name = $4 WHERE id = $5 AND row_version = $6",
            )
            .bind(content.title.clone())
            .bind(next)
            .bind(crate::now())
            .bind(actor_name(ctx))
            .bind(id)
            .bind(d.row_version),
        )
        .await?;
    if n == 0 {
        drop(tx);
        let now = get(db, ctx, id).await?;
        return Err(stale(&now));
    }
    insert_version(&mut tx, ctx, id, next, &content, note, &content_json).await?;
    audit::record(
        &mut tx,
        ctx,
        Change::new("report_draft", id, "new_version")
            .org(Some(d.org_id))
            .before(serde_json::json!({ "version": d.row_version, "title": d.title }))
            .after(serde_json::json!({
                "version": next,
                "title": content.title,
                "note": note,
                "content": content,
            })),
    )
    .await?;
    tx.commit().await?;
    get(db, ctx, id).await
}
