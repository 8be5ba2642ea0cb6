//! Member categories (人员类别) the committee tracks for targeted work such
//! as door-to-door study (送学上门).

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

use serde::{Deserialize, Serialize};

use crate::people::model::FieldError;
use crate::people::text::normalize_text;

/// A set of member categories, stored as a bitset so it fits one integer
/// column and filters with a bitwise AND.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(from = "u32", into = "u32")]
pub struct MemberCategories(u32);

impl MemberCategories {
    /// No category.
    pub const NONE: MemberCategories = MemberCategories(0);
    /// 老党员
    pub const ELDERLY: MemberCategories = MemberCategories(1);
    /// 困难党员
    pub const HARDSHIP: MemberCategories = MemberCategories(2);
    /// 流动党员
    pub const MOBILE: MemberCategories = MemberCategories(4);
    /// 无智能手机
    pub const NO_SMARTPHONE: MemberCategories = MemberCategories(8);
    /// 长期患病
    pub const SICK: MemberCategories = MemberCategories(16);

    /// Every single category with its Chinese label, in display order
    /// (for filter drop-downs and check-box lists).
    pub const ALL: [(MemberCategories, &'static str); 5] = [
        (MemberCategories::ELDERLY, "老党员"),
        (MemberCategories::HARDSHIP, "困难党员"),
        (MemberCategories::MOBILE, "流动党员"),
        (MemberCategories::NO_SMARTPHONE, "无智能手机"),
        (MemberCategories::SICK, "长期患病"),
    ];

    /// The raw bits, for storage.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// Rebuilds a set from stored bits; bits that name no category are
    /// dropped rather than carried around unseen.
    pub fn from_bits(bits: u32) -> MemberCategories {
        let known = MemberCategories::ALL.iter().fold(0, |acc, (c, _)| acc | c.0);
        MemberCategories(bits & known)
    }

    /// True if every category in `other` is also in `self`.
    pub fn contains(self, other: MemberCategories) -> bool {
        self.0 & other.0 == other.0
    }

    /// True if no category is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The Chinese labels of the categories present, in display order.
    pub fn labels(self) -> Vec<&'static str> {
        MemberCategories::ALL.iter().filter(|(c, _)| self.contains(*c)).map(|(_, label)| *label).collect()
    }

    /// Parses a list such as "老党员、困难党员". Items may be separated by
    /// 、 , ， ; ； / or spaces; blank, "无" and "-" mean no category.
    /// An unknown label is an error that names it.
    pub fn parse_list(input: &str) -> Result<MemberCategories, FieldError> {
        let text = normalize_text(input);
        let separators = ['、', ',', '，', ';', '；', '/', ' '];
        let mut set = MemberCategories::NONE;
        for item in text.split(separators).filter(|s| !s.is_empty()) {
            if matches!(item, "无" | "-" | "—") {
                continue;
            }
            set |= MemberCategories::from_label(item).ok_or_else(|| unknown_label(item))?;
        }
        Ok(set)
    }

    fn from_label(label: &str) -> Option<MemberCategories> {
        MemberCategories::ALL.iter().find(|(_, known)| *known == label).map(|(c, _)| *c)
    }
}

fn unknown_label(item: &str) -> FieldError {
    let known: Vec<&str> = MemberCategories::ALL.iter().map(|(_, l)| *l).collect();
    FieldError::new(format!("未知的人员类别「{item}」，可填：{}", known.join("、")))
}

impl BitOr for MemberCategories {
    type Output = MemberCategories;

    fn bitor(self, rhs: MemberCategories) -> MemberCategories {
        MemberCategories(self.0 | rhs.0)
    }
}

impl BitOrAssign for MemberCategories {
    fn bitor_assign(&mut self, rhs: MemberCategories) {
        self.0 |= rhs.0;
    }
}

impl From<u32> for MemberCategories {
    fn from(bits: u32) -> MemberCategories {
        MemberCategories::from_bits(bits)
    }
}

impl From<MemberCategories> for u32 {
    fn from(set: MemberCategories) -> u32 {
        set.bits()
    }
}

/// Shows the labels joined with 、, as written in rosters.
impl fmt::Display for MemberCategories {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.labels().join("、"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_with_any_separator() {
        let both = MemberCategories::ELDERLY | MemberCategories::HARDSHIP;
        for input in [
            "老党员、困难党员",
            "老党员,困难党员",
            "老党员，困难党员",
            "老党员;困难党员",
            "老党员；困难党员",
            "老党员/困难党员",
            "老党员 困难党员",
            " 老党员 、、 困难党员 ",
            "困难党员、老党员、老党员",
        ] {
            assert_eq!(MemberCategories::parse_list(input), Ok(both), "{input}");
        }
    }

    #[test]
    fn blank_and_none_words_mean_no_category() {
        for input in ["", "  ", "无", "-", "—"] {
            assert_eq!(MemberCategories::parse_list(input), Ok(MemberCategories::NONE), "{input}");
        }
    }

    #[test]
    fn unknown_label_is_named_in_the_error() {
        let err = MemberCategories::parse_list("老党员、退伍军人").unwrap_err();
        assert!(err.reason.contains("「退伍军人」"), "{}", err.reason);
        assert!(err.reason.contains("长期患病"), "{}", err.reason);
    }

    #[test]
    fn labels_follow_display_order() {
        let set = MemberCategories::SICK | MemberCategories::ELDERLY | MemberCategories::NO_SMARTPHONE;
        assert_eq!(set.labels(), vec!["老党员", "无智能手机", "长期患病"]);
        assert_eq!(set.to_string(), "老党员、无智能手机、长期患病");
        assert_eq!(MemberCategories::NONE.to_string(), "");
    }

    #[test]
    fn bits_round_trip_and_unknown_bits_are_dropped() {
        let all = MemberCategories::ALL.iter().fold(MemberCategories::NONE, |a, (c, _)| a | *c);
        assert_eq!(all.bits(), 31);
        assert_eq!(MemberCategories::from_bits(31), all);
        assert_eq!(MemberCategories::from_bits(32 | 2), MemberCategories::HARDSHIP);
        assert!(MemberCategories::from_bits(0).is_empty());
    }

    #[test]
    fn contains_checks_subsets() {
        let set = MemberCategories::MOBILE | MemberCategories::SICK;
        assert!(set.contains(MemberCategories::MOBILE));
        assert!(set.contains(MemberCategories::NONE));
        assert!(!set.contains(MemberCategories::MOBILE | MemberCategories::ELDERLY));
    }
}
