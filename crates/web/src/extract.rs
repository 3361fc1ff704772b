//! Extractors whose rejections speak our error shape: a bad id is 404 (ids are opaque to
//! users), malformed JSON 400, well-formed JSON with wrong fields 422 naming the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;

use anjian_db::FieldErrors;

use crate::auth::is_api;
use crate::error::AppError;

fn reject(path: &str, e: AppError) -> Response {
    if is_api(path) {
        e.into_api_response()
    } else {
        e.into_page_response()
    }
}

/// A positive integer id from the path; anything else is "not found".
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(s)) => match s.parse::<i64>() {
                Ok(id) if id > 0 => Ok(Id(id)),
                _ => Err(reject(parts.uri.path(), AppError::NotFound)),
            },
            Err(_) => Err(reject(parts.uri.path(), AppError::NotFound)),
        }
    }
}

/// JSON body: 400 when it is not JSON, 422 with the offending field when it does not fit.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let path = req.uri().path().to_string();
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(reject(
                &path,
                AppError::UnsupportedMedia("请求内容类型应为 application/json".into()),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                reject(&path, AppError::PayloadTooLarge)
            } else {
                reject(&path, AppError::BadRequest("无法读取请求体".into()))
            }
        })?;
        parse_json(&bytes)
            .map(ApiJson)
            .map_err(|e| reject(&path, e))
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut *de) {
        // Anything after the first value (a second object, stray text) makes the body invalid.
        Ok(v) => match de.end() {
            Ok(()) => Ok(v),
            Err(_) => Err(AppError::BadRequest("请求体不是有效的 JSON".into())),
        },
        Err(e) => {
            let inner = e.inner();
            if inner.is_syntax() || inner.is_eof() || inner.is_io() {
                return Err(AppError::BadRequest("请求体不是有效的 JSON".into()));
            }
            let field = e.path().to_string();
            let msg = inner.to_string();
            let (field, text) = if let Some(rest) = msg.strip_prefix("missing field `") {
                (
                    rest.split('`').next().unwrap_or("").to_string(),
                    "缺少必填字段".to_string(),
                )
            } else if let Some(rest) = msg.strip_prefix("unknown field `") {
                (
                    rest.split('`').next().unwrap_or("").to_string(),
                    "不支持的字段".to_string(),
                )
            } else {
                (
                    if field == "." {
                        "body".to_string()
                    } else {
                        field
                    },
                    "字段类型或取值不正确".to_string(),
                )
            };
            Err(AppError::Invalid(FieldErrors::single(&field, text)))
        }
    }
}

/// Query string: a parameter of the wrong type is 422 naming it.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(q));
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(v) => Ok(ApiQuery(v)),
            Err(e) => {
                let field = e.path().to_string();
                let msg = e.inner().to_string();
                let field = if let Some(rest) = msg.strip_prefix("unknown field `") {
                    rest.split('`').next().unwrap_or("").to_string()
                } else {
                    field
                };
                Err(reject(
                    parts.uri.path(),
                    AppError::Invalid(FieldErrors::single(&field, "查询参数类型或取值不正确")),
                ))
            }
        }
    }
}

fn form_urlencoded_parse(q: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(q.as_bytes())
}

/// Turns a page-form text field into a number with a Chinese message naming the field.
pub fn form_i64(
    errs: &mut FieldErrors,
    field: &str,
    label: &str,
    v: &str,
    default: Option<i64>,
) -> Option<i64> {
    let v = v.trim();
    if v.is_empty() {
        if default.is_none() {
            errs.add(field, format!("请填写{label}"));
        }
        return default;
    }
    match v.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.add(field, format!("{label}必须是整数"));
            None
        }
    }
}
