//! The overview's queries. Each reads one small aggregate; dates are bucketed in Rust so the SQL
//! stays the same on both databases.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::Db;
use crate::on_db;
use crate::org::Scope;
use crate::schedule::model::LecturerKind;

/// Attendances per day (Shanghai) of the sessions held since `since`, for members inside
/// `scope`. Bucketed by the session's day, not the moment of entry, so a paper sheet typed in a
/// week later still counts on the day people came.
pub async fn daily_attendance(
    db: &Db,
    campaign_id: i64,
    scope: &Scope,
    since: DateTime<Utc>,
) -> Result<BTreeMap<NaiveDate, i64>, sqlx::Error> {
    let times: Vec<(DateTime<Utc>,)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT s.starts_at FROM attendances a JOIN training_sessions s ON s.id = a.session_id \
             JOIN members m ON m.id = a.member_id JOIN units u ON u.id = m.unit_id \
             WHERE s.campaign_id = $1 AND u.path LIKE $2 AND s.starts_at >= $3",
        )
        .bind(campaign_id)
        .bind(scope)
        .bind(since)
        .fetch_all(pool)
        .await?
    });
    let mut days = BTreeMap::new();
    for (at,) in times {
        *days.entry(at.with_timezone(&chrono_tz::Asia::Shanghai).date_naive()).or_insert(0) += 1;
    }
    Ok(days)
}

/// Sessions (not cancelled) hosted inside `scope` between two instants.
pub async fn sessions_between(
    db: &Db,
    campaign_id: i64,
    scope: &Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(i64, i64), sqlx::Error> {
    let (all, held): (i64, i64) = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN s.ends_at < $5 THEN 1 ELSE 0 END), 0) AS BIGINT) FROM training_sessions s \
             JOIN units u ON u.id = s.unit_id WHERE s.campaign_id = $1 AND u.path LIKE $2 \
             AND s.status = 'scheduled' AND s.starts_at >= $3 AND s.starts_at < $4",
        )
        .bind(campaign_id)
        .bind(scope)
        .bind(from)
        .bind(to)
        .bind(Utc::now())
        .fetch_one(pool)
        .await?
    });
    Ok((all, held))
}

/// Door-to-door tasks for members inside `scope`: (open, overdue).
pub async fn open_deliveries(
    db: &Db,
    campaign_id: i64,
    scope: &Scope,
    today: NaiveDate,
) -> Result<(i64, i64), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN d.due_on < $3 THEN 1 ELSE 0 END), 0) AS BIGINT) FROM deliveries d \
             JOIN members m ON m.id = d.member_id JOIN units u ON u.id = m.unit_id \
             WHERE d.campaign_id = $1 AND u.path LIKE $2 AND d.status = 'open'",
        )
        .bind(campaign_id)
        .bind(scope)
        .bind(today)
        .fetch_one(pool)
        .await
    })
}

/// One lecturer's workload in a campaign.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Workload {
    /// Lecturer name.
    pub name: String,
    /// What kind of lecturer.
    pub kind: LecturerKind,
    /// Sessions given so far.
    pub held: i64,
    /// Sessions still ahead.
    pub upcoming: i64,
    /// Attendances at their sessions.
    pub attendances: i64,
}

/// Every lecturer's sessions in the campaign (those hosted inside `scope`), busiest first.
pub async fn lecturer_workload(
    db: &Db,
    campaign_id: i64,
    scope: &Scope,
) -> Result<Vec<Workload>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT l.name, l.kind, \
             CAST(COALESCE(SUM(CASE WHEN s.ends_at < $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS held, \
             CAST(COALESCE(SUM(CASE WHEN s.ends_at >= $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS upcoming, \
             CAST(COALESCE(SUM((SELECT COUNT(*) FROM attendances a WHERE a.session_id = s.id)), 0) AS BIGINT) AS attendances \
             FROM training_sessions s JOIN lecturers l ON l.id = s.lecturer_id JOIN units u ON u.id = s.unit_id \
             WHERE s.campaign_id = $1 AND u.path LIKE $2 AND s.status = 'scheduled' \
             GROUP BY l.id, l.name, l.kind ORDER BY COUNT(*) DESC, l.name",
        )
        .bind(campaign_id)
        .bind(scope)
        .bind(Utc::now())
        .fetch_all(pool)
        .await
    })
}
