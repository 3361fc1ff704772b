//! Static assets compiled into the binary: government intranets have no Internet, so nothing is
//! loaded from elsewhere.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::auth::Access;
use crate::routes::RouteTable;

const CSS: &str = include_str!("../static/app.css");
const JS: &str = include_str!("../static/app.js");

pub fn routes() -> RouteTable {
    RouteTable::default()
        .get("/static/app.css", Access::Public, css)
        .get("/static/app.js", Access::Public, js)
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

async fn css() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

async fn js() -> Response {
    asset(JS, "text/javascript; charset=utf-8")
}
