//! 数据存疑: what is implausible about a member's record without being impossible. Old records
//! often give a join date before the 18th birthday (a typo in the year, a youth-league date, a
//! back-dated record): such a record is kept, flagged with the reason, and the branch checks it.

use chrono::{Datelike, Months, NaiveDate};

/// The reason a join date before the 18th birthday is flagged.
pub const JOINED_BEFORE_ADULT: &str = "入党时间早于年满18周岁";

/// Why this birth and join date are doubtful, if they are. Compared by month: "入党年月" columns
/// usually omit the day.
pub fn doubt_of(birth: Option<NaiveDate>, joined: Option<NaiveDate>) -> Option<&'static str> {
    let adult = add_years(birth?, 18)?;
    (month_of(joined?) < month_of(adult)).then_some(JOINED_BEFORE_ADULT)
}

/// Birth and join date, the dates a doubt is about.
pub type DoubtDates = (Option<NaiveDate>, Option<NaiveDate>);

/// How a member's flag changes when their dates go from `before` to `after`, if it does: a
/// doubt about changed dates is new and flags the member; a doubt about the same dates keeps the
/// stored flag (staff may have checked and cleared it); no doubt clears the flag.
pub fn doubt_change(
    stored: Option<&str>,
    before: DoubtDates,
    after: DoubtDates,
) -> Option<Option<&'static str>> {
    match doubt_of(after.0, after.1) {
        None if stored.is_some() => Some(None),
        Some(doubt) if before != after && stored != Some(doubt) => Some(Some(doubt)),
        _ => None,
    }
}

/// The date `years` later; 29 February becomes 28 February when needed.
pub fn add_years(date: NaiveDate, years: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(years * 12))
}

/// (year, month), to compare dates of which only the month may be known.
pub fn month_of(date: NaiveDate) -> (i32, u32) {
    (date.year(), date.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn a_join_before_the_18th_birthday_month_is_doubtful() {
        assert_eq!(doubt_of(ymd(1950, 6, 15), ymd(1968, 5, 1)), Some(JOINED_BEFORE_ADULT));
        assert_eq!(doubt_of(ymd(1950, 6, 15), ymd(1968, 6, 1)), None, "same month: the day is unknown");
        assert_eq!(doubt_of(ymd(1950, 6, 15), ymd(1975, 7, 1)), None);
        assert_eq!(doubt_of(None, ymd(1968, 5, 1)), None);
        assert_eq!(doubt_of(ymd(1950, 6, 15), None), None);
    }

    #[test]
    fn a_cleared_flag_stays_cleared_until_the_dates_change() {
        let early = (ymd(1950, 6, 15), ymd(1968, 5, 1));
        let later = (ymd(1950, 6, 15), ymd(1967, 5, 1));
        let fine = (ymd(1950, 6, 15), ymd(1975, 7, 1));
        assert_eq!(doubt_change(None, early, early), None, "checked and cleared: stays cleared");
        assert_eq!(doubt_change(None, fine, early), Some(Some(JOINED_BEFORE_ADULT)));
        assert_eq!(doubt_change(None, early, later), Some(Some(JOINED_BEFORE_ADULT)));
        assert_eq!(doubt_change(Some(JOINED_BEFORE_ADULT), early, later), None, "already flagged");
        assert_eq!(doubt_change(Some(JOINED_BEFORE_ADULT), early, fine), Some(None), "corrected");
        assert_eq!(doubt_change(None, fine, fine), None);
    }
}
