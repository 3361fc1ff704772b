//! The web layer: axum routers, extractors, templates and static assets. One folder per
//! business module (`org/`, `user/`, …) with `routes.rs` (pages), `api.rs` (JSON) and `forms.rs`;
//! templates under `templates/<module>/`.

pub mod api;
pub mod attachment;
pub mod audit;
pub mod auth;
pub mod campaign;
pub mod checklist;
pub mod dashboard;
pub mod docx;
pub mod duty;
pub mod error;
pub mod export_stream;
pub mod extract;
pub mod hazard;
pub mod home;
pub mod html;
pub mod import;
pub mod incident;
pub mod inspection;
pub mod inspection_task;
pub mod layout;
pub mod ledger;
pub mod org;
pub mod org_filter;
pub mod report;
pub mod risk;
pub mod routes;
pub mod sessions;
pub mod static_files;
pub mod statistics;
pub mod user;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;

use anjian_db::session::Policy;
use anjian_db::Db;

use crate::auth::Access;
use crate::error::{AppError, Shaped};
use crate::routes::RouteTable;

/// Settings the web layer needs, filled from the configuration by the app crate.
#[derive(Clone, Debug)]
pub struct WebConfig {
    pub policy: Policy,
    /// Largest upload in bytes (default 20 MB).
    pub upload_limit: usize,
    /// Set `Secure` on cookies (behind HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from X-Forwarded-For (behind nginx).
    pub trust_proxy: bool,
    /// Where attachments are stored.
    pub data_dir: std::path::PathBuf,
}

pub struct Inner {
    pub db: Db,
    pub policy: Policy,
    pub upload_limit: usize,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub store: opendal::Operator,
}

#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(db: Db, cfg: &WebConfig) -> Result<AppState, String> {
        let store = attachment::store::open(&cfg.data_dir)?;
        Ok(AppState(Arc::new(Inner {
            db,
            policy: cfg.policy.clone(),
            upload_limit: cfg.upload_limit,
            secure_cookies: cfg.secure_cookies,
            trust_proxy: cfg.trust_proxy,
            store,
        })))
    }
}

/// Every route of the application with its access rule.
pub fn route_table() -> RouteTable {
    RouteTable::default()
        .get("/healthz", Access::Public, healthz)
        .get("/readyz", Access::Public, readyz)
        .merge(static_files::routes())
        .merge(home::routes())
        .merge(org::routes::routes())
        .merge(user::routes::routes())
        .merge(sessions::routes())
        .merge(audit::routes::routes())
        .merge(attachment::routes())
        .merge(checklist::routes())
        .merge(campaign::routes())
        .merge(inspection_task::routes())
        .merge(inspection::routes())
        .merge(hazard::routes())
        .merge(statistics::routes())
        .merge(dashboard::routes())
        .merge(risk::routes())
        .merge(report::routes())
        .merge(ledger::routes())
        .merge(duty::routes())
        .merge(incident::routes())
        .merge(api::routes())
}

/// The complete application with its middleware stack.
pub fn app(state: AppState) -> Router {
    let upload_limit = state.upload_limit;
    route_table()
        .router
        .fallback(not_found)
        .layer(middleware::from_fn(auth::csrf))
        .layer(middleware::from_fn_with_state(state.clone(), auth::resolve))
        // Uploads are the largest bodies; a little headroom covers the multipart framing. axum's
        // own limit (rather than tower-http's) so that extractors recognise it and answer 413.
        .layer(axum::extract::DefaultBodyLimit::max(upload_limit + 64 * 1024))
        .layer(middleware::from_fn(shape_errors))
        .layer(middleware::from_fn(security_headers))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        .layer(CatchPanicLayer::custom(|_| {
            AppError::Internal("服务器内部错误，请稍后重试".into()).into_page_response()
        }))
        .layer(PropagateRequestIdLayer::new(HeaderName::from_static("x-request-id")))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                // One access-log line per request, carrying the span's request id.
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros)),
        )
        .layer(SetRequestIdLayer::new(HeaderName::from_static("x-request-id"), MakeRequestUuid))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn not_found(req: Request) -> Response {
    if auth::is_api(req.uri().path()) {
        AppError::NotFound.into_api_response()
    } else {
        AppError::NotFound.into_page_response()
    }
}

/// Gives responses that axum or tower produced themselves (405, 413, 415, timeouts…) our error
/// shape: JSON for the API, the error page for browsers.
async fn shape_errors(req: Request, next: Next) -> Response {
    let api = auth::is_api(req.uri().path());
    let res = next.run(req).await;
    let status = res.status();
    // Our own pages and JSON bodies (a form re-rendered with 422, say) are already shaped; only
    // bare or plain-text error responses from the framework are replaced.
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error())
        || res.extensions().get::<Shaped>().is_some()
        || !plain
    {
        return res;
    }
    let err = match status {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
        StatusCode::NOT_FOUND => AppError::NotFound,
        StatusCode::UNAUTHORIZED => AppError::Unauthorized,
        StatusCode::FORBIDDEN => AppError::Forbidden,
        StatusCode::METHOD_NOT_ALLOWED => AppError::BadRequest("不支持该请求方法".into()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::UnsupportedMedia("不支持的请求内容类型".into())
        }
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => {
            return res;
        }
        s if s.is_server_error() => AppError::Internal("服务器内部错误，请稍后重试".into()),
        _ => AppError::BadRequest("请求格式不正确".into()),
    };
    let mut shaped = if api {
        err.into_api_response()
    } else {
        err.into_page_response()
    };
    *shaped.status_mut() = status;
    shaped
}

/// A strict Content-Security-Policy (no inline scripts or styles anywhere) and friends.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
