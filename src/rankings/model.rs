//! The rankings' pure rules: which period a page asks for, which unit a member is ranked in, and
//! who may see what.

use chrono::NaiveDate;

use crate::auth::Role;
use crate::coded_enum;
use crate::points::index::{Period, UnitId};

coded_enum! {
    /// The period a ranking covers, as a page or the command line names it.
    PeriodKind {
        /// 今日.
        Day = ("day", "今日"),
        /// 本周 (Monday to Sunday).
        Week = ("week", "本周"),
        /// 本月.
        Month = ("month", "本月"),
        /// 本季度.
        Quarter = ("quarter", "本季度"),
        /// The current campaign's whole date range.
        Campaign = ("campaign", "本次冬训"),
    }
}

impl PeriodKind {
    /// The index's period holding `day`.
    pub fn on(self, day: NaiveDate) -> Period {
        match self {
            PeriodKind::Day => Period::Day(day),
            PeriodKind::Week => Period::Week(day),
            PeriodKind::Month => Period::Month(day),
            PeriodKind::Quarter => Period::Quarter(day),
            PeriodKind::Campaign => Period::Campaign,
        }
    }

    /// How a heading names the period holding `day` ("2026-12-03", "2026年12月" …); today's
    /// period keeps its short label.
    pub fn describe(self, day: NaiveDate, today: NaiveDate) -> String {
        use chrono::Datelike;
        let this = match self {
            PeriodKind::Day => day == today,
            PeriodKind::Week => monday(day) == monday(today),
            PeriodKind::Month => (day.year(), day.month()) == (today.year(), today.month()),
            PeriodKind::Quarter => {
                (day.year(), (day.month() - 1) / 3) == (today.year(), (today.month() - 1) / 3)
            }
            PeriodKind::Campaign => true,
        };
        if this {
            return self.label().to_owned();
        }
        match self {
            PeriodKind::Day => day.format("%Y-%m-%d").to_string(),
            PeriodKind::Week => format!("{} 起一周", monday(day).format("%Y-%m-%d")),
            PeriodKind::Month => format!("{}年{}月", day.year(), day.month()),
            PeriodKind::Quarter => format!("{}年第{}季度", day.year(), (day.month() - 1) / 3 + 1),
            PeriodKind::Campaign => self.label().to_owned(),
        }
    }
}

fn monday(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The unit a member is ranked in: the station (村社) or the hub their unit lies under — the
/// second id of its path (`/root/station/branch/`). A unit directly at the root ranks as itself;
/// None for a path that names no unit.
pub fn ranking_unit(path: &str) -> Option<UnitId> {
    let mut ids = path.split('/').filter(|s| !s.is_empty());
    let root = ids.next()?;
    ids.next().unwrap_or(root).parse().ok()
}

/// What a viewer may see of the rankings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    /// Every member's name in the sub-district (the committee).
    Everyone,
    /// Names of the members of their own unit only (station staff).
    OwnUnit,
    /// Names in their unit and across the sub-district, when the committee allows it (members).
    Names,
    /// Unit rankings and their own points and rank; no other member's name (members, by default).
    UnitsOnly,
}

impl Sight {
    /// What `role` may see, given the committee's setting for members.
    pub fn of(role: Role, members_see_names: bool) -> Sight {
        match role {
            Role::CommitteeAdmin => Sight::Everyone,
            Role::StationAdmin => Sight::OwnUnit,
            _ if members_see_names => Sight::Names,
            _ => Sight::UnitsOnly,
        }
    }

    /// Whether this viewer may list the members of ranking unit `unit`, theirs being `own`.
    pub fn may_list_unit(self, unit: UnitId, own: Option<UnitId>) -> bool {
        match self {
            Sight::Everyone => true,
            Sight::OwnUnit | Sight::Names => Some(unit) == own,
            Sight::UnitsOnly => false,
        }
    }

    /// Whether this viewer may list the sub-district's members by name.
    pub fn may_list_all(self) -> bool {
        matches!(self, Sight::Everyone | Sight::Names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_rank_in_the_station_above_their_branch() {
        assert_eq!(ranking_unit("/0000000001/0000000003/0000000004/"), Some(3));
        assert_eq!(ranking_unit("/0000000001/0000000003/"), Some(3));
        assert_eq!(ranking_unit("/0000000001/"), Some(1));
        assert_eq!(ranking_unit("/"), None);
    }

    #[test]
    fn staff_see_their_subtree_and_members_what_the_committee_allows() {
        assert_eq!(Sight::of(Role::CommitteeAdmin, false), Sight::Everyone);
        assert_eq!(Sight::of(Role::StationAdmin, false), Sight::OwnUnit);
        assert_eq!(Sight::of(Role::Member, false), Sight::UnitsOnly);
        assert_eq!(Sight::of(Role::Member, true), Sight::Names);
        assert!(!Sight::OwnUnit.may_list_unit(4, Some(3)) && Sight::OwnUnit.may_list_unit(3, Some(3)));
        assert!(!Sight::OwnUnit.may_list_all() && Sight::Names.may_list_all());
        assert!(!Sight::UnitsOnly.may_list_unit(3, Some(3)));
    }

    #[test]
    fn a_past_period_is_named_by_its_dates() {
        let today: NaiveDate = "2026-12-03".parse().unwrap();
        assert_eq!(PeriodKind::Day.describe(today, today), "今日");
        assert_eq!(PeriodKind::Month.describe("2026-11-30".parse().unwrap(), today), "2026年11月");
        assert_eq!(PeriodKind::Week.describe("2026-11-29".parse().unwrap(), today), "2026-11-23 起一周");
    }
}
