//! Dates as people type them into Chinese spreadsheets.

use chrono::{Days, NaiveDate};

use crate::people::model::FieldError;
use crate::people::text::normalize_text;

const DATE_REASON: &str = "无法识别的日期，请按 2021-03-02 的格式填写";

/// How much of a date the user actually gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePrecision {
    /// Year, month and day.
    Day,
    /// Year and month only; the date's day is set to 1.
    Month,
}

/// Parses a date typed in any of the usual forms: 2021-03-02, 2021-3-2,
/// 2021/3/2, 2021.3.2, 2021年3月2日, 20210302, and month-only forms
/// 2021.03, 2021-03, 2021年3月, 202103 (day set to 1). Full-width digits,
/// stray spaces and a trailing time ("2021-03-02 00:00:00") are tolerated.
/// Whether the date is plausible is for the caller to decide.
pub fn parse_date_loose(input: &str) -> Result<NaiveDate, FieldError> {
    parse_date_with_precision(input).map(|(date, _)| date)
}

/// Like [`parse_date_loose`], also telling whether the day was given, so
/// that "1990年3月" can be compared with a full date by month only.
pub fn parse_date_with_precision(input: &str) -> Result<(NaiveDate, DatePrecision), FieldError> {
    let normalized = normalize_text(input);
    let compact: String = strip_time(&normalized).chars().filter(|c| *c != ' ').collect();
    let parts = split_date_parts(&compact).ok_or_else(|| FieldError::new(DATE_REASON))?;
    date_from_parts(&parts).ok_or_else(|| FieldError::new(DATE_REASON))
}

/// Converts an Excel serial day number (1900 date system) to a date.
/// Excel counts 1900-01-01 as day 1 and, copying Lotus 1-2-3, believes
/// 1900-02-29 (day 60) existed; day 60 therefore has no real date and days
/// after it are one too high. Any time-of-day fraction is dropped.
pub fn date_from_excel_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.trunc() as u64;
    let (epoch, offset) = match days {
        ..60 => (NaiveDate::from_ymd_opt(1899, 12, 31)?, days),
        60 => return None,
        _ => (NaiveDate::from_ymd_opt(1899, 12, 30)?, days),
    };
    epoch.checked_add_days(Days::new(offset))
}

/// Cuts a trailing time of day: "2021-03-02 08:30" → "2021-03-02".
fn strip_time(text: &str) -> &str {
    let Some(colon) = text.find(':') else {
        return text;
    };
    let before = &text[..colon];
    match before.rfind([' ', 'T']) {
        Some(cut) => text[..cut].trim_end(),
        None => text,
    }
}

/// Splits a compact date into its numeric parts: `[year, month, day?]`.
/// Pure digit strings are read positionally (YYYYMMDD or YYYYMM).
fn split_date_parts(text: &str) -> Option<Vec<&str>> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return match text.len() {
            8 => Some(vec![&text[..4], &text[4..6], &text[6..]]),
            6 => Some(vec![&text[..4], &text[4..]]),
            _ => None,
        };
    }
    let trimmed = text.trim_end_matches(['日', '号', '月', '.', '-', '/']);
    let parts: Vec<&str> = trimmed.split(['-', '/', '.', '年', '月']).collect();
    let digits_only =
        parts.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()));
    (digits_only && (2..=3).contains(&parts.len())).then_some(parts)
}

fn date_from_parts(parts: &[&str]) -> Option<(NaiveDate, DatePrecision)> {
    if parts[0].len() != 4 || parts[1].len() > 2 {
        return None;
    }
    let year: i32 = parts[0].parse().ok()?;
    let month: u32 = parts[1].parse().ok()?;
    match parts.get(2) {
        Some(day) if day.len() <= 2 => {
            let date = NaiveDate::from_ymd_opt(year, month, day.parse().ok()?)?;
            Some((date, DatePrecision::Day))
        }
        Some(_) => None,
        None => Some((NaiveDate::from_ymd_opt(year, month, 1)?, DatePrecision::Month)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parses_full_dates_in_every_common_form() {
        let expected = ymd(2021, 3, 2);
        for input in [
            "2021-03-02",
            "2021-3-2",
            "2021/3/2",
            "2021/03/02",
            "2021.3.2",
            "2021.03.02.",
            "2021年3月2日",
            "2021年03月02号",
            "2021年3月2",
            "20210302",
            "２０２１－０３－０２",
            "２０２１年３月２日",
            " 2021 - 3 - 2 ",
            "2021 年 3 月 2 日",
            "2021-03-02 00:00:00",
            "2021-03-02T08:30:00",
            "2021/3/2 8:30",
        ] {
            assert_eq!(parse_date_with_precision(input), Ok((expected, DatePrecision::Day)), "{input}");
        }
    }

    #[test]
    fn parses_month_only_dates_as_the_first_day() {
        let expected = ymd(2021, 3, 1);
        for input in
            ["2021.03", "2021.3", "2021-03", "2021/3", "2021年3月", "2021年03月", "202103", "２０２１．０３"]
        {
            assert_eq!(parse_date_with_precision(input), Ok((expected, DatePrecision::Month)), "{input}");
        }
        assert_eq!(parse_date_loose("1990年12月"), Ok(ymd(1990, 12, 1)));
    }

    #[test]
    fn rejects_nonsense() {
        for input in [
            "",
            "2021",
            "21-3-2",
            "2021-13-01",
            "2021-02-30",
            "2021-3-2-1",
            "2021-003-02",
            "2021-03-002",
            "3/2/2021",
            "二〇二一年三月",
            "2021年3月上旬",
            "abc",
            "2021--03",
            "20213",
            "2021030",
            "1:30",
        ] {
            let err = parse_date_loose(input).unwrap_err();
            assert_eq!(err.reason, DATE_REASON, "{input}");
        }
    }

    #[test]
    fn excel_serials_follow_the_1900_system() {
        assert_eq!(date_from_excel_serial(1.0), Some(ymd(1900, 1, 1)));
        assert_eq!(date_from_excel_serial(59.0), Some(ymd(1900, 2, 28)));
        assert_eq!(date_from_excel_serial(60.0), None);
        assert_eq!(date_from_excel_serial(61.0), Some(ymd(1900, 3, 1)));
        assert_eq!(date_from_excel_serial(44257.0), Some(ymd(2021, 3, 2)));
        assert_eq!(date_from_excel_serial(44257.75), Some(ymd(2021, 3, 2)));
        assert_eq!(date_from_excel_serial(7744.0), Some(ymd(1921, 3, 14)));
        assert_eq!(date_from_excel_serial(2_958_465.0), Some(ymd(9999, 12, 31)));
    }

    #[test]
    fn excel_serials_out_of_range_are_none() {
        for serial in [0.0, 0.5, -1.0, 2_958_466.0, f64::NAN, f64::INFINITY] {
            assert_eq!(date_from_excel_serial(serial), None, "{serial}");
        }
    }
}
