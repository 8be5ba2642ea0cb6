//! Recorded visits: each one is also a `delivery` training session with the member's attendance,
//! so it counts for coverage like any other channel.

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::{Db, Tx};
use crate::delivery::Confirmer;
use crate::{on_db, on_tx};

/// A recorded visit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Visit {
    /// Id.
    pub id: i64,
    /// The training session it created.
    pub session_id: i64,
    /// That session's title ("送学上门：<name>"), shown instead of its internal id.
    pub session_title: String,
    /// That session's start (UTC).
    pub session_starts_at: DateTime<Utc>,
    /// Date of the visit.
    pub visited_on: NaiveDate,
    /// How long they studied.
    pub minutes: i64,
    /// What was taught.
    pub content: String,
    /// JSON array of the books handed over.
    pub books: String,
    /// What the member said.
    pub member_words: String,
    /// 本人 / 家属 / 村社工作人员.
    pub confirmed_by_kind: Confirmer,
    /// The confirmer's name.
    pub confirmed_by_name: String,
    /// Whether a photo was kept.
    pub has_photo: bool,
    /// Who recorded it.
    pub recorded_by_name: String,
    /// When (UTC).
    pub created_at: DateTime<Utc>,
}

/// The visit of a task, if recorded.
pub async fn visit(db: &Db, delivery_id: i64) -> Result<Option<Visit>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT v.id, v.session_id, s.title AS session_title, s.starts_at AS session_starts_at, \
             v.visited_on, v.minutes, v.content, v.books, v.member_words, \
             v.confirmed_by_kind, v.confirmed_by_name, (v.photo IS NOT NULL) AS has_photo, \
             COALESCE(r.name, '') AS recorded_by_name, v.created_at \
             FROM delivery_visits v JOIN training_sessions s ON s.id = v.session_id \
             LEFT JOIN users r ON r.id = v.recorded_by WHERE v.delivery_id = $1",
        )
        .bind(delivery_id)
        .fetch_optional(pool)
        .await
    })
}

/// The photo of a task's visit.
pub async fn visit_photo(db: &Db, delivery_id: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let row: Option<(Option<Vec<u8>>,)> = on_db!(db, pool => {
        sqlx::query_as("SELECT photo FROM delivery_visits WHERE delivery_id = $1")
            .bind(delivery_id)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.and_then(|(photo,)| photo))
}

/// A visit to record, with the session it becomes.
#[derive(Debug, Clone)]
pub struct NewVisit {
    /// The task.
    pub delivery_id: i64,
    /// Its campaign.
    pub campaign_id: i64,
    /// The member visited.
    pub member_id: i64,
    /// The member's unit: host and audience of the session.
    pub unit_id: i64,
    /// "送学上门：<name>".
    pub title: String,
    /// Topic taught, if one of the campaign's.
    pub topic_id: Option<i64>,
    /// The assignee's lecturer record, if any.
    pub lecturer_id: Option<i64>,
    /// Session start (visit date 10:00 Shanghai) and end (+ minutes).
    pub starts_at: DateTime<Utc>,
    /// Session end.
    pub ends_at: DateTime<Utc>,
    /// Visit date.
    pub visited_on: NaiveDate,
    /// Minutes studied.
    pub minutes: i64,
    /// What was taught.
    pub content: String,
    /// JSON array of books handed over.
    pub books: String,
    /// What the member said.
    pub member_words: String,
    /// Who confirmed it.
    pub confirmed_by_kind: Confirmer,
    /// Confirmer name.
    pub confirmed_by_name: String,
    /// Photo bytes (already checked).
    pub photo: Option<Vec<u8>>,
    /// Recording account.
    pub recorded_by: i64,
}

/// Why a visit was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum VisitError {
    /// The task is done already (a retry, a second device): nothing changed.
    #[error("该任务已登记走访")]
    AlreadyRecorded,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Records a visit in the caller's transaction: the `delivery` training session, the member's
/// attendance (channel `delivery`), the visit row, and the task set done. A retry finds the task
/// done (or trips `delivery_visits.delivery_id UNIQUE`) and changes nothing once the caller drops
/// the transaction.
pub async fn record_visit(tx: &mut Tx, v: &NewVisit) -> Result<i64, VisitError> {
    match write_visit(tx, v).await {
        Err(VisitError::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
            Err(VisitError::AlreadyRecorded)
        }
        other => other,
    }
}

async fn write_visit(tx: &mut Tx, v: &NewVisit) -> Result<i64, VisitError> {
    let now = Utc::now();
    on_tx!(tx, conn => {
        // Taking the task first serialises concurrent submissions on it.
        let taken = sqlx::query("UPDATE deliveries SET status = 'done' WHERE id = $1 AND status = 'open'")
            .bind(v.delivery_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if taken == 0 {
            return Err(VisitError::AlreadyRecorded);
        }
        let (session_id,): (i64,) = sqlx::query_as(
            "INSERT INTO training_sessions (campaign_id, batch_id, kind, title, topic_id, lecturer_id, unit_id, \
             audience_unit_id, venue_id, place, starts_at, ends_at, expected_attendees, checkin_opens_minutes, \
             online_url, status, secret, created_by, created_at) \
             VALUES ($1, NULL, 'delivery', $2, $3, $4, $5, $5, NULL, '党员家中', $6, $7, 1, 0, '', 'scheduled', $8, $9, $10) \
             RETURNING id",
        )
        .bind(v.campaign_id)
        .bind(&v.title)
        .bind(v.topic_id)
        .bind(v.lecturer_id)
        .bind(v.unit_id)
        .bind(v.starts_at)
        .bind(v.ends_at)
        .bind(crate::web::csrf::random_token())
        .bind(v.recorded_by)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO attendances (session_id, member_id, channel, minutes, late, checked_in_at, recorded_by) \
             VALUES ($1, $2, 'delivery', $3, FALSE, $4, $5)",
        )
        .bind(session_id)
        .bind(v.member_id)
        .bind(v.minutes)
        .bind(now)
        .bind(v.recorded_by)
        .execute(&mut *conn)
        .await?;
        let (visit_id,): (i64,) = sqlx::query_as(
            "INSERT INTO delivery_visits (delivery_id, session_id, visited_on, minutes, content, books, \
             member_words, confirmed_by_kind, confirmed_by_name, photo, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(v.delivery_id)
        .bind(session_id)
        .bind(v.visited_on)
        .bind(v.minutes)
        .bind(&v.content)
        .bind(&v.books)
        .bind(&v.member_words)
        .bind(v.confirmed_by_kind)
        .bind(&v.confirmed_by_name)
        .bind(v.photo.as_deref())
        .bind(v.recorded_by)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        Ok(visit_id)
    })
}
