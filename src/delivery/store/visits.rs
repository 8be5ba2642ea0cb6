//! Recorded visits. A visit is not a training session: it appears on no calendar and in nobody
//! else's upcoming list. The database's triggers (migration 0008) add it to the member's progress
//! row — one session, its minutes, the topics it delivered, one visit — in the same transaction,
//! and the campaign's rule says what a visit counts for.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;

use crate::db::{Db, Tx};
use crate::delivery::Confirmer;
use crate::points::{self, Award, PointKind};
use crate::{on_db, on_tx};

/// A recorded visit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Visit {
    /// Id.
    pub id: i64,
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
            "SELECT v.id, v.visited_on, v.minutes, v.content, v.books, v.member_words, \
             v.confirmed_by_kind, v.confirmed_by_name, (v.photo IS NOT NULL) AS has_photo, \
             COALESCE(r.name, '') AS recorded_by_name, v.created_at \
             FROM delivery_visits v LEFT JOIN users r ON r.id = v.recorded_by WHERE v.delivery_id = $1",
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

/// The names of the topics a task's visit delivered.
pub async fn visit_topics(db: &Db, delivery_id: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT t.name FROM delivery_visits v JOIN delivery_visit_topics vt ON vt.visit_id = v.id \
             JOIN topics t ON t.id = vt.topic_id WHERE v.delivery_id = $1 ORDER BY t.id",
        )
        .bind(delivery_id)
        .fetch_all(pool)
        .await?
    });
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

/// A member's visits in a campaign, newest first: (visit date, minutes, recorded at). For the
/// member's own study page.
pub async fn of_member(
    db: &Db,
    campaign_id: i64,
    member_id: i64,
) -> Result<Vec<(NaiveDate, i64, DateTime<Utc>)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT visited_on, minutes, created_at FROM delivery_visits \
             WHERE campaign_id = $1 AND member_id = $2 ORDER BY visited_on DESC, id DESC",
        )
        .bind(campaign_id)
        .bind(member_id)
        .fetch_all(pool)
        .await
    })
}

/// Members visited in a campaign (the 已送学 mark).
pub async fn visited_member_ids(db: &Db, campaign_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = on_db!(db, pool => {
        sqlx::query_as("SELECT DISTINCT member_id FROM delivery_visits WHERE campaign_id = $1")
            .bind(campaign_id)
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// A visit to record.
#[derive(Debug, Clone)]
pub struct NewVisit {
    /// The task.
    pub delivery_id: i64,
    /// Its campaign.
    pub campaign_id: i64,
    /// The member visited.
    pub member_id: i64,
    /// The campaign's topics delivered.
    pub topic_ids: Vec<i64>,
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
    /// A book handed over has no copy left in stock (taken by another visit meanwhile): nothing
    /// is recorded once the caller drops the transaction.
    #[error("“{0}”库存为0")]
    OutOfStock(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Records a visit in the caller's transaction: the visit row with the topics it delivered (the
/// triggers add them to the member's progress), and the task set done. A retry finds the task
/// done (or trips `delivery_visits.delivery_id UNIQUE`) and changes nothing once the caller drops
/// the transaction.
///
/// The visit earns the member its points (送学上门) in the same transaction, keyed
/// `visit:{task}:{member}`: one task is visited once, so a retry never counts twice.
///
/// Each book handed over takes one copy from the library's stock in the same transaction
/// (after the task was taken, so a retry draws nothing); a book with none left is
/// [`VisitError::OutOfStock`].
pub async fn record_visit(tx: &mut Tx, v: &NewVisit) -> Result<i64, VisitError> {
    let visit_id = match write_visit(tx, v).await {
        Err(VisitError::Database(sqlx::Error::Database(e))) if e.is_unique_violation() => {
            return Err(VisitError::AlreadyRecorded);
        }
        other => other?,
    };
    let books = super::books_named(tx, &super::names_from_json(&v.books)).await?;
    for (name, book_id) in books {
        if crate::library::stock::draw_for_visit(tx, book_id, visit_id, v.recorded_by).await?.is_none() {
            return Err(VisitError::OutOfStock(name));
        }
    }
    points::award(tx, &visit_award(v, Utc::now())).await?;
    Ok(visit_id)
}

/// The award for a visit, counted on the visit's day: now if it is today, else noon of that day.
fn visit_award(v: &NewVisit, now: DateTime<Utc>) -> Award {
    let at = if now.with_timezone(&Shanghai).date_naive() == v.visited_on {
        now
    } else {
        let noon = v.visited_on.and_hms_opt(12, 0, 0).expect("valid time");
        Shanghai.from_local_datetime(&noon).single().expect("no DST in Shanghai").with_timezone(&Utc)
    };
    Award {
        member_id: v.member_id,
        kind: PointKind::Visit,
        item_key: format!("delivery:{}", v.delivery_id),
        idempotency_key: format!("visit:{}:{}", v.delivery_id, v.member_id),
        at,
        quantity: 1,
        reason: String::new(),
        recorded_by: Some(v.recorded_by),
        campaign_id: Some(v.campaign_id),
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
        let (visit_id,): (i64,) = sqlx::query_as(
            "INSERT INTO delivery_visits (delivery_id, campaign_id, member_id, visited_on, minutes, content, \
             books, member_words, confirmed_by_kind, confirmed_by_name, photo, recorded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(v.delivery_id)
        .bind(v.campaign_id)
        .bind(v.member_id)
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
        for topic_id in &v.topic_ids {
            sqlx::query("INSERT INTO delivery_visit_topics (visit_id, topic_id) VALUES ($1, $2)")
                .bind(visit_id)
                .bind(topic_id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(visit_id)
    })
}
