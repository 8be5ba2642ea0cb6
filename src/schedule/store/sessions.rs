//! Sessions (场次): scheduling with conflict checks, calendars, reads within scope.

use chrono::{DateTime, Utc};

use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::schedule::model::{SessionKind, SessionStatus};
use crate::{on_db, on_tx};

/// One row of `training_sessions` with the names a page shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrainingSession {
    /// Id.
    pub id: i64,
    /// Campaign.
    pub campaign_id: i64,
    /// The batch booking it came from.
    pub batch_id: Option<i64>,
    /// What kind of session.
    pub kind: SessionKind,
    /// Title.
    pub title: String,
    /// Topic.
    pub topic_id: Option<i64>,
    /// Topic name ('' when none).
    pub topic_name: String,
    /// Whether the topic is compulsory.
    pub topic_compulsory: bool,
    /// Lecturer.
    pub lecturer_id: Option<i64>,
    /// Lecturer name ('' when none).
    pub lecturer_name: String,
    /// Hosting unit.
    pub unit_id: i64,
    /// Hosting unit's name.
    pub unit_name: String,
    /// Hosting unit's path (who may manage it).
    pub unit_path: String,
    /// The unit whose subtree is the audience.
    pub audience_unit_id: i64,
    /// The audience unit's path.
    pub audience_path: String,
    /// The audience unit's name.
    pub audience_name: String,
    /// Venue.
    pub venue_id: Option<i64>,
    /// Venue name ('' when none).
    pub venue_name: String,
    /// A field lecture's place, e.g. 草莓大棚.
    pub place: String,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC).
    pub ends_at: DateTime<Utc>,
    /// Attendees expected.
    pub expected_attendees: i64,
    /// Check-in opens this many minutes before the start.
    pub checkin_opens_minutes: i64,
    /// Link for online sessions.
    pub online_url: String,
    /// Scheduled or cancelled.
    pub status: SessionStatus,
    /// Secret for rotating check-in codes (never shown).
    pub secret: String,
    /// Attendances recorded so far.
    pub attendance_count: i64,
}

impl TrainingSession {
    /// Length in minutes: what an attendance counts for.
    pub fn minutes(&self) -> i64 {
        (self.ends_at - self.starts_at).num_minutes().max(0)
    }
}

const SELECT: &str = "SELECT s.id, s.campaign_id, s.batch_id, s.kind, s.title, s.topic_id, \
     COALESCE(t.name, '') AS topic_name, COALESCE(t.compulsory, FALSE) AS topic_compulsory, \
     s.lecturer_id, COALESCE(l.name, '') AS lecturer_name, s.unit_id, hu.name AS unit_name, \
     hu.path AS unit_path, s.audience_unit_id, au.path AS audience_path, au.name AS audience_name, \
     s.venue_id, COALESCE(v.name, '') AS venue_name, s.place, s.starts_at, s.ends_at, \
     s.expected_attendees, s.checkin_opens_minutes, s.online_url, s.status, s.secret, \
     (SELECT COUNT(*) FROM attendances a WHERE a.session_id = s.id) AS attendance_count \
     FROM training_sessions s JOIN units hu ON hu.id = s.unit_id JOIN units au ON au.id = s.audience_unit_id \
     LEFT JOIN topics t ON t.id = s.topic_id LEFT JOIN lecturers l ON l.id = s.lecturer_id \
     LEFT JOIN venues v ON v.id = s.venue_id";

/// A session to schedule.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Campaign.
    pub campaign_id: i64,
    /// Batch booking.
    pub batch_id: Option<i64>,
    /// What kind of session.
    pub kind: SessionKind,
    /// Title.
    pub title: String,
    /// Topic.
    pub topic_id: Option<i64>,
    /// Lecturer.
    pub lecturer_id: Option<i64>,
    /// Hosting unit.
    pub unit_id: i64,
    /// Audience unit.
    pub audience_unit_id: i64,
    /// Venue.
    pub venue_id: Option<i64>,
    /// Field place.
    pub place: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Expected attendees.
    pub expected_attendees: i64,
    /// Check-in opening, minutes before the start.
    pub checkin_opens_minutes: i64,
    /// Online link.
    pub online_url: String,
    /// Acting user.
    pub created_by: Option<i64>,
}

/// A batch booking (分批次): one village books one lecturer and topic for several dates.
#[derive(Debug, Clone)]
pub struct NewBatch {
    /// Campaign.
    pub campaign_id: i64,
    /// The booking unit.
    pub unit_id: i64,
    /// The lecturer booked.
    pub lecturer_id: i64,
    /// The topic.
    pub topic_id: Option<i64>,
    /// A note for the committee.
    pub note: String,
    /// Acting user.
    pub created_by: Option<i64>,
}

/// A batch as the committee's list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BatchListing {
    /// Id.
    pub id: i64,
    /// Booking unit's name.
    pub unit_name: String,
    /// Lecturer's name.
    pub lecturer_name: String,
    /// Topic name ('' when none).
    pub topic_name: String,
    /// Note.
    pub note: String,
    /// Sessions in the batch.
    pub sessions: i64,
    /// First session start.
    pub first_at: Option<DateTime<Utc>>,
}

/// Batches booked inside a scope, newest first.
pub async fn batches_in_scope(db: &Db, scope: &Scope) -> Result<Vec<BatchListing>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT b.id, u.name AS unit_name, l.name AS lecturer_name, COALESCE(t.name, '') AS topic_name, b.note, \
             (SELECT COUNT(*) FROM training_sessions s WHERE s.batch_id = b.id) AS sessions, \
             (SELECT MIN(s.starts_at) FROM training_sessions s WHERE s.batch_id = b.id) AS first_at \
             FROM booking_batches b JOIN units u ON u.id = b.unit_id JOIN lecturers l ON l.id = b.lecturer_id \
             LEFT JOIN topics t ON t.id = b.topic_id WHERE u.path LIKE $1 ORDER BY b.id DESC",
        )
        .bind(scope)
        .fetch_all(pool)
        .await
    })
}

/// Why a session cannot be scheduled as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// The lecturer is elsewhere then.
    LecturerBusy { title: String, unit: String, starts_at: DateTime<Utc> },
    /// The venue is taken then.
    VenueBusy { title: String, starts_at: DateTime<Utc> },
    /// More people expected than the venue holds.
    OverCapacity { capacity: i64, expected: i64 },
}

impl Conflict {
    /// The reason in Chinese.
    pub fn message(&self) -> String {
        match self {
            Conflict::LecturerBusy { title, unit, starts_at } => format!(
                "宣讲人同一时间已有安排：{}在{}的“{}”",
                crate::time::local_datetime(*starts_at),
                unit,
                title
            ),
            Conflict::VenueBusy { title, starts_at } => {
                format!("场地同一时间已被占用：{}的“{}”", crate::time::local_datetime(*starts_at), title)
            }
            Conflict::OverCapacity { capacity, expected } => {
                format!("预计{expected}人超过场地容量{capacity}人（防疫限流）")
            }
        }
    }
}

#[derive(sqlx::FromRow)]
struct Clash {
    title: String,
    unit_name: String,
    starts_at: DateTime<Utc>,
}

/// Schedules sessions in the caller's transaction after checking each against the calendar and
/// against the others in the same batch. Returns the new ids, or every conflict as (index,
/// conflict) with nothing written: the caller then drops the transaction.
///
/// It starts by touching the lecturer and venue rows, which takes PostgreSQL's row locks (SQLite's
/// write lock is held from `BEGIN IMMEDIATE`), so two bookings of one lecturer cannot both pass the
/// check.
pub async fn insert_checked(
    tx: &mut Tx,
    sessions: &[NewSession],
    capacities: &[Option<i64>],
    batch: Option<&NewBatch>,
) -> Result<Result<Vec<i64>, Vec<(usize, Conflict)>>, sqlx::Error> {
    let now = Utc::now();
    let clash_sql = "SELECT s.title, u.name AS unit_name, s.starts_at FROM training_sessions s \
         JOIN units u ON u.id = s.unit_id WHERE s.status = 'scheduled' AND s.starts_at < $1 \
         AND $2 < s.ends_at AND s.{column} = $3 LIMIT 1";
    let lecturer_sql = clash_sql.replace("{column}", "lecturer_id");
    let venue_sql = clash_sql.replace("{column}", "venue_id");
    on_tx!(tx, conn => {
        for s in sessions {
            sqlx::query("UPDATE lecturers SET active = active WHERE id = $1").bind(s.lecturer_id).execute(&mut *conn).await?;
            sqlx::query("UPDATE venues SET capacity = capacity WHERE id = $1").bind(s.venue_id).execute(&mut *conn).await?;
        }
        let mut conflicts = Vec::new();
        for (i, s) in sessions.iter().enumerate() {
            if let Some(capacity) = capacities.get(i).copied().flatten()
                && s.expected_attendees > capacity
            {
                conflicts.push((i, Conflict::OverCapacity { capacity, expected: s.expected_attendees }));
            }
            if let Some(lecturer) = s.lecturer_id {
                let clash: Option<Clash> = sqlx::query_as(&lecturer_sql).bind(s.ends_at).bind(s.starts_at).bind(lecturer).fetch_optional(&mut *conn).await?;
                if let Some(c) = clash {
                    conflicts.push((i, Conflict::LecturerBusy { title: c.title, unit: c.unit_name, starts_at: c.starts_at }));
                }
            }
            if let Some(venue) = s.venue_id {
                let clash: Option<Clash> = sqlx::query_as(&venue_sql).bind(s.ends_at).bind(s.starts_at).bind(venue).fetch_optional(&mut *conn).await?;
                if let Some(c) = clash {
                    conflicts.push((i, Conflict::VenueBusy { title: c.title, starts_at: c.starts_at }));
                }
            }
            conflicts.extend(within_batch(sessions, i));
        }
        if !conflicts.is_empty() {
            // Nothing was written (the lock-taking updates change no value); the caller wants the
            // conflicts, not a database error, and drops the transaction.
            return Ok(Err(conflicts));
        }
        let batch_id: Option<i64> = match batch {
            Some(b) => {
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO booking_batches (campaign_id, unit_id, lecturer_id, topic_id, note, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(b.campaign_id).bind(b.unit_id).bind(b.lecturer_id).bind(b.topic_id).bind(&b.note).bind(b.created_by).bind(now)
                .fetch_one(&mut *conn)
                .await?;
                Some(id)
            }
            None => None,
        };
        let mut ids = Vec::with_capacity(sessions.len());
        for s in sessions {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO training_sessions (campaign_id, batch_id, kind, title, topic_id, lecturer_id, unit_id, \
                 audience_unit_id, venue_id, place, starts_at, ends_at, expected_attendees, checkin_opens_minutes, \
                 online_url, status, secret, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'scheduled', $16, $17, $18) \
                 RETURNING id",
            )
            .bind(s.campaign_id).bind(batch_id.or(s.batch_id)).bind(s.kind).bind(&s.title).bind(s.topic_id)
            .bind(s.lecturer_id).bind(s.unit_id).bind(s.audience_unit_id).bind(s.venue_id).bind(&s.place)
            .bind(s.starts_at).bind(s.ends_at).bind(s.expected_attendees).bind(s.checkin_opens_minutes)
            .bind(&s.online_url).bind(crate::web::csrf::random_token()).bind(s.created_by).bind(now)
            .fetch_one(&mut *conn)
            .await?;
            ids.push(id);
        }
        Ok(Ok(ids))
    })
}

/// Conflicts of session `i` with earlier sessions of the same batch.
fn within_batch(sessions: &[NewSession], i: usize) -> Vec<(usize, Conflict)> {
    let s = &sessions[i];
    let mut found = Vec::new();
    for other in &sessions[..i] {
        if !crate::schedule::model::overlaps(s.starts_at, s.ends_at, other.starts_at, other.ends_at) {
            continue;
        }
        if s.lecturer_id.is_some() && s.lecturer_id == other.lecturer_id {
            found.push((
                i,
                Conflict::LecturerBusy {
                    title: other.title.clone(),
                    unit: "本批次".into(),
                    starts_at: other.starts_at,
                },
            ));
        }
        if s.venue_id.is_some() && s.venue_id == other.venue_id {
            found.push((i, Conflict::VenueBusy { title: other.title.clone(), starts_at: other.starts_at }));
        }
    }
    found
}

/// Sessions between two instants that a user with `scope` and `own_path` sees: those hosted
/// inside their subtree (none when `scope` is `None`), and those whose audience includes their
/// unit.
pub async fn between(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    scope: Option<&Scope>,
    own_path: &str,
) -> Result<Vec<TrainingSession>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE s.starts_at >= $1 AND s.starts_at < $2 AND (hu.path LIKE $3 OR $4 LIKE au.path || '%') \
         ORDER BY s.starts_at, s.id"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(from).bind(to).bind(scope).bind(own_path).fetch_all(pool).await)
}

/// One session a user may see (hosted in scope, or for an audience including them). A `None`
/// scope binds NULL, which `LIKE` matches nowhere.
pub async fn visible(
    db: &Db,
    id: i64,
    scope: Option<&Scope>,
    own_path: &str,
) -> Result<Option<TrainingSession>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE s.id = $1 AND (hu.path LIKE $2 OR $3 LIKE au.path || '%')");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).bind(scope).bind(own_path).fetch_optional(pool).await)
}

/// One session by id, unscoped (the member check-in page scopes by audience itself).
pub async fn by_id(db: &Db, id: i64) -> Result<Option<TrainingSession>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE s.id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// Sessions whose check-in may be open now (for the six-digit code, which names no session).
pub async fn open_around(db: &Db, now: DateTime<Utc>) -> Result<Vec<TrainingSession>, sqlx::Error> {
    let sql = format!(
        "{SELECT} WHERE s.status = 'scheduled' AND s.starts_at <= $1 AND s.ends_at >= $2 ORDER BY s.starts_at"
    );
    // Check-in opens at most a day early; the exact window is checked per session afterwards.
    let horizon = now + chrono::Duration::hours(24);
    on_db!(db, pool => sqlx::query_as(&sql).bind(horizon).bind(now).fetch_all(pool).await)
}

/// Cancels a session (kept for the record).
pub async fn cancel(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("UPDATE training_sessions SET status = 'cancelled' WHERE id = $1").bind(id).execute(conn).await?;
    });
    Ok(())
}
