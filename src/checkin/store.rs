//! Attendance: recorded exactly once per member and session, whatever the channel.

use chrono::{DateTime, Utc};

use super::model::Channel;
use crate::audit::Actor;
use crate::db::{Db, Tx};
use crate::points::{self, Award, Awarded, PointKind};
use crate::schedule::model::SessionKind;
use crate::{on_db, on_tx};

/// What recording an attendance did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// Stored now.
    New { late: bool },
    /// Already stored earlier (a double scan, a retry, paper after a scan): nothing changed.
    Already { channel: Channel, at: DateTime<Utc> },
}

/// One attendance to record.
#[derive(Debug, Clone)]
pub struct Attendance {
    /// Session.
    pub session_id: i64,
    /// Member.
    pub member_id: i64,
    /// How it was recorded.
    pub channel: Channel,
    /// Minutes it counts for.
    pub minutes: i64,
    /// Arrived after start + 15 min.
    pub late: bool,
    /// Staff who recorded it (roll call, paper), none for self check-in.
    pub recorded_by: Option<i64>,
}

/// Records an attendance exactly once, in the caller's transaction, so whatever follows from it
/// (an audit entry, points) commits with it. The UNIQUE (session, member) constraint decides
/// under any concurrency; callers answer only after committing.
pub async fn record(tx: &mut Tx, a: &Attendance) -> Result<Recorded, sqlx::Error> {
    record_as(tx, a, false).await
}

/// [`record`] for online study a member declared by name and phone alone, without logging in
/// (自报): the attendance and its points carry the flag.
pub async fn record_self_declared(tx: &mut Tx, a: &Attendance) -> Result<Recorded, sqlx::Error> {
    record_as(tx, a, true).await
}

async fn record_as(tx: &mut Tx, a: &Attendance, self_declared: bool) -> Result<Recorded, sqlx::Error> {
    let now = Utc::now();
    // The session's kind and campaign come back with the new row: the points need them.
    let inserted: Option<(SessionKind, i64)> = on_tx!(tx, conn => {
        sqlx::query_as(
            "INSERT INTO attendances (session_id, member_id, channel, minutes, late, checked_in_at, recorded_by, \
             self_declared) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (session_id, member_id) DO NOTHING \
             RETURNING (SELECT s.kind FROM training_sessions s WHERE s.id = session_id), \
             (SELECT s.campaign_id FROM training_sessions s WHERE s.id = session_id)",
        )
        .bind(a.session_id)
        .bind(a.member_id)
        .bind(a.channel)
        .bind(a.minutes)
        .bind(a.late)
        .bind(now)
        .bind(a.recorded_by)
        .bind(self_declared)
        .fetch_optional(&mut *conn)
        .await?
    });
    if let Some(session) = inserted {
        award_points(tx, a, session, now, self_declared).await?;
        return Ok(Recorded::New { late: a.late });
    }
    super::batch::already(tx, a).await
}

/// The kind of points an attendance earns: online study (live, or a recording watched to 90 %)
/// as such, a field lecture (现场教学) as such, any other session as attending.
fn point_kind(channel: Channel, session: SessionKind) -> PointKind {
    match (channel, session) {
        (Channel::Live | Channel::Recording, _) => PointKind::OnlineStudy,
        (Channel::Delivery, _) => PointKind::Visit,
        (_, SessionKind::FieldLecture) => PointKind::FieldLecture,
        _ => PointKind::Attendance,
    }
}

/// The award for an attendance, keyed `attendance:{session}:{member}`, so a retried check-in
/// never counts twice.
fn attendance_award(a: &Attendance, kind: PointKind, campaign_id: i64, at: DateTime<Utc>) -> Award {
    Award {
        member_id: a.member_id,
        kind,
        item_key: format!("session:{}", a.session_id),
        idempotency_key: format!("attendance:{}:{}", a.session_id, a.member_id),
        at,
        quantity: 1,
        reason: String::new(),
        recorded_by: a.recorded_by,
        campaign_id: Some(campaign_id),
    }
}

/// The award a new attendance of a session (its kind and campaign) earns.
pub(super) fn award_for(
    a: &Attendance,
    (session_kind, campaign_id): (SessionKind, i64),
    at: DateTime<Utc>,
) -> Award {
    attendance_award(a, point_kind(a.channel, session_kind), campaign_id, at)
}

/// The points a new attendance earns, in the attendance's own transaction. An attendance stored
/// again after its roll-call tick was undone (and its points taken back) earns again, keyed
/// `attendance:{session}:{member}:{n}` for its n-th award: still once however often it is sent.
pub(super) async fn award_points(
    tx: &mut Tx,
    a: &Attendance,
    (session_kind, campaign_id): (SessionKind, i64),
    at: DateTime<Utc>,
    self_declared: bool,
) -> Result<(), sqlx::Error> {
    if cfg!(feature = "bench-checkin-without-points") {
        return Ok(());
    }
    let mut award = award_for(a, (session_kind, campaign_id), at);
    if let Awarded::AlreadyRecorded(_) = give(tx, &award, self_declared).await? {
        let n = points::earn::awards_for_item(tx, a.member_id, award.kind, &award.item_key).await?;
        award.idempotency_key = format!("{}:{}", award.idempotency_key, n + 1);
        give(tx, &award, self_declared).await?;
    }
    Ok(())
}

async fn give(tx: &mut Tx, award: &Award, self_declared: bool) -> Result<Awarded, sqlx::Error> {
    if self_declared { points::award_self_declared(tx, award).await } else { points::award(tx, award).await }
}

/// How a member's attendance of a session was recorded, if it was.
pub async fn channel_of(db: &Db, session_id: i64, member_id: i64) -> Result<Option<Channel>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT channel FROM attendances WHERE session_id = $1 AND member_id = $2")
            .bind(session_id)
            .bind(member_id)
            .fetch_optional(pool)
            .await
    })
}

/// A member's attendances in a campaign as (session id, title, start, channel, self-declared),
/// newest first.
pub async fn of_member(
    db: &Db,
    campaign_id: i64,
    member_id: i64,
) -> Result<Vec<(i64, String, DateTime<Utc>, Channel, bool)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT s.id, s.title, s.starts_at, a.channel, a.self_declared FROM attendances a \
             JOIN training_sessions s ON s.id = a.session_id \
             WHERE a.member_id = $1 AND s.campaign_id = $2 ORDER BY s.starts_at DESC, s.id DESC",
        )
        .bind(member_id)
        .bind(campaign_id)
        .fetch_all(pool)
        .await
    })
}

/// An attendance as listed for a session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttendanceRow {
    /// Member.
    pub member_id: i64,
    /// Member's name.
    pub name: String,
    /// How it was recorded.
    pub channel: Channel,
    /// Late?
    pub late: bool,
    /// When (UTC).
    pub checked_in_at: DateTime<Utc>,
    /// Online study declared by name and phone, without logging in.
    pub self_declared: bool,
}

/// Everyone recorded for a session, in check-in order.
pub async fn for_session(db: &Db, session_id: i64) -> Result<Vec<AttendanceRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT a.member_id, m.name, a.channel, a.late, a.checked_in_at, a.self_declared FROM attendances a \
             JOIN members m ON m.id = a.member_id WHERE a.session_id = $1 ORDER BY a.checked_in_at, a.id",
        )
        .bind(session_id)
        .fetch_all(pool)
        .await
    })
}

/// Records many attendances in the caller's transaction (the demo, bulk entry); those already
/// recorded are left as they were. The new ones earn their points as [`record`]'s do, in a few
/// statements per few hundred ([`points::award_batch`]), counted on the session's day (or now, if
/// it has not begun). Returns how many were new.
pub async fn record_many(tx: &mut Tx, entries: &[Attendance]) -> Result<u64, sqlx::Error> {
    record_many_as(tx, entries, false).await
}

/// [`record_many`] for online study the members declared by name and phone alone (自报): the
/// attendances and their points carry the flag.
pub async fn record_many_self_declared(tx: &mut Tx, entries: &[Attendance]) -> Result<u64, sqlx::Error> {
    record_many_as(tx, entries, true).await
}

async fn record_many_as(
    tx: &mut Tx,
    entries: &[Attendance],
    self_declared: bool,
) -> Result<u64, sqlx::Error> {
    let now = Utc::now();
    let mut added: Vec<(i64, i64)> = Vec::with_capacity(entries.len());
    for chunk in entries.chunks(500) {
        let rows: Vec<(i64, i64)> = on_tx!(tx, conn => {
            let mut builder = sqlx::QueryBuilder::new(
                "INSERT INTO attendances (session_id, member_id, channel, minutes, late, checked_in_at, recorded_by, \
                 self_declared) ",
            );
            builder.push_values(chunk, |mut row, a| {
                row.push_bind(a.session_id)
                    .push_bind(a.member_id)
                    .push_bind(a.channel)
                    .push_bind(a.minutes)
                    .push_bind(a.late)
                    .push_bind(now)
                    .push_bind(a.recorded_by)
                    .push_bind(self_declared);
            });
            builder.push(" ON CONFLICT (session_id, member_id) DO NOTHING RETURNING session_id, member_id");
            builder.build_query_as().fetch_all(&mut *conn).await?
        });
        added.extend(rows);
    }
    let new: std::collections::HashSet<(i64, i64)> = added.iter().copied().collect();
    let sessions = sessions_of(tx, entries).await?;
    let awards: Vec<Award> = entries
        .iter()
        .filter(|a| new.contains(&(a.session_id, a.member_id)))
        .filter_map(|a| {
            let (kind, campaign_id, starts_at) = sessions.get(&a.session_id)?;
            Some(attendance_award(a, point_kind(a.channel, *kind), *campaign_id, (*starts_at).min(now)))
        })
        .collect();
    if self_declared {
        points::award_batch_self_declared(tx, &awards).await?;
    } else {
        points::award_batch(tx, &awards).await?;
    }
    Ok(added.len() as u64)
}

/// Kind, campaign and start of the sessions these attendances are for.
async fn sessions_of(
    tx: &mut Tx,
    entries: &[Attendance],
) -> Result<std::collections::HashMap<i64, (SessionKind, i64, DateTime<Utc>)>, sqlx::Error> {
    let ids: std::collections::BTreeSet<i64> = entries.iter().map(|a| a.session_id).collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, SessionKind, i64, DateTime<Utc>)> = on_tx!(tx, conn => {
        let mut select =
            sqlx::QueryBuilder::new("SELECT id, kind, campaign_id, starts_at FROM training_sessions WHERE id IN (");
        let mut list = select.separated(", ");
        for id in &ids {
            list.push_bind(*id);
        }
        select.push(")");
        select.build_query_as().fetch_all(&mut *conn).await?
    });
    Ok(rows.into_iter().map(|(id, kind, campaign, starts)| (id, (kind, campaign, starts))).collect())
}

/// Removes a roll-call tick made by mistake, in the caller's transaction (which also holds its
/// audit entry), and sets the member's progress in that campaign back to what their remaining
/// attendances and door-to-door visits make it: the progress triggers follow inserts only. Only roll-call entries can be
/// undone this way — a scan, a paper entry or a visit is the member's own record. Returns whether
/// a tick was removed (false: none, or recorded by another channel).
///
/// The points the tick earned are taken back in the same transaction, by a compensating entry
/// audited for `by` (the ledger is append-only): a secretary who unticks a member who was not
/// there expects the member's points to go with the tick, and a later tick to earn them again.
pub async fn undo_roll_call(
    tx: &mut Tx,
    session_id: i64,
    member_id: i64,
    by: &Actor,
) -> Result<bool, sqlx::Error> {
    if !remove_roll_call(tx, session_id, member_id).await? {
        return Ok(false);
    }
    let session_kind: SessionKind = on_tx!(tx, conn => {
        sqlx::query_scalar("SELECT kind FROM training_sessions WHERE id = $1")
            .bind(session_id)
            .fetch_one(&mut *conn)
            .await?
    });
    let kind = point_kind(Channel::RollCall, session_kind);
    points::take_back(tx, member_id, kind, &format!("session:{session_id}"), "撤销点名", by).await?;
    Ok(true)
}

async fn remove_roll_call(tx: &mut Tx, session_id: i64, member_id: i64) -> Result<bool, sqlx::Error> {
    on_tx!(tx, conn => {
        let removed: Option<(i64,)> = sqlx::query_as(
            "DELETE FROM attendances WHERE session_id = $1 AND member_id = $2 AND channel = $3 RETURNING id",
        )
        .bind(session_id)
        .bind(member_id)
        .bind(Channel::RollCall)
        .fetch_optional(&mut *conn)
        .await?;
        if removed.is_none() {
            return Ok(false);
        }
        let campaign_id: i64 = sqlx::query_scalar("SELECT campaign_id FROM training_sessions WHERE id = $1")
            .bind(session_id)
            .fetch_one(&mut *conn)
            .await?;
        // A visit counts as a session with its minutes (see migration 0008); its topics are
        // listed beside it.
        let left: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT a.minutes, s.topic_id FROM attendances a JOIN training_sessions s ON s.id = a.session_id \
             WHERE a.member_id = $1 AND s.campaign_id = $2 \
             UNION ALL SELECT v.minutes, NULL FROM delivery_visits v WHERE v.member_id = $1 AND v.campaign_id = $2",
        )
        .bind(member_id)
        .bind(campaign_id)
        .fetch_all(&mut *conn)
        .await?;
        let delivered: Vec<i64> = sqlx::query_scalar(
            "SELECT vt.topic_id FROM delivery_visit_topics vt JOIN delivery_visits v ON v.id = vt.visit_id \
             WHERE v.member_id = $1 AND v.campaign_id = $2",
        )
        .bind(member_id)
        .bind(campaign_id)
        .fetch_all(&mut *conn)
        .await?;
        let (sessions, minutes, topics) = progress_from(&left, &delivered);
        sqlx::query(
            "UPDATE member_progress SET sessions = $1, minutes = $2, topics = $3 \
             WHERE campaign_id = $4 AND member_id = $5",
        )
        .bind(sessions)
        .bind(minutes)
        .bind(topics)
        .bind(campaign_id)
        .bind(member_id)
        .execute(&mut *conn)
        .await?;
        Ok(true)
    })
}

/// A member's progress row from their attendances and visits as (minutes, topic) and the topics
/// their visits delivered: sessions, minutes and the distinct topics as ",3,7," ("," when none),
/// the shape the progress triggers keep.
fn progress_from(attended: &[(i64, Option<i64>)], delivered: &[i64]) -> (i64, i64, String) {
    let mut topics: Vec<i64> =
        attended.iter().filter_map(|(_, t)| *t).chain(delivered.iter().copied()).collect();
    topics.sort_unstable();
    topics.dedup();
    let text: String = topics.iter().map(|t| format!("{t},")).collect();
    (attended.len() as i64, attended.iter().map(|(m, _)| m).sum(), format!(",{text}"))
}

#[cfg(test)]
mod tests {
    use super::progress_from;

    #[test]
    fn progress_is_rebuilt_in_the_triggers_shape() {
        assert_eq!(progress_from(&[], &[]), (0, 0, ",".to_owned()));
        assert_eq!(
            progress_from(&[(90, Some(7)), (60, None), (30, Some(3)), (45, Some(7))], &[]),
            (4, 225, ",3,7,".to_owned())
        );
        // A visit: one more session with its minutes, and the topics it delivered.
        assert_eq!(progress_from(&[(90, Some(7)), (60, None)], &[9, 7]), (2, 150, ",7,9,".to_owned()));
    }
}
