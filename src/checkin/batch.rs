//! Many self check-ins in one transaction: what the check-in writer ([`super::writer`]) commits
//! when a hall checks in at once. The result is the same as [`super::store::record`] called once
//! per check-in in order — each attendance stored once, its points with it — but set-based: one
//! multi-row INSERT for the attendances and one for their points (on PostgreSQL, the points
//! batch), whatever the number, instead of two statements per check-in.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::model::Channel;
use super::store::{self, Attendance, Recorded};
use crate::db::Tx;
use crate::db::rows::{positional, tuples};
use crate::on_tx;
use crate::points::{self, Awarded};
use crate::schedule::model::SessionKind;

/// Rows per INSERT: 8 parameters each stays far below both backends' limits.
const CHUNK: usize = 500;

/// A (session, member) pair: what an attendance is unique by.
type Pair = (i64, i64);

/// Records `entries` in the caller's transaction as [`store::record`] would one after another,
/// and returns what happened to each, in order. A pair repeated within the batch, or stored
/// already, is [`Recorded::Already`].
pub async fn record_batch(tx: &mut Tx, entries: &[Attendance]) -> Result<Vec<Recorded>, sqlx::Error> {
    if let [only] = entries {
        // One check-in (a quiet moment): the single path is two statements, not a batch's six.
        return Ok(vec![store::record(tx, only).await?]);
    }
    let now = Utc::now();
    let mut inserted = HashMap::new();
    for chunk in entries.chunks(CHUNK) {
        inserted.extend(insert_new(tx, chunk, now).await?);
    }
    let mut fresh: Vec<(&Attendance, (SessionKind, i64))> = Vec::new();
    let mut seen: HashSet<Pair> = HashSet::new();
    let mut outcomes: Vec<Option<Recorded>> = Vec::with_capacity(entries.len());
    for a in entries {
        let pair = (a.session_id, a.member_id);
        match inserted.get(&pair) {
            Some(session) if seen.insert(pair) => {
                fresh.push((a, *session));
                outcomes.push(Some(Recorded::New { late: a.late }));
            }
            _ => outcomes.push(None),
        }
    }
    award_points(tx, &fresh, now).await?;
    let mut done = Vec::with_capacity(entries.len());
    for (a, outcome) in entries.iter().zip(outcomes) {
        done.push(match outcome {
            Some(new) => new,
            None => already(tx, a).await?,
        });
    }
    Ok(done)
}

/// Inserts the chunk's attendances that are not stored yet and returns each new pair with its
/// session's kind and campaign (the points need them).
async fn insert_new(
    tx: &mut Tx,
    chunk: &[Attendance],
    now: DateTime<Utc>,
) -> Result<HashMap<Pair, (SessionKind, i64)>, sqlx::Error> {
    let sql = positional(
        tx,
        format!(
            "INSERT INTO attendances (session_id, member_id, channel, minutes, late, checked_in_at, recorded_by, \
             self_declared) VALUES {} ON CONFLICT (session_id, member_id) DO NOTHING RETURNING session_id, \
             member_id, (SELECT s.kind FROM training_sessions s WHERE s.id = session_id), \
             (SELECT s.campaign_id FROM training_sessions s WHERE s.id = session_id)",
            tuples(chunk.len(), 7, "FALSE")
        ),
    );
    let rows: Vec<(i64, i64, SessionKind, i64)> = on_tx!(tx, conn => {
        let mut query = sqlx::query_as(&sql);
        for a in chunk {
            query = query
                .bind(a.session_id)
                .bind(a.member_id)
                .bind(a.channel)
                .bind(a.minutes)
                .bind(a.late)
                .bind(now)
                .bind(a.recorded_by);
        }
        query.fetch_all(&mut *conn).await?
    });
    Ok(rows
        .into_iter()
        .map(|(session, member, kind, campaign)| ((session, member), (kind, campaign)))
        .collect())
}

/// The points of the new attendances, in one points batch. An award whose key is in the ledger
/// already (an attendance stored again after its roll-call tick was undone) takes the single
/// path, which keys the re-earning.
async fn award_points(
    tx: &mut Tx,
    fresh: &[(&Attendance, (SessionKind, i64))],
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if cfg!(feature = "bench-checkin-without-points") || fresh.is_empty() {
        return Ok(());
    }
    let awards: Vec<_> = fresh.iter().map(|(a, session)| store::award_for(a, *session, at)).collect();
    // SQLite: one statement for every award under a simple rule (attending: 5 points, once per
    // session); its writer holds the database, so the totals it reads are exact. PostgreSQL:
    // the points batch, which locks the day's counter rows before reading totals.
    let left: Vec<bool> = if tx.is_sqlite() {
        points::simple::insert_many(tx, &awards).await?.into_iter().map(|written| !written).collect()
    } else {
        let done = points::award_batch(tx, &awards).await?;
        done.iter().map(|outcome| matches!(outcome, Awarded::AlreadyRecorded(_))).collect()
    };
    // What the batch could not write (a rule with a daily cap; a key in the ledger already, as
    // for an attendance stored again after its roll-call tick was undone) takes the single
    // path, which applies any rule and keys a re-earning.
    for ((a, session), left) in fresh.iter().zip(left) {
        if left {
            store::award_points(tx, a, *session, at, false).await?;
        }
    }
    Ok(())
}

/// How an attendance stored earlier (or earlier in this batch) was recorded.
pub(super) async fn already(tx: &mut Tx, a: &Attendance) -> Result<Recorded, sqlx::Error> {
    on_tx!(tx, conn => {
        let (channel, at): (Channel, DateTime<Utc>) = sqlx::query_as(
            "SELECT channel, checked_in_at FROM attendances WHERE session_id = $1 AND member_id = $2",
        )
        .bind(a.session_id)
        .bind(a.member_id)
        .fetch_one(&mut *conn)
        .await?;
        Ok(Recorded::Already { channel, at })
    })
}
