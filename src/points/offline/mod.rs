//! Offline points (线下学习代录): staff record study done without a smartphone (无智能手机), one
//! member at a time or from a sheet. Both go through [`crate::points::award`] as kind `Offline`
//! with the staff account and a reason, and are named by [`offline_key`], a key made of the
//! entry's content: the same entry sent twice — a double tap, the same sheet imported again —
//! adds nothing.

pub mod command;
pub mod import;
pub mod input;
pub mod sheet;
pub mod template;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use sha2::{Digest, Sha256};

use super::model::{PointKind, Rule, rule_on};
use super::store::{self, Award, Awarded};
use crate::db::Tx;

/// Longest 事项 and 备注/原因, in characters.
pub const TEXT_MAX_CHARS: usize = 50;

/// One offline entry, checked: who, on which day, for what, how many points, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineEntry {
    /// The member.
    pub member_id: i64,
    /// The day the study took place (the points count for it).
    pub day: NaiveDate,
    /// 事项: what was studied ("观看党课录像").
    pub item: String,
    /// Points, a whole number within the Offline rule's cap.
    pub points: i64,
    /// 备注 (sheet) or 原因 (one at a time).
    pub note: String,
}

/// The key that names an offline entry: `offline:{member}:{day}:{hash of 事项, 积分 and 备注}`.
/// Two rows alike in all of these are the same entry.
pub fn offline_key(entry: &OfflineEntry) -> String {
    let mut hash = Sha256::new();
    for part in [entry.item.as_str(), &entry.points.to_string(), entry.note.as_str()] {
        hash.update(part.as_bytes());
        hash.update([0x1f]);
    }
    let digest = hex::encode(hash.finalize());
    format!("offline:{}:{}:{}", entry.member_id, entry.day.format("%Y-%m-%d"), &digest[..16])
}

/// What the ledger shows as the entry's reason: 事项, and the note after it.
pub fn reason_text(item: &str, note: &str) -> String {
    if note.is_empty() { item.to_owned() } else { format!("{item}：{note}") }
}

/// The days offline points may be recorded for: inside the campaign, and not after today.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// The campaign's first day.
    pub from: NaiveDate,
    /// The campaign's last day, or today when that is earlier.
    pub until: NaiveDate,
    /// The campaign, recorded with each entry.
    pub campaign_id: i64,
}

impl Window {
    /// The campaign's days up to `today`.
    pub fn new(campaign_id: i64, starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> Self {
        Self { from: starts_on, until: ends_on.min(today), campaign_id }
    }

    /// Why `day` may not be recorded, if it may not.
    pub fn refuse(&self, day: NaiveDate) -> Option<String> {
        (day < self.from || day > self.until).then(|| {
            format!(
                "日期应在本次冬训期间且不晚于今天（{}至{}）",
                self.from.format("%Y-%m-%d"),
                self.until.format("%Y-%m-%d")
            )
        })
    }
}

/// The most offline points a member may get on `day`: the Offline rule's daily cap (or, without
/// one, its per-item cap); `None` when no rule is in effect then (nothing can be recorded).
pub fn cap_on(rules: &[Rule], day: NaiveDate) -> Option<Option<i64>> {
    rule_on(rules, PointKind::Offline, day).map(|r| r.daily_cap.or(r.per_item_cap))
}

/// Why `points` may not be recorded on `day` given what the member already has that day, if
/// they may not.
pub fn refuse_points(rules: &[Rule], day: NaiveDate, points: i64, already: i64) -> Option<String> {
    if points < 1 {
        return Some("积分应为正整数".into());
    }
    match cap_on(rules, day) {
        None => Some("该日期没有线下学习的积分规则".into()),
        Some(Some(cap)) if points > cap => Some(format!("积分超过上限：线下学习每日最多{cap}分")),
        Some(Some(cap)) if already + points > cap => {
            Some(format!("超过当日上限：该党员这天已有线下学习{already}分，每日最多{cap}分"))
        }
        _ => None,
    }
}

/// The award an offline entry is, by `recorded_by`, in `campaign_id`: counted on the entry's day,
/// named by [`offline_key`].
pub fn award_of(entry: &OfflineEntry, recorded_by: Option<i64>, campaign_id: i64) -> Award {
    let key = offline_key(entry);
    // The start of the day: an offline entry has no time of day, and no 活跃时段 applies to it.
    let at = Shanghai
        .from_local_datetime(&entry.day.and_time(NaiveTime::MIN))
        .earliest()
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
    Award {
        member_id: entry.member_id,
        kind: PointKind::Offline,
        item_key: key.clone(),
        idempotency_key: key,
        at,
        quantity: entry.points,
        reason: reason_text(&entry.item, &entry.note),
        recorded_by,
        campaign_id: Some(campaign_id),
    }
}

/// Records one checked entry in the caller's transaction (see [`award_of`]); a repeat of the
/// same entry adds nothing.
pub async fn record(
    tx: &mut Tx,
    entry: &OfflineEntry,
    recorded_by: Option<i64>,
    campaign_id: i64,
) -> Result<Awarded, sqlx::Error> {
    store::award(tx, &award_of(entry, recorded_by, campaign_id)).await
}

#[cfg(test)]
mod tests;
