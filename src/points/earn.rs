//! What earning paths need beyond [`award`](super::store::award) and
//! [`award_batch`](super::batch::award_batch): taking back the points of an activity that was
//! undone (a wrong roll-call tick), and counting an item's awards so a re-earning after it is
//! keyed deterministically — both in the caller's transaction.

use chrono::NaiveDate;

use super::PointKind;
use super::model::{Earned, Rule};
use super::store::{self, Award, Entry};
use crate::audit::Actor;
use crate::db::Tx;
use crate::on_tx;

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

/// The rule in effect for the award's kind on its day, with what the member already has of that
/// kind that day and for its item (from the counter rows), in one statement.
pub(super) async fn rule_and_totals(
    tx: &mut Tx,
    award: &Award,
    day: NaiveDate,
) -> Result<Option<(Rule, Earned)>, sqlx::Error> {
    let row: Option<RuleWithTotals> = on_tx!(tx, conn => {
        sqlx::query_as(
            "SELECT kind, points, daily_cap, per_item_cap, minutes_per_point, windows, window_multiplier, \
             effective_from, COALESCE((SELECT d.total FROM point_daily d WHERE d.member_id = $3 AND d.kind = $1 \
             AND d.earned_on = $2), 0) AS today, COALESCE((SELECT i.total FROM point_items i WHERE i.member_id = $3 \
             AND i.kind = $1 AND i.item_key = $4), 0) AS item FROM point_rules \
             WHERE kind = $1 AND effective_from <= $2 ORDER BY effective_from DESC LIMIT 1",
        )
        .bind(award.kind)
        .bind(day)
        .bind(award.member_id)
        .bind(&award.item_key)
        .fetch_optional(&mut *conn)
        .await?
    });
    Ok(row.map(|r| (Rule::from(r.rule), Earned { today: r.today, item: r.item })))
}

#[derive(sqlx::FromRow)]
struct RuleWithTotals {
    #[sqlx(flatten)]
    rule: store::RuleRow,
    today: i64,
    item: i64,
}
