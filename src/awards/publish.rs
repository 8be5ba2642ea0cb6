//! Publishing a month's awards: in one transaction the round is fixed (draft → published, and the
//! database refuses any later change to it or its awardees), each awardee's points are added
//! through [`points::award`] under the key `award:{campaign}:{YYYY-MM}:{member}` — so publishing
//! again, or a retried request, never counts twice — and the whole is audited.
//!
//! A correction after publishing is no edit: staff correct the award's ledger entry (a
//! compensating entry with a reason, audited, `points::correct`) and the published list stays
//! as the record of what was announced.

use chrono::{NaiveDate, Utc};

use super::model::Month;
use super::store::Round;
use crate::audit::{self, Action, Actor};
use crate::db::Tx;
use crate::on_tx;
use crate::points::{self, Award, Awarded, PointKind};

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// Published now: this many awardees, this many points added in all.
    Done {
        /// Awardees.
        awardees: usize,
        /// Points added (0 for an awardee whose key was in the ledger already).
        points: i64,
    },
    /// It had been published before: nothing changed.
    Already,
}

/// Why a round cannot be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The month is not over yet (Shanghai).
    #[error("{0}还没有结束，月底之后才能发布")]
    NotEnded(&'static str),
    /// Nobody is on the list.
    #[error("名单为空：请先加入获奖党员")]
    Empty,
}

/// The idempotency key of a member's award for a month of a campaign.
pub fn award_key(campaign_id: i64, month: Month, member_id: i64) -> String {
    format!("award:{campaign_id}:{month}:{member_id}")
}

/// Publishes `round` (see the module documentation); `today` is the Shanghai day.
pub async fn publish(
    tx: &mut Tx,
    round: &Round,
    today: NaiveDate,
    by: &Actor,
) -> Result<Result<Published, Refused>, sqlx::Error> {
    let month = round.month();
    if !month.has_ended(today) {
        return Ok(Err(Refused::NotEnded("本月")));
    }
    let awardees: Vec<(i64, String)> = on_tx!(tx, conn => {
        sqlx::query_as("SELECT member_id, reason FROM awardees WHERE round_id = $1 ORDER BY member_id")
            .bind(round.id)
            .fetch_all(&mut *conn)
            .await?
    });
    if awardees.is_empty() {
        return Ok(Err(Refused::Empty));
    }
    let now = Utc::now();
    // The status change first: its row lock makes a concurrent second publish wait, then find
    // the round published and do nothing.
    let fixed = on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE award_rounds SET status = 'published', published_at = $2, published_by = $3 \
             WHERE id = $1 AND status = 'draft'",
        )
        .bind(round.id)
        .bind(now)
        .bind(by.user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    if fixed == 0 {
        return Ok(Ok(Published::Already));
    }
    let mut total = 0;
    for (member_id, reason) in &awardees {
        let award = Award {
            member_id: *member_id,
            kind: PointKind::MonthlyAward,
            item_key: format!("award:{}:{month}", round.campaign_id),
            idempotency_key: award_key(round.campaign_id, month, *member_id),
            at: now,
            quantity: 1,
            reason: format!("{}月度评优：{reason}", month.label()),
            recorded_by: by.user_id,
            campaign_id: Some(round.campaign_id),
        };
        if let Awarded::Recorded(entry) = points::award(tx, &award).await? {
            total += entry.points;
        }
    }
    let detail = format!("{}：发布 {} 人，共加 {total} 分", month.label(), awardees.len());
    audit::record_in(tx, by, Action::Award, &format!("评优 {month}"), &detail, true).await?;
    Ok(Ok(Published::Done { awardees: awardees.len(), points: total }))
}
