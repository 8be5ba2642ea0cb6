//! Recordings and posters on disk: an upload is streamed to a file under the media directory
//! (never held whole in memory), its type decided from its first bytes, refused past the size
//! cap with nothing left behind; stored under a random name and served with Range requests.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::multipart::Field;
use axum::http::{HeaderValue, Request, header};
use axum::response::{IntoResponse, Response};
use tokio::io::AsyncWriteExt;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::web::{AppError, AppResult, WebConfig};

/// The server's settings with the classroom's: recordings kept in `DATA_DIR/media`, at most
/// `DONGXUN_MAX_RECORDING_MB` megabytes each (500 when unset), library PDFs at most
/// `DONGXUN_MAX_DOCUMENT_MB` (50 when unset).
pub fn config(data_dir: &Path) -> WebConfig {
    let megabytes = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse::<u64>().ok());
    WebConfig {
        media_dir: Some(data_dir.join("media")),
        max_recording_bytes: megabytes("DONGXUN_MAX_RECORDING_MB").unwrap_or(500).saturating_mul(1024 * 1024),
        max_document_bytes: megabytes("DONGXUN_MAX_DOCUMENT_MB").unwrap_or(50).saturating_mul(1024 * 1024),
        ..WebConfig::default()
    }
}

/// The directory recordings are kept in.
pub fn dir(config: &WebConfig) -> PathBuf {
    config.media_dir.clone().unwrap_or_else(|| PathBuf::from("media"))
}

/// What a recording is, from its first bytes: MP4 (`ftyp` box) or WebM (EBML header). The name
/// the browser gave it is not trusted.
pub fn sniff_video(head: &[u8]) -> Option<(&'static str, &'static str)> {
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        Some(("video/mp4", "mp4"))
    } else if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some(("video/webm", "webm"))
    } else {
        None
    }
}

/// Whether the first bytes are a PDF's (`%PDF-`): a document for the library.
pub fn sniff_pdf(head: &[u8]) -> Option<(&'static str, &'static str)> {
    head.starts_with(b"%PDF-").then_some(("application/pdf", "pdf"))
}

/// What an upload must be: how it is known from its first bytes, and the words for refusing it.
pub struct UploadKind {
    /// MIME type and extension from the first bytes; none when it is not this kind.
    pub sniff: fn(&[u8]) -> Option<(&'static str, &'static str)>,
    /// What it is called in messages (视频, PDF 文件).
    pub noun: &'static str,
    /// The refusal when the bytes are not this kind.
    pub unknown: &'static str,
}

/// A recording: MP4 or WebM.
pub const VIDEO: UploadKind =
    UploadKind {
        sniff: sniff_video, noun: "视频", unknown: "视频格式无法识别，请上传 MP4 或 WebM 视频"
    };

/// A document: PDF.
pub const PDF: UploadKind =
    UploadKind {
        sniff: sniff_pdf, noun: "PDF 文件", unknown: "不是 PDF 文件，请上传 PDF 格式的资料"
    };

/// A stored name: 32 random hex digits and the extension.
pub fn random_name(extension: &str) -> String {
    format!("{}.{extension}", &crate::web::csrf::random_token()[..32])
}

/// Whether `name` is one [`random_name`] made (so a stored name never leaves the directory).
pub fn is_stored_name(name: &str) -> bool {
    let Some((stem, extension)) = name.split_once('.') else { return false };
    stem.len() == 32
        && stem.bytes().all(|b| b.is_ascii_hexdigit())
        && matches!(extension, "mp4" | "webm" | "jpg" | "pdf")
}

/// Streams a recording field to `dir` under a random name, chunk by chunk. Refuses (and
/// removes what was written) a file over `cap` bytes or one that is neither MP4 nor WebM.
/// Returns the stored name, its MIME type and its size.
pub async fn save_video(
    field: &mut Field<'_>,
    dir: &Path,
    cap: u64,
) -> AppResult<(String, &'static str, u64)> {
    save_upload(field, dir, cap, &VIDEO).await
}

/// Streams an upload of `kind` to `dir` under a random name, chunk by chunk. Refuses (and
/// removes what was written) a file over `cap` bytes or one whose first bytes are not `kind`'s.
/// Returns the stored name, its MIME type and its size.
pub async fn save_upload(
    field: &mut Field<'_>,
    dir: &Path,
    cap: u64,
    kind: &UploadKind,
) -> AppResult<(String, &'static str, u64)> {
    tokio::fs::create_dir_all(dir).await.map_err(internal)?;
    let partial = dir.join(format!("{}.part", &crate::web::csrf::random_token()[..32]));
    let result = write_checked(field, &partial, cap, kind).await;
    match result {
        Ok((mime, extension, size)) => {
            let name = random_name(extension);
            tokio::fs::rename(&partial, dir.join(&name)).await.map_err(internal)?;
            Ok((name, mime, size))
        }
        Err(error) => {
            let _ = tokio::fs::remove_file(&partial).await;
            Err(error)
        }
    }
}

async fn write_checked(
    field: &mut Field<'_>,
    path: &Path,
    cap: u64,
    upload: &UploadKind,
) -> AppResult<(&'static str, &'static str, u64)> {
    let mut file = tokio::fs::File::create(path).await.map_err(internal)?;
    let mut size: u64 = 0;
    let mut kind = None;
    let too_large = || AppError::PayloadTooLarge(format!("{}太大：不能超过{}", upload.noun, size_text(cap)));
    while let Some(chunk) = field.chunk().await.map_err(|_| too_large())? {
        if kind.is_none() {
            kind = Some((upload.sniff)(&chunk).ok_or_else(|| AppError::BadRequest(upload.unknown.into()))?);
        }
        size += chunk.len() as u64;
        if size > cap {
            return Err(too_large());
        }
        file.write_all(&chunk).await.map_err(internal)?;
    }
    file.sync_all().await.map_err(internal)?;
    let (mime, extension) =
        kind.ok_or_else(|| AppError::BadRequest(format!("没有收到{}，请重新选择", upload.noun)))?;
    Ok((mime, extension, size))
}

/// The refusal for a multipart upload that broke off part way (the phone lost its signal).
pub fn interrupted() -> AppError {
    AppError::BadRequest("上传中断，请重新提交".into())
}

/// Removes a stored file, if there is one: an upload refused after it was written, or a file
/// replaced once its replacement committed. A file already gone is no error.
pub async fn remove_stored(dir: &Path, name: Option<&str>) {
    if let Some(name) = name {
        let _ = tokio::fs::remove_file(dir.join(name)).await;
    }
}

/// Stores a poster already re-encoded as JPEG; returns its name.
pub async fn save_poster(dir: &Path, jpeg: &[u8]) -> AppResult<String> {
    tokio::fs::create_dir_all(dir).await.map_err(internal)?;
    let name = random_name("jpg");
    tokio::fs::write(dir.join(&name), jpeg).await.map_err(internal)?;
    Ok(name)
}

/// Bytes read from the file per hop to the blocking pool while serving it. tower-http's 64 KiB
/// default made a 1 MiB seek 16 hops, and the thread switches cost more than the reads
/// (bench/README.md §11); 256 KiB per viewer is still little memory for the hub's viewers.
const SERVE_CHUNK: usize = 256 * 1024;

/// Serves a stored file with Range support (206 with Content-Range, 416 for a range past the
/// end), as `mime`, shown inline and never sniffed: a player's short seek from a memory map
/// ([`super::mapped`]), the rest through tower-http's `ServeFile`.
pub async fn serve(
    dir: &Path,
    name: &str,
    mime: &str,
    headers: &axum::http::HeaderMap,
) -> AppResult<Response> {
    if !is_stored_name(name) {
        return Err(AppError::NotFound);
    }
    let path = dir.join(name);
    let mime = HeaderValue::from_str(mime).map_err(internal)?;
    let answer = match super::mapped::serve_range(path.clone(), headers) {
        Ok(Some(mapped)) => mapped,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(AppError::NotFound),
        Err(error) => return Err(internal(error)),
        Ok(None) => through_serve_file(path, headers).await?,
    };
    Ok(with_media_headers(answer, mime))
}

/// Everything but a short closed range: tower-http's `ServeFile` (whole files, open-ended and
/// suffix ranges, 416, conditional requests).
async fn through_serve_file(path: PathBuf, headers: &axum::http::HeaderMap) -> AppResult<Response> {
    let mut request = Request::builder().uri("/").body(Body::empty()).map_err(internal)?;
    for key in [header::RANGE, header::IF_RANGE, header::IF_MODIFIED_SINCE, header::IF_NONE_MATCH] {
        if let Some(value) = headers.get(&key) {
            request.headers_mut().insert(key, value.clone());
        }
    }
    let service = ServeFile::new(path).with_buf_chunk_size(SERVE_CHUNK);
    let answer = service.oneshot(request).await.map_err(internal)?;
    if answer.status() == axum::http::StatusCode::NOT_FOUND {
        return Err(AppError::NotFound);
    }
    Ok(answer.map(Body::new).into_response())
}

/// The stored file's type, shown inline, cached privately.
fn with_media_headers(mut response: Response, mime: HeaderValue) -> Response {
    if response.status().is_success() {
        response.headers_mut().insert(header::CONTENT_TYPE, mime);
    }
    response.headers_mut().insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    response
}

/// A size in MB, or KB below one MB.
fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes / 1024)
    }
}

fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn videos_are_known_by_their_bytes_and_stored_names_stay_in_the_directory() {
        assert_eq!(sniff_video(b"\0\0\0\x20ftypisom\0\0\x02\0").map(|k| k.1), Some("mp4"));
        assert_eq!(sniff_video(&[0x1A, 0x45, 0xDF, 0xA3, 0x9F]).map(|k| k.1), Some("webm"));
        assert_eq!(sniff_video(b"<html><script>"), None);
        assert_eq!(sniff_pdf(b"%PDF-1.7\n%\xe2\xe3").map(|k| k.0), Some("application/pdf"));
        assert_eq!(sniff_pdf(b"<html>%PDF-1.7"), None);
        assert!(is_stored_name(&random_name("pdf")));
        let name = random_name("mp4");
        assert!(is_stored_name(&name));
        for bad in ["../dongxun.db", "dongxun.key", "0123456789abcdef0123456789abcdef.html", "a/b.mp4"] {
            assert!(!is_stored_name(bad), "{bad}");
        }
    }
}
