//! Points rules, pure: which rule is in effect on a day, and how many points one award earns
//! given what the member already has today and for the item.

use chrono::{NaiveDate, NaiveTime};

use crate::coded_enum;

coded_enum! {
    /// Kinds of activity that earn points; each has its rules in `point_rules`.
    PointKind {
        /// Attending a training session.
        Attendance = ("attendance", "参加学习"),
        /// A field lecture (现场教学).
        FieldLecture = ("field_lecture", "现场教学"),
        /// Online study counted at 90 %.
        OnlineStudy = ("online_study", "线上学习"),
        /// Door-to-door study.
        Visit = ("visit", "送学上门"),
        /// Feedback on a session.
        Feedback = ("feedback", "评价反馈"),
        /// Reading a study article.
        Reading = ("reading", "阅读文章"),
        /// Watching a study video.
        Video = ("video", "观看视频"),
        /// The daily quiz.
        Quiz = ("quiz", "每日答题"),
        /// Volunteer service, by the hour.
        Volunteer = ("volunteer", "志愿服务"),
        /// First place in a contest.
        ContestFirst = ("contest_first", "竞赛一等"),
        /// Second place in a contest.
        ContestSecond = ("contest_second", "竞赛二等"),
        /// Third place in a contest.
        ContestThird = ("contest_third", "竞赛三等"),
        /// The monthly award (每月评优).
        MonthlyAward = ("monthly_award", "月度评优"),
        /// Offline study recorded by staff.
        Offline = ("offline", "线下学习（代录）"),
    }
}

/// A time-of-day window (活跃时段) in Shanghai local time, `from` inclusive, `until` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Start.
    pub from: NaiveTime,
    /// End.
    pub until: NaiveTime,
}

/// One row of the rules table: what a kind earns from `effective_from` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The kind this rule is for.
    pub kind: PointKind,
    /// Points per unit (per award, or per `minutes_per_point` minutes for time-based rules).
    pub points: i64,
    /// Most points of this kind per member per local day.
    pub daily_cap: Option<i64>,
    /// Most points of this kind per member per item (a session, an article).
    pub per_item_cap: Option<i64>,
    /// Time-based rules: the quantity is minutes, and `points` are earned per this many.
    pub minutes_per_point: Option<i64>,
    /// Active windows; empty means off.
    pub windows: Vec<Window>,
    /// Multiplier inside a window.
    pub window_multiplier: i64,
    /// First local day the rule applies to.
    pub effective_from: NaiveDate,
}

/// Parses stored windows, `"06:00-08:30,12:00-14:00"`; empty text means none.
pub fn parse_windows(text: &str) -> Option<Vec<Window>> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (from, until) = part.split_once('-')?;
            let from = NaiveTime::parse_from_str(from.trim(), "%H:%M").ok()?;
            let until = NaiveTime::parse_from_str(until.trim(), "%H:%M").ok()?;
            (from < until).then_some(Window { from, until })
        })
        .collect()
}

/// The rule in effect on `day`: the one with the latest `effective_from` not after it.
pub fn rule_on(rules: &[Rule], kind: PointKind, day: NaiveDate) -> Option<&Rule> {
    rules.iter().filter(|r| r.kind == kind && r.effective_from <= day).max_by_key(|r| r.effective_from)
}

/// What the member already has before this award.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Earned {
    /// Points of this kind on this local day.
    pub today: i64,
    /// Points of this kind for this item.
    pub item: i64,
}

impl Rule {
    /// Whether an award's points need nothing but the rule and the item's total: no daily cap,
    /// not time-based, no windows. Such an award is written in one statement
    /// (`points::simple`), which must compute what [`points_for`] would.
    pub fn is_simple(&self) -> bool {
        self.daily_cap.is_none()
            && self.minutes_per_point.is_none()
            && self.windows.is_empty()
            && self.points >= 0
    }
}

/// Points one award earns: `quantity` units (minutes for time-based rules), doubled (or
/// multiplied) inside a window, then cut to what the daily and per-item caps leave. Never
/// negative; an award at or past a cap earns 0.
pub fn points_for(rule: &Rule, quantity: i64, local: NaiveTime, earned: Earned) -> i64 {
    let quantity = quantity.max(0);
    let units = match rule.minutes_per_point {
        Some(minutes) if minutes > 0 => quantity / minutes,
        _ => quantity,
    };
    let in_window = rule.windows.iter().any(|w| w.from <= local && local < w.until);
    let multiplier = if in_window { rule.window_multiplier.max(1) } else { 1 };
    let mut points = units.saturating_mul(rule.points.max(0)).saturating_mul(multiplier);
    if let Some(cap) = rule.daily_cap {
        points = points.min(cap - earned.today);
    }
    if let Some(cap) = rule.per_item_cap {
        points = points.min(cap - earned.item);
    }
    points.max(0)
}

#[cfg(test)]
mod tests;
