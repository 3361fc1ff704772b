//! Streaming spreadsheet exports, shared by the hazard ledger and the safety work ledgers.
//!
//! Rows are read from the database a page at a time (`RowSource`, a keyset cursor, never an
//! OFFSET) and handed over a short channel to a blocking worker that writes them into a
//! workbook in rust_xlsxwriter's constant-memory mode (`RowSink`: one row in memory, the rest
//! in a temp file in the data directory); the finished file is then streamed to the client from
//! disk. Memory stays flat whatever the number of rows. A cap, when reached, is never silent:
//! the sink is told and writes a note row, and the pages say so before the download.

use std::future::Future;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::XlsxError;

use anjian_db::DbError;

use crate::error::AppError;
use crate::hazard::export::{disposition, tmp_dir};
use crate::AppState;

/// Rows per database page: small enough to keep memory flat, large enough that the queries cost
/// little next to writing the cells.
pub const PAGE: i64 = 2_000;

/// A workbook written row by row on a blocking thread.
pub trait RowSink: Send + 'static {
    type Row: Send + 'static;
    fn push(&mut self, row: &Self::Row) -> Result<(), XlsxError>;
    /// Closes the sheet and saves it to `path`; with `truncated`, rows beyond the cap were left
    /// out and the sheet must say so. Returns the rows written.
    fn save(self, path: &Path, truncated: bool) -> Result<usize, XlsxError>;
}

/// The rows of an export, a page at a time in the export's order.
pub trait RowSource: Send {
    type Row: Send + 'static;
    /// Up to `want` rows after those already returned; empty when there are no more.
    fn next_page(
        &mut self,
        want: i64,
    ) -> impl Future<Output = Result<Vec<Self::Row>, DbError>> + Send;
}

/// A finished export file in the data directory's `tmp/exports` (cleaned after an hour).
pub struct Exported {
    file_name: String,
    path: PathBuf,
    pub rows: usize,
    pub truncated: bool,
}

/// Writes up to `cap` rows of `source` into the sheet `open` makes (given the temp directory
/// its rows may spill to) and saves it; when more rows remain, the sheet is told it was cut.
pub async fn write<S, K, F>(
    state: &AppState,
    mut source: S,
    cap: usize,
    open: F,
) -> Result<Exported, AppError>
where
    S: RowSource,
    K: RowSink<Row = S::Row>,
    F: FnOnce(&Path) -> Result<K, XlsxError> + Send + 'static,
{
    let dir = tmp_dir(state, "exports")?;
    let file_name = format!("{}.xlsx", hex::encode(rand::random::<[u8; 16]>()));
    let path = dir.join(&file_name);

    // Pages travel over a short channel so at most a few pages are in memory at once.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<S::Row>>(2);
    let (wpath, wdir) = (path.clone(), dir.clone());
    let writer = tokio::task::spawn_blocking(move || -> Result<(usize, bool), XlsxError> {
        let mut sheet = open(&wdir)?;
        let mut truncated = false;
        while let Some(rows) = rx.blocking_recv() {
            if rows.is_empty() {
                truncated = true;
                continue;
            }
            for r in &rows {
                sheet.push(r)?;
            }
        }
        Ok((sheet.save(&wpath, truncated)?, truncated))
    });
    let read = async {
        let mut total = 0usize;
        while total < cap {
            let want = PAGE.min((cap - total) as i64);
            let page = source.next_page(want).await?;
            if page.is_empty() {
                return Ok(());
            }
            total += page.len();
            if tx.send(page).await.is_err() {
                // The writer stopped; its error is reported below.
                return Ok(());
            }
        }
        // At the cap: one more row means the export was cut short, which an empty page tells
        // the writer.
        if !source.next_page(1).await?.is_empty() {
            let _ = tx.send(Vec::new()).await;
        }
        Ok::<(), DbError>(())
    }
    .await;
    drop(tx);
    let written = writer
        .await
        .map_err(|e| AppError::Internal(format!("导出失败：{e}")))
        .and_then(|r| r.map_err(|e| AppError::Internal(format!("导出失败：{e}"))));
    match (read, written) {
        (Ok(()), Ok((rows, truncated))) => Ok(Exported {
            file_name,
            path,
            rows,
            truncated,
        }),
        (Err(e), _) => {
            let _ = std::fs::remove_file(&path);
            Err(e.into())
        }
        (_, Err(e)) => {
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
    }
}

/// The finished file as the download `name` (with an ASCII fallback), streamed from disk.
pub async fn respond(
    state: &AppState,
    e: &Exported,
    ascii: &str,
    name: &str,
) -> Result<Response, AppError> {
    let read_err = |e: opendal::Error| AppError::Internal(format!("导出文件读取失败：{e}"));
    let stream = state
        .store
        .reader(&format!("tmp/exports/{}", e.file_name))
        .await
        .map_err(read_err)?
        .into_bytes_stream(..)
        .await
        .map_err(read_err)?;
    let size = std::fs::metadata(&e.path).map(|m| m.len()).unwrap_or(0);
    let mut res = (StatusCode::OK, Body::from_stream(stream)).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    h.insert(header::CONTENT_DISPOSITION, disposition(ascii, name));
    if size > 0 {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}
