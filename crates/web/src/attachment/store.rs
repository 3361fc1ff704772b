//! Content-addressed storage through opendal: local disk today, an S3/OSS-compatible store
//! later by changing only `open`.

use opendal::services::Fs;
use opendal::Operator;

pub fn open(data_dir: &std::path::Path) -> Result<Operator, String> {
    let root = data_dir.join("attachments");
    std::fs::create_dir_all(&root)
        .map_err(|e| format!("无法创建附件目录 {}：{e}", root.display()))?;
    let root = root
        .to_str()
        .ok_or("附件目录路径必须是有效的 UTF-8")?
        .to_string();
    // Each write goes to its own temporary file, fsynced, then renamed over the object. Without
    // this opendal writes in place with O_TRUNC: two uploads of the same content at once failed
    // with 500 ("writer got too much data"), a download during a re-upload read a cut-off file,
    // and a crash mid-rewrite left an already acknowledged attachment truncated. Inside the root
    // so the rename never crosses filesystems; a crash leaves at most a stray partial file here.
    let partial = format!("{root}/.partial");
    Operator::new(Fs::default().root(&root).atomic_write_dir(&partial))
        .map(|b| b.finish())
        .map_err(|e| format!("无法打开附件存储：{e}"))
}

/// Object key of a blob: fanned out by the first bytes of its hash.
pub fn object_key(sha256: &str) -> String {
    format!("objects/{}/{}/{}", &sha256[0..2], &sha256[2..4], sha256)
}

pub fn thumb_key(sha256: &str) -> String {
    format!("thumbs/{}/{}.png", &sha256[0..2], sha256)
}
