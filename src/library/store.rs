//! The library's SQL (migrations 0021, 0022 for PDFs): items, a member's readings summed from heartbeats, and
//! curated lists pushed to a unit.

use chrono::{DateTime, NaiveDate, Utc};

use super::model::ItemKind;
use crate::db::{Db, Tx};
use crate::org::Scope;
use crate::{on_db, on_tx};

/// One library item.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Item {
    /// Id.
    pub id: i64,
    /// Article or link.
    pub kind: ItemKind,
    /// Title.
    pub title: String,
    /// Category ('' for none).
    pub category: String,
    /// Tags, comma-separated.
    pub tags: String,
    /// Sanitised HTML (articles).
    pub body: String,
    /// Where a link goes.
    pub url: String,
    /// Seconds a member must stay on an article for it to count.
    pub min_seconds: i64,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// A PDF's stored name in the media directory ('' for other kinds).
    pub file_name: String,
    /// A PDF's size in bytes.
    pub size_bytes: i64,
    /// A book's author ('' for other kinds, or not given).
    pub author: String,
    /// A book's publisher ('' for other kinds, or not given).
    pub publisher: String,
    /// A book's copies in stock (0 for other kinds).
    pub stock: i64,
}

const ITEM: &str = "id, kind, title, category, tags, body, url, min_seconds, created_at, file_name, size_bytes, \
     author, publisher, stock";

/// A new item, already checked and sanitised.
pub struct NewItem<'a> {
    /// Article or link.
    pub kind: ItemKind,
    /// Title.
    pub title: &'a str,
    /// Category.
    pub category: &'a str,
    /// Tags, comma-separated.
    pub tags: &'a str,
    /// Sanitised HTML.
    pub body: &'a str,
    /// Link target.
    pub url: &'a str,
    /// Minimum reading time.
    pub min_seconds: i64,
    /// Who added it.
    pub created_by: Option<i64>,
    /// A PDF's stored name ('' for other kinds).
    pub file_name: &'a str,
    /// A PDF's size in bytes.
    pub size_bytes: i64,
}

/// Adds an item in the caller's transaction (its audit entry commits with it).
pub async fn insert(tx: &mut Tx, item: &NewItem<'_>) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO library_items (kind, title, category, tags, body, url, min_seconds, created_by, created_at, file_name, size_bytes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(item.kind)
        .bind(item.title)
        .bind(item.category)
        .bind(item.tags)
        .bind(item.body)
        .bind(item.url)
        .bind(item.min_seconds)
        .bind(item.created_by)
        .bind(Utc::now())
        .bind(item.file_name)
        .bind(item.size_bytes)
        .fetch_one(&mut *conn)
        .await
    })
}

/// Items, newest first, of one category or all ('').
pub async fn list(db: &Db, category: &str) -> Result<Vec<Item>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(&format!(
            "SELECT {ITEM} FROM library_items WHERE ($1 = '' OR category = $1) ORDER BY id DESC LIMIT 500"
        ))
        .bind(category)
        .fetch_all(pool)
        .await
    })
}

/// The categories in use.
pub async fn categories(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT DISTINCT category FROM library_items WHERE category <> '' ORDER BY category")
            .fetch_all(pool)
            .await
    })
}

/// One item.
pub async fn get(db: &Db, id: i64) -> Result<Option<Item>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(&format!("SELECT {ITEM} FROM library_items WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await
    })
}

/// A member's reading of an article on one day.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reading {
    /// Seconds credited by heartbeats.
    pub seconds: i64,
    /// Whether the end of the article was reached.
    pub reached_end: bool,
    /// Whether it counted (points awarded).
    pub counted: bool,
    /// The last heartbeat.
    pub last_beat_at: DateTime<Utc>,
}

/// The reading, read inside the heartbeat's transaction.
pub async fn reading(
    tx: &mut Tx,
    item_id: i64,
    member_id: i64,
    day: NaiveDate,
) -> Result<Option<Reading>, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_as(
            "SELECT seconds, reached_end, counted, last_beat_at FROM library_readings \
             WHERE item_id = $1 AND member_id = $2 AND day = $3",
        )
        .bind(item_id)
        .bind(member_id)
        .bind(day)
        .fetch_optional(&mut *conn)
        .await
    })
}

/// Starts the day's reading with its first heartbeat (a repeat does nothing).
pub async fn start_reading(
    tx: &mut Tx,
    (item_id, member_id, day): (i64, i64, NaiveDate),
    reached_end: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO library_readings (item_id, member_id, day, seconds, reached_end, counted, last_beat_at) \
             VALUES ($1, $2, $3, 0, $4, FALSE, $5) ON CONFLICT (item_id, member_id, day) DO NOTHING",
        )
        .bind(item_id)
        .bind(member_id)
        .bind(day)
        .bind(reached_end)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(|_| ())
    })
}

/// Saves a heartbeat over the reading read as `before`, unless another beat changed it in
/// between (then `false`: the beat is dropped, which loses at most one beat's seconds).
pub async fn save_beat(
    tx: &mut Tx,
    (item_id, member_id, day): (i64, i64, NaiveDate),
    before: &Reading,
    after: &Reading,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE library_readings SET seconds = $4, reached_end = $5, counted = $6, last_beat_at = $7 \
             WHERE item_id = $1 AND member_id = $2 AND day = $3 AND seconds = $8 AND counted = $9",
        )
        .bind(item_id)
        .bind(member_id)
        .bind(day)
        .bind(after.seconds)
        .bind(after.reached_end)
        .bind(after.counted)
        .bind(after.last_beat_at)
        .bind(before.seconds)
        .bind(before.counted)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    });
    Ok(done == 1)
}

/// A curated list as a member or staff sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct List {
    /// Id.
    pub id: i64,
    /// Title (本周学习).
    pub title: String,
    /// The unit whose members it is pushed to.
    pub unit_name: String,
    /// Due day.
    pub due_on: NaiveDate,
}

/// Pushes a list of items to a unit's members, in the caller's transaction.
pub async fn insert_list(
    tx: &mut Tx,
    (title, unit_id, due_on): (&str, i64, NaiveDate),
    items: &[i64],
    created_by: Option<i64>,
) -> Result<i64, sqlx::Error> {
    let id: i64 = on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO library_lists (title, unit_id, due_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(title)
        .bind(unit_id)
        .bind(due_on)
        .bind(created_by)
        .bind(Utc::now())
        .fetch_one(&mut *conn)
        .await
    })?;
    for (position, item) in items.iter().enumerate() {
        on_tx!(tx, conn => {
            sqlx::query("INSERT INTO library_list_items (list_id, item_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(item)
                .bind(position as i64)
                .execute(&mut *conn)
                .await
                .map(|_| ())
        })?;
    }
    Ok(id)
}

/// Lists pushed to units inside `scope` (staff's view), newest first.
pub async fn lists_in_scope(db: &Db, scope: &Scope) -> Result<Vec<List>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT l.id, l.title, u.name AS unit_name, l.due_on FROM library_lists l JOIN units u ON u.id = l.unit_id \
             WHERE u.path LIKE $1 ORDER BY l.id DESC LIMIT 100",
        )
        .bind(scope)
        .fetch_all(pool)
        .await
    })
}

/// Lists pushed to the member's unit or any unit above it, not yet past due, soonest first.
pub async fn lists_for_member(db: &Db, member_id: i64, today: NaiveDate) -> Result<Vec<List>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT l.id, l.title, u.name AS unit_name, l.due_on FROM library_lists l JOIN units u ON u.id = l.unit_id \
             JOIN members m ON m.id = $1 JOIN units mu ON mu.id = m.unit_id \
             WHERE mu.path LIKE u.path || '%' AND l.due_on >= $2 ORDER BY l.due_on, l.id LIMIT 10",
        )
        .bind(member_id)
        .bind(today)
        .fetch_all(pool)
        .await
    })
}

/// A list's items in order, each with whether the member's reading of it counted (ever).
pub async fn list_items(
    db: &Db,
    list_id: i64,
    member_id: i64,
) -> Result<Vec<(i64, String, bool)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as(
            "SELECT i.id, i.title, EXISTS (SELECT 1 FROM library_readings r WHERE r.item_id = i.id \
             AND r.member_id = $2 AND r.counted) AS done FROM library_list_items li \
             JOIN library_items i ON i.id = li.item_id WHERE li.list_id = $1 ORDER BY li.position",
        )
        .bind(list_id)
        .bind(member_id)
        .fetch_all(pool)
        .await
    })
}
