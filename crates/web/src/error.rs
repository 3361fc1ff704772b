//! Errors as responses. API routes answer one JSON shape `{code, message, fields}`; pages answer
//! a Chinese error page. Both come from the same `AppError`, so a handler only says what failed.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use anjian_db::{DbError, FieldErrors};

#[derive(Debug)]
pub enum AppError {
    BadRequest(String),
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict(String),
    Invalid(FieldErrors),
    PayloadTooLarge,
    UnsupportedMedia(String),
    Internal(String),
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => AppError::NotFound,
            DbError::Forbidden => AppError::Forbidden,
            DbError::Invalid(f) => AppError::Invalid(f),
            DbError::Conflict(m) => AppError::Conflict(m),
            e => {
                tracing::error!(error = %e, "database error");
                AppError::Internal("服务器内部错误，请稍后重试".into())
            }
        }
    }
}

/// The one error body of the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Machine-readable code, e.g. `not_found`, `validation_failed`.
    pub code: String,
    /// Chinese message for people.
    pub message: String,
    /// Per-field Chinese messages, keyed by field name.
    pub fields: std::collections::BTreeMap<String, String>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (code, message) = match self {
            AppError::BadRequest(m) => ("bad_request", m.clone()),
            AppError::Unauthorized => ("unauthorized", "请先登录".to_string()),
            AppError::Forbidden => ("forbidden", "没有执行此操作的权限".to_string()),
            AppError::NotFound => ("not_found", "记录不存在或无权访问".to_string()),
            AppError::Conflict(m) => ("conflict", m.clone()),
            AppError::Invalid(_) => (
                "validation_failed",
                "提交的数据有误，请检查标注的字段".to_string(),
            ),
            AppError::PayloadTooLarge => ("payload_too_large", "提交的内容过大".to_string()),
            AppError::UnsupportedMedia(m) => ("unsupported_media_type", m.clone()),
            AppError::Internal(m) => ("internal_error", m.clone()),
        };
        let fields = match self {
            AppError::Invalid(f) => f.0.iter().cloned().collect(),
            _ => Default::default(),
        };
        ErrorBody {
            code: code.to_string(),
            message,
            fields,
        }
    }

    /// JSON response for API routes.
    pub fn into_api_response(self) -> Response {
        let status = self.status();
        let mut res = (status, axum::Json(self.body())).into_response();
        mark(&mut res);
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }

    /// HTML error page for browser routes.
    pub fn into_page_response(self) -> Response {
        let status = self.status();
        let body = self.body();
        let mut detail = String::new();
        for (f, m) in &body.fields {
            detail.push_str(&format!(
                "<li>{}：{}</li>",
                crate::html::escape(f),
                crate::html::escape(m)
            ));
        }
        let html = format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
             content=\"width=device-width, initial-scale=1\"><title>{code} - 安全生产监管平台</title>\
             <link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body class=\"error-page\"><main class=\"card\">\
             <h1>{code}</h1><p>{msg}</p><ul>{detail}</ul><p><a href=\"/\">返回首页</a></p></main></body></html>",
            code = status.as_u16(),
            msg = crate::html::escape(&body.message),
        );
        let mut res = (status, Html(html)).into_response();
        mark(&mut res);
        res
    }
}

/// Marks a response as already shaped by us, so the fallback mapper leaves it alone.
pub fn mark(res: &mut Response) {
    res.extensions_mut().insert(Shaped);
}

#[derive(Clone, Copy)]
pub struct Shaped;

/// Errors of API handlers.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_api_response()
    }
}

/// Errors of page handlers.
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.into_page_response()
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %e, "template error");
        AppError::Internal("页面渲染失败".into())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
pub type PageResult<T> = Result<T, PageError>;
