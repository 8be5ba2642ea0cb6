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

/// A form's problems, each kept with the name of the field it is about, so the page shows it
/// beside that field (and lists them all above the form) while the form keeps what was typed.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    /// Notes a problem with `field` (a form field's `name`); the same problem twice is kept once.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let entry = (field.into(), message.into());
        if !self.0.contains(&entry) {
            self.0.push(entry);
        }
    }

    /// Notes the problem in `result`'s error (a check's Chinese message) under `field`, and gives
    /// its value if there was none.
    pub fn check<T>(&mut self, field: &str, result: Result<T, AppError>) -> Option<T> {
        result.map_err(|error| self.add(field, error.to_string())).ok()
    }

    /// The first problem with `field`, to show beside it.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// The problem with the numbered field `field_row` of a form's repeated rows (`row` by
    /// reference, as a template's loop gives it).
    pub fn of(&self, field: &str, row: &usize) -> Option<&str> {
        self.get(&format!("{field}_{row}"))
    }

    /// Adds `other`'s problems, each under `field` renamed (a row's fields numbered) and its
    /// message reworded (a row's message naming the row).
    pub fn merge(&mut self, other: FieldErrors, rename: impl Fn(&str, &str) -> (String, String)) {
        for (field, message) in other.0 {
            let (field, message) = rename(&field, &message);
            self.add(field, message);
        }
    }

    /// Adds one problem, renamed and reworded as in [`Self::merge`].
    pub fn merge_one(&mut self, field: &str, message: &str, rename: impl Fn(&str, &str) -> (String, String)) {
        let (field, message) = rename(field, message);
        self.add(field, message);
    }

    /// Whether nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every problem, in the order found, for the list above the form.
    pub fn messages(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(_, m)| m.as_str())
    }

    /// Every problem, as [`AppError::Invalid`] carries them.
    pub fn into_messages(self) -> Vec<String> {
        self.0.into_iter().map(|(_, m)| m).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_stay_with_their_fields() {
        let mut errors = FieldErrors::default();
        assert!(errors.is_empty());
        assert_eq!(errors.check("date", parse_date("2021-13-40", "日期")), None);
        assert_eq!(
            errors.check("start", parse_time("09:30", "开始")).map(|t| t.to_string()),
            Some("09:30:00".into())
        );
        errors.add("venue_id_2", "场地同一时间已被占用");
        errors.add("venue_id_2", "场地同一时间已被占用");
        assert_eq!(errors.get("date"), Some("日期：请填写日期"));
        assert_eq!(errors.of("venue_id", &2), Some("场地同一时间已被占用"));
        assert_eq!(errors.get("start"), None);
        assert_eq!(errors.messages().count(), 2);
    }
}
