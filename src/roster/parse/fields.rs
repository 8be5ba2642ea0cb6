//! Reading one roster cell into a typed value. Each reader returns
//! `Ok(None)` for a blank cell so the caller decides whether blank is fine.

use chrono::NaiveDate;

use crate::formats::table::{Cell, format_number};
use crate::people::dates::{DatePrecision, date_from_excel_serial, parse_date_with_precision};
use crate::people::model::{FieldError, Gender, IdCardNumber, MemberCategories, MemberStatus, Phone};
use crate::people::store::ADDRESS_MAX_CHARS;
use crate::people::text::{normalize_name, normalize_text};

/// A date and how much of it the file gave.
pub type LooseDate = (NaiveDate, DatePrecision);

const LOST_DIGITS: &str = "身份证号被Excel存成了数字，末尾数字已丢失，请将该列设为文本格式后重新填写";
const YEAR_ONLY: &str = "只填写了年份，请填写完整日期，如 2021-03-02";

/// The cell as normalised text; numbers lose a trailing ".0".
pub fn text_of(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => normalize_text(text),
        other => other.to_text().into_owned(),
    }
}

/// A member's name, required, 2–20 characters once spaces are removed.
pub fn read_name(cell: &Cell) -> Result<Option<String>, FieldError> {
    let name = normalize_name(&text_of(cell));
    match name.chars().count() {
        0 => Err(FieldError::new("姓名不能为空")),
        2..=20 => Ok(Some(name)),
        _ => Err(FieldError::new("姓名应为2–20个字")),
    }
}

/// A home address (住址), if filled in: trimmed, at most [`ADDRESS_MAX_CHARS`] characters.
pub(super) fn read_address(cell: &Cell) -> Result<Option<String>, FieldError> {
    match non_blank(cell) {
        Some(text) if text.chars().count() > ADDRESS_MAX_CHARS => {
            Err(FieldError::new(format!("住址不能超过{ADDRESS_MAX_CHARS}个字")))
        }
        other => Ok(other),
    }
}

/// Gender, if filled in.
pub(super) fn read_gender(cell: &Cell) -> Result<Option<Gender>, FieldError> {
    non_blank(cell).map(|text| Gender::parse(&text)).transpose()
}

/// A mobile number, typed as text or stored by Excel as a number.
pub fn read_phone(cell: &Cell) -> Result<Option<Phone>, FieldError> {
    non_blank(cell).map(|text| Phone::parse(&text)).transpose()
}

/// An ID number. One that Excel turned into a number has lost its last
/// digits for good (doubles keep 15–17), which deserves its own message.
pub fn read_id_card(cell: &Cell, today: NaiveDate) -> Result<Option<IdCardNumber>, FieldError> {
    if let Cell::Number(number) = cell
        && number.abs() >= 1e15
    {
        return Err(FieldError::new(LOST_DIGITS));
    }
    let Some(text) = non_blank(cell) else {
        return Ok(None);
    };
    if is_scientific_notation(&text) {
        return Err(FieldError::new(LOST_DIGITS));
    }
    IdCardNumber::parse_on(&text, today).map(Some)
}

/// A date from a real Excel date, a number (serial, 20210302 or 202103) or
/// text in any form [`parse_date_with_precision`] accepts.
pub fn read_date(cell: &Cell) -> Result<Option<LooseDate>, FieldError> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(date) => Ok(Some((*date, DatePrecision::Day))),
        Cell::Number(number) => date_from_number(*number).map(Some),
        Cell::Text(text) if text.trim().is_empty() => Ok(None),
        Cell::Text(text) => parse_date_with_precision(text).map(Some),
    }
}

/// Categories; blank means none.
pub(super) fn read_categories(cell: &Cell) -> Result<Option<MemberCategories>, FieldError> {
    MemberCategories::parse_list(&text_of(cell)).map(Some)
}

/// Status; blank is left to the caller (it means 正常).
pub(super) fn read_status(cell: &Cell) -> Result<Option<MemberStatus>, FieldError> {
    non_blank(cell).map(|text| MemberStatus::parse(&text)).transpose()
}

fn non_blank(cell: &Cell) -> Option<String> {
    let text = text_of(cell);
    (!text.is_empty()).then_some(text)
}

fn date_from_number(number: f64) -> Result<LooseDate, FieldError> {
    let is_whole = number.fract() == 0.0;
    // Digits typed without separators arrive as numbers: 20210302, 202103.
    if is_whole
        && ((19_000_101.0..=99_991_231.0).contains(&number) || (190_001.0..=999_912.0).contains(&number))
    {
        return parse_date_with_precision(&format_number(number));
    }
    if is_whole && (1900.0..=2100.0).contains(&number) {
        return Err(FieldError::new(YEAR_ONLY));
    }
    date_from_excel_serial(number)
        .map(|date| (date, DatePrecision::Day))
        .ok_or_else(|| FieldError::new("无法识别的日期，请按 2021-03-02 的格式填写"))
}

/// "3.20117E+17": what a long number looks like after a round trip through
/// Excel's General format and CSV.
fn is_scientific_notation(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    let Some((mantissa, exponent)) = upper.split_once("E+") else {
        return false;
    };
    !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_from_numbers() {
        let day = DatePrecision::Day;
        let month = DatePrecision::Month;
        assert_eq!(read_date(&Cell::Number(20210302.0)), Ok(Some((ymd(2021, 3, 2), day))));
        assert_eq!(read_date(&Cell::Number(202103.0)), Ok(Some((ymd(2021, 3, 1), month))));
        assert_eq!(read_date(&Cell::Number(44257.0)), Ok(Some((ymd(2021, 3, 2), day))));
        assert_eq!(read_date(&Cell::Number(1990.0)).unwrap_err().reason, YEAR_ONLY);
        assert!(read_date(&Cell::Number(20211345.0)).is_err());
        assert!(read_date(&Cell::Number(-5.0)).is_err());
        assert_eq!(read_date(&text("  ")), Ok(None));
        assert_eq!(read_date(&Cell::Empty), Ok(None));
    }

    #[test]
    fn phone_stored_as_number_reads() {
        let phone = read_phone(&Cell::Number(13812345678.0)).unwrap().unwrap();
        assert_eq!(phone.as_str(), "13812345678");
        assert_eq!(read_phone(&Cell::Empty), Ok(None));
    }

    #[test]
    fn id_card_stored_as_number_is_explained() {
        let today = ymd(2021, 3, 1);
        let lost = read_id_card(&Cell::Number(3.201171990010112e17), today).unwrap_err();
        assert_eq!(lost.reason, LOST_DIGITS);
        let scientific = read_id_card(&text("3.20117E+17"), today).unwrap_err();
        assert_eq!(scientific.reason, LOST_DIGITS);
        let short = read_id_card(&Cell::Number(12345.0), today).unwrap_err();
        assert!(short.reason.starts_with("身份证号应为18位"), "{}", short.reason);
    }

    #[test]
    fn names_are_normalised_and_bounded() {
        assert_eq!(read_name(&text(" 张 三 ")), Ok(Some("张三".to_owned())));
        assert_eq!(read_name(&text("  ")).unwrap_err().reason, "姓名不能为空");
        assert_eq!(read_name(&text("张")).unwrap_err().reason, "姓名应为2–20个字");
        assert!(read_name(&text(&"张".repeat(21))).is_err());
    }
}
