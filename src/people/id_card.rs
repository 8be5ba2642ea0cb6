//! Resident identity card numbers (GB 11643-1999, 18 characters).

use std::fmt;

use chrono::{Datelike, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::people::model::{FieldError, Gender};
use crate::people::text::normalize_text;

/// ISO 7064 MOD 11-2 weights for the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by the weighted sum modulo 11.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// A checked 18-character ID number; the birth date inside is valid and
/// the last character is the correct check character (upper-case `X`).
///
/// `Debug` prints the masked form so numbers do not leak into logs; use
/// [`IdCardNumber::as_str`] when the full number is really needed.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdCardNumber(String);

impl IdCardNumber {
    /// Parses a typed ID number, checking it against today's date in China
    /// (UTC+8). See [`IdCardNumber::parse_on`].
    pub fn parse(input: &str) -> Result<IdCardNumber, FieldError> {
        IdCardNumber::parse_on(input, china_today())
    }

    /// Parses a typed ID number. Accepts full-width characters, inner
    /// spaces and a lower-case `x`; checks the length, the digits, the birth
    /// date (a real date, year ≥ 1900, not after `today`) and the checksum.
    pub fn parse_on(input: &str, today: NaiveDate) -> Result<IdCardNumber, FieldError> {
        let text: String =
            normalize_text(input).chars().filter(|c| *c != ' ').map(|c| c.to_ascii_uppercase()).collect();
        let length = text.chars().count();
        if length != 18 {
            return Err(FieldError::new(format!("身份证号应为18位（现为{length}位）")));
        }
        let bytes = text.as_bytes();
        let shape_ok =
            bytes[..17].iter().all(u8::is_ascii_digit) && (bytes[17].is_ascii_digit() || bytes[17] == b'X');
        if !shape_ok {
            return Err(FieldError::new("身份证号前17位应为数字，最后一位为数字或X"));
        }
        match birth_date_of(&text) {
            Some(birth) if birth.year() >= 1900 && birth <= today => {}
            _ => return Err(FieldError::new("身份证号中的出生日期无效")),
        }
        if compute_check_char(&text[..17]) != Some(bytes[17] as char) {
            return Err(FieldError::new("身份证号校验位不正确"));
        }
        Ok(IdCardNumber(text))
    }

    /// The 18 characters, with an upper-case `X` if any.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date encoded at positions 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        // The constructor only accepts numbers whose date is valid.
        birth_date_of(&self.0).unwrap_or_default()
    }

    /// The gender encoded by the 17th digit: odd is male, even is female.
    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 { Gender::Male } else { Gender::Female }
    }

    /// First 6 and last 4 characters with the rest hidden:
    /// "320124********1234".
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

/// Computes the check character for the first 17 digits of an ID number,
/// or `None` if `first17` is not exactly 17 ASCII digits.
pub fn compute_check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes.iter().zip(WEIGHTS).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
    Some(CHECK_CHARS[(sum % 11) as usize] as char)
}

/// Today's date in China, where all users of this app live.
pub fn china_today() -> NaiveDate {
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    Utc::now().with_timezone(&china).date_naive()
}

fn birth_date_of(text: &str) -> Option<NaiveDate> {
    let digits = text.get(6..14)?;
    let year = digits[..4].parse().ok()?;
    let month = digits[4..6].parse().ok()?;
    let day = digits[6..].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

impl fmt::Debug for IdCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdCardNumber").field(&self.masked()).finish()
    }
}

impl TryFrom<String> for IdCardNumber {
    type Error = FieldError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        IdCardNumber::parse(&value)
    }
}

impl From<IdCardNumber> for String {
    fn from(id: IdCardNumber) -> String {
        id.0
    }
}

/// Builds a valid ID number for tests from an area code ("320117"), a birth
/// date ("19900101") and a three-digit sequence ("123", odd = male).
#[cfg(test)]
pub(crate) fn make_id(area: &str, birth: &str, sequence: &str) -> String {
    let body = format!("{area}{birth}{sequence}");
    let check = compute_check_char(&body).expect("17 digits");
    format!("{body}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 3, 1).unwrap()
    }

    fn reason(input: &str) -> String {
        IdCardNumber::parse_on(input, today()).unwrap_err().reason
    }

    #[test]
    fn check_char_matches_the_standard_example() {
        // The worked example from GB 11643-1999.
        assert_eq!(compute_check_char("11010519491231002"), Some('X'));
        assert_eq!(compute_check_char("44052418800101001"), Some('4'));
        assert_eq!(compute_check_char("1234"), None);
        assert_eq!(compute_check_char("1101051949123100a"), None);
    }

    #[test]
    fn parses_a_valid_lishui_number() {
        let text = make_id("320117", "19560312", "123");
        let id = IdCardNumber::parse_on(&text, today()).unwrap();
        assert_eq!(id.as_str(), text);
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1956, 3, 12).unwrap());
        assert_eq!(id.gender(), Gender::Male);
        assert_eq!(id.masked(), format!("320117********{}", &text[14..]));
    }

    #[test]
    fn even_sequence_digit_is_female() {
        let id = IdCardNumber::parse_on(&make_id("320117", "19800101", "002"), today()).unwrap();
        assert_eq!(id.gender(), Gender::Female);
    }

    #[test]
    fn accepts_lower_case_x_full_width_and_spaces() {
        assert_eq!(
            IdCardNumber::parse_on("11010519491231002x", today()).unwrap().as_str(),
            "11010519491231002X"
        );
        let full_width = "１１０１０５１９４９１２３１００２Ｘ";
        assert!(IdCardNumber::parse_on(full_width, today()).is_ok());
        assert!(IdCardNumber::parse_on(" 110105 19491231 002X ", today()).is_ok());
    }

    #[test]
    fn rejects_wrong_length() {
        assert_eq!(reason("32011719900101123"), "身份证号应为18位（现为17位）");
        assert_eq!(reason("320117900101123"), "身份证号应为18位（现为15位）");
    }

    #[test]
    fn rejects_letters_in_the_body() {
        assert_eq!(reason("3201171990010112A3"), "身份证号前17位应为数字，最后一位为数字或X");
    }

    #[test]
    fn rejects_bad_birth_dates() {
        let invalid = "身份证号中的出生日期无效";
        // 30 February, a year before 1900 and a date after today.
        assert_eq!(reason(&make_id("320117", "19900230", "123")), invalid);
        assert_eq!(reason(&make_id("320117", "18991231", "123")), invalid);
        assert_eq!(reason(&make_id("320117", "20210302", "123")), invalid);
        assert!(IdCardNumber::parse_on(&make_id("320117", "20210301", "123"), today()).is_ok());
    }

    #[test]
    fn rejects_wrong_check_character() {
        let good = make_id("320117", "19900101", "123");
        let wrong = if good.ends_with('1') { '2' } else { '1' };
        let bad = format!("{}{}", &good[..17], wrong);
        assert_eq!(reason(&bad), "身份证号校验位不正确");
        // A single transposed digit is also caught.
        assert_eq!(reason("11010519491213002X"), "身份证号校验位不正确");
    }

    #[test]
    fn debug_is_masked_and_serde_conversions_validate() {
        let id = IdCardNumber::parse_on("11010519491231002X", today()).unwrap();
        assert_eq!(format!("{id:?}"), "IdCardNumber(\"110105********002X\")");
        assert_eq!(String::from(id), "11010519491231002X");
        assert!(IdCardNumber::try_from("110105".to_owned()).is_err());
    }

    #[test]
    fn china_today_is_close_to_utc_today() {
        let utc = Utc::now().date_naive();
        let days = (china_today() - utc).num_days();
        assert!((0..=1).contains(&days));
    }
}
