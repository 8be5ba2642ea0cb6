//! A member's own points as their 我的 page shows them: the total, today's points of each kind
//! against its daily cap, and the latest entries.

use super::model::{self, PointKind};
use super::store;
use crate::db::Db;

/// Today's points of one kind.
#[derive(Debug, Clone)]
pub struct TodayLine {
    /// The kind's label.
    pub label: &'static str,
    /// Points earned today.
    pub points: i64,
    /// Today's cap, if the rule has one.
    pub cap: Option<i64>,
}

/// One entry of the member's history.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    /// The Shanghai day it counts for.
    pub day: String,
    /// The kind's label.
    pub label: &'static str,
    /// Points, signed ("+5", "-5", "0").
    pub points: String,
    /// Why (a correction's or staff's reason), or empty.
    pub reason: String,
    /// Earned by study declared by name and phone alone (自报).
    pub self_declared: bool,
}

/// The member's points card.
#[derive(Debug, Clone)]
pub struct MyPoints {
    /// All points, summed from the ledger.
    pub total: i64,
    /// Today's kinds with points or a cap reached.
    pub today: Vec<TodayLine>,
    /// The latest entries, newest first.
    pub recent: Vec<HistoryLine>,
}

/// Reads the member's points card.
pub async fn for_member(db: &Db, member_id: i64) -> Result<MyPoints, sqlx::Error> {
    let day = crate::time::today();
    let rules = store::rules(db).await?;
    let today = store::day_totals(db, member_id, day)
        .await?
        .into_iter()
        .map(|(kind, points): (PointKind, i64)| TodayLine {
            label: kind.label(),
            points,
            cap: model::rule_on(&rules, kind, day).and_then(|r| r.daily_cap),
        })
        .collect();
    let recent = store::history(db, member_id, 20)
        .await?
        .into_iter()
        .map(|e| HistoryLine {
            day: e.earned_on.format("%Y-%m-%d").to_string(),
            label: e.kind.label(),
            points: if e.points > 0 { format!("+{}", e.points) } else { e.points.to_string() },
            reason: if e.corrects_entry_id.is_some() { format!("更正：{}", e.reason) } else { e.reason },
            self_declared: e.self_declared && e.corrects_entry_id.is_none(),
        })
        .collect();
    Ok(MyPoints { total: store::total(db, member_id).await?, today, recent })
}
