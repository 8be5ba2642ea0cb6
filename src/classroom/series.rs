//! Series of recorded lessons (党课视频) and their episodes in order, stored as files under the
//! data directory (migration 0021), and each member's played stretches per episode.

use chrono::{DateTime, Utc};

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// A series with its number of episodes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Series {
    /// Id.
    pub id: i64,
    /// Title (党课视频).
    pub title: String,
    /// What it is about.
    pub description: String,
    /// Episodes in it.
    pub episodes: i64,
}

/// One episode: a recording stored under the media directory by a random name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Episode {
    /// Id.
    pub id: i64,
    /// Its series.
    pub series_id: i64,
    /// Order in the series, from 1.
    pub position: i64,
    /// Title.
    pub title: String,
    /// Stored file name (random hex + extension).
    pub file_name: String,
    /// `video/mp4` or `video/webm`.
    pub mime: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// The poster's stored name ('' for none).
    pub poster_name: String,
}

/// The columns an [`Episode`] is read from.
pub const EPISODE: &str = "id, series_id, position, title, file_name, mime, size_bytes, poster_name";

/// Every series, by title.
pub async fn all(db: &Db) -> Result<Vec<Series>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT s.id, s.title, s.description, (SELECT COUNT(*) FROM class_episodes e WHERE e.series_id = s.id) AS episodes \
             FROM class_series s ORDER BY s.id",
        )
        .fetch_all(pool)
        .await
    })
}

/// One series.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<Series>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT s.id, s.title, s.description, (SELECT COUNT(*) FROM class_episodes e WHERE e.series_id = s.id) AS episodes \
             FROM class_series s WHERE s.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })
}

/// Makes a series; `None` when one with this title exists.
pub async fn insert_series(tx: &mut Tx, title: &str, description: &str) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO class_series (title, description, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (title) DO NOTHING RETURNING id",
        )
        .bind(title)
        .bind(description)
        .bind(Utc::now())
        .fetch_optional(&mut *conn)
        .await
    })
}

/// A new episode's stored facts.
pub struct NewEpisode<'a> {
    /// Its series.
    pub series_id: i64,
    /// Title.
    pub title: &'a str,
    /// Stored file name.
    pub file_name: &'a str,
    /// MIME type decided from the bytes.
    pub mime: &'a str,
    /// Size.
    pub size_bytes: i64,
    /// Poster's stored name, or ''.
    pub poster_name: &'a str,
}

/// Appends an episode at the end of its series.
pub async fn insert_episode(tx: &mut Tx, e: &NewEpisode<'_>) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO class_episodes (series_id, position, title, file_name, mime, size_bytes, poster_name, created_at) \
             VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 FROM class_episodes WHERE series_id = $1), $2, $3, $4, $5, $6, $7) \
             RETURNING id",
        )
        .bind(e.series_id)
        .bind(e.title)
        .bind(e.file_name)
        .bind(e.mime)
        .bind(e.size_bytes)
        .bind(e.poster_name)
        .bind(Utc::now())
        .fetch_one(&mut *conn)
        .await
    })
}

/// A series' episodes in order.
pub async fn episodes(db: &Db, series_id: i64) -> Result<Vec<Episode>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(&format!("SELECT {EPISODE} FROM class_episodes WHERE series_id = $1 ORDER BY position"))
            .bind(series_id)
            .fetch_all(pool)
            .await
    })
}

/// One episode.
pub async fn episode(db: &Db, id: i64) -> Result<Option<Episode>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(&format!("SELECT {EPISODE} FROM class_episodes WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await
    })
}

/// A member's viewing of one episode.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct View {
    /// The episode.
    pub episode_id: i64,
    /// Stored stretches (see [`crate::classroom::model::Watched`]).
    pub watched: String,
    /// Seconds played.
    pub watched_seconds: i64,
    /// The video's length as the player reported it.
    pub duration_seconds: i64,
    /// The last report (or the opening).
    pub updated_at: DateTime<Utc>,
}

/// The member's view of an episode, begun now if this is the first time they open it.
pub async fn open_view(db: &Db, episode_id: i64, member_id: i64) -> Result<View, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO episode_views (episode_id, member_id, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (episode_id, member_id) DO NOTHING",
        )
        .bind(episode_id)
        .bind(member_id)
        .bind(Utc::now())
        .execute(pool)
        .await?;
        sqlx::query_as(
            "SELECT episode_id, watched, watched_seconds, duration_seconds, updated_at FROM episode_views \
             WHERE episode_id = $1 AND member_id = $2",
        )
        .bind(episode_id)
        .bind(member_id)
        .fetch_one(pool)
        .await
    })
}

/// The member's views of a series' episodes.
pub async fn views_in_series(db: &Db, series_id: i64, member_id: i64) -> Result<Vec<View>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT v.episode_id, v.watched, v.watched_seconds, v.duration_seconds, v.updated_at FROM episode_views v \
             JOIN class_episodes e ON e.id = v.episode_id WHERE e.series_id = $1 AND v.member_id = $2",
        )
        .bind(series_id)
        .bind(member_id)
        .fetch_all(pool)
        .await
    })
}

/// Replaces the stretches read as `before` with `after` unless another report changed them in
/// between (compare-and-swap, as for online study), in the caller's transaction.
pub async fn save_view(
    tx: &mut Tx,
    (episode_id, member_id): (i64, i64),
    before: &View,
    after: (&str, i64, i64),
) -> Result<bool, sqlx::Error> {
    let (watched, watched_seconds, duration_seconds) = after;
    let done = on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE episode_views SET watched = $3, watched_seconds = $4, duration_seconds = $5, updated_at = $6 \
             WHERE episode_id = $1 AND member_id = $2 AND watched = $7",
        )
        .bind(episode_id)
        .bind(member_id)
        .bind(watched)
        .bind(watched_seconds)
        .bind(duration_seconds)
        .bind(Utc::now())
        .bind(&before.watched)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}
