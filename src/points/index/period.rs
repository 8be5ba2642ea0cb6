//! Ranking periods (排名周期) and the buckets an entry's local day falls into.

use chrono::{Datelike, Days, NaiveDate};

/// A ranking period, named by any local day inside it (Asia/Shanghai days, as the ledger stores).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// That day.
    Day(NaiveDate),
    /// The week (Monday to Sunday) holding that day.
    Week(NaiveDate),
    /// The calendar month holding that day.
    Month(NaiveDate),
    /// The calendar quarter holding that day.
    Quarter(NaiveDate),
    /// The campaign's whole date range, given when the index was made.
    Campaign,
}

/// The key of one period's rankings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Bucket {
    Day(NaiveDate),
    /// Keyed by the week's Monday.
    Week(NaiveDate),
    Month(i32, u32),
    Quarter(i32, u32),
    Campaign,
}

/// The Monday starting `day`'s week.
pub(super) fn monday(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

impl Period {
    pub(super) fn bucket(self) -> Bucket {
        match self {
            Period::Day(day) => Bucket::Day(day),
            Period::Week(day) => Bucket::Week(monday(day)),
            Period::Month(day) => Bucket::Month(day.year(), day.month()),
            Period::Quarter(day) => Bucket::Quarter(day.year(), (day.month() - 1) / 3 + 1),
            Period::Campaign => Bucket::Campaign,
        }
    }
}

/// The buckets an entry on `day` counts in: its day, week, month, quarter, and the campaign when
/// the day is inside the campaign's range.
pub(super) fn buckets_of(day: NaiveDate, in_campaign: bool) -> impl Iterator<Item = Bucket> {
    [Period::Day(day), Period::Week(day), Period::Month(day), Period::Quarter(day)]
        .into_iter()
        .map(Period::bucket)
        .chain(in_campaign.then_some(Bucket::Campaign))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_quarters_group_three_months() {
        // 2026-11-29 is a Sunday.
        assert_eq!(Period::Week(day("2026-11-29")).bucket(), Bucket::Week(day("2026-11-23")));
        assert_eq!(Period::Week(day("2026-11-30")).bucket(), Bucket::Week(day("2026-11-30")));
        assert_eq!(Period::Quarter(day("2026-12-31")).bucket(), Bucket::Quarter(2026, 4));
        assert_eq!(Period::Quarter(day("2027-03-01")).bucket(), Bucket::Quarter(2027, 1));
        assert_eq!(buckets_of(day("2027-01-01"), false).count(), 4);
    }
}
