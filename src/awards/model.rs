//! Monthly awards (每月评优), pure: the calendar month a round is for, the committee's criteria,
//! and the proposal — top N per unit by the month's points among those who meet the minimums,
//! with everyone tied at the Nth place included.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::coded_enum;

coded_enum! {
    /// Where a month's award round stands.
    RoundStatus {
        /// Opened: the committee is still adding and removing.
        Draft = ("draft", "待发布"),
        /// Published: fixed, points given, certificates offered.
        Published = ("published", "已发布"),
    }
}

/// A calendar month, stored as `YYYY-MM`; its days are Shanghai days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month `day` falls in.
    pub fn of(day: NaiveDate) -> Month {
        Month { year: day.year(), month: day.month() }
    }

    /// Reads `YYYY-MM` (as a `<input type="month">` sends it).
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.trim().split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let month: u32 = month.parse().ok()?;
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| Month { year, month })
    }

    /// Its first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a valid month")
    }

    /// The month after it.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { month: self.month + 1, ..self }
        }
    }

    /// The month before it.
    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month { year: self.year - 1, month: 12 }
        } else {
            Month { month: self.month - 1, ..self }
        }
    }

    /// Its last day.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("a day before")
    }

    /// Whether the month is over on `today` (a Shanghai day): only then may it be published.
    pub fn has_ended(self, today: NaiveDate) -> bool {
        today > self.last_day()
    }

    /// As people read it: `2026年11月`.
    pub fn label(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

/// `YYYY-MM`, as stored and as in idempotency keys.
impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// What the committee sets for a campaign's monthly awards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criteria {
    /// Awardees per unit, by the month's points (ties at the Nth place all included).
    pub top_n: i64,
    /// Sessions attended in the month, at least.
    pub min_sessions: i64,
    /// Volunteer hours in the month, at least (from the ledger's 志愿服务 points for now).
    pub min_volunteer_hours: i64,
    /// The name printed on certificates; empty: the sub-district's name with 党工委.
    pub issuer: String,
}

impl Default for Criteria {
    fn default() -> Self {
        Criteria { top_n: 3, min_sessions: 1, min_volunteer_hours: 0, issuer: String::new() }
    }
}

/// Most awardees per unit the committee may ask for.
pub const MAX_TOP_N: i64 = 50;

/// One member's month, as the ledger and the attendances give it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Candidate {
    /// The member.
    pub member_id: i64,
    /// Their name.
    pub name: String,
    /// The unit the award is for: their station (or the hub).
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Points earned in the month (monthly awards themselves not counted).
    pub points: i64,
    /// Sessions of the campaign attended in the month.
    pub sessions: i64,
    /// 志愿服务 points in the month.
    pub volunteer_points: i64,
}

/// A proposed awardee: a candidate, their competition rank in the unit, and whether they share it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    /// Who.
    pub candidate: Candidate,
    /// 1, 2, 2, 4 …
    pub rank: i64,
    /// Shares the rank with another proposed member of the unit.
    pub tied: bool,
}

/// Whole volunteer hours that `points` of 志愿服务 stand for at `points_per_hour` (0: none).
pub fn volunteer_hours(points: i64, points_per_hour: i64) -> i64 {
    if points_per_hour <= 0 { 0 } else { points.max(0) / points_per_hour }
}

/// Proposes awardees: per unit, the candidates with points who meet the minimums, ranked by
/// points (competition ranking), those ranked N or better — so all tied at the Nth place are in.
/// Ordered by unit, then rank, then name.
pub fn propose(candidates: &[Candidate], criteria: &Criteria, points_per_hour: i64) -> Vec<Proposed> {
    let mut eligible: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| {
            c.points > 0
                && c.sessions >= criteria.min_sessions
                && volunteer_hours(c.volunteer_points, points_per_hour) >= criteria.min_volunteer_hours
        })
        .collect();
    eligible
        .sort_by(|a, b| a.unit_id.cmp(&b.unit_id).then(b.points.cmp(&a.points)).then(a.name.cmp(&b.name)));
    let mut proposed: Vec<Proposed> = Vec::new();
    let mut i = 0;
    while i < eligible.len() {
        let unit = eligible[i].unit_id;
        let mut position = 0;
        let mut rank = 0;
        let mut last_points = None;
        while i < eligible.len() && eligible[i].unit_id == unit {
            let c = eligible[i];
            position += 1;
            if last_points != Some(c.points) {
                rank = position;
                last_points = Some(c.points);
            }
            if rank <= criteria.top_n {
                proposed.push(Proposed { candidate: c.clone(), rank, tied: false });
            }
            i += 1;
        }
    }
    let shared: Vec<bool> = proposed
        .iter()
        .map(|p| {
            proposed.iter().filter(|q| q.candidate.unit_id == p.candidate.unit_id && q.rank == p.rank).count()
                > 1
        })
        .collect();
    for (p, tied) in proposed.iter_mut().zip(shared) {
        p.tied = tied;
    }
    proposed
}

/// The reason a proposed awardee is given: e.g. `2026年11月积分甲村第1名（86分，参加学习4次）`
/// (sessions left out when none).
pub fn proposal_reason(p: &Proposed, month: Month) -> String {
    let place = if p.tied { format!("并列第{}名", p.rank) } else { format!("第{}名", p.rank) };
    let sessions = if p.candidate.sessions > 0 {
        format!("，参加学习{}次", p.candidate.sessions)
    } else {
        String::new()
    };
    format!("{}积分{}{place}（{}分{sessions}）", month.label(), p.candidate.unit_name, p.candidate.points)
}

/// Units where ties at the Nth place put more than N on the list: (unit name, how many).
pub fn over_quota(proposed: &[Proposed], top_n: i64) -> Vec<(String, usize)> {
    let mut units: Vec<(i64, String, usize)> = Vec::new();
    for p in proposed {
        match units.iter_mut().find(|(id, _, _)| *id == p.candidate.unit_id) {
            Some(entry) => entry.2 += 1,
            None => units.push((p.candidate.unit_id, p.candidate.unit_name.clone(), 1)),
        }
    }
    units.into_iter().filter(|(_, _, n)| *n as i64 > top_n).map(|(_, name, n)| (name, n)).collect()
}

#[cfg(test)]
mod tests;
