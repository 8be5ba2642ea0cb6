//! Many awards in one transaction with a handful of statements: what a roll call of 60, a
//! paper sheet, the demo and the group-commit ingest ([`super::ingest`]) write through.
//!
//! The result is the same as calling [`super::award`] once per award in order — the same caps,
//! the same idempotency — but set-based: the (member, kind, day) counter rows are locked and read
//! with one upsert per chunk, keys already in the ledger are found with one look-up per chunk,
//! points are worked out in memory, and the entries and counter additions are multi-row
//! statements. About 6 statements per 500 awards instead of 4 per award.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Asia::Shanghai;

use super::model::{self, Earned, PointKind};
use super::store::{Award, Awarded, ENTRY, Entry, all_rules_in_tx};
use crate::db::Tx;
use crate::on_tx;

/// Rows per multi-row statement: 10 parameters each stays far below both backends' limits.
const CHUNK: usize = 500;

type DayKey = (i64, PointKind, NaiveDate);
type ItemKey = (i64, PointKind, String);

/// Records `awards` in the caller's transaction as if [`super::award`] were called for each in
/// order, and returns what happened to each, in the same order. A key repeated within the batch
/// or already in the ledger records nothing ([`Awarded::AlreadyRecorded`]).
pub async fn award_batch(tx: &mut Tx, awards: &[Award]) -> Result<Vec<Awarded>, sqlx::Error> {
    award_batch_as(tx, awards, false).await
}

/// [`award_batch`] for study the members declared by name and phone alone (自报): every entry
/// carries the flag.
pub async fn award_batch_self_declared(tx: &mut Tx, awards: &[Award]) -> Result<Vec<Awarded>, sqlx::Error> {
    award_batch_as(tx, awards, true).await
}

async fn award_batch_as(
    tx: &mut Tx,
    awards: &[Award],
    self_declared: bool,
) -> Result<Vec<Awarded>, sqlx::Error> {
    if awards.is_empty() {
        return Ok(Vec::new());
    }
    let rules = all_rules_in_tx(tx).await?;
    let days: Vec<NaiveDate> = awards.iter().map(|a| a.at.with_timezone(&Shanghai).date_naive()).collect();
    let mut day_keys: Vec<DayKey> = awards
        .iter()
        .zip(&days)
        .filter(|(a, day)| model::rule_on(&rules, a.kind, **day).is_some())
        .map(|(a, day)| (a.member_id, a.kind, *day))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // One lock order for every writer, so two batches never wait on each other in a cycle.
    day_keys.sort_by(|a, b| (a.0, a.1.code(), a.2).cmp(&(b.0, b.1.code(), b.2)));
    // Locked before the keys are looked up: on PostgreSQL a writer of the same key holds the same
    // row, so by the time the look-up runs its entry is committed and visible. SQLite's writer
    // holds the database (BEGIN IMMEDIATE), so there a plain read is enough.
    let sqlite = tx.is_sqlite();
    let mut today = if sqlite { read_days(tx, &day_keys).await? } else { lock_days(tx, &day_keys).await? };
    let keys: Vec<&str> = awards.iter().map(|a| a.idempotency_key.as_str()).collect();
    let mut known = entries_by_key(tx, &keys).await?;
    let item_keys: Vec<ItemKey> = awards
        .iter()
        .map(|a| (a.member_id, a.kind, a.item_key.clone()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut items = item_totals(tx, &item_keys).await?;

    // Work out each new award's points in order, counting earlier ones in the batch.
    let mut fresh: Vec<(usize, i64)> = Vec::new();
    let mut claimed: HashSet<&str> = HashSet::new();
    for (i, (award, day)) in awards.iter().zip(&days).enumerate() {
        let Some(rule) = model::rule_on(&rules, award.kind, *day) else { continue };
        if known.contains_key(&award.idempotency_key) || !claimed.insert(&award.idempotency_key) {
            continue;
        }
        let day_total = today.entry((award.member_id, award.kind, *day)).or_default();
        let item_total = items.entry((award.member_id, award.kind, award.item_key.clone())).or_default();
        let local = award.at.with_timezone(&Shanghai).time();
        let points =
            model::points_for(rule, award.quantity, local, Earned { today: *day_total, item: *item_total });
        *day_total += points;
        *item_total += points;
        fresh.push((i, points));
    }
    let written = insert_entries(tx, awards, &days, &fresh, self_declared).await?;
    if sqlite && written.len() == fresh.len() {
        // Every award worked out above was written, so the totals in memory are the new ones.
        let touched =
            |e: &Entry| ((e.member_id, e.kind, e.earned_on), (e.member_id, e.kind, e.item_key.clone()));
        let (day_keys, item_keys): (HashSet<DayKey>, HashSet<ItemKey>) = written.iter().map(touched).unzip();
        let days: Vec<(DayKey, i64)> = day_keys.into_iter().map(|k| (k, today[&k])).collect();
        let items: Vec<(ItemKey, i64)> = item_keys
            .into_iter()
            .map(|k| {
                let t = items[&k];
                (k, t)
            })
            .collect();
        write_counters(tx, &days, &items, "excluded.total").await?;
    } else {
        add_to_counters(tx, &written).await?;
    }
    for entry in written {
        known.insert(entry.idempotency_key.clone(), (entry, true));
    }
    // A key another writer committed meanwhile (the INSERT skipped it) is read back.
    let missing: Vec<&str> = fresh
        .iter()
        .map(|(i, _)| awards[*i].idempotency_key.as_str())
        .filter(|key| !known.contains_key(*key))
        .collect();
    known.extend(entries_by_key(tx, &missing).await?);
    Ok(awards
        .iter()
        .zip(&days)
        .map(|(award, day)| match known.get(&award.idempotency_key) {
            _ if model::rule_on(&rules, award.kind, *day).is_none() => Awarded::NoRule,
            Some((entry, true)) if claimed.remove(award.idempotency_key.as_str()) => {
                Awarded::Recorded(entry.clone())
            }
            Some((entry, _)) => Awarded::AlreadyRecorded(entry.clone()),
            None => Awarded::NoRule,
        })
        .collect())
}

/// Upserts the counter rows (taking their locks) and returns their totals.
async fn lock_days(tx: &mut Tx, keys: &[DayKey]) -> Result<HashMap<DayKey, i64>, sqlx::Error> {
    day_totals(tx, keys, |rows| {
        format!(
            "INSERT INTO point_daily (member_id, kind, earned_on, total) VALUES {} \
             ON CONFLICT (member_id, kind, earned_on) DO UPDATE SET total = point_daily.total \
             RETURNING member_id, kind, earned_on, total",
            tuples(rows, 3, "0")
        )
    })
    .await
}

/// The counter rows' totals, read without taking locks (SQLite: the writer holds the database).
async fn read_days(tx: &mut Tx, keys: &[DayKey]) -> Result<HashMap<DayKey, i64>, sqlx::Error> {
    day_totals(tx, keys, |rows| {
        format!(
            "SELECT p.member_id, p.kind, p.earned_on, p.total FROM point_daily p JOIN (VALUES {}) AS v \
             ON p.member_id = v.column1 AND p.kind = v.column2 AND p.earned_on = v.column3",
            tuples(rows, 3, "")
        )
    })
    .await
}

/// Runs `statement(rows)` per chunk of keys, binding (member, kind, day) for each, and collects
/// the (member, kind, day, total) rows it returns.
async fn day_totals(
    tx: &mut Tx,
    keys: &[DayKey],
    statement: impl Fn(usize) -> String,
) -> Result<HashMap<DayKey, i64>, sqlx::Error> {
    let mut totals = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK) {
        let sql = positional(tx, statement(chunk.len()));
        let rows: Vec<(i64, PointKind, NaiveDate, i64)> = on_tx!(tx, conn => {
            let mut query = sqlx::query_as(&sql);
            for (member, kind, day) in chunk {
                query = query.bind(*member).bind(*kind).bind(*day);
            }
            query.fetch_all(&mut *conn).await?
        });
        totals.extend(rows.into_iter().map(|(m, k, d, t)| ((m, k, d), t)));
    }
    Ok(totals)
}

/// Ledger entries with these keys, each flagged as not written by this batch.
async fn entries_by_key(tx: &mut Tx, keys: &[&str]) -> Result<HashMap<String, (Entry, bool)>, sqlx::Error> {
    let mut found = HashMap::new();
    for chunk in keys.chunks(CHUNK) {
        let sql = positional(tx, format!("{ENTRY} WHERE idempotency_key IN ({})", params(1, chunk.len())));
        let rows: Vec<Entry> = on_tx!(tx, conn => {
            let mut query = sqlx::query_as(&sql);
            for key in chunk {
                query = query.bind(*key);
            }
            query.fetch_all(&mut *conn).await?
        });
        found.extend(rows.into_iter().map(|e| (e.idempotency_key.clone(), (e, false))));
    }
    Ok(found)
}

async fn item_totals(tx: &mut Tx, keys: &[ItemKey]) -> Result<HashMap<ItemKey, i64>, sqlx::Error> {
    let mut totals = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(CHUNK) {
        let sql = positional(
            tx,
            format!(
                "SELECT p.member_id, p.kind, p.item_key, p.total FROM point_items p \
             JOIN (VALUES {}) AS v ON p.member_id = v.column1 AND p.kind = v.column2 AND p.item_key = v.column3",
                tuples(chunk.len(), 3, "")
            ),
        );
        let rows: Vec<(i64, PointKind, String, i64)> = on_tx!(tx, conn => {
            let mut query = sqlx::query_as(&sql);
            for (member, kind, item) in chunk {
                query = query.bind(*member).bind(*kind).bind(item.as_str());
            }
            query.fetch_all(&mut *conn).await?
        });
        totals.extend(rows.into_iter().map(|(m, k, i, t)| ((m, k, i), t)));
    }
    Ok(totals)
}

async fn insert_entries(
    tx: &mut Tx,
    awards: &[Award],
    days: &[NaiveDate],
    fresh: &[(usize, i64)],
    self_declared: bool,
) -> Result<Vec<Entry>, sqlx::Error> {
    let mut written = Vec::with_capacity(fresh.len());
    for chunk in fresh.chunks(CHUNK) {
        let sql = positional(
            tx,
            format!(
                "INSERT INTO point_entries (member_id, kind, points, item_key, idempotency_key, earned_on, at, \
             reason, recorded_by, campaign_id, self_declared) VALUES {} ON CONFLICT (idempotency_key) DO NOTHING \
             RETURNING id, idempotency_key",
                tuples(chunk.len(), 11, "")
            ),
        );
        let rows: Vec<(i64, String)> = on_tx!(tx, conn => {
            let mut query = sqlx::query_as(&sql);
            for (i, points) in chunk {
                let award = &awards[*i];
                query = query
                    .bind(award.member_id)
                    .bind(award.kind)
                    .bind(*points)
                    .bind(award.item_key.as_str())
                    .bind(award.idempotency_key.as_str())
                    .bind(days[*i])
                    .bind(award.at)
                    .bind(award.reason.as_str())
                    .bind(award.recorded_by)
                    .bind(award.campaign_id)
                    .bind(self_declared);
            }
            query.fetch_all(&mut *conn).await?
        });
        // The entries are what was bound; only the ids come back (decoding whole rows cost more).
        let ids: HashMap<String, i64> = rows.into_iter().map(|(id, key)| (key, id)).collect();
        written.extend(chunk.iter().filter_map(|(i, points)| {
            let award = &awards[*i];
            Some(Entry {
                id: *ids.get(&award.idempotency_key)?,
                member_id: award.member_id,
                kind: award.kind,
                points: *points,
                item_key: award.item_key.clone(),
                idempotency_key: award.idempotency_key.clone(),
                earned_on: days[*i],
                at: award.at,
                reason: award.reason.clone(),
                corrects_entry_id: None,
                self_declared,
            })
        }));
    }
    Ok(written)
}

/// Adds the written entries to the day and item counters, one row per key.
async fn add_to_counters(tx: &mut Tx, written: &[Entry]) -> Result<(), sqlx::Error> {
    let mut days: HashMap<DayKey, i64> = HashMap::new();
    let mut items: HashMap<ItemKey, i64> = HashMap::new();
    for e in written {
        *days.entry((e.member_id, e.kind, e.earned_on)).or_default() += e.points;
        *items.entry((e.member_id, e.kind, e.item_key.clone())).or_default() += e.points;
    }
    let days: Vec<(DayKey, i64)> = days.into_iter().collect();
    let items: Vec<(ItemKey, i64)> = items.into_iter().collect();
    write_counters(tx, &days, &items, "{table}.total + excluded.total").await
}

/// Upserts counter rows, setting an existing row's total to `new_total` (`excluded.total`: the
/// value given; `{table}.total + excluded.total`: added to what is there).
async fn write_counters(
    tx: &mut Tx,
    days: &[(DayKey, i64)],
    items: &[(ItemKey, i64)],
    new_total: &str,
) -> Result<(), sqlx::Error> {
    let day_total = new_total.replace("{table}", "point_daily");
    for chunk in days.chunks(CHUNK) {
        let sql = positional(
            tx,
            format!(
                "INSERT INTO point_daily (member_id, kind, earned_on, total) VALUES {} \
                 ON CONFLICT (member_id, kind, earned_on) DO UPDATE SET total = {day_total}",
                tuples(chunk.len(), 4, "")
            ),
        );
        on_tx!(tx, conn => {
            let mut query = sqlx::query(&sql);
            for ((member, kind, day), points) in chunk {
                query = query.bind(*member).bind(*kind).bind(*day).bind(*points);
            }
            query.execute(&mut *conn).await?;
        });
    }
    let item_total = new_total.replace("{table}", "point_items");
    for chunk in items.chunks(CHUNK) {
        let sql = positional(
            tx,
            format!(
                "INSERT INTO point_items (member_id, kind, item_key, total) VALUES {} \
                 ON CONFLICT (member_id, kind, item_key) DO UPDATE SET total = {item_total}",
                tuples(chunk.len(), 4, "")
            ),
        );
        on_tx!(tx, conn => {
            let mut query = sqlx::query(&sql);
            for ((member, kind, item), points) in chunk {
                query = query.bind(*member).bind(*kind).bind(item.as_str()).bind(*points);
            }
            query.execute(&mut *conn).await?;
        });
    }
    Ok(())
}

/// On SQLite, `$1, $2, …` become anonymous `?`: SQLite resolves a numbered parameter's name by
/// walking its list of names, so a 5,000-parameter statement spent most of its time there
/// (`sqlite3_bind_parameter_name`, 23 % of the ingest profile). Our statements number their
/// parameters in order of appearance, so positions are the same.
fn positional(tx: &Tx, sql: String) -> String {
    if !tx.is_sqlite() {
        return sql;
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// `$first, …` for `count` parameters.
fn params(first: usize, count: usize) -> String {
    (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// `($1, $2, $3[, extra]), ($4, …)`: `rows` tuples of `width` parameters each, with a constant
/// `extra` appended to each tuple when it is not empty.
fn tuples(rows: usize, width: usize, extra: &str) -> String {
    (0..rows)
        .map(|row| {
            let mut tuple = params(row * width + 1, width);
            if !extra.is_empty() {
                tuple.push_str(", ");
                tuple.push_str(extra);
            }
            format!("({tuple})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_number_parameters_across_rows() {
        assert_eq!(tuples(2, 3, "0"), "($1, $2, $3, 0), ($4, $5, $6, 0)");
        assert_eq!(tuples(1, 2, ""), "($1, $2)");
        assert_eq!(params(3, 2), "$3, $4");
    }
}
