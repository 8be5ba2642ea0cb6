//! Time: stored in UTC, shown in Asia/Shanghai.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;

/// A timestamp as people here read it: `2021-03-02 09:30`.
pub fn local_datetime(at: DateTime<Utc>) -> String {
    at.with_timezone(&Shanghai).format("%Y-%m-%d %H:%M").to_string()
}

/// Today's date in Shanghai (a member's age, a plausible date).
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&Shanghai).date_naive()
}

/// Full years between a birth date and a day.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_shanghai_time() {
        let at = DateTime::parse_from_rfc3339("2021-03-01T16:30:00Z").unwrap().to_utc();
        assert_eq!(local_datetime(at), "2021-03-02 00:30");
    }

    #[test]
    fn counts_full_years() {
        let birth = NaiveDate::from_ymd_opt(1950, 3, 2).unwrap();
        assert_eq!(age_on(birth, NaiveDate::from_ymd_opt(2021, 3, 1).unwrap()), 70);
        assert_eq!(age_on(birth, NaiveDate::from_ymd_opt(2021, 3, 2).unwrap()), 71);
    }
}
