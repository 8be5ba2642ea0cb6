//! A member's ledger as pages show it: every entry with its day, kind, points, the 自报 flag of
//! a self-declared attendance, its reason and whether it was corrected; and today's points of
//! each kind against its daily cap.

use chrono::NaiveDate;

use super::model::{self, PointKind};
use super::store;
use crate::db::Db;
use crate::on_db;

/// One ledger entry, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The entry's id (corrections name it).
    pub id: i64,
    /// The day it counts for, yyyy-mm-dd.
    pub day: String,
    /// The kind's label.
    pub label: &'static str,
    /// Points, signed: "+5", "-5", "0".
    pub points: String,
    /// The member declared it themselves (online study by name and phone): 自报.
    pub self_declared: bool,
    /// Why (staff's reason, 事项), or empty.
    pub reason: String,
    /// The entry this one corrects.
    pub corrects: Option<i64>,
    /// Corrections written for this entry.
    pub corrected: i64,
    /// Recorded by staff (offline points, a roll call…).
    pub by_staff: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: PointKind,
    points: i64,
    earned_on: NaiveDate,
    reason: String,
    corrects_entry_id: Option<i64>,
    recorded_by: Option<i64>,
    self_declared: bool,
    corrections: i64,
}

/// The member's newest `limit` entries, newest first.
pub async fn lines(db: &Db, member_id: i64, limit: i64) -> Result<Vec<Line>, sqlx::Error> {
    // An entry earned by study declared by name and phone carries the flag itself (migration
    // 0014); a correction copies it, but only the award is marked.
    let rows: Vec<Row> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT e.id, e.kind, e.points, e.earned_on, e.reason, e.corrects_entry_id, e.recorded_by, \
             e.self_declared AND e.corrects_entry_id IS NULL AS self_declared, \
             (SELECT COUNT(*) FROM point_entries c WHERE c.corrects_entry_id = e.id) AS corrections \
             FROM point_entries e WHERE e.member_id = $1 ORDER BY e.id DESC LIMIT $2",
        )
        .bind(member_id)
        .bind(limit)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| Line {
            id: r.id,
            day: r.earned_on.format("%Y-%m-%d").to_string(),
            label: r.kind.label(),
            points: if r.points > 0 { format!("+{}", r.points) } else { r.points.to_string() },
            self_declared: r.self_declared,
            reason: r.reason,
            corrects: r.corrects_entry_id,
            corrected: r.corrections,
            by_staff: r.recorded_by.is_some(),
        })
        .collect())
}

/// Today's points of one kind against its cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The kind's label.
    pub label: &'static str,
    /// Points today.
    pub points: i64,
    /// Today's cap, if the rule has one.
    pub cap: Option<i64>,
}

impl Progress {
    /// Whether the cap is reached.
    pub fn full(&self) -> bool {
        self.cap.is_some_and(|cap| self.points >= cap)
    }

    /// Percent of the cap reached, for the bar (0–100).
    pub fn percent(&self) -> i64 {
        match self.cap {
            Some(cap) if cap > 0 => (self.points.max(0) * 100 / cap).min(100),
            _ => 0,
        }
    }
}

/// Today's progress: every kind whose rule today has a daily cap, and every other kind that
/// earned something today, in the kinds' order.
pub async fn today(db: &Db, member_id: i64, day: NaiveDate) -> Result<Vec<Progress>, sqlx::Error> {
    let rules = store::rules(db).await?;
    let totals = store::day_totals(db, member_id, day).await?;
    Ok(PointKind::choices()
        .into_iter()
        .filter_map(|(code, _)| PointKind::from_code(code))
        .filter_map(|kind| {
            let points = totals.iter().find(|(k, _)| *k == kind).map_or(0, |(_, p)| *p);
            let cap = model::rule_on(&rules, kind, day).and_then(|r| r.daily_cap);
            (cap.is_some() || points != 0).then_some(Progress { label: kind.label(), points, cap })
        })
        .collect())
}

/// The member's total and the number of entries.
pub async fn summary(db: &Db, member_id: i64) -> Result<(i64, i64), sqlx::Error> {
    let total = store::total(db, member_id).await?;
    let count: i64 = on_db!(db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM point_entries WHERE member_id = $1")
            .bind(member_id)
            .fetch_one(pool)
            .await?
    });
    Ok((total, count))
}

/// The entry `entry_id` of `member_id`: its points with its corrections summed in, and the entry
/// it corrects itself (if it is a correction); `None` when the member has no such entry.
pub async fn entry_net(
    db: &Db,
    member_id: i64,
    entry_id: i64,
) -> Result<Option<(i64, Option<i64>)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT e.points + CAST(COALESCE((SELECT SUM(c.points) FROM point_entries c WHERE c.corrects_entry_id = e.id), 0) AS BIGINT), \
             e.corrects_entry_id FROM point_entries e WHERE e.id = $1 AND e.member_id = $2",
        )
        .bind(entry_id)
        .bind(member_id)
        .fetch_optional(pool)
        .await
    })
}
