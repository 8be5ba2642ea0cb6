//! What earning paths need beyond [`award`](super::store::award): many awards in a few
//! statements (a bulk roll call, the demo), and taking back the points of an activity that was
//! undone (a wrong roll-call tick), both in the caller's transaction.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Asia::Shanghai;

use super::model::{self, Earned, PointKind, Rule};
use super::store::{self, Award, Entry};
use crate::audit::Actor;
use crate::db::Tx;
use crate::on_tx;

/// The columns an [`Entry`] is read from.
const ENTRY_COLUMNS: &str = "id, member_id, kind, points, item_key, idempotency_key, earned_on, at, reason, corrects_entry_id, self_declared";

/// Rows per statement: well under both backends' limits on bound parameters.
const CHUNK: usize = 1000;

type DayKey = (i64, PointKind, NaiveDate);
type ItemKey = (i64, PointKind, String);

/// Records many awards in the caller's transaction with the same rules, caps and idempotency as
/// [`award`](super::store::award) one by one, in a handful of statements per few hundred: the
/// (member, kind, day) counter rows are upserted first (in one order, so two batches cannot
/// deadlock on PostgreSQL) and held while keys already in the ledger are skipped and the caps
/// computed. Returns the entries written.
pub async fn award_many(tx: &mut Tx, awards: &[Award]) -> Result<Vec<Entry>, sqlx::Error> {
    award_many_as(tx, awards, false).await
}

/// [`award_many`] for study the members declared by name and phone alone (自报): every entry
/// carries the flag.
pub async fn award_many_self_declared(tx: &mut Tx, awards: &[Award]) -> Result<Vec<Entry>, sqlx::Error> {
    award_many_as(tx, awards, true).await
}

async fn award_many_as(
    tx: &mut Tx,
    awards: &[Award],
    self_declared: bool,
) -> Result<Vec<Entry>, sqlx::Error> {
    let rules = store::all_rules_in_tx(tx).await?;
    let mut seen = HashSet::new();
    let planned: Vec<(&Award, &Rule, NaiveDate)> = awards
        .iter()
        .filter(|a| seen.insert(a.idempotency_key.as_str()))
        .filter_map(|a| {
            let day = a.at.with_timezone(&Shanghai).date_naive();
            model::rule_on(&rules, a.kind, day).map(|rule| (a, rule, day))
        })
        .collect();
    let mut written = Vec::new();
    for chunk in planned.chunks(CHUNK) {
        written.extend(award_chunk(tx, chunk, self_declared).await?);
    }
    Ok(written)
}

async fn award_chunk(
    tx: &mut Tx,
    chunk: &[(&Award, &Rule, NaiveDate)],
    self_declared: bool,
) -> Result<Vec<Entry>, sqlx::Error> {
    let days: HashSet<DayKey> = chunk.iter().map(|(a, _, day)| (a.member_id, a.kind, *day)).collect();
    let mut days: Vec<DayKey> = days.into_iter().collect();
    days.sort_by_key(|(member, kind, day)| (*member, kind.code(), *day));
    let mut today = lock_days(tx, &days).await?;
    let keys: Vec<&str> = chunk.iter().map(|(a, ..)| a.idempotency_key.as_str()).collect();
    let known = known_keys(tx, &keys).await?;
    let fresh: Vec<_> = chunk.iter().filter(|(a, ..)| !known.contains(&a.idempotency_key)).collect();
    if fresh.is_empty() {
        return Ok(Vec::new());
    }
    let mut items = item_totals(tx, fresh.iter().map(|(a, ..)| a.member_id).collect()).await?;
    let mut rows = Vec::with_capacity(fresh.len());
    for (a, rule, day) in fresh {
        let day_total = today.entry((a.member_id, a.kind, *day)).or_default();
        let item_total = items.entry((a.member_id, a.kind, a.item_key.clone())).or_default();
        let earned = Earned { today: *day_total, item: *item_total };
        let points = model::points_for(rule, a.quantity, a.at.with_timezone(&Shanghai).time(), earned);
        *day_total += points;
        *item_total += points;
        rows.push((*a, points, *day));
    }
    let entries: Vec<Entry> = on_tx!(tx, conn => {
        let mut insert = sqlx::QueryBuilder::new(
            "INSERT INTO point_entries (member_id, kind, points, item_key, idempotency_key, earned_on, at, \
             reason, recorded_by, campaign_id, self_declared) ",
        );
        insert.push_values(&rows, |mut row, (a, points, day)| {
            row.push_bind(a.member_id)
                .push_bind(a.kind)
                .push_bind(*points)
                .push_bind(&a.item_key)
                .push_bind(&a.idempotency_key)
                .push_bind(*day)
                .push_bind(a.at)
                .push_bind(&a.reason)
                .push_bind(a.recorded_by)
                .push_bind(a.campaign_id)
                .push_bind(self_declared);
        });
        insert.push(format!(" ON CONFLICT (idempotency_key) DO NOTHING RETURNING {ENTRY_COLUMNS}"));
        insert.build_query_as().fetch_all(&mut *conn).await?
    });
    add_to_counters(tx, &entries).await?;
    Ok(entries)
}

/// Upserts the counter rows in key order, taking their locks, and returns their totals.
async fn lock_days(tx: &mut Tx, days: &[DayKey]) -> Result<HashMap<DayKey, i64>, sqlx::Error> {
    let rows: Vec<(i64, PointKind, NaiveDate, i64)> = on_tx!(tx, conn => {
        let mut upsert = sqlx::QueryBuilder::new("INSERT INTO point_daily (member_id, kind, earned_on, total) ");
        upsert.push_values(days, |mut row, (member, kind, day)| {
            row.push_bind(*member).push_bind(*kind).push_bind(*day).push_bind(0_i64);
        });
        upsert.push(
            " ON CONFLICT (member_id, kind, earned_on) DO UPDATE SET total = point_daily.total \
             RETURNING member_id, kind, earned_on, total",
        );
        upsert.build_query_as().fetch_all(&mut *conn).await?
    });
    Ok(rows.into_iter().map(|(m, k, d, t)| ((m, k, d), t)).collect())
}

async fn known_keys(tx: &mut Tx, keys: &[&str]) -> Result<HashSet<String>, sqlx::Error> {
    let known: Vec<String> = on_tx!(tx, conn => {
        let mut select = sqlx::QueryBuilder::new("SELECT idempotency_key FROM point_entries WHERE idempotency_key IN (");
        let mut list = select.separated(", ");
        for key in keys {
            list.push_bind(*key);
        }
        select.push(")");
        select.build_query_scalar().fetch_all(&mut *conn).await?
    });
    Ok(known.into_iter().collect())
}

/// The per-item totals of these members (every kind and item: filtered by the caller's look-ups).
async fn item_totals(tx: &mut Tx, members: BTreeSet<i64>) -> Result<HashMap<ItemKey, i64>, sqlx::Error> {
    let rows: Vec<(i64, PointKind, String, i64)> = on_tx!(tx, conn => {
        let mut select =
            sqlx::QueryBuilder::new("SELECT member_id, kind, item_key, total FROM point_items WHERE member_id IN (");
        let mut list = select.separated(", ");
        for member in &members {
            list.push_bind(*member);
        }
        select.push(")");
        select.build_query_as().fetch_all(&mut *conn).await?
    });
    Ok(rows.into_iter().map(|(m, k, i, t)| ((m, k, i), t)).collect())
}

/// Adds what was written to the counter rows, one upsert per table.
async fn add_to_counters(tx: &mut Tx, entries: &[Entry]) -> Result<(), sqlx::Error> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut days: HashMap<DayKey, i64> = HashMap::new();
    let mut items: HashMap<ItemKey, i64> = HashMap::new();
    for e in entries {
        *days.entry((e.member_id, e.kind, e.earned_on)).or_default() += e.points;
        *items.entry((e.member_id, e.kind, e.item_key.clone())).or_default() += e.points;
    }
    let days: Vec<_> = days.into_iter().collect();
    let items: Vec<_> = items.into_iter().collect();
    on_tx!(tx, conn => {
        let mut upsert = sqlx::QueryBuilder::new("INSERT INTO point_daily (member_id, kind, earned_on, total) ");
        upsert.push_values(&days, |mut row, ((member, kind, day), points)| {
            row.push_bind(*member).push_bind(*kind).push_bind(*day).push_bind(*points);
        });
        upsert.push(
            " ON CONFLICT (member_id, kind, earned_on) DO UPDATE SET total = point_daily.total + excluded.total",
        );
        upsert.build().execute(&mut *conn).await?;
        let mut upsert = sqlx::QueryBuilder::new("INSERT INTO point_items (member_id, kind, item_key, total) ");
        upsert.push_values(&items, |mut row, ((member, kind, item), points)| {
            row.push_bind(*member).push_bind(*kind).push_bind(item.clone()).push_bind(*points);
        });
        upsert.push(
            " ON CONFLICT (member_id, kind, item_key) DO UPDATE SET total = point_items.total + excluded.total",
        );
        upsert.build().execute(&mut *conn).await?;
    });
    Ok(())
}

/// Takes back what a member still holds for one item of one kind (the net of its entries and
/// corrections), as a compensating entry on the latest award for it, audited with `reason`.
/// Nothing when the net is 0 (never earned, capped, or taken back already).
pub async fn take_back(
    tx: &mut Tx,
    member_id: i64,
    kind: PointKind,
    item_key: &str,
    reason: &str,
    by: &Actor,
) -> Result<Option<Entry>, sqlx::Error> {
    let latest: Option<(i64, i64)> = on_tx!(tx, conn => {
        sqlx::query_as(
            "SELECT e.id, i.total FROM point_entries e JOIN point_items i \
             ON i.member_id = e.member_id AND i.kind = e.kind AND i.item_key = e.item_key \
             WHERE e.member_id = $1 AND e.kind = $2 AND e.item_key = $3 AND e.corrects_entry_id IS NULL \
             ORDER BY e.id DESC LIMIT 1",
        )
        .bind(member_id)
        .bind(kind)
        .bind(item_key)
        .fetch_optional(&mut *conn)
        .await?
    });
    match latest {
        Some((entry_id, held)) if held > 0 => {
            Ok(Some(store::correct(tx, entry_id, -held, reason, by).await?))
        }
        _ => Ok(None),
    }
}

/// How many awards (not corrections) a member has for one item of one kind: a re-earning after a
/// take-back is keyed by it, so it is deterministic and still counted once.
pub async fn awards_for_item(
    tx: &mut Tx,
    member_id: i64,
    kind: PointKind,
    item_key: &str,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM point_entries WHERE member_id = $1 AND kind = $2 AND item_key = $3 \
             AND corrects_entry_id IS NULL",
        )
        .bind(member_id)
        .bind(kind)
        .bind(item_key)
        .fetch_one(&mut *conn)
        .await
    })
}
