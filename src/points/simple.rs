//! Awards under a simple rule (no daily cap, not time-based, no windows: attending a session,
//! a visit, a contest placing) written in one statement each, or one statement for a whole
//! batch: the rule in effect, the item's total so far, the points and the entry, all in SQL.
//! The counters follow by the ledger's trigger. What a check-in pays for its points.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;
use chrono_tz::Asia::Shanghai;

use super::PointKind;
use super::model::Rule;
use super::store::{Award, Entry};
use crate::db::Tx;
use crate::db::rows::{positional, tuples};
use crate::on_tx;

/// Per kind, whether the rule last seen for it was simple ([`Rule::is_simple`]): a hint, so a
/// kind under a capped or time-based rule (reading, the quiz) does not send a statement that
/// cannot write before the one that does. Process-wide and only a hint: [`insert_one`] reads
/// the rule in effect itself, so a stale hint costs one statement, never a wrong entry.
static NOT_SIMPLE: [AtomicBool; PointKind::ALL.len()] =
    [const { AtomicBool::new(false) }; PointKind::ALL.len()];

fn kind_index(kind: PointKind) -> usize {
    PointKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

/// Whether to try [`insert_one`] for this award: its kind's rule was simple when last seen
/// and the quantity is a plain count.
pub(super) fn worth_trying(award: &Award) -> bool {
    (0..=MAX_SIMPLE_QUANTITY).contains(&award.quantity)
        && !NOT_SIMPLE[kind_index(award.kind)].load(Ordering::Relaxed)
}

/// Remembers whether `rule` (just read for an award) is simple.
pub(super) fn saw_rule(rule: &Rule) {
    NOT_SIMPLE[kind_index(rule.kind)].store(!rule.is_simple(), Ordering::Relaxed);
}

/// Largest quantity the one-statement path multiplies in SQL (far from overflow).
const MAX_SIMPLE_QUANTITY: i64 = 1_000_000;

/// Writes the award in one statement when the rule in effect on `day` is simple: the rule, the
/// item's total so far, the points (as [`super::model::points_for`] gives them for a simple
/// rule: points × quantity cut to what the per-item cap leaves, never below 0) and the entry.
/// `None` when nothing was written — no rule, a rule that is not simple, or a key already in the
/// ledger — and the caller then takes the general path, which tells these apart.
pub(super) async fn insert_one(
    tx: &mut Tx,
    award: &Award,
    day: NaiveDate,
    self_declared: bool,
) -> Result<Option<Entry>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_as(
            "INSERT INTO point_entries (member_id, kind, points, item_key, idempotency_key, earned_on, at, \
             reason, recorded_by, campaign_id, self_declared) \
             SELECT $1, $2, CASE WHEN r.per_item_cap IS NULL OR r.points * $11 <= r.per_item_cap - r.held \
             THEN r.points * $11 WHEN r.per_item_cap > r.held THEN r.per_item_cap - r.held ELSE 0 END, \
             $3, $4, $5, $6, $7, $8, $9, $10 FROM (SELECT points, daily_cap, per_item_cap, minutes_per_point, \
             windows, COALESCE((SELECT i.total FROM point_items i WHERE i.member_id = $1 AND i.kind = $2 \
             AND i.item_key = $3), 0) AS held FROM point_rules WHERE kind = $2 AND effective_from <= $5 \
             ORDER BY effective_from DESC LIMIT 1) r WHERE r.daily_cap IS NULL AND r.minutes_per_point IS NULL \
             AND r.windows = '' AND r.points >= 0 \
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, member_id, kind, points, item_key, \
             idempotency_key, earned_on, at, reason, corrects_entry_id, self_declared",
        )
        .bind(award.member_id)
        .bind(award.kind)
        .bind(&award.item_key)
        .bind(&award.idempotency_key)
        .bind(day)
        .bind(award.at)
        .bind(&award.reason)
        .bind(award.recorded_by)
        .bind(award.campaign_id)
        .bind(self_declared)
        .bind(award.quantity)
        .fetch_optional(&mut *conn)
        .await
    })
}

/// Rows per multi-row statement (a power of two: see [`insert_many`]); 11 parameters each stays
/// far below SQLite's limit.
const CHUNK: usize = 256;

/// Writes many awards under simple rules in one statement per [`CHUNK`]: for each, what
/// [`insert_one`] would write. The awards must name distinct (member, kind, item) triples — each
/// row's item total is read before the statement — which a batch of new attendances does (one
/// per member and session), and distinct keys. Returns, for each, whether it was written (only
/// the key comes back: nothing reads the entries); one not written (no rule, a rule that is not
/// simple, its key already in the ledger, a quantity past what is multiplied in SQL) is for
/// [`super::award`], which tells these apart.
///
/// The rows are padded with rows of NULLs (which join no rule, so write nothing) to a power of
/// two: a batch of any size then runs one of nine statements SQLite has prepared already, not a
/// new one per size (preparing this statement, with the ledger's trigger, cost more than running
/// it). SQLite only: its writer holds the database, so the totals read are exact. PostgreSQL writers
/// run concurrently and must lock the day's counter rows first, as [`super::award_batch`] does.
pub async fn insert_many(tx: &mut Tx, awards: &[Award]) -> Result<Vec<bool>, sqlx::Error> {
    if !tx.is_sqlite() {
        // Without the counter-row locks the item totals could be stale: write nothing here and
        // let every award take the path that locks.
        return Ok(vec![false; awards.len()]);
    }
    let mut written: std::collections::HashSet<String> = std::collections::HashSet::new();
    let plain: Vec<&Award> =
        awards.iter().filter(|a| (0..=MAX_SIMPLE_QUANTITY).contains(&a.quantity)).collect();
    for chunk in plain.chunks(CHUNK) {
        let sql = positional(
            tx,
            format!(
                "INSERT INTO point_entries (member_id, kind, points, item_key, idempotency_key, earned_on, at, \
                 reason, recorded_by, campaign_id, self_declared) \
                 SELECT v.column1, v.column2, CASE WHEN r.per_item_cap IS NULL \
                 OR r.points * v.column11 <= r.per_item_cap - COALESCE(i.total, 0) THEN r.points * v.column11 \
                 WHEN r.per_item_cap > COALESCE(i.total, 0) THEN r.per_item_cap - COALESCE(i.total, 0) ELSE 0 END, \
                 v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9, v.column10 \
                 FROM (VALUES {}) AS v JOIN point_rules r ON r.kind = v.column2 AND r.effective_from = \
                 (SELECT MAX(r2.effective_from) FROM point_rules r2 WHERE r2.kind = v.column2 \
                 AND r2.effective_from <= v.column5) \
                 LEFT JOIN point_items i ON i.member_id = v.column1 AND i.kind = v.column2 AND i.item_key = v.column3 \
                 WHERE r.daily_cap IS NULL AND r.minutes_per_point IS NULL AND r.windows = '' AND r.points >= 0 \
                 ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key",
                tuples(padded(chunk.len()), 11, "")
            ),
        );
        let keys: Vec<String> = on_tx!(tx, conn => {
            let mut query = sqlx::query_scalar(&sql);
            for award in chunk {
                let day = award.at.with_timezone(&Shanghai).date_naive();
                query = query
                    .bind(award.member_id)
                    .bind(award.kind)
                    .bind(&award.item_key)
                    .bind(&award.idempotency_key)
                    .bind(day)
                    .bind(award.at)
                    .bind(&award.reason)
                    .bind(award.recorded_by)
                    .bind(award.campaign_id)
                    .bind(false)
                    .bind(award.quantity);
            }
            for _ in chunk.len()..padded(chunk.len()) {
                for _ in 0..11 {
                    query = query.bind(None::<i64>);
                }
            }
            query.fetch_all(&mut *conn).await?
        });
        written.extend(keys);
    }
    Ok(awards.iter().map(|a| written.contains(&a.idempotency_key)).collect())
}

/// The row count a chunk of `rows` is padded to.
fn padded(rows: usize) -> usize {
    rows.next_power_of_two()
}
