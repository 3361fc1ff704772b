//! The wording templates as data the bureau edits (`report_template`), with every saved text
//! kept (`report_template_version`). The code's `DEFAULT_TEMPLATES` stay the fallback: a key
//! nobody edited, or one whose default was restored, renders the default of the running release.
//!
//! A template is refused at save when it does not compile or fails to render for any of the
//! sample periods (`samples`), with a Chinese message naming the template and the line, and the
//! text in force stays as it was. Should a stored template still fail on real figures, the summary
//! uses that paragraph's default and says so, rather than failing as a whole.

use chrono::{DateTime, Utc};
use serde::Serialize;

use anjian_domain::role::Permission;

use super::text::{self, label_of, Summary, DEFAULT_TEMPLATES};
use super::{engine, samples, Figures};
use crate::audit::{self, Change};
use crate::error::{DbError, FieldErrors, Result};
use crate::query::{Db, Q};
use crate::Ctx;

/// A paragraph's template as the settings page shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WordingTemplate {
    /// Stable key, e.g. `part1.hazards`.
    pub key: String,
    /// How people name it: its heading, or 开头段.
    pub label: String,
    pub heading: String,
    /// The wording in force: the bureau's, or the default.
    pub body: String,
    /// Whether the default is in force.
    pub is_default: bool,
    /// 0 while the template was never saved; the number of saves otherwise.
    pub row_version: i64,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by_name: String,
}

/// One saved text of a template. `body` is null where the default was restored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TemplateVersion {
    pub version: i64,
    pub body: Option<String>,
    pub saved_at: DateTime<Utc>,
    pub saved_by_name: String,
}

type StoredRow = (String, Option<String>, i64, DateTime<Utc>, String);

fn default_body(key: &str) -> Option<&'static str> {
    DEFAULT_TEMPLATES
        .iter()
        .find(|t| t.key == key)
        .map(|t| t.body)
}

/// A template laid out for reading and editing: a line break before every tag. Rendering drops
/// line breaks and the indentation after them (`text::render_one`), so the wording is the same;
/// the defaults are written on one line only because they live in Rust strings.
pub fn readable(body: &str) -> String {
    if body.contains('\n') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len() + 64);
    for (i, part) in body.split("{%").enumerate() {
        if i > 0 {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str("{%");
        }
        out.push_str(part);
    }
    out
}

/// A template as rendering reads it: lines joined, indentation dropped.
fn squash(body: &str) -> String {
    body.lines().map(str::trim_start).collect()
}

/// The name the history and the drafts show for whoever acts.
pub(crate) fn actor_name(ctx: &Ctx) -> String {
    ctx.user_ctx()
        .map(|u| u.name.clone())
        .unwrap_or_else(|| ctx.username())
}

async fn stored(db: &Db) -> Result<Vec<StoredRow>> {
    db.fetch_all(&Q::new(
        "SELECT template_key, body, row_version, updated_at, updated_by_name FROM report_template",
    ))
    .await
}

/// Every template, in the summary's order, with the wording in force.
pub async fn list(db: &Db, ctx: &Ctx) -> Result<Vec<WordingTemplate>> {
    ctx.require(Permission::ReportSettings)?;
    let rows = stored(db).await?;
    Ok(DEFAULT_TEMPLATES
        .iter()
        .map(|t| {
            let row = rows.iter().find(|r| r.0 == t.key);
            let edited = row.and_then(|r| r.1.clone());
            WordingTemplate {
                key: t.key.to_string(),
                label: label_of(t.key),
                heading: t.heading.to_string(),
                is_default: edited.is_none(),
                body: edited.unwrap_or_else(|| readable(t.body)),
                row_version: row.map(|r| r.2).unwrap_or(0),
                updated_at: row.map(|r| r.3),
                updated_by_name: row.map(|r| r.4.clone()).unwrap_or_default(),
            }
        })
        .collect())
}

/// The saved texts of one template, newest first.
pub async fn history(db: &Db, ctx: &Ctx, key: &str) -> Result<Vec<TemplateVersion>> {
    ctx.require(Permission::ReportSettings)?;
    default_body(key).ok_or(DbError::NotFound)?;
    db.fetch_all(
        &Q::new(
            "SELECT version, body, saved_at, saved_by_name FROM report_template_version \
             WHERE template_key = $1 ORDER BY version DESC",
        )
        .bind(key),
    )
    .await
}

/// (key, heading, body) of every template in force, for rendering the summary.
pub async fn in_force(db: &Db, ctx: &Ctx) -> Result<Vec<(String, String, String)>> {
    ctx.require(Permission::HazardView)?;
    let rows = stored(db).await?;
    Ok(DEFAULT_TEMPLATES
        .iter()
        .map(|t| {
            let body = rows
                .iter()
                .find(|r| r.0 == t.key)
                .and_then(|r| r.1.clone())
                .unwrap_or_else(|| t.body.to_string());
            (t.key.to_string(), t.heading.to_string(), body)
        })
        .collect())
}

/// Compiles the template and renders it for each sample period: the first failure, in Chinese.
pub fn validate(key: &str, body: &str) -> std::result::Result<(), String> {
    let label = label_of(key);
    if body.trim().is_empty() {
        return Err(format!(
            "模板“{label}”不能为空；如需恢复默认措辞，请使用“恢复默认”"
        ));
    }
    if body.chars().count() > engine::MAX_TEMPLATE_CHARS {
        return Err(format!("模板“{label}”超过{}字", engine::MAX_TEMPLATE_CHARS));
    }
    let env = engine::environment();
    env.template_from_named_str(key, body)
        .map_err(|e| engine::describe(&label, &e))?;
    for (name, f) in samples::all() {
        text::render_one(key, body, &f).map_err(|m| format!("{m}（按{name}的数据试生成时）"))?;
    }
    Ok(())
}

/// Textareas send CRLF; the stored text uses LF so versions compare equal.
fn normalise(body: &str) -> String {
    body.replace("\r\n", "\n").replace('\r', "\n")
}

/// Saves a template's new wording (`Some`) or restores the default (`None`), refusing a stale
/// `row_version`. An unchanged text saves nothing. Audited in the same transaction.
pub async fn save(
    db: &Db,
    ctx: &Ctx,
    key: &str,
    body: Option<&str>,
    row_version: i64,
) -> Result<WordingTemplate> {
    ctx.require(Permission::ReportSettings)?;
    let default = default_body(key).ok_or(DbError::NotFound)?;
    let label = label_of(key);
    let body = body.map(normalise);
    if let Some(b) = &body {
        validate(key, b).map_err(|m| DbError::Invalid(FieldErrors::single("body", m)))?;
    }
    // Saving the default's wording (as the page shows it, or as written) is restoring the
    // default: later releases may improve it.
    let body = body.filter(|b| squash(b) != squash(default));
    let mut tx = db.begin().await?;
    let current: Option<(Option<String>, i64)> = tx
        .fetch_optional(
            &Q::new("SELECT body, row_version FROM report_template WHERE template_key = $1")
                .bind(key),
        )
        .await?;
    let (old_body, version) = current.clone().unwrap_or((None, 0));
    if version != row_version {
        return Err(DbError::Conflict(format!(
            "模板“{label}”已被他人修改（现为第{version}次保存），您的修改未保存，请刷新页面后重试"
        )));
    }
    if old_body == body {
        tx.commit().await?;
        return find(db, ctx, key).await;
    }
    let now = crate::now();
    let who = actor_name(ctx);
    let next = version + 1;
    if current.is_some() {
        let n = tx
            .execute(
                &Q::new(
                    "UPDATE report_template SET body = $1, row_version = $2, updated_at = $3, \
                     updated_by = $4, updated_by_name = $5 \
                     WHERE template_key = $6 AND row_version = $7",
                )
                .bind(body.clone())
                .bind(next)
                .bind(now)
                .bind(ctx.user_id())
                .bind(who.clone())
                .bind(key)
                .bind(version),
            )
            .await?;
        if n == 0 {
            return Err(DbError::Conflict(format!(
                "模板“{label}”已被他人修改，您的修改未保存，请刷新页面后重试"
            )));
        }
    } else {
        tx.execute(
            &Q::new(
                "INSERT INTO report_template (template_key, body, row_version, updated_at, \
                 updated_by, updated_by_name) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(key)
            .bind(body.clone())
            .bind(next)
            .bind(now)
            .bind(ctx.user_id())
            .bind(who.clone()),
        )
        .await
        .map_err(|e| match e {
            DbError::Sqlx(e) => DbError::unique_or(
                e,
                &format!("模板“{label}”已被他人修改，您的修改未保存，请刷新页面后重试"),
            ),
            e => e,
        })?;
    }
    tx.execute(
        &Q::new(
            "INSERT INTO report_template_version (template_key, version, body, saved_at, \
             saved_by, saved_by_name) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(key)
        .bind(next)
        .bind(body.clone())
        .bind(now)
        .bind(ctx.user_id())
        .bind(who),
    )
    .await?;
    let action = if body.is_some() {
        "update"
    } else {
        "restore_default"
    };
    audit::record(
        &mut tx,
        ctx,
        Change::new("report_template", key, action)
            .org(ctx.org_id())
            .before(serde_json::json!({ "row_version": version, "body": old_body }))
            .after(serde_json::json!({ "row_version": next, "body": body })),
    )
    .await?;
    tx.commit().await?;
    find(db, ctx, key).await
}

async fn find(db: &Db, ctx: &Ctx, key: &str) -> Result<WordingTemplate> {
    list(db, ctx)
        .await?
        .into_iter()
        .find(|t| t.key == key)
        .ok_or(DbError::NotFound)
}

/// The summary of `f` in the wording in force. A stored template that fails on these figures
/// is replaced by its default for this rendering, and the returned warnings say which.
pub async fn summary(db: &Db, ctx: &Ctx, f: &Figures) -> Result<(Summary, Vec<String>)> {
    let mut templates = in_force(db, ctx).await?;
    let mut warnings = Vec::new();
    loop {
        match text::render(f, &templates) {
            Ok(s) => return Ok((s, warnings)),
            Err((key, message)) => {
                let slot = templates.iter_mut().find(|t| t.0 == key);
                match (slot, default_body(&key)) {
                    (Some(slot), Some(default)) if slot.2 != default => {
                        warnings.push(format!(
                            "{message}；本段已改用默认措辞，请到“措辞模板”页修改"
                        ));
                        slot.2 = default.to_string();
                    }
                    // The default itself fails: a defect of this release, not of the data.
                    _ => return Err(DbError::Other(message)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::samples;

    #[test]
    fn the_readable_layout_renders_the_same_wording() {
        for t in DEFAULT_TEMPLATES {
            let r = readable(t.body);
            assert!(r.lines().count() > 1 || !t.body.contains("{%"), "{}", t.key);
            assert_eq!(squash(&r), t.body);
            for (_, f) in samples::all() {
                assert_eq!(
                    text::render_one(t.key, &r, &f).unwrap(),
                    text::render_one(t.key, t.body, &f).unwrap(),
                    "{}",
                    t.key
                );
            }
        }
    }
}
