//! Who is calling: a session cookie (browser) or a Bearer token (API). Resolved once per request
//! by `resolve`, enforced per route by `guard`, and CSRF-checked by `csrf` for cookie requests.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use anjian_db::session::{self, Authenticated};
use anjian_db::Ctx;
use anjian_domain::role::Permission;

use crate::error::AppError;
use crate::AppState;

pub const SESSION_COOKIE: &str = "anjian_session";
/// Double-submit cookie protecting forms shown before sign-in (the login form).
pub const PRE_COOKIE: &str = "anjian_pre";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The caller of this request, when signed in.
#[derive(Clone, Debug)]
pub struct Auth {
    pub inner: Authenticated,
    pub ip: String,
    pub via_token: bool,
}

impl Auth {
    pub fn ctx(&self) -> Ctx {
        Ctx::user(self.inner.user.clone(), self.ip.clone())
            .with_snapshot(self.inner.snapshot.clone())
    }
    pub fn csrf(&self) -> &str {
        self.inner
            .session
            .as_ref()
            .map(|s| s.csrf_token.as_str())
            .unwrap_or("")
    }
}

/// Client address as the request saw it (set by `resolve`).
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// What a route requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Login page, health checks, static assets.
    Public,
    /// Any signed-in user (home page, own password, logout).
    SignedIn,
    /// A signed-in user whose role has this permission.
    Perm(Permission),
}

pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';').find_map(|kv| {
                let (k, val) = kv.trim().split_once('=')?;
                (k == name).then(|| val.to_string())
            })
        })
}

fn client_ip(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
        {
            return ip;
        }
    }
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default()
}

/// Resolves the caller and stores `Auth` (if any) and `ClientIp` in the request.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let ip = client_ip(&req, state.trust_proxy);
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|s| s.trim().to_string());
    let resolved = if let Some(token) = bearer {
        session::authenticate_token(&state.db, &token)
            .await
            .map(|a| a.map(|a| (a, true)))
    } else if let Some(raw) = cookie(req.headers(), SESSION_COOKIE) {
        session::authenticate(&state.db, &raw, &ip, &state.policy)
            .await
            .map(|a| a.map(|a| (a, false)))
    } else {
        Ok(None)
    };
    match resolved {
        Ok(Some((inner, via_token))) => {
            req.extensions_mut().insert(Auth {
                inner,
                ip: ip.clone(),
                via_token,
            });
        }
        Ok(None) => {}
        Err(e) => {
            let err = AppError::from(e);
            return if is_api(req.uri().path()) {
                err.into_api_response()
            } else {
                err.into_page_response()
            };
        }
    }
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// Routes a signed-in user with a forced password change may still use.
const PASSWORD_CHANGE_PATHS: [&str; 3] = ["/password", "/logout", "/api/v1/me"];

/// Per-route access check. Anonymous: 401 (API) or a redirect to the login page; missing
/// permission: 403. Scope is checked by the repository call the handler makes.
pub async fn guard(access: Access, req: Request, next: Next) -> Response {
    if access == Access::Public {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let api = is_api(&path);
    let Some(auth) = req.extensions().get::<Auth>().cloned() else {
        return if api {
            AppError::Unauthorized.into_api_response()
        } else if req.method() == Method::GET {
            let next_url = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            Redirect::to(&format!("/login?next={}", urlencode(next_url))).into_response()
        } else {
            Redirect::to("/login").into_response()
        };
    };
    if auth.inner.must_change_password && !PASSWORD_CHANGE_PATHS.contains(&path.as_str()) {
        return if api {
            AppError::Forbidden.into_api_response()
        } else {
            Redirect::to("/password").into_response()
        };
    }
    if let Access::Perm(p) = access {
        if !auth.inner.user.role.can(p) {
            return if api {
                AppError::Forbidden.into_api_response()
            } else {
                AppError::Forbidden.into_page_response()
            };
        }
    }
    next.run(req).await
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|v| v.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// CSRF protection for every state-changing request that rides on cookies. The token comes in
/// the `X-CSRF-Token` header, the `csrf_token` form field, or (multipart uploads, whose body is
/// not buffered here) the `csrf_token` query parameter. Bearer-token requests carry no cookie an
/// attacker's page could make the browser send, so they are exempt.
pub async fn csrf(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let auth = req.extensions().get::<Auth>().cloned();
    if auth.as_ref().is_some_and(|a| a.via_token) {
        return next.run(req).await;
    }
    // An anonymous API call carries no ambient credential to abuse: let the route's guard answer
    // it (401), rather than a CSRF refusal that would hide the real problem.
    if auth.is_none() && is_api(req.uri().path()) {
        return next.run(req).await;
    }
    let expected = match &auth {
        Some(a) => a.csrf().to_string(),
        None => cookie(req.headers(), PRE_COOKIE).unwrap_or_default(),
    };
    let api = is_api(req.uri().path());
    let refuse = || {
        let e = AppError::BadRequest(
            "页面已过期或请求来源无效（CSRF 校验失败），请刷新页面后重试".into(),
        );
        let mut res = if api {
            e.into_api_response()
        } else {
            e.into_page_response()
        };
        *res.status_mut() = StatusCode::FORBIDDEN;
        res
    };
    if expected.is_empty() {
        return refuse();
    }
    let from_header = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let from_query = req.uri().query().and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()?
            .into_iter()
            .find_map(|(k, v)| (k == CSRF_FIELD).then_some(v))
    });
    if let Some(t) = from_header.or(from_query) {
        return if constant_eq(&t, &expected) {
            next.run(req).await
        } else {
            refuse()
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return refuse();
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            let e = AppError::PayloadTooLarge;
            return if api {
                e.into_api_response()
            } else {
                e.into_page_response()
            };
        }
    };
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|v| {
            v.into_iter()
                .find_map(|(k, v)| (k == CSRF_FIELD).then_some(v))
        });
    match token {
        Some(t) if constant_eq(&t, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => refuse(),
    }
}

/// Largest url-encoded form accepted. Forms are small; the largest is an import confirmation
/// carrying its previewed rows. Uploads are multipart and not buffered here.
pub const FORM_LIMIT: usize = 4 * 1024 * 1024;

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Extractor for handlers behind a non-public guard.
impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Auth>().cloned().ok_or_else(|| {
            if is_api(parts.uri.path()) {
                AppError::Unauthorized.into_api_response()
            } else {
                Redirect::to("/login").into_response()
            }
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientIp>()
            .cloned()
            .unwrap_or(ClientIp(String::new())))
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Auth {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Auth>().cloned())
    }
}
