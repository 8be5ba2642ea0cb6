//! File downloads named in Chinese.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::error::urlencode;

/// An .xlsx download: `fallback` is the plain ASCII name for old clients, `file_name` the Chinese
/// one (RFC 5987 `filename*`) that every current browser and WeChat use. Never cached: reports
/// hold personal data.
pub fn xlsx(fallback: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        urlencode(file_name).replace('+', "%20")
    );
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
