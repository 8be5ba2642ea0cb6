//! Scheduling's types and pure rules: session kinds, lecturer kinds and conflicts. No I/O.

use chrono::{DateTime, Utc};

use crate::coded_enum;

coded_enum! {
    /// What kind of session (场次) it is.
    SessionKind {
        /// 主题党课/宣讲 at the hub or a station.
        Lecture = ("lecture", "主题党课/宣讲"),
        /// 实境宣讲 in a field or workshop.
        FieldLecture = ("field", "实境宣讲"),
        /// 交流研讨 after a lecture.
        Exchange = ("exchange", "交流研讨"),
        /// Live online (直播).
        Live = ("live", "线上直播"),
        /// Recorded online (录播).
        Recording = ("recording", "线上录播"),
        /// 送学上门, one-to-one.
        Delivery = ("delivery", "送学上门"),
    }
}

coded_enum! {
    /// The lecturer pool's kinds (S3).
    LecturerKind {
        /// 书记.
        Secretary = ("secretary", "书记"),
        /// 理论宣讲志愿者.
        TheoryVolunteer = ("theory_volunteer", "理论宣讲志愿者"),
        /// 党校教师.
        PartySchoolTeacher = ("party_school", "党校教师"),
        /// 区骨干宣讲团成员.
        DistrictLecturer = ("district", "区骨干宣讲团成员"),
        /// 农业专家.
        AgriculturalExpert = ("agriculture", "农业专家"),
        /// 致富带头人.
        BusinessLeader = ("business_leader", "致富带头人"),
    }
}

coded_enum! {
    /// Whether a session still takes place.
    SessionStatus {
        /// 已安排: on the calendar, check-in opens at its time.
        Scheduled = ("scheduled", "已安排"),
        /// 已取消: kept for the record.
        Cancelled = ("cancelled", "已取消"),
    }
}

/// Whether two half-open intervals [a, b) and [c, d) overlap.
pub fn overlaps(a: DateTime<Utc>, b: DateTime<Utc>, c: DateTime<Utc>, d: DateTime<Utc>) -> bool {
    a < d && c < b
}

/// Longest online link accepted.
pub const ONLINE_URL_MAX_CHARS: usize = 300;

/// Whether `url` may be an online session's link (members are redirected to it): an absolute
/// `http(s)://host/...` address only. Relative paths, `//host`, backslashes (which browsers read
/// as `/`, so `/\\evil.example` is another host), control characters, spaces, a user name before
/// the host and other schemes are refused.
pub fn is_online_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    url.chars().count() <= ONLINE_URL_MAX_CHARS
        && !url.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control())
        && !host.is_empty()
        && !host.starts_with(['.', '-', ':'])
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_web_addresses_are_online_links() {
        for good in
            ["https://live.example.cn/room/88", "http://10.0.0.5:8080/v.mp4", "HTTPS://Video.Example.cn"]
        {
            assert!(is_online_url(good), "{good}");
        }
        let bad = [
            "/\\evil.example/phish",
            "/videos/1.mp4",
            "//evil.example/",
            "https:///evil.example",
            "https://\\evil.example",
            "https://good.example\\@evil.example",
            "https://user@evil.example/",
            "https://live.example.cn/a\tb",
            "https://live.example.cn/a\nb",
            "https://live.example.cn/a b",
            "javascript:alert(1)",
            "ftp://files.example/1.mp4",
            "",
        ];
        for url in bad {
            assert!(!is_online_url(url), "{url:?}");
        }
        assert!(!is_online_url(&format!("https://a.cn/{}", "x".repeat(300))));
    }

    fn at(hhmm: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2021-01-10T{hhmm}:00+08:00")).unwrap().to_utc()
    }

    #[test]
    fn codes_round_trip_and_have_labels() {
        for kind in SessionKind::ALL {
            assert_eq!(SessionKind::from_code(kind.code()), Some(*kind));
        }
        assert_eq!(LecturerKind::from_code("party_school").map(LecturerKind::label), Some("党校教师"));
        assert_eq!(LecturerKind::from_code("nope"), None);
    }

    #[test]
    fn back_to_back_sessions_do_not_overlap() {
        assert!(!overlaps(at("09:00"), at("10:00"), at("10:00"), at("11:00")));
        assert!(overlaps(at("09:00"), at("10:01"), at("10:00"), at("11:00")));
        assert!(overlaps(at("09:00"), at("12:00"), at("10:00"), at("11:00")));
    }
}
