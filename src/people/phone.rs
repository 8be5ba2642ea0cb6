//! Mainland China mobile phone numbers.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::people::model::FieldError;
use crate::people::text::normalize_text;

const PHONE_REASON: &str = "手机号应为11位数字，以13–19开头";

/// A mainland mobile number: 11 digits matching `1[3-9]\d{9}`, stored
/// without country code or separators.
///
/// `Debug` prints the masked form so numbers do not leak into logs; use
/// [`Phone::as_str`] when the full number is really needed.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Parses a typed number. Full-width digits, spaces, dashes and a
    /// leading `+86` / `86` are accepted ("+86 138-1234-5678").
    pub fn parse(input: &str) -> Result<Phone, FieldError> {
        let text = normalize_text(input);
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = strip_country_code(&digits);
        if is_mobile_number(digits) {
            Ok(Phone(digits.to_owned()))
        } else {
            Err(FieldError::new(PHONE_REASON))
        }
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with the middle four digits hidden: "138****5678".
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

fn strip_country_code(digits: &str) -> &str {
    if let Some(rest) = digits.strip_prefix("+86") {
        return rest;
    }
    // A bare "86" prefix is only a country code when it leaves 11 digits;
    // otherwise it is part of something else and must fail as a whole.
    match digits.strip_prefix("86") {
        Some(rest) if rest.len() == 11 => rest,
        _ => digits,
    }
}

fn is_mobile_number(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    bytes.len() == 11
        && bytes.iter().all(u8::is_ascii_digit)
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Phone").field(&self.masked()).finish()
    }
}

impl TryFrom<String> for Phone {
    type Error = FieldError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Phone::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(phone: Phone) -> String {
        phone.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        Phone::parse(input).unwrap_or_else(|e| panic!("{input}: {e}")).as_str().to_owned()
    }

    #[test]
    fn accepts_plain_and_decorated_numbers() {
        assert_eq!(ok("13812345678"), "13812345678");
        assert_eq!(ok(" 138 1234 5678 "), "13812345678");
        assert_eq!(ok("138-1234-5678"), "13812345678");
        assert_eq!(ok("１３８１２３４５６７８"), "13812345678");
        assert_eq!(ok("+86 138 1234 5678"), "13812345678");
        assert_eq!(ok("+8613812345678"), "13812345678");
        assert_eq!(ok("8613812345678"), "13812345678");
        assert_eq!(ok("＋８６－１３８１２３４５６７８"), "13812345678");
        assert_eq!(ok("19912345678"), "19912345678");
    }

    #[test]
    fn rejects_malformed_numbers_with_chinese_reason() {
        for input in [
            "",
            "1381234",
            "138123456789",
            "12812345678",
            "23812345678",
            "1381234567a",
            "025-5712345",
            "86138123456",
            "(138)12345678",
        ] {
            let err = Phone::parse(input).unwrap_err();
            assert_eq!(err.reason, PHONE_REASON, "{input}");
        }
    }

    #[test]
    fn masks_the_middle_digits() {
        let phone = Phone::parse("13812341234").unwrap();
        assert_eq!(phone.masked(), "138****1234");
        assert_eq!(format!("{phone:?}"), "Phone(\"138****1234\")");
    }

    #[test]
    fn serde_round_trip_validates() {
        let phone: Phone = "13812345678".to_owned().try_into().unwrap();
        assert_eq!(String::from(phone), "13812345678");
        assert!(Phone::try_from("123".to_owned()).is_err());
    }
}
