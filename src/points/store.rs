//! The ledger's SQL: awards with caps applied under a per-(member, kind, day) row lock,
//! compensating corrections, the rules table, and totals derived from the ledger.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;

use super::model::{self, PointKind, Rule};
use crate::audit::{self, Action, Actor};
use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// One award as an earning path asks for it.
#[derive(Debug, Clone)]
pub struct Award {
    /// Who earns.
    pub member_id: i64,
    /// For what kind of activity.
    pub kind: PointKind,
    /// The thing earned on ("session:12"), for the per-item cap.
    pub item_key: String,
    /// Names this award: a repeat with the same key records nothing ("attendance:12:34").
    pub idempotency_key: String,
    /// When it happened; its Shanghai day is the day the points count for.
    pub at: DateTime<Utc>,
    /// Units: 1 for an event, minutes for time-based rules, points for staff-recorded study.
    pub quantity: i64,
    /// Why, when staff record it; empty otherwise.
    pub reason: String,
    /// The staff account that recorded it, if any.
    pub recorded_by: Option<i64>,
    /// The campaign it belongs to, if any.
    pub campaign_id: Option<i64>,
}

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    /// Its id (ledger order).
    pub id: i64,
    /// Who earned.
    pub member_id: i64,
    /// Kind of activity.
    pub kind: PointKind,
    /// Points; negative for a correction that takes some back; 0 when a cap was reached.
    pub points: i64,
    /// The item earned on.
    pub item_key: String,
    /// The key that names it.
    pub idempotency_key: String,
    /// The Shanghai day it counts for.
    pub earned_on: NaiveDate,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// Why (corrections, staff-recorded study).
    pub reason: String,
    /// The entry this one corrects.
    pub corrects_entry_id: Option<i64>,
    /// Earned by study the member declared by name and phone alone (自报), unverified.
    #[sqlx(default)]
    pub self_declared: bool,
}

/// What [`award`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Awarded {
    /// A new entry, with the points the caps left (possibly 0).
    Recorded(Entry),
    /// The key was already in the ledger: that entry, and nothing added.
    AlreadyRecorded(Entry),
    /// No rule for this kind is in effect on that day: nothing recorded.
    NoRule,
}

pub(super) const ENTRY: &str = "SELECT id, member_id, kind, points, item_key, idempotency_key, earned_on, at, reason, \
                     corrects_entry_id, self_declared FROM point_entries";

/// Records an award in the caller's transaction (so an attendance and its points commit
/// together), applying the rule in effect on its Shanghai day and the daily and per-item caps.
///
/// An award under a rule with no daily cap, no time basis and no windows (attending a session,
/// a visit, …) is one statement: the rule, the item's total and the entry in one INSERT
/// (`simple::insert_one`; the counters are kept by the ledger's trigger). Otherwise the rule
/// and the totals are read first and the points worked out here. On PostgreSQL the (member,
/// kind, day) counter row is upserted before the totals are read: that row lock serializes
/// concurrent awards of one kind for one member and day, so caps hold; on SQLite writers are
/// serialized already (`BEGIN IMMEDIATE`). A key already in the ledger returns
/// [`Awarded::AlreadyRecorded`] and adds nothing, also when the other writer commits meanwhile.
pub async fn award(tx: &mut Tx, award: &Award) -> Result<Awarded, sqlx::Error> {
    award_as(tx, award, false).await
}

/// [`award`] for study the member declared by name and phone alone (自报): the entry carries
/// the flag, so every list of points can mark it.
pub async fn award_self_declared(tx: &mut Tx, award: &Award) -> Result<Awarded, sqlx::Error> {
    award_as(tx, award, true).await
}

async fn award_as(tx: &mut Tx, award: &Award, self_declared: bool) -> Result<Awarded, sqlx::Error> {
    let local = award.at.with_timezone(&Shanghai);
    let day = local.date_naive();
    if super::simple::worth_trying(award) {
        // PostgreSQL: the (member, kind, day) row lock first, so the item's total the INSERT
        // reads is exact against concurrent awards (as below).
        if let Tx::Postgres(_) = tx {
            lock_day(tx, award.member_id, award.kind, day).await?;
        }
        if let Some(entry) = super::simple::insert_one(tx, award, day, self_declared).await? {
            return Ok(Awarded::Recorded(entry));
        }
    }
    // No look-up of the key first: the INSERT's ON CONFLICT is the one check, and a repeat (rare:
    // callers award only what they newly recorded) finds its entry below.
    let Some((rule, mut earned)) = super::earn::rule_and_totals(tx, award, day).await? else {
        return Ok(Awarded::NoRule);
    };
    super::simple::saw_rule(&rule);
    // SQLite: the transaction holds the write lock from BEGIN IMMEDIATE, so the totals just read
    // are exact (one statement fewer per check-in). PostgreSQL: concurrent writers — take the
    // (member, kind, day) row lock, then read the totals again under it.
    if let Tx::Postgres(_) = tx {
        earned.today = lock_day(tx, award.member_id, award.kind, day).await?;
        earned.item = item_total(tx, award.member_id, award.kind, &award.item_key).await?;
    }
    let points = model::points_for(&rule, award.quantity, local.time(), earned);
    let inserted: Option<Entry> = on_tx!(tx, conn => {
        sqlx::query_as(
            "INSERT INTO point_entries (member_id, kind, points, item_key, idempotency_key, earned_on, at, \
             reason, recorded_by, campaign_id, self_declared) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, member_id, kind, points, item_key, \
             idempotency_key, earned_on, at, reason, corrects_entry_id, self_declared",
        )
        .bind(award.member_id)
        .bind(award.kind)
        .bind(points)
        .bind(&award.item_key)
        .bind(&award.idempotency_key)
        .bind(day)
        .bind(award.at)
        .bind(&award.reason)
        .bind(award.recorded_by)
        .bind(award.campaign_id)
        .bind(self_declared)
        .fetch_optional(&mut *conn)
        .await?
    });
    let Some(entry) = inserted else {
        let entry = by_key(tx, &award.idempotency_key).await?.ok_or(sqlx::Error::RowNotFound)?;
        return Ok(Awarded::AlreadyRecorded(entry));
    };
    Ok(Awarded::Recorded(entry))
}

/// Writes a compensating entry for `entry_id` (`points` added, negative to take back), counted
/// on the corrected entry's day and item, and audits it. The reason is required.
pub async fn correct(
    tx: &mut Tx,
    entry_id: i64,
    points: i64,
    reason: &str,
    by: &Actor,
) -> Result<Entry, sqlx::Error> {
    let reason = reason.trim();
    if reason.is_empty() || points == 0 {
        return Err(sqlx::Error::InvalidArgument("a correction needs a reason and points".into()));
    }
    let original: Entry = on_tx!(tx, conn => {
        sqlx::query_as(&format!("{ENTRY} WHERE id = $1")).bind(entry_id).fetch_one(&mut *conn).await?
    });
    // The day's counter row is locked before the corrections are counted: two corrections of
    // one entry at once then number themselves one after the other instead of both taking the
    // same key (tests/api/points_ledger.rs fails on PostgreSQL without this line).
    lock_day(tx, original.member_id, original.kind, original.earned_on).await?;
    let earlier: i64 = on_tx!(tx, conn => {
        sqlx::query_scalar("SELECT COUNT(*) FROM point_entries WHERE corrects_entry_id = $1")
            .bind(entry_id)
            .fetch_one(&mut *conn)
            .await?
    });
    let key = format!("correction:{entry_id}:{}", earlier + 1);
    let entry: Entry = on_tx!(tx, conn => {
        sqlx::query_as(
            "INSERT INTO point_entries (member_id, kind, points, item_key, idempotency_key, earned_on, at, \
             reason, corrects_entry_id, recorded_by, campaign_id, self_declared) \
             SELECT member_id, kind, $1, item_key, $2, earned_on, $3, $4, id, $5, campaign_id, self_declared \
             FROM point_entries WHERE id = $6 RETURNING id, member_id, kind, points, item_key, \
             idempotency_key, earned_on, at, reason, corrects_entry_id, self_declared",
        )
        .bind(points)
        .bind(&key)
        .bind(Utc::now())
        .bind(reason)
        .bind(by.user_id)
        .bind(entry_id)
        .fetch_one(&mut *conn)
        .await?
    });
    let detail = format!("{:+} 分（{}，{}）：{reason}", points, original.kind.label(), original.earned_on);
    audit::record_in(tx, by, Action::Points, &format!("积分记录 #{entry_id}"), &detail, true).await?;
    Ok(entry)
}

async fn by_key(tx: &mut Tx, key: &str) -> Result<Option<Entry>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_as(&format!("{ENTRY} WHERE idempotency_key = $1")).bind(key).fetch_optional(&mut *conn).await
    })
}

/// Upserts the (member, kind, day) counter row, taking its lock, and returns its total.
async fn lock_day(tx: &mut Tx, member_id: i64, kind: PointKind, day: NaiveDate) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO point_daily (member_id, kind, earned_on, total) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (member_id, kind, earned_on) DO UPDATE SET total = point_daily.total RETURNING total",
        )
        .bind(member_id)
        .bind(kind)
        .bind(day)
        .fetch_one(&mut *conn)
        .await
    })
}

async fn item_total(tx: &mut Tx, member_id: i64, kind: PointKind, item: &str) -> Result<i64, sqlx::Error> {
    let total: Option<i64> = on_tx!(tx, conn => {
        sqlx::query_scalar("SELECT total FROM point_items WHERE member_id = $1 AND kind = $2 AND item_key = $3")
            .bind(member_id)
            .bind(kind)
            .bind(item)
            .fetch_optional(&mut *conn)
            .await?
    });
    Ok(total.unwrap_or(0))
}

#[derive(sqlx::FromRow)]
pub(super) struct RuleRow {
    kind: PointKind,
    points: i64,
    daily_cap: Option<i64>,
    per_item_cap: Option<i64>,
    minutes_per_point: Option<i64>,
    windows: String,
    window_multiplier: i64,
    effective_from: NaiveDate,
}

impl From<RuleRow> for Rule {
    fn from(r: RuleRow) -> Self {
        Rule {
            kind: r.kind,
            points: r.points,
            daily_cap: r.daily_cap,
            per_item_cap: r.per_item_cap,
            minutes_per_point: r.minutes_per_point,
            // Stored windows were checked when written; unreadable ones count as none.
            windows: model::parse_windows(&r.windows).unwrap_or_default(),
            window_multiplier: r.window_multiplier,
            effective_from: r.effective_from,
        }
    }
}

const RULE: &str = "SELECT kind, points, daily_cap, per_item_cap, minutes_per_point, windows, window_multiplier, \
                    effective_from FROM point_rules";

/// Every rule ever set, read in the caller's transaction (the table is a few dozen rows).
pub(super) async fn all_rules_in_tx(tx: &mut Tx) -> Result<Vec<Rule>, sqlx::Error> {
    let rows: Vec<RuleRow> = on_tx!(tx, conn => {
        sqlx::query_as(&format!("{RULE} ORDER BY kind, effective_from")).fetch_all(&mut *conn).await?
    });
    Ok(rows.into_iter().map(Rule::from).collect())
}

/// Every rule ever set, oldest first within each kind.
pub async fn rules(db: &Db) -> Result<Vec<Rule>, sqlx::Error> {
    let rows: Vec<RuleRow> = on_db!(db, pool => {
        sqlx::query_as(&format!("{RULE} ORDER BY kind, effective_from")).fetch_all(pool).await?
    });
    Ok(rows.into_iter().map(Rule::from).collect())
}

/// Sets a kind's rule from `rule.effective_from` on (replacing one set for that same day), and
/// audits it. Entries already written keep their points.
pub async fn set_rule(tx: &mut Tx, rule: &Rule, by: &Actor) -> Result<(), sqlx::Error> {
    let windows: Vec<String> = rule
        .windows
        .iter()
        .map(|w| format!("{}-{}", w.from.format("%H:%M"), w.until.format("%H:%M")))
        .collect();
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO point_rules (kind, points, daily_cap, per_item_cap, minutes_per_point, windows, \
             window_multiplier, effective_from, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (kind, effective_from) DO UPDATE SET points = $2, daily_cap = $3, per_item_cap = $4, \
             minutes_per_point = $5, windows = $6, window_multiplier = $7, created_at = $9, created_by = $10",
        )
        .bind(rule.kind)
        .bind(rule.points)
        .bind(rule.daily_cap)
        .bind(rule.per_item_cap)
        .bind(rule.minutes_per_point)
        .bind(windows.join(","))
        .bind(rule.window_multiplier)
        .bind(rule.effective_from)
        .bind(Utc::now())
        .bind(by.user_id)
        .execute(&mut *conn)
        .await?;
    });
    let mut detail = format!(
        "{} 自 {} 起：{} 分，每日上限 {:?}，每项上限 {:?}",
        rule.kind.label(),
        rule.effective_from,
        rule.points,
        rule.daily_cap,
        rule.per_item_cap
    );
    if let Some(minutes) = rule.minutes_per_point {
        detail.push_str(&format!("，每{minutes}分钟计分"));
    }
    if !windows.is_empty() {
        detail.push_str(&format!("，活跃时段 {} ×{}", windows.join(","), rule.window_multiplier));
    }
    audit::record_in(tx, by, Action::Points, "积分规则", &detail, true).await
}

/// A member's total: the sum of their ledger entries.
pub async fn total(db: &Db, member_id: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM point_entries WHERE member_id = $1")
            .bind(member_id)
            .fetch_one(pool)
            .await
    })
}

/// A member's points per kind on one Shanghai day, from the counter rows.
pub async fn day_totals(
    db: &Db,
    member_id: i64,
    day: NaiveDate,
) -> Result<Vec<(PointKind, i64)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as("SELECT kind, total FROM point_daily WHERE member_id = $1 AND earned_on = $2 ORDER BY kind")
            .bind(member_id)
            .bind(day)
            .fetch_all(pool)
            .await
    })
}

/// A member's ledger entries, newest first.
pub async fn history(db: &Db, member_id: i64, limit: i64) -> Result<Vec<Entry>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(&format!("{ENTRY} WHERE member_id = $1 ORDER BY id DESC LIMIT $2"))
            .bind(member_id)
            .bind(limit)
            .fetch_all(pool)
            .await
    })
}
