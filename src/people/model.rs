//! Value types describing a Party member, parsed once at the edge so the rest
//! of the program can trust them ("parse, don't validate").
//!
//! The bigger types live in their own files; they are re-exported here so
//! callers can `use crate::people::model::*` for everything.

use serde::{Deserialize, Serialize};

use crate::coded_enum;

pub use crate::people::categories::MemberCategories;
pub use crate::people::dates::{date_from_excel_serial, parse_date_loose};
pub use crate::people::id_card::IdCardNumber;
pub use crate::people::phone::Phone;
pub use crate::people::search_keys::{matches_search, pinyin_keys};
pub use crate::people::text::{normalize_name, normalize_text};

/// Why a single typed value was rejected; `reason` is Chinese and is shown
/// to the person who typed the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct FieldError {
    /// Human-readable reason, in Chinese.
    pub reason: String,
}

impl FieldError {
    /// Creates an error with the given Chinese reason.
    pub fn new(reason: impl Into<String>) -> Self {
        Self { reason: reason.into() }
    }
}

coded_enum! {
    /// A member's gender as recorded on the roster.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    Gender {
        /// 男
        Male = ("male", "男"),
        /// 女
        Female = ("female", "女"),
    }
}

impl Gender {
    /// Parses 男/女, 男性/女性, M/F and male/female (any case, any width).
    pub fn parse(input: &str) -> Result<Gender, FieldError> {
        let text = normalize_text(input).to_lowercase();
        match text.as_str() {
            "男" | "男性" | "m" | "male" => Ok(Gender::Male),
            "女" | "女性" | "f" | "female" => Ok(Gender::Female),
            _ => Err(FieldError::new("性别应填写“男”或“女”")),
        }
    }
}

coded_enum! {
    /// Whether a member is still on the branch's books.
    #[derive(Default, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    MemberStatus {
        /// 正常: on the books and expected to take part.
        #[default]
        Active = ("active", "正常"),
        /// 已转出: organisational relationship moved elsewhere.
        Transferred = ("transferred", "已转出"),
        /// 已故
        Deceased = ("deceased", "已故"),
        /// 其他: anything else the committee records by hand.
        Other = ("other", "其他"),
    }
}

impl MemberStatus {
    /// Parses the Chinese label, accepting a few common synonyms.
    /// A blank cell is the caller's business (the roster treats it as 正常).
    pub fn parse(input: &str) -> Result<MemberStatus, FieldError> {
        let text: String = normalize_text(input).chars().filter(|c| *c != ' ').collect();
        match text.as_str() {
            "正常" | "在册" | "在籍" => Ok(MemberStatus::Active),
            "已转出" | "转出" => Ok(MemberStatus::Transferred),
            "已故" | "去世" | "已去世" | "死亡" | "已死亡" => Ok(MemberStatus::Deceased),
            "其他" | "其它" => Ok(MemberStatus::Other),
            _ => Err(FieldError::new("状态应为：正常、已转出、已故、其他")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gender_parses_common_spellings() {
        for text in ["男", "男性", " 男 ", "M", "m", "Ｍ", "male"] {
            assert_eq!(Gender::parse(text), Ok(Gender::Male), "{text}");
        }
        for text in ["女", "女性", "F", "ｆ", "Female"] {
            assert_eq!(Gender::parse(text), Ok(Gender::Female), "{text}");
        }
        for text in ["", "未知", "1", "男女"] {
            assert!(Gender::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn gender_labels_and_codes_round_trip() {
        for gender in [Gender::Male, Gender::Female] {
            assert_eq!(Gender::parse(gender.label()), Ok(gender));
            assert_eq!(Gender::from_code(gender.code()), Some(gender));
        }
        assert_eq!(Gender::from_code("x"), None);
    }

    #[test]
    fn status_parses_labels_and_synonyms() {
        assert_eq!(MemberStatus::parse("正常"), Ok(MemberStatus::Active));
        assert_eq!(MemberStatus::parse(" 已 转出 "), Ok(MemberStatus::Transferred));
        assert_eq!(MemberStatus::parse("去世"), Ok(MemberStatus::Deceased));
        assert_eq!(MemberStatus::parse("其它"), Ok(MemberStatus::Other));
        let err = MemberStatus::parse("开除").unwrap_err();
        assert!(err.reason.contains("已转出"), "{}", err.reason);
    }

    #[test]
    fn status_labels_and_codes_round_trip() {
        for &status in MemberStatus::ALL {
            assert_eq!(MemberStatus::parse(status.label()), Ok(status));
            assert_eq!(MemberStatus::from_code(status.code()), Some(status));
        }
        assert_eq!(MemberStatus::from_code("suspended"), None);
        assert_eq!(MemberStatus::default(), MemberStatus::Active);
    }

    #[test]
    fn field_error_displays_its_reason() {
        assert_eq!(FieldError::new("原因").to_string(), "原因");
    }
}
