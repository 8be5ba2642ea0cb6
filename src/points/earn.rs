//! What earning paths need beyond [`award`](super::store::award) and
//! [`award_batch`](super::batch::award_batch): taking back the points of an activity that was
//! undone (a wrong roll-call tick), and counting an item's awards so a re-earning after it is
//! keyed deterministically — both in the caller's transaction.

use super::PointKind;
use super::store::{self, Entry};
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
