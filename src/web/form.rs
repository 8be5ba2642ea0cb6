//! Reading what forms carry, once [`super::extract::Form`] has read them as text: dates and
//! times typed in Shanghai, counts, optional ids, and this server's address as the phone sees
//! it. Every rejection names the field in Chinese.

use axum::http::{HeaderMap, header};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

use super::AppError;

/// This server as the phone reaching it sees it (`http://host:port`), for links to share.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let scheme = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    format!("{scheme}://{host}")
}

/// A date and a time typed in Shanghai as a UTC instant.
pub fn local_to_utc(date: NaiveDate, time: NaiveTime) -> Result<DateTime<Utc>, AppError> {
    Shanghai
        .from_local_datetime(&date.and_time(time))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| AppError::BadRequest("时间无效".into()))
}

/// Parses `2021-01-10` (an `<input type=date>`).
pub fn parse_date(text: &str, field: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::BadRequest(format!("{field}：请填写日期")))
}

/// Parses `09:30` (an `<input type=time>`).
pub fn parse_time(text: &str, field: &str) -> Result<NaiveTime, AppError> {
    let text = text.trim();
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .map_err(|_| AppError::BadRequest(format!("{field}：请填写时间")))
}

/// Reads a whole-number form field, with a Chinese error naming it.
pub fn parse_count(text: &str, field: &str, max: i64) -> Result<i64, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    text.parse::<i64>()
        .ok()
        .filter(|n| (0..=max).contains(n))
        .ok_or_else(|| AppError::BadRequest(format!("{field}：请填写0到{max}之间的整数")))
}

/// An optional id field (a `<select>` whose first choice is 「（不限）」): empty, 0 or not a
/// number means none.
pub fn optional_id(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok().filter(|id| *id > 0)
}
