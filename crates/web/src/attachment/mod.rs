//! Attachments: upload (sniffed by content, stored content-addressed, thumbnails for images),
//! download only within scope, always as an attachment.

pub mod sniff;
pub mod store;
pub mod thumb;

use axum::extract::{Multipart, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use anjian_db::attachment::{self, Attachment, NewAttachment};
use anjian_db::FieldErrors;
use anjian_domain::role::Permission;

use crate::auth::{Access, Auth};
use crate::error::{ApiError, AppError, ErrorBody, PageError};
use crate::extract::Id;
use crate::routes::RouteTable;
use crate::AppState;

pub fn routes() -> RouteTable {
    let upload = Access::Perm(Permission::AttachmentUpload);
    let view = Access::Perm(Permission::AttachmentView);
    RouteTable::default()
        .post("/attachments", upload, upload_page)
        .get("/attachments/{id}", view, download)
        .get("/attachments/{id}/thumb", view, thumbnail)
        .post("/api/v1/attachments", upload, upload_api)
        .get("/api/v1/attachments/{id}", view, meta_api)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentDto {
    pub id: i64,
    pub org_id: i64,
    pub sha256: String,
    pub size_bytes: i64,
    pub mime: String,
    pub original_name: String,
    pub has_thumb: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<Attachment> for AttachmentDto {
    fn from(a: Attachment) -> Self {
        AttachmentDto {
            id: a.id,
            org_id: a.org_id,
            sha256: a.sha256,
            size_bytes: a.size_bytes,
            mime: a.mime,
            original_name: a.original_name,
            has_thumb: a.has_thumb,
            created_at: a.created_at,
        }
    }
}

/// Reads the multipart form (`org_id`, `file`), checks and stores the file.
async fn receive(state: &AppState, auth: &Auth, mut mp: Multipart) -> Result<Attachment, AppError> {
    let mut org_id: Option<i64> = None;
    let mut file: Option<(String, Vec<u8>)> = None;
    // A body cut off by the size limit surfaces as a multipart read error: report it as 413.
    let read_err = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest("上传内容格式不正确".to_string())
        }
    };
    while let Some(mut field) = mp.next_field().await.map_err(read_err)? {
        match field.name().unwrap_or("") {
            "org_id" => {
                let text = field.text().await.map_err(read_err)?;
                org_id = Some(text.trim().parse().map_err(|_| {
                    AppError::Invalid(FieldErrors::single("org_id", "所属组织编号必须是整数"))
                })?);
            }
            "file" => {
                // Kept whole: `attachment::create` shortens it with its extension.
                let name = field.file_name().unwrap_or("附件").to_string();
                let mut buf = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(read_err)? {
                    if buf.len() + chunk.len() > state.upload_limit {
                        return Err(AppError::PayloadTooLarge);
                    }
                    buf.extend_from_slice(&chunk);
                }
                file = Some((name, buf));
            }
            _ => {}
        }
    }
    let org_id = org_id.unwrap_or(auth.inner.user.org_id);
    let (name, bytes) =
        file.ok_or_else(|| AppError::Invalid(FieldErrors::single("file", "请选择要上传的文件")))?;
    if bytes.is_empty() {
        return Err(AppError::Invalid(FieldErrors::single("file", "文件为空")));
    }
    let kind = sniff::sniff(&bytes, &name).ok_or_else(|| {
        AppError::UnsupportedMedia(
            "不支持的文件类型：仅支持图片（JPG、PNG、GIF、WEBP）、PDF 和 Office 文档".into(),
        )
    })?;
    // Refuse a target outside the caller's scope before anything reaches the store.
    attachment::check_target(&state.db, &auth.ctx(), org_id).await?;
    save(state, &auth.ctx(), org_id, name, bytes, kind).await
}

/// Stores a file whose content was already sniffed, with its thumbnail when it is an image, and
/// records it for `org_id`. The one way every module (upload page, inspection photos, hazard
/// evidence, demo data) puts bytes in the store; the database row checks permission and scope.
pub async fn save(
    state: &AppState,
    ctx: &anjian_db::Ctx,
    org_id: i64,
    name: String,
    bytes: Vec<u8>,
    kind: sniff::Sniffed,
) -> Result<Attachment, AppError> {
    let sha = hex::encode(Sha256::digest(&bytes));
    let size = bytes.len() as i64;
    let thumb = if kind.image {
        thumb::make(bytes.clone()).await
    } else {
        None
    };
    let store_err = |e: opendal::Error| AppError::Internal(format!("附件保存失败：{e}"));
    // Same content, same key: storing twice is harmless and keeps the write idempotent.
    state
        .store
        .write(&store::object_key(&sha), bytes)
        .await
        .map_err(store_err)?;
    if let Some(png) = &thumb {
        state
            .store
            .write(&store::thumb_key(&sha), png.clone())
            .await
            .map_err(store_err)?;
    }
    let a = attachment::create(
        &state.db,
        ctx,
        NewAttachment {
            org_id,
            sha256: sha,
            size_bytes: size,
            mime: kind.mime.to_string(),
            original_name: name,
            has_thumb: thumb.is_some(),
        },
    )
    .await?;
    Ok(a)
}

async fn upload_page(
    State(state): State<AppState>,
    auth: Auth,
    mp: Multipart,
) -> Result<Response, PageError> {
    let a = receive(&state, &auth, mp).await?;
    Ok(Redirect::to(&format!("/attachments/{}", a.id)).into_response())
}

/// The multipart form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the multipart fields read by `receive`
pub struct UploadForm {
    /// 所属组织编号，默认本人所属组织
    org_id: Option<i64>,
    /// 图片（JPG、PNG、GIF、WEBP）、PDF 或 Office 文档，按内容识别类型
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[utoipa::path(post, path = "/api/v1/attachments", tag = "附件",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload_api(
    State(state): State<AppState>,
    auth: Auth,
    mp: Multipart,
) -> Result<Response, ApiError> {
    let a = receive(&state, &auth, mp).await?;
    Ok((StatusCode::CREATED, Json(AttachmentDto::from(a))).into_response())
}

#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "附件", params(("id" = i64, Path)),
    responses((status = 200, body = AttachmentDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn meta_api(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<Json<AttachmentDto>, ApiError> {
    Ok(Json(
        attachment::get(&state.db, &auth.ctx(), id).await?.into(),
    ))
}

/// Always `attachment`: nothing uploaded is ever rendered by the browser in our origin.
async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<Response, PageError> {
    let a = attachment::get(&state.db, &auth.ctx(), id).await?;
    let bytes = state
        .store
        .read(&store::object_key(&a.sha256))
        .await
        .map_err(|e| AppError::Internal(format!("附件读取失败：{e}")))?
        .to_vec();
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&a.mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let disposition = format!(
        "attachment; filename=\"attachment-{}\"; filename*=UTF-8''{}",
        a.id,
        crate::auth::urlencode(&a.original_name)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

async fn thumbnail(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> Result<Response, PageError> {
    let a = attachment::get(&state.db, &auth.ctx(), id).await?;
    if !a.has_thumb {
        return Err(AppError::NotFound.into());
    }
    let bytes = state
        .store
        .read(&store::thumb_key(&a.sha256))
        .await
        .map_err(|e| AppError::Internal(format!("缩略图读取失败：{e}")))?
        .to_vec();
    // We drew this PNG ourselves from decoded pixels, so it is safe to show inline.
    Ok((
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        bytes,
    )
        .into_response())
}
