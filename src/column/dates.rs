//! Dates as posts and feeds write them, read leniently; and the one form the export writes.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// A date written any usual way: RFC 2822 (with or without a right weekday), RFC 3339 / ISO 8601
/// with any fraction of a second, `2021-03-02 08:00[:00]`, `2021/3/2`, `2021年3月2日`, a Unix
/// timestamp in seconds or milliseconds. Times without a zone are Shanghai time, as Hexo assumes.
pub fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    if raw.is_empty() {
        return None;
    }
    // In a Chinese feed "CST" is China Standard Time, not the US Central time chrono reads.
    if !raw.ends_with(" CST")
        && let Ok(d) = DateTime::parse_from_rfc2822(raw)
    {
        return Some(d.with_timezone(&Utc));
    }
    // A wrong or missing weekday, or a zone name chrono does not know.
    let no_weekday = raw.split_once(", ").map_or(raw, |(_, rest)| rest);
    let normalised = no_weekday.replace(" UTC", " +0000").replace(" GMT", " +0000").replace(" CST", " +0800");
    if let Ok(d) = DateTime::parse_from_str(&normalised, "%d %b %Y %H:%M:%S %z") {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(&format!("Mon, {normalised}").replace("Mon, Mon, ", "Mon, "))
    {
        return Some(d.with_timezone(&Utc));
    }
    let iso = raw.replacen(' ', "T", 1);
    if let Ok(d) = DateTime::parse_from_rfc3339(&iso) {
        return Some(d.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(d) = DateTime::parse_from_str(&iso, format) {
            return Some(d.with_timezone(&Utc));
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"] {
        if let Ok(naive) =
            NaiveDateTime::parse_from_str(if format.contains('T') { &iso } else { raw }, format)
        {
            return shanghai(naive);
        }
    }
    for format in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"] {
        if let Ok(day) = NaiveDate::parse_from_str(raw, format) {
            return shanghai(day.and_hms_opt(0, 0, 0)?);
        }
    }
    if raw.bytes().all(|b| b.is_ascii_digit()) {
        let number: i64 = raw.parse().ok()?;
        return match raw.len() {
            9 | 10 => Utc.timestamp_opt(number, 0).single(),
            13 => Utc.timestamp_millis_opt(number).single(),
            _ => None,
        };
    }
    None
}

fn shanghai(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    chrono_tz::Asia::Shanghai.from_local_datetime(&naive).earliest().map(|d| d.with_timezone(&Utc))
}

/// A date as the founding document writes it: `Tue, 02 Mar 2021 00:00:00 GMT`.
pub fn hexo_date(date: DateTime<Utc>) -> String {
    date.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}
