//! Online study: how far each member has watched a recorded session (see migration 0004), and
//! the recording attached to a live session afterwards (migration 0022).

use chrono::{DateTime, Utc};

use crate::classroom::series::Episode;
use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// One member's viewing of one recording.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OnlineView {
    /// When the member first opened the recording's page.
    pub opened_at: DateTime<Utc>,
    /// The 10-second stretches played, as stored by [`crate::classroom::model::Watched`].
    pub watched: String,
    /// Seconds played.
    pub watched_seconds: i64,
    /// The video's length as the player reported it.
    pub duration_seconds: i64,
    /// The last report (or the opening).
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "opened_at, watched, watched_seconds, duration_seconds, updated_at";

/// The member's view of a recording, started now if this is the first time they open it.
pub async fn open(db: &Db, session_id: i64, member_id: i64) -> Result<OnlineView, sqlx::Error> {
    let now = Utc::now();
    on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO online_views (session_id, member_id, opened_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (session_id, member_id) DO NOTHING",
        )
        .bind(session_id)
        .bind(member_id)
        .bind(now)
        .execute(pool)
        .await?;
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM online_views WHERE session_id = $1 AND member_id = $2"))
            .bind(session_id)
            .bind(member_id)
            .fetch_one(pool)
            .await
    })
}

/// The member's view, if they ever opened the recording.
pub async fn get(db: &Db, session_id: i64, member_id: i64) -> Result<Option<OnlineView>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM online_views WHERE session_id = $1 AND member_id = $2"))
            .bind(session_id)
            .bind(member_id)
            .fetch_optional(pool)
            .await
    })
}

/// Replaces the played stretches read as `before` with `after`, unless another report changed
/// them in between (then nothing is written and `false` comes back: read again and retry). This
/// compare-and-swap keeps two open tabs from erasing each other's progress on either backend.
pub async fn save_progress(
    db: &Db,
    session_id: i64,
    member_id: i64,
    before: &OnlineView,
    after: (&str, i64, i64),
) -> Result<bool, sqlx::Error> {
    let (watched, watched_seconds, duration_seconds) = after;
    let done = on_db!(db, pool => {
        sqlx::query(
            "UPDATE online_views SET watched = $3, watched_seconds = $4, duration_seconds = $5, updated_at = $6 \
             WHERE session_id = $1 AND member_id = $2 AND watched = $7",
        )
        .bind(session_id)
        .bind(member_id)
        .bind(watched)
        .bind(watched_seconds)
        .bind(duration_seconds)
        .bind(Utc::now())
        .bind(&before.watched)
        .execute(pool)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}

/// The episode attached to a live session as its recording, if any (migration 0022).
pub async fn replay(db: &Db, session_id: i64) -> Result<Option<Episode>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(&format!(
            "SELECT {} FROM class_episodes WHERE id = (SELECT episode_id FROM session_replays WHERE session_id = $1)",
            crate::classroom::series::EPISODE
        ))
        .bind(session_id)
        .fetch_optional(pool)
        .await
    })
}

/// Attaches (or replaces) a live session's recording, in the caller's transaction.
pub async fn attach_replay(
    tx: &mut Tx,
    session_id: i64,
    episode_id: i64,
    by: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO session_replays (session_id, episode_id, attached_by, attached_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (session_id) DO UPDATE SET episode_id = $2, attached_by = $3, attached_at = $4",
        )
        .bind(session_id)
        .bind(episode_id)
        .bind(by)
        .bind(Utc::now())
        .execute(&mut *conn)
        .await
        .map(|_| ())
    })
}

/// Every episode a recording may be picked from: (id, "series · title"), newest first.
pub async fn episode_choices(db: &Db) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT e.id, s.title, e.title FROM class_episodes e JOIN class_series s ON s.id = e.series_id \
             ORDER BY e.id DESC LIMIT 200",
        )
        .fetch_all(pool)
        .await
    })?;
    Ok(rows.into_iter().map(|(id, series, title)| (id, format!("{series} · {title}"))).collect())
}
