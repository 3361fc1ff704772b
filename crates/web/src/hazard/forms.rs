//! Hazard forms as browsers send them: url-encoded or multipart (photos posted together with the
//! fields, so registration works without JavaScript). The body is read without rejecting, so a
//! handler can load the hazard first (404 outside scope) and only then look at what was posted.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use sha2::{Digest, Sha256};

use anjian_db::attachment::{self, NewAttachment};
use anjian_db::FieldErrors;

use crate::attachment::{sniff, store, thumb};
use crate::auth::Auth;
use crate::error::AppError;
use crate::AppState;

/// A file field of a multipart form.
pub struct Upload {
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The posted fields (in order, repeated names kept) and files, or why they could not be read.
#[derive(Default)]
pub struct FormData {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<Upload>,
    pub error: Option<String>,
    pub too_large: bool,
}

impl FormData {
    /// The first value of a field, empty when absent.
    pub fn get(&self, key: &str) -> String {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn has(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, v)| k == key && !v.is_empty())
    }

    /// Every value of a repeated numeric field (attachment ids); non-numbers are a field error.
    pub fn ids(&self, key: &str, errs: &mut FieldErrors) -> Vec<i64> {
        let mut out = Vec::new();
        for (k, v) in &self.pairs {
            if k != key || v.trim().is_empty() {
                continue;
            }
            for part in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match part.parse::<i64>() {
                    Ok(n) => out.push(n),
                    Err(_) => errs.add(key, "附件编号必须是整数"),
                }
            }
        }
        out
    }

    /// An optional integer field (ids of pickers): empty → None, garbage → field error.
    pub fn opt_i64(&self, key: &str, label: &str, errs: &mut FieldErrors) -> Option<i64> {
        let v = self.get(key);
        let v = v.trim();
        if v.is_empty() {
            return None;
        }
        match v.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.add(key, format!("{label}必须是整数"));
                None
            }
        }
    }

    /// The text fields as a data-layer input (whose fields all default), e.g. `AssignInput`.
    /// A `row_version` that is not a number reads as missing, which is stale.
    pub fn parse<T: serde::de::DeserializeOwned + Default>(&self) -> T {
        let pairs: Vec<(&str, &str)> = self
            .pairs
            .iter()
            .filter(|(k, v)| k != "row_version" || v.trim().parse::<i64>().is_ok())
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        serde_urlencoded::to_string(pairs)
            .ok()
            .and_then(|q| serde_urlencoded::from_str(&q).ok())
            .unwrap_or_default()
    }

    /// The row version the form was rendered with (0 when missing: always stale).
    pub fn row_version(&self) -> i64 {
        self.get("row_version").trim().parse().unwrap_or(0)
    }

    pub fn files_of<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a Upload> + 'a {
        self.files.iter().filter(move |f| f.field == field)
    }

    /// A body that could not be read at all.
    pub fn check(&self) -> Result<(), AppError> {
        if self.too_large {
            return Err(AppError::PayloadTooLarge);
        }
        match &self.error {
            Some(m) => Err(AppError::BadRequest(m.clone())),
            None => Ok(()),
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = std::convert::Infallible;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let mut out = FormData::default();
        if ct.starts_with("multipart/form-data") {
            let mut mp = match Multipart::from_request(req, state).await {
                Ok(m) => m,
                Err(_) => {
                    out.error = Some("上传内容格式不正确".into());
                    return Ok(out);
                }
            };
            loop {
                let field = match mp.next_field().await {
                    Ok(Some(f)) => f,
                    Ok(None) => break,
                    Err(e) => {
                        out.too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                        out.error = Some("上传内容格式不正确".into());
                        break;
                    }
                };
                let name = field.name().unwrap_or("").to_string();
                match field.file_name().map(str::to_string) {
                    Some(file_name) => match field.bytes().await {
                        // A file input left empty still sends a nameless, empty part.
                        Ok(b) if b.is_empty() && file_name.is_empty() => {}
                        Ok(b) => out.files.push(Upload {
                            field: name,
                            // Shortened (keeping the extension) by `attachment::create`.
                            name: file_name,
                            bytes: b.to_vec(),
                        }),
                        Err(e) => {
                            out.too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                            out.error = Some("上传内容格式不正确".into());
                            break;
                        }
                    },
                    None => match field.text().await {
                        Ok(t) => out.pairs.push((name, t)),
                        Err(_) => {
                            out.error = Some("上传内容格式不正确".into());
                            break;
                        }
                    },
                }
            }
        } else {
            match Bytes::from_request(req, state).await {
                Ok(b) => match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&b) {
                    Ok(p) => out.pairs = p,
                    Err(_) if b.is_empty() => {}
                    Err(_) => out.error = Some("表单内容格式不正确".into()),
                },
                Err(e) => {
                    out.too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
                    out.error = Some("无法读取请求体".into());
                }
            }
        }
        Ok(out)
    }
}

/// Stores the files posted in `field` as attachments of `org_id` and returns their ids. A file
/// of an unsupported type is a field error naming `field`.
///
/// This repeats the storing half of the attachment module's private `receive` (sniff, store by
/// hash, thumbnail, metadata row); once that module exposes it, call it instead.
pub async fn store_files(
    state: &AppState,
    auth: &Auth,
    form: &FormData,
    field: &str,
    org_id: i64,
) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for f in form.files_of(field) {
        if f.bytes.is_empty() {
            return Err(AppError::Invalid(FieldErrors::single(
                field,
                format!("文件“{}”为空", f.name),
            )));
        }
        if f.bytes.len() > state.upload_limit {
            return Err(AppError::PayloadTooLarge);
        }
        let kind = sniff::sniff(&f.bytes, &f.name).ok_or_else(|| {
            AppError::Invalid(FieldErrors::single(
                field,
                format!(
                    "不支持的文件类型：“{}”，仅支持图片（JPG、PNG、GIF、WEBP）、PDF 和 Office 文档",
                    f.name
                ),
            ))
        })?;
        let ctx = auth.ctx();
        attachment::check_target(&state.db, &ctx, org_id).await?;
        let sha = hex::encode(Sha256::digest(&f.bytes));
        let thumb = if kind.image {
            thumb::make(f.bytes.clone()).await
        } else {
            None
        };
        let store_err = |e: opendal::Error| AppError::Internal(format!("附件保存失败：{e}"));
        state
            .store
            .write(&store::object_key(&sha), f.bytes.clone())
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
            &ctx,
            NewAttachment {
                org_id,
                sha256: sha,
                size_bytes: f.bytes.len() as i64,
                mime: kind.mime.to_string(),
                original_name: f.name.clone(),
                has_thumb: thumb.is_some(),
            },
        )
        .await?;
        ids.push(a.id);
    }
    Ok(ids)
}
