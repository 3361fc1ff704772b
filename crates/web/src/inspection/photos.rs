//! The inspection form posts its photos with the record (one multipart request: inspectors on a
//! phone in a warehouse get one tap, no script). This reads such a body, or a plain url-encoded
//! one, and stores the photos through the attachment store before the inspection is created.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};

use anjian_db::attachment;
use anjian_db::FieldErrors;

use crate::attachment::sniff;
use crate::auth::Auth;
use crate::error::AppError;
use crate::AppState;

/// A submitted form: its text fields in order and the chosen files (name, bytes).
#[derive(Default)]
pub struct Submitted {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<(String, Vec<u8>)>,
}

fn read_err(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest("提交内容格式不正确".to_string())
    }
}

/// Reads the body as multipart (with files named `photos`) or url-encoded form.
pub async fn read(state: &AppState, req: Request) -> Result<Submitted, AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut out = Submitted::default();
    if !multipart {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest("无法读取提交内容".into()))?;
        out.pairs = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::BadRequest("提交内容格式不正确".into()))?;
        return Ok(out);
    }
    let mut mp = Multipart::from_request(req, state)
        .await
        .map_err(|_| AppError::BadRequest("提交内容格式不正确".into()))?;
    let mut total = 0usize;
    while let Some(mut field) = mp.next_field().await.map_err(read_err)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "photos" {
            // Shortened (keeping the extension) by `attachment::create`.
            let file_name = field.file_name().unwrap_or("照片").to_string();
            let mut buf = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(read_err)? {
                total += chunk.len();
                if total > state.upload_limit {
                    return Err(AppError::PayloadTooLarge);
                }
                buf.extend_from_slice(&chunk);
            }
            // A file input left empty still sends a part, with no name and no bytes.
            if !buf.is_empty() {
                out.files.push((file_name, buf));
            }
        } else {
            let text = field.text().await.map_err(read_err)?;
            out.pairs.push((name, text));
        }
    }
    Ok(out)
}

/// Stores the photos for `org_id` and returns their attachment ids. Every file is checked before
/// any is stored, so a refused one leaves nothing behind.
pub async fn store_all(
    state: &AppState,
    auth: &Auth,
    org_id: i64,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Vec<i64>, AppError> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let mut checked = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let Some(kind) = sniff::sniff(&bytes, &name) else {
            return Err(AppError::Invalid(FieldErrors::single(
                "photos",
                format!("“{name}”不是支持的文件类型：照片请用 JPG、PNG、GIF 或 WEBP"),
            )));
        };
        checked.push((name, bytes, kind));
    }
    attachment::check_target(&state.db, &auth.ctx(), org_id).await?;
    let ctx = auth.ctx();
    let mut ids = Vec::with_capacity(checked.len());
    for (name, bytes, kind) in checked {
        ids.push(
            crate::attachment::save(state, &ctx, org_id, name, bytes, kind)
                .await?
                .id,
        );
    }
    Ok(ids)
}
