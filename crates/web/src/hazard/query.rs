//! What the hazard API reads: query parameters (checked into a `HazardFilter`, 422 naming the
//! parameter) and JSON bodies read late, after the hazard is found.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::IntoParams;

use anjian_db::hazard::{self, HazardFilter};
use anjian_db::FieldErrors;
use anjian_domain::dates::parse_date;
use anjian_domain::hazard::{HazardGrade, HazardStatus};

use crate::error::AppError;
use crate::extract::parse_json;

/// A JSON body read now and judged later: 415 when not JSON, 400 when malformed, 422 naming the
/// field that does not fit — the same answers as `ApiJson`, after the handler's scope check.
pub struct LateJson {
    is_json: bool,
    bytes: Result<Bytes, AppError>,
}

impl<S: Send + Sync> FromRequest<S> for LateJson {
    type Rejection = std::convert::Infallible;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest("无法读取请求体".into())
            }
        });
        Ok(LateJson { is_json, bytes })
    }
}

impl LateJson {
    pub fn parse<T: DeserializeOwned>(self) -> Result<T, AppError> {
        if !self.is_json {
            return Err(AppError::UnsupportedMedia(
                "请求内容类型应为 application/json".into(),
            ));
        }
        parse_json(&self.bytes?)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct HazardQuery {
    /// This organisation and everything below it
    pub org_id: Option<i64>,
    /// `pending`, `rectifying`, `awaiting_verification`, `closed`, or `open` (not closed)
    pub status: Option<String>,
    /// `general` or `major`
    pub grade: Option<String>,
    pub campaign_id: Option<i64>,
    /// Past the deadline and still awaiting rectification
    pub overdue: Option<bool>,
    /// Due within 3 days
    pub due_soon: Option<bool>,
    /// Found on or after (YYYY-MM-DD)
    pub found_from: Option<String>,
    /// Found on or before (YYYY-MM-DD)
    pub found_to: Option<String>,
    /// Matches description, location or category
    // (Three or more characters search every hazard through the trigram index; a shorter keyword
    // only the hazards found since the day of the newest 2,000 matching the other filters;
    // keyword counts stop at 1,000. Kept out of the doc comment above until the OpenAPI
    // snapshot is regenerated.)
    pub keyword: Option<String>,
    /// Comma-separated hazard ids
    pub ids: Option<String>,
    pub inspection_id: Option<i64>,
    /// `rectify`, `verify` or `extension`: the caller's to-do lists
    pub todo: Option<String>,
    /// 页码，从 1 开始
    pub page: Option<i64>,
    /// 每页条数，默认 20，最多 200
    pub page_size: Option<i64>,
}

impl HazardQuery {
    pub fn filter(&self) -> Result<HazardFilter, AppError> {
        let mut errs = FieldErrors::new();
        let some = |o: &Option<String>| {
            o.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let mut f = HazardFilter {
            org_id: self.org_id,
            campaign_id: self.campaign_id,
            overdue: self.overdue.unwrap_or(false),
            due_soon: self.due_soon.unwrap_or(false),
            keyword: self.keyword.clone(),
            inspection_id: self.inspection_id,
            ..Default::default()
        };
        match some(&self.status).as_deref() {
            None => {}
            Some("open") => f.open = true,
            Some(s) => match HazardStatus::from_code(s) {
                Some(st) => f.status = Some(st),
                None => errs.add("status", "状态无效"),
            },
        }
        if let Some(g) = some(&self.grade) {
            match HazardGrade::from_code(&g) {
                Some(g) => f.grade = Some(g),
                None => errs.add("grade", "隐患等级无效，应为 general 或 major"),
            }
        }
        for (field, v, slot) in [
            ("found_from", &self.found_from, &mut f.found_from),
            ("found_to", &self.found_to, &mut f.found_to),
        ] {
            if let Some(s) = some(v) {
                match parse_date(&s) {
                    Ok(d) => *slot = Some(d),
                    Err(e) => errs.add(field, e.to_string()),
                }
            }
        }
        if let Some(ids) = some(&self.ids) {
            for p in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match p.parse::<i64>() {
                    Ok(n) => f.ids.push(n),
                    Err(_) => errs.add("ids", "编号必须是逗号分隔的整数"),
                }
            }
        }
        if let Some(t) = some(&self.todo) {
            match hazard::TodoKind::from_code(&t) {
                Some(t) => f.todo = Some(t),
                None => errs.add("todo", "待办类型无效，应为 rectify、verify 或 extension"),
            }
        }
        errs.into_result().map_err(AppError::from)?;
        Ok(f)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct NoticeQuery {
    /// The unit (or site) the notice is addressed to
    pub org_id: Option<i64>,
}
